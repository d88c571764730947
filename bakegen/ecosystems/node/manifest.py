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
from bakegen.errors import Found, Problem
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

    def get_str(self, key: str) -> Found[str | None]:
        """A string field, or None (with an error Problem when present with another type)."""
        value = self.data.get(key)
        if value is None or isinstance(value, str):
            return Found(value)
        return Found(None, (Problem.error(
            self.path, f'"{key}" must be a string, got {_shown(value)}'),))

    def name(self) -> Found[str | None]:
        """The package name, or None; an empty name counts as missing."""
        found = self.get_str("name")
        return Found(found.value or None, found.problems)

    def scripts(self) -> Found[dict[str, str]]:
        """`scripts` as a dict of string commands; wrong entries are reported and dropped."""
        return self._string_map("scripts", "commands")

    def dependency_map(self, field: str) -> Found[dict[str, str]]:
        """One dependency field as name -> specifier; wrong entries reported and dropped."""
        return self._string_map(field, "version specifiers")

    def _string_map(self, key: str, what: str) -> Found[dict[str, str]]:
        value = self.data.get(key)
        if value is None:
            return Found({})
        if not isinstance(value, dict):
            return Found({}, (Problem.error(
                self.path, f'"{key}" must be an object mapping names to {what}, got {_shown(value)}'
            ),))
        result = {name: item for name, item in value.items() if isinstance(item, str)}
        return Found(result, tuple(
            Problem.error(self.path, f'"{key}.{name}" must be a string, got {_shown(item)}')
            for name, item in value.items() if not isinstance(item, str)
        ))


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
) -> Found[Package]:
    """The Package a workspace member (or the root) manifest describes."""
    scripts = manifest.scripts()
    main, version = manifest.get_str("main"), manifest.get_str("version")
    fields = {field: manifest.dependency_map(field) for field, _ in DEP_FIELDS}
    edges = internal_dependencies(manifest, name, index)
    binaries = _binaries(manifest, name)
    problems = (*scripts.problems, *main.problems, *version.problems,
                *(p for found in fields.values() for p in found.problems),
                *edges.problems, *binaries.problems)
    start = scripts.value.get("start")
    chosen = None
    unresolved = None
    if start is not None:
        chosen = resolve_start(
            start,
            scripts.value,
            set(fields["dependencies"].value) | set(fields["optionalDependencies"].value),
            set(fields["devDependencies"].value),
            main.value,
            bun=manager == "bun",
        )
        if not chosen.resolved:
            unresolved = (f'the "start" script ({start}) runs nothing the runtime image has '
                          f"({chosen.reason}); the image runs `npm run start`")
    elif main.value:
        chosen = Start(("node", main.value), '"main"')
    return Found(Package(
        ecosystem="node",
        name=name,
        path=manifest.folder,
        manifest=manifest.path,
        workspace=workspace_root,
        version=version.value,
        dependencies=edges.value,
        deployable=start is not None,
        deployable_reason=f'"start" script: {start}' if start is not None else None,
        entrypoint=chosen.command if chosen else (),
        entrypoint_reason=chosen.reason if chosen else None,
        entrypoint_problem=unresolved,
        framework=chosen.framework if chosen else None,
        binaries=binaries.value,
        scripts=tuple(sorted(scripts.value.items())),
    ), problems)


def internal_dependencies(
    manifest: PackageJson, own_name: str, index: WorkspaceIndex
) -> Found[tuple[Dependency, ...]]:
    """Edges to workspace packages named in any dependency field, whatever the specifier.

    `npm:` and `workspace:` aliases and `file:`/`link:` paths point at the real package.
    Wrong-typed fields are `build_package`'s to report.
    """
    found: set[Dependency] = set()
    problems = []
    for field, kind in DEP_FIELDS:
        for key, spec in manifest.dependency_map(field).value.items():
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
    return Found(tuple(sorted(found)), tuple(problems))


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


def _binaries(manifest: PackageJson, name: str) -> Found[tuple[str, ...]]:
    value = manifest.data.get("bin")
    if value is None:
        return Found(())
    if isinstance(value, str):
        return Found((name.rsplit("/", 1)[-1],))
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return Found(tuple(sorted(value)))
    return Found((), (Problem.error(
        manifest.path,
        f'"bin" must be a path or an object mapping names to paths, got {_shown(value)}',
    ),))


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
