"""Measures against published values for the graphs networkx ships.

Conventions checked here (graph/metrics.py): raw betweenness sums, over *unordered* pairs
of other actors, the share of shortest paths through the actor (networkx
``normalized=False`` on undirected graphs); normalised betweenness divides by
(n-1)(n-2)/2. Path lengths count steps (weights ignored) unless asked otherwise.
"""
from __future__ import annotations

import networkx as nx
import pytest

from graph.build import build_graph
from graph.metrics import compute_metrics, network_metrics, node_metrics, structural_holes


def test_florentine_families_padgett_medici_broker(as_records) -> None:
    """Padgett & Ansell (1993), marriage network: the Medici have 6 ties and betweenness
    0.522 (normalised); raw 47.5 = 0.522 x (15-1)(15-2)/2."""
    nodes, edges, index = as_records(nx.florentine_families_graph())
    metrics = node_metrics(build_graph(nodes, edges), "networkx")
    medici = metrics[index["Medici"]]
    assert medici.degree == 6
    assert medici.betweenness == pytest.approx(0.5220, abs=1e-4)
    assert medici.betweenness_raw == pytest.approx(47.5)
    assert medici.betweenness_raw == pytest.approx(medici.betweenness * 14 * 13 / 2)
    assert max(metrics, key=lambda v: metrics[v].betweenness) == index["Medici"]
    # Padgett's 16th family, the Pucci, married no one in this network (networkx leaves them
    # out). As an isolate they add no paths: raw 47.5 stays, the normalised value shrinks to
    # 47.5 / (15·14/2) = 0.452 because there are more pairs; the isolate scores zero.
    from graph.records import NodeRecord

    graph = build_graph(nodes + [NodeRecord(99, "Pucci")], edges)
    metrics = node_metrics(graph, "networkx")
    assert metrics[index["Medici"]].betweenness_raw == pytest.approx(47.5)
    assert metrics[index["Medici"]].betweenness == pytest.approx(47.5 / 105)
    pucci = metrics[99]
    assert (pucci.degree, pucci.betweenness, pucci.closeness, pucci.eigenvector) == (0, 0.0, 0.0, 0.0)
    assert pucci.constraint is None and pucci.effective_size is None


def test_karate_club_zachary_published_values(as_records) -> None:
    """Zachary (1977): 34 members, 78 ties; density 0.1390, average clustering 0.5706,
    diameter 5, average path length 2.4082; Mr Hi (0) and the officer (33) are the
    brokers with normalised betweenness 0.4376 and 0.3041."""
    nodes, edges, _ = as_records(nx.karate_club_graph(), category="club", weighted=False)
    graph = build_graph(nodes, edges)
    metrics = node_metrics(graph, "networkx")
    net = network_metrics(graph, engine="networkx")
    assert (net["nodes"], net["edges"]) == (34, 78)
    assert net["density"] == pytest.approx(0.1390, abs=1e-4)
    assert net["average_clustering"] == pytest.approx(0.5706, abs=1e-4)
    assert net["diameter"] == 5
    assert net["average_path_length"] == pytest.approx(2.4082, abs=1e-4)
    assert (net["components"], net["largest_component"], net["isolates"]) == (1, 34, 0)
    ranking = sorted(metrics, key=lambda v: -metrics[v].betweenness)
    assert ranking[:2] == [0, 33]
    assert metrics[0].betweenness == pytest.approx(0.4376, abs=1e-4)
    assert metrics[33].betweenness == pytest.approx(0.3041, abs=1e-4)
    assert metrics[0].betweenness_raw == pytest.approx(0.43763528 * 33 * 32 / 2, rel=1e-6)
    assert metrics[0].degree == 16 and metrics[33].degree == 17
    # The two factions mostly stay among themselves (Newman's assortativity by faction).
    assert net["category_assortativity"] == pytest.approx(
        nx.attribute_assortativity_coefficient(nx.karate_club_graph(), "club"), rel=1e-12)
    assert net["category_assortativity"] > 0.6


def test_krackhardt_kite_published_values(as_records) -> None:
    """Krackhardt (1990): Heather (7) brokers with raw betweenness 14 (normalised 0.3889),
    Diane (3) has the most ties (6), Fernando (5) and Garth (6) are closest (0.6429)."""
    nodes, edges, _ = as_records(nx.krackhardt_kite_graph())
    graph = build_graph(nodes, edges)
    metrics = node_metrics(graph, "networkx")
    assert metrics[7].betweenness_raw == pytest.approx(14.0)
    assert metrics[7].betweenness == pytest.approx(0.3889, abs=1e-4)
    assert max(metrics, key=lambda v: metrics[v].betweenness) == 7
    assert metrics[3].degree == 6 and max(m.degree for m in metrics.values()) == 6
    assert metrics[5].closeness == pytest.approx(0.6429, abs=1e-4)
    assert metrics[6].closeness == pytest.approx(0.6429, abs=1e-4)
    assert max(m.closeness for m in metrics.values()) == pytest.approx(9 / 14)
    # Jane (9) hangs off Ike (8): no betweenness, clustering 0 (one tie).
    assert metrics[9].betweenness_raw == 0.0 and metrics[9].clustering == 0.0


def test_les_miserables_knuth_valjean(as_records) -> None:
    """Knuth's co-appearance network: 77 characters, 254 ties; Valjean is the broker
    (normalised betweenness 0.5699) and has the most ties (36)."""
    nodes, edges, index = as_records(nx.les_miserables_graph())
    graph = build_graph(nodes, edges)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (77, 254)
    metrics = node_metrics(graph, "networkx")
    valjean = index["Valjean"]
    assert max(metrics, key=lambda v: metrics[v].betweenness) == valjean
    assert metrics[valjean].betweenness == pytest.approx(0.5699, abs=1e-4)
    assert metrics[valjean].degree == 36
    assert metrics[valjean].betweenness_raw == pytest.approx(0.5699 * 76 * 75 / 2, rel=1e-3)


def test_raw_betweenness_counts_unordered_pairs_once() -> None:
    """A path a-b-c: b lies on the one shortest a–c path; the pair {a, c} counts once (raw 1),
    and with (3-1)(3-2)/2 = 1 pair of others the normalised value is 1 as well."""
    graph = build_graph(*_path_records(3))
    metrics = node_metrics(graph, "networkx")
    assert metrics[1].betweenness_raw == 1.0 and metrics[1].betweenness == 1.0
    assert node_metrics(graph, "igraph")[1].betweenness_raw == 1.0


def _path_records(n: int):
    from graph.records import EdgeRecord, NodeRecord

    return [NodeRecord(i, f"A{i}") for i in range(n)], [EdgeRecord(i, i + 1) for i in range(n - 1)]


def test_burt_constraint_and_effective_size_by_hand() -> None:
    """Burt (1992) by hand.

    * Star with 4 leaves: the centre invests 1/4 in each unconnected contact, constraint
      4 x (1/4)^2 = 0.25; effective size 4 (no redundancy); a leaf has one contact:
      constraint 1, effective size 1.
    * Triangle: p_ij = 1/2 and the indirect share through the third member is
      1/2 x 1/2 = 1/4, so each tie constrains (1/2 + 1/4)^2 = 9/16 and the actor 9/8;
      effective size = 2 - 2·1/2 = 1 (Borgatti: n - 2t/n with n=2, t=1).
    * Path a-b-c with weights 1 and 3: b invests 1/4 and 3/4, constraint 1/16 + 9/16 = 5/8.
    """
    from graph.records import EdgeRecord, NodeRecord

    star = build_graph([NodeRecord(i, str(i)) for i in range(5)], [EdgeRecord(0, i) for i in range(1, 5)])
    constraint, effective = structural_holes(star)
    assert constraint[0] == pytest.approx(0.25) and effective[0] == pytest.approx(4.0)
    assert constraint[1] == pytest.approx(1.0) and effective[1] == pytest.approx(1.0)
    triangle = build_graph([NodeRecord(i, str(i)) for i in range(3)], [EdgeRecord(0, 1), EdgeRecord(1, 2),
                                                                        EdgeRecord(0, 2)])
    constraint, effective = structural_holes(triangle)
    assert constraint[0] == pytest.approx(9 / 8) and effective[0] == pytest.approx(1.0)
    weighted = build_graph([NodeRecord(i, str(i)) for i in range(3)],
                           [EdgeRecord(0, 1, weight=1.0), EdgeRecord(1, 2, weight=3.0)])
    constraint, effective = structural_holes(weighted)
    assert constraint[1] == pytest.approx(5 / 8)
    assert effective[1] == pytest.approx(2.0)


@pytest.mark.parametrize("name", ["karate", "lesmis", "kite-with-isolates", "directed"])
def test_structural_holes_equal_networkx(name: str) -> None:
    """Against networkx's per-actor definitions (weights as strength). networkx 3.6's
    all-actors fast path for ``effective_size`` divides by the wrong row's maximum, so each
    actor is asked separately, which follows Burt's definition."""
    graph = {"karate": nx.karate_club_graph, "lesmis": nx.les_miserables_graph,
             "kite-with-isolates": lambda: nx.disjoint_union(nx.krackhardt_kite_graph(), nx.empty_graph(2)),
             "directed": lambda: nx.gnp_random_graph(40, 0.08, seed=5, directed=True)}[name]()
    if name == "directed":
        for i, (u, v) in enumerate(graph.edges):
            graph[u][v]["weight"] = 1 + i % 3
    constraint, effective = structural_holes(graph)
    expected_c = nx.constraint(graph, weight="weight")
    for node in graph:
        if nx.is_isolate(graph, node):
            assert constraint[node] is None and effective[node] is None
            continue
        assert constraint[node] == pytest.approx(expected_c[node], rel=1e-9)
        expected_e = nx.effective_size(graph, nodes=[node], weight="weight")[node]
        if expected_e != expected_e:
            # networkx checks only successors before summing over all contacts: an actor with
            # incoming ties only gets NaN. Burt's ego network has every contact; so do we.
            assert graph.is_directed() and graph.out_degree(node) == 0 and effective[node] > 0
            continue
        assert effective[node] == pytest.approx(expected_e, rel=1e-9)


def test_eigenvector_equals_networkx_on_connected_graphs_and_is_per_component(as_records) -> None:
    """Connected: exactly networkx's ``eigenvector_centrality_numpy`` (unit length).
    Disconnected: each component proportional to its own principal eigenvector, scaled by
    sqrt(size/n), so the whole vector has unit length."""
    nodes, edges, _ = as_records(nx.les_miserables_graph())
    graph = build_graph(nodes, edges)
    ours = node_metrics(graph, "networkx")
    expected = nx.eigenvector_centrality_numpy(graph, weight="weight")
    for node, value in expected.items():
        assert ours[node].eigenvector == pytest.approx(abs(value), rel=1e-9, abs=1e-12)
    two = nx.disjoint_union(nx.karate_club_graph(), nx.krackhardt_kite_graph())
    nodes, edges, _ = as_records(two)
    graph = build_graph(nodes, edges)
    ours = node_metrics(graph, "networkx")
    assert sum(m.eigenvector ** 2 for m in ours.values()) == pytest.approx(1.0)
    kite = nx.eigenvector_centrality_numpy(nx.krackhardt_kite_graph(), weight="weight")
    scale = (10 / 44) ** 0.5
    for node, value in kite.items():
        assert ours[34 + node].eigenvector == pytest.approx(abs(value) * scale, rel=1e-9)


def test_pagerank_and_reciprocity_on_the_directed_graph() -> None:
    """PageRank runs on the directed graph (funding flows one way); reciprocity counts
    only arcs of directed ties: 2 of the 5 arcs of the GEXF spec example are mutual."""
    from graph.records import EdgeRecord, NodeRecord

    nodes = [NodeRecord(i, f"A{i}") for i in range(4)]
    edges = [EdgeRecord(0, 1, directed=True), EdgeRecord(0, 2, directed=True), EdgeRecord(1, 0, directed=True),
             EdgeRecord(2, 1, directed=True), EdgeRecord(0, 3, directed=True)]
    graph, directed = build_graph(nodes, edges), build_graph(nodes, edges, directed=True)
    result = compute_metrics(graph, directed, engine="networkx")
    assert result.network["reciprocity"] == pytest.approx(0.4)
    expected = nx.pagerank(nx.DiGraph([(e.source, e.target) for e in edges]), tol=1e-13)
    for node, value in expected.items():
        assert result.nodes[node].pagerank == pytest.approx(value, rel=1e-9)
    # Undirected ties are mutual by nature and do not count: no directed tie, no reciprocity.
    plain = [EdgeRecord(0, 1), EdgeRecord(1, 2)]
    result = compute_metrics(build_graph(nodes, plain), build_graph(nodes, plain, directed=True))
    assert result.network["reciprocity"] is None
