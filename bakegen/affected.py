"""Which bake targets a git change affects, and why.

Changed files come from git (renames count on both sides). Each file is matched, in order,
against the bake files, bakegen's config, the Dockerfiles and `.dockerignore` files of the
targets, the workspaces' root manifests, lockfiles and tool files, and finally the deepest
package containing it, whose dependents (runtime and build edges; dev edges on request)
are affected when their build context admits the file. Lockfile changes are narrowed down
by comparing the two versions (`bakegen.lockfiles`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import networkx as nx

from bakegen import graph as graphs
from bakegen import lockfiles, tomlparse
from bakegen.bakefile import BAKE_FILES, BakeFile, BakeFileError, parse_bakefiles
from bakegen.config import CONFIG_FILE
from bakegen.ecosystems import lockfile_parser
from bakegen.errors import BakegenError
from bakegen.ignore import DockerIgnore, MatchCache
from bakegen.model import Package, Workspace
from bakegen.plan import BasePlan, ServicePlan
from bakegen.render.bake import BAKE_FILE, BASE_TAG_SUFFIX, FINGERPRINT_LABEL
from bakegen.tree import is_within, iter_parents, join, normalize, parent

WORKTREE = "worktree"
#: file names that make a folder a package for one of the ecosystems
MANIFEST_NAMES = frozenset({"package.json", "Cargo.toml", "pyproject.toml"})
ROOT_DOCKERIGNORE = ".dockerignore"


class GitError(BakegenError):
    """git is missing, the folder is not a repository, or a ref does not exist."""


# --------------------------------------------------------------------------- results


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


@dataclass(frozen=True, slots=True, order=True)
class Reason:
    """Why a target is affected: a changed path and what links it to the target."""

    path: str
    why: str = ""

    def __str__(self) -> str:
        return f"{self.path} ({self.why})" if self.why else self.path


@dataclass(frozen=True, slots=True)
class AffectedTarget:
    """An affected bake target, its package (None for hand-written targets), its reasons."""

    target: str
    package: str | None
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Affected:
    """The answer: compared revisions, changed files, affected targets and any caveats."""

    base: str
    head: str
    changes: tuple[FileChange, ...]
    targets: tuple[AffectedTarget, ...]
    notes: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.target for t in self.targets)


@dataclass(frozen=True, slots=True)
class AffectedRequest:
    """What to compare: `base` (its merge-base with head is used), `head` (None: HEAD),
    `worktree` (head plus uncommitted and untracked files), `include_dev` (follow dev edges)."""

    base: str
    head: str | None = None
    worktree: bool = False
    include_dev: bool = False


def find_affected(root: Path, request: AffectedRequest) -> Affected:
    """Compare two revisions of the repository at root and list the affected targets.

    The scan and plan come from the working tree at root, which is expected to be the
    head revision (the usual CI checkout).
    """
    repo = GitRepo.open(root)
    head_sha = repo.commit(request.head or "HEAD", "--head")
    base_sha = repo.commit(request.base, "--base")
    base = repo.merge_base(base_sha, head_sha) or base_sha
    notes = []
    if request.head and head_sha != repo.commit("HEAD", "--head"):
        notes.append(f'--head {request.head} is not the checked-out commit; packages and '
                     "targets are read from the working tree")
    changes = repo.changes(base, None if request.worktree else head_sha)
    if not changes:
        return Affected(base, WORKTREE if request.worktree else head_sha, (), (), tuple(notes))
    old = Revision(repo, base)
    new = Revision(repo, None if request.worktree else head_sha)
    state = RepoState.load(root, new)
    analysis = Analysis(state, old, new, request.include_dev,
                        base_state=lambda: _base_state(repo, base),
                        base_manifest_dirs=repo.manifest_dirs(base) if any(
                            c.is_old_side for c in changes) else None)
    targets = analysis.run(changes)
    return Affected(
        base=base,
        head=WORKTREE if request.worktree else head_sha,
        changes=changes,
        targets=targets,
        notes=(*notes, *analysis.notes),
    )


# --------------------------------------------------------------------------- git


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
            raise GitError(f"{root}: not inside a git repository") from exc
        if inside != b"true":
            raise GitError(f"{root}: not inside a git work tree")
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
            raise GitError(f'{option}: unknown git ref "{ref}"')
        out = self.run("rev-parse", "--verify", "--quiet", "--end-of-options",
                       f"{ref}^{{commit}}", check=False).decode().strip()
        if not out:
            shallow = self.run("rev-parse", "--is-shallow-repository", check=False).strip()
            hint = ("; the clone is shallow, fetch its history (actions/checkout: "
                    "fetch-depth: 0)" if shallow == b"true" else "")
            raise GitError(f'{option}: unknown git ref "{ref}"{hint}')
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


@dataclass
class Revision:
    """Files of one revision (None: the working tree), read through git and cached."""

    repo: GitRepo
    rev: str | None
    _cache: dict[str, str | None] = field(default_factory=dict)
    _blobs: dict[str, str] | None = None

    def read(self, path: str) -> str | None:
        if path not in self._cache:
            self.prefetch((path,))
        return self._cache[path]

    def prefetch(self, paths: Iterable[str]) -> None:
        """Read many files at once (one git call), so later reads are free."""
        missing = [p for p in paths if p not in self._cache]
        if not missing:
            return
        if self.rev is None:
            for path in missing:
                self._cache[path] = _read_disk(self.repo.root / path)
            return
        if self._blobs is None:
            self._blobs = self.repo.blobs(self.rev)
        texts = self.repo.cat(self._blobs[p] for p in missing if p in self._blobs)
        for path in missing:
            oid = self._blobs.get(path)
            self._cache[path] = None if oid is None else texts.get(oid)


def _read_disk(path: Path) -> str | None:
    try:
        data = path.read_bytes()
        return None if b"\0" in data else data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


# --------------------------------------------------------------------------- repository state


@dataclass(frozen=True, slots=True)
class TargetInfo:
    """A buildable target and what decides which files reach its build."""

    name: str
    context: str
    dockerfile: str
    ignore: DockerIgnore
    service: ServicePlan | None = None
    refs: tuple[str, ...] = ()

    def admits(self, path: str) -> bool:
        """True when the target's build context receives this repository path."""
        if not is_within(path, self.context):
            return False
        rel = path if self.context == "." else path[len(self.context) + 1:]
        return not rel or not self.ignore.excludes(rel)


@dataclass(frozen=True, slots=True)
class RepoState:
    """The plan of one revision, its targets, and the indexes the analysis needs."""

    bases: tuple[BasePlan, ...]
    workspaces: tuple[Workspace, ...]
    packages: tuple[Package, ...]
    targets: Mapping[str, TargetInfo]
    by_path: Mapping[str, tuple[Package, ...]]
    by_package: Mapping[str, TargetInfo]
    base_targets: Mapping[str, BasePlan]
    needed_by: Mapping[str, tuple[str, ...]]
    needed_by_all: Mapping[str, tuple[str, ...]]

    @classmethod
    def load(cls, root: Path, revision: Revision | None = None) -> RepoState:
        """Generate the plan of the tree at root (nothing written) and index it."""
        from bakegen.pipeline import generate

        generated = generate(root)
        bake = _load_bake(revision) if revision is not None else _load_bake_disk(root)
        plan, scan = generated.plan, generated.scan
        return cls.build(root, plan.services, plan.bases, scan.workspaces, scan.packages,
                         generated.files, bake)

    @classmethod
    def build(
        cls,
        root: Path,
        services: tuple[ServicePlan, ...],
        bases: tuple[BasePlan, ...],
        workspaces: tuple[Workspace, ...],
        packages: tuple[Package, ...],
        files: Mapping[str, str],
        bake: BakeFile | None,
    ) -> RepoState:
        """Index a plan; `files` are its generated files, `bake` adds hand-written targets."""
        cache = MatchCache()
        parsed: dict[str, DockerIgnore] = {}

        def rules(text: str) -> DockerIgnore:
            if text not in parsed:
                parsed[text] = DockerIgnore(text.splitlines(), cache)
            return parsed[text]

        def context_rules(dockerfile: str, context: str) -> DockerIgnore:
            # BuildKit reads <Dockerfile>.dockerignore in place of the context's own one
            for candidate in (f"{dockerfile}.dockerignore", join(context, ROOT_DOCKERIGNORE)):
                text = files.get(candidate)
                if text is None:
                    text = _read_disk(root / candidate)
                if text is not None:
                    return rules(text)
            return rules("")

        targets: dict[str, TargetInfo] = {}
        for svc in services:
            targets[svc.target] = TargetInfo(
                svc.target, svc.context_dir, svc.dockerfile,
                context_rules(svc.dockerfile, svc.context_dir), svc,
            )
        base_targets = {name: base for base in bases
                        for name in (base.deps_target, base.production_target)}
        if bake is not None:
            for target in bake.buildable():
                if target.name in targets or target.name in base_targets:
                    continue
                context = normalize(target.context)
                dockerfile = normalize(join(context, target.dockerfile))
                targets[target.name] = TargetInfo(target.name, context, dockerfile,
                                                  context_rules(dockerfile, context),
                                                  refs=target.target_refs)
        by_path: dict[str, list[Package]] = {}
        for pkg in packages:
            by_path.setdefault(pkg.path, []).append(pkg)
        needed_by, needed_by_all = _needed_by(graphs.build_graph(packages))
        return cls(
            bases=bases,
            workspaces=workspaces,
            packages=packages,
            targets=dict(sorted(targets.items())),
            by_path={k: tuple(v) for k, v in by_path.items()},
            by_package={i.service.package.id: i for i in targets.values() if i.service},
            base_targets=base_targets,
            needed_by=needed_by,
            needed_by_all=needed_by_all,
        )

    def deepest_packages(self, path: str) -> tuple[Package, ...]:
        """The packages whose folder is the deepest one containing path (walks up parents)."""
        for folder in (path, *iter_parents(path)):
            found = self.by_path.get(folder)
            if found:
                return found
        return ()

    def workspace_members(self, ws: Workspace) -> tuple[Package, ...]:
        return tuple(p for p in self.packages
                     if p.ecosystem == ws.ecosystem and p.workspace == ws.root)


def _definitions(bake: BakeFile) -> dict[str, str]:
    """Every target's merged definition as comparable text, with the bases' content
    fingerprints (`dev.bakegen.fingerprint`) replaced by a name: a fingerprint moves when
    a lockfile or manifest does, and those changes have rules of their own. The bases'
    tag variables stay names too: they hash the fingerprint and the image variables, whose
    changes show in the bases' own definitions."""
    tags = {name: f"<{name}>" for name, value in bake.variables.items()
            if name.endswith(BASE_TAG_SUFFIX) and "sha256(" in value}
    bake = dataclasses.replace(bake, variables={**bake.variables, **tags})
    fingerprints = {}
    for name, target in bake.targets.items():
        labels = target.attributes.get("labels")
        if isinstance(labels, Mapping) and isinstance(labels.get(FINGERPRINT_LABEL), str):
            fingerprints[labels[FINGERPRINT_LABEL]] = f"<fingerprint of {name}>"
    result = {}
    for name in bake.targets:
        text = json.dumps(bake.definition(name), sort_keys=True)
        for fingerprint, placeholder in fingerprints.items():
            if fingerprint:
                text = text.replace(fingerprint, placeholder)
        result[name] = text
    return result


def _needed_by(
    graph: nx.DiGraph,
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Reverse edges (package -> packages needing it): runtime/build ones, and all of them."""
    ordering = {kind.value for kind in graphs.ORDERING_KINDS}
    strong: dict[str, list[str]] = {}
    every: dict[str, list[str]] = {}
    for user, dependency, data in graph.edges(data=True):
        every.setdefault(dependency, []).append(user)
        if ordering & set(data["kinds"]):
            strong.setdefault(dependency, []).append(user)
    return ({k: tuple(v) for k, v in strong.items()}, {k: tuple(v) for k, v in every.items()})


def _load_bake(revision: Revision) -> BakeFile | None:
    revision.prefetch(BAKE_FILES)
    return _parse_bake([(name, revision.read(name)) for name in BAKE_FILES])


def _load_bake_disk(root: Path) -> BakeFile | None:
    return _parse_bake([(name, _read_disk(root / name)) for name in BAKE_FILES])


def _parse_bake(texts: list[tuple[str, str | None]]) -> BakeFile | None:
    present = [(name, text) for name, text in texts if text is not None]
    if not present or present[0][0] != BAKE_FILE:
        return None
    try:
        return parse_bakefiles(present)
    except BakeFileError:
        return None


def _base_state(repo: GitRepo, rev: str) -> RepoState:
    """The plan of the base revision, generated from a temporary copy of its tree."""
    with tempfile.TemporaryDirectory(prefix="bakegen-base-") as folder:
        dest = Path(folder)
        repo.archive(rev, dest)
        return RepoState.load(dest)


# --------------------------------------------------------------------------- analysis


class Analysis:
    """Turns the file changes between two revisions into targets and reasons."""

    def __init__(
        self,
        state: RepoState,
        old: Revision,
        new: Revision,
        include_dev: bool,
        base_state: Callable[[], RepoState] | None = None,
        base_manifest_dirs: frozenset[str] | None = None,
    ) -> None:
        self.state = state
        self.old = old
        self.new = new
        self.include_dev = include_dev
        self._base_state = base_state
        self._base_manifest_dirs = base_manifest_dirs
        self._base: RepoState | None = None
        self._base_failed = False
        self.notes: list[str] = []
        self.reasons: dict[str, set[Reason]] = {}
        self._reached: dict[tuple[int, bool, str], frozenset[str]] = {}
        self._dockerfiles = self._index_dockerfiles()
        self._workspace_files = self._index_workspace_files()
        self._hand = tuple(i for i in state.targets.values() if i.service is None)

    def run(self, changes: Iterable[FileChange]) -> tuple[AffectedTarget, ...]:
        """Apply every rule to every change; the result is sorted by target."""
        lockfile_changes: list[tuple[Workspace, FileChange]] = []
        bake_changes: list[FileChange] = []
        config_changes: list[FileChange] = []
        orphans: list[FileChange] = []
        for change in changes:
            path = change.path
            if path in BAKE_FILES:
                bake_changes.append(change)
                continue
            if path in (CONFIG_FILE, "pyproject.toml"):
                config_changes.append(change)
                if path == CONFIG_FILE:
                    continue
            if self._dockerfile_change(change):
                continue
            workspace_hits = self._workspace_files.get(path)
            if workspace_hits:
                for ws, kind in workspace_hits:
                    if kind == "lockfile":
                        lockfile_changes.append((ws, change))
                    else:
                        self._all_of_workspace(ws, Reason(path, _why(
                            change, f"{kind} of the {ws.ecosystem} workspace")))
                continue
            packages = self.state.deepest_packages(path)
            for pkg in packages:
                self._package_change(self.state, pkg, change)
            if not packages and change.is_old_side:
                orphans.append(change)
            self._hand_targets(change)
        for ws, change in lockfile_changes:
            self._lockfile_change(ws, change)
        if bake_changes:
            self._bake_change(bake_changes)
        for change in config_changes:
            self._config_change(change)
        for change in orphans:
            self._orphan_change(change)
        self._through_target_contexts()
        return tuple(
            AffectedTarget(name, _package_id(self.state.targets[name]), tuple(sorted(reasons)))
            for name, reasons in sorted(self.reasons.items())
            if name in self.state.targets
        )

    # ---- helpers

    def _add(self, target: str, reason: Reason) -> None:
        self.reasons.setdefault(target, set()).add(reason)

    def _all_targets(self, reason: Reason) -> None:
        for name in self.state.targets:
            self._add(name, reason)

    def _all_of_workspace(self, ws: Workspace, reason: Reason) -> None:
        for name, info in self.state.targets.items():
            if info.service is not None:
                uses = info.service.base.workspace.key == ws.key
            else:
                uses = any(ref in self.state.base_targets
                           and self.state.base_targets[ref].workspace.key == ws.key
                           for ref in info.refs)
            if uses:
                self._add(name, reason)

    def _reach(self, state: RepoState, package_id: str, dev: bool) -> frozenset[str]:
        """package_id and every package needing it, transitively (memoised)."""
        key = (id(state), dev, package_id)
        found = self._reached.get(key)
        if found is None:
            edges = state.needed_by_all if dev else state.needed_by
            reached = {package_id}
            queue = [package_id]
            while queue:
                for user in edges.get(queue.pop(), ()):
                    if user not in reached:
                        reached.add(user)
                        queue.append(user)
            found = self._reached[key] = frozenset(reached)
        return found

    # ---- Dockerfiles and .dockerignore files

    def _index_dockerfiles(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Dockerfile and .dockerignore paths -> (what they are, the targets they build)."""
        users: dict[str, set[str]] = {}
        for info in self.state.targets.values():
            if info.service is not None and info.service.uses_bases:
                users.setdefault(info.service.base.dockerfile, set()).add(info.name)
            for ref in info.refs:
                if ref in self.state.base_targets:
                    users.setdefault(self.state.base_targets[ref].dockerfile, set()).add(info.name)
        index: dict[str, tuple[str, tuple[str, ...]]] = {}
        for base in self.state.bases:
            names = tuple(sorted(users.get(base.dockerfile, ())))
            index[base.dockerfile] = ("shared base Dockerfile", names)
            index[f"{base.dockerfile}.dockerignore"] = ("shared base .dockerignore", names)
        for info in self.state.targets.values():
            for path, what in ((info.dockerfile, "its Dockerfile"),
                               (f"{info.dockerfile}.dockerignore", "its .dockerignore")):
                kind, names = index.get(path, (what, ()))
                index[path] = (kind, tuple(sorted({*names, info.name})))
        return index

    def _dockerfile_change(self, change: FileChange) -> bool:
        path = change.path
        hit = self._dockerfiles.get(path)
        if hit is not None:
            kind, names = hit
            for name in names:
                self._add(name, Reason(path, _why(change, kind)))
            return True
        if path.rsplit("/", 1)[-1] != ROOT_DOCKERIGNORE:
            return False
        folder = parent(path)
        users = [info for info in self.state.targets.values() if info.context == folder]
        for info in users:
            if info.service is not None and info.service.generated:
                # bakegen copies the repository's exclusions into every generated one
                why = "repository .dockerignore, part of every generated one"
            elif f"{info.dockerfile}.dockerignore" in self._dockerfiles:
                continue
            else:
                why = "its build context's .dockerignore"
            self._add(info.name, Reason(path, _why(change, why)))
        # a .dockerignore that is no context's own is an ordinary file
        return bool(users)

    # ---- workspace files and lockfiles

    def _index_workspace_files(self) -> dict[str, list[tuple[Workspace, str]]]:
        index: dict[str, list[tuple[Workspace, str]]] = {}
        for ws in self.state.workspaces:
            if ws.lockfile:
                index.setdefault(ws.lockfile, []).append((ws, "lockfile"))
            for manifest in ws.manifests:
                if parent(manifest) == ws.root:
                    index.setdefault(manifest, []).append((ws, "root manifest"))
            for extra in ws.extra_files:
                # a member's own file (a README its build reads, a build.rs) is that
                # member's change, which the package rule handles
                owners = self.state.deepest_packages(extra)
                if not any(p.path != ws.root and p.ecosystem == ws.ecosystem for p in owners):
                    index.setdefault(extra, []).append((ws, "tool file"))
        return index

    def _lockfile_change(self, ws: Workspace, change: FileChange) -> None:
        lock = change.path
        parse = lockfile_parser(lock)
        if parse is None:
            self._lockfile_fallback(ws, change, "no comparison for this lockfile format")
            return
        members = self.state.workspace_members(ws)
        scope = lockfiles.Members(
            paths=frozenset(_relative(p.path, ws.root) for p in members),
            names=frozenset(p.name for p in members),
            include_dev=self.include_dev,
        )
        wanted = [lock]
        if lock.endswith("yarn.lock"):  # classic yarn.lock: members' deps are in package.json
            wanted += [join(ws.root, join(rel, "package.json")) for rel in (*scope.paths, ".")]
        for revision in (self.old, self.new):
            revision.prefetch(wanted)
        old_text, new_text = self.old.read(lock), self.new.read(lock)
        if old_text is None or new_text is None:
            state = "new" if old_text is None else "gone"
            self._lockfile_fallback(ws, change, f"the lockfile is {state}")
            return
        try:
            diff = lockfiles.compare(
                parse, old_text, new_text, scope,
                lambda rel: self.old.read(join(ws.root, rel)),
                lambda rel: self.new.read(join(ws.root, rel)),
            )
        except lockfiles.LockfileUnsure as exc:
            self._lockfile_fallback(ws, change, f"cannot compare its versions: {exc}")
            return
        by_path = {p.path: p for p in members}
        by_name = {p.name: p for p in members}
        found: dict[str, tuple[set[str], set[str]]] = {}
        for item in diff.members:
            member = item.member
            if member.path is not None:
                pkg = by_path.get(join(ws.root, member.path))
            else:
                pkg = by_name.get(member.name or "")
            if member.path == "." and (pkg is None or len(members) > 1):
                listed = ", ".join(item.causes) + (f" and {item.more} more" if item.more else "")
                self._all_of_workspace(ws, Reason(lock, _why(
                    change, f"{listed}; a dependency of the workspace root, shared by all")))
            elif pkg is None:
                self._lockfile_fallback(
                    ws, change, f"{member.path or member.name} is in it but not in the scan")
            else:
                for node in self._reach(self.state, pkg.id, False):
                    info = self.state.by_package.get(node)
                    if info is not None:
                        reached, via = found.setdefault(info.name, (set(), set()))
                        reached.update(item.causes)
                        via.add(pkg.name)
        for target, (reached, via) in found.items():
            detail = f"{_listing(reached)}; via {_listing(via)}"
            self._add(target, Reason(lock, _why(change, detail)))

    def _lockfile_fallback(self, ws: Workspace, change: FileChange, why: str) -> None:
        self._all_of_workspace(ws, Reason(change.path, _why(
            change, f"{why}; assuming every {ws.ecosystem} service of the workspace")))

    # ---- packages

    def _package_change(self, state: RepoState, pkg: Package, change: FileChange) -> None:
        """Every service needing pkg (itself included) whose build context admits the file.

        `state` is the revision pkg was found in: head, or base for a deleted package,
        whose former dependents are then named by their head targets.
        """
        reached = self._reach(state, pkg.id, False)
        for node in sorted(reached):
            info = state.by_package.get(node)
            if info is None or not info.admits(change.path):
                continue
            head = self.state.by_package.get(node)
            if head is not None:
                relation = "in" if node == pkg.id else "via"
                self._add(head.name, Reason(change.path, _why(change, f"{relation} {pkg.name}")))
        if not self.include_dev:
            return
        for node in sorted(self._reach(state, pkg.id, True) - reached):
            head = self.state.by_package.get(node)
            # a dev dependency is outside the build context by design: only the folder counts
            if head is not None and is_within(change.path, head.context):
                self._add(head.name, Reason(change.path, _why(change, f"via {pkg.name}, dev")))

    def _hand_targets(self, change: FileChange) -> None:
        for info in self._hand:
            if info.admits(change.path):
                self._add(info.name, Reason(change.path, _why(change, "in its build context")))

    def _orphan_change(self, change: FileChange) -> None:
        """A file gone with its package: the base revision's plan names its dependents."""
        if self._base_manifest_dirs is not None and not any(
            folder in self._base_manifest_dirs
            for folder in iter_parents(change.path) if folder != "."
        ):
            return  # no package held it at base either: no need to plan the base revision
        base = self._load_base()
        if base is None:
            return
        for pkg in base.deepest_packages(change.path):
            self._package_change(base, pkg, change)

    def _load_base(self) -> RepoState | None:
        if self._base is None and not self._base_failed and self._base_state is not None:
            try:
                self._base = self._base_state()
            except BakegenError as exc:
                self._base_failed = True
                self.notes.append(f"cannot plan the base revision ({exc}); files of deleted "
                                  "packages were not traced to their former dependents")
        return self._base

    # ---- bake files and config

    def _bake_change(self, changes: list[FileChange]) -> None:
        """Targets whose merged definition differs, and targets building on them."""
        paths = sorted({c.path for c in changes})
        old, new = _load_bake(self.old), _load_bake(self.new)
        if new is None:
            self.notes.append(f"{BAKE_FILE} cannot be read at the head revision; "
                              "changes to the bake files were not traced")
            return
        if old is None:
            for path in paths:
                self._all_targets(Reason(path, "no readable bake file at the base revision"))
            return
        before, after = _definitions(old), _definitions(new)
        changed = {name for name in after if before.get(name) != after[name]}
        users: dict[str, set[str]] = {}
        for name, target in new.targets.items():
            for ref in target.target_refs:
                users.setdefault(ref, set()).add(name)
        why = {name: f"target {name} changed" for name in changed}
        queue = sorted(changed)
        while queue:
            name = queue.pop(0)
            for user in sorted(users.get(name, ())):
                if user not in why:
                    why[user] = f"via target {name}"
                    queue.append(user)
        for name in sorted(why):
            if name in self.state.targets:
                for path in paths:
                    self._add(name, Reason(path, why[name]))

    def _config_change(self, change: FileChange) -> None:
        path = change.path
        if path == "pyproject.toml" and self.new.read(CONFIG_FILE) is not None:
            return  # bakegen.toml wins over [tool.bakegen]
        if _config_table(path, self.old.read(path)) != _config_table(path, self.new.read(path)):
            self._all_targets(Reason(path, _why(change, "bakegen config changed")))

    def _through_target_contexts(self) -> None:
        """A target building on an affected target (`target:` context) is affected too."""
        queue = sorted(self.reasons)
        users: dict[str, list[str]] = {}
        for info in self.state.targets.values():
            for ref in info.refs:
                users.setdefault(ref, []).append(info.name)
        while queue:
            name = queue.pop(0)
            for user in users.get(name, ()):
                if user not in self.reasons:
                    self._add(user, Reason(f"target {name}", "used as a named context"))
                    queue.append(user)


def _listing(names: Iterable[str], shown: int = 3) -> str:
    """`a, b, c and 4 more`, sorted."""
    ordered = sorted(names)
    text = ", ".join(ordered[:shown])
    return f"{text} and {len(ordered) - shown} more" if len(ordered) > shown else text


def _relative(path: str, root: str) -> str:
    if root == ".":
        return path
    if path == root:
        return "."
    return path[len(root) + 1:] if is_within(path, root) else path


def _why(change: FileChange, detail: str) -> str:
    described = change.describe()
    return f"{described}, {detail}" if described else detail


def _package_id(info: TargetInfo) -> str | None:
    return info.service.package.id if info.service is not None else None


def _config_table(path: str, text: str | None) -> Any:
    if text is None:
        return None
    try:
        data = tomlparse.loads(text)
    except tomlparse.TOMLDecodeError:
        return ("unparsable", text)
    if path == "pyproject.toml":
        tool = data.get("tool", {})
        return tool.get("bakegen") if isinstance(tool, dict) else None
    return data
