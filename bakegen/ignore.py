"""`.dockerignore` matching with Docker's own semantics.

Patterns are anchored at the context root, a pattern matching a folder matches everything
below it, the last matching pattern wins and `!` re-admits a path even when a parent folder
was excluded. pathspec's gitignore rules differ on that last point, so literal patterns are
looked up here and only wildcard patterns go through pathspec.
"""

from __future__ import annotations

from collections.abc import Iterable

import pathspec

from bakegen.tree import iter_parents


class MatchCache:
    """Compiled wildcard patterns and their results, shared by every DockerIgnore."""

    def __init__(self) -> None:
        self.specs: dict[str, pathspec.GitIgnoreSpec] = {}
        self.results: dict[tuple[str, str], bool] = {}

    def matches(self, pattern: str, path: str) -> bool:
        key = (pattern, path)
        found = self.results.get(key)
        if found is None:
            spec = self.specs.get(pattern)
            if spec is None:
                # a leading "/" anchors the pattern at the context root, as BuildKit does
                spec = self.specs[pattern] = pathspec.GitIgnoreSpec.from_lines(["/" + pattern])
            found = self.results[key] = spec.match_file(path)
        return found


class DockerIgnore:
    """A `.dockerignore` matched the way BuildKit does: patterns are anchored at the
    context root, a pattern matching a folder matches everything below it, the last
    matching pattern wins, `!` re-includes.

    Literal patterns (most of a generated file) are looked up by path and parents in a
    dict; only wildcard patterns go through pathspec. Parsing waits for the first
    question, since most targets are never asked about.
    """

    @classmethod
    def from_text(cls, text: str, cache: MatchCache | None = None) -> DockerIgnore:
        """The rules of one `.dockerignore` file's text."""
        return cls(text.splitlines(), cache)

    def __init__(self, lines: Iterable[str], cache: MatchCache | None = None) -> None:
        self._lines = tuple(lines)
        self._cache = cache or MatchCache()
        self._literals: dict[str, tuple[int, bool]] | None = None
        self._wild: list[tuple[int, bool, str]] = []

    def _parse(self) -> dict[str, tuple[int, bool]]:
        literals: dict[str, tuple[int, bool]] = {}
        for index, raw in enumerate(self._lines):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            negated = line.startswith("!")
            pattern = _clean_pattern(line[1:] if negated else line)
            if not pattern:
                continue
            if _is_literal(pattern):
                literals[_unescape(pattern)] = (index, negated)
            else:
                self._wild.append((index, negated, pattern))
        self._literals = literals
        return literals

    def excludes(self, path: str) -> bool:
        """True when the context leaves `path` (relative to the context root) out."""
        literals = self._literals if self._literals is not None else self._parse()
        best, excluded = -1, False
        for candidate in (path, *iter_parents(path)):
            hit = literals.get(candidate)
            if hit is not None and hit[0] > best:
                best, excluded = hit[0], not hit[1]
        for index, negated, pattern in reversed(self._wild):
            if index <= best:
                break
            if self._cache.matches(pattern, path):
                return not negated
        return excluded


def _clean_pattern(pattern: str) -> str:
    """Like Go's filepath.Clean on a pattern, keeping backslash escapes."""
    return "/".join(p for p in pattern.strip().split("/") if p not in ("", "."))


def _is_literal(pattern: str) -> bool:
    escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "*?[":
            return False
    return True


def _unescape(pattern: str) -> str:
    out, escaped = [], False
    for char in pattern:
        if escaped or char != "\\":
            out.append(char)
            escaped = False
        else:
            escaped = True
    return "".join(out)
