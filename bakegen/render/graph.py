"""The dependency graph as text, Graphviz dot, Mermaid or JSON."""

from __future__ import annotations

import json
import re

import networkx as nx

from bakegen.graph import build_waves
from bakegen.render.schema import versioned

FORMATS = ("text", "dot", "mermaid", "json")


def render_graph(graph: nx.DiGraph, fmt: str) -> str:
    """Render in one of FORMATS; nodes and edges sorted."""
    return {"text": _text, "dot": _dot, "mermaid": _mermaid, "json": _json}[fmt](graph)


def _label(graph: nx.DiGraph, node: str) -> str:
    pkg = graph.nodes[node]["package"]
    return f"{pkg.name} [{pkg.ecosystem}{', service' if pkg.deployable else ''}]"


def _edges(graph: nx.DiGraph) -> list[tuple[str, str, str]]:
    return sorted((a, b, d["kind"]) for a, b, d in graph.edges(data=True))


def _text(graph: nx.DiGraph) -> str:
    lines = []
    for node in sorted(graph.nodes):
        lines.append(_label(graph, node))
        for _, dep, kind in sorted((a, b, k) for a, b, k in _edges(graph) if a == node):
            suffix = "" if kind == "runtime" else f" ({kind})"
            lines.append(f"  -> {graph.nodes[dep]['package'].name}{suffix}")
    lines.append("")
    lines.append("build order (each wave can build in parallel):")
    for i, wave in enumerate(build_waves(graph), start=1):
        lines.append(f"  {i}. " + ", ".join(graph.nodes[n]["package"].name for n in wave))
    return "\n".join(lines) + "\n"


def _dot(graph: nx.DiGraph) -> str:
    lines = ["digraph bakegen {", "  rankdir=LR;"]
    for node in sorted(graph.nodes):
        shape = "box" if graph.nodes[node]["package"].deployable else "ellipse"
        lines.append(
            f"  {json.dumps(node)} [label={json.dumps(_label(graph, node))}, shape={shape}];"
        )
    for a, b, kind in _edges(graph):
        style = ", style=dashed" if kind == "dev" else ""
        lines.append(f"  {json.dumps(a)} -> {json.dumps(b)} [label={json.dumps(kind)}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_id(node: str, ids: dict[str, str]) -> str:
    return ids.setdefault(node, "n" + str(len(ids)) + "_" + re.sub(r"[^A-Za-z0-9]", "_", node)[:40])


def _mermaid(graph: nx.DiGraph) -> str:
    ids: dict[str, str] = {}
    lines = ["graph LR"]
    for node in sorted(graph.nodes):
        text = _label(graph, node).replace('"', "#quot;")
        open_, close = ("[", "]") if graph.nodes[node]["package"].deployable else ("(", ")")
        lines.append(f'  {_mermaid_id(node, ids)}{open_}"{text}"{close}')
    for a, b, kind in _edges(graph):
        arrow = "-.->" if kind == "dev" else "-->"
        label = "" if kind == "runtime" else f"|{kind}|"
        lines.append(f"  {_mermaid_id(a, ids)} {arrow}{label} {_mermaid_id(b, ids)}")
    return "\n".join(lines) + "\n"


def _json(graph: nx.DiGraph) -> str:
    data = {
        "nodes": [
            {
                "id": n,
                "ecosystem": graph.nodes[n]["package"].ecosystem,
                "name": graph.nodes[n]["package"].name,
                "path": graph.nodes[n]["package"].path,
                "deployable": graph.nodes[n]["package"].deployable,
            }
            for n in sorted(graph.nodes)
        ],
        "edges": [
            {"from": a, "to": b, "kind": k, "kinds": list(graph.edges[a, b]["kinds"])}
            for a, b, k in _edges(graph)
        ],
        "waves": [list(w) for w in build_waves(graph)],
    }
    return json.dumps(versioned(data), indent=2, ensure_ascii=False) + "\n"
