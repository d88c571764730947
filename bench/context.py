"""What a Docker build context admits, emulating BuildKit's `.dockerignore` matching.

The rules follow moby's `patternmatcher` (used by BuildKit's context transfer):

* lines are trimmed, `#` lines and blank lines dropped, `!` marks an exception, the
  pattern is cleaned like Go's `filepath.Clean` and a leading `/` is removed;
* `*` and `?` never cross `/`, `**` matches any number of folders (`**/` included),
  `[...]` is a character class and `\\` escapes the next character;
* a path is excluded when the last pattern that matches it, or matches one of its
  parent folders, is not an exception (`MatchesOrParentMatches`);
* an excluded folder is not entered when no exception could match anything below it,
  as BuildKit's walker does; the result is the same, only faster.

`pathspec`'s gitignore matcher gives the same answers on the files bakegen writes
(the smoke test checks it) but is far slower for thousands of targets.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: a folder: name -> subfolder or file size in bytes
Node = dict[str, "Node | int"]


@dataclass(frozen=True, slots=True)
class Pattern:
    """One compiled `.dockerignore` line."""

    text: str
    exclusion: bool
    regex: re.Pattern[str]
    segments: tuple[str, ...]

    def match(self, path: str) -> bool:
        return self.regex.match(path) is not None


def compile_pattern(text: str, exclusion: bool) -> Pattern:
    """A moby-style pattern: `**` spans folders, `*`/`?` stay inside one segment."""
    out = ["^"]
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "*":
            if text.startswith("**", i):
                i += 2
                if text.startswith("/", i):
                    i += 1
                out.append(".*" if i >= len(text) else "(.*/)?")
                continue
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "\\" and i + 1 < len(text):
            i += 1
            out.append(re.escape(text[i]))
        elif ch == "[":
            end = text.find("]", i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                body = text[i + 1 : end]
                if body.startswith("^") or body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    out.append("$")
    return Pattern(text, exclusion, re.compile("".join(out)), tuple(text.split("/")))


def parse_dockerignore(text: str) -> tuple[Pattern, ...]:
    """Every pattern of a `.dockerignore` file, in order."""
    patterns = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        exclusion = line.startswith("!")
        if exclusion:
            line = line[1:].strip()
        line = posixpath.normpath(line) if line else line
        if len(line) > 1 and line.startswith("/"):
            line = line[1:]
        if line in ("", "."):
            continue
        patterns.append(compile_pattern(line, exclusion))
    return tuple(patterns)


def is_excluded(path: str, patterns: Iterable[Pattern]) -> bool:
    """moby's `MatchesOrParentMatches`: the last matching pattern (or parent match) wins."""
    parents = path.split("/")[:-1]
    matched = False
    for pattern in patterns:
        if pattern.exclusion != matched:
            continue
        hit = pattern.match(path)
        if not hit:
            for i in range(len(parents)):
                if pattern.match("/".join(parents[: i + 1])):
                    hit = True
                    break
        if hit:
            matched = not pattern.exclusion
    return matched


@lru_cache(maxsize=4096)
def _segment_regex(segment: str) -> re.Pattern[str]:
    return compile_pattern(segment, False).regex


def _could_match_below(pattern: Pattern, folder: tuple[str, ...]) -> bool:
    """Could an exception pattern match a path strictly below `folder`? (may say yes wrongly)"""
    segs = pattern.segments
    for i, part in enumerate(folder):
        if i >= len(segs):
            return False
        if "**" in segs[i]:
            return True
        if not _segment_regex(segs[i]).match(part):
            return False
    return len(segs) > len(folder) or any("**" in s for s in segs)


def snapshot(root: Path, skip: Iterable[str] = (".git",)) -> Node:
    """The repository's folders and file sizes (symlinks count as 0 bytes, not followed)."""
    skipped = set(skip)

    def walk(folder: str) -> Node:
        node: Node = {}
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    node[entry.name] = walk(entry.path)
                elif entry.is_symlink():
                    node[entry.name] = 0
                else:
                    node[entry.name] = entry.stat(follow_symlinks=False).st_size
        return node

    tree = walk(str(root))
    for name in skipped:
        tree.pop(name, None)
    return tree


def totals(tree: Node, skip_dirs: frozenset[str] = frozenset()) -> tuple[int, int]:
    """(files, bytes) below a snapshot, not entering folders named in `skip_dirs`."""
    files = size = 0
    stack = [tree]
    while stack:
        node = stack.pop()
        for name, value in node.items():
            if isinstance(value, dict):
                if name not in skip_dirs:
                    stack.append(value)
            else:
                files += 1
                size += value
    return files, size


def admitted(tree: Node, patterns: tuple[Pattern, ...]) -> tuple[int, int]:
    """(files, bytes) a build context with these `.dockerignore` patterns sends."""
    exceptions = [p for p in patterns if p.exclusion]
    files = size = 0
    for _, value in _walk_admitted(tree, (), patterns, exceptions):
        files += 1
        size += value
    return files, size


def admitted_paths(tree: Node, patterns: tuple[Pattern, ...]) -> list[str]:
    """Every admitted file, sorted (for tests and debugging)."""
    exceptions = [p for p in patterns if p.exclusion]
    return sorted("/".join(p) for p, _ in _walk_admitted(tree, (), patterns, exceptions))


def _walk_admitted(
    node: Node, prefix: tuple[str, ...], patterns: tuple[Pattern, ...], exceptions: list[Pattern]
) -> Iterator[tuple[tuple[str, ...], int]]:
    for name, value in node.items():
        parts = (*prefix, name)
        excluded = is_excluded("/".join(parts), patterns)
        if isinstance(value, dict):
            if excluded and not any(_could_match_below(p, parts) for p in exceptions):
                continue
            yield from _walk_admitted(value, parts, patterns, exceptions)
        elif not excluded:
            yield parts, value
