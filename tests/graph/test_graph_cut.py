"""The cut (date, layer, topic, life stage, area, kind, category, activity) and the graph built from it."""
from __future__ import annotations

from datetime import date

import pytest

from graph.build import build_graph
from graph.cut import Cut, apply_cut
from graph.records import EdgeRecord, NodeRecord

OLEWIG = ("Stadt Trier", "Trier-Olewig")
EHRANG = ("Stadt Trier", "Trier-Ehrang")
KONZ = ("Landkreis Trier-Saarburg", "VG Konz")

NODES = [
    NodeRecord(1, "Kita St. Anna", kind="Kita", category="Kita", area="Trier-Olewig", area_path=OLEWIG,
               life_stages=("fruehkindlich",), topics=("Family Literacy", "Sprache")),
    NodeRecord(2, "Grundschule Olewig", kind="Grundschule", category="Schule", area="Trier-Olewig", area_path=OLEWIG,
               life_stages=("primar",), topics=("MINT", "Sprache")),
    NodeRecord(3, "IHK Trier", kind="Kammer", category="Wirtschaft", area="VG Konz", area_path=KONZ,
               life_stages=("ausbildung",), topics=("MINT",)),
    NodeRecord(4, "Realschule plus Ehrang", kind="Realschule plus", category="Schule", area="Trier-Ehrang",
               area_path=EHRANG, life_stages=("sek",), topics=("MINT",)),
    NodeRecord(5, "Alter Förderverein", kind="Verein", category="Zivilgesellschaft", active=False),
    NodeRecord(6, "Sportverein", kind="Verein", category="Zivilgesellschaft", area="Trier-Olewig", area_path=OLEWIG),
]
EDGES = [
    EdgeRecord(1, 2, start=date(2020, 1, 1), end=date(2022, 12, 31), topics=("Family Literacy",),
               life_stages=("fruehkindlich", "primar"), ref="cooperation:1"),
    EdgeRecord(2, 3, start=date(2023, 1, 1), topics=("MINT",), ref="cooperation:2"),
    EdgeRecord(2, 4, start=date(2021, 8, 1), ref="cooperation:3"),                      # no tags
    EdgeRecord(1, 5, ref="cooperation:4"),                                               # inactive partner
    EdgeRecord(2, 6, start=date(2022, 5, 1), ref="cooperation:5"),                       # no tags, no topics
    EdgeRecord(1, 3, layer="event", type="Bildungskonferenz", start=date(2024, 5, 1), ref="event:1"),
    EdgeRecord(2, 4, layer="initiative", type="MINT-Initiativkreis", start=date(2022, 1, 1),
               end=date(2024, 12, 31), topics=("MINT",), ref="initiative:1"),
]


def refs(edges) -> list[str]:
    return [e.ref for e in edges]


def test_a_tie_exists_from_its_start_to_its_end_day_inclusive() -> None:
    assert refs(apply_cut(NODES, EDGES, Cut(as_of=date(2019, 12, 31)))[1]) == []
    assert refs(apply_cut(NODES, EDGES, Cut(as_of=date(2020, 1, 1)))[1]) == ["cooperation:1"]
    assert refs(apply_cut(NODES, EDGES, Cut(as_of=date(2022, 12, 31)))[1]) == [
        "cooperation:1", "cooperation:3", "cooperation:5"]
    assert refs(apply_cut(NODES, EDGES, Cut(as_of=date(2023, 1, 1)))[1]) == [
        "cooperation:2", "cooperation:3", "cooperation:5"]
    # Without a date every tie ever recorded counts (history is never deleted).
    assert len(apply_cut(NODES, EDGES, Cut())[1]) == 4


def test_window_keeps_ties_overlapping_it() -> None:
    kept = apply_cut(NODES, EDGES, Cut(since=date(2023, 6, 1), until=date(2023, 12, 31)))[1]
    assert refs(kept) == ["cooperation:2", "cooperation:3", "cooperation:5"]
    kept = apply_cut(NODES, EDGES, Cut(until=date(2020, 12, 31)))[1]
    assert refs(kept) == ["cooperation:1"]
    with pytest.raises(ValueError):
        Cut(since=date(2024, 1, 1), until=date(2023, 1, 1))


def test_layers_are_switched_on_explicitly() -> None:
    assert refs(apply_cut(NODES, EDGES, Cut(layers=frozenset({"event"})))[1]) == ["event:1"]
    both = apply_cut(NODES, EDGES, Cut(layers={"cooperation", "initiative"}, as_of=date(2022, 6, 30)))[1]
    assert refs(both) == ["cooperation:1", "cooperation:3", "cooperation:5", "initiative:1"]


def test_topic_cut_judges_tagged_ties_by_their_tags_and_untagged_ones_by_both_actors() -> None:
    nodes, edges = apply_cut(NODES, EDGES, Cut(topics=frozenset({"MINT"})))
    # 2-3 is tagged MINT; 2-4 is untagged but both schools work on MINT; 2-6 is untagged and
    # the Sportverein has no MINT: out.
    assert refs(edges) == ["cooperation:2", "cooperation:3"]
    # The MINT network holds the tied actors and untied MINT actors, not the Kita or the Verein.
    assert sorted(n.id for n in nodes) == [2, 3, 4]
    _, edges = apply_cut(NODES, EDGES, Cut(topics=frozenset({"Sprache"})))
    assert refs(edges) == []                                       # 1-2 is tagged Family Literacy only
    nodes, _ = apply_cut(NODES, EDGES, Cut(topics=frozenset({"Sprache"})))
    assert sorted(n.id for n in nodes) == [1, 2]                   # both work on Sprache: visible, untied


def test_life_stage_cut_uses_tie_stages_then_actor_stages() -> None:
    _, edges = apply_cut(NODES, EDGES, Cut(life_stages=frozenset({"primar"})))
    assert refs(edges) == ["cooperation:1"]
    _, edges = apply_cut(NODES, EDGES, Cut(life_stages=frozenset({"primar", "sek"})))
    assert refs(edges) == ["cooperation:1", "cooperation:3"]


def test_area_cut_matches_any_level_of_the_area_path() -> None:
    nodes, edges = apply_cut(NODES, EDGES, Cut(areas=frozenset({"Stadt Trier"})))
    assert sorted(n.id for n in nodes) == [1, 2, 4, 6]
    assert refs(edges) == ["cooperation:1", "cooperation:3", "cooperation:5"]
    nodes, edges = apply_cut(NODES, EDGES, Cut(areas=frozenset({"Trier-Olewig"})))
    assert sorted(n.id for n in nodes) == [1, 2, 6] and refs(edges) == ["cooperation:1", "cooperation:5"]
    nodes, _ = apply_cut(NODES, EDGES, Cut(areas=frozenset({"VG Konz", "Trier-Ehrang"})))
    assert sorted(n.id for n in nodes) == [3, 4]


def test_kind_category_and_inactive_actors() -> None:
    nodes, edges = apply_cut(NODES, EDGES, Cut(categories=frozenset({"Schule"})))
    assert sorted(n.id for n in nodes) == [2, 4] and refs(edges) == ["cooperation:3"]
    nodes, _ = apply_cut(NODES, EDGES, Cut(kinds=frozenset({"Verein"})))
    assert [n.id for n in nodes] == [6]                             # the inactive Verein is left out
    nodes, edges = apply_cut(NODES, EDGES, Cut(kinds=frozenset({"Verein"}), include_inactive=True))
    assert sorted(n.id for n in nodes) == [5, 6]
    assert "cooperation:4" in refs(apply_cut(NODES, EDGES, Cut(include_inactive=True))[1])
    assert "cooperation:4" not in refs(apply_cut(NODES, EDGES, Cut())[1])


def test_cut_is_hashable_and_accepts_plain_sets() -> None:
    a = Cut(topics={"MINT"}, layers=["cooperation"], as_of=date(2023, 6, 30))
    b = Cut(topics=frozenset({"MINT"}), as_of=date(2023, 6, 30))
    assert a == b and hash(a) == hash(b)
    assert a.to_dict()["as_of"] == "2023-06-30" and a.to_dict()["topics"] == ["MINT"]


def test_self_ties_and_ties_to_unknown_actors_are_dropped() -> None:
    edges = [EdgeRecord(1, 1), EdgeRecord(1, 99), EdgeRecord(1, 2)]
    assert len(apply_cut(NODES, edges, Cut())[1]) == 1


def test_parallel_ties_collapse_into_one_weighted_edge() -> None:
    records = [
        EdgeRecord(1, 2, weight=2.0, type="Kooperationsvertrag", start=date(2020, 1, 1), end=date(2021, 1, 1),
                   topics=("Sprache",), intensity=2, ref="cooperation:1"),
        EdgeRecord(2, 1, layer="initiative", weight=1.0, type="Bündnis", start=date(2019, 1, 1),
                   end=date(2022, 1, 1), ref="initiative:7"),
        EdgeRecord(1, 2, layer="event", weight=1.0, start=date(2023, 1, 1), ref="event:2"),
        EdgeRecord(2, 3, weight=1.0, directed=True, type="Förderung", ref="cooperation:9"),
    ]
    graph = build_graph(NODES[:3], records)
    assert graph.number_of_edges() == 2
    data = graph[1][2]
    assert data["weight"] == 4.0 and data["count"] == 3
    assert data["layers"] == {"cooperation", "initiative", "event"}
    assert data["types"] == {"Kooperationsvertrag", "Bündnis"}
    assert data["refs"] == ["cooperation:1", "initiative:7", "event:2"]
    assert data["start"] == date(2019, 1, 1) and data["end"] is None          # the event tie is open
    assert data["distance"] == 0.25 and data["intensity"] == 2
    assert graph.nodes[1]["area_path"] == OLEWIG and graph.nodes[1]["label"] == "Kita St. Anna"
    directed = build_graph(NODES[:3], records, directed=True)
    assert directed.has_edge(1, 2) and directed.has_edge(2, 1)                 # undirected: both ways
    assert directed.has_edge(2, 3) and not directed.has_edge(3, 2)             # funding: one way
    assert directed[2][3]["directed"] is True and directed[1][2]["directed"] is False
    lean = build_graph(NODES[:3], records, directed=True, lean=True)
    assert lean[1][2]["weight"] == 4.0 and set(lean[1][2]) == {"weight", "directed", "count", "distance"}
