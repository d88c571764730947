from __future__ import annotations

import random

import pytest

from bakegen import graph as graphs
from bakegen.model import Dependency, DepKind, Package


def pkg(name: str, *deps: tuple[str, DepKind], eco: str = "node", service: bool = False) -> Package:
    return Package(
        ecosystem=eco,
        name=name,
        path=f"p/{name}",
        manifest=f"p/{name}/package.json",
        workspace=".",
        dependencies=tuple(Dependency(n, k) for n, k in deps),
        deployable=service,
    )


R, D, B = DepKind.RUNTIME, DepKind.DEV, DepKind.BUILD


def test_edges_keep_strongest_kind_and_all_kinds() -> None:
    g = graphs.build_graph([pkg("api", ("lib", D), ("lib", R)), pkg("lib")])
    assert g.edges["node:api", "node:lib"]["kind"] == "runtime"
    assert g.edges["node:api", "node:lib"]["kinds"] == ("dev", "runtime")


def test_same_name_in_two_ecosystems_are_two_nodes_without_edge() -> None:
    g = graphs.build_graph(
        [pkg("core", eco="cargo"), pkg("core", eco="python"), pkg("svc", ("core", R), eco="python")]
    )
    assert set(g.nodes) == {"cargo:core", "python:core", "python:svc"}
    assert list(g.edges) == [("python:svc", "python:core")]


def test_runtime_cycle_is_an_error_naming_the_loop() -> None:
    g = graphs.build_graph([pkg("a", ("b", R)), pkg("b", ("a", B))])
    with pytest.raises(graphs.CycleError, match=r"p/a/package.json: dependency cycle: a -> b -> a"):
        graphs.check_acyclic(g)


def test_dev_cycle_is_legal_and_ignored_for_ordering() -> None:
    g = graphs.build_graph([pkg("a", ("b", R)), pkg("b", ("a", D))])
    assert graphs.build_waves(g) == (("node:b",), ("node:a",))


def test_waves_and_closures() -> None:
    packages = [
        pkg("api", ("shared", R), ("testkit", D), service=True),
        pkg("web", ("ui", R), service=True),
        pkg("ui", ("shared", R)),
        pkg("shared"),
        pkg("testkit", ("shared", R)),
    ]
    g = graphs.build_graph(packages)
    assert graphs.build_waves(g) == (
        ("node:shared",),
        ("node:api", "node:testkit", "node:ui"),
        ("node:web",),
    )
    assert graphs.dependencies_of(g, "node:web") == {"node:ui", "node:shared"}
    assert graphs.dependents_of(g, ["node:shared"]) == {
        "node:shared",
        "node:api",
        "node:ui",
        "node:web",
        "node:testkit",
    }
    assert graphs.dependents_of(g, ["node:testkit"]) == {"node:testkit"}
    assert graphs.services(g) == ("node:api", "node:web")
    only = graphs.services_only(g)
    assert set(only.nodes) == {"node:api", "node:web"} and not list(only.edges)


def test_graph_is_the_same_whatever_the_input_order() -> None:
    packages = [pkg(f"p{i}", *((f"p{j}", R) for j in range(i))) for i in range(6)]
    first = graphs.build_graph(packages)
    for seed in range(5):
        shuffled = packages[:]
        random.Random(seed).shuffle(shuffled)
        again = graphs.build_graph(shuffled)
        assert list(again.nodes) == list(first.nodes)
        assert sorted(again.edges(data=True)) == sorted(first.edges(data=True))
        assert graphs.build_waves(again) == graphs.build_waves(first)


def test_graph_functions_do_not_mutate_their_input() -> None:
    g = graphs.build_graph([pkg("a", ("b", D)), pkg("b")])
    before = sorted(g.edges(data=True))
    graphs.ordering_view(g)
    graphs.services_only(g)
    graphs.build_waves(g)
    assert sorted(g.edges(data=True)) == before
