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
    "**/.netrc",
    "**/.pypirc",
    "**/.git-credentials",
    "**/.cargo/credentials",
    "**/.cargo/credentials.toml",
)
_SPECIAL = re.compile(r"([\\*?\[\]])")


def escape_pattern(path: str) -> str:
    """A literal path as a .dockerignore pattern (wildcards escaped, `#`/`!` made safe).

    BuildKit trims whitespace around each line, so a space opening or closing the path is
    written as a one-character class (`[ ]`), which no trimming touches.
    """
    escaped = _SPECIAL.sub(r"\\\1", path)
    if escaped[-1:].isspace():
        escaped = f"{escaped[:-1]}[{escaped[-1]}]"
    if escaped[:1].isspace():
        escaped = f"[{escaped[0]}]{escaped[1:]}"
    return "/" + escaped if escaped[:1] in ("#", "!") else escaped


def render_dockerignore(
    dockerfile: str,
    admitted: tuple[str, ...],
    extra_ignores: tuple[str, ...] = (),
    secret_files: tuple[str, ...] = (),
) -> str:
    """`*`, then `!path` for every admitted path, the repo's own exclusions, files holding
    credentials, the fixed exclusions."""
    lines = [*header_lines(), f"# Build context of {dockerfile}: only the files its build copies."]
    for heading, patterns in context_sections(admitted, extra_ignores, secret_files):
        if heading:
            lines.append(f"# {heading}")
        lines += patterns
    return "\n".join(lines) + "\n"


def context_patterns(
    admitted: tuple[str, ...],
    extra_ignores: tuple[str, ...] = (),
    secret_files: tuple[str, ...] = (),
) -> tuple[str, ...]:
    """The patterns of a generated `.dockerignore`, in order, without its comments: what
    `affected` matches paths against, straight from the plan."""
    return tuple(p for _, patterns in context_sections(admitted, extra_ignores, secret_files)
                 for p in patterns)


def context_sections(
    admitted: tuple[str, ...],
    extra_ignores: tuple[str, ...] = (),
    secret_files: tuple[str, ...] = (),
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(heading, patterns) of each part of a generated `.dockerignore` ("" for no heading)."""
    sections: list[tuple[str, tuple[str, ...]]] = []
    if "." not in admitted:
        # A package at the repository root admits everything; otherwise start from nothing.
        sections.append(("", ("*", *(f"!{escape_pattern(p)}" for p in sorted(set(admitted))))))
    if extra_ignores:
        sections.append(("from the repository's .dockerignore", extra_ignores))
    if secret_files:
        sections.append((
            "hold credentials: pass them as BuildKit secrets (docs/security.md)",
            tuple(escape_pattern(p) for p in sorted(set(secret_files))),
        ))
    sections.append(("never part of an image", ALWAYS_EXCLUDED))
    return tuple(sections)
