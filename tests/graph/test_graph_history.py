"""Actors by date (they open and close), ties identified per pair, and measures then and now."""
from __future__ import annotations

from datetime import date

import pytest

from graph.analysis import analyse
from graph.change import change, tie_identity
from graph.cut import Cut, apply_cut
from graph.records import EdgeRecord, NodeRecord

# A school that closed in 2024 (closing day known), a Kita that opened in 2025, a club that
# is inactive today without a known closing day, and two actors that have always been there.
NODES = [
    NodeRecord(1, "Grundschule Olewig"),
    NodeRecord(2, "Realschule plus Ehrang", active=False, active_from=date(2010, 8, 1), active_until=date(2024, 7, 31)),
    NodeRecord(3, "Kita Neubau", active_from=date(2025, 8, 1)),
    NodeRecord(4, "Alter Förderverein", active=False),
    NodeRecord(5, "IHK Trier"),
]
EDGES = [
    EdgeRecord(1, 2, start=date(2019, 1, 1), end=date(2024, 7, 31), ref="cooperation:1"),
    EdgeRecord(1, 3, start=date(2025, 9, 1), ref="cooperation:2"),
    EdgeRecord(1, 4, start=date(2018, 1, 1), end=date(2022, 12, 31), ref="cooperation:3"),   # ended: evidence
    EdgeRecord(4, 5, start=date(2015, 1, 1), ref="cooperation:4"),                           # never ended
    EdgeRecord(1, 5, start=date(2020, 1, 1), ref="cooperation:5"),
]


def ids(nodes) -> list[int]:
    return sorted(n.id for n in nodes)


def refs(edges) -> list[str]:
    return sorted(e.ref for e in edges)


def test_a_closed_actor_is_in_the_network_of_a_day_before_it_closed() -> None:
    nodes, edges = apply_cut(NODES, EDGES, Cut(as_of=date(2023, 6, 30)))
    # The school (closed 2024) is in with its tie; the Kita (opens 2025) is not; the club
    # without closing day is in 2023 only through the ended tie to 1 -- which ended in 2022.
    assert ids(nodes) == [1, 2, 5]
    assert refs(edges) == ["cooperation:1", "cooperation:5"]
    nodes, edges = apply_cut(NODES, EDGES, Cut(as_of=date(2022, 6, 30)))
    assert ids(nodes) == [1, 2, 4, 5]                         # the club's ended tie runs that day
    assert refs(edges) == ["cooperation:1", "cooperation:3", "cooperation:4", "cooperation:5"]


def test_actors_join_and_leave_on_their_days_inclusive() -> None:
    assert 2 in ids(apply_cut(NODES, EDGES, Cut(as_of=date(2024, 7, 31)))[0])
    assert 2 not in ids(apply_cut(NODES, EDGES, Cut(as_of=date(2024, 8, 1)))[0])
    assert 3 not in ids(apply_cut(NODES, EDGES, Cut(as_of=date(2025, 7, 31)))[0])
    nodes, edges = apply_cut(NODES, EDGES, Cut(as_of=date(2025, 8, 1)))
    assert 3 in ids(nodes) and refs(edges) == ["cooperation:5"]  # open, no tie yet: an isolate
    assert 2 not in ids(apply_cut(NODES, EDGES, Cut(as_of=date(2009, 1, 1)))[0])


def test_current_and_undated_views_leave_closed_actors_out() -> None:
    # Undated: the actors active today, as before. The club's never-ended tie 4-5 does not
    # bring it back (a closed actor's open tie proves nothing), not even for a day of today.
    assert ids(apply_cut(NODES, EDGES, Cut())[0]) == [1, 3, 5]
    assert ids(apply_cut(NODES, EDGES, Cut(as_of=date(2026, 6, 30)))[0]) == [1, 3, 5]
    assert ids(apply_cut(NODES, EDGES, Cut(include_inactive=True))[0]) == [1, 2, 3, 4, 5]


def test_a_window_keeps_actors_active_at_some_time_in_it() -> None:
    nodes, _ = apply_cut(NODES, EDGES, Cut(since=date(2024, 1, 1), until=date(2024, 12, 31)))
    assert ids(nodes) == [1, 2, 5]
    nodes, _ = apply_cut(NODES, EDGES, Cut(since=date(2022, 1, 1), until=date(2025, 12, 31)))
    assert ids(nodes) == [1, 2, 3, 4, 5]


def test_change_counts_actors_per_day_and_ends_the_ties_of_a_closed_school() -> None:
    result = change(NODES, EDGES, date(2023, 6, 30), date(2026, 6, 30), Cut())
    assert result["ended"] == ["cooperation:1"]                 # the school closed in 2024
    assert result["new"] == ["cooperation:2"]                   # the new Kita
    assert result["counts"]["actors_then"] == 3 and result["counts"]["actors_now"] == 3
    # "Then" counts the actors of that day only: 3 actors, 2 ties -> density 2/3.
    assert result["metrics"]["nodes"] == {"then": 3, "now": 3, "delta": 0}
    assert result["metrics"]["density"]["then"] == pytest.approx(2 / 3)


# --- ties of initiatives and events are pairs of one ref -------------------------------------

PAIR_NODES = [NodeRecord(i, f"A{i}") for i in range(1, 6)]
PAIR_EDGES = [
    EdgeRecord(1, 2, layer="initiative", start=date(2020, 1, 1), ref="initiative:7"),
    EdgeRecord(1, 3, layer="initiative", start=date(2022, 1, 1), ref="initiative:7"),   # new member 3
    EdgeRecord(2, 3, layer="initiative", start=date(2022, 1, 1), ref="initiative:7"),
    EdgeRecord(1, 4, layer="event", start=date(2021, 5, 1), ref="event:9"),
    EdgeRecord(1, 5, layer="event", start=date(2021, 5, 1), ref="event:9"),
    EdgeRecord(4, 5, layer="event", start=date(2021, 5, 1), ref="event:9"),
]


def test_new_pairs_of_an_existing_initiative_are_new_ties() -> None:
    result = change(PAIR_NODES, PAIR_EDGES, date(2021, 1, 1), date(2023, 1, 1),
                    Cut(layers={"initiative", "event"}))
    assert result["counts"]["new"] == 5                         # 1-3, 2-3 and the three event pairs
    assert result["counts"]["persisting"] == 1                  # 1-2 in initiative 7
    assert result["new"] == ["initiative:7", "event:9"]         # each ref named once
    assert {(t["ref"], t["source"], t["target"]) for t in result["new_ties"]} == {
        ("initiative:7", 1, 3), ("initiative:7", 2, 3), ("event:9", 1, 4), ("event:9", 1, 5), ("event:9", 4, 5)}
    assert result["persisting"] == 1 and result["ended"] == []
    assert tie_identity(PAIR_EDGES[0]) == tie_identity(EdgeRecord(2, 1, layer="initiative", ref="initiative:7"))


def test_actor_measures_then_and_now_side_by_side() -> None:
    result = change(PAIR_NODES, PAIR_EDGES, date(2021, 1, 1), date(2023, 1, 1),
                    Cut(layers={"initiative", "event"}), engine="networkx")
    rows = {r["id"]: r for r in result["actors"]}
    assert rows[1]["degree"] == {"then": 1, "now": 4, "delta": 3}
    assert rows[3]["degree"] == {"then": 0, "now": 2, "delta": 2}
    # Actor 1 joins the only two groups: it is the broker now (path 2-1-4 etc.).
    assert result["brokers"]["now"][0]["id"] == 1 and result["brokers"]["now"][0]["rank"] == 1
    assert rows[1]["betweenness"]["now"] > 0 and rows[1]["betweenness"]["then"] == 0
    changes = result["degree_changes"]
    assert changes[0] == {"id": 1, "label": "A1", "then": 1, "now": 4, "delta": 3}
    assert [r["id"] for r in result["actors"]][0] == 1          # brokers first


def test_analyse_reports_change_when_the_cut_has_a_window() -> None:
    data = analyse(NODES, EDGES, Cut(since=date(2023, 6, 30), until=date(2026, 6, 30))).to_dict()
    assert data["change"]["ended"] == ["cooperation:1"]
    assert data["change"]["counts"]["actors_then"] == 3
    assert {r["label"] for r in data["change"]["actors"]} >= {"Realschule plus Ehrang", "Kita Neubau"}
