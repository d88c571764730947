"""Per-service settings the ecosystems read: the records of `bakegen.toml` below the loader.

They sit apart from `config` (which validates the file and asks `ecosystems.ECOSYSTEMS` for
the known names) so that the ecosystems can use them without importing the loader.
"""

from __future__ import annotations

from dataclasses import dataclass

#: one production dependency layer per workspace, or one per service holding only its own
SHARED = "shared"
PER_SERVICE = "per-service"
#: a service keeping the workspace's shared set in a workspace whose production-base has none
#: (some of its services are per-service): it carries that set itself, in a stage every such
#: service writes alike, so BuildKit runs it once and the images share the layer
SHARED_IN_SERVICE = "shared-in-service"


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    """Per-service overrides, keyed in the config by package name."""

    dockerfile: str | None = None
    entrypoint: tuple[str, ...] | None = None
    cmd: tuple[str, ...] | None = None
    port: int | None = None
    healthcheck: str | None = None
    #: the HTTP path that answers 2xx/3xx when the service is healthy: bakegen writes a
    #: HEALTHCHECK probing it with what the runtime has (`healthcheck` wins when both are set)
    health: str | None = None
    #: the bin targets a Rust service's image ships (default: every bin of the crate)
    binaries: tuple[str, ...] | None = None
    #: serve the package's build output with the static web server instead of its runtime;
    #: None lets bakegen decide from the package (a build script and no server start)
    static: bool | None = None
    args: tuple[tuple[str, str], ...] = ()
    target: str | None = None
    context: str | None = None
    #: BuildKit secrets the service's build steps see as environment variables: (id, source)
    secrets: tuple[tuple[str, str], ...] = ()
    #: build on the shared bases instead of the service's own Dockerfile (None: not said)
    adopt: bool | None = None
    #: "shared" or "per-service" for this service, over the config's `dependencies`
    dependencies: str | None = None
