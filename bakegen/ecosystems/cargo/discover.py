"""Find Cargo workspaces and their crates in a file index, the way cargo itself decides.

A `Cargo.toml` with `[workspace]` is a root: its `members` globs (minus `exclude`), its own
`[package]`, and path dependencies below it are members. A crate no root claims is a
standalone crate, its own one-member workspace. Edges come from `path` dependencies and
`workspace = true` entries that resolve to a `path` in `[workspace.dependencies]`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from bakegen import tomlparse
from bakegen.ecosystems.cargo.manifest import (
    INHERITED,
    CargoToml,
    CrateTable,
    Target,
    WorkspaceTable,
    chooses_symbols,
    encode_targets,
    is_version,
    parse_manifest,
)
from bakegen.ecosystems.cargo.versions import lockfile_format, raise_to_floor, rust_floor
from bakegen.errors import BakegenError, Found, Problem
from bakegen.lockfiles.model import locked_package_names
from bakegen.model import Dependency, EcosystemScan, Package, Workspace
from bakegen.tree import SourceTree, glob_regex, is_within, iter_parents, join, match_globs, parent

ECOSYSTEM = "cargo"
_TOOLCHAIN_FILES = ("rust-toolchain", "rust-toolchain.toml")  # rustup's order of preference
_CONFIG_FILES = (".cargo/config.toml", ".cargo/config")
_WILDCARDS = "*?[{"


@dataclass(frozen=True, slots=True)
class _Index:
    """Every Cargo.toml of the repository, by folder."""

    manifests: dict[str, CargoToml]
    broken: dict[str, Problem]
    excludes: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)

    @property
    def roots(self) -> dict[str, WorkspaceTable]:
        return {f: m.workspace for f, m in self.manifests.items() if m.workspace is not None}

    def excluded(self, root: str, folder: str) -> bool:
        return any(rx.match(folder) for rx in self.excludes.get(root, ()))

    def enclosing_root(self, folder: str, roots: dict[str, WorkspaceTable]) -> str | None:
        """The workspace root cargo would pick for a crate: the nearest one not excluding it."""
        for ancestor in iter_parents(folder):
            if ancestor in roots and not self.excluded(ancestor, folder):
                return ancestor
        return None


def scan_cargo(tree: SourceTree) -> EcosystemScan:
    """Find every Cargo workspace and crate of the tree, with problems as values."""
    read = _read_manifests(tree)
    index = read.value
    roots = index.roots
    assigned = _assign_members(index, roots)
    owner = assigned.value
    lone = _standalone_crates(index, roots, owner)
    problems = [*read.problems, *assigned.problems, *lone.problems]
    standalone = lone.value
    owner.update({folder: folder for folder in standalone})
    problems.extend(_broken_problems(index, roots, owner))
    members: dict[str, list[str]] = {}
    for folder, root in owner.items():
        members.setdefault(root, []).append(folder)
    workspaces: list[Workspace] = []
    packages: list[Package] = []
    for root in sorted(members):
        found = _workspace(tree, index, owner, root, sorted(members[root]), problems)
        if found is not None:
            workspaces.append(found[0])
            packages.extend(found[1])
    for root in sorted(set(roots) - set(members)):
        problems.append(Problem.warning(index.manifests[root].rel, "workspace has no members"))
    return EcosystemScan(
        workspaces=tuple(workspaces),
        packages=tuple(sorted(packages, key=lambda p: (p.name, p.path))),
        problems=tuple(sorted(set(problems), key=Problem.sort_key)),
    )


# --- reading -----------------------------------------------------------------------------


def _read_manifests(tree: SourceTree) -> Found[_Index]:
    problems: list[Problem] = []
    # crates unpacked by `cargo vendor` carry a checksum file: they are dependencies, not ours
    vendored = {parent(rel) for rel in tree.named(".cargo-checksum.json")}
    manifests: dict[str, CargoToml] = {}
    broken: dict[str, Problem] = {}
    for rel in tree.named("Cargo.toml"):
        folder = parent(rel)
        if folder in vendored:
            continue
        try:
            manifest = parse_manifest(tree, rel)
        except BakegenError as exc:
            broken[folder] = exc.problem()
            continue
        manifests[folder] = manifest
        problems.extend(manifest.problems)
    excludes = {}
    for folder, manifest in manifests.items():
        if manifest.workspace is not None:
            found = _exclude_patterns(manifest)
            excludes[folder] = found.value
            problems.extend(found.problems)
    return Found(_Index(manifests, broken, excludes), tuple(problems))


def _exclude_patterns(manifest: CargoToml) -> Found[tuple[re.Pattern[str], ...]]:
    """`exclude` entries are folder prefixes in cargo; globs are accepted too."""
    assert manifest.workspace is not None
    patterns: list[re.Pattern[str]] = []
    problems: list[Problem] = []
    for entry in manifest.workspace.exclude:
        base = join(manifest.folder, entry)
        try:
            patterns.extend((glob_regex(base), glob_regex(base + "/**")))
        except ValueError as exc:
            problems.append(Problem.error(manifest.rel, f"workspace.exclude: {exc}"))
    return Found(tuple(patterns), tuple(problems))


# --- membership --------------------------------------------------------------------------


def _assign_members(index: _Index, roots: dict[str, WorkspaceTable]) -> Found[dict[str, str]]:
    """Map each member crate's folder to its workspace root's folder."""
    folders = sorted(set(index.manifests) | set(index.broken))
    owner: dict[str, str] = {}
    problems: list[Problem] = []
    for root in sorted(roots):
        manifest = index.manifests[root]
        found = _listed_members(index, manifest, folders)
        problems.extend(found.problems)
        listed = found.value
        if manifest.package is not None:
            listed.add(root)
        for folder in sorted(listed):
            problems.extend(_claim(roots, owner, folder, root))
    _add_path_members(index, roots, owner)
    return Found(owner, tuple(problems))


def _listed_members(index: _Index, root: CargoToml, folders: list[str]) -> Found[set[str]]:
    assert root.workspace is not None
    globs = {join(root.folder, g): g for g in root.workspace.members}
    try:
        matched, unmatched = match_globs(folders, globs)
    except ValueError as exc:
        return Found(set(), (Problem.error(root.rel, f"workspace.members: {exc}"),))
    problems: list[Problem] = []
    listed = {f for f in matched if not index.excluded(root.folder, f)}
    # a member named exactly (no glob) stays a member even when `exclude` covers it
    listed.update(g for g in globs if g in index.manifests or g in index.broken)
    for joined in unmatched:
        written = globs[joined]
        if any(c in written for c in _WILDCARDS):
            message = f'workspace member glob "{written}" matches no folder with a Cargo.toml'
        else:
            message = f'workspace member "{written}" has no Cargo.toml'
        problems.append(Problem.warning(root.rel, message))
    return Found(listed, tuple(problems))


def _claim(
    roots: dict[str, WorkspaceTable], owner: dict[str, str], folder: str, root: str
) -> tuple[Problem, ...]:
    """Record `root` as the owner of the crate at `folder` in `owner`; the problems of a
    crate two workspaces claim, or of a workspace root listed as a member."""
    rel = join(folder, "Cargo.toml")
    if folder != root and folder in roots:
        return (Problem.error(
            rel, f'is a workspace root but also a member of the workspace at "{root}"; '
            "cargo does not nest workspaces: remove it from the members or drop its [workspace]"
        ),)
    previous = owner.get(folder)
    if previous is None:
        owner[folder] = root
        return ()
    nearer = max((previous, root), key=lambda r: (is_within(folder, r), len(r)))
    owner[folder] = nearer
    return (Problem.error(
        rel, f'is a member of two workspaces, "{previous}" and "{root}"; keep it in one'
    ),)


def _add_path_members(
    index: _Index, roots: dict[str, WorkspaceTable], owner: dict[str, str]
) -> None:
    """Cargo makes every path dependency below the workspace root a member too."""
    queue = sorted(owner)
    while queue:
        folder = queue.pop()
        root = owner[folder]
        manifest = index.manifests.get(folder)
        if manifest is None or manifest.package is None:
            continue
        for target in _path_targets(manifest.package, folder, root, roots.get(root)):
            crate = index.manifests.get(target)
            if (
                crate is None
                or crate.package is None
                or target in owner
                or target in roots
                or not is_within(target, root)
                or index.excluded(root, target)
            ):
                continue
            owner[target] = root
            queue.append(target)


def _path_targets(
    crate: CrateTable, folder: str, root: str, workspace: WorkspaceTable | None
) -> list[str]:
    targets = []
    for dep in crate.deps:
        if dep.path is not None:
            targets.append(join(folder, dep.path))
        elif dep.inherited and workspace is not None:
            entry = workspace.dependencies.get(dep.key)
            if entry is not None and entry.path is not None:
                targets.append(join(root, entry.path))
    return targets


def _standalone_crates(
    index: _Index, roots: dict[str, WorkspaceTable], owner: dict[str, str]
) -> Found[list[str]]:
    """Crates no workspace claims: each is its own workspace."""
    found = []
    problems: list[Problem] = []
    for folder, manifest in sorted(index.manifests.items()):
        if manifest.package is None or folder in owner:
            continue
        ancestor = index.enclosing_root(folder, roots)
        if ancestor is not None:
            problems.append(Problem.warning(
                manifest.rel,
                f'crate is below the workspace at "{ancestor}" but not one of its members; '
                "cargo refuses to build it there: add it to members or to exclude "
                "(bakegen treats it as a standalone crate)",
            ))
        found.append(folder)
    return Found(found, tuple(problems))


def _broken_problems(
    index: _Index, roots: dict[str, WorkspaceTable], owner: dict[str, str]
) -> list[Problem]:
    """An unreadable Cargo.toml is an error, unless cargo would never read it or, when the
    repo declares a workspace, no workspace claims it."""
    problems = []
    for folder, problem in sorted(index.broken.items()):
        if folder not in owner and index.enclosing_root(folder, roots) is not None:
            problem = Problem.warning(problem.path, problem.message)
        elif folder not in owner and roots:
            problem = Problem.warning(
                problem.path, f"{problem.message}; not a member of any workspace, so not built")
        problems.append(problem)
    return problems


# --- one workspace -----------------------------------------------------------------------


def _workspace(
    tree: SourceTree,
    index: _Index,
    owner: dict[str, str],
    root: str,
    members: list[str],
    problems: list[Problem],
) -> tuple[Workspace, list[Package]] | None:
    root_manifest = index.manifests.get(root)
    if root_manifest is None:
        return None
    table = root_manifest.workspace
    path_deps = _workspace_path_deps(index, root_manifest, problems)
    packages = []
    needs: set[str] = set()
    for folder in members:
        manifest = index.manifests.get(folder)
        if manifest is None or manifest.package is None:
            continue
        foreign, package = _package(index, owner, root_manifest, path_deps, manifest, problems)
        needs.update(foreign)
        packages.append(package)
    if not packages:
        return None
    if needs:
        # cargo must resolve every member: the whole workspace needs what is outside it
        packages = [dataclasses.replace(
            p, deployable=False, rejected=f"{p.deployable_reason}, but its workspace needs "
            f"crates of another workspace ({', '.join(sorted(needs))})",
        ) if p.deployable else p for p in packages]
    lockfile = join(root, "Cargo.lock")
    if not tree.exists(lockfile):
        problems.append(Problem.warning(
            root_manifest.rel,
            "no Cargo.lock next to this workspace root: images resolve dependency versions "
            "at build time; run `cargo generate-lockfile` and commit Cargo.lock",
        ))
    toolchain, channel_version, pinned = _toolchain(tree, root, problems)
    floor = rust_floor(
        _lockfile_format(tree, lockfile),
        _editions(index, root_manifest, members),
        table.resolver if table is not None else None,
    )
    if pinned:
        # the toolchain file is what the project builds with: kept, but a doomed pin is said
        runtime = channel_version
        too_old = raise_to_floor(channel_version, floor)[1]
        if too_old is not None:
            problems.append(Problem.warning(
                toolchain or root_manifest.rel,
                f"pins Rust {channel_version}, but {too_old}: the image build will fail"))
    else:
        runtime, raised = raise_to_floor(_rust_version(root_manifest, table), floor)
        if raised is not None:
            problems.append(Problem.warning(
                root_manifest.rel, f"building with Rust {runtime}, above rust-version: {raised}"))
    configs = _extra_files(tree, root, None)  # cargo configs only, without a toolchain
    locked = _locked(tree, lockfile)
    workspace = Workspace(
        ecosystem=ECOSYSTEM,
        root=root,
        manager="cargo",
        lockfile=lockfile if tree.exists(lockfile) else None,
        manifests=tuple(sorted({root_manifest.rel, *(join(f, "Cargo.toml") for f in members)})),
        extra_files=tuple(sorted({
            # A toolchain file pinning a version is honoured by the image tag; copied in, it
            # would make rustup fetch "1.83" although the image ships "1.83.0". A named
            # channel (nightly-...) is needed in the image, so that file is kept.
            *_extra_files(tree, root, None if channel_version else toolchain),
            *_patched_crates(tree, index, root_manifest, members, problems),
        })),
        runtime_version=runtime,
        runtime_packages=_native_libraries(locked),
        build_packages=_build_packages(locked),
        build_env=_build_env(tree, root_manifest, configs, problems),
        packages=tuple(sorted(p.name for p in packages)),
        # a `[workspace]` holding only its own crate ("empty workspace to exclude from
        # parent") declares no monorepo: that crate is a standalone project
        declared=table is not None and any(f != root for f in members),
    )
    return workspace, packages


def _workspace_path_deps(
    index: _Index, root: CargoToml, problems: list[Problem]
) -> dict[str, str]:
    """`[workspace.dependencies]` path entries that point at a crate: key -> folder."""
    found: dict[str, str] = {}
    if root.workspace is None:
        return found
    for key, entry in sorted(root.workspace.dependencies.items()):
        if entry.path is None:
            continue
        folder = join(root.folder, entry.path)
        if _path_ok(index, root.rel, key, entry.path, folder, problems):
            found[key] = folder
    return found


def _package(
    index: _Index,
    owner: dict[str, str],
    root: CargoToml,
    path_deps: dict[str, str],
    manifest: CargoToml,
    problems: list[Problem],
) -> tuple[tuple[str, ...], Package]:
    """The crate's Package, and the folders of crates it needs from other workspaces."""
    crate = manifest.package
    assert crate is not None
    bins = sorted(crate.bins, key=lambda t: t.name)
    main = _main_bin(crate.name, bins, crate.default_run)
    dependencies, foreign = _dependencies(index, owner, root, path_deps, manifest, problems)
    return foreign, Package(
        ecosystem=ECOSYSTEM,
        name=crate.name,
        path=manifest.folder,
        manifest=manifest.rel,
        workspace=root.folder,
        version=_version(manifest, root.workspace, problems),
        dependencies=dependencies,
        deployable=main is not None,
        deployable_reason=f"bin target {main.path}" if main else None,
        entrypoint=(main.name,) if main else (),
        entrypoint_reason=_main_reason(crate.name, main, crate.default_run, len(bins)),
        binaries=tuple(t.name for t in bins),
        targets=encode_targets(crate.targets),
    )


def _main_reason(name: str, main: Target | None, default_run: str | None, count: int) -> str | None:
    """Why that bin runs, said only when the crate has several."""
    if main is None or count < 2:
        return None
    if main.name == default_run:
        return "package.default-run"
    return "named after the crate" if main.name == name else "first bin by name"


def _main_bin(name: str, bins: list[Target], default_run: str | None) -> Target | None:
    """The bin `cargo run` would start: `default-run`, else the one named after the package,
    else the first by name."""
    for wanted in (default_run, name):
        found = next((t for t in bins if t.name == wanted), None)
        if found is not None:
            return found
    return bins[0] if bins else None


def _version(
    manifest: CargoToml, workspace: WorkspaceTable | None, problems: list[Problem]
) -> str | None:
    assert manifest.package is not None
    version = manifest.package.version
    if version is not INHERITED:
        return version if isinstance(version, str) else None
    if workspace is not None and workspace.version is not None:
        return workspace.version
    problems.append(Problem.error(
        manifest.rel,
        '"package.version" uses workspace = true but the workspace has no '
        "[workspace.package] version",
    ))
    return None


def _dependencies(
    index: _Index,
    owner: dict[str, str],
    root: CargoToml,
    path_deps: dict[str, str],
    manifest: CargoToml,
    problems: list[Problem],
) -> tuple[tuple[Dependency, ...], tuple[str, ...]]:
    """Internal dependencies, and folders of crates it needs from other workspaces."""
    assert manifest.package is not None
    found: set[Dependency] = set()
    foreign: set[str] = set()
    for dep in manifest.package.deps:
        if dep.inherited:
            resolved = _inherited(root, dep.key, manifest.rel, problems)
            if resolved is None or dep.key not in path_deps:
                continue  # a registry/git entry, or a bad path already reported
            folder, real = path_deps[dep.key], resolved
        else:
            assert dep.path is not None
            folder, real = join(manifest.folder, dep.path), dep.real_name
            if not _path_ok(index, manifest.rel, dep.key, dep.path, folder, problems):
                continue
        name = _internal_name(index, owner, root.folder, manifest, dep.key, real, folder,
                              problems)
        if name is FOREIGN:
            foreign.add(folder)
        elif name is not None and folder != manifest.folder:
            found.add(Dependency(name, dep.kind))
    return tuple(sorted(found)), tuple(sorted(foreign))


def _inherited(root: CargoToml, key: str, rel: str, problems: list[Problem]) -> str | None:
    """The real crate name a `workspace = true` entry stands for, or None with a problem."""
    if root.workspace is None:
        problems.append(Problem.error(
            rel, f'dependency "{key}" uses workspace = true but the crate is not in a workspace'
        ))
        return None
    entry = root.workspace.dependencies.get(key)
    if entry is None:
        problems.append(Problem.error(
            rel, f'dependency "{key}" uses workspace = true but {root.rel} has no '
            f'"{key}" in [workspace.dependencies]'
        ))
        return None
    return entry.package or key


def _path_ok(
    index: _Index,
    rel: str,
    key: str,
    raw: str,
    folder: str,
    problems: list[Problem],
    what: str = "path dependency",
) -> bool:
    """Does a `path = ...` land on a Cargo.toml inside the repository?"""
    if folder.startswith(".."):
        problems.append(Problem.error(rel, f'{what} "{key}" points outside the repository ({raw})'))
        return False
    if folder in index.broken:
        return False  # its own error says why
    if folder not in index.manifests:
        problems.append(Problem.error(
            rel, f'{what} "{key}" points to "{folder}" ({raw}), which has no Cargo.toml'
        ))
        return False
    return True


#: what `_internal_name` returns for a crate of another workspace
FOREIGN = "\0foreign"


def _internal_name(
    index: _Index,
    owner: dict[str, str],
    root: str,
    manifest: CargoToml,
    key: str,
    real: str,
    folder: str,
    problems: list[Problem],
) -> str | None:
    """The name of the member crate a path points at, or None with a problem."""
    target = index.manifests[folder].package
    if target is None:
        problems.append(Problem.error(
            manifest.rel, f'path dependency "{key}" points to {folder}/Cargo.toml, '
            "which has no [package]"
        ))
        return None
    if owner.get(folder) != root:
        # cargo builds it, but bakegen builds one workspace per image: the crate is left out
        # of the plan (see `_package`), which a file outside the plan must never stop
        problems.append(Problem.warning(
            manifest.rel, f'path dependency "{key}" points to crate "{target.name}" ({folder}), '
            f'which is not a member of the workspace at "{root}"; not built: bakegen builds '
            "one workspace per image (make both crates members of one [workspace] to build it)"
        ))
        return FOREIGN
    if target.name != real:
        problems.append(Problem.error(
            manifest.rel, f'dependency "{key}" asks for crate "{real}" but {folder} holds '
            f'"{target.name}" (write package = "{target.name}")'
        ))
        return None
    return target.name


def _patched_crates(
    tree: SourceTree, index: _Index, root: CargoToml, members: list[str], problems: list[Problem]
) -> tuple[str, ...]:
    """Files of `[patch]` path crates: deps-base compiles them from the repository."""
    found: set[str] = set()
    for key, raw in root.patch_paths:
        folder = join(root.folder, raw)
        if _path_ok(index, root.rel, key, raw, folder, problems, what="patch") and (
            folder not in members
        ):
            found.update(tree.files_below(folder))
    return tuple(sorted(found))


def _build_env(
    tree: SourceTree, root: CargoToml, configs: tuple[str, ...], problems: list[Problem]
) -> tuple[str, ...]:
    """Strip symbols from release binaries, as the Go builds do, unless the project chose.

    Cargo's release profile keeps the symbol table (only debuginfo goes); an image does
    not need it: a panic still names its file and line. A `strip` or `debug` in the root
    manifest's or a cargo config's `[profile.release]` is the project's choice and wins,
    since the environment variable would override both.
    """
    chosen = root.release_symbols_chosen
    for rel in configs:
        if chosen:
            break
        try:
            chosen = chooses_symbols(tomlparse.loads(tree.read_text(rel)))
        except (BakegenError, tomlparse.TOMLDecodeError, RecursionError):
            problems.append(Problem.warning(
                rel, "not readable as TOML, so its [profile.release] is not honoured"))
    return () if chosen else ("CARGO_PROFILE_RELEASE_STRIP=symbols",)


# --- tool files --------------------------------------------------------------------------


def _toolchain(
    tree: SourceTree, root: str, problems: list[Problem]
) -> tuple[str | None, str | None, bool]:
    """(nearest toolchain file, its version, whether it names a channel) as rustup looks."""
    for folder in (root, *iter_parents(root)):
        for name in _TOOLCHAIN_FILES:
            rel = join(folder, name)
            if tree.exists(rel):
                channel = _channel(tree, rel, problems)
                return rel, channel if is_version(channel) else None, channel is not None
    return None, None, False


def _channel(tree: SourceTree, rel: str, problems: list[Problem]) -> str | None:
    try:
        text = tree.read_text(rel)
        if rel.endswith(".toml") or "[toolchain]" in text:
            data = tomlparse.loads(text)
        else:
            line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
            return line or None
    except BakegenError as exc:
        problems.append(Problem.warning(rel, exc.message))
        return None
    except tomlparse.TOMLDecodeError as exc:
        problems.append(Problem.warning(rel, f"invalid TOML: {exc}"))
        return None
    except RecursionError:
        problems.append(Problem.warning(rel, "invalid TOML: nested too deeply to read"))
        return None
    toolchain = data.get("toolchain", {})
    channel = toolchain.get("channel") if isinstance(toolchain, dict) else None
    if channel is not None and not isinstance(channel, str):
        problems.append(
            Problem.warning(rel, f'"toolchain.channel" must be a string, got {channel!r}')
        )
        return None
    return channel


#: `-sys` crates that link a system library dynamically -> the Debian package holding it
NATIVE_LIBRARIES = {
    "openssl-sys": "libssl3",
    "pq-sys": "libpq5",
    "mysqlclient-sys": "libmariadb3",
}
#: crates whose build script needs Debian packages the slim Rust image lacks: pkg-config
#: and headers to find a system library, protoc for protobuf code generation, libclang for
#: bindgen (a `vendored` feature makes some of them unneeded, never harmful)
BUILD_PACKAGES = {
    "openssl-sys": ("pkg-config", "libssl-dev"),
    "pq-sys": ("pkg-config", "libpq-dev"),
    "mysqlclient-sys": ("pkg-config", "default-libmysqlclient-dev"),
    "prost-build": ("protobuf-compiler",),
    "clang-sys": ("libclang-dev",),
}
def _locked(tree: SourceTree, lockfile: str) -> set[str]:
    if not tree.exists(lockfile):
        return set()
    try:
        return locked_package_names(tree.read_text(lockfile))
    except BakegenError:
        return set()


def _native_libraries(names: set[str]) -> tuple[str, ...]:
    """The runtime packages the locked `-sys` crates need (openssl-sys: libssl3). A crate
    that vendors or statically links its library (openssl's `vendored` feature) still lists
    the package: one small install rather than a binary that cannot start."""
    return tuple(sorted({pkg for crate, pkg in NATIVE_LIBRARIES.items() if crate in names}))


def _build_packages(names: set[str]) -> tuple[str, ...]:
    """What the locked crates' build scripts need installed in deps-base."""
    return tuple(sorted({pkg for crate, pkgs in BUILD_PACKAGES.items() if crate in names
                         for pkg in pkgs}))


def _lockfile_format(tree: SourceTree, lockfile: str) -> int | None:
    if not tree.exists(lockfile):
        return None
    try:
        return lockfile_format(tree.read_text(lockfile))
    except BakegenError:
        return None


def _editions(index: _Index, root: CargoToml, members: Iterable[str]) -> list[str]:
    """The editions of the workspace's crates (inherited ones resolved)."""
    shared = root.workspace.edition if root.workspace is not None else None
    found = []
    for folder in members:
        manifest = index.manifests.get(folder)
        if manifest is None or manifest.package is None:
            continue
        edition = manifest.package.edition
        edition = shared if edition is INHERITED else edition
        if isinstance(edition, str):
            found.append(edition)
    return found


def _rust_version(root: CargoToml, workspace: WorkspaceTable | None) -> str | None:
    declared = root.package.rust_version if root.package is not None else None
    if declared is INHERITED or declared is None:
        declared = workspace.rust_version if workspace is not None else None
    return declared if isinstance(declared, str) and is_version(declared) else None


def _extra_files(tree: SourceTree, root: str, toolchain: str | None) -> tuple[str, ...]:
    """The toolchain file rustup reads and every cargo config from the root upwards."""
    found = {toolchain} if toolchain else set()
    for folder in (root, *iter_parents(root)):
        found.update(join(folder, c) for c in _CONFIG_FILES if tree.exists(join(folder, c)))
    return tuple(sorted(found))
