"""What changed between two dates: ties new and ended, measures then and now, topic growth.

A tie is identified by its ``ref`` ("cooperation:17"); records without a ref are
identified by themselves. "New" ties exist on the later day but not on the earlier one,
"ended" ties the reverse, "persisting" ties on both days. Ties that began *and* ended
between the two days exist on neither and are listed as ``short_lived`` (they would
otherwise vanish from a Stadtrat report that only compares two snapshots).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date
from typing import Any, Hashable, Iterable, Sequence

from graph.build import build_graph
from graph.cut import Cut, apply_cut, tie_exists
from graph.metrics import network_metrics
from graph.records import EdgeRecord, NodeRecord

NO_TOPIC = "(ohne Themenfeld)"


def _identity(edge: EdgeRecord) -> Hashable:
    return edge.ref or id(edge)


def _detail(edge: EdgeRecord) -> dict[str, Any]:
    return {"ref": edge.ref, "source": edge.source, "target": edge.target, "layer": edge.layer, "type": edge.type,
            "start": edge.start, "end": edge.end, "topics": list(edge.topics)}


def _side_by_side(then: dict[str, Any], now: dict[str, Any]) -> dict[str, dict[str, Any]]:
    result = {}
    for key in now:
        a, b = then.get(key), now[key]
        numeric = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))
        result[key] = {"then": a, "now": b, "delta": (b - a) if numeric else None}
    return result


def change(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord], then: date, now: date,
           cut: Cut | None = None, *, engine: str = "auto") -> dict[str, Any]:
    """Ties new, ended, persisting between ``then`` and ``now`` and the network measures of
    both days side by side with their difference ("Dichte 0,012 → 0,016 (+0,004)").

    ``cut`` restricts actors, layers and facets as everywhere; its own dates are ignored
    (the two days replace them).
    """
    if now < then:
        raise ValueError("now must not be before then")
    if cut is not None:
        nodes, edges = apply_cut(nodes, edges, replace(cut, as_of=None, since=None, until=None))
    before = [e for e in edges if tie_exists(e, then)]
    after = [e for e in edges if tie_exists(e, now)]
    before_ids, after_ids = {_identity(e) for e in before}, {_identity(e) for e in after}
    new = [e for e in after if _identity(e) not in before_ids]
    ended = [e for e in before if _identity(e) not in after_ids]
    short_lived = [e for e in edges if e.start is not None and e.end is not None
                   and then < e.start and e.end < now]
    m_then, m_now = (network_metrics(build_graph(nodes, ties), build_graph(nodes, ties, directed=True, lean=True),
                                     engine=engine) for ties in (before, after))
    return {"then": then.isoformat(), "now": now.isoformat(),
            "new": [e.ref for e in new], "ended": [e.ref for e in ended],
            "persisting": len(before_ids & after_ids), "short_lived": [e.ref for e in short_lived],
            "new_ties": [_detail(e) for e in new], "ended_ties": [_detail(e) for e in ended],
            "metrics": _side_by_side(m_then, m_now)}


def ties_per_year_by_topic(edges: Sequence[EdgeRecord], years: Iterable[int]) -> dict[str, dict[int, dict[str, int]]]:
    """For each topic and year: ties started in that year (``new``) and ties running on
    31 December (``running``). Untagged ties count under ``NO_TOPIC``; a tie without a start
    date runs since before records began (never "new").
    """
    result: dict[str, dict[int, dict[str, int]]] = defaultdict(dict)
    for year in sorted(set(years)):
        new, running = Counter(), Counter()
        end_of_year = date(year, 12, 31)
        for edge in edges:
            topics = tuple(dict.fromkeys(edge.topics)) or (NO_TOPIC,)
            if edge.start is not None and edge.start.year == year:
                new.update(topics)
            if tie_exists(edge, end_of_year):
                running.update(topics)
        for topic in set(new) | set(running):
            result[topic][year] = {"new": new[topic], "running": running[topic]}
    return {topic: dict(sorted(per_year.items())) for topic, per_year in sorted(result.items())}
