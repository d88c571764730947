"""Every generated file of a plan, as {relative path: text}."""

from __future__ import annotations

from bakegen.plan import Plan
from bakegen.render.bake import BAKE_FILE, render_bake
from bakegen.render.dockerfile import render_base_dockerfile, render_service_dockerfile
from bakegen.render.dockerignore import render_dockerignore


def render_files(plan: Plan) -> dict[str, str]:
    """The bake file, one base Dockerfile per workspace, one Dockerfile per service, and a
    `<Dockerfile>.dockerignore` beside each generated Dockerfile."""
    files = {BAKE_FILE: render_bake(plan)}
    for base in plan.bases:
        files[base.dockerfile] = render_base_dockerfile(base)
        files[base.dockerfile + ".dockerignore"] = render_dockerignore(
            base.dockerfile, base.context, plan.extra_ignores
        )
    for svc in plan.services:
        if not svc.generated:
            continue
        files[svc.dockerfile] = render_service_dockerfile(svc)
        files[svc.dockerfile + ".dockerignore"] = render_dockerignore(
            svc.dockerfile, svc.context, plan.extra_ignores
        )
    return dict(sorted(files.items()))
