"""Write a set of file changes all together, and take them all back if a later step fails.

Files are read and written as bytes decoded as UTF-8, so line endings survive untouched.
Every new text is staged beside its destination and renamed into place only once all are
staged; `Transaction.rollback` restores each previous text (or removes a created file and the
folders created for it), plus any file snapshotted before an outside tool changed it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bakegen.errors import BakegenError
from bakegen.write import resolve_inside


@dataclass(frozen=True, slots=True)
class FileEdit:
    """One file `new` or `init` writes: `before` is None for a file it creates."""

    path: str
    before: str | None
    after: str
    summary: str = ""

    @property
    def created(self) -> bool:
        return self.before is None


def read_text(path: Path) -> str | None:
    """A file's exact text (line endings kept), or None when it does not exist."""
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:
        raise BakegenError.at(path, f"is not UTF-8 text ({exc.reason})") from exc
    except IsADirectoryError as exc:
        raise BakegenError.at(path, "is a folder, expected a file") from exc
    except OSError as exc:
        raise BakegenError.at(path, f"cannot read ({exc.strerror})") from exc


@dataclass(slots=True)
class Transaction:
    """Changes applied to a repository, remembered so that they can be undone."""

    root: Path
    applied: list[FileEdit] = field(default_factory=list)
    created_dirs: list[Path] = field(default_factory=list)
    snapshots: dict[str, bytes | None] = field(default_factory=dict)

    def apply(self, changes: Iterable[FileEdit]) -> None:
        """Stage every change, then rename all into place; a failure leaves nothing behind."""
        staged: list[tuple[Path, Path, FileEdit]] = []
        try:
            for change in changes:
                target = resolve_inside(self.root, change.path, "file")
                self._make_parents(target.parent)
                staged.append((_stage(target, change.after), target, change))
            for temp, target, change in staged:
                if target.exists():
                    shutil.copymode(target, temp)
                os.replace(temp, target)
                self.applied.append(change)
            staged = []
        except OSError as exc:
            self.rollback()
            where = exc.filename or self.root
            raise BakegenError.at(where, f"cannot write ({exc.strerror})") from exc
        finally:
            for temp, _, _ in staged:
                temp.unlink(missing_ok=True)

    def snapshot(self, rel: str) -> None:
        """Remember a file's bytes before an outside tool (a lock command) may change it."""
        path = resolve_inside(self.root, rel, "file")
        try:
            self.snapshots[rel] = path.read_bytes()
        except FileNotFoundError:
            self.snapshots[rel] = None

    def rollback(self) -> None:
        """Put back every file as it was before this transaction; best effort, never raises."""
        for change in reversed(self.applied):
            path = self.root / change.path
            with contextlib.suppress(OSError):
                if change.before is None:
                    path.unlink(missing_ok=True)
                else:
                    os.replace(_stage(path, change.before), path)
        for rel, data in self.snapshots.items():
            path = self.root / rel
            with contextlib.suppress(OSError):
                if data is None:
                    path.unlink(missing_ok=True)
                else:
                    path.write_bytes(data)
        for folder in sorted(self.created_dirs, key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):
                _remove_tree_of_dirs(folder)
        self.applied.clear()
        self.snapshots.clear()
        self.created_dirs.clear()

    def _make_parents(self, folder: Path) -> None:
        missing = []
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for path in reversed(missing):
            path.mkdir()
            self.created_dirs.append(path)


def _remove_tree_of_dirs(folder: Path) -> None:
    """Remove a folder we created, with what tools left in it (e.g. `__pycache__`)."""
    if folder.is_dir() and not folder.is_symlink():
        shutil.rmtree(folder)


def _stage(target: Path, text: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".bakegen-tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
        os.chmod(name, 0o644)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)
