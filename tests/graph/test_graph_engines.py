"""igraph (the fast engine) gives networkx's numbers, convention for convention."""
from __future__ import annotations

import random

import networkx as nx
import pytest

from graph.build import build_graph
from graph.engine import IGRAPH_EDGE_THRESHOLD, IGRAPH_THRESHOLD, use_igraph
from graph.metrics import (
    betweenness,
    betweenness_plan,
    closeness,
    clustering,
    compute_metrics,
    diameter,
    eigenvector,
    network_metrics,
    pagerank,
    structural_holes,
)
from graph.records import EdgeRecord, NodeRecord

REL = 1e-9


def _graphs() -> dict[str, nx.Graph]:
    disconnected = nx.disjoint_union_all([nx.path_graph(6), nx.cycle_graph(5), nx.star_graph(3), nx.empty_graph(2),
                                          nx.complete_bipartite_graph(2, 3)])
    return {"karate": nx.karate_club_graph(), "lesmis": nx.les_miserables_graph(),
            "gnm500": nx.gnm_random_graph(500, 2000, seed=7), "disconnected": disconnected}


GRAPHS = _graphs()


def _built(name: str):
    graph = nx.convert_node_labels_to_integers(GRAPHS[name])
    nodes = [NodeRecord(v, f"A{v}") for v in graph]
    edges = [EdgeRecord(u, v, weight=float(d.get("weight", 1 + (u + v) % 3))) for u, v, d in graph.edges(data=True)]
    return build_graph(nodes, edges), build_graph(nodes, edges, directed=True)


def _close(a: dict, b: dict, abs_tol: float = 1e-12) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert a[key] == pytest.approx(b[key], rel=REL, abs=abs_tol), key


@pytest.mark.parametrize("name", list(GRAPHS))
def test_igraph_agrees_with_networkx(name: str) -> None:
    graph, directed = _built(name)
    slow = compute_metrics(graph, directed, engine="networkx", pivots=None)
    fast = compute_metrics(graph, directed, engine="igraph", pivots=None)
    assert slow.info["engine"] == "networkx" and fast.info["engine"] == "igraph"
    for field in ("betweenness", "betweenness_raw", "closeness", "eigenvector", "pagerank", "clustering",
                  "constraint", "effective_size", "degree", "strength", "degree_centrality"):
        _close({v: getattr(m, field) for v, m in slow.nodes.items() if getattr(m, field) is not None},
               {v: getattr(m, field) for v, m in fast.nodes.items() if getattr(m, field) is not None})
    for key in ("nodes", "edges", "density", "components", "largest_component", "isolates", "average_clustering",
                "average_path_length", "diameter", "reciprocity", "category_assortativity"):
        expected, actual = slow.network[key], fast.network[key]
        assert actual == (expected if expected is None else pytest.approx(expected, rel=REL)), key


@pytest.mark.parametrize("name", ["karate", "lesmis", "disconnected"])
def test_each_measure_against_networkx_itself(name: str) -> None:
    """The reference values come straight from networkx's functions, not from our wrapper."""
    graph, _ = _built(name)
    plain = nx.Graph(graph)
    for engine in ("networkx", "igraph"):
        _close(betweenness(graph, engine), nx.betweenness_centrality(plain, normalized=False))
        _close(closeness(graph, engine), nx.closeness_centrality(plain))           # wf_improved=True
        _close(pagerank(graph, engine), nx.pagerank(plain, weight="weight", tol=1e-14, max_iter=10_000))
        _close(clustering(graph, engine), nx.clustering(plain))
    components = [c for c in nx.connected_components(plain) if len(c) > 2]
    ours = eigenvector(graph, "igraph")
    for component in components:
        reference = nx.eigenvector_centrality_numpy(plain.subgraph(component), weight="weight")
        scale = (len(component) / plain.number_of_nodes()) ** 0.5
        for node, value in reference.items():
            assert ours[node] == pytest.approx(abs(value) * scale, rel=1e-8)


def test_constraint_has_three_agreeing_implementations() -> None:
    """Our sparse version, networkx's loops and igraph's C code agree on weighted karate."""
    graph, _ = _built("karate")
    ours, _ = structural_holes(graph)
    reference = nx.constraint(graph, weight="weight")
    import igraph as ig

    order = list(graph.nodes)
    index = {v: i for i, v in enumerate(order)}
    g = ig.Graph(n=len(order), edges=[(index[u], index[v]) for u, v in graph.edges])
    by_igraph = g.constraint(weights=[graph[u][v]["weight"] for u, v in graph.edges])
    for node in graph:
        assert ours[node] == pytest.approx(reference[node], rel=REL)
        assert ours[node] == pytest.approx(by_igraph[index[node]], rel=REL)


def test_weighted_paths_use_inverse_weight_in_both_engines() -> None:
    """With ``weighted_paths`` a tie of weight w is 1/w long. Weights 1, 2, 4 give lengths
    that add up exactly in binary floating point, so tie-breaking of equal paths is the
    same in both engines."""
    rng = random.Random(3)
    base = nx.gnm_random_graph(120, 400, seed=11)
    nodes = [NodeRecord(v, str(v)) for v in base]
    edges = [EdgeRecord(u, v, weight=rng.choice((1.0, 2.0, 4.0))) for u, v in base.edges]
    graph = build_graph(nodes, edges)
    slow = compute_metrics(graph, engine="networkx", weighted_paths=True, pivots=None).nodes
    fast = compute_metrics(graph, engine="igraph", weighted_paths=True, pivots=None).nodes
    reference = nx.betweenness_centrality(graph, normalized=False, weight="distance")
    for node in graph:
        assert slow[node].betweenness_raw == pytest.approx(reference[node], rel=REL, abs=1e-12)
        assert fast[node].betweenness_raw == pytest.approx(reference[node], rel=REL, abs=1e-12)
        assert fast[node].closeness == pytest.approx(slow[node].closeness, rel=REL)
    # A strong tie really is a shortcut: 0-1-2 with strength 4 beats the direct tie 0-2 of strength 1.
    triangle = build_graph([NodeRecord(i, str(i)) for i in range(3)],
                           [EdgeRecord(0, 1, weight=4.0), EdgeRecord(1, 2, weight=4.0), EdgeRecord(0, 2)])
    assert compute_metrics(triangle, weighted_paths=True).nodes[1].betweenness_raw == 1.0
    assert compute_metrics(triangle).nodes[1].betweenness_raw == 0.0


def test_sampled_betweenness_is_the_same_estimate_in_both_engines() -> None:
    graph, _ = _built("lesmis")
    n = graph.number_of_nodes()
    slow = betweenness(graph, "networkx", pivots=30, seed=5)
    fast = betweenness(graph, "igraph", pivots=30, seed=5)
    _close(slow, fast)
    # All actors as pivots is the exact computation; the estimate is unbiased and finds Valjean.
    assert betweenness_plan(n, graph.number_of_edges(), n) is None
    exact = betweenness(graph, "igraph")
    top = max(exact, key=exact.get)
    estimates = [betweenness(graph, "igraph", pivots=40, seed=s) for s in range(20)]
    mean_top = sum(e[top] for e in estimates) / len(estimates)
    assert mean_top == pytest.approx(exact[top], rel=0.1)
    assert sum(max(e, key=e.get) == top for e in estimates) >= 18


def test_sampled_closeness_is_close_to_exact() -> None:
    """Eppstein–Wang: 150 of 500 pivots estimate every closeness within a few percent."""
    graph, _ = _built("gnm500")
    exact = closeness(graph, "igraph")
    estimate = closeness(graph, "igraph", pivots=150)
    worst = max(abs(estimate[v] - exact[v]) / exact[v] for v in graph if exact[v])
    assert worst < 0.05
    assert closeness(graph, "igraph", pivots=graph.number_of_nodes()) == exact


@pytest.mark.parametrize("seed", range(3))
def test_diameter_bounds_agree_with_networkx(seed: int) -> None:
    base = nx.connected_watts_strogatz_graph(200, 4, 0.05, seed=seed)
    base.add_edges_from(nx.path_graph(range(200, 215)).edges)   # a long tail
    base.add_edge(0, 200)
    graph = build_graph([NodeRecord(v, str(v)) for v in base], [EdgeRecord(u, v) for u, v in base.edges])
    assert diameter(graph, "igraph") == nx.diameter(base) == diameter(graph, "networkx")
    assert network_metrics(graph, engine="igraph")["diameter_exact"] is True


def test_engine_choice() -> None:
    small, _ = _built("karate")
    large, _ = _built("gnm500")
    assert not use_igraph(small, "auto") and use_igraph(small, "igraph")
    assert use_igraph(large, "auto") is (large.number_of_nodes() > IGRAPH_THRESHOLD)
    assert not use_igraph(large, "networkx")
    # Few actors but many ties (the demo region with every layer: 147 actors, 8,070 ties) is
    # slow in networkx too: the tie count switches as well.
    dense = nx.gnm_random_graph(150, IGRAPH_EDGE_THRESHOLD + 1, seed=3)
    assert dense.number_of_nodes() < IGRAPH_THRESHOLD and use_igraph(dense, "auto")
    assert not use_igraph(nx.gnm_random_graph(150, IGRAPH_EDGE_THRESHOLD, seed=3), "auto")
    with pytest.raises(ValueError):
        use_igraph(small, "gephi")


def test_sampled_betweenness_states_its_standard_error() -> None:
    """Split into batches the pivots give the same estimate as one search over all of them,
    and the spread of the batches estimates the error: across 40 seeds, the real spread of
    the estimate for the top brokers is close to the standard error the result states."""
    import numpy as np

    from graph.metrics import BETWEENNESS_BATCHES, betweenness_with_error

    graph, _ = _built("gnm500")
    n = graph.number_of_nodes()
    exact = betweenness(graph, "igraph")
    raw, se = betweenness_with_error(graph, "igraph", pivots=100, seed=5)
    same_pivots = betweenness(graph, "networkx", pivots=100, seed=5)
    _close(raw, same_pivots, abs_tol=1e-9)                        # batching changes nothing in the estimate
    assert betweenness_with_error(graph, "igraph")[1] == {}       # exact: no error to state
    top = sorted(exact, key=exact.get, reverse=True)[:10]
    runs = [betweenness_with_error(graph, "igraph", pivots=100, seed=s) for s in range(40)]
    for actor in top:
        estimates = np.array([r[0][actor] for r in runs])
        stated = np.mean([r[1][actor] for r in runs])
        assert estimates.mean() == pytest.approx(exact[actor], rel=0.05)       # unbiased
        assert 0.5 < stated / estimates.std(ddof=1) < 2.0                      # the error is honest
    result = compute_metrics(graph, engine="igraph", pivots=100, seed=5)
    error = result.network["betweenness_error"]
    assert error["pivots"] == 100 and error["batches"] == BETWEENNESS_BATCHES
    assert 0 < error["top10_mean_relative_se"] <= error["top10_max_relative_se"] < 1
    pairs = (n - 1) * (n - 2) / 2
    assert result.nodes[top[0]].betweenness_se == pytest.approx(se[top[0]] / pairs)
    exact_result = compute_metrics(graph, engine="igraph", pivots=None)
    assert exact_result.network["betweenness_error"] is None and exact_result.nodes[top[0]].betweenness_se is None


def test_category_mixing_matrix_next_to_assortativity() -> None:
    """Karate club by faction: 35 ties inside Mr Hi's, 32 inside the officer's, 11 across (78).
    Newman's r follows from the same matrix."""
    from graph.metrics import category_assortativity, category_mixing

    graph = nx.karate_club_graph()
    for _, data in graph.nodes(data=True):
        data["category"] = data["club"]
    mixing = category_mixing(graph)
    assert mixing["ties"] == {"Mr. Hi": {"Mr. Hi": 35, "Officer": 11}, "Officer": {"Mr. Hi": 11, "Officer": 32}}
    assert mixing["share_within"]["Mr. Hi"] == pytest.approx(70 / 81)      # 81 tie ends, 70 inside
    assert mixing["share_expected"]["Mr. Hi"] == pytest.approx(81 / 156)
    e_ii = sum(mixing["ties"][c][c] for c in mixing["categories"]) / 78
    a2 = sum(mixing["share_expected"][c] ** 2 for c in mixing["categories"])
    assert category_assortativity(graph) == pytest.approx((e_ii - a2) / (1 - a2))
    net = network_metrics(graph, engine="networkx")
    assert net["category_mixing"] == mixing
    assert net["path_measures_scope"] == "largest_component" and net["path_measures_weighted"] is False
