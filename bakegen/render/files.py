"""Every generated file of a plan, as {relative path: text}."""

from __future__ import annotations

from collections.abc import Mapping

from bakegen.formats import BAKE_FILE
from bakegen.plan import Plan
from bakegen.render.bake import render_bake
from bakegen.render.dockerfile import (
    render_base_dockerfile,
    render_service_dockerfile,
    render_tool_dockerfile,
)
from bakegen.render.dockerignore import render_dockerignore


def render_files(plan: Plan, fingerprints: Mapping[str, str]) -> dict[str, str]:
    """The render stage: the bake file, one base Dockerfile per workspace, one Dockerfile
    per service and per helper target, and a `<Dockerfile>.dockerignore` beside each
    generated Dockerfile.

    `fingerprints` (deps target -> fingerprint, `bakegen.fingerprint.fingerprint_bases`)
    label the bases and name their CI tags.
    """
    files: dict[str, str] = {}
    for base in plan.bases:
        files[base.dockerfile] = render_base_dockerfile(base)
        files[base.dockerfile + ".dockerignore"] = render_dockerignore(
            base.dockerfile, base.context, plan.extra_ignores, plan.secret_files
        )
    for tool in plan.tools:
        files[tool.dockerfile] = render_tool_dockerfile(tool)
        # it copies nothing from the build context
        files[tool.dockerfile + ".dockerignore"] = render_dockerignore(
            tool.dockerfile, (), plan.extra_ignores, plan.secret_files
        )
    for svc in plan.services:
        if not svc.generated:
            continue
        files[svc.dockerfile] = render_service_dockerfile(svc)
        files[svc.dockerfile + ".dockerignore"] = render_dockerignore(
            svc.dockerfile, svc.context, plan.extra_ignores, plan.secret_files
        )
    files[BAKE_FILE] = render_bake(plan, fingerprints)
    return dict(sorted(files.items()))
