"""One revision's files, read through git (or from the working tree), and its bake files.

A `Revision` keeps what it read in a memo of its own, so one analysis reads each file
once; nothing is cached at module level.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bakegen.affected.git import GitRepo
from bakegen.bakefile import BAKE_FILES, BakeFile, BakeFileError, parse_bakefiles
from bakegen.render.bake import BAKE_FILE


@dataclass
class Revision:
    """The files of one revision (`rev` None: the working tree), read through git.

    What it reads stays in its memo, which lives as long as the object: one analysis
    makes one Revision per side and passes it to whatever reads that side.
    """

    repo: GitRepo
    rev: str | None
    _memo: dict[str, str | None] = field(default_factory=dict)
    _blobs: dict[str, str] | None = None

    def read(self, path: str) -> str | None:
        """A file's text (None: absent, binary or not UTF-8)."""
        if path not in self._memo:
            self.prefetch((path,))
        return self._memo[path]

    def prefetch(self, paths: Iterable[str]) -> None:
        """Read many files at once (one git call), so later reads are free."""
        missing = [p for p in paths if p not in self._memo]
        if not missing:
            return
        if self.rev is None:
            for path in missing:
                self._memo[path] = read_disk(self.repo.root / path)
            return
        if self._blobs is None:
            self._blobs = self.repo.blobs(self.rev)
        texts = self.repo.cat(self._blobs[p] for p in missing if p in self._blobs)
        for path in missing:
            oid = self._blobs.get(path)
            self._memo[path] = None if oid is None else texts.get(oid)


def read_disk(path: Path) -> str | None:
    """A file's text on disk (None: absent, unreadable, binary or not UTF-8)."""
    try:
        data = path.read_bytes()
        return None if b"\0" in data else data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def load_bake(revision: Revision) -> BakeFile | None:
    """The merged bake files of a revision; None when docker-bake.hcl is absent or unreadable."""
    revision.prefetch(BAKE_FILES)
    return _parse_bake([(name, revision.read(name)) for name in BAKE_FILES])


def load_bake_disk(root: Path) -> BakeFile | None:
    """The merged bake files on disk at root, as `load_bake`."""
    return _parse_bake([(name, read_disk(root / name)) for name in BAKE_FILES])


def _parse_bake(texts: list[tuple[str, str | None]]) -> BakeFile | None:
    present = [(name, text) for name, text in texts if text is not None]
    if not present or present[0][0] != BAKE_FILE:
        return None
    try:
        return parse_bakefiles(present)
    except BakeFileError:
        return None
