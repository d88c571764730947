"""Plan the build: shared base targets per workspace and one target per service (no I/O).

Each workspace gets one base Dockerfile with two stages, exposed as two bake targets,
`<eco>-deps-base` (every third-party dependency installed once) and `<eco>-production-base`
(the minimal runtime). Every service builds on them through bake named contexts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from bakegen import graph as graphs
from bakegen.adopt.carry import Carried
from bakegen.config import Config
from bakegen.ecosystems.base import BaseRecipe, Ecosystem, ServiceRecipe, ToolTarget
from bakegen.errors import BakegenError
from bakegen.formats import OWN_GROUP
from bakegen.model import DOCKER, Package, ScanResult, Workspace
from bakegen.naming import image_name, is_valid_target, target_name, variable_slug
from bakegen.settings import PER_SERVICE, SHARED, SHARED_IN_SERVICE, ServiceSettings
from bakegen.tree import join, normalize

RESERVED_TARGETS = frozenset({"default", "_common", "docker-metadata-action"})
_BASE_REFERENCE = re.compile(
    r"^\s*(FROM|COPY\s+--from=|RUN\s+--mount=[^\n]*from=)\s*(deps-base|production-base)\b",
    re.IGNORECASE | re.MULTILINE,
)


class PlanError(BakegenError):
    """The scan cannot be turned into a valid bake file (name collisions, bad overrides)."""


@dataclass(frozen=True, slots=True)
class ImageVariable:
    """A bake variable naming a base image, passed to the base Dockerfile as a build arg."""

    name: str
    default: str
    #: the language-wide variable (`PYTHON_IMAGE`) this workspace's variable falls back to,
    #: when the ecosystem has several workspaces and each gets a variable of its own
    language: str | None = None


@dataclass(frozen=True, slots=True)
class BasePlan:
    """The shared base Dockerfile of one workspace and its two targets."""

    workspace: Workspace
    dockerfile: str
    deps_target: str
    production_target: str
    build_image: ImageVariable
    runtime_image: ImageVariable
    recipe: BaseRecipe
    context: tuple[str, ...]
    #: where production dependencies live: "shared" in production-base, or "per-service"
    #: (production-base has none) when any service of the workspace keeps its own
    dependencies: str = SHARED

    @property
    def ecosystem(self) -> str:
        return self.workspace.ecosystem


@dataclass(frozen=True, slots=True)
class ServicePlan:
    """One deployable package and how bake builds it."""

    target: str
    image: str
    package: Package
    #: the workspace's bases; None for a lone Dockerfile (no ecosystem, no bases)
    base: BasePlan | None
    dockerfile: str
    context_dir: str
    generated: bool
    recipe: ServiceRecipe | None
    context: tuple[str, ...]
    closure: tuple[str, ...]
    settings: ServiceSettings
    uses_bases: bool = True
    #: what an adopted service's generated Dockerfile takes from the user's own one
    carried: Carried | None = None
    #: for the `own` group: the target whose original Dockerfile this one still builds
    original_of: str | None = None

    @property
    def bases(self) -> BasePlan:
        """The workspace's bases, for a service of an ecosystem (every one but lone
        Dockerfiles, which never use bases)."""
        if self.base is None:
            raise ValueError(f"{self.target} is a lone Dockerfile: it has no bases")
        return self.base


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything the renderers need, sorted."""

    registry: str
    platforms: tuple[str, ...]
    cache: str
    metadata_action: bool
    output_dir: str
    bases: tuple[BasePlan, ...]
    services: tuple[ServicePlan, ...]
    extra_ignores: tuple[str, ...] = ()
    #: files holding literal credentials: every generated .dockerignore excludes them
    secret_files: tuple[str, ...] = ()
    #: BuildKit secrets the base targets pass on: (id, "path" or "env:NAME") from the config
    secrets: tuple[tuple[str, str], ...] = ()

    def groups(self) -> dict[str, tuple[str, ...]]:
        """`default` with every service, one group per ecosystem present, and `own` with
        the original Dockerfiles of adopted services (built only when asked for)."""
        groups: dict[str, list[str]] = {}
        services = [s for s in self.services if s.original_of is None]
        for svc in services:
            if svc.base is not None:  # lone Dockerfiles have no ecosystem to group by
                groups.setdefault(svc.package.ecosystem, []).append(svc.target)
        result = {"default": tuple(sorted(s.target for s in services))}
        result.update({eco: tuple(sorted(t)) for eco, t in sorted(groups.items())})
        own = tuple(sorted(s.target for s in self.services if s.original_of is not None))
        if own:
            result[OWN_GROUP] = own
        return result

    @property
    def tools(self) -> tuple[ToolTarget, ...]:
        """The helper targets the services link (`ServiceRecipe.tools`), each once, by name."""
        return _tools(self.services)


def _tools(services: Iterable[ServicePlan]) -> tuple[ToolTarget, ...]:
    found = {t.name: t for svc in services if svc.recipe is not None for t in svc.recipe.tools}
    return tuple(found[name] for name in sorted(found))


def make_plan(
    scan: ScanResult,
    graph: nx.DiGraph,
    config: Config,
    ecosystems: Mapping[str, Ecosystem],
    extra_ignores: tuple[str, ...] = (),
    own_dockerfiles: Mapping[str, str] | None = None,
) -> Plan:
    """The plan stage: a scan and its package graph (`graph.package_graph`) turned into
    base and service targets; raises PlanError on name collisions.

    `own_dockerfiles` maps the path of each Dockerfile a service brings itself to its text,
    so that such a service is linked to the base targets only when it builds on them.
    """
    order = _dependency_order(graph)
    output_dir = normalize(config.output_dir)
    bases = _plan_bases(scan, config, ecosystems, graph, output_dir)
    by_workspace = {b.workspace.key: b for b in bases}
    # once per workspace: a workspace lists thousands of manifests
    root_files = {key: _root_files(b.workspace) for key, b in by_workspace.items()}
    services = tuple(
        _plan_service(
            pkg,
            config,
            ecosystems[pkg.ecosystem],
            graph,
            order,
            by_workspace[f"{pkg.ecosystem}:{pkg.workspace}"],
            output_dir,
            own_dockerfiles or {},
            root_files[f"{pkg.ecosystem}:{pkg.workspace}"],
        ) if pkg.ecosystem != DOCKER else _plan_dockerfile(pkg, config)
        for pkg in scan.packages
        if pkg.deployable
    )
    _check_names(services, bases)
    # a service bringing a Dockerfile that never names the bases does not need them built
    used = {b.workspace.key for b in bases if any(s.base is b and s.uses_bases for s in services)}
    return Plan(
        registry=config.registry,
        platforms=config.platforms,
        cache=config.cache,
        metadata_action=config.metadata_action,
        output_dir=output_dir,
        bases=tuple(b for b in bases if b.workspace.key in used),
        services=tuple(sorted(services, key=lambda s: s.target)),
        extra_ignores=extra_ignores,
        secret_files=scan.secret_files,
        secrets=config.secrets,
    )


def _dependency_order(graph: nx.DiGraph) -> dict[str, int]:
    """Position of every node in a dependencies-first order (ties broken by id)."""
    return {n: i for i, n in enumerate(graphs.dependency_order(graph))}


def _plan_bases(
    scan: ScanResult,
    config: Config,
    ecosystems: Mapping[str, Ecosystem],
    graph: nx.DiGraph,
    output_dir: str,
) -> tuple[BasePlan, ...]:
    per_eco: dict[str, list[Workspace]] = {}
    for ws in scan.workspaces:
        per_eco.setdefault(ws.ecosystem, []).append(ws)
    bases = []
    for eco_name, workspaces in sorted(per_eco.items()):
        eco = ecosystems[eco_name]
        for ws in sorted(workspaces, key=lambda w: w.root):
            single = len(workspaces) == 1
            slug = (
                eco_name
                if single
                else f"{eco_name}-{target_name(ws.root) if ws.root != '.' else 'root'}"
            )
            var = eco.image_variable if single else f"{eco.image_variable}_{variable_slug(ws.root)}"
            members = tuple(
                graph.nodes[f"{eco_name}:{name}"]["package"]
                for name in ws.packages
                if f"{eco_name}:{name}" in graph
            )
            build_default, runtime_default = eco.default_images(ws)
            images = config.image(eco_name)
            mode = workspace_dependencies(members, config)
            bases.append(
                BasePlan(
                    workspace=ws,
                    dockerfile=f"{output_dir}/base-{slug}.Dockerfile",
                    deps_target=f"{slug}-deps-base",
                    production_target=f"{slug}-production-base",
                    build_image=ImageVariable(
                        f"{var}_IMAGE", images.build or build_default,
                        None if single else f"{eco.image_variable}_IMAGE",
                    ),
                    runtime_image=ImageVariable(
                        f"{var}_RUNTIME_IMAGE", images.runtime or runtime_default,
                        None if single else f"{eco.image_variable}_RUNTIME_IMAGE",
                    ),
                    recipe=eco.base_recipe(ws, members, mode),
                    context=_workspace_files(ws),
                    dependencies=mode,
                )
            )
    return tuple(bases)


def workspace_dependencies(members: tuple[Package, ...], config: Config) -> str:
    """"per-service" when any service of the workspace keeps its own dependencies (its
    `[service]` table or the config says so), else "shared"."""
    modes = {config.service(p.name).dependencies or config.dependencies
             for p in members if p.deployable}
    return PER_SERVICE if PER_SERVICE in modes else SHARED


def service_dependencies(settings: ServiceSettings, config: Config, base_mode: str) -> str:
    """The service's own mode; a shared one in a per-service workspace carries the shared
    set itself (`SHARED_IN_SERVICE`)."""
    mode = settings.dependencies or config.dependencies
    return SHARED_IN_SERVICE if mode == SHARED and base_mode == PER_SERVICE else mode


def _workspace_files(ws: Workspace) -> tuple[str, ...]:
    files = [*ws.manifests, *ws.extra_files]
    if ws.lockfile:
        files.append(ws.lockfile)
    return tuple(sorted(set(files)))


def _root_files(ws: Workspace) -> tuple[str, ...]:
    """What every service of a workspace needs besides its closure: root manifest, lock, tools."""
    root_manifests = [m for m in ws.manifests if normalize(join(m, "..")) == ws.root]
    files = [*root_manifests, *ws.extra_files, *ws.build_files]
    if ws.lockfile:
        files.append(ws.lockfile)
    return tuple(sorted(set(files)))


def own_dockerfile(pkg: Package, settings: ServiceSettings) -> str | None:
    """The Dockerfile a service brings itself (config first, then the one the scan found)."""
    if settings.dockerfile:
        return normalize(settings.dockerfile)
    if pkg.dockerfile:
        return pkg.dockerfile
    return join(pkg.path, "Dockerfile") if pkg.has_dockerfile else None


def _uses_bases(dockerfile_text: str) -> bool:
    return bool(_BASE_REFERENCE.search(dockerfile_text))


def _plan_service(
    pkg: Package,
    config: Config,
    eco: Ecosystem,
    graph: nx.DiGraph,
    order: dict[str, int],
    base: BasePlan,
    output_dir: str,
    own_dockerfiles: Mapping[str, str],
    root_files: tuple[str, ...],
) -> ServicePlan:
    settings = config.service(pkg.name)
    target = _target(pkg, settings, config)
    closure_ids = graphs.build_order(
        graph, graphs.dependencies_of(graph, pkg.id, eco.build_closure_kinds) - {pkg.id},
        eco.build_closure_kinds, order,
    )
    closure = tuple(graph.nodes[n]["package"] for n in closure_ids)
    ws = base.workspace
    own = own_dockerfile(pkg, settings)
    uses_bases = True
    if own is not None:
        recipe = None
        dockerfile = own
        context = tuple(sorted({pkg.path, *(p.path for p in closure), *root_files}))
        uses_bases = _uses_bases(own_dockerfiles.get(own, ""))
    else:
        mode = service_dependencies(settings, config, base.dependencies)
        recipe = eco.service_recipe(ws, pkg, closure, settings, mode)
        dockerfile = f"{output_dir}/services/{target}.Dockerfile"
        context = tuple(sorted({*recipe.context, *root_files}))
    return ServicePlan(
        target=target,
        image=image_name(target),
        package=pkg,
        base=base,
        dockerfile=dockerfile,
        context_dir=normalize(settings.context or pkg.docker_context or "."),
        generated=recipe is not None,
        recipe=recipe,
        context=context,
        closure=tuple(closure_ids),
        settings=settings,
        uses_bases=uses_bases,
    )


def _plan_dockerfile(pkg: Package, config: Config) -> ServicePlan:
    """A lone Dockerfile's target: built as it is, from the context it expects."""
    settings = config.service(pkg.name)
    target = _target(pkg, settings, config)
    dockerfile = own_dockerfile(pkg, settings) or join(pkg.path, "Dockerfile")
    context_dir = normalize(settings.context or pkg.docker_context or pkg.path)
    return ServicePlan(
        target=target,
        image=image_name(target),
        package=pkg,
        base=None,
        dockerfile=dockerfile,
        context_dir=context_dir,
        generated=False,
        recipe=None,
        context=tuple(sorted({context_dir, dockerfile})),
        closure=(),
        settings=settings,
        uses_bases=False,
    )


def _target(pkg: Package, settings: ServiceSettings, config: Config) -> str:
    target = settings.target or target_name(pkg.service_name or pkg.name)
    if not is_valid_target(target):
        raise PlanError.at(
            config.source or "bakegen.toml",
            f'target name "{target}" for {pkg.name} must use only letters, digits, \'_\' and \'-\'',
        )
    return target


def _check_names(services: tuple[ServicePlan, ...], bases: tuple[BasePlan, ...]) -> None:
    taken: dict[str, str] = {name: "a reserved bake name" for name in RESERVED_TARGETS}
    taken.update({tool.name: "a helper target of bakegen's" for tool in _tools(services)})
    for base in bases:
        for name in (base.deps_target, base.production_target, base.ecosystem):
            taken.setdefault(name, f"the {base.ecosystem} base targets")
    for svc in sorted(services, key=lambda s: (s.target, s.package.id)):
        owner = f"{svc.package.ecosystem} package {svc.package.name} ({svc.package.manifest})"
        if svc.target in taken:
            raise PlanError.at(svc.package.manifest,
                f'target name "{svc.target}" of {owner} collides with '
                f'{taken[svc.target]}; set a distinct [service."{svc.package.name}"] target '
                "in bakegen.toml"
            )
        taken[svc.target] = owner
