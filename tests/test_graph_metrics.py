"""graph/ against published values for networkx's example graphs, and the fast engine against networkx."""
from __future__ import annotations

from datetime import date

import networkx as nx
import pytest

from graph.analysis import analyse
from graph.build import build_graph
from graph.cut import Cut, apply_cut
from graph.metrics import betweenness, closeness, network_metrics, node_metrics, structural_holes
from graph.records import EdgeRecord, NodeRecord
from graph.transitions import transition_matrix


def records(graph: nx.Graph, category: str | None = None):
    nodes = [NodeRecord(id=i, label=str(v), category=str(graph.nodes[v].get(category, "")) if category else "")
             for i, v in enumerate(graph.nodes)]
    index = {v: i for i, v in enumerate(graph.nodes)}
    edges = [EdgeRecord(index[u], index[v], weight=float(d.get("weight", 1))) for u, v, d in graph.edges(data=True)]
    return nodes, edges, index


def test_karate_club_published_values() -> None:
    """Zachary (1977) as analysed in Newman's and networkx's documentation."""
    nodes, edges, _ = records(nx.karate_club_graph(), "club")
    graph = build_graph(nodes, [EdgeRecord(e.source, e.target) for e in edges])
    metrics = node_metrics(graph, "networkx")
    net = network_metrics(graph)
    assert (net["nodes"], net["edges"]) == (34, 78)
    assert net["density"] == pytest.approx(0.1390, abs=1e-4)
    assert net["average_clustering"] == pytest.approx(0.5706, abs=1e-4)
    assert net["diameter"] == 5
    assert net["average_path_length"] == pytest.approx(2.4082, abs=1e-4)
    top = sorted(metrics, key=lambda v: -metrics[v].betweenness)[:2]
    assert top == [0, 33]  # Mr Hi and the officer
    assert metrics[0].betweenness == pytest.approx(0.4376, abs=1e-4)
    assert metrics[33].betweenness == pytest.approx(0.3041, abs=1e-4)
    assert metrics[0].betweenness_raw == pytest.approx(231.0714, abs=1e-4)
    assert net["category_assortativity"] > 0.6  # the two factions mostly stay among themselves


def test_krackhardt_kite_published_values() -> None:
    """Krackhardt (1990): Heather brokers, Diane has most ties, Fernando and Garth are closest."""
    nodes, edges, _ = records(nx.krackhardt_kite_graph())
    graph = build_graph(nodes, edges)
    metrics = node_metrics(graph, "networkx")
    assert metrics[7].betweenness_raw == pytest.approx(14.0)
    assert metrics[7].betweenness == pytest.approx(0.3889, abs=1e-4)
    assert metrics[3].degree == 6 and max(m.degree for m in metrics.values()) == 6
    assert metrics[5].closeness == pytest.approx(0.6429, abs=1e-4)
    assert metrics[6].closeness == pytest.approx(0.6429, abs=1e-4)


def test_florentine_families_medici_are_the_brokers() -> None:
    """Padgett & Ansell (1993): the Medici bridge the marriage network (betweenness 0.522)."""
    graph_nx = nx.florentine_families_graph()
    nodes, edges, index = records(graph_nx)
    metrics = node_metrics(build_graph(nodes, edges), "networkx")
    medici = index["Medici"]
    assert metrics[medici].degree == 6
    assert metrics[medici].betweenness == pytest.approx(0.5219, abs=1e-3)
    assert max(metrics, key=lambda v: metrics[v].betweenness) == medici


def test_burt_constraint_by_hand() -> None:
    """A star centre has constraint 1/k (no redundancy); a triangle member 0.5^2 + 0.5^2 + 2*... by Burt's formula."""
    star = nx.star_graph(4)
    nodes, edges, _ = records(star)
    metrics = node_metrics(build_graph(nodes, edges), "networkx")
    assert metrics[0].constraint == pytest.approx(0.25)
    assert metrics[0].effective_size == pytest.approx(4.0)
    triangle = nx.complete_graph(3)
    nodes, edges, _ = records(triangle)
    metrics = node_metrics(build_graph(nodes, edges), "networkx")
    # p_ij = 1/2, indirect p_iq p_qj = 1/4: c_ij = (1/2 + 1/4)^2 = 9/16, two contacts -> 9/8.
    assert metrics[0].constraint == pytest.approx(9 / 8)
    assert metrics[0].effective_size == pytest.approx(1.0)


@pytest.mark.parametrize("graph", [
    nx.karate_club_graph(), nx.les_miserables_graph(), nx.gnm_random_graph(500, 2000, seed=7),
    nx.disjoint_union(nx.path_graph(6), nx.cycle_graph(5)),
], ids=["karate", "lesmis", "gnm500", "disconnected"])
def test_igraph_agrees_with_networkx(graph: nx.Graph) -> None:
    graph = nx.convert_node_labels_to_integers(graph)
    fast_b, slow_b = betweenness(graph, "igraph"), betweenness(graph, "networkx")
    fast_c, slow_c = closeness(graph, "igraph"), closeness(graph, "networkx")
    for node in graph:
        assert fast_b[node] == pytest.approx(slow_b[node], rel=1e-9, abs=1e-9)
        assert fast_c[node] == pytest.approx(slow_c[node], rel=1e-9, abs=1e-12)


def test_les_miserables_valjean_is_central() -> None:
    nodes, edges, index = records(nx.les_miserables_graph())
    graph = build_graph(nodes, [EdgeRecord(e.source, e.target) for e in edges])
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (77, 254)
    metrics = node_metrics(graph, "networkx")
    assert max(metrics, key=lambda v: metrics[v].betweenness) == index["Valjean"]
    assert metrics[index["Valjean"]].betweenness == pytest.approx(0.5699, abs=1e-3)


def test_cut_by_date_topic_and_area() -> None:
    nodes = [NodeRecord(1, "Kita", area="Olewig", area_path=("Stadt Trier", "Olewig"), topics=("Family Literacy",)),
             NodeRecord(2, "Grundschule", area="Olewig", area_path=("Stadt Trier", "Olewig"), topics=("MINT",)),
             NodeRecord(3, "IHK", area="Konz", area_path=("Landkreis", "Konz"), topics=("MINT",)),
             NodeRecord(4, "Alt", active=False)]
    edges = [EdgeRecord(1, 2, start=date(2020, 1, 1), end=date(2022, 12, 31), topics=("Family Literacy",)),
             EdgeRecord(2, 3, start=date(2023, 1, 1), topics=("MINT",)),
             EdgeRecord(1, 4), EdgeRecord(1, 3, layer="event", start=date(2024, 5, 1))]
    _, kept = apply_cut(nodes, edges, Cut(as_of=date(2021, 6, 30)))
    assert [(e.source, e.target) for e in kept] == [(1, 2)]
    _, kept = apply_cut(nodes, edges, Cut(as_of=date(2023, 6, 30)))
    assert [(e.source, e.target) for e in kept] == [(2, 3)]
    kept_nodes, kept = apply_cut(nodes, edges, Cut(areas=frozenset({"Stadt Trier"})))
    assert {n.id for n in kept_nodes} == {1, 2} and [(e.source, e.target) for e in kept] == [(1, 2)]
    _, kept = apply_cut(nodes, edges, Cut(topics=frozenset({"MINT"})))
    assert [(e.source, e.target) for e in kept] == [(2, 3)]
    _, kept = apply_cut(nodes, edges, Cut(layers=frozenset({"event"})))
    assert [(e.source, e.target) for e in kept] == [(1, 3)]


def test_transition_matrix_names_cells_and_gaps() -> None:
    nodes = [NodeRecord(1, "Kita", area="Olewig", life_stages=("fruehkindlich",)),
             NodeRecord(2, "GS", area="Olewig", life_stages=("primar",)),
             NodeRecord(3, "RS+", area="Konz", life_stages=("sek",))]
    edges = [EdgeRecord(1, 2, ref="cooperation:1"), EdgeRecord(2, 3, ref="cooperation:2")]
    matrix = transition_matrix(nodes, edges, ("fruehkindlich", "primar", "sek"))
    assert matrix["cells"]["Olewig"]["fruehkindlich→primar"] == {"count": 1, "refs": ["cooperation:1"]}
    assert matrix["cells"]["Konz"]["primar→sek"]["refs"] == ["cooperation:2"]
    assert matrix["cells"]["Olewig"]["primar→sek"]["count"] == 1  # counts for both actors' areas
    assert {"area": "Konz", "transition": "fruehkindlich→primar"} in matrix["gaps"]


def test_analysis_is_json_ready_and_seeded() -> None:
    nodes, edges, _ = records(nx.karate_club_graph(), "club")
    first = analyse(nodes, edges, Cut(), seed=1).to_dict()
    assert first == analyse(nodes, edges, Cut(), seed=1).to_dict()
    assert first["network"]["nodes"] == 34 and first["modularity"] > 0.35
    assert {c["label"] for c in first["communities"]} & {"0", "33"}


@pytest.mark.parametrize("graph", [nx.karate_club_graph(), nx.les_miserables_graph(),
                                   nx.disjoint_union(nx.krackhardt_kite_graph(), nx.empty_graph(2))],
                         ids=["karate-weighted", "lesmis-weighted", "kite-with-isolates"])
def test_sparse_structural_holes_equal_networkx(graph: nx.Graph) -> None:
    """Compared with networkx's per-actor path, which follows Burt's definition.

    networkx 3.6's all-actors fast path for effective_size divides by the wrong row's
    maximum (karate, actor 0: 13.954 instead of 13.775), so it is not the reference.
    """
    constraint, effective = structural_holes(graph)
    expected_c = nx.constraint(graph, weight="weight")
    expected_e = {v: nx.effective_size(graph, nodes=[v], weight="weight")[v] for v in graph}
    for node in graph:
        if graph.degree(node) == 0:
            assert constraint[node] is None and effective[node] is None
            continue
        assert constraint[node] == pytest.approx(expected_c[node], rel=1e-9)
        assert effective[node] == pytest.approx(expected_e[node], rel=1e-9)


def test_change_between_two_dates() -> None:
    from graph.change import change, ties_per_year_by_topic

    nodes = [NodeRecord(i, f"A{i}") for i in range(1, 5)]
    edges = [EdgeRecord(1, 2, start=date(2019, 1, 1), end=date(2021, 6, 30), ref="c:1", topics=("MINT",)),
             EdgeRecord(2, 3, start=date(2020, 1, 1), ref="c:2", topics=("MINT",)),
             EdgeRecord(3, 4, start=date(2022, 3, 1), ref="c:3", topics=("BNE",))]
    result = change(nodes, edges, date(2020, 6, 30), date(2023, 6, 30))
    assert result["new"] == ["c:3"] and result["ended"] == ["c:1"] and result["persisting"] == 1
    assert result["metrics"]["edges"] == {"then": 2, "now": 2, "delta": 0}
    growth = ties_per_year_by_topic(edges, [2020, 2022])
    assert growth["MINT"][2020] == {"new": 1, "running": 2}
    assert growth["BNE"][2022] == {"new": 1, "running": 1}


def test_suggestions_bridge_groups_and_close_gaps_with_german_reasons() -> None:
    from graph.suggest import suggest_ties

    nodes = [NodeRecord(1, "Kita", area="Olewig", life_stages=("fruehkindlich",), topics=("Family Literacy",)),
             NodeRecord(2, "Bibliothek", area="Olewig", life_stages=("fruehkindlich", "primar"),
                        topics=("Family Literacy",)),
             NodeRecord(3, "Grundschule", area="Olewig", life_stages=("primar",), topics=("Family Literacy",))]
    graph = build_graph(nodes, [EdgeRecord(1, 2), EdgeRecord(2, 3)])
    suggestions = suggest_ties(graph, community_of={1: 0, 2: 0, 3: 1}, community_labels={0: "Kita", 1: "GS"},
                               gaps=[{"area": "Olewig", "transition": "fruehkindlich→primar"}],
                               stage_order=("fruehkindlich", "primar"))
    assert [(s.source, s.target) for s in suggestions] == [(1, 3)]
    reasons = suggestions[0].reasons
    assert "1 gemeinsamer Partner" in reasons and "gemeinsames Themenfeld Family Literacy" in reasons
    assert "verbindet die Gruppen »Kita« und »GS«" in reasons
    assert "schließt die Lücke fruehkindlich → primar in Olewig" in reasons


def test_sampled_betweenness_is_exact_with_all_pivots_and_close_with_half() -> None:
    graph = nx.convert_node_labels_to_integers(nx.les_miserables_graph())
    exact = betweenness(graph, "networkx")
    everyone = betweenness(graph, "igraph", pivots=graph.number_of_nodes() - 1)
    half = betweenness(graph, "igraph", pivots=graph.number_of_nodes() // 2, seed=3)
    top = max(exact, key=exact.get)
    assert max(half, key=half.get) == top  # the broker is found
    assert half[top] == pytest.approx(exact[top], rel=0.35)
    assert sum(everyone.values()) == pytest.approx(sum(exact.values()), rel=0.1)


def test_fragility_counts_what_a_cut_actor_cuts_off() -> None:
    from graph.fragility import _cut_sizes, fragility

    # 1-2-3 chain, 3 also in a triangle 3-4-5, and 5-6 hanging off: removing 3 cuts off {1,2} (2 actors).
    graph = nx.Graph([(1, 2), (2, 3), (3, 4), (4, 5), (5, 3), (5, 6)])
    graph.add_node(7)
    sizes = _cut_sizes(graph.subgraph([1, 2, 3, 4, 5, 6]))
    assert sizes == {2: 1, 3: 2, 5: 1}
    for node, expected in sizes.items():  # against brute force
        rest = graph.subgraph(set(range(1, 7)) - {node})
        assert 6 - 1 - max(len(c) for c in nx.connected_components(rest)) == expected
    result = fragility(graph)
    assert result["isolates"] == [7]
    assert (5, 6) in result["bridges"] and result["articulation_points"] == [2, 3, 5]
