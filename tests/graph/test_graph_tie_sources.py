"""The cut's tie sources (``Cut.sources``) and how a map draws them (``graph.maps.SOURCE_STYLES``): plain
records, no database."""
from __future__ import annotations

from graph.analysis import analyse
from graph.cut import Cut, apply_cut
from graph.maps import SOURCE_STYLES, actor_map, tie_sources
from graph.records import EdgeRecord, NodeRecord

NODES = [NodeRecord(id=i, label=f"Akteur {i}") for i in range(1, 6)]
EDGES = [
    EdgeRecord(1, 2, layer="cooperation"),                        # recorded
    EdgeRecord(1, 2, layer="cooperation", origin="confirmed"),    # also named by both sides
    EdgeRecord(1, 3, layer="cooperation", origin="confirmed"),
    EdgeRecord(4, 5, layer="cooperation", origin="reported"),
    EdgeRecord(3, 4, layer="initiative"),                         # other layers do not depend on sources
]


def _pairs(cut: Cut) -> set[frozenset[int]]:
    return {frozenset((e.source, e.target)) for e in apply_cut(NODES, EDGES, cut)[1]}


def test_sources_choose_the_cooperation_ties_by_origin() -> None:
    assert _pairs(Cut()) == {frozenset((1, 2))}   # default: recorded only, as before
    assert _pairs(Cut(sources={"confirmed"})) == {frozenset((1, 2)), frozenset((1, 3))}
    assert _pairs(Cut(sources={"reported"})) == {frozenset((4, 5))}
    assert _pairs(Cut(sources={"reported"}, layers={"cooperation", "initiative"})) == {
        frozenset((4, 5)), frozenset((3, 4))}
    assert not Cut().with_survey and Cut(sources={"recorded", "reported"}).with_survey
    assert not Cut(sources={"reported"}, layers={"initiative"}).with_survey
    assert analyse(NODES, EDGES, Cut(sources={"recorded", "confirmed", "reported"})).network["edges"] == 3


def test_the_map_tells_the_sources_apart_by_dashes_and_legend() -> None:
    cut = Cut(sources={"recorded", "confirmed", "reported"})
    nodes, edges = apply_cut(NODES, EDGES, cut)
    status = tie_sources(edges)
    assert status[frozenset((1, 2))] == "confirmed"   # confirmed wins over recorded
    spec = actor_map(nodes, edges, tie_status=status, tie_styles=SOURCE_STYLES, ties_title="Quelle")
    drawn = {frozenset((e["from"], e["to"])): e for e in spec["edges"]}
    assert drawn[frozenset((1, 3))]["dashes"] != drawn[frozenset((4, 5))]["dashes"]
    legend = {t["key"]: t["pattern"] for t in spec["legend"]["ties"]}
    assert legend == {"confirmed": "dashed", "reported": "dotted"}
    assert spec["legend"]["ties_title"] == "Quelle"
