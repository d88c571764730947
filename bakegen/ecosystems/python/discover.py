"""Find Python workspaces and packages: uv workspaces, Poetry projects, plain PEP 621 projects.

How pyproject.toml files become workspaces, in this order (a folder joins one workspace only):

1. every pyproject.toml with `[tool.uv.workspace]` is a uv workspace; its members are the
   folders its `members` globs match (minus `exclude`), plus the root when it has `[project]`;
2. a project with its own `uv.lock` or `poetry.lock` is a workspace of its own (uv, poetry);
3. projects reached from a workspace through path dependencies join that workspace;
4. the remaining projects form one workspace rooted at `.` installed with pip (no lockfile),
   or, when a workspace already sits at `.`, one pip workspace each.

Package names are PEP 503 normalised (`Acme_Common` and `acme-common` are one package).
An internal edge needs an explicit local reference: a uv `workspace = true` or `path` source
(the package's own or the workspace root's), a Poetry `path` dependency, or a direct reference
`name @ file:...` relative to the project. A bare name that happens to match another package
is left to the package index, since that is what uv and Poetry would install; in the plain
pip workspace (no lockfile, no sources) it is that project, which the image builds from its
folder (asking the index for it would fail, or install somebody else's package).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bakegen.ecosystems.python.manifest import (
    Project,
    Source,
    has_project_table,
    read_project,
    spec_name,
)
from bakegen.ecosystems.python.native import locked_names, system_packages
from bakegen.ecosystems.python.pep import (
    Requirement,
    file_url_path,
    lowest_minor,
    normalize_name,
    parse_requirement,
    python_version_file,
)
from bakegen.ecosystems.python.requirements_file import FILE_NAME as REQUIREMENTS_FILE
from bakegen.ecosystems.python.requirements_file import is_pinned, read_requirements
from bakegen.ecosystems.python.start import WEB_FRAMEWORKS, find_web_app
from bakegen.errors import BakegenError, Found, Problem
from bakegen.manifests import load_toml
from bakegen.model import Dependency, EcosystemScan, Package, Workspace
from bakegen.tree import SourceTree, is_within, join, match_globs, normalize, parent

ECOSYSTEM = "python"
MANIFEST = "pyproject.toml"
LOCKFILES = (("uv.lock", "uv"), ("poetry.lock", "poetry"))
#: the oldest Python with Debian bookworm images; older lower bounds are raised to it
OLDEST_MINOR = (3, 8)


@dataclass(slots=True)
class _Group:
    """A workspace being assembled: its root, tool, lockfile and member folders."""

    root: str
    manager: str
    lockfile: str | None
    root_manifest: str | None
    members: list[str] = field(default_factory=list)
    #: a `[tool.uv.workspace]` the repo declares, not projects bakegen grouped
    declared: bool = False


def scan_python(tree: SourceTree) -> EcosystemScan:
    """Find every Python workspace and package of the tree, collecting problems as values."""
    data, broken = _load_manifests(tree)
    read = {
        folder: read_project(_manifest(folder), table)
        for folder, table in data.items()
        if has_project_table(table) or "workspace" in _uv_table(table)
    }
    projects = {folder: found.value for folder, found in read.items()}
    problems = [p for found in read.values() for p in found.problems]
    claimed: dict[str, str] = {}
    uv = _uv_workspaces(tree, data, projects, claimed)
    groups = uv.value
    problems += uv.problems
    problems.extend(_broken_problems(broken, claimed, declared=bool(groups)))
    groups += _locked_projects(tree, projects, claimed)
    _follow_path_dependencies(tree, groups, projects, claimed)
    groups += _plain_group(projects, claimed)
    return _assemble(tree, groups, projects, problems)


def _manifest(folder: str) -> str:
    return MANIFEST if folder == "." else f"{folder}/{MANIFEST}"


def _load_manifests(
    tree: SourceTree,
) -> tuple[dict[str, dict[str, Any]], dict[str, Problem]]:
    """Every readable pyproject.toml by folder, and the unreadable ones' problems."""
    loaded: dict[str, dict[str, Any]] = {}
    broken: dict[str, Problem] = {}
    for rel in tree.named(MANIFEST):
        try:
            loaded[parent(rel)] = load_toml(tree, rel)
        except BakegenError as exc:
            broken[parent(rel)] = exc.problem()
    return loaded, broken


def _broken_problems(
    broken: dict[str, Problem], claimed: dict[str, str], declared: bool
) -> list[Problem]:
    """An unreadable pyproject.toml is an error where bakegen would build it: a uv workspace
    member, or any project when the repo declares no uv workspace; elsewhere a warning."""
    problems = []
    for folder, problem in sorted(broken.items()):
        if declared and folder not in claimed:
            problem = Problem.warning(
                problem.path, f"{problem.message}; not a member of any uv workspace, so not built"
            )
        problems.append(problem)
    return problems


def _uv_table(data: dict[str, Any]) -> dict[str, Any]:
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    return uv if isinstance(uv, dict) else {}


def _uv_workspaces(
    tree: SourceTree,
    data: dict[str, dict[str, Any]],
    projects: dict[str, Project],
    claimed: dict[str, str],
) -> Found[list[_Group]]:
    """The uv workspaces, outermost first; `claimed` records which root took each folder."""
    groups: list[_Group] = []
    problems: list[Problem] = []
    roots = sorted((f for f in data if "workspace" in _uv_table(data[f])),
                   key=lambda f: (f.count("/") if f != "." else -1, f))
    folders = _FolderIndex(tree)
    for root in roots:
        manifest = _manifest(root)
        if root in claimed:
            problems.append(Problem.warning(
                manifest, f"nested uv workspace ignored: already a member of the workspace "
                f"at {_manifest(claimed[root])} (uv does not nest workspaces)"))
            continue
        found = _workspace_members(manifest, root, data, projects, folders)
        problems += found.problems
        members = found.value
        group = _Group(root, "uv", _lockfile(tree, root, "uv.lock"), manifest, declared=True)
        claimed[root] = root  # even a virtual root: it is no plain or locked project
        if root in projects and projects[root].name:
            group.members.append(root)
        for folder in members:
            if folder in claimed:
                first = _manifest(claimed[folder])
                problems.append(Problem.warning(
                    _manifest(folder), f"listed by the uv workspaces at {first} and {manifest}; "
                    "kept in the first"))
                continue
            claimed[folder] = root
            if folder in projects:
                group.members.append(folder)
        groups.append(group)
    return Found(groups, tuple(problems))


def _workspace_members(
    manifest: str,
    root: str,
    data: dict[str, dict[str, Any]],
    projects: dict[str, Project],
    folders: _FolderIndex,
) -> Found[list[str]]:
    """Member folders (repository-relative) of a uv workspace, with problems for bad globs."""
    table = _uv_table(data[root])["workspace"]
    if not isinstance(table, dict):
        return Found([], (Problem.error(manifest, '"tool.uv.workspace" must be a table'),))
    problems: list[Problem] = []
    globs: dict[str, list[str]] = {}
    for key in ("members", "exclude"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(Problem.error(
                manifest, f'"tool.uv.workspace.{key}" must be a list of globs, got {value!r}'))
            value = []
        globs[key] = value
    candidates = folders.below(root)
    try:
        matched, unmatched = match_globs(candidates, globs["members"], globs["exclude"])
    except ValueError as exc:
        problems.append(Problem.error(manifest, f'"tool.uv.workspace": {exc}'))
        return Found([], tuple(problems))
    problems.extend(
        Problem.warning(manifest, f'workspace member glob "{g}" matches no folder')
        for g in unmatched
    )
    members = []
    for rel in matched:
        folder = join(root, rel)
        if folder == root:
            continue
        if folder in projects and projects[folder].name:
            members.append(folder)
        elif folder in data:
            if folder not in projects:
                problems.append(Problem.error(_manifest(folder), "uv workspace member (of "
                                              f"{manifest}) needs a [project] table"))
        elif folders.has_manifest(folder):
            members.append(folder)  # unreadable: reported as an error of a member
        else:
            problems.append(Problem.warning(
                manifest, f"workspace member {folder} has no pyproject.toml, skipped"))
    return Found(members, tuple(problems))


class _FolderIndex:
    """Every folder holding a file, computed once and only if a workspace glob needs it."""

    def __init__(self, tree: SourceTree) -> None:
        self._tree = tree
        self._all: list[str] | None = None

    def has_manifest(self, folder: str) -> bool:
        return self._tree.exists(_manifest(folder))

    def below(self, root: str) -> list[str]:
        if self._all is None:
            seen: set[str] = set()
            for rel in self._tree.files:
                folder = parent(rel)
                while folder != "." and folder not in seen:
                    seen.add(folder)
                    folder = parent(folder)
            self._all = sorted(seen)
        if root == ".":
            return self._all
        prefix = root + "/"
        return [f[len(prefix):] for f in self._all if f.startswith(prefix)]


def _lockfile(tree: SourceTree, folder: str, name: str) -> str | None:
    rel = name if folder == "." else f"{folder}/{name}"
    return rel if tree.exists(rel) else None


def _own_lock(tree: SourceTree, folder: str, poetry_first: bool = False) -> tuple[str, str] | None:
    """The lockfile next to a project and its tool; a Poetry project prefers poetry.lock."""
    for name, manager in reversed(LOCKFILES) if poetry_first else LOCKFILES:
        lock = _lockfile(tree, folder, name)
        if lock:
            return lock, manager
    return None


def _locked_projects(
    tree: SourceTree, projects: dict[str, Project], claimed: dict[str, str]
) -> list[_Group]:
    groups = []
    for folder, project in sorted(projects.items()):
        own = _own_lock(tree, folder, poetry_first=project.is_poetry)
        if folder in claimed or own is None:
            continue
        lock, manager = own
        claimed[folder] = folder
        group = _Group(folder, manager, lock, project.manifest)
        if project.name:
            group.members.append(folder)
        groups.append(group)
    return groups


def _follow_path_dependencies(
    tree: SourceTree, groups: list[_Group], projects: dict[str, Project], claimed: dict[str, str]
) -> None:
    """Add projects reached only through path dependencies to the workspace that reaches them."""
    for group in groups:
        root_project = projects.get(group.root) if group.manager == "uv" else None
        # a nameless root (Poetry `package-mode = false`) is no member, but its paths count
        unnamed_root = [group.root] if group.root in projects and group.root not in group.members \
            and group.manager != "uv" else []
        queue = [*unnamed_root, *group.members]
        while queue:
            project = projects[queue.pop(0)]
            for target in _path_folders(project, root_project):
                if (target in projects and target not in claimed and projects[target].name
                        and _own_lock(tree, target) is None):
                    claimed[target] = group.root
                    group.members.append(target)
                    queue.append(target)


def _path_folders(project: Project, root: Project | None) -> Iterable[str]:
    for _, path, _ in project.poetry_paths:
        yield join(project.folder, path)
    for sources in _merged_sources(project, root).values():
        for source in sources:
            if source.kind == "path" and source.path is not None:
                yield join(source.base, source.path)
    for requirement, _ in project.requirements:
        local = file_url_path(requirement.url) if requirement.url else None
        if local and local[1]:
            yield join(project.folder, local[0])


def _merged_sources(project: Project, root: Project | None) -> dict[str, tuple[Source, ...]]:
    """A member's `[tool.uv.sources]` over the workspace root's, entry by entry as uv does."""
    merged = dict(root.sources) if root is not None and root is not project else {}
    merged.update(project.sources)
    return merged


def _plain_group(projects: dict[str, Project], claimed: dict[str, str]) -> list[_Group]:
    """The projects left over: one pip workspace at `.`, or one each if `.` is taken."""
    plain = [f for f, p in sorted(projects.items()) if f not in claimed and p.name]
    if "." in claimed.values():
        for folder in plain:
            claimed[folder] = folder
        return [_Group(folder, "pip", None, None, [folder]) for folder in plain]
    for folder in plain:
        claimed[folder] = "."
    return [_Group(".", "pip", None, None, plain)] if plain else []


def _requirement_files(
    tree: SourceTree, group: _Group, members: list[Project], problems: list[Problem]
) -> dict[str, tuple[str, tuple[Requirement, ...]]]:
    """folder -> (path, requirements) of each pip project's requirements.txt."""
    if group.manager != "pip":
        return {}
    found = {}
    for project in members:
        rel = join(project.folder, REQUIREMENTS_FILE)
        if tree.exists(rel):
            read = read_requirements(tree, rel)
            problems.extend(read.problems)
            found[project.folder] = (rel, read.value)
    return found


def _lock_problems(
    group: _Group, members: list[Project], names: dict[str, str],
    pins: dict[str, tuple[str, tuple[Requirement, ...]]],
) -> list[Problem]:
    """A uv workspace needs its uv.lock (`uv sync --locked`); a pip workspace is installed
    from version ranges, which the user should know is not reproducible, unless each
    project's requirements.txt pins every third-party requirement it has."""
    if group.manager == "uv" and group.lockfile is None:
        return [Problem.warning(group.root_manifest or join(group.root, "pyproject.toml"),
                                "uv workspace without uv.lock: its base runs `uv sync` unlocked, "
                                "so versions resolve when it builds; run `uv lock` and commit "
                                "uv.lock to pin them")]
    internal = {normalize_name(n) for n in names}

    def floats(project: Project) -> bool:
        listed = pins.get(project.folder, ("", ()))[1]
        pinned = {r.name for r in listed if is_pinned(r)}
        wanted = [*project.runtime, *listed]
        return any(r.name not in internal and r.name not in pinned for r in wanted)

    ranged = [p for p in members if floats(p)]
    if group.manager != "pip" or not ranged:
        return []
    others = f" (and {len(ranged) - 1} more pip projects)" if len(ranged) > 1 else ""
    return [Problem.warning(ranged[0].manifest, "no uv.lock or poetry.lock: third-party "
                            "dependencies are installed from their version ranges, so two "
                            f"builds may install different versions{others}; `uv lock` pins "
                            "them")]


def _assemble(
    tree: SourceTree, groups: list[_Group], projects: dict[str, Project], problems: list[Problem]
) -> EcosystemScan:
    by_folder = {
        folder: projects[folder].name or "" for group in groups for folder in group.members
    }
    mains = _main_modules(tree)
    workspaces: list[Workspace] = []
    packages: list[Package] = []
    for group in groups:
        members = [projects[f] for f in sorted(group.members)]
        root = projects.get(group.root) if group.manager == "uv" else None
        names = {p.name: p.folder for p in members if p.name}
        resolver = _Resolver(tree, group, root, names, by_folder, problems)
        pins = _requirement_files(tree, group, members, problems)
        built = [_package(p, group, resolver, mains, pins.get(p.folder)) for p in members]
        packages += _with_extras(built, {p.name: p for p in members if p.name})
        problems.extend(_lock_problems(group, members, names, pins))
        if group.manager == "pip":
            problems.extend(
                Problem.warning(p.manifest, "Poetry project without poetry.lock: its "
                                "[tool.poetry] dependencies are not installed; run `poetry lock`")
                for p in members if p.poetry_requirements
            )
        build_packages, runtime_packages = system_packages(_dependency_names(tree, group, built))
        workspaces.append(dataclasses.replace(
            _workspace(tree, group, projects, packages=tuple(sorted(names))),
            build_packages=build_packages, runtime_packages=runtime_packages))
    return EcosystemScan(
        workspaces=tuple(sorted(workspaces, key=lambda w: w.root)),
        packages=tuple(sorted(packages, key=lambda p: (p.name, p.path))),
        problems=tuple(sorted(set(problems), key=Problem.sort_key)),
    )


@dataclass(frozen=True, slots=True)
class _Resolver:
    """Turns a package's local references into internal edges, reporting broken ones."""

    tree: SourceTree
    group: _Group
    root: Project | None
    names: dict[str, str]
    by_folder: dict[str, str]
    problems: list[Problem]

    def nested(self, folder: str) -> set[str]:
        """Folders of the other Python projects inside `folder`."""
        return {
            parent(m) for m in self.tree.named(MANIFEST)
            if parent(m) != folder and is_within(parent(m), folder)
        }

    def edges(self, project: Project) -> tuple[set[Dependency], set[str]]:
        """Internal dependencies, and the names of requirements that resolved to them."""
        found: set[Dependency] = set()
        internal: set[str] = set()
        sources = _merged_sources(project, self.root)
        for requirement, kind in project.requirements:
            if requirement.name == project.name:
                continue  # a project naming its own extras
            target = self.requirement_target(project, requirement, sources)
            if target:
                found.add(Dependency(target, kind))
                internal.add(requirement.name)
        for name, path, kind in project.poetry_paths:
            target = self.path_target(project.manifest, project.folder, path, f'"{name}"')
            if target:
                found.add(Dependency(target, kind))
                internal.add(name)
        return {d for d in found if d.name != project.name}, internal

    def requirement_target(self, project: Project, requirement: Requirement,
                           sources: dict[str, tuple[Source, ...]]) -> str | None:
        local = file_url_path(requirement.url) if requirement.url else None
        if local is not None:
            path, relative = local
            if relative:
                return self.path_target(project.manifest, project.folder, path,
                                        f'"{requirement.text}"')
            self.problems.append(Problem.warning(
                project.manifest, f'"{requirement.text}" points to the absolute path {path}, '
                "which does not exist in an image; use a relative path"))
            return None
        for source in sources.get(requirement.name, ()):
            if source.kind == "workspace":
                if requirement.name in self.names and self.group.manager == "uv":
                    return requirement.name
                self.problems.append(Problem.error(
                    project.manifest, f'"{requirement.name}" has workspace = true in '
                    "[tool.uv.sources] but no member of its uv workspace has that name"))
                return None
            if source.kind == "path" and source.path is not None:
                where = _manifest(source.base)
                return self.path_target(where, source.base, source.path,
                                        f'[tool.uv.sources] "{requirement.name}"')
        if self.group.manager == "pip" and requirement.name in self.names:
            # plain pip has no sources table: a sibling project's name is that project (a
            # registry lookup would fail, or install somebody else's package of that name)
            return requirement.name
        if self.group.manager == "uv" and requirement.name in self.names:
            self.problems.append(Problem.warning(
                project.manifest, f'"{requirement.name}" is a workspace member but has no '
                "workspace = true source in [tool.uv.sources], so uv will not use the member"))
        return None

    def path_target(self, manifest: str, base: str, path: str, what: str) -> str | None:
        folder = join(base, path)
        if folder.startswith(".."):
            self.problems.append(Problem.error(
                manifest, f"{what} points to {path}, outside the repository"))
            return None
        if folder in self.by_folder:
            return self.by_folder[folder] or None
        if self.tree.exists(folder):
            return None  # a wheel or source archive: a third-party artifact
        if not self.tree.exists(_manifest(folder)):
            self.problems.append(Problem.error(
                manifest, f"{what} points to {path}, where there is no pyproject.toml"))
        return None


def _package(
    project: Project, group: _Group, resolver: _Resolver, mains: dict[str, list[str]],
    pinned: tuple[str, tuple[Requirement, ...]] | None = None,
) -> Package:
    assert project.name is not None
    edges, internal = resolver.edges(project)
    # a workspace package pinned in requirements.txt is built from its folder, not fetched
    listed: tuple[Requirement, ...] = ()
    if pinned:
        members = {normalize_name(n) for n in resolver.names}
        listed = tuple(r for r in pinned[1] if r.name not in members)
    scripts = tuple(name for name, _ in project.scripts)
    main = _main_file(project.name, mains.get(project.folder, []))
    deployable, reason, why = False, None, None
    entrypoint: tuple[str, ...] = ()
    if scripts and project.package_mode:
        chosen = project.name if project.name in scripts else scripts[0]
        deployable, reason = True, f"{project.script_table} {', '.join(scripts)}"
        entrypoint = (chosen,)
        why = f"the console script {chosen}"
    elif main:
        deployable, reason = True, main
        entrypoint = ("python", "-m", parent(main).rsplit("/", 1)[-1])
        why = f"the module's {main}"
    elif _declared(project) & WEB_FRAMEWORKS:
        app, missing = find_web_app(
            resolver.tree, project.folder, _declared(project), resolver.nested(project.folder),
            any(r.name == "fastapi" and "standard" in r.extras for r in project.runtime),
        )
        if app is not None:
            deployable, reason, why = True, app.reason, app.reason
            entrypoint = app.command
        elif missing is not None:
            resolver.problems.append(Problem.warning(
                project.manifest, f"service {project.name}: {missing}; add it to the "
                f'dependencies or set [service."{project.name}"] cmd in bakegen.toml'))
    return Package(
        ecosystem=ECOSYSTEM,
        name=project.name,
        path=project.folder,
        manifest=project.manifest,
        workspace=group.root,
        version=project.version,
        dependencies=tuple(sorted(edges)),
        deployable=deployable,
        deployable_reason=reason,
        entrypoint=entrypoint,
        entrypoint_reason=why,
        binaries=scripts,
        packaged=project.package_mode,
        scripts=project.scripts,
        requirements=tuple(sorted({
            *(r.text for r in project.runtime if r.name not in internal),
            *(r.text for r in listed), *_locked_poetry(project, group, internal),
        })),
        requirements_file=pinned[0] if pinned else None,
        build_requires=tuple(sorted({
            r.text for r in project.build_requires if r.name not in internal
        })),
    )


def _dependency_names(tree: SourceTree, group: _Group, built: list[Package]) -> set[str]:
    """Every third-party distribution the workspace installs: what its lockfile pins, and
    what its packages require (pip workspaces have no lockfile)."""
    names = set()
    for text in (text for pkg in built for text in pkg.requirements):
        try:
            names.add(parse_requirement(text).name)
        except ValueError:
            continue  # a Poetry range (`^2.9`): its lockfile names it
    if group.lockfile and tree.exists(group.lockfile):
        # an unreadable lockfile is reported where the lockfiles are checked
        with contextlib.suppress(BakegenError):
            names |= locked_names(tree.read_text(group.lockfile))
    return names


def _locked_poetry(project: Project, group: _Group, internal: set[str]) -> tuple[str, ...]:
    """A Poetry project's third-party runtime dependencies, when poetry.lock installs them."""
    if group.manager != "poetry":
        return ()
    return tuple(s for s in project.poetry_specs if spec_name(s) not in internal)


def _with_extras(
    packages: list[Package], projects: dict[str, Project]
) -> list[Package]:
    """Add the requirements of extras a package asks of itself or of a workspace package.

    `acme-common[redis]` in a dependency list needs acme-common's `redis` extra installed too;
    only extras asked for are installed, so test-only extras stay out of production.
    """
    by_name = {p.name: p for p in packages}
    result = []
    for pkg in packages:
        wanted = set(pkg.requirements)
        local = {d.name for d in pkg.dependencies} | {pkg.name}
        for requirement in projects[pkg.name].runtime:
            target = by_name.get(requirement.name)
            if target is None or requirement.name not in local:
                continue
            skip = {d.name for d in target.dependencies} | {target.name}
            for extra in requirement.extras:
                wanted |= {r.text for r in projects[target.name].extra(extra)
                           if r.name not in skip}
        result.append(dataclasses.replace(pkg, requirements=tuple(sorted(wanted))))
    return result


def _main_modules(tree: SourceTree) -> dict[str, list[str]]:
    """Package folder -> the `__main__.py` files of its import packages (`<pkg>/`, `src/<pkg>/`)."""
    found: dict[str, list[str]] = {}
    for rel in tree.named("__main__.py"):
        module_dir = parent(rel)
        if module_dir == ".":
            continue
        module = module_dir.rsplit("/", 1)[-1]
        if not module.isidentifier():
            continue
        container = parent(module_dir)
        if container == "src" or container.endswith("/src"):
            container = parent(container)
        found.setdefault(container, []).append(rel)
    return found


def _declared(project: Project) -> set[str]:
    """Normalised names of the project's runtime dependencies (PEP 621 and Poetry)."""
    return {r.name for r in project.runtime} | set(project.poetry_requirements)


def _main_file(name: str, mains: list[str]) -> str | None:
    """The `__main__.py` of the import package named like the project, else the first one."""
    wanted = name.replace("-", "_")
    named = [m for m in mains if parent(m).rsplit("/", 1)[-1] == wanted]
    chosen = named or sorted(mains)
    return chosen[0] if chosen else None


def _workspace(
    tree: SourceTree, group: _Group, projects: dict[str, Project], packages: tuple[str, ...]
) -> Workspace:
    members = [projects[f] for f in sorted(group.members)]
    manifests = {p.manifest for p in members}
    if group.root_manifest:
        manifests.add(group.root_manifest)
    root_project = projects.get(group.root)
    return Workspace(
        ecosystem=ECOSYSTEM,
        root=group.root,
        manager=group.manager,
        lockfile=group.lockfile,
        manifests=tuple(sorted(manifests)),
        extra_files=_extra_files(tree, group, members),
        runtime_version=_runtime_version(tree, group.root, [
            *members, *([root_project] if root_project else [])]),
        manager_version=_uv_required_version(tree, group) if group.manager == "uv" else None,
        packages=packages,
        declared=group.declared,
    )


def _uv_required_version(tree: SourceTree, group: _Group) -> str | None:
    """The uv version the workspace requires (`required-version`, a PEP 440 specifier or a
    bare version), from its uv.toml, which uv reads instead of `[tool.uv]`, else from its
    pyproject.toml. One that is not a string is left to uv to refuse."""
    uv_toml = join(group.root, "uv.toml")
    try:
        if tree.exists(uv_toml):
            value = load_toml(tree, uv_toml).get("required-version")
        elif group.root_manifest:
            tool = load_toml(tree, group.root_manifest).get("tool")
            uv = tool.get("uv") if isinstance(tool, dict) else None
            value = uv.get("required-version") if isinstance(uv, dict) else None
        else:
            value = None
    except BakegenError:
        return None  # an unreadable file is reported where it is read for the workspace
    return value.strip() if isinstance(value, str) and value.strip() else None


def _extra_files(tree: SourceTree, group: _Group, members: list[Project]) -> tuple[str, ...]:
    """Small files the install reads, and READMEs that live outside their package's folder.

    deps-base installs no workspace package, so it needs no README; a service build needs the
    READMEs of what it builds, which its package folders bring, except a README kept elsewhere
    (`readme = "../../README.md"`).
    """
    tool_files = {"uv": ("uv.toml",), "poetry": ("poetry.toml",), "pip": ()}[group.manager]
    wanted = [join(folder, name) for folder in dict.fromkeys((group.root, "."))
              for name in (".python-version", *tool_files)]
    for project in members:
        if project.readme:
            readme = join(project.folder, project.readme)
            if not is_within(readme, project.folder) and not readme.startswith(".."):
                wanted.append(readme)
    return tuple(sorted({normalize(f) for f in wanted if tree.exists(f)}))


def _runtime_version(tree: SourceTree, root: str, projects: list[Project]) -> str | None:
    """`.python-version` of the workspace or repository, else the lowest allowed minor."""
    for folder in dict.fromkeys((root, ".")):
        rel = join(folder, ".python-version")
        if tree.exists(rel):
            try:
                version = python_version_file(tree.read_text(rel))
            except BakegenError:
                version = None
            if version:
                return version
    bounds = [b for p in projects if p.requires_python
              for b in [lowest_minor(p.requires_python)] if b is not None]
    if not bounds:
        return None
    major, minor = max(max(bounds), OLDEST_MINOR)
    return f"{major}.{minor}"
