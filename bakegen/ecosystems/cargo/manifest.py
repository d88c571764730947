"""Read one `Cargo.toml` into plain records: its package, its workspace table, its targets.

Nothing here knows about other manifests: resolving paths, membership and edges is the
job of `discover`. Wrong types become `Problem`s (or a `BakegenError` when the
manifest cannot be used at all), never a crash.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any

from bakegen.errors import BakegenError, Problem
from bakegen.manifests import load_toml
from bakegen.model import DepKind, Package
from bakegen.tree import SourceTree, join, normalize, parent

DEP_TABLES: dict[str, DepKind] = {
    "dependencies": DepKind.RUNTIME,
    "dev-dependencies": DepKind.DEV,
    "dev_dependencies": DepKind.DEV,  # cargo still accepts the old underscore spelling
    "build-dependencies": DepKind.BUILD,
    "build_dependencies": DepKind.BUILD,
}
#: target kinds stored in `Package.targets` as `kind:name` -> path (see `encode_targets`)
TARGET_KINDS = ("lib", "bin", "build-script", "test", "bench", "example")
_EXTRA_TARGETS = (("test", "tests"), ("bench", "benches"), ("example", "examples"))
_VERSION = re.compile(r"\d+\.\d+(?:\.\d+)?")


@dataclass(frozen=True, slots=True)
class DepSpec:
    """One dependency entry that may be internal: a `path` or `workspace = true` entry."""

    key: str
    kind: DepKind
    path: str | None = None
    inherited: bool = False
    package: str | None = None

    @property
    def real_name(self) -> str:
        """The crate name the entry asks for (`package = ...` renames it)."""
        return self.package or self.key


@dataclass(frozen=True, slots=True)
class Target:
    """A build target of a crate; `path` is relative to the crate's folder."""

    kind: str
    name: str
    path: str


@dataclass(frozen=True, slots=True)
class WorkspaceDep:
    """An entry of `[workspace.dependencies]`: only `path` entries make internal edges."""

    path: str | None = None
    package: str | None = None


@dataclass(frozen=True, slots=True)
class WorkspaceTable:
    """The `[workspace]` table of a root manifest."""

    members: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    dependencies: dict[str, WorkspaceDep] = field(default_factory=dict)
    version: str | None = None
    rust_version: str | None = None
    edition: str | None = None
    resolver: str | None = None


@dataclass(frozen=True, slots=True)
class Inherited:
    """A package field written `x.workspace = true`."""


INHERITED = Inherited()


@dataclass(frozen=True, slots=True)
class CrateTable:
    """The `[package]` of a manifest with what bakegen needs of it."""

    name: str
    version: str | Inherited | None
    rust_version: str | Inherited | None
    deps: tuple[DepSpec, ...]
    targets: tuple[Target, ...]
    edition: str | Inherited | None = None
    #: `package.default-run`: the bin `cargo run` starts when there are several
    default_run: str | None = None

    @property
    def bins(self) -> tuple[Target, ...]:
        return tuple(t for t in self.targets if t.kind == "bin")


@dataclass(frozen=True, slots=True)
class CargoToml:
    """One parsed `Cargo.toml` with the problems found while reading it."""

    rel: str
    folder: str
    package: CrateTable | None
    workspace: WorkspaceTable | None
    problems: tuple[Problem, ...] = ()
    patch_paths: tuple[tuple[str, str], ...] = ()
    #: its `[profile.release]` sets `strip` or `debug`: the project chose what ships
    release_symbols_chosen: bool = False


def parse_manifest(tree: SourceTree, rel: str) -> CargoToml:
    """Read a Cargo.toml of the tree; BakegenError when it is not usable at all."""
    data = load_toml(tree, rel)
    folder = parent(rel)
    problems: list[Problem] = []
    workspace = None
    if "workspace" in data:
        workspace = _workspace_table(rel, data["workspace"], problems)
    package = None
    if "package" in data or "project" in data:
        package = _crate_table(tree, rel, folder, data, problems)
    elif workspace is None:
        raise BakegenError.at(rel, "has neither [package] nor [workspace]")
    patches = _patch_paths(rel, data.get("patch", {}), problems)
    return CargoToml(
        rel, folder, package, workspace, tuple(problems), patches, chooses_symbols(data)
    )


def chooses_symbols(data: dict[str, Any]) -> bool:
    """True when a manifest's or cargo config's `[profile.release]` sets `strip` or `debug`."""
    profile = data.get("profile")
    release = profile.get("release") if isinstance(profile, dict) else None
    return isinstance(release, dict) and ("strip" in release or "debug" in release)


def is_version(value: str | None) -> bool:
    """True for a plain Rust release number (`1.83`, `1.83.0`), not `stable` or `nightly`."""
    return value is not None and _VERSION.fullmatch(value) is not None


def encode_targets(targets: tuple[Target, ...]) -> tuple[tuple[str, str], ...]:
    """Targets as `Package.targets` pairs (`bin:router-svc` -> `src/main.rs`), sorted."""
    return tuple(sorted((f"{t.kind}:{t.name}", t.path) for t in targets))


def targets_of(pkg: Package) -> tuple[Target, ...]:
    """The targets a Cargo package carries in `targets` (see `encode_targets`)."""
    found = []
    for key, path in pkg.targets:
        kind, _, name = key.partition(":")
        if kind in TARGET_KINDS:
            found.append(Target(kind, name, path))
    return tuple(found)


# --- [workspace] -------------------------------------------------------------------------


def _workspace_table(rel: str, value: Any, problems: list[Problem]) -> WorkspaceTable:
    table = _table(rel, "workspace", value)
    members = _strings(rel, "workspace.members", table.get("members", []), problems)
    exclude = _strings(rel, "workspace.exclude", table.get("exclude", []), problems)
    deps: dict[str, WorkspaceDep] = {}
    raw_deps = table.get("dependencies", {})
    if isinstance(raw_deps, dict):
        for key, entry in sorted(raw_deps.items()):
            dep = _workspace_dep(rel, key, entry, problems)
            if dep is not None:
                deps[key] = dep
    else:
        problems.append(_type_problem(rel, "workspace.dependencies", raw_deps, "a table"))
    shared = table.get("package", {})
    if not isinstance(shared, dict):
        problems.append(_type_problem(rel, "workspace.package", shared, "a table"))
        shared = {}
    return WorkspaceTable(
        members=tuple(members),
        exclude=tuple(exclude),
        dependencies=deps,
        version=_opt_str(rel, "workspace.package.version", shared.get("version"), problems),
        rust_version=_opt_str(
            rel, "workspace.package.rust-version", shared.get("rust-version"), problems
        ),
        edition=_opt_str(rel, "workspace.package.edition", shared.get("edition"), problems),
        resolver=_opt_str(rel, "workspace.resolver", table.get("resolver"), problems),
    )


def _workspace_dep(rel: str, key: str, entry: Any, problems: list[Problem]) -> WorkspaceDep | None:
    where = f"workspace.dependencies.{key}"
    if isinstance(entry, str):
        return WorkspaceDep()
    if not isinstance(entry, dict):
        problems.append(_type_problem(rel, where, entry, "a version string or a table"))
        return None
    path = _opt_str(rel, f"{where}.path", entry.get("path"), problems)
    package = _opt_str(rel, f"{where}.package", entry.get("package"), problems)
    return WorkspaceDep(path=path, package=package)


def _patch_paths(rel: str, value: Any, problems: list[Problem]) -> tuple[tuple[str, str], ...]:
    """The `path` entries of `[patch.<source>]`: crates the build compiles from the repo."""
    if not isinstance(value, dict):
        problems.append(_type_problem(rel, "patch", value, "a table"))
        return ()
    paths = []
    for source, entries in sorted(value.items()):
        if not isinstance(entries, dict):
            problems.append(_type_problem(rel, f"patch.{source}", entries, "a table"))
            continue
        for key, entry in sorted(entries.items()):
            if isinstance(entry, dict):
                path = _opt_str(rel, f"patch.{source}.{key}.path", entry.get("path"), problems)
                if path is not None:
                    paths.append((key, path))
    return tuple(paths)


# --- [package] ---------------------------------------------------------------------------


def _crate_table(
    tree: SourceTree, rel: str, folder: str, data: dict[str, Any], problems: list[Problem]
) -> CrateTable:
    # `[project]` is the pre-1.0 spelling of `[package]`; cargo still reads it
    section = "package" if "package" in data else "project"
    pkg = _table(rel, section, data[section])
    name = pkg.get("name")
    if not isinstance(name, str) or not name.strip():
        if name is None:
            raise BakegenError.at(rel, f'[{section}] has no "name"')
        raise BakegenError.at(rel,
            f'"{section}.name" must be a non-empty string, got {_shown(name)}'
        )
    return CrateTable(
        name=name,
        version=_inheritable(rel, f"{section}.version", pkg.get("version"), problems),
        rust_version=_inheritable(
            rel, f"{section}.rust-version", pkg.get("rust-version"), problems
        ),
        deps=tuple(_all_deps(rel, data, problems)),
        targets=_targets(tree, rel, folder, name, pkg, data, problems),
        edition=_inheritable(rel, f"{section}.edition", pkg.get("edition"), problems),
        default_run=pkg.get("default-run") if isinstance(pkg.get("default-run"), str) else None,
    )


def _inheritable(
    rel: str, where: str, value: Any, problems: list[Problem]
) -> str | Inherited | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict) and value.get("workspace") is True:
        return INHERITED
    problems.append(_type_problem(rel, where, value, "a string or { workspace = true }"))
    return None


def _all_deps(rel: str, data: dict[str, Any], problems: list[Problem]) -> list[DepSpec]:
    found: list[DepSpec] = []
    for table, kind in DEP_TABLES.items():
        if table in data:
            found.extend(_deps(rel, table, data[table], kind, problems))
    targets = data.get("target", {})
    if not isinstance(targets, dict):
        problems.append(_type_problem(rel, "target", targets, "a table"))
        return found
    for cfg, body in sorted(targets.items()):
        if not isinstance(body, dict):
            problems.append(_type_problem(rel, f"target.{cfg}", body, "a table"))
            continue
        for table, kind in DEP_TABLES.items():
            if table in body:
                found.extend(_deps(rel, f"target.{cfg}.{table}", body[table], kind, problems))
    return found


def _deps(
    rel: str, where: str, value: Any, kind: DepKind, problems: list[Problem]
) -> list[DepSpec]:
    if not isinstance(value, dict):
        problems.append(_type_problem(rel, where, value, "a table"))
        return []
    found = []
    for key, entry in sorted(value.items()):
        spec = _dep(rel, f"{where}.{key}", key, entry, kind, problems)
        if spec is not None:
            found.append(spec)
    return found


def _dep(
    rel: str, where: str, key: str, entry: Any, kind: DepKind, problems: list[Problem]
) -> DepSpec | None:
    """A dependency entry that may point inside the repository; registry entries give None."""
    if isinstance(entry, str):
        return None
    if not isinstance(entry, dict):
        problems.append(_type_problem(rel, where, entry, "a version string or a table"))
        return None
    path = _opt_str(rel, f"{where}.path", entry.get("path"), problems)
    package = _opt_str(rel, f"{where}.package", entry.get("package"), problems)
    inherited = entry.get("workspace", False)
    if not isinstance(inherited, bool):
        problems.append(_type_problem(rel, f"{where}.workspace", inherited, "true or false"))
        return None
    if inherited:
        return DepSpec(key, kind, inherited=True)
    if path is None:
        return None
    return DepSpec(key, kind, path=path, package=package)


# --- targets -----------------------------------------------------------------------------


def _targets(
    tree: SourceTree,
    rel: str,
    folder: str,
    name: str,
    pkg: dict[str, Any],
    data: dict[str, Any],
    problems: list[Problem],
) -> tuple[Target, ...]:
    """Every target cargo would see, with the file it needs, as cargo infers them."""
    found: list[Target] = []
    lib = _lib(tree, rel, folder, name, pkg, data.get("lib"), problems)
    if lib is not None:
        found.append(lib)
    found.extend(_bins(tree, rel, folder, name, pkg, data.get("bin"), problems))
    build = _build_script(tree, rel, folder, pkg.get("build"), problems)
    if build is not None:
        found.append(build)
    for kind, directory in _EXTRA_TARGETS:
        for target_name, path in _explicit(rel, kind, data.get(kind), problems):
            found.append(Target(kind, target_name, path or _inferred_in(tree, folder, directory,
                                                                           target_name)))
    return tuple(_checked_paths(rel, folder, found, problems))


def _lib(
    tree: SourceTree,
    rel: str,
    folder: str,
    name: str,
    pkg: dict[str, Any],
    value: Any,
    problems: list[Problem],
) -> Target | None:
    crate_name = name.replace("-", "_")
    if value is None:
        autolib = _flag(rel, "package.autolib", pkg.get("autolib", True), problems)
        if autolib and _indexed(tree, join(folder, "src/lib.rs")):
            return Target("lib", crate_name, "src/lib.rs")
        return None
    if not isinstance(value, dict):
        problems.append(_type_problem(rel, "lib", value, "a table"))
        return None
    path = _opt_str(rel, "lib.path", value.get("path"), problems) or "src/lib.rs"
    lib_name = _opt_str(rel, "lib.name", value.get("name"), problems) or crate_name
    return Target("lib", lib_name, normalize(path))


def _bins(
    tree: SourceTree,
    rel: str,
    folder: str,
    name: str,
    pkg: dict[str, Any],
    value: Any,
    problems: list[Problem],
) -> list[Target]:
    inferred = _inferred_bins(tree, folder, name)
    explicit = [
        Target("bin", bin_name, normalize(path) if path else inferred.get(bin_name,
                                                                         f"src/bin/{bin_name}.rs"))
        for bin_name, path in _explicit(rel, "bin", value, problems)
    ]
    if not _flag(rel, "package.autobins", pkg.get("autobins", True), problems):
        return explicit
    # cargo drops an inferred bin whose name or file an explicit [[bin]] already uses
    names = {t.name for t in explicit}
    paths = {t.path for t in explicit}
    extra = [
        Target("bin", bin_name, path)
        for bin_name, path in sorted(inferred.items())
        if bin_name not in names and path not in paths
    ]
    return explicit + extra


def _inferred_bins(tree: SourceTree, folder: str, name: str) -> dict[str, str]:
    """Bins cargo finds on its own: src/main.rs, src/bin/*.rs and src/bin/*/main.rs."""
    found: dict[str, str] = {}
    bin_folder = join(folder, "src/bin")
    for rel in tree.files_below(bin_folder):
        rest = rel[len(bin_folder) + 1:]
        parts = rest.split("/")
        if len(parts) == 1 and parts[0].endswith(".rs"):
            found.setdefault(parts[0][:-3], f"src/bin/{rest}")
        elif len(parts) == 2 and parts[1] == "main.rs":
            found.setdefault(parts[0], f"src/bin/{rest}")
    if _indexed(tree, join(folder, "src/main.rs")):
        found[name] = "src/main.rs"
    return found


def _inferred_in(tree: SourceTree, folder: str, directory: str, name: str) -> str:
    """Where cargo looks for a declared test/bench/example without a `path`."""
    single = f"{directory}/{name}.rs"
    nested = f"{directory}/{name}/main.rs"
    if not _indexed(tree, join(folder, single)) and _indexed(tree, join(folder, nested)):
        return nested
    return single


def _build_script(
    tree: SourceTree, rel: str, folder: str, value: Any, problems: list[Problem]
) -> Target | None:
    if value is None:
        found = _indexed(tree, join(folder, "build.rs"))
        return Target("build-script", "build", "build.rs") if found else None
    if value is False:
        return None
    if value is True:
        return Target("build-script", "build", "build.rs")
    if isinstance(value, str):
        return Target("build-script", "build", normalize(value))
    problems.append(_type_problem(rel, "package.build", value, "a path or true/false"))
    return None


def _explicit(
    rel: str, kind: str, value: Any, problems: list[Problem]
) -> list[tuple[str, str | None]]:
    """The `[[kind]]` entries of a manifest as (name, path or None)."""
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(_type_problem(rel, kind, value, f"an array of [[{kind}]] tables"))
        return []
    found: list[tuple[str, str | None]] = []
    for index, entry in enumerate(value):
        where = f"{kind}[{index}]"
        if not isinstance(entry, dict):
            problems.append(_type_problem(rel, where, entry, "a table"))
            continue
        path = _opt_str(rel, f"{where}.path", entry.get("path"), problems)
        target_name = _opt_str(rel, f"{where}.name", entry.get("name"), problems)
        if target_name is None and path is not None:
            target_name = path.rsplit("/", 1)[-1].removesuffix(".rs")
        if not target_name:
            problems.append(Problem.error(rel, f'[[{kind}]] number {index + 1} has no "name"'))
            continue
        found.append((target_name, path))
    return found


def _checked_paths(
    rel: str, folder: str, targets: list[Target], problems: list[Problem]
) -> list[Target]:
    kept = []
    for target in targets:
        if join(folder, target.path).startswith(".."):
            problems.append(Problem.error(
                rel, f'{target.kind} target "{target.name}" points outside the repository '
                f"({target.path})"
            ))
            continue
        kept.append(target)
    return kept


def _indexed(tree: SourceTree, rel: str) -> bool:
    """`tree.exists` for an already normalized path, by bisection of the sorted index."""
    files = tree.files
    at = bisect.bisect_left(files, rel)
    return at < len(files) and files[at] == rel


# --- small type checks -------------------------------------------------------------------


def _table(rel: str, where: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BakegenError.at(rel, f'"{where}" must be a table, got {_shown(value)}')
    return value


def _strings(rel: str, where: str, value: Any, problems: list[Problem]) -> list[str]:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    problems.append(_type_problem(rel, where, value, "a list of strings"))
    return []


def _opt_str(rel: str, where: str, value: Any, problems: list[Problem]) -> str | None:
    if value is None or isinstance(value, str):
        return value
    problems.append(_type_problem(rel, where, value, "a string"))
    return None


def _flag(rel: str, where: str, value: Any, problems: list[Problem]) -> bool:
    if isinstance(value, bool):
        return value
    problems.append(_type_problem(rel, where, value, "true or false"))
    return True


def _type_problem(rel: str, where: str, value: Any, what: str) -> Problem:
    return Problem.error(rel, f'"{where}" must be {what}, got {_shown(value)}')


def _shown(value: Any) -> str:
    if isinstance(value, (bool, int, float, str)):
        return json.dumps(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


_CRATE_NAME = re.compile(r"[\w-]+")


def name_problem(name: str) -> str | None:
    """Why cargo refuses a crate name, or None."""
    if not _CRATE_NAME.fullmatch(name):
        return 'is not a crate name (letters, digits, "_" and "-"; cargo refuses it)'
    return None
