"""Content-addressed tags for base images (CI mode).

A base's fingerprint covers everything that determines it: the text of its generated
Dockerfile, the contents of every file its build context admits (root manifests, every
package manifest, the lockfile, tool files), the base image references and the target
platforms. Same inputs, same tag; any input changes, the tag changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from bakegen.plan import BasePlan, Plan
from bakegen.render.dockerfile import render_base_dockerfile

FINGERPRINT_LENGTH = 20


def fingerprint_bases(plan: Plan, digests: Mapping[str, str]) -> dict[str, str]:
    """The fingerprint stage: each base's deps target -> the fingerprint of its inputs.

    `digests` maps repo paths to the sha256 hex of their content (a path it lacks counts
    as absent).
    """
    return {
        base.deps_target: fingerprint(base, render_base_dockerfile(base), digests, plan.platforms)
        for base in plan.bases
    }


def fingerprint(
    base: BasePlan,
    dockerfile_text: str,
    digests: Mapping[str, str],
    platforms: tuple[str, ...],
) -> str:
    """A stable hex digest of a base's inputs; `digests` maps repo paths to sha256 hex."""
    h = hashlib.sha256()
    fields = [
        ("dockerfile", hashlib.sha256(dockerfile_text.encode()).hexdigest()),
        ("build-image", base.build_image.default),
        ("runtime-image", base.runtime_image.default),
        ("platforms", ",".join(sorted(platforms))),
        *((f"file:{path}", digests.get(path, "absent")) for path in sorted(base.context)),
    ]
    for key, value in fields:
        h.update(f"{key}\0{value}\n".encode())
    return h.hexdigest()[:FINGERPRINT_LENGTH]
