"""A one-pass index of the repository's files, honouring .gitignore and never leaving the root.

Ecosystems look manifests up here instead of walking the disk themselves, so a repository
with thousands of packages is walked once, and noise folders (`node_modules`, `target`,
`.venv`, ...) are never entered.
"""

from __future__ import annotations

import hashlib
import os
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath

import pathspec

from bakegen.errors import BakegenError, Problem

ALWAYS_SKIPPED_DIRS = frozenset(
    {
        ".git",
        "node_modules",
        "target",
        ".venv",
        "venv",
        "dist",
        "__pycache__",
        ".yarn",
        ".pnpm-store",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".hg",
        ".svn",
    }
)
MAX_MANIFEST_BYTES = 8 * 1024 * 1024
#: where package managers keep registry credentials: remembered even when `.gitignore`d,
#: since a build context admitting their folder would still send them to the builder
CREDENTIAL_FILE_NAMES = frozenset(
    {".npmrc", ".yarnrc", ".yarnrc.yml", "pip.conf", "pip.ini", "uv.toml", ".netrc", ".pypirc"}
)


@dataclass(frozen=True, slots=True)
class SourceTree:
    """The files of a repository below `root`, as sorted POSIX paths relative to it."""

    root: Path
    files: tuple[str, ...]
    problems: tuple[Problem, ...] = ()
    #: `.gitignore`d files named in CREDENTIAL_FILE_NAMES (not indexed, but on disk)
    hidden_credentials: tuple[str, ...] = ()
    _by_name: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)
    _file_set: frozenset[str] = field(default_factory=frozenset, compare=False, repr=False)
    _digests: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def scan(cls, root: Path | str) -> SourceTree:
        """Walk `root` once and index every file that is not ignored."""
        root_path = Path(root)
        if not root_path.is_dir():
            raise BakegenError.at(root, "not a directory")
        root_path = root_path.resolve()
        files: list[str] = []
        problems: list[Problem] = []
        hidden: list[str] = []
        _walk(root_path, str(root_path), "", [], files, problems, hidden)
        return cls.from_files(root_path, files, problems, hidden)

    @classmethod
    def from_files(
        cls,
        root: Path,
        files: Iterable[str],
        problems: Iterable[Problem] = (),
        hidden_credentials: Iterable[str] = (),
    ) -> SourceTree:
        """Build an index from a list of relative paths (sorted here, whatever their order)."""
        ordered = tuple(sorted(set(files)))
        by_name: dict[str, list[str]] = {}
        for rel in ordered:
            by_name.setdefault(rel.rsplit("/", 1)[-1], []).append(rel)
        return cls(
            root=root,
            files=ordered,
            problems=tuple(sorted(problems, key=Problem.sort_key)),
            hidden_credentials=tuple(sorted(hidden_credentials)),
            _by_name={k: tuple(v) for k, v in by_name.items()},
            _file_set=frozenset(ordered),
        )

    def named(self, filename: str) -> tuple[str, ...]:
        """Every indexed file with this base name, sorted."""
        return self._by_name.get(filename, ())

    def exists(self, rel: str) -> bool:
        return normalize(rel) in self._file_set

    def files_below(self, folder: str) -> list[str]:
        """Indexed files below `folder` (repository paths), found by bisecting the sorted
        index (no walk)."""
        prefix = folder + "/"
        found = []
        for rel in self.files[bisect_left(self.files, prefix):]:
            if not rel.startswith(prefix):
                break
            found.append(rel)
        return found

    def read_text(self, rel: str) -> str:
        """Read an indexed file as UTF-8, raising BakegenError naming the file on failure."""
        try:
            data = _read_file(os.path.join(self.root, rel), rel)
        except OSError as exc:
            raise BakegenError.at(rel, f"cannot read ({exc.strerror or exc})") from exc
        self._digests[rel] = hashlib.sha256(data).hexdigest()
        if b"\x00" in data:
            raise BakegenError.at(rel, "binary data, not a text manifest")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BakegenError.at(rel, f"not valid UTF-8 (byte {exc.start})") from exc

    def digest(self, rel: str) -> str:
        """sha256 hex of a file's bytes (files read during the scan are not read again)."""
        known = self._digests.get(rel)
        if known is None:
            try:
                known = hashlib.sha256(_read_file(os.path.join(self.root, rel))).hexdigest()
            except OSError:
                known = "unreadable"
            self._digests[rel] = known
        return known


def _read_file(path: str, manifest: str | None = None) -> bytes:
    """A file's bytes with plain os calls (open, fstat, read, close): `open()`'s buffering
    set-up adds an ioctl and two lseeks per file, which shows on 10,000 manifests. With
    `manifest` (its name for messages), files above MAX_MANIFEST_BYTES are refused."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        size = os.fstat(fd).st_size
        if manifest is not None and size > MAX_MANIFEST_BYTES:
            raise BakegenError.at(manifest,
                f"file is {size // (1024 * 1024)} MiB, larger than the "
                f"{MAX_MANIFEST_BYTES // (1024 * 1024)} MiB bakegen reads"
            )
        chunks = []
        while chunk := os.read(fd, max(size + 1, 65536)):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def normalize(rel: str) -> str:
    """`./a//b/` -> `a/b`; the root is `.`."""
    parts = [p for p in PurePosixPath(rel.replace("\\", "/")).parts if p not in (".", "")]
    return "/".join(parts) or "."


def join(base: str, rel: str) -> str:
    """Join two repository-relative paths, resolving `..`; may return a path starting `..`."""
    parts: list[str] = [] if base in (".", "") else base.split("/")
    for part in rel.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            else:
                parts.append("..")
        else:
            parts.append(part)
    return "/".join(parts) or "."


def parent(rel: str) -> str:
    return rel.rsplit("/", 1)[0] if "/" in rel else "."


def is_within(rel: str, folder: str) -> bool:
    """True when `rel` is `folder` or below it."""
    return folder == "." or rel == folder or rel.startswith(folder + "/")


def _walk(
    root: Path,
    directory: str,
    prefix: str,
    ignores: list[_Ignore],
    files: list[str],
    problems: list[Problem],
    hidden: list[str],
) -> None:
    # Plain strings and the DirEntry data only: pathlib objects and a stat per folder
    # for `.gitignore` were half of the walk's time on 10,000 packages.
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        problems.append(Problem.warning(prefix or ".", f"cannot list folder ({exc.strerror})"))
        return
    for entry in entries:
        if entry.name == ".gitignore":
            if entry.is_file(follow_symlinks=False):
                ignores = _with_gitignore(entry.path, prefix, ignores)
            break
    for entry in entries:
        name = entry.name
        rel = f"{prefix}/{name}" if prefix else name
        try:
            if entry.is_symlink():
                _add_symlink(root, entry, rel, files, problems)
                continue
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            continue
        if is_dir and name in ALWAYS_SKIPPED_DIRS:
            continue
        if ignores and _ignored(rel, is_dir, ignores):
            if name in CREDENTIAL_FILE_NAMES and entry.is_file(follow_symlinks=False):
                hidden.append(rel)
            continue
        if is_dir:
            _walk(root, entry.path, rel, ignores, files, problems, hidden)
        elif entry.is_file(follow_symlinks=False):
            files.append(rel)


@dataclass(frozen=True, slots=True)
class _Ignore:
    """One `.gitignore`: its folder, the spec, and a quick test that no pattern matches."""

    base: str
    spec: pathspec.GitIgnoreSpec
    #: one regex joining every pattern: when it finds nothing, no pattern matches, which
    #: skips `match_file` (the slow part) for almost every path; None when unavailable
    quick: re.Pattern[str] | None


_GROUP_NAME = re.compile(r"\(\?P<[^>]+>")


def _with_gitignore(path: str, prefix: str, ignores: list[_Ignore]) -> list[_Ignore]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return ignores
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    return [*ignores, _Ignore(prefix, spec, _quick_test(spec))]


def _quick_test(spec: pathspec.GitIgnoreSpec) -> re.Pattern[str] | None:
    parts = []
    flags: int | None = None
    for pattern in spec.patterns:
        regex = getattr(pattern, "regex", None)
        if getattr(pattern, "include", None) is None or regex is None:
            continue
        if not isinstance(regex.pattern, str) or flags not in (None, regex.flags):
            return None
        flags = regex.flags
        parts.append(f"(?:{_GROUP_NAME.sub('(?:', regex.pattern)})")
    try:
        return re.compile("|".join(parts) if parts else r"(?!)", flags or 0)
    except re.error:
        return None


def _add_symlink(
    root: Path, entry: os.DirEntry[str], rel: str, files: list[str], problems: list[Problem]
) -> None:
    """Keep a symlinked file that stays inside the root; never descend into a linked folder."""
    try:
        target = Path(entry.path).resolve(strict=True)
    except (OSError, RuntimeError):
        problems.append(Problem.warning(rel, "broken or looping symlink, skipped"))
        return
    if target != root and root not in target.parents:
        problems.append(Problem.warning(rel, "symlink points outside the repository, skipped"))
        return
    if target.is_file():
        files.append(rel)


def _ignored(rel: str, is_dir: bool, ignores: list[_Ignore]) -> bool:
    for ignore in ignores:
        local = rel[len(ignore.base) + 1 :] if ignore.base else rel
        if is_dir:
            local += "/"
        if ignore.quick is not None and ignore.quick.search(local) is None:
            continue
        if ignore.spec.match_file(local):
            return True
    return False


@lru_cache(maxsize=4096)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile a workspace glob (`apps/*`, `packages/**`, `libs/[ab]*`) to a regex on paths."""
    pat = normalize(pattern.strip())
    out: list[str] = []
    i = 0
    while i < len(pat):
        ch = pat[i]
        if pat.startswith("**", i):
            at_segment_start = i == 0 or pat[i - 1] == "/"
            i += 2
            if at_segment_start and pat.startswith("/", i):
                out.append("(?:[^/]+/)*")
                i += 1
            else:
                out.append(".*")
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = pat.find("]", i + 1)
            if end == -1:
                raise ValueError(f"unclosed '[' in glob {pattern!r}")
            body = pat[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end
        elif ch == "{":
            end = pat.find("}", i + 1)
            if end == -1:
                raise ValueError(f"unclosed '{{' in glob {pattern!r}")
            options = pat[i + 1 : end].split(",")
            out.append("(?:" + "|".join(re.escape(o) for o in options) + ")")
            i = end
        else:
            out.append(re.escape(ch))
        i += 1
    try:
        return re.compile("".join(out) + r"\Z")
    except re.error as exc:
        raise ValueError(f"invalid glob {pattern!r}: {exc}") from exc


def match_globs(
    candidates: Iterable[str], includes: Iterable[str], excludes: Iterable[str] = ()
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Select candidate folders matched by any include glob and by no exclude glob.

    Returns the sorted matches and the include globs that matched no candidate at all.
    Globs and candidates are relative to the same base. Raises ValueError for a bad glob.
    """
    cands = sorted(set(candidates))
    include_list = list(dict.fromkeys(includes))
    compiled = [(g, glob_regex(g)) for g in include_list]
    excluded = [glob_regex(g) for g in excludes]
    literal = {normalize(g): g for g in include_list if not any(c in g for c in "*?[{")}
    matched: set[str] = set()
    used: set[str] = set()
    for cand in cands:
        hit = literal.get(cand)
        if hit is None:
            hit = next((g for g, rx in compiled if rx.match(cand)), None)
        if hit is None:
            continue
        used.add(hit)
        if not any(rx.match(cand) for rx in excluded):
            matched.add(cand)
    if len(used) < len(include_list):
        # a glob is "used" if it matched at least one candidate, excluded or not
        for g, rx in compiled:
            if g not in used and any(rx.match(c) for c in cands):
                used.add(g)
    unmatched = tuple(g for g in include_list if g not in used)
    return tuple(sorted(matched)), unmatched


def iter_parents(rel: str) -> Iterator[str]:
    """`a/b/c` -> `a/b`, `a`, `.`."""
    while rel != ".":
        rel = parent(rel)
        yield rel
