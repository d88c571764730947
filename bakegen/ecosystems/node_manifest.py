"""Read one `package.json` into a Package: name, scripts, bins, internal edges, entry point.

Every wrong type becomes a Problem naming the manifest and the key, and the key is skipped,
so one broken field never hides the rest of the package.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bakegen.errors import Problem
from bakegen.model import Dependency, DepKind, Package
from bakegen.tree import join, normalize

DEP_FIELDS = (
    ("dependencies", DepKind.RUNTIME),
    ("optionalDependencies", DepKind.RUNTIME),
    ("peerDependencies", DepKind.RUNTIME),
    ("devDependencies", DepKind.DEV),
)
#: scripts a package manager runs by itself while installing a workspace package
INSTALL_SCRIPTS = ("preinstall", "install", "postinstall", "prepare")

_NPM_ALIAS = re.compile(r"npm:((?:@[^/@\s]+/)?[^@\s]+)(?:@.*)?")
_WORKSPACE_ALIAS = re.compile(r"workspace:((?:@[^/@\s]+/)?[^@\s/.~^*<>=][^@\s]*)@.*")
_PATH_PROTOCOLS = ("file:", "link:", "portal:")
_SHELL_SYNTAX = re.compile(r"[|&;<>()$`\\\n'\"*?]")
#: node options whose value is the next word: a plain `node <file>` must not use them
_NODE_OPTIONS_WITH_VALUE = frozenset(
    {"-r", "--require", "--import", "--loader", "--experimental-loader", "--env-file",
     "--title", "-C", "--conditions", "--input-type", "--inspect-port", "--watch-path"}
)
#: node options meaning "not running a script file"
_NODE_NOT_A_SCRIPT = frozenset(
    {"-e", "--eval", "-p", "--print", "-c", "--check", "-i", "--interactive", "--test",
     "--run", "-v", "--version", "-h", "--help", "--watch"}
)


@dataclass(frozen=True, slots=True)
class Manifest:
    """A parsed `package.json`: where it is and its JSON object."""

    path: str
    folder: str
    data: Mapping[str, Any]

    def get_str(self, key: str, problems: list[Problem]) -> str | None:
        """A string field, or None (with an error Problem when present with another type)."""
        value = self.data.get(key)
        if value is None or isinstance(value, str):
            return value
        problems.append(Problem.error(self.path, f'"{key}" must be a string, got {_shown(value)}'))
        return None

    def name(self, problems: list[Problem]) -> str | None:
        """The package name, or None; an empty name counts as missing."""
        return self.get_str("name", problems) or None

    def scripts(self, problems: list[Problem]) -> dict[str, str]:
        """`scripts` as a dict of string commands; wrong entries are reported and dropped."""
        return self._string_map("scripts", "commands", problems)

    def dependency_map(self, field: str, problems: list[Problem]) -> dict[str, str]:
        """One dependency field as name -> specifier; wrong entries reported and dropped."""
        return self._string_map(field, "version specifiers", problems)

    def _string_map(self, key: str, what: str, problems: list[Problem]) -> dict[str, str]:
        value = self.data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            problems.append(Problem.error(
                self.path, f'"{key}" must be an object mapping names to {what}, got {_shown(value)}'
            ))
            return {}
        result: dict[str, str] = {}
        for name, item in value.items():
            if isinstance(item, str):
                result[name] = item
            else:
                problems.append(Problem.error(
                    self.path, f'"{key}.{name}" must be a string, got {_shown(item)}'
                ))
        return result


@dataclass(frozen=True, slots=True)
class WorkspaceIndex:
    """Name and folder lookups of one workspace's packages, to resolve internal edges."""

    folders_by_name: Mapping[str, str]
    names_by_folder: Mapping[str, str]


def build_package(
    manifest: Manifest,
    name: str,
    workspace_root: str,
    manager: str,
    index: WorkspaceIndex,
    problems: list[Problem],
) -> Package:
    """The Package a workspace member (or the root) manifest describes."""
    scripts = manifest.scripts(problems)
    start = scripts.get("start")
    return Package(
        ecosystem="node",
        name=name,
        path=manifest.folder,
        manifest=manifest.path,
        workspace=workspace_root,
        version=manifest.get_str("version", problems),
        dependencies=internal_dependencies(manifest, name, index, problems),
        deployable=start is not None,
        deployable_reason=f'"start" script: {start}' if start is not None else None,
        entrypoint=entrypoint(
            manifest.folder, name, start, manifest.get_str("main", problems),
            manager, workspace_root,
        ),
        binaries=_binaries(manifest, name, problems),
        scripts=tuple(sorted(scripts.items())),
    )


def internal_dependencies(
    manifest: Manifest, own_name: str, index: WorkspaceIndex, problems: list[Problem]
) -> tuple[Dependency, ...]:
    """Edges to workspace packages named in any dependency field, whatever the specifier.

    `npm:` and `workspace:` aliases and `file:`/`link:` paths point at the real package.
    """
    found: set[Dependency] = set()
    for field, kind in DEP_FIELDS:
        for key, spec in manifest.dependency_map(field, problems).items():
            if spec.strip().startswith(_PATH_PROTOCOLS):
                raw = spec.strip().split(":", 1)[1]
                linked = raw if raw.startswith("/") else join(manifest.folder, raw)
                if linked.startswith(("/", "../")) or linked == "..":
                    problems.append(Problem.error(
                        manifest.path, f'"{field}.{key}" points to {linked}, outside the '
                        "repository, where no build context reaches"
                    ))
                    continue
            target = _target(key, spec, manifest.folder, index)
            if target is None:
                continue
            if target == own_name:
                problems.append(Problem.warning(
                    manifest.path, f'"{field}.{key}" names the package itself; ignored'
                ))
                continue
            found.add(Dependency(target, kind))
    return tuple(sorted(found))


def _target(key: str, spec: str, folder: str, index: WorkspaceIndex) -> str | None:
    spec = spec.strip()
    alias = _NPM_ALIAS.fullmatch(spec) or _WORKSPACE_ALIAS.fullmatch(spec)
    if alias:
        real = alias.group(1)
        return real if real in index.folders_by_name else None
    if spec.startswith(_PATH_PROTOCOLS):
        linked = join(folder, spec.split(":", 1)[1])
        by_path = index.names_by_folder.get(normalize(linked))
        if by_path is not None:
            return by_path
    return key if key in index.folders_by_name else None


def _binaries(manifest: Manifest, name: str, problems: list[Problem]) -> tuple[str, ...]:
    value = manifest.data.get("bin")
    if value is None:
        return ()
    if isinstance(value, str):
        return (name.rsplit("/", 1)[-1],)
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return tuple(sorted(value))
    problems.append(Problem.error(
        manifest.path,
        f'"bin" must be a path or an object mapping names to paths, got {_shown(value)}',
    ))
    return ()


def entrypoint(
    path: str, name: str, start: str | None, main: str | None, manager: str, workspace_root: str
) -> tuple[str, ...]:
    """How to start the package from the repository root (the image's /app).

    A plain `node <file>` start script runs directly, then `main`, else the package manager
    runs the `start` script (the manager sets the package folder as working directory).
    """
    plain = plain_node_command(start) if start else None
    if plain is not None:
        options, script, args = plain
        return ("node", *options, join(path, script), *args)
    if main:
        return ("node", join(path, main))
    if start is not None:
        return run_script_command(manager, workspace_root, path, name, "start", from_root=True)
    return ()


def plain_node_command(start: str) -> tuple[tuple[str, ...], str, tuple[str, ...]] | None:
    """Split `node [--flag] file [args]` into (flags, file, args); None for anything else.

    Only commands that mean the same whatever the working directory qualify: no shell
    syntax, no option taking a (relative) path, no argument that looks like a path.
    """
    if _SHELL_SYNTAX.search(start):
        return None
    words = shlex.split(start)
    if not words or words[0] != "node":
        return None
    rest = words[1:]
    options: list[str] = []
    while rest and rest[0].startswith("-"):
        option = rest.pop(0)
        flag, _, value = option.partition("=")
        if flag in _NODE_NOT_A_SCRIPT or flag in _NODE_OPTIONS_WITH_VALUE or _path_like(value):
            return None
        options.append(option)
    if not rest or rest[0].startswith("/") or any(_path_like(arg) for arg in rest[1:]):
        return None
    return tuple(options), rest[0], tuple(rest[1:])


def run_script_command(
    manager: str, workspace_root: str, path: str, name: str, script: str, from_root: bool = False
) -> tuple[str, ...]:
    """The manager command running `script` of one package, from its workspace root.

    `from_root` adds the option pointing the manager at a workspace below the repository
    root (`npm --prefix`, `yarn --cwd`, `pnpm --dir`, `bun --cwd`).
    """
    is_root = path == workspace_root
    where: tuple[str, ...] = ()
    if from_root and workspace_root != ".":
        option = {"npm": "--prefix", "pnpm": "--dir"}.get(manager, "--cwd")
        where = (option, workspace_root)
    if manager == "npm":
        target = () if is_root else (f"--workspace={relative_to(path, workspace_root)}",)
        return ("npm", *where, "run", script, *target)
    if manager == "pnpm":
        return ("pnpm", *where, *(() if is_root else ("--filter", name)), "run", script)
    if manager == "bun":
        return ("bun", *where, *(() if is_root else ("--filter", name)), "run", script)
    return ("yarn", *where, *(() if is_root else ("workspace", name)), "run", script)


def relative_to(path: str, folder: str) -> str:
    """`apps/web/x` relative to `apps/web` is `x`; a folder relative to itself is `.`."""
    if folder == ".":
        return path
    if path == folder:
        return "."
    return path[len(folder) + 1 :]


def _path_like(word: str) -> bool:
    return word.startswith(".") or "/" in word


def _shown(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list"
    return json.dumps(value)
