"""Every generated file of a plan, as {relative path: text}."""

from __future__ import annotations

from collections.abc import Mapping

from bakegen.fingerprint import fingerprint
from bakegen.plan import Plan
from bakegen.render.bake import BAKE_FILE, render_bake
from bakegen.render.dockerfile import render_base_dockerfile, render_service_dockerfile
from bakegen.render.dockerignore import render_dockerignore


def render_files(plan: Plan, digests: Mapping[str, str] | None = None) -> dict[str, str]:
    """The bake file, one base Dockerfile per workspace, one Dockerfile per service, and a
    `<Dockerfile>.dockerignore` beside each generated Dockerfile.

    `digests` (repo path -> sha256 hex of its content) feed the bases' fingerprints.
    """
    files: dict[str, str] = {}
    fingerprints = {}
    for base in plan.bases:
        text = render_base_dockerfile(base)
        fingerprints[base.deps_target] = fingerprint(base, text, digests or {}, plan.platforms)
        files[base.dockerfile] = text
        files[base.dockerfile + ".dockerignore"] = render_dockerignore(
            base.dockerfile, base.context, plan.extra_ignores, plan.secret_files
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
