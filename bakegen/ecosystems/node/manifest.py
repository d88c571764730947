"""Read one `package.json` into a Package: name, scripts, bins, internal edges, entry point.

Every wrong type becomes a Problem naming the manifest and the key, and the key is skipped,
so one broken field never hides the rest of the package.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bakegen.ecosystems.node.start import Start, resolve_start
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


@dataclass(frozen=True, slots=True)
class PackageJson:
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
    manifest: PackageJson,
    name: str,
    workspace_root: str,
    manager: str,
    index: WorkspaceIndex,
    problems: list[Problem],
) -> Package:
    """The Package a workspace member (or the root) manifest describes."""
    scripts = manifest.scripts(problems)
    start = scripts.get("start")
    main = manifest.get_str("main", problems)
    chosen = None
    unresolved = None
    if start is not None:
        chosen = resolve_start(
            start,
            scripts,
            set(manifest.dependency_map("dependencies", problems))
            | set(manifest.dependency_map("optionalDependencies", problems)),
            set(manifest.dependency_map("devDependencies", problems)),
            main,
        )
        if not chosen.resolved:
            unresolved = (f'the "start" script ({start}) runs nothing the runtime image has '
                          f"({chosen.reason}); the image runs `npm run start`")
    elif main:
        chosen = Start(("node", main), '"main"')
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
        entrypoint=chosen.command if chosen else (),
        entrypoint_reason=chosen.reason if chosen else None,
        entrypoint_problem=unresolved,
        framework=chosen.framework if chosen else None,
        binaries=_binaries(manifest, name, problems),
        scripts=tuple(sorted(scripts.items())),
    )


def internal_dependencies(
    manifest: PackageJson, own_name: str, index: WorkspaceIndex, problems: list[Problem]
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


def _binaries(manifest: PackageJson, name: str, problems: list[Problem]) -> tuple[str, ...]:
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


def _shown(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list"
    return json.dumps(value)
