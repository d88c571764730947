"""Which folder is the repository: run from a subfolder, bakegen works on the repo's root.

Without this, `bakegen generate` in `apps/api/` would scan one package (or none) and leave
a stray docker-bake.hcl there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bakegen.formats import BAKE_FILE, CONFIG_FILE, is_generated


@dataclass(frozen=True, slots=True)
class Root:
    """The folder to work on and what marks it (None when it is the start folder itself
    and nothing marks any folder above)."""

    path: Path
    marker: str | None = None


def find_root(start: Path) -> Root:
    """The nearest folder at or above `start` holding bakegen.toml, a docker-bake.hcl that
    bakegen wrote, or `.git` (the git top level); `start` when none does."""
    start = start.resolve()
    for folder in (start, *start.parents):
        marker = _marker(folder)
        if marker:
            return Root(folder, marker)
    return Root(start)


def _marker(folder: Path) -> str | None:
    if (folder / CONFIG_FILE).is_file():
        return CONFIG_FILE
    bake = folder / BAKE_FILE
    try:
        if bake.is_file() and is_generated(bake.read_text(encoding="utf-8", errors="replace")):
            return BAKE_FILE
    except OSError:
        pass
    if (folder / ".git").exists():
        return ".git"
    return None
