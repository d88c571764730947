"""Content-addressed tags for base images (CI mode).

A base's fingerprint covers everything that determines it: the text of its generated
Dockerfile, the contents of every file its build context admits (root manifests, every
package manifest, the lockfile, tool files), the base image references and the target
platforms. Same inputs, same tag; any input changes, the tag changes.

bakegen's own settings are not an input of any base: a `pyproject.toml` is hashed without
its `[tool.bakegen]` tables (`input_digest`), so editing a Node service's port there does not
retag, and rebuild in CI, the Python base.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Mapping

from bakegen.config import without_tool_table
from bakegen.errors import BakegenError
from bakegen.plan import BasePlan, Plan
from bakegen.render.dockerfile import render_base_dockerfile
from bakegen.tree import SourceTree

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


def input_digest(tree: SourceTree, rel: str) -> str:
    """sha256 hex of what a base takes from a file: its bytes, except that a pyproject.toml
    loses its `[tool.bakegen]` tables first (no build tool reads them)."""
    if posixpath.basename(rel) != "pyproject.toml":
        return tree.digest(rel)
    try:
        text = tree.read_text(rel)
    except BakegenError:
        return tree.digest(rel)
    if not _TOOL_TABLE.search(text):
        # the common case, told without tomlkit: a full parse of every pyproject.toml took
        # 5 s at 10,000 packages whose descriptions say "bakegen"
        return tree.digest(rel)
    return hashlib.sha256(without_tool_table(text).encode()).hexdigest()


#: where a `[tool.bakegen]` table can start: its header (`[tool.bakegen]`, `[tool.bakegen.x]`,
#: quoted or spaced), a dotted key (`tool.bakegen.x = 1`), or `bakegen` inside `[tool]`
_TOOL_TABLE = re.compile(
    r"""(?m)^[ \t]*(?:\[+[ \t]*["']?tool["']?[ \t]*\.[ \t]*["']?bakegen\b"""
    r"""|["']?tool["']?[ \t]*\.[ \t]*["']?bakegen\b|["']?bakegen["']?[ \t]*[.=])"""
)
