"""The cut of DESIGN.md: which actors and ties a view or an analysis looks at.

Every view of the landscape can be cut by date, topic, life stage, area, actor kind and
layer. The semantics are chosen so that a coordinator can predict them:

* A tie exists on day ``d`` when ``start <= d`` (or no start) and ``end >= d`` (or no end).
* Facets (topics, life stages) judge the tie by its own tags first: a cooperation tagged
  "MINT" belongs to the MINT network whoever the partners are. A tie without tags is
  judged by its two actors: it belongs to the MINT network when *both* actors work on
  MINT (one MINT school cooperating with a sports club on nothing in particular is not
  MINT work).
* Area, kind and category filter actors; ties survive only between kept actors. An area
  matches any element of the actor's area path, so "Stadt Trier" includes its Stadtteile.
* With a topic or life-stage cut, the network holds the actors that have a kept tie or
  that themselves work on the topic (serve the stage): untied MINT actors stay visible as
  isolates (they are the people to bring in), unrelated actors disappear.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, Iterable, Sequence

from graph.records import EdgeRecord, NodeRecord

_SET_FIELDS = ("layers", "topics", "life_stages", "areas", "kinds", "categories")


@dataclass(frozen=True)
class Cut:
    """Filters; empty sets mean "no restriction". Hashable, so it can key a cache.

    * ``as_of``: only ties that exist on that day.
    * ``since``/``until``: only ties that overlap the window [since, until] (either end may
      be open); used for change views. ``graph.change.compare`` looks at the two days.
    * ``layers``: which tie layers count; default only cooperations.
    * ``topics``/``life_stages``: see the module docstring (tie tags first, else both actors).
    * ``areas``: actors whose area path contains one of the names.
    * ``kinds``/``categories``: actor kind (Grundschule) or its category (Schule).
    * ``include_inactive``: inactive actors (closed, merged) are left out unless set.

    Plain sets, lists or tuples are accepted and stored as frozensets.
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

    def __post_init__(self) -> None:
        for name in _SET_FIELDS:
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            if not isinstance(value, frozenset):
                object.__setattr__(self, name, frozenset(value))
        if self.since is not None and self.until is not None and self.until < self.since:
            raise ValueError("until lies before since")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (ISO dates, sorted lists)."""
        result: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, frozenset):
                value = sorted(value)
            elif isinstance(value, date):
                value = value.isoformat()
            result[f.name] = value
        return result


def tie_exists(edge: EdgeRecord, on: date) -> bool:
    """``start <= on <= end`` with open ends (see :meth:`EdgeRecord.is_current`)."""
    return (edge.start is None or edge.start <= on) and (edge.end is None or edge.end >= on)


def tie_overlaps(edge: EdgeRecord, since: date | None, until: date | None) -> bool:
    """Whether the tie's lifetime overlaps the window [since, until] (None = open)."""
    if since is not None and edge.end is not None and edge.end < since:
        return False
    if until is not None and edge.start is not None and edge.start > until:
        return False
    return True


def node_in_cut(node: NodeRecord, cut: Cut) -> bool:
    """Actor filters only (activity, area path, kind, category)."""
    if not cut.include_inactive and not node.active:
        return False
    if cut.areas and not (cut.areas & set(node.path)):
        return False
    if cut.kinds and node.kind not in cut.kinds:
        return False
    if cut.categories and node.category not in cut.categories:
        return False
    return True


def _facet_ok(edge_values: Iterable[str], wanted: frozenset[str], a: Iterable[str], b: Iterable[str]) -> bool:
    if not wanted:
        return True
    edge_values = tuple(edge_values)
    if edge_values:
        return not wanted.isdisjoint(edge_values)
    return not wanted.isdisjoint(a) and not wanted.isdisjoint(b)


def _time_ok(edge: EdgeRecord, cut: Cut) -> bool:
    if cut.as_of is not None and not tie_exists(edge, cut.as_of):
        return False
    return tie_overlaps(edge, cut.since, cut.until)


def apply_cut(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord],
              cut: Cut | None = None) -> tuple[list[NodeRecord], list[EdgeRecord]]:
    """The actors and ties inside ``cut`` (order of the input kept); ties only between kept actors.

    Self-ties and ties to unknown actors are dropped: they cannot be drawn or analysed.
    """
    cut = cut or Cut()
    kept = {n.id: n for n in nodes if node_in_cut(n, cut)}
    result = []
    for edge in edges:
        if edge.source == edge.target or edge.layer not in cut.layers:
            continue
        a, b = kept.get(edge.source), kept.get(edge.target)
        if a is None or b is None or not _time_ok(edge, cut):
            continue
        if not _facet_ok(edge.topics, cut.topics, a.topics, b.topics):
            continue
        if not _facet_ok(edge.life_stages, cut.life_stages, a.life_stages, b.life_stages):
            continue
        result.append(edge)
    if cut.topics or cut.life_stages:
        tied = {e.source for e in result} | {e.target for e in result}
        kept = {i: n for i, n in kept.items() if i in tied or (
            (not cut.topics or not cut.topics.isdisjoint(n.topics))
            and (not cut.life_stages or not cut.life_stages.isdisjoint(n.life_stages)))}
    return list(kept.values()), result
