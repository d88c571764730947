"""The whole pipeline in one place: scan -> graph -> plan -> fingerprint -> render -> write.

`generate` runs the first five stages, one line each, and hands every stage's result on as
data (`Generated`); `write` is the last stage, which `bakegen generate` runs after showing
or checking the changes. `bakegen affected` reuses the stages on both revisions.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from bakegen.adopt.choose import choose, keep_originals
from bakegen.adopt.cost import cost_note
from bakegen.config import Config, load_config
from bakegen.ecosystems import ECOSYSTEMS
from bakegen.errors import BakegenError, ProblemsFound
from bakegen.fingerprint import fingerprint_bases, input_digest
from bakegen.graph import package_graph
from bakegen.model import ScanResult
from bakegen.plan import Plan, make_plan, own_dockerfile
from bakegen.render.files import render_files
from bakegen.scan.repository import scan_tree
from bakegen.tree import SourceTree
from bakegen.wording import listing
from bakegen.write import Changes, apply_changes, plan_changes, resolve_inside


@dataclass(frozen=True, slots=True)
class Overrides:
    """Settings given on the command line; None keeps the config's value."""

    registry: str | None = None
    platforms: tuple[str, ...] = ()
    cache: str | None = None
    output_dir: str | None = None
    #: `--adopt`: services to build on the shared bases instead of their own Dockerfiles
    adopt: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Generated:
    """What each stage made: the scan, its package graph, the plan, the bases'
    fingerprints (deps target -> fingerprint) and the files rendered from them."""

    scan: ScanResult
    graph: nx.DiGraph
    plan: Plan
    fingerprints: dict[str, str]
    files: dict[str, str]
    #: what the services that keep their own Dockerfiles cost (see `bakegen.adopt.cost`)
    note: str | None = None


def load_settings(root: Path, overrides: Overrides = Overrides()) -> Config:
    """The repo's config with command-line overrides applied."""
    config = load_config(root)
    changes: dict[str, object] = {}
    if overrides.registry:
        changes["registry"] = overrides.registry.rstrip("/")
    if overrides.platforms:
        changes["platforms"] = overrides.platforms
    if overrides.cache:
        changes["cache"] = overrides.cache
    if overrides.output_dir:
        changes["output_dir"] = overrides.output_dir
    return dataclasses.replace(config, **changes)  # type: ignore[arg-type]


def scan(root: Path, config: Config, tree: SourceTree | None = None) -> ScanResult:
    """Scan and raise ProblemsFound when any error was found (warnings pass)."""
    result = scan_tree(tree or SourceTree.scan(root), config)
    if result.errors:
        raise ProblemsFound(result.errors)
    return result


def generate(root: Path, overrides: Overrides = Overrides()) -> Generated:
    """scan -> graph -> plan -> fingerprint -> render; nothing is written here."""
    config = load_settings(root, overrides)
    resolve_inside(root, config.output_dir, "output folder")
    tree = SourceTree.scan(root)
    result = scan(root, config, tree)
    own = _own_dockerfiles(root, result, config)
    ignores = _root_ignores(root)
    adopted = choose(result, config, own, overrides.adopt)
    graph = package_graph(adopted.scan.packages)
    plan = make_plan(adopted.scan, graph, adopted.config, ECOSYSTEMS, ignores, own)
    if adopted.adoptions:
        original = make_plan(result, package_graph(result.packages), config, ECOSYSTEMS,
                             ignores, own)
        plan = keep_originals(plan, original, adopted)
    fingerprints = fingerprint_bases(plan, _digests(tree, plan))
    files = render_files(plan, fingerprints)
    note = cost_note(adopted.scan, adopted.config, own)
    result = dataclasses.replace(result, problems=(*result.problems, *adopted.warnings))
    return Generated(result, graph, plan, fingerprints, files, note)


def pending_changes(root: Path, generated: Generated, force: bool = False) -> Changes:
    """What `write` would do: files created, updated, removed or left alone."""
    return plan_changes(root, generated.files, (generated.plan.output_dir,), force=force)


def write(root: Path, generated: Generated, planned: Changes) -> None:
    """The write stage: apply the planned changes, each file atomically."""
    apply_changes(root, generated.files, planned)


def _digests(tree: SourceTree, plan: Plan) -> dict[str, str]:
    """sha256 hex of what a base takes from every file its build context admits."""
    return {path: input_digest(tree, path) for base in plan.bases for path in base.context}


#: what a scan looks for, named when it finds none of it
LOOKED_FOR = ("package.json", "Cargo.toml", "pyproject.toml", "Dockerfile", "compose.yaml")


def nothing_found(root: Path, result: ScanResult) -> str | None:
    """The one line saying a scan found no package at all, or None when it found some.

    An empty bake file builds nothing and `docker buildx bake` then fails with a vague
    error, so finding nothing is an outcome the user hears about, with what was skipped.
    """
    if result.packages:
        return None
    skipped = f"; skipped {listing([s.path for s in result.skipped], 3)} (see `bakegen scan`)"
    return (f"no packages found under {root.resolve()} (looked for {', '.join(LOOKED_FOR)})"
            f"{skipped if result.skipped else ''}")


def _own_dockerfiles(root: Path, result: ScanResult, config: Config) -> dict[str, str]:
    texts = {}
    for pkg in result.packages:
        path = own_dockerfile(pkg, config.service(pkg.name)) if pkg.deployable else None
        if path is None:
            continue
        try:
            texts[path] = resolve_inside(root, path, "Dockerfile").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BakegenError.at(path, f"cannot read the service's Dockerfile ({exc})") from exc
    return texts


def _root_ignores(root: Path) -> tuple[str, ...]:
    """Exclusion lines of the repository's own .dockerignore (re-inclusions are dropped)."""
    path = root / ".dockerignore"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ()
    kept = (line.strip() for line in lines)
    return tuple(line for line in kept if line and not line.startswith(("#", "!")))
