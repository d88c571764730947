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


def _rank(g) -> dict[str, int]:
    return {n: i for i, n in enumerate(graphs.dependency_order(g))}


ALL = frozenset({R, B, D})


def test_build_order_puts_a_dev_dependency_before_the_library_that_builds_with_it() -> None:
    # "db" sorts before "tsconfig" and only a dev edge joins them: the whole-graph order
    # (runtime/build edges) has db first, but db's build reads tsconfig's files
    g = graphs.build_graph([pkg("db", ("tsconfig", D)), pkg("tsconfig"),
                            pkg("web", ("db", R), ("tsconfig", D), service=True)])
    rank = _rank(g)
    assert rank["node:db"] < rank["node:tsconfig"]
    closure = graphs.dependencies_of(g, "node:web", ALL)
    assert graphs.build_order(g, closure, ALL, rank) == ("node:tsconfig", "node:db")


def test_build_order_keeps_the_whole_graph_order_where_no_edge_objects() -> None:
    g = graphs.build_graph([pkg("a"), pkg("b", ("a", R)), pkg("c"), pkg("d", ("c", D)),
                            pkg("svc", ("b", R), ("d", R), service=True)])
    rank = _rank(g)
    closure = graphs.dependencies_of(g, "node:svc", ALL)
    assert graphs.build_order(g, closure, ALL, rank) == tuple(sorted(closure, key=rank.get))


def test_build_order_cuts_a_dev_loop_at_its_lowest_rank_and_orders_the_rest() -> None:
    # lint and test-utils need each other (dev); core needs lint (dev), app needs core
    g = graphs.build_graph([pkg("lint", ("test-utils", D)), pkg("test-utils", ("lint", D)),
                            pkg("core", ("lint", D)), pkg("app", ("core", R), service=True)])
    rank = _rank(g)
    closure = graphs.dependencies_of(g, "node:app", ALL)
    order = graphs.build_order(g, closure, ALL, rank)
    assert set(order) == {"node:lint", "node:test-utils", "node:core"}
    assert order.index("node:lint") < order.index("node:core")
    loop = sorted(("node:lint", "node:test-utils"), key=rank.get)
    assert order.index(loop[0]) < order.index(loop[1])


def test_build_order_only_follows_the_kinds_asked_for() -> None:
    g = graphs.build_graph([pkg("db", ("tsconfig", D)), pkg("tsconfig")])
    rank = _rank(g)
    nodes = {"node:db", "node:tsconfig"}
    assert graphs.build_order(g, nodes, frozenset({R, B}), rank) == ("node:db", "node:tsconfig")
