"""Lockfile comparison: which workspace members a lockfile change really reaches.

Each ecosystem's `lockfile` module parses a version of its lockfiles into a `LockGraph`
(`bakegen.ecosystems.lockfile_parser` finds the parser by file name); `compare` diffs two
versions. Anything that cannot be compared precisely raises `LockfileUnsure`, and the
caller falls back to every service of the workspace.
"""

from __future__ import annotations

from collections.abc import Callable

from bakegen.lockfiles.diff import LockDiff, MemberChange, diff_graphs
from bakegen.lockfiles.model import LockfileUnsure, LockGraph, Member, Members, Parser, Reader

__all__ = [
    "LockDiff", "LockGraph", "LockfileUnsure", "Member", "MemberChange",
    "Members", "Parser", "Reader", "compare",
]


def compare(
    parse: Parser | Callable[[str, Members, Reader], LockGraph],
    old_text: str,
    new_text: str,
    members: Members,
    read_old: Reader,
    read_new: Reader,
) -> LockDiff:
    """Diff two versions of one lockfile; LockfileUnsure when either cannot be read."""
    return diff_graphs(parse(old_text, members, read_old), parse(new_text, members, read_new))
