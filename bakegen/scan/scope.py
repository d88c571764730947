"""What the scan plans: workspace members, and standalone projects only with evidence.

Workspace members are always packages. A project outside every declared workspace of its
ecosystem (a Node package.json with its own lockfile, a crate without `[workspace]`, a
Poetry or pip project) is a package only when

- its ecosystem declares no workspace anywhere in the repo (independent projects linked by
  path dependencies, as in a Poetry monorepo), or
- the repo gives evidence that it is built on its own: a Dockerfile or compose `build:` for
  it, or an entry in bakegen.toml;

and never when a default exclude matches it (`examples/`, `templates/`, `fixtures/`, ...),
unless bakegen.toml or a compose file names it. The user's `exclude` patterns remove paths
from the scan altogether, workspace members included.

Problems in files that end up outside the plan become warnings: they cannot break a build
bakegen never writes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pathspec

from bakegen.ecosystems import manifest_ecosystems
from bakegen.errors import Problem
from bakegen.model import Package, Skipped, Workspace
from bakegen.tree import CREDENTIAL_FILE_NAMES, SourceTree, iter_parents

#: (gitignore pattern, what it holds): standalone projects there are not the repo's services.
#: Chosen from what real monorepos keep outside their workspaces: example apps, project
#: templates (cookiecutter paths hold `{{ }}`), test fixtures and data, vendored or patched
#: third-party code, documentation sites, and GitHub Actions of the repo's own CI.
DEFAULT_EXCLUDES: tuple[tuple[str, str], ...] = (
    ("examples/", "example projects"),
    ("example/", "example projects"),
    ("samples/", "example projects"),
    ("templates/", "project templates"),
    ("template/", "project templates"),
    ("*{{*", "a template placeholder in the path"),
    ("fixtures/", "test fixtures"),
    ("__fixtures__/", "test fixtures"),
    ("testdata/", "test data"),
    ("test-data/", "test data"),
    ("test_data/", "test data"),
    ("tests/", "tests"),
    ("test/", "tests"),
    ("vendor/", "vendored code"),
    ("third_party/", "vendored code"),
    ("third-party/", "vendored code"),
    ("docs/", "documentation"),
    ("doc/", "documentation"),
    (".github/", "CI actions"),
    (".devcontainer/", "development containers"),
)
#: manifest file name -> its ecosystem
MANIFEST_ECOSYSTEMS = manifest_ecosystems()


@dataclass(frozen=True, slots=True)
class Scope:
    """The exclude patterns of a scan: the defaults, and the user's `exclude` lines."""

    user: tuple[str, ...] = ()
    source: str = "bakegen.toml"

    def user_reason(self, rel: str) -> str | None:
        """Why the user's patterns leave `rel` out, or None."""
        if not self.user:
            return None
        result = _spec(self.user).check_file(rel)
        if not result.include or result.index is None:
            return None
        return f'matches exclude "{self.user[result.index]}" in {self.source}'

    def default_reason(self, rel: str) -> str | None:
        """Why a default exclude leaves `rel` out (the user's `!` lines win), or None."""
        lines = (*(p for p, _ in DEFAULT_EXCLUDES), *self.user)
        result = _spec(lines).check_file(rel)
        if not result.include or result.index is None or result.index >= len(DEFAULT_EXCLUDES):
            return None
        pattern, what = DEFAULT_EXCLUDES[result.index]
        return f'matches default exclude "{pattern}" ({what})'


#: a file name no exclude pattern names, to ask whether a folder is excluded
_ANY_FILE = "Cargo.toml"


def _excluded_roots(workspaces: tuple[Workspace, ...], scope: Scope) -> dict[str, str]:
    """Declared workspaces (not the repo's root) whose folder a default exclude covers: why."""
    found = {}
    for ws in workspaces:
        if ws.declared and ws.root != ".":
            reason = scope.default_reason(f"{ws.root}/{_ANY_FILE}")
            if reason is not None:
                found[ws.key] = reason
    return found


def _spec(lines: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    return _SPECS.get(lines) or _SPECS.setdefault(lines, pathspec.GitIgnoreSpec.from_lines(lines))


_SPECS: dict[tuple[str, ...], pathspec.GitIgnoreSpec] = {}


def filter_tree(tree: SourceTree, scope: Scope) -> tuple[SourceTree, tuple[Skipped, ...]]:
    """The tree without the files the user excluded, and the manifests that left with them.

    Credential files stay indexed: every build context must still leave them out."""
    if not scope.user:
        return tree, ()
    kept: list[str] = []
    skipped: list[Skipped] = []
    for rel in tree.files:
        name = rel.rsplit("/", 1)[-1]
        reason = None if name in CREDENTIAL_FILE_NAMES else scope.user_reason(rel)
        if reason is None:
            kept.append(rel)
        elif name in MANIFEST_ECOSYSTEMS:
            skipped.append(Skipped(rel, reason))
    if len(kept) == len(tree.files):
        return tree, ()
    narrowed = SourceTree.from_files(tree.root, kept, tree.problems, tree.hidden_credentials)
    return narrowed, tuple(skipped)


@dataclass(frozen=True, slots=True)
class Narrowed:
    """The packages and workspaces bakegen plans, and what it left out."""

    workspaces: tuple[Workspace, ...]
    packages: tuple[Package, ...]
    problems: tuple[Problem, ...]
    skipped: tuple[Skipped, ...]


def narrow(
    workspaces: Iterable[Workspace],
    packages: Iterable[Package],
    problems: Iterable[Problem],
    scope: Scope,
    named: Mapping[str, str],
    evidence: Mapping[str, str],
) -> Narrowed:
    """Keep workspace members and standalone projects with evidence (see the module doc).

    `named` maps manifests of packages that bakegen.toml or a compose file names to why;
    `evidence` maps manifests of packages a Dockerfile builds to why (both by manifest, as
    standalone projects may share a name). A kept package keeps its dependencies.
    """
    workspaces = tuple(workspaces)
    packages = tuple(packages)
    by_key = {w.key: w for w in workspaces}
    declared = {w.ecosystem for w in workspaces if w.declared}
    excluded_roots = _excluded_roots(workspaces, scope)
    dropped: dict[str, str] = {}
    for pkg in packages:
        ws = by_key.get(f"{pkg.ecosystem}:{pkg.workspace}")
        if ws is None or pkg.manifest in named:
            continue
        if ws.declared:
            # members of a workspace are packages wherever they sit, but a whole workspace
            # under an excluded folder (a test fixture, an example) is not the repo's
            reason = excluded_roots.get(ws.key)
            if reason is not None and pkg.manifest not in evidence:
                dropped[pkg.manifest] = f"its workspace {ws.root} {reason}"
            continue
        reason = scope.default_reason(pkg.manifest)
        if reason is None and pkg.ecosystem in declared and pkg.manifest not in evidence:
            reason = (
                f"outside every {pkg.ecosystem} workspace, and no Dockerfile, compose build "
                "or bakegen.toml entry builds it on its own"
            )
        if reason is not None:
            dropped[pkg.manifest] = reason
    _keep_dependencies(packages, dropped)
    kept = tuple(p for p in packages if p.manifest not in dropped)
    gone = [p for p in packages if p.manifest in dropped]
    return Narrowed(
        workspaces=tuple(w for w in without_packages(workspaces, gone)
                         if w.packages or w.key not in excluded_roots),
        packages=kept,
        problems=_narrow_problems(problems, kept, gone, dropped, scope, declared),
        skipped=tuple(sorted(Skipped(p.manifest, dropped[p.manifest]) for p in gone)),
    )


def _keep_dependencies(packages: tuple[Package, ...], dropped: dict[str, str]) -> None:
    """Take back every dropped package a kept one depends on (its workspace builds both).

    `dropped` is keyed by manifest: standalone projects may share a name."""
    by_name = {(p.ecosystem, p.workspace, p.name): p for p in packages}
    queue = [p for p in packages if p.manifest not in dropped]
    while queue:
        pkg = queue.pop()
        for dep in pkg.dependencies:
            target = by_name.get((pkg.ecosystem, pkg.workspace, dep.name))
            if target is not None and target.manifest in dropped:
                del dropped[target.manifest]
                queue.append(target)


def without_packages(
    workspaces: Iterable[Workspace], gone: list[Package]
) -> tuple[Workspace, ...]:
    """The workspaces minus `gone`; a standalone workspace left empty disappears."""
    result = []
    for ws in workspaces:
        leaving = [p for p in gone if p.ecosystem == ws.ecosystem and p.workspace == ws.root]
        if not leaving:
            result.append(ws)
            continue
        names = {p.name for p in leaving}
        manifests = {p.manifest for p in leaving}
        remaining = tuple(n for n in ws.packages if n not in names)
        if not remaining and not ws.declared:
            continue
        result.append(dataclasses.replace(
            ws,
            packages=remaining,
            manifests=tuple(m for m in ws.manifests if m not in manifests),
        ))
    return tuple(result)


def _narrow_problems(
    problems: Iterable[Problem],
    kept: tuple[Package, ...],
    gone: list[Package],
    dropped: Mapping[str, str],
    scope: Scope,
    declared: set[str],
) -> tuple[Problem, ...]:
    """Errors in files outside the plan become warnings; warnings about them are dropped."""
    by_folder = {p.path: p for p in (*kept, *gone) if p.path != "."}
    result = []
    for problem in problems:
        owner = _owner(problem.path, by_folder)
        if owner is not None and owner.manifest in dropped:
            if problem.is_error:
                result.append(Problem.warning(
                    problem.path, f"{problem.message} (not built: {dropped[owner.manifest]})"))
            continue
        ecosystem = MANIFEST_ECOSYSTEMS.get(problem.path.rsplit("/", 1)[-1])
        if problem.is_error and owner is None and ecosystem and ecosystem not in declared:
            reason = scope.default_reason(problem.path)
            if reason is not None:
                problem = Problem.warning(problem.path, f"{problem.message} (not built: {reason})")
        result.append(problem)
    return tuple(result)


def _owner(path: str, by_folder: Mapping[str, Package]) -> Package | None:
    """The package whose folder holds `path` most closely (the root package never owns)."""
    for folder in (path, *iter_parents(path)):
        if folder in by_folder:
            return by_folder[folder]
    return None
