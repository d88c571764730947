"""Render per-Dockerfile `.dockerignore` files that admit only what a build copies."""

from __future__ import annotations

import re

from bakegen.render import header_lines

#: never sent to a builder, whatever a pattern above admits
ALWAYS_EXCLUDED = (
    "**/.git",
    "**/.env",
    "**/.env.*",
    "**/node_modules",
    "**/target",
    "**/.venv",
    "**/__pycache__",
    "**/*.pem",
    "**/*.key",
    "**/id_rsa*",
    "**/id_ed25519*",
)
_SPECIAL = re.compile(r"([\\*?\[\]])")


def escape_pattern(path: str) -> str:
    """A literal path as a .dockerignore pattern (wildcards escaped, `#`/`!` made safe)."""
    escaped = _SPECIAL.sub(r"\\\1", path)
    return "/" + escaped if escaped[:1] in ("#", "!") else escaped


def render_dockerignore(
    dockerfile: str, admitted: tuple[str, ...], extra_ignores: tuple[str, ...] = ()
) -> str:
    """`*`, then `!path` for every admitted path, the repo's own exclusions, the fixed ones."""
    lines = [*header_lines(), f"# Build context of {dockerfile}: only the files its build copies."]
    if "." not in admitted:
        # A package at the repository root admits everything; otherwise start from nothing.
        lines += ["*", *(f"!{escape_pattern(p)}" for p in sorted(set(admitted)))]
    if extra_ignores:
        lines += ["# from the repository's .dockerignore", *extra_ignores]
    lines += ["# never part of an image", *ALWAYS_EXCLUDED]
    return "\n".join(lines) + "\n"
