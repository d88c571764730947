"""What every ecosystem provides (`Ecosystem`) and the recipe records it fills.

An ecosystem is a package under `bakegen/ecosystems/` whose module satisfies `Ecosystem`;
`bakegen.ecosystems.ECOSYSTEMS` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bakegen.lockfiles.model import Parser
from bakegen.model import DepKind, EcosystemScan, Package, Workspace
from bakegen.settings import ServiceSettings
from bakegen.tree import SourceTree


@dataclass(frozen=True, slots=True)
class Stage:
    """A Dockerfile stage: `FROM base AS name` followed by instructions."""

    name: str
    base: str
    instructions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ToolTarget:
    """A helper image of its own bake target (bakegen's static web server), which services
    take files from through a `target:` context of the same name.

    Its own target, not a stage of each service's Dockerfile: bake starts a service's
    stages only once every target it links is built, so a stage there would wait for
    deps-base; a target of its own builds beside the bases, once per bake. `stages` end
    with the one the target builds.
    """

    name: str
    #: the generated Dockerfile's path, and the comment heading it
    dockerfile: str
    description: str
    stages: tuple[Stage, ...]
    #: `ARG name=default` lines before the first FROM, each a bake variable of that name
    image_args: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class BaseRecipe:
    """How an ecosystem fills the shared base Dockerfile of one workspace.

    `deps` follows `FROM <build image> AS deps-base` (WORKDIR is already /workspace);
    `intermediate` stages come between deps-base and production-base (e.g. a pruned copy
    of the install); `production` follows the common runtime setup of production-base
    (CA certificates, tini, the non-root user `app`), with WORKDIR /app.
    """

    deps: tuple[str, ...]
    intermediate: tuple[Stage, ...] = ()
    production: tuple[str, ...] = ()
    #: deps-base runs on the build machine's platform (`FROM --platform=$BUILDPLATFORM`):
    #: the ecosystem cross-compiles, so no stage of a build needs emulation (Go)
    build_platform: bool = False


@dataclass(frozen=True, slots=True)
class ServiceRecipe:
    """How an ecosystem builds one service on the bases.

    `build` follows `FROM deps-base AS build` (WORKDIR /workspace); `runtime` follows
    `FROM production-base` (WORKDIR /app) and copies artifacts from the `build` stage;
    `command` is the exec-form CMD that starts the service (tini is already ENTRYPOINT).
    `context` lists the repository paths (files or folders) the build stage copies, so the
    service's `.dockerignore` admits exactly those. `bare_runtime` starts the final stage
    from the bare runtime image instead (with production-base's user and init only), for
    builds that ship their own dependencies (Next.js standalone output).
    """

    build: tuple[str, ...]
    runtime: tuple[str, ...]
    command: tuple[str, ...]
    context: tuple[str, ...]
    bare_runtime: bool = False
    #: stages between `build` and the final stage (the service's own production dependencies)
    stages: tuple[Stage, ...] = ()
    #: what follows `HEALTHCHECK <options> CMD`: a probe of the service's health path
    #: (see bakegen.health); empty for none
    healthcheck: str = ""
    #: the final stage's own FROM (`scratch` for a static site), instead of production-base
    final_base: str = ""
    #: `ARG name=default` lines before the first FROM, each a bake variable of that name
    image_args: tuple[tuple[str, str], ...] = ()
    #: the build stage runs on the build machine's platform and cross-compiles for
    #: TARGETOS/TARGETARCH, which it declares (Go)
    build_platform: bool = False
    #: helper targets the service's stages copy from by name (`COPY --from=<name>`)
    tools: tuple[ToolTarget, ...] = ()

    @property
    def links_production_base(self) -> bool:
        """Whether the image needs production-base: as its FROM, or to copy files from it
        (a bun service on plain Debian takes its user, tini and CA bundle)."""
        return not self.final_base or any(
            "--from=production-base " in line for line in self.runtime)


def any_name(name: str) -> str | None:
    """`name_problem` of an ecosystem whose scan accepts every name its manifests hold."""
    return None


def no_locked_members(lockfile: str, text: str) -> set[str] | None:
    """`locked_members` of an ecosystem whose lockfiles list no members."""
    return None


def no_service_problem(package: Package) -> str | None:
    """`service_problem` of an ecosystem with no rule of its own."""
    return None


def image_command(settings: ServiceSettings, recipe_command: tuple[str, ...]) -> tuple[str, ...]:
    """The CMD a service's image runs: the config's `cmd` when it sets one (an empty one runs
    nothing), else the recipe's command."""
    return settings.cmd if settings.cmd is not None else recipe_command


class Ecosystem(Protocol):
    """Finds one ecosystem's packages and knows how it installs and builds in a Dockerfile."""

    name: str
    #: prefix of the bake variables naming its images: `NODE` -> NODE_IMAGE, NODE_RUNTIME_IMAGE
    image_variable: str
    #: how messages name its runtime (`Rust` for cargo)
    display_name: str
    #: the manifest file names its packages are declared in
    manifest_files: tuple[str, ...]
    #: Docker Hub repositories of its language images, whose tag is the runtime version
    image_repositories: tuple[str, ...]
    #: words in an image name that point to it (`bun` for node)
    image_hints: tuple[str, ...]
    #: BuildKit secret id -> where its install steps mount it (`[secrets]` ids of the config)
    secrets: dict[str, str]
    #: how many parts of a runtime version choose its image (`20` for Node, `3.11` for Python)
    version_parts: int
    #: edge kinds followed when collecting what a service's build stage needs
    build_closure_kinds: frozenset[DepKind]
    #: lockfile base name -> the parser `affected` compares two of its versions with
    lockfiles: dict[str, Parser]
    #: package manager -> the command that updates its lockfile only (after `new`)
    lock_commands: dict[str, tuple[str, ...]]
    #: the word `bakegen new --lang` takes for it (`rust` for cargo)
    language: str
    #: "module:attribute" of its `new` scaffold (a `bakegen.onboarding.context.Language`),
    #: imported only by `new`, since onboarding sits above the ecosystems
    scaffold: str

    #: whether its packages' binaries are what a service image runs (Rust bin targets,
    #: console scripts, Go mains), so a package whose binaries are all tools is no service;
    #: Node's `bin` entries are CLIs beside the server
    binaries_are_services: bool

    #: lockfile base name -> the command that writes it again (the lockfiles the scan
    #: checks before a locked install fails in the image)
    regenerate: dict[str, str]

    def locked_members(self, lockfile: str, text: str) -> set[str] | None:
        """The workspace members a lockfile records (None when it does not say); raises
        `LockfileUnsure` when the file cannot be read."""
        ...

    def name_problem(self, name: str) -> str | None:
        """Why the ecosystem's own tools refuse this package name, or None."""
        ...

    def service_problem(self, package: Package) -> str | None:
        """Why a service candidate cannot run as an image, by this ecosystem's own rules
        (a Node start script that runs a dev server), or None."""
        ...

    def scan(self, tree: SourceTree) -> EcosystemScan:
        """Find workspaces and packages, their internal dependencies, and problems."""
        ...

    def default_images(self, workspace: Workspace) -> tuple[str, str]:
        """(build image, runtime image) chosen from the repo's runtime version."""
        ...

    def base_recipe(
        self, workspace: Workspace, packages: tuple[Package, ...], dependencies: str = "shared"
    ) -> BaseRecipe:
        """The deps-base and production-base contents for this workspace.

        `dependencies` is the config's switch: "shared" puts the workspace's production
        dependencies in production-base, "per-service" leaves them to each service.
        """
        ...

    def service_recipe(
        self,
        workspace: Workspace,
        service: Package,
        closure: tuple[Package, ...],
        settings: ServiceSettings,
        dependencies: str = "shared",
    ) -> ServiceRecipe:
        """The build and runtime steps of one service; `closure` excludes the service.

        `dependencies` is the service's mode: "shared" (production-base holds the
        workspace's production dependencies), "per-service" (the service's own, derived
        from deps-base) or `SHARED_IN_SERVICE` (the workspace's set, which this service
        carries itself because production-base has none).
        """
        ...
