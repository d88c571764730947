"""Dockerfiles that build no package of any ecosystem, kept as services of their own.

A repository holding only a `Dockerfile` (or `services/proxy/Dockerfile`, or a compose file
building one) has no package to attach it to, yet it is exactly what `docker buildx bake`
should build: each such Dockerfile becomes a service of the `docker` pseudo-ecosystem, built
as it is, with no shared bases. Where the repo has packages, a Dockerfile copying none of
them stays infrastructure (a database image with a config file) unless `services.include`
names it: by its service name, its folder or its path.
"""

from __future__ import annotations

from collections.abc import Iterable

from bakegen.config import Config
from bakegen.dockerfiles import dockerfile_name
from bakegen.model import DOCKER, Package, Skipped
from bakegen.naming import target_name
from bakegen.scan.evidence import Unattached
from bakegen.tree import parent

#: the name of a Dockerfile at the repository root (the checkout's folder name is no name:
#: it differs between clones)
ROOT_NAME = "app"


def dockerfile_services(
    unattached: Iterable[Unattached], has_packages: bool, config: Config
) -> tuple[list[Package], dict[str, str]]:
    """The services made of lone Dockerfiles, and for those left out, the hint that names
    how to build them (Dockerfile path -> hint)."""
    source = config.source or "bakegen.toml"
    builds = _first_per_dockerfile(unattached)
    names = _unique_names(builds)
    services: list[Package] = []
    hints: dict[str, str] = {}
    for build in builds:
        name = names[build.dockerfile]
        keys = {name, build.dockerfile, parent(build.dockerfile)}
        if keys.intersection(config.exclude):
            hints[build.dockerfile] = f"; excluded by services.exclude in {source}"
            continue
        named = sorted(keys.intersection(config.include))
        if has_packages and not named:
            hints[build.dockerfile] = f'; list "{name}" in services.include to build it'
            continue
        why = (f"named by services.include in {source}" if named
               else "the repository's own Dockerfile; no package found to build")
        services.append(_service(build, name, why))
    return services, hints


def include_keys(unattached: Iterable[Unattached]) -> set[str]:
    """What `services.include` may name to build a lone Dockerfile: its service name, its
    path or its folder."""
    builds = _first_per_dockerfile(unattached)
    names = _unique_names(builds)
    return {key for b in builds for key in (names[b.dockerfile], b.dockerfile,
                                            parent(b.dockerfile))}


def hinted(skipped: Iterable[Skipped], hints: dict[str, str],
           built: Iterable[Package]) -> list[Skipped]:
    """The skipped list without the Dockerfiles now built, the others with their hint."""
    gone = {p.dockerfile for p in built}
    return [Skipped(s.path, s.reason + hints.get(s.path, "")) for s in skipped
            if s.path not in gone]


def _first_per_dockerfile(unattached: Iterable[Unattached]) -> list[Unattached]:
    """One build per Dockerfile: compose's declaration (which names it) before the file."""
    chosen: dict[str, Unattached] = {}
    for build in sorted(unattached, key=lambda b: (b.dockerfile, b.compose is None, b.name)):
        chosen.setdefault(build.dockerfile, build)
    return list(chosen.values())


def _name(build: Unattached) -> str:
    if build.compose:
        return build.name
    named = dockerfile_name(build.dockerfile)
    if named:
        return named
    folder = parent(build.dockerfile)
    return ROOT_NAME if folder == "." else folder.rsplit("/", 1)[-1]


def _unique_names(builds: list[Unattached]) -> dict[str, str]:
    """Each Dockerfile's service name; names two would share become their paths' names."""
    first = {b.dockerfile: _name(b) for b in builds}
    counts: dict[str, int] = {}
    for name in first.values():
        counts[target_name(name)] = counts.get(target_name(name), 0) + 1
    return {
        rel: name if counts[target_name(name)] == 1 else target_name(rel.replace(".", "-"))
        for rel, name in first.items()
    }


def _service(build: Unattached, name: str, why: str) -> Package:
    folder = parent(build.dockerfile)
    # a context reaching above the Dockerfile's folder is what a change must touch
    path = build.context if folder.startswith(build.context + "/") or build.context == "." \
        else folder
    return Package(
        ecosystem=DOCKER,
        name=name,
        path=path,
        manifest=build.dockerfile,
        workspace=path,
        deployable=True,
        deployable_reason=f"built by {build.dockerfile} ({why})",
        has_dockerfile=True,
        dockerfile=build.dockerfile,
        docker_context=build.context,
        service_name=name if build.compose else None,
        docker_stage=build.stage,
    )
