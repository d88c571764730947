"""Find Node workspaces in a SourceTree: roots, members, package manager, tool files.

Rules, in the order they apply:

- A *declared* workspace root is a folder whose `package.json` has `workspaces` (a list of
  globs or `{"packages": [...]}`) or that holds a `pnpm-workspace.yaml`. Roots are taken
  shallowest first; a root inside a member (or a member's subfolder) of an earlier workspace
  is not a workspace of its own: npm, yarn and pnpm do not nest workspaces.
- Members are the `package.json` folders below the root matched by the globs (`**` and
  `!negations` allowed). A glob matching nothing is a warning.
- The root `package.json` of a declared workspace is a package only when it looks like an
  app of its own, not a private monorepo shell: see `root_is_package`.
- Any other `package.json` with a lockfile next to it, and not inside a member of a
  declared workspace, is a *standalone* workspace whose only package is itself (this keeps
  `tools/deploy/` with its own lockfile, or per-service lockfiles under a tooling root).
  Without a lockfile it is ignored: fixtures, examples, templates.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bakegen.ecosystems.node.manifest import (
    INSTALL_SCRIPTS,
    PackageJson,
    WorkspaceIndex,
    build_package,
)
from bakegen.ecosystems.node.static import mark_static_sites
from bakegen.ecosystems.node.tsconfig import config_files, extended_packages
from bakegen.ecosystems.node.versions import (
    major_from_range,
    major_from_tool_versions,
    major_from_version_file,
)
from bakegen.errors import BakegenError, Found, Problem
from bakegen.manifests import load_json, load_yaml, string_list
from bakegen.model import Dependency, DepKind, EcosystemScan, Package, Workspace
from bakegen.tree import SourceTree, is_within, iter_parents, join, match_globs, parent

#: lockfiles each manager reads, preferred first
LOCKFILES = {
    "npm": ("npm-shrinkwrap.json", "package-lock.json"),
    "yarn": ("yarn.lock",),
    "pnpm": ("pnpm-lock.yaml",),
    "bun": ("bun.lock", "bun.lockb"),
}
#: which lockfile wins when several lie in one folder and no `packageManager` decides
LOCKFILE_PRIORITY = (
    "pnpm-lock.yaml", "yarn.lock", "bun.lock", "bun.lockb", "npm-shrinkwrap.json",
    "package-lock.json",
)
#: small files at the workspace root an install reads
TOOL_FILES = (
    ".npmrc", ".yarnrc", ".yarnrc.yml", "pnpm-workspace.yaml", ".pnpmfile.cjs", ".nvmrc",
    ".node-version",
)
_PACKAGE_MANAGER = re.compile(
    r"(npm|pnpm|yarn|bun)@(\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.-]+)?)(?:\+[0-9A-Za-z.]+)?"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DELEGATING_START = re.compile(
    r"\b(?:turbo|nx|lerna|concurrently|npm-run-all|run-p|run-s)\b|--workspaces?\b|--filter\b"
    r"|(?:^|\s)-[wFr](?:\s|$)|--recursive\b|\byarn\s+workspaces?\b"
)
_PATCH_DIR = re.compile(r"--patch-dir[=\s]+(\S+)")
_BERRY_HEADER_BYTES = 4096


@dataclass(frozen=True, slots=True)
class ManagerInfo:
    """The tool installing a workspace, its version if pinned, and its lockfile."""

    manager: str
    version: str | None
    lockfile: str | None


@dataclass(frozen=True, slots=True)
class _Root:
    """A workspace root candidate: its folder, manifest, member globs and their source."""

    folder: str
    manifest: PackageJson | None
    globs: tuple[str, ...] | None  # None: standalone, the root is the only package
    globs_source: str
    tool: ManagerInfo


def scan_node(tree: SourceTree) -> EcosystemScan:
    """Every Node workspace, package and internal edge of the tree, with problems."""
    loaded = _load_manifests(tree)
    manifests, broken = loaded.value
    problems = list(loaded.problems)
    claimed: set[str] = set()
    broken_members: set[str] = set()
    workspaces: list[Workspace] = []
    packages: list[Package] = []

    def add(found: Found[tuple[Workspace, list[Package]]]) -> None:
        workspaces.append(found.value[0])
        packages.extend(found.value[1])
        problems.extend(found.problems)

    for folder in _declared_root_folders(tree, manifests):
        if _inside(folder, claimed):
            continue
        declared_root = _declared_root(tree, folder, manifests.get(folder))
        root = declared_root.value
        listed = _members(root, manifests, claimed)
        members = listed.value
        problems += [*declared_root.problems, *listed.problems]
        claimed.update(m.folder for m in members)
        broken_members.update(_broken_members(root, broken))
        add(_workspace(tree, root, members))
    problems.extend(_broken_problems(tree, broken, broken_members, declared=bool(workspaces)))
    declared = {ws.root for ws in workspaces}
    unlocked: list[str] = []
    for folder, manifest in sorted(manifests.items()):
        if folder in declared or _inside(folder, claimed):
            continue
        if any(tree.exists(join(folder, n)) for n in LOCKFILE_PRIORITY):
            tool = detect_manager(tree, folder, manifest)
            problems += tool.problems
            add(_workspace(tree, _Root(folder, manifest, None, manifest.path, tool.value), []))
        elif _starts_something(manifest):
            unlocked.append(manifest.path)
    if not workspaces:  # in a repo with Node workspaces these are fixtures and examples
        problems.extend(Problem.warning(
            path, "has a start script but no lockfile (package-lock.json, yarn.lock, "
            "pnpm-lock.yaml, bun.lock) and no workspace lists it, so it is not built; run "
            "`npm install` to create package-lock.json") for path in unlocked)
    return EcosystemScan(
        workspaces=tuple(sorted(workspaces, key=lambda w: w.root)),
        packages=tuple(sorted(mark_static_sites(tree, packages), key=lambda p: (p.name, p.path))),
        problems=tuple(sorted(set(problems), key=Problem.sort_key)),
    )


def _starts_something(manifest: PackageJson) -> bool:
    """A named package.json with a `start` script: what a user means to run."""
    scripts = manifest.data.get("scripts")
    start = scripts.get("start") if isinstance(scripts, dict) else None
    return isinstance(manifest.data.get("name"), str) and isinstance(start, str) and bool(start)


def root_is_package(manifest: PackageJson, member_names: Iterable[str]) -> bool:
    """Whether a declared workspace's root `package.json` is itself a package.

    It needs a `name`, and then either a `start` script that runs code of its own (not a
    task runner fanning out to members: turbo, nx, lerna, `--workspace`, `--filter`, ...),
    or, when it is not `private`, runtime dependencies on members (a published umbrella
    package). A private root whose members are listed as its dependencies is only
    hoisting them, as most monorepo shells do.
    """
    data = manifest.data
    if not isinstance(data.get("name"), str) or not data["name"]:
        return False
    scripts = data.get("scripts")
    start = scripts.get("start") if isinstance(scripts, dict) else None
    if isinstance(start, str) and not _DELEGATING_START.search(start):
        return True
    if data.get("private") is True:
        return False
    members = set(member_names)
    deps = data.get("dependencies")
    return isinstance(deps, dict) and any(name in members for name in deps)


def _broken_members(root: _Root, broken: Mapping[str, Problem]) -> list[str]:
    """Unreadable package.json folders that the root's globs list as members."""
    if not root.globs or not broken:
        return []
    prefix_len = 0 if root.folder == "." else len(root.folder) + 1
    candidates = {
        folder[prefix_len:]: folder
        for folder in broken
        if folder != root.folder and is_within(folder, root.folder)
    }
    includes = [g for g in root.globs if not g.startswith("!")]
    excludes = [g[1:] for g in root.globs if g.startswith("!")]
    try:
        matched, _ = match_globs(candidates, includes, excludes)
    except ValueError:
        return []  # reported with the members
    return [candidates[rel] for rel in matched]


def _broken_problems(
    tree: SourceTree, broken: Mapping[str, Problem], members: set[str], declared: bool
) -> list[Problem]:
    """An unreadable package.json is an error where bakegen would build it: a workspace
    member, or a project with its own lockfile when the repo declares no workspace."""
    problems = []
    for folder, problem in sorted(broken.items()):
        if folder in members:
            problems.append(problem)
        elif declared:
            problems.append(Problem.warning(
                problem.path, f"{problem.message}; not a member of any workspace, so not built"))
        elif any(tree.exists(join(folder, n)) for n in LOCKFILE_PRIORITY):
            problems.append(problem)
        else:
            problems.append(Problem.warning(
                problem.path, f"{problem.message}; no lockfile and no workspace lists it, "
                "so not built"))
    return problems


def _load_manifests(
    tree: SourceTree,
) -> Found[tuple[dict[str, PackageJson], dict[str, Problem]]]:
    """Readable package.json files by folder, and the unreadable ones' problems by folder
    (whether each is an error depends on which workspace lists it)."""
    manifests: dict[str, PackageJson] = {}
    broken: dict[str, Problem] = {}
    problems: list[Problem] = []
    for rel in tree.named("package.json"):
        if _CONTROL.search(rel):  # would break the Dockerfile lines naming the folder
            problems.append(Problem.warning(
                _CONTROL.sub("?", rel), "control characters in the path; skipped"
            ))
            continue
        try:
            data = load_json(tree, rel)
        except BakegenError as exc:
            broken[parent(rel)] = exc.problem()
            continue
        if not isinstance(data, dict):
            broken[parent(rel)] = Problem.error(rel, "must be a JSON object")
            continue
        manifests[parent(rel)] = PackageJson(rel, parent(rel), data)
    return Found((manifests, broken), tuple(problems))


def _declared_root_folders(tree: SourceTree, manifests: Mapping[str, PackageJson]) -> list[str]:
    """Folders declaring workspaces, shallowest first so outer workspaces claim first."""
    folders = {f for f, m in manifests.items() if "workspaces" in m.data}
    folders.update(parent(rel) for rel in tree.named("pnpm-workspace.yaml"))
    return sorted(folders, key=lambda f: (0 if f == "." else f.count("/") + 1, f))


def _declared_root(
    tree: SourceTree, folder: str, manifest: PackageJson | None
) -> Found[_Root]:
    """A declared root with its manager; pnpm reads `pnpm-workspace.yaml`, the others
    `workspaces`."""
    found_tool = detect_manager(tree, folder, manifest)
    tool, problems = found_tool.value, found_tool.problems
    pnpm_file = join(folder, "pnpm-workspace.yaml")
    has_workspaces = manifest is not None and "workspaces" in manifest.data
    if tree.exists(pnpm_file) and (tool.manager == "pnpm" or not has_workspaces):
        pnpm = _pnpm_globs(tree, pnpm_file)
        root = _Root(folder, manifest, pnpm.value, pnpm_file, tool)
        return Found(root, (*problems, *pnpm.problems))
    assert manifest is not None
    npm = _npm_globs(manifest)
    root = _Root(folder, manifest, npm.value, manifest.path, tool)
    return Found(root, (*problems, *npm.problems))


def _npm_globs(manifest: PackageJson) -> Found[tuple[str, ...]]:
    value = manifest.data.get("workspaces")
    if isinstance(value, dict):
        value = value.get("packages", [])
        where = "workspaces.packages"
    else:
        where = "workspaces"
    try:
        return Found(tuple(string_list(manifest.path, where, value)))
    except BakegenError as exc:
        return Found((), (exc.problem(),))


def _pnpm_globs(tree: SourceTree, rel: str) -> Found[tuple[str, ...] | None]:
    try:
        data = load_yaml(tree, rel) or {}
        if not isinstance(data, dict):
            raise BakegenError.at(rel, "must be a mapping with a \"packages\" list")
        if "packages" not in data:
            return Found(None)  # settings only (pnpm 9+): a single-package repository
        return Found(tuple(string_list(rel, "packages", data["packages"])))
    except BakegenError as exc:
        return Found((), (exc.problem(),))


def _members(
    root: _Root, manifests: Mapping[str, PackageJson], claimed: set[str]
) -> Found[list[PackageJson]]:
    if not root.globs:
        return Found([])
    prefix_len = 0 if root.folder == "." else len(root.folder) + 1
    candidates = {
        folder[prefix_len:]: manifest
        for folder, manifest in manifests.items()
        if folder != root.folder and is_within(folder, root.folder) and folder not in claimed
    }
    includes = [g for g in root.globs if not g.startswith("!")]
    excludes = [g[1:] for g in root.globs if g.startswith("!")]
    try:
        matched, unmatched = match_globs(candidates, includes, excludes)
    except ValueError as exc:
        return Found([], (Problem.error(root.globs_source, f"bad workspace glob: {exc}"),))
    unmatched_problems = tuple(
        Problem.warning(root.globs_source, f'workspace glob "{glob}" matches no package.json')
        for glob in unmatched
    )
    return Found([candidates[rel] for rel in matched], unmatched_problems)


def _workspace(
    tree: SourceTree, root: _Root, members: list[PackageJson]
) -> Found[tuple[Workspace, list[Package]]]:
    """One workspace and its packages (the root too, when it is one)."""
    found_named = _named_members(members)
    named = found_named.value
    problems = list(found_named.problems)
    if root.manifest is not None and (
        root.globs is None or root_is_package(root.manifest, (name for _, name in named))
    ):
        root_name = root.manifest.name()
        problems += root_name.problems
        if root_name.value is None:
            problems.append(Problem.warning(
                root.manifest.path, 'no "name", so it is not treated as a package'
            ))
        else:
            named.insert(0, (root.manifest, root_name.value))
    index = _index(named)
    packages = []
    configs = config_files(tree)
    for manifest, name in named:
        built = build_package(manifest, name, root.folder, root.tool.manager, index)
        packages.append(_with_extended_configs(tree, configs, built.value, index))
        problems += built.problems
    extra = extra_files(tree, root.folder, root.manifest, root.tool.manager)
    runtime = runtime_version(tree, root.folder, root.manifest)
    problems += [*extra.problems, *runtime.problems]
    manifest_paths = [m.path for m in members]
    if root.manifest is not None:
        manifest_paths.append(root.manifest.path)
    workspace = Workspace(
        ecosystem="node",
        root=root.folder,
        manager=root.tool.manager,
        lockfile=root.tool.lockfile,
        manifests=tuple(sorted(manifest_paths)),
        extra_files=extra.value,
        runtime_version=runtime.value,
        manager_version=root.tool.version,
        packages=tuple(sorted({name for _, name in named})),
        build_files=build_files(tree, root.folder),
        # problems of the root's scripts are reported where it is read as a package
        root_scripts=tuple(sorted(
            (name, command) for name, command in
            (root.manifest.scripts().value if root.manifest is not None else {}).items()
            if name in INSTALL_SCRIPTS
        )),
        declared=root.globs is not None,
    )
    return Found((workspace, packages), tuple(problems))


def _named_members(members: list[PackageJson]) -> Found[list[tuple[PackageJson, str]]]:
    named = []
    problems: list[Problem] = []
    for manifest in members:
        name = manifest.name()
        problems += name.problems
        if name.value is not None:
            named.append((manifest, name.value))
        elif not manifest.data.get("name"):  # a wrong type was reported by `name()`
            problems.append(Problem.error(manifest.path, 'missing "name"'))
    return Found(named, tuple(problems))


def _index(named: list[tuple[PackageJson, str]]) -> WorkspaceIndex:
    folders_by_name: dict[str, str] = {}
    for manifest, name in sorted(named, key=lambda item: item[0].folder):
        folders_by_name.setdefault(name, manifest.folder)
    return WorkspaceIndex(
        folders_by_name=folders_by_name,
        names_by_folder={m.folder: name for m, name in named},
    )


def _inside(folder: str, claimed: set[str]) -> bool:
    return folder in claimed or any(p in claimed for p in iter_parents(folder))


# -- package manager -------------------------------------------------------------------------


def _with_extended_configs(
    tree: SourceTree, configs: dict[str, list[str]], pkg: Package, index: WorkspaceIndex
) -> Package:
    """The package with a dev edge to each workspace package its tsconfig extends that its
    manifest does not name (a build-time need all the same)."""
    named = {d.name for d in pkg.dependencies}
    extra = extended_packages(tree, configs, pkg.path, index) - named
    if not extra:
        return pkg
    edges = (*pkg.dependencies, *(Dependency(name, DepKind.DEV) for name in extra))
    return dataclasses.replace(pkg, dependencies=tuple(sorted(edges)))


def detect_manager(
    tree: SourceTree, folder: str, manifest: PackageJson | None
) -> Found[ManagerInfo]:
    """The manager from `packageManager`, else from the lockfile, else npm (with a warning)."""
    where = manifest.path if manifest else join(folder, "package.json")
    declared = _declared_manager(manifest)
    if declared.value is not None:
        family, version = declared.value
        names = LOCKFILES[family]
        lockfile = next((join(folder, n) for n in names if tree.exists(join(folder, n))), None)
        missing = () if lockfile is not None else (Problem.warning(
            where, f'no {" or ".join(names)} for "packageManager" {family}; '
            "installs are not reproducible"),)
        if family == "yarn":
            family = "yarn-classic" if int(version.split(".", 1)[0]) < 2 else "yarn-berry"
        return Found(ManagerInfo(family, version, lockfile), missing)
    found = [join(folder, n) for n in LOCKFILE_PRIORITY if tree.exists(join(folder, n))]
    if not found:
        if tree.exists(join(folder, "pnpm-workspace.yaml")):
            return Found(ManagerInfo("pnpm", None, None), (*declared.problems, Problem.warning(
                where, "no pnpm-lock.yaml; installs are not reproducible")))
        return Found(ManagerInfo("npm", None, None), (*declared.problems, Problem.warning(
            where, "no lockfile (package-lock.json, yarn.lock, pnpm-lock.yaml, bun.lock); "
            "installs are not reproducible")))
    several = () if len(found) == 1 else (Problem.warning(
        where, f"several lockfiles ({', '.join(found)}); using {found[0]}"),)
    manager = _manager_of_lockfile(tree, found[0])
    return Found(ManagerInfo(manager.value, None, found[0]),
                 (*declared.problems, *several, *manager.problems))


def _declared_manager(manifest: PackageJson | None) -> Found[tuple[str, str] | None]:
    if manifest is None or "packageManager" not in manifest.data:
        return Found(None)
    value = manifest.data["packageManager"]
    match = _PACKAGE_MANAGER.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return Found(None, (Problem.warning(
            manifest.path,
            f'"packageManager" must look like "pnpm@9.12.0", got {value!r}; using the lockfile',
        ),))
    return Found((match.group(1), match.group(2)))


def _manager_of_lockfile(tree: SourceTree, lockfile: str) -> Found[str]:
    name = lockfile.rsplit("/", 1)[-1]
    if name == "yarn.lock":
        berry = _is_berry_lockfile(tree, lockfile)
        return Found("yarn-berry" if berry.value else "yarn-classic", berry.problems)
    if name == "pnpm-lock.yaml":
        return Found("pnpm")
    if name.startswith("bun.lock"):
        return Found("bun")
    return Found("npm")


def _is_berry_lockfile(tree: SourceTree, lockfile: str) -> Found[bool]:
    """Yarn 2+ lockfiles are YAML starting with a `__metadata:` block; yarn 1's are not."""
    try:
        with (tree.root / lockfile).open("rb") as handle:
            head = handle.read(_BERRY_HEADER_BYTES)
    except OSError as exc:
        return Found(False, (Problem.warning(lockfile, f"cannot read ({exc.strerror or exc})"),))
    return Found(b"\n__metadata:" in b"\n" + head)


# -- runtime version and tool files ----------------------------------------------------------


def runtime_version(
    tree: SourceTree, folder: str, manifest: PackageJson | None
) -> Found[str | None]:
    """Node major from `.nvmrc`, `.node-version`, `.tool-versions` (here or in a parent
    folder, as nvm looks), then `volta.node`, then `engines.node`; None if none pins one."""
    readers = (
        (".nvmrc", major_from_version_file),
        (".node-version", major_from_version_file),
        (".tool-versions", major_from_tool_versions),
    )
    problems: list[Problem] = []
    for directory in (folder, *iter_parents(folder)):
        for filename, read in readers:
            rel = join(directory, filename)
            if tree.exists(rel):
                try:
                    major = read(tree.read_text(rel))
                except BakegenError as exc:
                    problems.append(exc.problem())
                    continue
                if major:
                    return Found(major, tuple(problems))
    if manifest is None:
        return Found(None, tuple(problems))
    volta = manifest.data.get("volta")
    if isinstance(volta, dict) and isinstance(volta.get("node"), str):
        major = major_from_version_file(volta["node"])
        if major:
            return Found(major, tuple(problems))
    engines = manifest.data.get("engines")
    if isinstance(engines, dict) and "node" in engines:
        if isinstance(engines["node"], str):
            return Found(major_from_range(engines["node"]), tuple(problems))
        problems.append(Problem.warning(
            manifest.path, f'"engines.node" must be a version range, got {engines["node"]!r}'
        ))
    return Found(None, tuple(problems))


_BUILD_CONFIG = re.compile(
    r"(tsconfig[\w.-]*\.json|babel\.config\.[cm]?js(on)?|\.babelrc(\.[\w]+)?|\.swcrc|"
    r"turbo\.json|nx\.json|lerna\.json|\.browserslistrc|postcss\.config\.[cm]?[jt]s|"
    r"tailwind\.config\.[cm]?[jt]s)"
)


def build_files(tree: SourceTree, folder: str) -> tuple[str, ...]:
    """Root build configuration member builds extend (`"extends": "../../tsconfig.base.json"`).

    Kept apart from the install's files so that editing them never invalidates deps-base.
    """
    prefix = "" if folder == "." else folder + "/"
    return tuple(
        rel for rel in tree.files
        if rel.startswith(prefix) and "/" not in rel[len(prefix):]
        and _BUILD_CONFIG.fullmatch(rel[len(prefix):])
    )


def extra_files(
    tree: SourceTree,
    folder: str,
    manifest: PackageJson | None,
    manager: str,
) -> Found[tuple[str, ...]]:
    """Files besides manifests and the lockfile that an install of the workspace reads."""
    found = {join(folder, n) for n in TOOL_FILES if tree.exists(join(folder, n))}
    patches = _patch_files(tree, folder, manifest)
    yarn = _yarn_files(tree, folder) if manager.startswith("yarn") else Found(set[str]())
    found |= patches.value | yarn.value
    return Found(tuple(sorted(found)), (*patches.problems, *yarn.problems))


def _patch_files(tree: SourceTree, folder: str, manifest: PackageJson | None) -> Found[set[str]]:
    """patch-package's folder when a root script runs it; pnpm/bun `patchedDependencies`."""
    found: set[str] = set()
    problems = []
    data: Mapping[str, Any] = manifest.data if manifest else {}
    scripts = data.get("scripts")
    for command in scripts.values() if isinstance(scripts, dict) else ():
        if isinstance(command, str) and "patch-package" in command:
            custom = _PATCH_DIR.search(command)
            found.update(tree.files_below(join(folder, custom.group(1) if custom else "patches")))
    pnpm = data.get("pnpm")
    tables = [data.get("patchedDependencies"), pnpm.get("patchedDependencies")
              if isinstance(pnpm, dict) else None]
    workspace_yaml = join(folder, "pnpm-workspace.yaml")
    if tree.exists(workspace_yaml):
        try:
            settings = load_yaml(tree, workspace_yaml)
        except BakegenError:
            settings = None  # already reported while reading the member globs
        if isinstance(settings, dict):
            tables.append(settings.get("patchedDependencies"))
    for table in tables:
        for patch in table.values() if isinstance(table, dict) else ():
            if not isinstance(patch, str):
                continue
            rel = join(folder, patch)
            if tree.exists(rel):
                found.add(rel)
            else:
                problems.append(Problem.warning(
                    manifest.path if manifest else workspace_yaml,
                    f"patch file {patch} not found; the install will fail",
                ))
    return Found(found, tuple(problems))


def _yarn_files(tree: SourceTree, folder: str) -> Found[set[str]]:
    """`yarnPath`, plugins and patches under `.yarn/`, which the SourceTree never indexes."""
    found: set[str] = set()
    problems = []
    rc_yml = join(folder, ".yarnrc.yml")
    wanted: list[str] = []
    if tree.exists(rc_yml):
        try:
            settings = load_yaml(tree, rc_yml) or {}
        except BakegenError as exc:
            problems.append(exc.problem())
            settings = {}
        if isinstance(settings, dict):
            wanted.extend(_berry_paths(settings))
        found.update(_on_disk_below(tree.root, join(folder, ".yarn/patches")))
    rc = join(folder, ".yarnrc")
    if tree.exists(rc):
        try:
            for line in tree.read_text(rc).splitlines():
                key, _, value = line.strip().partition(" ")
                if key == "yarn-path":
                    wanted.append(value.strip().strip("\"'"))
        except BakegenError as exc:
            problems.append(exc.problem())
    for rel in wanted:
        path = join(folder, rel)
        if _is_file_inside(tree.root, path):
            found.add(path)
        else:
            problems.append(Problem.warning(
                rc_yml if tree.exists(rc_yml) else rc, f"{rel} not found; the install will fail"
            ))
    return Found(found, tuple(problems))


def _berry_paths(settings: Mapping[str, Any]) -> list[str]:
    paths = []
    if isinstance(settings.get("yarnPath"), str):
        paths.append(settings["yarnPath"])
    plugins = settings.get("plugins")
    for plugin in plugins if isinstance(plugins, list) else ():
        if isinstance(plugin, str):
            paths.append(plugin)
        elif isinstance(plugin, dict) and isinstance(plugin.get("path"), str):
            paths.append(plugin["path"])
    return paths


def _on_disk_below(root: Path, folder: str) -> list[str]:
    base = root / folder
    if not base.is_dir() or base.is_symlink():
        return []
    return sorted(
        p.relative_to(root).as_posix() for p in base.rglob("*")
        if p.is_file() and _is_file_inside(root, p.relative_to(root).as_posix())
    )


def _is_file_inside(root: Path, rel: str) -> bool:
    """A regular file below the root, not reached through a symlink leaving it."""
    if rel.startswith("../") or rel == ".." or rel.startswith("/"):
        return False
    try:
        resolved = (root / rel).resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    return resolved.is_file() and (resolved == root or root in resolved.parents)


