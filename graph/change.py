"""What changed between two dates: ties new and ended, measures then and now, topic growth.

A tie is one pair of actors of one record: ``(ref, smaller id, larger id)``. A cooperation
has a ref of its own ("cooperation:17"), but the CRM gives every pair of one initiative or
event the same ref ("initiative:7"), so the pair is part of the identity: two new members
of an existing initiative make new ties even though the ref existed before. Records
without a ref are identified by themselves.

"New" ties exist on the later day but not on the earlier one, "ended" ties the reverse,
"persisting" ties on both days. Ties that began *and* ended between the two days exist on
neither and are listed as ``short_lived`` (they would otherwise vanish from a Stadtrat
report that only compares two snapshots). Each day is cut with its own actors
(:func:`graph.cut.apply_cut` with ``as_of``): a school that closed in between is in the
network "then", not "now", and its ties count as ended.

Measures are given side by side for both days: the whole network (size, density, …) and
each actor (degree, strength, betweenness, closeness, eigenvector, PageRank), with the top
brokers of both days and the largest changes of degree.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from graph._util import sort_key
from graph.build import build_graph
from graph.cut import Cut, apply_cut, tie_exists
from graph.metrics import Pivots, compute_metrics
from graph.records import LAYERS, EdgeRecord, NodeRecord

NO_TOPIC = "(ohne Themenfeld)"
ACTOR_MEASURES = ("degree", "strength", "betweenness", "closeness", "eigenvector", "pagerank")


def tie_identity(edge: EdgeRecord) -> Hashable:
    """``(ref, smaller id, larger id)``; a record without ref is its own identity."""
    if not edge.ref:
        return id(edge)
    a, b = sorted((edge.source, edge.target), key=sort_key)
    return (edge.ref, a, b)


def _detail(edge: EdgeRecord) -> dict[str, Any]:
    return {"ref": edge.ref, "source": edge.source, "target": edge.target, "layer": edge.layer, "type": edge.type,
            "start": edge.start, "end": edge.end, "topics": list(edge.topics)}


def _refs(edges: Iterable[EdgeRecord]) -> list[str]:
    """Distinct refs in order (one initiative with three new pairs is named once)."""
    return list(dict.fromkeys(e.ref for e in edges if e.ref))


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _side_by_side(then: dict[str, Any], now: dict[str, Any]) -> dict[str, dict[str, Any]]:
    result = {}
    for key in now:
        a, b = then.get(key), now[key]
        result[key] = {"then": a, "now": b, "delta": (b - a) if _numeric(a) and _numeric(b) else None}
    return result


def _actor_rows(labels: dict[Hashable, str], then: dict[Hashable, Any], now: dict[Hashable, Any],
                limit: int | None) -> list[dict[str, Any]]:
    rows = []
    for actor in sorted(set(then) | set(now), key=lambda v: (-(now[v].betweenness if v in now else -1.0),
                                                           -(then[v].betweenness if v in then else -1.0),
                                                           labels.get(v, ""), sort_key(v))):
        a, b = then.get(actor), now.get(actor)
        row: dict[str, Any] = {"id": actor, "label": labels.get(actor, str(actor)),
                               "present": {"then": a is not None, "now": b is not None}}
        for name in ACTOR_MEASURES:
            x = getattr(a, name) if a is not None else None
            y = getattr(b, name) if b is not None else None
            row[name] = {"then": x, "now": y, "delta": (y - x) if x is not None and y is not None else None}
        rows.append(row)
    return rows if limit is None else rows[:limit]


def _brokers(labels: dict[Hashable, str], then: dict[Hashable, Any], now: dict[Hashable, Any],
             top_n: int) -> dict[str, list[dict[str, Any]]]:
    def ranking(values: dict[Hashable, Any]) -> list[Hashable]:
        return sorted(values, key=lambda v: (-values[v].betweenness, labels.get(v, ""), sort_key(v)))

    rank_then, rank_now = ranking(then), ranking(now)
    place_then = {v: i + 1 for i, v in enumerate(rank_then)}
    place_now = {v: i + 1 for i, v in enumerate(rank_now)}
    result = {}
    for day, order, values, other in (("then", rank_then, then, place_now), ("now", rank_now, now, place_then)):
        result[day] = [{"id": v, "label": labels.get(v, str(v)), "rank": i + 1,
                        "betweenness": values[v].betweenness, "degree": values[v].degree,
                        ("rank_now" if day == "then" else "rank_then"): other.get(v)}
                       for i, v in enumerate(order[:top_n])]
    return result


def _degree_changes(labels: dict[Hashable, str], then: dict[Hashable, Any], now: dict[Hashable, Any],
                    top_n: int) -> list[dict[str, Any]]:
    """Largest changes of degree; an actor absent on a day has degree 0 there."""
    changes: list[dict[str, Any]] = []
    for actor in set(then) | set(now):
        before = then[actor].degree if actor in then else 0
        after = now[actor].degree if actor in now else 0
        if after != before:
            changes.append({"id": actor, "label": labels.get(actor, str(actor)), "then": before, "now": after,
                            "delta": after - before})
    changes.sort(key=lambda r: (-abs(r["delta"]), -r["delta"], r["label"], sort_key(r["id"])))
    return changes[:top_n]


def change(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord], then: date, now: date,
           cut: Cut | None = None, *, engine: str = "auto", pivots: Pivots = "auto", seed: int = 42,
           top_n: int = 10, actor_limit: int | None = None) -> dict[str, Any]:
    """Ties new, ended, persisting between ``then`` and ``now``; the network measures of both
    days side by side with their difference ("Dichte 0,012 → 0,016 (+0,004)"); per actor the
    measures of both days (``actors``, brokers first, at most ``actor_limit`` rows), the
    ``top_n`` brokers of each day with their rank on the other (``brokers``) and the largest
    changes of degree (``degree_changes``).

    ``cut`` restricts actors, layers and facets as everywhere; its own dates are replaced by
    the two days. Without a cut every layer of ``edges`` counts.
    """
    if now < then:
        raise ValueError("now must not be before then")
    if cut is None:
        cut = Cut(layers=frozenset(e.layer for e in edges) or frozenset(LAYERS))
    nodes_then, before = apply_cut(nodes, edges, replace(cut, as_of=then, since=None, until=None))
    nodes_now, after = apply_cut(nodes, edges, replace(cut, as_of=now, since=None, until=None))
    _, window = apply_cut(nodes, edges, replace(cut, as_of=None, since=then, until=now))
    before_ids, after_ids = {tie_identity(e) for e in before}, {tie_identity(e) for e in after}
    new = [e for e in after if tie_identity(e) not in before_ids]
    ended = [e for e in before if tie_identity(e) not in after_ids]
    short_lived = [e for e in window if e.start is not None and e.end is not None and then < e.start and e.end < now]
    m_then, m_now = (compute_metrics(build_graph(day_nodes, ties), build_graph(day_nodes, ties, directed=True,
                                                                              lean=True),
                                     engine=engine, pivots=pivots, seed=seed, with_constraint=False)
                     for day_nodes, ties in ((nodes_then, before), (nodes_now, after)))
    labels: dict[Hashable, str] = {n.id: n.label for n in nodes}
    return {"then": then.isoformat(), "now": now.isoformat(),
            "new": _refs(new), "ended": _refs(ended), "persisting": len(before_ids & after_ids),
            "short_lived": _refs(short_lived),
            "counts": {"new": len(new), "ended": len(ended), "persisting": len(before_ids & after_ids),
                       "short_lived": len(short_lived), "actors_then": len(nodes_then), "actors_now": len(nodes_now)},
            "new_ties": [_detail(e) for e in new], "ended_ties": [_detail(e) for e in ended],
            "short_lived_ties": [_detail(e) for e in short_lived],
            "metrics": _side_by_side(m_then.network, m_now.network),
            "actors": _actor_rows(labels, m_then.nodes, m_now.nodes, actor_limit),
            "brokers": _brokers(labels, m_then.nodes, m_now.nodes, top_n),
            "degree_changes": _degree_changes(labels, m_then.nodes, m_now.nodes, top_n)}


def ties_per_year_by_topic(edges: Sequence[EdgeRecord], years: Iterable[int]) -> dict[str, dict[int, dict[str, int]]]:
    """For each topic and year: ties started in that year (``new``) and ties running on
    31 December (``running``). Untagged ties count under ``NO_TOPIC``; a tie without a start
    date runs since before records began (never "new").
    """
    result: dict[str, dict[int, dict[str, int]]] = defaultdict(dict)
    for year in sorted(set(years)):
        new: Counter[str] = Counter()
        running: Counter[str] = Counter()
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
