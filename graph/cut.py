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

Actors join and leave by date, so a view of the past shows the landscape of that day:

* **As of day D** an actor is in when ``active_from`` is unknown or ``<= D`` and
  ``active_until`` is unknown or ``>= D``. A school that closed in 2024 is in the network
  as of 2023-06-30 (with its ties of that day); a Kita that opened in 2025 is not.
* **An actor inactive today whose closing day is unknown** (``active=False``,
  ``active_until=None``; records from before the CRM knew closing days) is in on day D only
  when one of its *ended* ties of the cut's layers (end date recorded) exists on D, to an
  actor that is in or is in the same situation: the tie shows it was working then. A tie
  without an end proves nothing about a closed actor (its end was simply never entered, and
  it would keep the actor in every view up to today), so views of today and undated views
  leave such an actor out, as before. Setting the closing day (``active_until``) makes
  every view exact.
* **A window** [since, until] keeps actors whose active period overlaps it (same rules).
* **Undated views** ("the landscape as recorded") keep the actors active today
  (``active``) and every tie ever recorded between them.
* ``include_inactive`` switches all of this off: every actor is in.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from graph.records import EdgeRecord, NodeRecord

_SET_FIELDS = ("layers", "topics", "life_stages", "areas", "kinds", "categories", "sources")
DEFAULT_SOURCES: frozenset[str] = frozenset({"recorded"})


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
    * ``include_inactive``: every actor counts, whatever its activity (module docstring);
      otherwise actors are in by their active period on the cut's day(s).
    * ``sources``: which ties of the cooperation layer count, by their ``origin``
      (``graph.records.ORIGINS``): ``recorded`` (the CRM's cooperations, the default),
      ``confirmed`` and ``reported`` (a network survey's ties). Other layers are not affected.
    * ``survey_round``: the survey round whose ties ``confirmed``/``reported`` mean (``None``: the
      latest closed one); the caller loads those ties, the cut only keys results by it.

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
    sources: frozenset[str] = DEFAULT_SOURCES
    survey_round: int | None = None

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
        """JSON-ready form (ISO dates, sorted lists). ``sources`` and ``survey_round`` appear only
        when they differ from the default, so the stored results of every cut made before they
        existed keep their keys."""
        result: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if (f.name == "sources" and value == DEFAULT_SOURCES) or (f.name == "survey_round" and value is None):
                continue
            if isinstance(value, frozenset):
                value = sorted(value)
            elif isinstance(value, date):
                value = value.isoformat()
            result[f.name] = value
        return result

    @property
    def with_survey(self) -> bool:
        """Whether a network survey's ties count (``confirmed`` or ``reported`` chosen)."""
        return "cooperation" in self.layers and not self.sources <= DEFAULT_SOURCES


def source_ok(edge: EdgeRecord, cut: Cut) -> bool:
    """Ties of the cooperation layer count by their origin (``cut.sources``); other layers always."""
    return edge.layer != "cooperation" or edge.origin in cut.sources


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


def activity(node: NodeRecord, cut: Cut) -> bool | None:
    """Whether the actor is active in the cut's time (module docstring): ``True``, ``False``,
    or ``None`` = inactive today with an unknown closing day, in only with an ended tie of
    that time."""
    if cut.include_inactive:
        return True
    if cut.as_of is not None:
        return node.active_on(cut.as_of)
    if cut.since is not None or cut.until is not None:
        return node.active_during(cut.since, cut.until)
    return node.active


def node_in_cut(node: NodeRecord, cut: Cut) -> bool:
    """Actor filters (activity, area path, kind, category). An actor whose activity depends
    on its ties (:func:`activity` is ``None``) passes here; :func:`apply_cut` checks the ties."""
    if activity(node, cut) is False:
        return False
    return _static_ok(node, cut)


def _static_ok(node: NodeRecord, cut: Cut) -> bool:
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
    kept: dict[Any, NodeRecord] = {}
    pending: set[Any] = set()
    for node in nodes:
        state = activity(node, cut)
        if state is False or not _static_ok(node, cut):
            continue
        kept[node.id] = node
        if state is None:
            pending.add(node.id)
    timely = [e for e in edges if e.source != e.target and e.layer in cut.layers and source_ok(e, cut)
              and e.source in kept and e.target in kept and _time_ok(e, cut)]
    if pending:   # closed at an unknown day: in only with an ended tie of the cut's time
        proven = {x for e in timely if e.end is not None for x in (e.source, e.target) if x in pending}
        for node_id in pending - proven:
            del kept[node_id]
    result = []
    for edge in timely:
        a, b = kept.get(edge.source), kept.get(edge.target)
        if a is None or b is None:
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
