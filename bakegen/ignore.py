"""`.dockerignore` matching with Docker's own semantics (moby/patternmatcher).

Unlike `.gitignore`, a later `!pattern` re-admits a path even when a parent folder was
excluded, and a pattern matching a parent folder matches everything below it. The last
pattern that matches decides. pathspec's gitignore rules differ on exactly these points,
so the matcher is ours.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class _Pattern:
    regex: re.Pattern[str]
    exclusion: bool
    depth: int


def _compile(pattern: str) -> re.Pattern[str]:
    out = ["^"]
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            if pattern.startswith("**", i):
                i += 2
                if pattern.startswith("/", i):
                    i += 1
                out.append(".*" if i >= len(pattern) else "(.*/)?")
                continue
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "\\":
            i += 1
            out.append(re.escape(pattern[i]) if i < len(pattern) else "\\\\")
        elif ch in "[]":
            out.append(ch)
        else:
            out.append(re.escape(ch))
        i += 1
    out.append("$")
    try:
        return re.compile("".join(out))
    except re.error:
        return re.compile(r"(?!)")  # Docker rejects the file; here it simply never matches


@dataclass(frozen=True, slots=True)
class DockerIgnore:
    """The rules of one `.dockerignore` file."""

    patterns: tuple[_Pattern, ...]

    @classmethod
    def from_text(cls, text: str) -> DockerIgnore:
        """Parse a `.dockerignore` file's text (comments and blank lines skipped)."""
        patterns = []
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            exclusion = line.startswith("!")
            if exclusion:
                line = line[1:].strip()
            line = posixpath.normpath(line)
            if len(line) > 1 and line.startswith("/"):
                line = line.lstrip("/")
            if line == ".":
                continue
            patterns.append(_Pattern(_compile(line), exclusion, line.count("/") + 1))
        return cls(tuple(patterns))

    def excludes(self, path: str) -> bool:
        """True when the file at `path` (relative, POSIX) is kept out of the build context."""
        parent = posixpath.dirname(path)
        parents = parent.split("/") if parent else []
        excluded = False
        for pattern in self.patterns:
            if pattern.exclusion != excluded:
                continue
            match = bool(pattern.regex.match(path))
            if not match and parents:
                match = any(
                    pattern.regex.match("/".join(parents[: i + 1])) for i in range(len(parents))
                )
            if match:
                excluded = not pattern.exclusion
        return excluded
