"""git plumbing for `affected`: refs, the changed files between two revisions, blobs,
and a revision's tree extracted to a folder."""

from __future__ import annotations

import os
import subprocess
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bakegen.errors import BakegenError
from bakegen.tree import parent

#: file names that make a folder a package for one of the ecosystems
MANIFEST_NAMES = frozenset({"package.json", "Cargo.toml", "pyproject.toml"})


class GitError(BakegenError):
    """git is missing, the folder is not a repository, or a ref does not exist."""


@dataclass(frozen=True, slots=True, order=True)
class FileChange:
    """One side of a change: `status` is added, modified, deleted, type changed, copied,
    renamed from (the new path) or renamed to (the old path); `other` is the other side."""

    path: str
    status: str
    other: str | None = None

    @property
    def is_old_side(self) -> bool:
        """The path as it was at the base revision only (it is gone at head)."""
        return self.status in ("deleted", "renamed to")

    def describe(self) -> str:
        if self.other is not None:
            return f"{self.status} {self.other}"
        return "" if self.status == "modified" else self.status


@dataclass(frozen=True, slots=True)
class GitRepo:
    """git run on the repository holding `root`; paths are relative to `root`."""

    root: Path
    prefix: str

    @classmethod
    def open(cls, root: Path) -> GitRepo:
        repo = cls(root, "")
        try:
            inside = repo.run("rev-parse", "--is-inside-work-tree").strip()
        except GitError as exc:
            raise GitError.at(root, "not inside a git repository") from exc
        if inside != b"true":
            raise GitError.at(root, "not inside a git work tree")
        prefix = repo.run("rev-parse", "--show-prefix").decode().strip().rstrip("/")
        return cls(root, prefix)

    def run(self, *args: str, stdin: bytes | None = None, check: bool = True) -> bytes:
        """Run git in root with a stable environment; GitError with git's message on failure."""
        env = {**os.environ, "LC_ALL": "C", "GIT_PAGER": "cat", "GIT_OPTIONAL_LOCKS": "0"}
        try:
            done = subprocess.run(
                ["git", "-c", "core.quotepath=off", *args], cwd=self.root, input=stdin,
                capture_output=True, env=env, check=False,
            )
        except FileNotFoundError as exc:
            raise GitError("git: not found; install git to compare revisions") from exc
        if check and done.returncode != 0:
            message = done.stderr.decode(errors="replace").strip().splitlines()
            raise GitError(f"git {args[0]}: {message[-1] if message else 'failed'}")
        return done.stdout

    def commit(self, ref: str, option: str) -> str:
        """The commit a ref names; GitError `--base: unknown git ref "x"` when it names none."""
        if not ref or ref.startswith("-"):
            raise GitError.at(option, f'unknown git ref "{ref}"')
        out = self.run("rev-parse", "--verify", "--quiet", "--end-of-options",
                       f"{ref}^{{commit}}", check=False).decode().strip()
        if not out:
            shallow = self.run("rev-parse", "--is-shallow-repository", check=False).strip()
            hint = ("; the clone is shallow, fetch its history (actions/checkout: "
                    "fetch-depth: 0)" if shallow == b"true" else "")
            raise GitError.at(option, f'unknown git ref "{ref}"{hint}')
        return out

    def merge_base(self, base: str, head: str) -> str | None:
        out = self.run("merge-base", base, head, check=False).decode().strip()
        return out or None

    def changes(self, base: str, head: str | None) -> tuple[FileChange, ...]:
        """Files changed from base to head (None: the working tree, untracked files too)."""
        args = ["diff", "--no-ext-diff", "--no-textconv", "--name-status", "-M", "-z",
                "--relative", base]
        if head is not None:
            args.append(head)
        found = set(_parse_name_status(self.run(*args, "--")))
        if head is None:
            untracked = self.run("ls-files", "--others", "--exclude-standard", "-z")
            found.update(FileChange(p, "added") for p in _split_z(untracked))
        return tuple(sorted(found))

    def blobs(self, rev: str) -> dict[str, str]:
        """Every file below root at a revision -> its blob id (one tree walk)."""
        out = self.run("ls-tree", "-r", "-z", rev, "--", ".")
        found = {}
        for line in _split_z(out):
            meta, _, path = line.partition("\t")
            parts = meta.split()
            if len(parts) == 3 and parts[1] == "blob":
                found[path] = parts[2]
        return found

    def cat(self, oids: Iterable[str]) -> dict[str, str | None]:
        """The text of blobs by id (None for binary or non-UTF-8 ones), in one git call."""
        wanted = sorted(set(oids))
        if not wanted:
            return {}
        out = self.run("cat-file", "--batch", stdin="".join(f"{o}\n" for o in wanted).encode())
        result: dict[str, str | None] = {}
        pos = 0
        for oid in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            pos = end + 1
            if len(header) != 3:
                result[oid] = None
                continue
            size = int(header[2])
            data = out[pos:pos + size]
            pos += size + 1
            try:
                result[oid] = None if b"\0" in data else data.decode("utf-8-sig")
            except UnicodeDecodeError:
                result[oid] = None
        return result

    def manifest_dirs(self, rev: str) -> frozenset[str]:
        """Folders holding a package manifest at a revision (where packages may have been)."""
        out = self.run("ls-tree", "-r", "--name-only", "-z", rev, "--", ".")
        return frozenset(parent(p) for p in _split_z(out)
                         if p.rsplit("/", 1)[-1] in MANIFEST_NAMES)

    def archive(self, rev: str, dest: Path) -> None:
        """Extract the root's tree at a revision into dest (regular files and folders only),
        streaming `git archive` so that a large repository never sits in memory."""
        tree = f"{rev}:{self.prefix}" if self.prefix else rev
        with subprocess.Popen(["git", "archive", "--format=tar", tree], cwd=self.root,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
            assert proc.stdout is not None
            try:
                with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
                    for member in tar:
                        _extract(tar, member, dest)
            except tarfile.TarError as exc:
                raise GitError(f"git archive: cannot read the tree of {rev} ({exc})") from exc
        if proc.returncode != 0:
            raise GitError(f"git archive: cannot read the tree of {rev}")


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, dest: Path) -> None:
    name = PurePosixPath(member.name)
    if name.is_absolute() or ".." in name.parts:
        return
    if member.isdir():
        (dest / name).mkdir(parents=True, exist_ok=True)
    elif member.isfile():
        source = tar.extractfile(member)
        if source is not None:
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            (dest / name).write_bytes(source.read())


def _split_z(data: bytes) -> list[str]:
    return [p for p in data.decode("utf-8", errors="surrogateescape").split("\0") if p]


_STATUS = {"A": "added", "M": "modified", "D": "deleted", "T": "type changed",
           "U": "modified", "C": "copied"}


def _parse_name_status(data: bytes) -> Iterator[FileChange]:
    fields = _split_z(data)
    i = 0
    while i < len(fields):
        code = fields[i]
        kind = code[:1]
        if kind == "R":
            old, new = fields[i + 1], fields[i + 2]
            yield FileChange(old, "renamed to", new)
            yield FileChange(new, "renamed from", old)
            i += 3
        elif kind == "C":
            yield FileChange(fields[i + 2], "copied", None)
            i += 3
        else:
            yield FileChange(fields[i + 1], _STATUS.get(kind, "modified"))
            i += 2
