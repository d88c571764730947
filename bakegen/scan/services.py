"""Which heuristic service candidates are not services.

Evidence comes first (a compose build or a Dockerfile, see `scan.evidence`). Without it,
each ecosystem proposes candidates by heuristic: a Node `start` script, a Cargo bin target,
Python console scripts or a `__main__.py`. A candidate is rejected, with the reason kept on
the package, when

- its `start` script runs a development server (`next dev`, `vite`, `nodemon`, `tsx watch`,
  `gatsby develop`, ...) or a desktop shell (`electron`, `tauri`);
- it is a desktop app: a Tauri project (`src-tauri/`) or the crate inside one;
- its name or folder says it is a benchmark, load test, example, tool, CLI, code or doc
  generator, docs, fuzz target or test (`bench`, `load-test`, `examples`, `tools`, `xtask`,
  ...), or every binary of a crate or Python project does (`src/bin/generate_types.rs`);
- the repo declares its services itself (a compose build, or a Dockerfile kept outside the
  package it builds, as in a shared `docker/` folder), and none builds this one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from bakegen.ecosystems import ECOSYSTEMS
from bakegen.model import Package
from bakegen.tree import SourceTree, join

_NOT_SERVICE_WORD = re.compile(
    r"(?:^|-)(?:bench|benches|benchmarks?|load-?tests?|load-?testing|stress(?:-?tests?)?|perf"
    r"|examples?|samples?|demos?|playground|sandbox|xtask|tools?|tooling|cli|codegen|gen"
    r"|docgen|doc-?gen|gen-?docs|docs?|generate|generator|fuzz|fuzzing|tests?|testing|e2e"
    r"|scripts?)(?:$|-)"
)


def reject_candidates(
    tree: SourceTree, packages: Iterable[Package], declared_by: tuple[str, ...]
) -> list[Package]:
    """Packages with heuristic services that are not services turned into libraries, each
    with its `rejected` reason; `declared_by` names the files declaring the repo's services."""
    result = []
    for pkg in packages:
        if pkg.deployable and not pkg.has_dockerfile:
            why = _rejection(tree, pkg, declared_by)
            if why is not None:
                pkg = dataclasses.replace(
                    pkg, deployable=False, rejected=f"{pkg.deployable_reason}, but {why}")
        result.append(pkg)
    return result


def _rejection(tree: SourceTree, pkg: Package, declared_by: tuple[str, ...]) -> str | None:
    # a framework whose production server the image runs (`next start`, nitro's `vite start`)
    ecosystem = ECOSYSTEMS.get(pkg.ecosystem)
    problem = ecosystem.service_problem(pkg) if ecosystem is not None else None
    if problem is not None:
        return problem
    if pkg.path.rsplit("/", 1)[-1] == "src-tauri" or tree.exists(
        join(pkg.path, "src-tauri/tauri.conf.json")
    ) or tree.exists(join(pkg.path, "src-tauri/Cargo.toml")):
        return "it is a desktop app (Tauri)"
    for word in (pkg.name.rsplit("/", 1)[-1], *pkg.path.split("/")):
        if names_no_service(word):
            return f'"{word}" names a benchmark, example, tool or test, not a service'
    if ecosystem is not None and ecosystem.binaries_are_services and pkg.binaries and all(
        _NOT_SERVICE_WORD.search(_words(b)) for b in pkg.binaries
    ):
        return f"its binaries ({', '.join(pkg.binaries)}) are tools, not services"
    if declared_by:
        shown = ", ".join(declared_by[:3]) + (", ..." if len(declared_by) > 3 else "")
        return f"the repo declares its services ({shown}) and none builds it"
    return None




def names_no_service(word: str) -> bool:
    """Whether a name or folder says benchmark, example, tool, test... (`Load_Test` does)."""
    return bool(_NOT_SERVICE_WORD.search(_words(word)))


def _words(name: str) -> str:
    """`Load_Test.rs` -> `load-test-rs`: one separator, lower case."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
