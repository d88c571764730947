"""Render base and service Dockerfiles from the ecosystems' recipes."""

from __future__ import annotations

import re

from bakegen.adopt.render import carried_packages, carried_runtime
from bakegen.ecosystems.base import Stage, ToolTarget, image_command
from bakegen.ecosystems.instructions import exec_form
from bakegen.ecosystems.runtime import (
    APP_UID,
    bare_runtime_setup,
    runtime_setup,
    runtime_tools_stage,
)
from bakegen.formats import header_lines
from bakegen.health import OPTIONS as HEALTH_OPTIONS
from bakegen.plan import BasePlan, ServicePlan
from bakegen.settings import ServiceSettings

SYNTAX = "# syntax=docker/dockerfile:1"
#: what the built-in frontend of BuildKit 0.10 (Dockerfile 1.4: heredocs, RUN --mount,
#: named contexts), the oldest BuildKit bake's `target:` contexts work with, cannot read:
#: secrets mounted as environment variables (Dockerfile 1.10)
_NEWER_SYNTAX = re.compile(r"--mount=type=secret,\S*\benv=")
#: a stage that runs natively on the builder and cross-compiles for the target platform
BUILD_PLATFORM = "--platform=$BUILDPLATFORM "
CROSS_ARGS = ("ARG TARGETOS", "ARG TARGETARCH")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _text(lines: list[str]) -> str:
    """The Dockerfile, with the `# syntax` directive only where the builder's own frontend
    may be too old for it.

    The directive makes BuildKit resolve `docker/dockerfile:1` and start it as a container
    for every target of every bake: on the benchmark monorepo that was half of a bake in
    which nothing changed (median 3.6 s against 2.05 s without it, 18 targets).
    """
    body = "\n".join(lines) + "\n"
    return f"{SYNTAX}\n{body}" if _NEWER_SYNTAX.search(body) else body


def _comment(text: str) -> str:
    """A comment line that no name can break out of."""
    return "# " + _CONTROL.sub("?", text)


def render_tool_dockerfile(tool: ToolTarget) -> str:
    """A helper target's Dockerfile: its stages, the last one being what it builds."""
    lines = [*header_lines(), _comment(tool.description)]
    lines += [f"ARG {name}={default}" for name, default in tool.image_args]
    for stage in tool.stages:
        lines += ["", *_stage(stage)]
    return _text(lines)


def render_base_dockerfile(base: BasePlan) -> str:
    """deps-base, any intermediate stages, and production-base of one workspace."""
    ws = base.workspace
    build_var, runtime_var = base.build_image, base.runtime_image
    lines = [
        *header_lines(),
        _comment(
            f"Shared bases of the {ws.ecosystem} workspace at {ws.root} "
            f"({ws.manager}, {ws.lockfile or 'no lockfile'})."
        ),
        f"ARG {build_var.name}={build_var.default}",
        f"ARG {runtime_var.name}={runtime_var.default}",
        "",
        f"FROM {BUILD_PLATFORM if base.recipe.build_platform else ''}"
        f"${{{build_var.name}}} AS deps-base",
        "WORKDIR /workspace",
        *base.recipe.deps,
    ]
    for stage in base.recipe.intermediate:
        lines += ["", *_stage(stage)]
    tools = runtime_tools_stage(runtime_var.default)
    if tools:
        lines += ["", *tools]
    lines += [
        "",
        f"FROM ${{{runtime_var.name}}} AS production-base",
        *runtime_setup(runtime_var.default),
        "WORKDIR /app",
        *base.recipe.production,
    ]
    return _text(lines)


def _stage(stage: Stage) -> list[str]:
    return [f"FROM {stage.base} AS {stage.name}", *stage.instructions]


def _build_args(settings: ServiceSettings) -> list[str]:
    """`ARG` for every configured build argument: bake passes only what a stage declares,
    and build steps see declared ones as environment variables (`CI`, `NEXT_PUBLIC_*`)."""
    return [f"ARG {name}" for name, _ in settings.args]


def _with_secrets(build: tuple[str, ...], settings: ServiceSettings) -> list[str]:
    """Every RUN of the build stage mounts the service's secrets as environment variables."""
    if not settings.secrets:
        return list(build)
    mounts = " ".join(
        f"--mount=type=secret,id={secret_id},env={secret_id}" for secret_id, _ in settings.secrets
    )
    return [
        f"RUN {mounts} {line[4:]}" if line.startswith("RUN ") else line for line in build
    ]


def render_service_dockerfile(svc: ServicePlan) -> str:
    """The build stage on deps-base and the final stage on production-base."""
    recipe = svc.recipe
    if recipe is None:
        raise ValueError(f"{svc.target} uses its own Dockerfile")
    settings = svc.settings
    pkg = svc.package
    runtime_var = svc.bases.runtime_image
    lines = [
        *header_lines(),
        _comment(f"Service {pkg.name} ({pkg.path}), built on the {pkg.ecosystem} bases."),
    ]
    if recipe.bare_runtime:
        lines.append(f"ARG {runtime_var.name}={runtime_var.default}")
    lines += [f"ARG {name}={default}" for name, default in recipe.image_args]
    lines += [
        "",
        f"FROM {BUILD_PLATFORM if recipe.build_platform else ''}deps-base AS build",
        *(CROSS_ARGS if recipe.build_platform else ()),
        "WORKDIR /workspace",
        *_build_args(settings),
        *_with_secrets(recipe.build, settings),
        "",
    ]
    for stage in recipe.stages:
        lines += [*_stage(stage), ""]
    if recipe.final_base:
        lines.append(f"FROM {recipe.final_base}")
    elif recipe.bare_runtime:
        lines += [
            f"FROM ${{{runtime_var.name}}}",
            *bare_runtime_setup(runtime_var.default),
        ]
    else:
        lines.append("FROM production-base")
    carried = svc.carried
    if carried is not None:
        lines += carried_packages(carried, runtime_var.default)
    lines += ["WORKDIR /app", *recipe.runtime]
    if carried is not None:
        lines += carried_runtime(carried)
    if settings.port is not None:
        lines += [f"ENV PORT={settings.port}", f"EXPOSE {settings.port}"]
    if settings.healthcheck:
        lines.append(f"HEALTHCHECK CMD {settings.healthcheck}")
    elif carried is not None and carried.healthcheck:
        lines.append(carried.healthcheck)
    elif recipe.healthcheck:
        lines.append(f"HEALTHCHECK {HEALTH_OPTIONS} CMD {recipe.healthcheck}")
    lines.append(f"USER {APP_UID}:{APP_UID}")
    if settings.entrypoint is not None:
        lines.append(f"ENTRYPOINT {exec_form(settings.entrypoint)}")
    command = image_command(settings, recipe.command)
    if command:
        lines.append(f"CMD {exec_form(command)}")
    return _text(lines)
