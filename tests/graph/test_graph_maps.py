"""Map specs and layouts (graph.maps, graph.layout) on plain records and networkx example graphs."""
from __future__ import annotations

import json
import random
from datetime import date

import networkx as nx
import pytest

from graph.layout import layout
from graph.maps import (
    AGGREGATE_THRESHOLD,
    CATEGORY_COLORS,
    PALETTE,
    actor_map,
    aggregate_map,
    ego_ids,
    german_number,
    short_label,
    stable_color,
    years,
)
from graph.records import EdgeRecord, NodeRecord

HOSTILE = ('<script>window.__xss=1</script>', '<img src=x onerror="window.__xss=1">',
           '" onmouseover="window.__xss=1', '<a href="javascript:window.__xss=1">x</a>')


def _karate() -> tuple[list[NodeRecord], list[EdgeRecord]]:
    g = nx.karate_club_graph()
    nodes = [NodeRecord(n, f"Akteur {n}", kind="Verein", category="Zivilgesellschaft" if n % 2 else "Schule",
                        area="Trier-Mitte" if g.nodes[n]["club"] == "Mr. Hi" else "VG Konz",
                        area_path=("Stadt Trier", "Trier-Mitte") if g.nodes[n]["club"] == "Mr. Hi"
                        else ("Landkreis Trier-Saarburg", "VG Konz")) for n in g.nodes]
    edges = [EdgeRecord(u, v, weight=float(d.get("weight", 1)), intensity=1 + (u + v) % 5,
                        start=date(2015 + (u + v) % 8, 1, 1)) for u, v, d in g.edges(data=True)]
    return nodes, edges


def test_layout_is_deterministic_and_independent_of_input_order() -> None:
    g = nx.les_miserables_graph()
    first = layout(g, seed=7)
    shuffled = nx.Graph()
    items = list(g.nodes)
    random.Random(3).shuffle(items)
    shuffled.add_nodes_from(items)
    edges = list(g.edges(data=True))
    random.Random(4).shuffle(edges)
    shuffled.add_edges_from(edges)
    assert layout(shuffled, seed=7) == first
    assert len(set(first.values())) == g.number_of_nodes()  # no two nodes on one spot


def test_large_layout_uses_igraph_and_stays_deterministic() -> None:
    g = nx.connected_watts_strogatz_graph(600, 4, 0.1, seed=1)
    a, b = layout(g, seed=42), layout(g, seed=42)
    assert a == b and len(a) == 600
    xs = [p[0] for p in a.values()]
    assert max(xs) - min(xs) > 1000  # spread out, not a dot


def test_tiny_layouts() -> None:
    assert layout(nx.Graph()) == {}
    single = nx.Graph()
    single.add_node("x")
    assert layout(single) == {"x": (0.0, 0.0)}


def test_actor_map_spec_shape_sizes_widths_and_legend() -> None:
    nodes, edges = _karate()
    spec = actor_map(nodes, edges, size_by="degree", width_by="intensity")
    assert spec["mode"] == "actors" and spec["counts"] == {"nodes": 34, "edges": 78}
    by_id = {n["id"]: n for n in spec["nodes"]}
    assert by_id[33]["size"] == 40.0 and by_id[0]["size"] > by_id[11]["size"] >= 10.0  # 33 has the highest degree
    assert all(1.0 <= e["width"] <= 8.0 for e in spec["edges"])
    assert {e["label"] for e in spec["legend"]["entries"]} == {"Schule", "Zivilgesellschaft"}
    assert sum(e["count"] for e in spec["legend"]["entries"]) == 34
    assert by_id[0]["color"] == CATEGORY_COLORS["Schule"]
    card = dict(map(tuple, by_id[0]["card"]["lines"]))
    assert card["Gebiet"] == "Stadt Trier › Trier-Mitte" and card["Verbindungen (Grad)"] == "16"
    json.dumps(spec)  # JSON-ready


def test_actor_map_uses_given_metrics_communities_and_positions() -> None:
    nodes, edges = _karate()
    positions = {n.id: (float(n.id), 0.0) for n in nodes}
    metrics = {n.id: {"betweenness": 1.0 if n.id == 5 else 0.0, "pagerank": 0.1} for n in nodes}
    community = {n.id: n.id % 3 for n in nodes}
    spec = actor_map(nodes, edges, positions=positions, metrics=metrics, community=community,
                     community_labels={0: "MINT-Kreis", 1: "Sprache", 2: "Übergang"},
                     color_by="community", size_by="betweenness")
    by_id = {n["id"]: n for n in spec["nodes"]}
    assert (by_id[7]["x"], by_id[7]["y"]) == (7.0, 0.0)
    assert by_id[5]["size"] == 40.0 and by_id[6]["size"] == 10.0
    assert by_id[3]["group"] == "MINT-Kreis"
    assert {e["label"] for e in spec["legend"]["entries"]} == {"MINT-Kreis", "Sprache", "Übergang"}


def test_nodes_unknown_to_the_shared_layout_go_to_the_rim() -> None:
    nodes, edges = _karate()
    positions = {n.id: (0.0, float(n.id)) for n in nodes if n.id != 0}
    spec = actor_map(nodes, edges, positions=positions)
    newcomer = next(n for n in spec["nodes"] if n["id"] == 0)
    assert (newcomer["x"] ** 2 + newcomer["y"] ** 2) ** 0.5 > 33


def test_hostile_text_is_kept_as_plain_text_and_never_as_a_vis_title() -> None:
    nodes = [NodeRecord(i, name, kind=name, category=name, area=name) for i, name in enumerate(HOSTILE)]
    edges = [EdgeRecord(i, i + 1) for i in range(len(HOSTILE) - 1)]
    spec = actor_map(nodes, edges)
    for node in spec["nodes"]:
        assert "title" not in node
        assert node["card"]["name"] == HOSTILE[node["id"]]  # verbatim: the browser puts it in textContent
        assert node["color"].startswith("#") and len(node["color"]) == 7  # colours are ours, never user text
    assert {e["label"] for e in spec["legend"]["entries"]} == set(HOSTILE)
    aggregated = aggregate_map(nodes, edges, group_by="area")
    assert {n["card"]["name"] for n in aggregated["nodes"]} == set(HOSTILE)


def test_aggregate_by_community_counts_members_and_ties_between_groups() -> None:
    nodes, edges = _karate()
    community = {n.id: 0 if n.area == "Trier-Mitte" else 1 for n in nodes}
    spec = aggregate_map(nodes, edges, group_by="community", community=community,
                         community_labels={0: "Mr. Hi", 1: "Officer"})
    assert spec["mode"] == "aggregate" and spec["counts"]["actors"] == 34
    assert sorted(n["card"]["name"] for n in spec["nodes"]) == ["Mr. Hi", "Officer"]
    assert {n["drill"]["value"] for n in spec["nodes"]} == {"0", "1"}
    assert len(spec["edges"]) == 1
    crossing = sum(1 for u, v in nx.karate_club_graph().edges if community[u] != community[v])
    assert spec["edges"][0]["weight"] == crossing
    inside = sum(int(n["card"]["lines"][1][1]) for n in spec["nodes"])
    assert inside + crossing == 78


def test_aggregate_by_area_drills_into_the_area_filter() -> None:
    nodes, edges = _karate()
    spec = aggregate_map(nodes, edges, group_by="area")
    assert {n["drill"]["param"] for n in spec["nodes"]} == {"areas"}
    assert {n["drill"]["value"] for n in spec["nodes"]} == {"Trier-Mitte", "VG Konz"}
    assert AGGREGATE_THRESHOLD >= 1000


def test_ego_ids_one_and_two_steps() -> None:
    g = nx.path_graph(6)
    assert ego_ids(g, 2, 1) == {1, 2, 3}
    assert ego_ids(g, 2, 2) == {0, 1, 2, 3, 4}
    assert ego_ids(g, 99, 1) == set()


def test_years_span_the_dated_ties() -> None:
    edges = [EdgeRecord(1, 2, start=date(2018, 5, 1)), EdgeRecord(2, 3, start=None),
             EdgeRecord(3, 4, start=date(2021, 1, 1))]
    assert years(edges, today=date(2023, 6, 1)) == [2018, 2019, 2020, 2021, 2022, 2023]
    assert years([EdgeRecord(1, 2)]) == []


def test_colours_are_stable_and_from_the_palette() -> None:
    assert stable_color("Trier-Olewig") == stable_color("Trier-Olewig") in PALETTE
    assert stable_color("Schule") == CATEGORY_COLORS["Schule"]
    assert stable_color("") == "#BBBBBB"


def test_labels_and_numbers_for_german_readers() -> None:
    assert short_label("x" * 50).endswith("…") and len(short_label("x" * 50)) == 32
    assert short_label("Kita  St.\nAnna") == "Kita St. Anna"
    assert german_number(0.12345) == "0,123" and german_number(1234) == "1.234" and german_number(None) == "–"


def test_bad_options_are_refused() -> None:
    nodes, edges = _karate()
    with pytest.raises(ValueError):
        actor_map(nodes, edges, color_by="<b>")
    with pytest.raises(ValueError):
        aggregate_map(nodes, edges, group_by="kind")
