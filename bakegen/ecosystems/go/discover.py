"""Find Go modules and workspaces in a file index, the way the go command groups them.

A `go.work` is a workspace: its `use` folders (each with a go.mod) are its members. Modules
no go.work uses are grouped into one workspace at the repository root (unless a go.work sits
there, then each is its own), so one deps-base downloads every module's dependencies.

Edges: a module that requires another module of the same workspace (by module path), or
replaces a module with a local folder holding one of ours. A module is a service when it has
a `package main`: at its root (the binary is named like the module path's last element) and
in `cmd/<name>/` (binary `<name>`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bakegen.ecosystems.go.manifest import (
    GO_MOD,
    GO_WORK,
    GoMod,
    GoWork,
    parse_go_mod,
    parse_go_work,
)
from bakegen.errors import BakegenError, Problem
from bakegen.model import Dependency, EcosystemScan, Package, Workspace
from bakegen.tree import SourceTree, join, normalize, parent

ECOSYSTEM = "go"
GO_SUM = "go.sum"
GO_WORK_SUM = "go.work.sum"
_PACKAGE_MAIN = re.compile(r"^\s*package\s+main\s*(?://.*)?$", re.MULTILINE)
_MAJOR_SUFFIX = re.compile(r"^v\d+$")
_VERSION = re.compile(r"^(?:go)?(\d+)\.(\d+)")


@dataclass(frozen=True, slots=True)
class _Group:
    """One workspace: its root folder, its go.work (None for grouped modules), members."""

    root: str
    work: GoWork | None
    members: tuple[str, ...]


def scan_go(tree: SourceTree) -> EcosystemScan:
    """Every Go module and workspace of the tree, with problems as values."""
    problems: list[Problem] = []
    modules: dict[str, GoMod] = {}
    for rel in sorted(tree.named(GO_MOD)):
        try:
            modules[parent(rel)] = parse_go_mod(rel, tree.read_text(rel))
        except BakegenError as exc:
            problems.append(exc.problem())
    groups = _groups(tree, modules, problems)
    by_path = {mod.module: folder for folder, mod in modules.items()}
    workspaces, packages = [], []
    for group in groups:
        members = [f for f in group.members if f in modules]
        packages += [_package(tree, modules[f], f, group, by_path, modules, problems)
                     for f in members]
        workspaces.append(_workspace(tree, group, members, modules))
        problems += _sum_problems(tree, members, modules, by_path)
    return EcosystemScan(
        workspaces=tuple(sorted(workspaces, key=lambda w: w.root)),
        packages=tuple(sorted(packages, key=lambda p: (p.name, p.path))),
        problems=tuple(sorted(set(problems), key=Problem.sort_key)),
    )


def binary_name(module: str) -> str:
    """What `go build` names a module root's binary: the path's last element, skipping a
    major-version suffix (`example.com/api/v2` -> `api`)."""
    parts = [p for p in module.split("/") if p]
    if len(parts) > 1 and _MAJOR_SUFFIX.match(parts[-1]):
        parts.pop()
    return parts[-1] if parts else "app"


def _groups(tree: SourceTree, modules: dict[str, GoMod], problems: list[Problem]) -> list[_Group]:
    groups: list[_Group] = []
    used: set[str] = set()
    for rel in sorted(tree.named(GO_WORK)):
        try:
            work = parse_go_work(rel, tree.read_text(rel))
        except BakegenError as exc:
            problems.append(exc.problem())
            continue
        root = parent(rel)
        members = []
        for use in work.uses:
            folder = normalize(join(root, use))
            if folder.startswith(".."):
                problems.append(Problem.error(rel, f"use {use}: outside the repository"))
            elif folder not in modules:
                if not tree.exists(join(folder, GO_MOD)):
                    problems.append(Problem.error(rel, f"use {use}: no go.mod in {folder}"))
            elif folder in used:
                problems.append(Problem.warning(rel, f"use {use}: {folder} is used by another "
                                                "go.work too; kept in the first"))
            else:
                members.append(folder)
                used.add(folder)
        groups.append(_Group(root, work, tuple(sorted(members))))
    rest = sorted(f for f in modules if f not in used)
    if any(g.root == "." for g in groups):
        groups += [_Group(folder, None, (folder,)) for folder in rest]
    elif rest:
        groups.append(_Group(".", None, tuple(rest)))
    return groups


def _package(
    tree: SourceTree, mod: GoMod, folder: str, group: _Group, by_path: dict[str, str],
    modules: dict[str, GoMod], problems: list[Problem],
) -> Package:
    edges = set()
    members = set(group.members)
    for required in mod.requires:
        target = by_path.get(required)
        if target is not None and target in members and target != folder:
            edges.add(Dependency(required))
            replaced = any(r.old == required and r.local for r in mod.replaces)
            if group.work is None and not replaced:
                problems.append(Problem.warning(mod.path, (
                    f"requires {required}, a module of this repository, with no replace => "
                    "its folder and no go.work using both: go build fetches it from its "
                    "origin instead")))
    for rep in mod.replaces:
        if rep.local:
            target_folder = normalize(join(folder, rep.new))
            local = modules.get(target_folder)
            if local is not None and target_folder in members and target_folder != folder:
                edges.add(Dependency(local.module))
            elif local is None and not target_folder.startswith(".."):
                problems.append(Problem.error(mod.path, (
                    f"replace {rep.old} => {rep.new}: no go.mod in {target_folder}")))
    mains = _mains(tree, mod, folder, set(modules) - {folder})
    binaries = tuple(name for name, _ in mains)
    main = binaries[0] if binaries else None
    return Package(
        ecosystem=ECOSYSTEM,
        name=mod.module,
        path=folder,
        manifest=mod.path,
        workspace=group.root,
        dependencies=tuple(sorted(edges)),
        deployable=bool(binaries),
        deployable_reason=_reason(mains) if mains else None,
        entrypoint=(main,) if main else (),
        entrypoint_reason=f"the binary {main}" if main else None,
        binaries=binaries,
        targets=tuple((f"bin:{name}", path) for name, path in mains),
        requirements=_third_party(mod, by_path),
        # the image goes by the binary's name, not the whole module path
        service_name=binary_name(mod.module) if binaries else None,
    )


def _mains(
    tree: SourceTree, mod: GoMod, folder: str, nested: set[str]
) -> tuple[tuple[str, str], ...]:
    """(binary, package folder relative to the module) of each `package main`: the module's
    root first, then `cmd/*`."""
    found: list[tuple[str, str]] = []
    if _has_main(tree, folder):
        found.append((binary_name(mod.module), "."))
    cmd = join(folder, "cmd")
    names = sorted({rel[len(cmd) + 1:].split("/", 1)[0] for rel in _files_in(tree, cmd)
                    if rel.count("/") == cmd.count("/") + 2})
    for name in names:
        sub = join(cmd, name)
        if sub not in nested and _has_main(tree, sub) and all(name != n for n, _ in found):
            found.append((name, f"cmd/{name}"))
    return tuple(found)


def _has_main(tree: SourceTree, folder: str) -> bool:
    for rel in _files_in(tree, folder):
        if parent(rel) != folder or not rel.endswith(".go") or rel.endswith("_test.go"):
            continue
        try:
            if _PACKAGE_MAIN.search(tree.read_text(rel)):
                return True
        except BakegenError:
            continue
    return False


def _third_party(mod: GoMod, by_path: dict[str, str]) -> tuple[str, ...]:
    """`path@version` of every module the go.mod requires that is not ours, as replaced:
    a replacement by another module path downloads that one, a local one nothing."""
    found = []
    for path, version in mod.versions:
        if path in by_path:
            continue
        rep = next((r for r in mod.replaces if r.old == path), None)
        if rep is None:
            found.append(f"{path}@{version}")
        elif not rep.local and rep.version:
            found.append(f"{rep.new}@{rep.version}")
    return tuple(sorted(set(found)))


def _files_in(tree: SourceTree, folder: str) -> list[str]:
    return list(tree.files) if folder == "." else tree.files_below(folder)


def _reason(mains: tuple[tuple[str, str], ...]) -> str:
    parts = ["package main at the module root" if path == "." else path for _, path in mains]
    return ", ".join(parts)


def _workspace(
    tree: SourceTree, group: _Group, members: list[str], modules: dict[str, GoMod]
) -> Workspace:
    manifests = {modules[f].path for f in members}
    manifests |= {join(f, GO_SUM) for f in members if tree.exists(join(f, GO_SUM))}
    lockfile = None
    if group.work is not None:
        manifests.add(group.work.path)
        work_sum = join(group.root, GO_WORK_SUM)
        lockfile = work_sum if tree.exists(work_sum) else None
    return Workspace(
        ecosystem=ECOSYSTEM,
        root=group.root,
        manager="go",
        lockfile=lockfile,
        manifests=tuple(sorted(manifests)),
        runtime_version=_version(group, members, modules),
        packages=tuple(sorted(modules[f].module for f in members)),
        declared=group.work is not None,
    )


def _version(group: _Group, members: list[str], modules: dict[str, GoMod]) -> str | None:
    """The Go the workspace asks for: go.work's toolchain or go line, else the highest
    `toolchain`/`go` of its modules, as `major.minor`."""
    wanted = []
    if group.work is not None:
        wanted += [group.work.toolchain, group.work.go]
    for folder in members:
        wanted += [modules[folder].toolchain, modules[folder].go]
    versions = [(int(m[1]), int(m[2])) for v in wanted if v and (m := _VERSION.match(v))]
    if not versions:
        return None
    major, minor = max(versions)
    return f"{major}.{minor}"


def _sum_problems(tree: SourceTree, members: list[str], modules: dict[str, GoMod],
                  by_path: dict[str, str]) -> list[Problem]:
    """A module requiring third-party modules needs its go.sum, or `go mod download` in
    deps-base refuses to verify them."""
    problems = []
    for folder in members:
        mod = modules[folder]
        third_party = [r for r in mod.requires if r not in by_path]
        if third_party and not tree.exists(join(folder, GO_SUM)):
            problems.append(Problem.warning(mod.path, (
                f"requires {third_party[0]}"
                + (f" and {len(third_party) - 1} more" if len(third_party) > 1 else "")
                + " but has no go.sum, so `go build` refuses it (missing go.sum entry); "
                "run `go mod tidy`")))
    return problems
