"""Lockfile comparison: which workspace members a lockfile change really reaches.

One module per format parses a lockfile version into a `LockGraph`; `compare` diffs two
versions. Anything that cannot be compared precisely raises `LockfileUnsure`, and the
caller falls back to every service of the workspace.
"""

from __future__ import annotations

from collections.abc import Callable

from bakegen.lockfiles import cargo, npm, pnpm, uv, yarn
from bakegen.lockfiles.diff import LockDiff, MemberChange, diff_graphs
from bakegen.lockfiles.model import LockfileUnsure, LockGraph, Member, Members, Parser, Reader

__all__ = [
    "PARSERS", "LockDiff", "LockGraph", "LockfileUnsure", "Member", "MemberChange",
    "Members", "Parser", "Reader", "compare", "parser_for",
]

#: lockfile base name -> parser
PARSERS: dict[str, Parser] = {
    "Cargo.lock": cargo.parse,
    "uv.lock": uv.parse,
    "package-lock.json": npm.parse,
    "npm-shrinkwrap.json": npm.parse,
    "pnpm-lock.yaml": pnpm.parse,
    "yarn.lock": yarn.parse,
}


def parser_for(lockfile: str) -> Parser | None:
    """The parser for a lockfile path, by its base name."""
    return PARSERS.get(lockfile.rsplit("/", 1)[-1])


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
