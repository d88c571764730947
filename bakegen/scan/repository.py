"""Scan a repository: run every ecosystem over one file index, then apply the common rules."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping
from pathlib import Path

from bakegen.config import Config
from bakegen.ecosystems import ECOSYSTEMS
from bakegen.ecosystems.base import Ecosystem
from bakegen.ecosystems.node.static import STATIC, as_static_site
from bakegen.errors import BakegenError, Problem
from bakegen.model import Package, ScanResult, Skipped, Workspace
from bakegen.naming import target_name
from bakegen.safety import env_auth_problems, find_credentials, name_problems
from bakegen.scan.evidence import Attachment, find_evidence
from bakegen.scan.lockcheck import lockfile_problems
from bakegen.scan.scope import Scope, filter_tree, narrow, without_packages
from bakegen.scan.services import reject_candidates
from bakegen.scan.standalone import dockerfile_services, hinted, include_keys
from bakegen.tree import SourceTree
from bakegen.wording import listing


def scan_repository(
    root: Path, config: Config, ecosystems: Mapping[str, Ecosystem] | None = None
) -> ScanResult:
    """Find every package of every ecosystem below `root`, with all problems collected."""
    tree = SourceTree.scan(root)
    return scan_tree(tree, config, ecosystems)


def scan_tree(
    tree: SourceTree, config: Config, ecosystems: Mapping[str, Ecosystem] | None = None
) -> ScanResult:
    """Like `scan_repository`, on a file index already built."""
    workspaces: list[Workspace] = []
    packages: list[Package] = []
    problems: list[Problem] = list(tree.problems)
    scope = Scope(config.scan_exclude, config.source or "bakegen.toml")
    tree, skipped = filter_tree(tree, scope)
    for name, eco in sorted((ecosystems or ECOSYSTEMS).items()):
        try:
            found = eco.scan(tree)
        except BakegenError as exc:
            problems.append(exc.problem())
            continue
        workspaces.extend(found.workspaces)
        packages.extend(found.packages)
        problems.extend(found.problems)
        del name
    evidence = find_evidence(tree, packages, scope)
    packages = [_with_build(pkg, evidence.attached.get(pkg.manifest)) for pkg in packages]
    declared_by = tuple(sorted({a.declared_by for a in evidence.attached.values()
                                if a.declared_by}))
    packages = reject_candidates(tree, packages, declared_by)
    packages, config_problems = _apply_service_config(packages, config,
                                                      include_keys(evidence.unattached))
    named = _named(packages, config)
    named.update({m: a.reason for m, a in evidence.attached.items() if a.service_name})
    narrowed = narrow(workspaces, packages, [*problems, *evidence.problems], scope, named,
                      {m: a.reason for m, a in evidence.attached.items()})
    workspaces, packages = list(narrowed.workspaces), list(narrowed.packages)
    problems = [*narrowed.problems, *config_problems]
    skipped = (*skipped, *evidence.skipped)
    packages, workspaces, duplicates, taken = _duplicate_names(packages, workspaces)
    problems.extend(duplicates)
    skipped = (*skipped, *taken)
    lone, hints = dockerfile_services(evidence.unattached, bool(packages), config)
    problems.extend(name_problems([*packages, *lone], workspaces))
    problems.extend(service_key_problems([*packages, *lone], config))
    problems.extend(lockfile_problems(tree, workspaces, packages))
    credentials = find_credentials(tree)
    problems.extend(env_auth_problems(tree))
    problems.extend(c.warning() for c in credentials)
    secret_files = {c.path for c in credentials}
    workspaces = [_without_files(w, secret_files) for w in workspaces]
    packages.extend(lone)
    skipped = (*hinted(skipped, hints, lone),)
    narrowed_skipped = hinted(narrowed.skipped, hints, lone)
    return ScanResult(
        root=str(tree.root),
        workspaces=tuple(sorted(workspaces, key=lambda w: (w.ecosystem, w.root))),
        packages=tuple(sorted(packages, key=lambda p: (p.ecosystem, p.name, p.path))),
        problems=tuple(sorted(set(problems), key=Problem.sort_key)),
        secret_files=tuple(sorted(secret_files)),
        skipped=tuple(sorted({*skipped, *narrowed_skipped})),
    )


def service_key_problems(packages: list[Package], config: Config) -> list[Problem]:
    """A `[service."X"]` table whose key is no package name would be ignored silently (its
    port, cmd or Dockerfile lost), so it is an error naming the key to use instead."""
    source = config.source or "bakegen.toml"
    names = {p.name for p in packages} | {p.id for p in packages}
    by_target: dict[str, list[str]] = {}
    for pkg in packages:
        for target in {target_name(pkg.service_name or pkg.name), target_name(pkg.name)}:
            by_target.setdefault(target, []).append(pkg.name)
    problems = []
    for key in sorted(set(config.services) - names):
        owners = sorted(set(by_target.get(key, ())))
        if owners:
            hint = (f'"{key}" is the bake target of {owners[0]}; tables are keyed by package '
                    f'name: [service."{owners[0]}"]')
        else:
            close = difflib.get_close_matches(key, sorted({p.name for p in packages}), n=1,
                                              cutoff=0.6)
            hint = (f'did you mean [service."{close[0]}"]?' if close else
                    f"packages: {listing(sorted({p.name for p in packages})) or 'none found'}")
        problems.append(Problem.error(source, f'[service."{key}"] names no package ({hint})'))
    return problems


def _named(packages: list[Package], config: Config) -> dict[str, str]:
    """Packages bakegen.toml names (services.include, a [service] table), with why."""
    source = config.source or "bakegen.toml"
    named: dict[str, str] = {}
    for pkg in packages:
        for key, names in (("services.include", config.include), ("service", config.services)):
            if pkg.name in names or pkg.id in names:
                named.setdefault(pkg.manifest, f"named by {key} in {source}")
    return named


def _without_files(ws: Workspace, secret_files: set[str]) -> Workspace:
    """The workspace minus credential files, which no build context may admit."""
    if not secret_files.intersection(ws.extra_files):
        return ws
    return dataclasses.replace(
        ws, extra_files=tuple(f for f in ws.extra_files if f not in secret_files)
    )


def _with_build(pkg: Package, build: Attachment | None) -> Package:
    """A package the repo builds with its own Dockerfile is a service, built that way."""
    if build is None:
        return pkg
    return dataclasses.replace(
        pkg,
        has_dockerfile=True,
        dockerfile=build.dockerfile,
        docker_context=build.context,
        # compose's name, else the one the ecosystem gave (a Go module's binary)
        service_name=build.service_name or pkg.service_name,
        docker_stage=build.stage,
        deployable=True,
        deployable_reason=build.reason,
    )


def _apply_service_config(
    packages: list[Package], config: Config, dockerfiles: set[str]
) -> tuple[list[Package], list[Problem]]:
    """Force packages in or out of the service set as `services.include/exclude` say
    (`dockerfiles`: what include may name to build a Dockerfile that builds no package)."""
    source = config.source or "bakegen.toml"
    known = {p.name for p in packages} | {p.id for p in packages} | dockerfiles
    problems = [
        Problem.warning(source, f'services.{key} names "{name}", which no package is called')
        for key, names in (("include", config.include), ("exclude", config.exclude))
        for name in names
        if name not in known
    ]
    result = []
    for pkg in packages:
        if pkg.name in config.exclude or pkg.id in config.exclude:
            pkg = dataclasses.replace(
                pkg, deployable=False, deployable_reason=f"excluded by services.exclude in {source}"
            )
        elif pkg.name in config.include or pkg.id in config.include:
            pkg = dataclasses.replace(
                pkg, deployable=True, rejected=None,
                deployable_reason=f"listed in services.include in {source}",
            )
        settings = config.service(pkg.name)
        pkg = _static_override(pkg, settings.static, source)
        builds_itself = (settings.cmd is not None or settings.dockerfile is not None
                         or pkg.has_dockerfile)
        if pkg.deployable and not builds_itself:
            if pkg.entrypoint_problem:
                problems.append(Problem.warning(
                    pkg.manifest, f"service {pkg.name}: {pkg.entrypoint_problem}. Set "
                    f'[service."{pkg.name}"] cmd in {source}'))
            elif not pkg.entrypoint and (pkg.name in config.include or pkg.id in config.include):
                problems.append(Problem.warning(
                    pkg.manifest, f"service {pkg.name}: nothing found that starts it (no "
                    "script, main module or app); the image runs a guess. Set "
                    f'[service."{pkg.name}"] cmd in {source}'))
        result.append(pkg)
    return result, problems


def _static_override(pkg: Package, static: bool | None, source: str) -> Package:
    """`[service.X] static = true|false` over the scan's guess (Node packages only)."""
    if static is None or pkg.ecosystem != "node" or (static == (pkg.framework == STATIC)):
        return pkg
    if static:
        return as_static_site(pkg, f"static = true in {source}")
    start = pkg.script("start")
    return dataclasses.replace(
        pkg, framework=None, entrypoint=(), entrypoint_reason=None, deployable=start is not None,
        deployable_reason=f'"start" script: {start}' if start is not None
        else f"static = false in {source}, and no start script",
    )


def _duplicate_names(
    packages: list[Package], workspaces: list[Workspace]
) -> tuple[list[Package], list[Workspace], list[Problem], list[Skipped]]:
    """Two packages of one workspace sharing a name are an error. Projects of different
    workspaces are independent, but one name is one bake target and graph node, so the first
    (a declared workspace's member, a service, the shallower path) is kept and the other
    skipped with a warning."""
    declared = {w.key for w in workspaces if w.declared}

    def rank(pkg: Package) -> tuple[bool, bool, int, str]:
        member = f"{pkg.ecosystem}:{pkg.workspace}" in declared
        return (not member, not pkg.deployable, pkg.path.count("/"), pkg.manifest)

    groups: dict[str, list[Package]] = {}
    for pkg in sorted(packages, key=lambda p: (p.id, p.manifest)):
        groups.setdefault(pkg.id, []).append(pkg)
    problems: list[Problem] = []
    gone: list[Package] = []
    kept_by: dict[str, Package] = {}
    for group in groups.values():
        best = min(group, key=rank)
        kept_by[best.id] = best
        firsts: dict[str, Package] = {}
        for pkg in group:
            first = firsts.setdefault(pkg.workspace, pkg)
            message = (f'duplicate {pkg.ecosystem} package name "{pkg.name}", '
                       f"also defined in {(first if first is not pkg else best).manifest}")
            if first is not pkg:
                problems.append(Problem.error(pkg.manifest, message))
            elif pkg.workspace != best.workspace:
                problems.append(Problem.warning(pkg.manifest, f"{message} (another "
                                                "workspace); not built: bake target names "
                                                "must be unique"))
                gone.append(pkg)
    if not gone:
        return packages, workspaces, problems, []
    dropped = {p.manifest for p in gone}
    kept = [p for p in packages if p.manifest not in dropped]
    skipped = [Skipped(p.manifest, f'its name "{p.name}" is taken by '
                       f"{kept_by[p.id].manifest} of another workspace") for p in gone]
    return kept, list(without_packages(workspaces, gone)), problems, skipped
