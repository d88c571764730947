"""Re-planning a revision for `affected`: its plan made by the pipeline's stages, and the
targets and indexes the change classifier asks.

Generated Dockerfiles' build contexts come from the plan as data (the patterns the
renderer writes, `render.dockerignore.context_patterns`); only Dockerfiles a service or
a hand-written target brings itself are matched against `.dockerignore` files on disk.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from bakegen import graph as graphs
from bakegen.affected.git import GitRepo
from bakegen.affected.revision import Revision, load_bake, load_bake_disk, read_disk
from bakegen.bakefile import BakeFile
from bakegen.ignore import DockerIgnore, MatchCache
from bakegen.model import Package, Workspace
from bakegen.pipeline import Generated, generate
from bakegen.plan import BasePlan, Plan, ServicePlan
from bakegen.render.dockerignore import context_patterns
from bakegen.tree import is_within, iter_parents, join, normalize

ROOT_DOCKERIGNORE = ".dockerignore"


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
        """Run the pipeline's stages on the tree at root (nothing written) and index them;
        hand-written targets come from the bake files of `revision` (None: on disk)."""
        bake = load_bake(revision) if revision is not None else load_bake_disk(root)
        return cls.build(root, generate(root), bake)

    @classmethod
    def build(cls, root: Path, generated: Generated, bake: BakeFile | None) -> RepoState:
        """Index what the pipeline made; `bake` adds the hand-written targets."""
        plan, scan = generated.plan, generated.scan
        rules = _ContextRules(root, plan)
        targets: dict[str, TargetInfo] = {}
        for svc in plan.services:
            targets[svc.target] = TargetInfo(
                svc.target, svc.context_dir, svc.dockerfile,
                rules.of(svc.dockerfile, svc.context_dir), svc,
            )
        base_targets = {name: base for base in plan.bases
                        for name in (base.deps_target, base.production_target)}
        if bake is not None:
            for target in bake.buildable():
                if target.name in targets or target.name in base_targets:
                    continue
                context = normalize(target.context)
                dockerfile = normalize(join(context, target.dockerfile))
                targets[target.name] = TargetInfo(target.name, context, dockerfile,
                                                  rules.of(dockerfile, context),
                                                  refs=target.target_refs)
        by_path: dict[str, list[Package]] = {}
        for pkg in scan.packages:
            by_path.setdefault(pkg.path, []).append(pkg)
        needed_by, needed_by_all = _needed_by(generated.graph)
        return cls(
            bases=plan.bases,
            workspaces=scan.workspaces,
            packages=scan.packages,
            targets=dict(sorted(targets.items())),
            by_path={k: tuple(v) for k, v in by_path.items()},
            # a package's target, not the `own` group's build of its original Dockerfile
            by_package={i.service.package.id: i for i in targets.values()
                        if i.service and i.service.original_of is None},
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
        """The packages of one workspace."""
        return tuple(p for p in self.packages
                     if p.ecosystem == ws.ecosystem and p.workspace == ws.root)


class _ContextRules:
    """The `.dockerignore` rules each Dockerfile's build reads, parsed once per content."""

    def __init__(self, root: Path, plan: Plan) -> None:
        self._root = root
        self._cache = MatchCache()
        self._parsed: dict[tuple[str, ...], DockerIgnore] = {}
        # BuildKit reads <Dockerfile>.dockerignore in place of the context's own one;
        # bakegen writes one beside every Dockerfile it generates, from the plan's contexts
        admitted = [(b.dockerfile, b.context) for b in plan.bases]
        admitted += [(s.dockerfile, s.context) for s in plan.services if s.generated]
        self._generated = {
            dockerfile: context_patterns(context, plan.extra_ignores, plan.secret_files)
            for dockerfile, context in admitted
        }

    def of(self, dockerfile: str, context: str) -> DockerIgnore:
        """The rules deciding what of `context` reaches the build of `dockerfile`."""
        patterns = self._generated.get(dockerfile)
        if patterns is not None:
            return self._rules(patterns)
        for candidate in (f"{dockerfile}.dockerignore", join(context, ROOT_DOCKERIGNORE)):
            text = read_disk(self._root / candidate)
            if text is not None:
                return self._rules(tuple(text.splitlines()))
        return self._rules(())

    def _rules(self, lines: tuple[str, ...]) -> DockerIgnore:
        if lines not in self._parsed:
            self._parsed[lines] = DockerIgnore(lines, self._cache)
        return self._parsed[lines]


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


def plan_revision(repo: GitRepo, rev: str) -> RepoState:
    """The plan of a revision, generated from a temporary copy of its tree."""
    with tempfile.TemporaryDirectory(prefix="bakegen-base-") as folder:
        dest = Path(folder)
        repo.archive(rev, dest)
        return RepoState.load(dest)
