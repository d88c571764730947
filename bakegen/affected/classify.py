"""The change classifier of `affected`: every changed file, matched in order against the
bake files, bakegen's config, the targets' Dockerfiles and `.dockerignore` files, the
workspaces' root manifests, lockfiles and tool files, and finally the deepest package
holding it, whose dependents are affected when their build context admits the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bakegen import lockfiles, tomlparse
from bakegen.affected.bakediff import changed_targets
from bakegen.affected.git import FileChange
from bakegen.affected.result import AffectedTarget, Reason
from bakegen.affected.revision import Revision, load_bake
from bakegen.affected.state import ROOT_DOCKERIGNORE, RepoState, TargetInfo
from bakegen.ecosystems import lockfile_parser
from bakegen.errors import BakegenError
from bakegen.formats import BAKE_FILE, BAKE_FILES, CONFIG_FILE
from bakegen.model import Package, Workspace
from bakegen.tree import is_within, iter_parents, join, parent


@dataclass(slots=True)
class _Later:
    """Changes whose rules compare both revisions, applied once every file was sorted."""

    lockfiles: list[tuple[Workspace, FileChange]] = field(default_factory=list)
    bake: list[FileChange] = field(default_factory=list)
    config: list[FileChange] = field(default_factory=list)
    orphans: list[FileChange] = field(default_factory=list)


class Classifier:
    """Turns the file changes between two revisions into targets and reasons."""

    def __init__(
        self,
        state: RepoState,
        old: Revision,
        new: Revision,
        include_dev: bool,
        plan_base: Callable[[], RepoState] | None = None,
        base_manifest_dirs: frozenset[str] | None = None,
    ) -> None:
        self.state = state
        self.old = old
        self.new = new
        self.include_dev = include_dev
        self._plan_base = plan_base
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
        later = _Later()
        for change in changes:
            self._classify(change, later)
        for ws, change in later.lockfiles:
            self._lockfile_change(ws, change)
        if later.bake:
            self._bake_change(later.bake)
        for change in later.config:
            self._config_change(change)
        for change in later.orphans:
            self._orphan_change(change)
        self._through_target_contexts()
        return tuple(
            AffectedTarget(name, _package_id(self.state.targets[name]), tuple(sorted(reasons)))
            for name, reasons in sorted(self.reasons.items())
            if name in self.state.targets
        )

    def _classify(self, change: FileChange, later: _Later) -> None:
        """The first rule a changed file meets, in order: bake files, config, Dockerfiles and
        .dockerignore files, workspace files, then the deepest package holding it. Rules
        that compare both revisions are kept for `later`."""
        path = change.path
        if path in BAKE_FILES:
            later.bake.append(change)
            return
        if path in (CONFIG_FILE, "pyproject.toml"):
            later.config.append(change)
            if path == CONFIG_FILE:
                return
        if self._dockerfile_change(change):
            return
        workspace_hits = self._workspace_files.get(path)
        if workspace_hits:
            for ws, kind in workspace_hits:
                if kind == "lockfile":
                    later.lockfiles.append((ws, change))
                else:
                    self._all_of_workspace(ws, Reason(path, _why(
                        change, f"{kind} of the {ws.ecosystem} workspace")))
            return
        packages = self.state.deepest_packages(path)
        for pkg in packages:
            self._package_change(self.state, pkg, change)
        if not packages and change.is_old_side:
            later.orphans.append(change)
        self._hand_targets(change)

    # ---- helpers

    def _add(self, target: str, reason: Reason) -> None:
        self.reasons.setdefault(target, set()).add(reason)

    def _all_targets(self, reason: Reason) -> None:
        for name in self.state.targets:
            self._add(name, reason)

    def _all_of_workspace(self, ws: Workspace, reason: Reason) -> None:
        for name, info in self.state.targets.items():
            if info.service is not None:
                uses = info.service.base is not None and info.service.base.workspace.key == ws.key
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
        tools: dict[str, set[str]] = {}
        for info in self.state.targets.values():
            if info.service is not None and info.service.uses_bases:
                users.setdefault(info.service.bases.dockerfile, set()).add(info.name)
            if info.service is not None and info.service.recipe is not None:
                for tool in info.service.recipe.tools:
                    tools.setdefault(tool.dockerfile, set()).add(info.name)
            for ref in info.refs:
                if ref in self.state.base_targets:
                    users.setdefault(self.state.base_targets[ref].dockerfile, set()).add(info.name)
        index: dict[str, tuple[str, tuple[str, ...]]] = {}
        for base in self.state.bases:
            names = tuple(sorted(users.get(base.dockerfile, ())))
            index[base.dockerfile] = ("shared base Dockerfile", names)
            index[f"{base.dockerfile}.dockerignore"] = ("shared base .dockerignore", names)
        for dockerfile, linked in tools.items():
            names = tuple(sorted(linked))
            index[dockerfile] = ("bakegen's helper Dockerfile", names)
            index[f"{dockerfile}.dockerignore"] = ("bakegen's helper .dockerignore", names)
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
        by_key = {ws.key: ws for ws in self.state.workspaces}
        for pkg in self.state.packages:
            # deps-base installs a pip project's requirements.txt: every service's base
            owner = by_key.get(f"{pkg.ecosystem}:{pkg.workspace}")
            if pkg.requirements_file and owner is not None:
                index.setdefault(pkg.requirements_file, []).append(
                    (owner, "pinned requirements"))
        return index

    def _lockfile_change(self, ws: Workspace, change: FileChange) -> None:
        """The services the members whose locked dependencies changed reach; every service
        of the workspace when the versions cannot be compared."""
        members = self.state.workspace_members(ws)
        diff = self._compare_lockfile(ws, change.path, members)
        if isinstance(diff, str):
            self._lockfile_fallback(ws, change, diff)
            return
        found: dict[str, tuple[set[str], set[str]]] = {}
        package_of = _member_lookup(ws, members)
        for item in diff.members:
            self._lockfile_member(ws, change, item, package_of(item.member), len(members), found)
        for target, (reached, via) in found.items():
            detail = f"{_listing(reached)}; via {_listing(via)}"
            self._add(target, Reason(change.path, _why(change, detail)))

    def _compare_lockfile(
        self, ws: Workspace, lock: str, members: tuple[Package, ...]
    ) -> lockfiles.LockDiff | str:
        """The two versions' differences within the workspace, or why they cannot be had."""
        parse = lockfile_parser(lock)
        if parse is None:
            return "no comparison for this lockfile format"
        scope = lockfiles.Members(
            paths=frozenset(_relative(p.path, ws.root) for p in members),
            names=frozenset(p.name for p in members),
            include_dev=self.include_dev,
        )
        self._prefetch_lockfile(ws, lock, scope)
        old_text, new_text = self.old.read(lock), self.new.read(lock)
        if old_text is None or new_text is None:
            return f"the lockfile is {'new' if old_text is None else 'gone'}"
        try:
            return lockfiles.compare(
                parse, old_text, new_text, scope,
                lambda rel: self.old.read(join(ws.root, rel)),
                lambda rel: self.new.read(join(ws.root, rel)),
            )
        except lockfiles.LockfileUnsure as exc:
            return f"cannot compare its versions: {exc}"

    def _prefetch_lockfile(self, ws: Workspace, lock: str, scope: lockfiles.Members) -> None:
        """Both versions of the lockfile and of what its comparison reads, one git call each."""
        wanted = [lock]
        if lock.endswith("yarn.lock"):  # classic yarn.lock: members' deps are in package.json
            wanted += [join(ws.root, join(rel, "package.json")) for rel in (*scope.paths, ".")]
        for revision in (self.old, self.new):
            revision.prefetch(wanted)

    def _lockfile_member(
        self,
        ws: Workspace,
        change: FileChange,
        item: lockfiles.MemberChange,
        pkg: Package | None,
        member_count: int,
        found: dict[str, tuple[set[str], set[str]]],
    ) -> None:
        """One member whose locked dependencies changed: the services needing it go in
        `found` (target -> (causes, members)); the workspace root reaches every service."""
        member = item.member
        if member.path == "." and (pkg is None or member_count > 1):
            listed = ", ".join(item.causes) + (f" and {item.more} more" if item.more else "")
            self._all_of_workspace(ws, Reason(change.path, _why(
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
        if self._base is None and not self._base_failed and self._plan_base is not None:
            try:
                self._base = self._plan_base()
            except BakegenError as exc:
                self._base_failed = True
                self.notes.append(f"cannot plan the base revision ({exc}); files of deleted "
                                  "packages were not traced to their former dependents")
        return self._base

    # ---- bake files and config

    def _bake_change(self, changes: list[FileChange]) -> None:
        """Targets whose merged definition differs, and targets building on them."""
        paths = sorted({c.path for c in changes})
        old, new = load_bake(self.old), load_bake(self.new)
        if new is None:
            self.notes.append(f"{BAKE_FILE} cannot be read at the head revision; "
                              "changes to the bake files were not traced")
            return
        if old is None:
            for path in paths:
                self._all_targets(Reason(path, "no readable bake file at the base revision"))
            return
        why = changed_targets(old, new)
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


def _member_lookup(
    ws: Workspace, members: tuple[Package, ...]
) -> Callable[[lockfiles.Member], Package | None]:
    """The scanned package a lockfile's member names: by folder, else by name."""
    by_path = {p.path: p for p in members}
    by_name = {p.name: p for p in members}

    def package_of(member: lockfiles.Member) -> Package | None:
        if member.path is not None:
            return by_path.get(join(ws.root, member.path))
        return by_name.get(member.name or "")

    return package_of


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
