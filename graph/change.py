"""What changed between two dates: ties new and ended, measures then and now, topic growth."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any, Sequence

from graph.build import build_graph
from graph.metrics import network_metrics
from graph.records import EdgeRecord, NodeRecord


def change(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord], then: date, now: date) -> dict[str, Any]:
    """Ties that exist on ``now`` but not on ``then`` (new), the reverse (ended), and those on both.

    Measures of both networks side by side with their difference, so a report can say
    "Dichte 0,012 → 0,016 (+0,004)".
    """
    if now < then:
        raise ValueError("now must not be before then")
    before = [e for e in edges if e.is_current(then)]
    after = [e for e in edges if e.is_current(now)]
    before_refs, after_refs = {e.ref or id(e) for e in before}, {e.ref or id(e) for e in after}
    new = [e for e in after if (e.ref or id(e)) not in before_refs]
    ended = [e for e in before if (e.ref or id(e)) not in after_refs]
    m_then = network_metrics(build_graph(nodes, before))
    m_now = network_metrics(build_graph(nodes, after))
    side_by_side = {key: {"then": m_then[key], "now": m_now[key],
                          "delta": (m_now[key] - m_then[key]) if isinstance(m_now[key], (int, float))
                          and isinstance(m_then[key], (int, float)) else None}
                    for key in m_now}
    return {"then": then.isoformat(), "now": now.isoformat(),
            "new": [e.ref for e in new], "ended": [e.ref for e in ended],
            "persisting": len(before_refs & after_refs), "metrics": side_by_side}


def ties_per_year_by_topic(edges: Sequence[EdgeRecord], years: Sequence[int]) -> dict[str, dict[int, dict[str, int]]]:
    """For each topic and year: ties started in that year ("new") and ties running at its end ("running")."""
    result: dict[str, dict[int, dict[str, int]]] = defaultdict(dict)
    for year in years:
        new, running = Counter(), Counter()
        end_of_year = date(year, 12, 31)
        for edge in edges:
            topics = edge.topics or ("(ohne Themenfeld)",)
            if edge.start and edge.start.year == year:
                new.update(topics)
            if edge.is_current(end_of_year) and (edge.start is None or edge.start <= end_of_year):
                running.update(topics)
        for topic in set(new) | set(running):
            result[topic][year] = {"new": new[topic], "running": running[topic]}
    return {topic: dict(sorted(per_year.items())) for topic, per_year in sorted(result.items())}
