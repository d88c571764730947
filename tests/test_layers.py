"""The import graph of `bakegen`: no cycles, and no module imports a layer above its own.

Every import counts, also those inside functions and under TYPE_CHECKING: a lazy import
still ties the modules together. A new module has to be placed in `LAYERS` (a new
ecosystem package falls under `bakegen.ecosystems` by itself).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "bakegen"

#: bottom first; a module may import its own layer and the ones below it
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("formats", (
        "bakegen", "bakegen.errors", "bakegen.formats", "bakegen.naming", "bakegen.references",
        "bakegen.settings", "bakegen.tagcheck", "bakegen.tomlparse", "bakegen.wording",
    )),
    ("model", (
        "bakegen.bakefile", "bakegen.dockerfiles", "bakegen.ignore", "bakegen.lockfiles",
        "bakegen.manifests", "bakegen.model", "bakegen.tree", "bakegen.write",
        "bakegen.adopt.installs", "bakegen.adopt.reading",
    )),
    # health probes and the static-site server are recipe pieces several ecosystems share
    ("ecosystems", ("bakegen.ecosystems", "bakegen.health", "bakegen.static_server")),
    # what the ecosystems declare, applied: credential checks, and what an adopted
    # Dockerfile carries over (read before the plan)
    ("checks", ("bakegen.safety", "bakegen.adopt.carry")),
    ("config", ("bakegen.config",)),
    ("scan", ("bakegen.scan",)),
    ("graph/plan", ("bakegen.graph", "bakegen.plan", "bakegen.adopt")),
    # the fingerprint hashes the rendered base Dockerfile, so it sits with the renderers
    ("render", ("bakegen.render", "bakegen.fingerprint", "bakegen.adopt.render")),
    ("pipeline", ("bakegen.pipeline",)),
    # what the commands do beyond the pipeline; render.matrix formats matrix's jobs
    ("commands", (
        "bakegen.affected", "bakegen.bakecommand", "bakegen.matrix", "bakegen.onboarding",
        "bakegen.pin", "bakegen.platformcheck", "bakegen.render.matrix", "bakegen.rootdir",
    )),
    ("cli", ("bakegen.cli",)),
)
#: exceptions to the layering (none left: keep it that way)
KNOWN_UPWARD: frozenset[tuple[str, str]] = frozenset()


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported(path: Path, modules: dict[str, Path]) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            # `from bakegen import tomlparse` imports the module bakegen.tomlparse
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        yield from (name for name in names if name in modules)


def import_graph() -> nx.DiGraph:
    """module -> module it imports, for every module of bakegen."""
    modules = _modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for module, path in modules.items():
        graph.add_edges_from((module, target) for target in _imported(path, modules)
                             if target != module)
    return graph


def layer_of(module: str) -> int:
    """Index in LAYERS of the most specific prefix naming `module`."""
    best, length = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > length:
                best, length = index, len(prefix)
    return best


def test_every_module_has_a_layer() -> None:
    assert [m for m in import_graph() if layer_of(m) < 0] == []


def test_no_import_cycle() -> None:
    cycles = [sorted(c) for c in nx.strongly_connected_components(import_graph()) if len(c) > 1]
    assert cycles == []


def test_no_upward_import() -> None:
    graph = import_graph()
    upward = [
        f"{source} ({LAYERS[layer_of(source)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for source, target in sorted(graph.edges)
        if layer_of(target) > layer_of(source) and (source, target) not in KNOWN_UPWARD
    ]
    assert upward == []


@pytest.mark.parametrize(
    ("source", "target"),
    [("bakegen.model", "bakegen.render.bake"), ("bakegen.ecosystems.node", "bakegen.config")],
)
def test_the_check_sees_an_upward_import(source: str, target: str) -> None:
    assert layer_of(target) > layer_of(source)


def test_the_check_sees_a_cycle() -> None:
    graph = import_graph()
    graph.add_edge("bakegen.model", "bakegen.graph")  # graph imports model
    assert any(len(c) > 1 for c in nx.strongly_connected_components(graph))
