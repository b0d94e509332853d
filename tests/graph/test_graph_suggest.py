"""Suggested ties: ranked by the documented score, with reasons in German."""
from __future__ import annotations

import math

import networkx as nx
import pytest

from graph.build import build_graph
from graph.records import EdgeRecord, NodeRecord
from graph.suggest import BRIDGE_BONUS, GAP_BONUS, TOPIC_BONUS, suggest_ties
from graph.transitions import transition_matrix

EHRANG = ("Stadt Trier", "Trier-Ehrang")
STAGES = ("fruehkindlich", "primar", "sek")
LABELS = {"fruehkindlich": "Frühkindliche Bildung", "primar": "Primarstufe", "sek": "Sekundarstufe"}
NODES = [
    NodeRecord(1, "Grundschule Ehrang", area_path=EHRANG, life_stages=("primar",), topics=("MINT",)),
    NodeRecord(2, "Realschule plus Ehrang", area_path=EHRANG, life_stages=("sek",), topics=("BNE", "MINT")),
    NodeRecord(11, "VHS", area_path=EHRANG, topics=("MINT",)),
    NodeRecord(12, "Verein A", area_path=EHRANG, topics=("BNE",)),
    NodeRecord(13, "Verein B", area_path=EHRANG, topics=("BNE",)),
    NodeRecord(9, "Kita Ehrang", area_path=EHRANG, life_stages=("fruehkindlich",), topics=("Sprache",)),
]
EDGES = [EdgeRecord(a, p) for a in (1, 2) for p in (11, 12, 13)]
GROUPS = {1: 0, 11: 0, 12: 0, 2: 1, 13: 1}
GROUP_LABELS = {0: "Grundschule Ehrang", 1: "Realschule plus Ehrang"}


def _suggest(**kwargs):
    graph = build_graph(NODES, EDGES)
    gaps = transition_matrix(NODES, EDGES, STAGES)["gaps"]
    return suggest_ties(graph, community_of=GROUPS, community_labels=GROUP_LABELS, gaps=gaps, stage_order=STAGES,
                        stage_labels=LABELS, **kwargs)


def test_suggestions_are_ranked_and_explained_in_german() -> None:
    suggestions = _suggest()
    assert [(s.source, s.target) for s in suggestions] == [(1, 2), (12, 13), (1, 9)]
    best = suggestions[0]
    assert best.reasons == ["3 gemeinsame Partner", "gemeinsames Themenfeld MINT",
                            "verbindet die Gruppen »Grundschule Ehrang« und »Realschule plus Ehrang«",
                            "schließt die Lücke Primarstufe → Sekundarstufe in Trier-Ehrang"]
    assert best.score == pytest.approx(3 / math.log(2) + TOPIC_BONUS + BRIDGE_BONUS + GAP_BONUS)
    assert (best.source_label, best.target_label, best.common_partners) == (
        "Grundschule Ehrang", "Realschule plus Ehrang", 3)
    assert best.shared_topics == ["MINT"]
    assert best.closes_gaps == [{"area": "Trier-Ehrang", "transition": "primar→sek"}]
    second = suggestions[1]
    assert second.reasons == ["2 gemeinsame Partner", "gemeinsames Themenfeld BNE",
                              "verbindet die Gruppen »Grundschule Ehrang« und »Realschule plus Ehrang«"]
    assert second.score == pytest.approx(2 / math.log(3) + TOPIC_BONUS + BRIDGE_BONUS)
    # The Kita has no partner and no shared topic, but a tie to the Grundschule would close
    # the only empty transition it can close: suggested for that alone.
    third = suggestions[2]
    assert third.reasons == ["schließt die Lücke Frühkindliche Bildung → Primarstufe in Trier-Ehrang"]
    assert third.score == pytest.approx(GAP_BONUS)


def test_no_existing_ties_and_no_pairs_without_a_shared_topic_or_gap() -> None:
    suggestions = _suggest()
    graph = build_graph(NODES, EDGES)
    assert not any(graph.has_edge(s.source, s.target) for s in suggestions)
    # VHS (MINT) and Verein A (BNE) share two partners but no topic: not suggested ...
    assert (11, 12) not in {(s.source, s.target) for s in suggestions}
    # ... unless the topic rule is switched off.
    loose = _suggest(require_shared_topic=False)
    assert (11, 12) in {(s.source, s.target) for s in loose}
    assert [(s.source, s.target) for s in _suggest(top_n=1)] == [(1, 2)]
    assert _suggest(top_n=0) == []


def test_more_shared_topics_count_a_little_more() -> None:
    nodes = [NodeRecord(1, "A", topics=("BNE", "MINT")), NodeRecord(2, "B", topics=("BNE", "MINT")),
             NodeRecord(3, "Mitte")]
    suggestion = suggest_ties(build_graph(nodes, [EdgeRecord(1, 3), EdgeRecord(2, 3)]))[0]
    assert suggestion.reasons == ["1 gemeinsamer Partner", "gemeinsame Themenfelder BNE, MINT"]
    assert suggestion.score == pytest.approx(1 / math.log(2) + TOPIC_BONUS + 0.25)


def test_adamic_adar_is_exact_even_through_hubs() -> None:
    """Partners above ``hub_limit`` do not generate candidates, but their share of
    Adamic–Adar is still added: the score equals networkx's ``adamic_adar_index``."""
    base = nx.gnm_random_graph(80, 160, seed=4)
    base.add_edges_from((0, v) for v in range(1, 60))          # actor 0 is a hub with ~60 partners
    nodes = [NodeRecord(v, f"A{v}", topics=("MINT",)) for v in base]
    graph = build_graph(nodes, [EdgeRecord(u, v) for u, v in base.edges])
    for hub_limit in (5, 1000):
        suggestions = suggest_ties(graph, top_n=10_000, hub_limit=hub_limit)
        assert suggestions
        pairs = [(s.source, s.target) for s in suggestions]
        expected = {(u, v): aa for u, v, aa in nx.adamic_adar_index(base, pairs)}
        for s in suggestions:
            # Scores are rounded to 6 places.
            assert s.score == pytest.approx(expected[(s.source, s.target)] + TOPIC_BONUS, abs=1e-6)
            assert s.common_partners == len(list(nx.common_neighbors(base, s.source, s.target)))
    # Without the hub limit every pair two steps apart is a candidate.
    two_steps = {(u, v) for u in base for v in base if u < v and not base.has_edge(u, v)
                 and any(True for _ in nx.common_neighbors(base, u, v))}
    assert {(s.source, s.target) for s in suggest_ties(graph, top_n=10_000, hub_limit=1000)} == two_steps


def test_leaders_of_different_groups_are_candidates_without_common_partners() -> None:
    nodes = [NodeRecord(i, f"A{i}", topics=("MINT",)) for i in range(8)]
    edges = [EdgeRecord(0, i) for i in (1, 2, 3)] + [EdgeRecord(4, i) for i in (5, 6, 7)]
    graph = build_graph(nodes, edges)
    groups = {i: 0 if i < 4 else 1 for i in range(8)}
    suggestions = suggest_ties(graph, community_of=groups, community_labels={0: "A0", 1: "A4"}, per_group=1)
    first = suggestions[0]
    assert (first.source, first.target) == (0, 4)
    assert first.reasons == ["gemeinsames Themenfeld MINT", "verbindet die Gruppen »A0« und »A4«"]


def test_a_tie_across_two_areas_with_the_same_gap_fills_two_cells() -> None:
    """The docstring's +2.0 per empty cell: a Kita in Olewig and a Grundschule in Ehrang, both
    Stadtteile without a Kita→school cooperation, would fill the cell in each (as the
    transition matrix counts a tie in both actors' areas): +4.0 and two reasons."""
    olewig = ("Stadt Trier", "Trier-Olewig")
    nodes = [NodeRecord(1, "Kita Olewig", area_path=olewig, life_stages=("fruehkindlich",)),
             NodeRecord(2, "Grundschule Ehrang", area_path=EHRANG, life_stages=("primar",)),
             NodeRecord(3, "Bildungsbüro", area_path=("Stadt Trier",))]
    edges = [EdgeRecord(1, 3), EdgeRecord(2, 3)]               # one common partner makes them candidates
    gaps = transition_matrix(nodes, edges, STAGES[:2])["gaps"]
    assert {g["area"] for g in gaps} == {"Trier-Olewig", "Trier-Ehrang", "Stadt Trier"}
    suggestion = suggest_ties(build_graph(nodes, edges), gaps=gaps, stage_order=STAGES[:2], stage_labels=LABELS)[0]
    assert (suggestion.source, suggestion.target) == (1, 2)
    assert suggestion.score == pytest.approx(1 / math.log(2) + 2 * GAP_BONUS)
    assert suggestion.reasons == ["1 gemeinsamer Partner",
                                  "schließt die Lücke Frühkindliche Bildung → Primarstufe in Trier-Ehrang",
                                  "schließt die Lücke Frühkindliche Bildung → Primarstufe in Trier-Olewig"]
    assert len(suggestion.closes_gaps) == 2
    # In one area the same pair fills one cell.
    same = [NodeRecord(1, "Kita Ehrang", area_path=EHRANG, life_stages=("fruehkindlich",))] + nodes[1:]
    one = suggest_ties(build_graph(same, edges), gaps=transition_matrix(same, edges, STAGES[:2])["gaps"],
                       stage_order=STAGES[:2])[0]
    assert one.score == pytest.approx(1 / math.log(2) + GAP_BONUS) and len(one.closes_gaps) == 1
