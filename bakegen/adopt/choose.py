"""Apply adoptions: which services are adopted, and the scan, config and plan they give.

An adopted service loses its own Dockerfile in the scan (so the plan builds it on the
shared bases like any other service) and gets the settings carried over from it. The plan
then gets back, under `own-<target>`, the service as it was: its original target, in the
`own` group, so that both can be baked and compared.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from bakegen.adopt.carry import Adoption, adopt
from bakegen.adopt.reading import OwnImage, read_own_image
from bakegen.config import Config
from bakegen.errors import BakegenError, Problem
from bakegen.formats import OWN_GROUP
from bakegen.model import DOCKER, Package, ScanResult, Workspace
from bakegen.naming import image_name, target_name
from bakegen.plan import Plan, PlanError, own_dockerfile
from bakegen.wording import listing

#: `--adopt` without a service name: every service that keeps its own Dockerfile
ALL = "*"
OWN_PREFIX = "own-"


@dataclass(frozen=True, slots=True)
class Adopted:
    """The scan and config a plan of the adopted services is made from, and the adoptions."""

    scan: ScanResult
    config: Config
    adoptions: Mapping[str, Adoption]
    warnings: tuple[Problem, ...] = ()


def own_images(
    scan: ScanResult, config: Config, texts: Mapping[str, str]
) -> dict[str, OwnImage]:
    """Each service keeping its own Dockerfile, by package id, with what that builds (lone
    Dockerfiles are left out: they build no package, so no base could replace them)."""
    found = {}
    for pkg in scan.packages:
        if pkg.ecosystem == DOCKER:
            continue
        path = own_dockerfile(pkg, config.service(pkg.name)) if pkg.deployable else None
        if path is not None and path in texts:
            found[pkg.id] = read_own_image(path, texts[path], pkg.docker_stage)
    return found


def choose(
    scan: ScanResult, config: Config, texts: Mapping[str, str], requested: tuple[str, ...] = ()
) -> Adopted:
    """Adopt the services `[service."X"] adopt = true` names and those `requested` names
    (package or target names; `*` for all but those the config sets `adopt = false`)."""
    images = own_images(scan, config, texts)
    chosen = _chosen(scan, config, images, requested)
    if not chosen:
        return Adopted(scan, config, {})
    adoptions: dict[str, Adoption] = {}
    warnings: list[Problem] = []
    for pkg in scan.packages:
        if pkg.id not in chosen:
            continue
        own = images[pkg.id]
        if own.problem is not None:
            raise BakegenError(f"{own.path}: cannot adopt {pkg.name}: it {own.problem}")
        adoption = adopt(pkg, own, config.service(pkg.name))
        adoptions[pkg.id] = adoption
        warnings += adoption.warnings
    packages = tuple(_without_dockerfile(p) if p.id in adoptions else p for p in scan.packages)
    workspaces = []
    for ws in scan.workspaces:
        changed, notes = _runtime_version(ws, [a for a in adoptions.values()
                                               if a.package.workspace == ws.root
                                               and a.package.ecosystem == ws.ecosystem])
        workspaces.append(changed)
        warnings += notes
    services = dict(config.services)
    services.update({a.package.name: a.settings for a in adoptions.values()})
    return Adopted(
        dataclasses.replace(scan, packages=packages, workspaces=tuple(workspaces)),
        dataclasses.replace(config, services=services),
        adoptions,
        tuple(warnings),
    )


def _chosen(
    scan: ScanResult, config: Config, images: Mapping[str, OwnImage], requested: tuple[str, ...]
) -> set[str]:
    by_name: dict[str, str] = {}
    for pkg in scan.packages:
        if pkg.id in images:
            target = config.service(pkg.name).target or target_name(pkg.service_name or pkg.name)
            for name in (pkg.name, pkg.id, pkg.service_name, target):
                if name:
                    by_name.setdefault(name, pkg.id)
    lone = {name: pkg.manifest for pkg in scan.packages if pkg.ecosystem == DOCKER
            for name in (pkg.name, config.service(pkg.name).target or target_name(pkg.name))}
    for pkg in scan.packages:
        if pkg.ecosystem == DOCKER and config.service(pkg.name).adopt is True:
            raise BakegenError.at(config.source or "bakegen.toml", (
                f'[service."{pkg.name}"] adopt = true: {pkg.manifest} builds no package of any '
                "ecosystem, so there are no shared bases to build it on"))
    chosen = {pid for pid in images
              if config.service(scan.package(pid).name).adopt is True}
    for name in requested:
        if name == ALL:
            chosen |= {pid for pid in images
                       if config.service(scan.package(pid).name).adopt is not False}
        elif name in by_name:
            chosen.add(by_name[name])
        elif name in lone:
            raise BakegenError(
                f"--adopt {name}: {lone[name]} builds no package of any ecosystem, so there "
                "are no shared bases to build it on; it stays as it is")
        else:
            keeping = listing(sorted({scan.package(pid).name for pid in images}), 5)
            raise BakegenError(
                f"--adopt {name}: no service of that name keeps its own Dockerfile"
                + (f" (these do: {keeping})" if images else " (none does)")
                + ("; to adopt them all, give ROOT first: `bakegen generate ROOT --adopt`"
                   if "/" in name or name.startswith(".") else ""))
    return chosen


def _without_dockerfile(pkg: Package) -> Package:
    return dataclasses.replace(pkg, dockerfile=None, has_dockerfile=False,
                               docker_context=None, docker_stage=None)


def _runtime_version(ws: Workspace, adoptions: list[Adoption]) -> tuple[Workspace, list[Problem]]:
    """The workspace with the version its adopted services' images name, when it states
    none itself; a warning for each image asking another version than the one kept."""
    asked = {a.runtime_version: a for a in adoptions if a.runtime_version}
    if not asked:
        return ws, []
    kept = ws.runtime_version or max(asked, key=_version_key)
    notes = [
        Problem.warning(a.carried.dockerfile, (
            f"adopting {a.package.name}: its image has {ws.ecosystem} {version}, the shared "
            f"bases {kept}" + (" (as the repository states)" if ws.runtime_version else
                               " (the newest its services ask for)")))
        for version, a in sorted(asked.items()) if version != kept
    ]
    if ws.runtime_version is None:
        ws = dataclasses.replace(ws, runtime_version=kept)
    return ws, notes


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def keep_originals(adopted_plan: Plan, original: Plan, adopted: Adopted) -> Plan:
    """The adopted plan, its services carrying what they took over, plus each adopted
    service's original target renamed `own-<target>` (in the `own` group)."""
    carried = {pid: a.carried for pid, a in adopted.adoptions.items()}
    services = [dataclasses.replace(s, carried=carried.get(s.package.id))
                for s in adopted_plan.services]
    taken = {s.target for s in services} | {name for b in adopted_plan.bases
                                            for name in (b.deps_target, b.production_target)}
    taken |= set(adopted_plan.groups())
    bases = list(adopted_plan.bases)
    for svc in original.services:
        if svc.package.id not in carried:
            continue
        target = OWN_PREFIX + svc.target
        if target in taken or target == OWN_GROUP:
            raise PlanError(f'{svc.dockerfile}: the target "{target}" that keeps the original '
                            f"build of {svc.package.name} collides with another target")
        services.append(dataclasses.replace(
            svc, target=target, image=image_name(target), original_of=svc.target))
        if svc.uses_bases and svc.bases not in bases:
            bases.append(svc.bases)
    return dataclasses.replace(
        adopted_plan,
        services=tuple(sorted(services, key=lambda s: s.target)),
        bases=tuple(bases),
    )
