"""The cut of DESIGN.md: which actors and ties a view or an analysis looks at."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Sequence

from graph.records import EdgeRecord, NodeRecord


@dataclass(frozen=True)
class Cut:
    """Filters; empty sets mean "no restriction".

    * ``as_of``: only ties that exist on that day (start <= day <= end).
    * ``since``/``until``: only ties that overlap this window (used for change views).
    * ``topics``/``life_stages``: a tie is kept when its own topics (stages) match; a tie that
      carries none is judged by its two actors, which must both match.
    * ``areas``: actors whose area path contains one of the names (a city includes its
      Stadtteile); ``kinds``/``categories``: actor kind or category.
    """

    as_of: date | None = None
    since: date | None = None
    until: date | None = None
    layers: frozenset[str] = field(default_factory=lambda: frozenset({"cooperation"}))
    topics: frozenset[str] = frozenset()
    life_stages: frozenset[str] = frozenset()
    areas: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    include_inactive: bool = False


def _node_ok(node: NodeRecord, cut: Cut) -> bool:
    if not cut.include_inactive and not node.active:
        return False
    if cut.areas and not (cut.areas & set(node.area_path or (node.area,))):
        return False
    if cut.kinds and node.kind not in cut.kinds:
        return False
    if cut.categories and node.category not in cut.categories:
        return False
    return True


def _facet_ok(edge_values: tuple[str, ...], wanted: frozenset[str], a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if not wanted:
        return True
    if edge_values:
        return bool(wanted & set(edge_values))
    return bool(wanted & set(a)) and bool(wanted & set(b))


def _time_ok(edge: EdgeRecord, cut: Cut) -> bool:
    if cut.as_of is not None and not edge.is_current(cut.as_of):
        return False
    if cut.since is not None and edge.end is not None and edge.end < cut.since:
        return False
    if cut.until is not None and edge.start is not None and edge.start > cut.until:
        return False
    return True


def apply_cut(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord],
              cut: Cut) -> tuple[list[NodeRecord], list[EdgeRecord]]:
    """The nodes and edges inside ``cut``; edges only between kept nodes."""
    kept = {n.id: n for n in nodes if _node_ok(n, cut)}
    result = []
    for edge in edges:
        a, b = kept.get(edge.source), kept.get(edge.target)
        if a is None or b is None or edge.layer not in cut.layers or not _time_ok(edge, cut):
            continue
        if not _facet_ok(edge.topics, cut.topics, a.topics, b.topics):
            continue
        if not _facet_ok(edge.life_stages, cut.life_stages, a.life_stages, b.life_stages):
            continue
        result.append(edge)
    if cut.topics or cut.life_stages:
        # A topic network holds the actors working on it, tied or not (isolates matter).
        tied = {e.source for e in result} | {e.target for e in result}
        kept = {i: n for i, n in kept.items() if i in tied or (
            _facet_ok((), cut.topics, n.topics, n.topics)
            and _facet_ok((), cut.life_stages, n.life_stages, n.life_stages))}
    return list(kept.values()), result
