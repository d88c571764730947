"""Per-service settings the ecosystems read: the records of `bakegen.toml` below the loader.

They sit apart from `config` (which validates the file and asks `ecosystems.ECOSYSTEMS` for
the known names) so that the ecosystems can use them without importing the loader.
"""

from __future__ import annotations

from dataclasses import dataclass

#: one production dependency layer per workspace, or one per service holding only its own
PER_SERVICE = "per-service"


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    """Per-service overrides, keyed in the config by package name."""

    dockerfile: str | None = None
    entrypoint: tuple[str, ...] | None = None
    cmd: tuple[str, ...] | None = None
    port: int | None = None
    healthcheck: str | None = None
    args: tuple[tuple[str, str], ...] = ()
    target: str | None = None
    context: str | None = None
    #: BuildKit secrets the service's build steps see as environment variables: (id, source)
    secrets: tuple[tuple[str, str], ...] = ()
