"""The oldest Rust that can build a workspace at all, from facts the repository states.

`rust-version` is a minimum the authors support, and bakegen builds with it (the build
image follows the repository). But some files need a newer cargo just to be read: a
`Cargo.lock` of format 4, `edition = "2024"`, `resolver = "3"`. An image older than that
fails before compiling anything, so the chosen version is raised to this floor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Cargo.lock `version = N` -> the first Rust whose cargo reads it
LOCKFILE_FLOOR = {3: (1, 53), 4: (1, 78)}
EDITION_FLOOR = {"2018": (1, 31), "2021": (1, 56), "2024": (1, 85)}
RESOLVER_FLOOR = {"2": (1, 51), "3": (1, 84)}
_LOCK_VERSION = re.compile(r"^version\s*=\s*(\d+)\s*$", re.M)


def lockfile_format(text: str) -> int | None:
    """The `version = N` of a Cargo.lock (before its first `[[package]]`), if any."""
    head = text.split("[[", 1)[0]
    match = _LOCK_VERSION.search(head)
    return int(match.group(1)) if match else None


def parse(version: str) -> tuple[int, ...]:
    """`1.83` -> (1, 83); `1.83.0` -> (1, 83, 0)."""
    return tuple(int(part) for part in version.split("."))


def rust_floor(
    lock_format: int | None, editions: Iterable[str], resolver: str | None
) -> tuple[tuple[int, int], str] | None:
    """(oldest usable Rust, the reason) for this workspace; None when nothing demands one."""
    needs: list[tuple[tuple[int, int], str]] = []
    if lock_format in LOCKFILE_FLOOR:
        needs.append((LOCKFILE_FLOOR[lock_format], f"Cargo.lock format {lock_format}"))
    needs += [(EDITION_FLOOR[e], f'edition "{e}"') for e in set(editions) if e in EDITION_FLOOR]
    if resolver in RESOLVER_FLOOR:
        needs.append((RESOLVER_FLOOR[resolver], f'resolver "{resolver}"'))
    return max(needs) if needs else None


def raise_to_floor(
    version: str | None, floor: tuple[tuple[int, int], str] | None
) -> tuple[str | None, str | None]:
    """(version to build with, why it was raised or None). No version stays None: the
    default image is the newest stable Rust, above every floor."""
    if version is None or floor is None or parse(version) >= floor[0]:
        return version, None
    raised = ".".join(str(n) for n in floor[0])
    return raised, f"{floor[1]} needs Rust {raised} or newer"
