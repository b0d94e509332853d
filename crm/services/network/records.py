"""From database rows to the plain node and edge records that ``graph`` analyses.

``graph`` knows nothing of the database; this module is the only bridge. Layers:

* ``cooperation``: one edge per cooperation, dated by its start and end, weight = the weight an
  imported file gave it (``Cooperation.weight``), else its intensity.
* ``initiative``: one edge per pair of actors that were members of the same initiative at
  the same time; dated by the overlap of both memberships; weight 1 per shared initiative.
* ``event``: one edge per pair of actors whose people attended the same event; dated from
  the event day in Europe/Berlin on (no end: having met is not undone); weight 1 per shared
  event.

Actors carry their active period (``Actor.active_from``/``active_until``), so a view of the
past keeps actors that have closed since and leaves out those that did not exist yet (the
rules are in ``graph.cut``); ``active`` is their state today.

Two ways to load: the whole landscape (``landscape``, for the worker's analyses, kept per data
version in the app's cache) and a neighbourhood (``neighbourhood``/``among``: a few targeted
queries by actor id, for the ego, initiative and event maps that a request draws itself).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.models import (
    Actor,
    ActorKind,
    Area,
    Attendance,
    Cooperation,
    CooperationType,
    Event,
    EventStatus,
    Initiative,
    LifeStage,
    Membership,
    Topic,
)
from crm.models.actors import actor_life_stages, actor_topics
from crm.models.cooperations import cooperation_life_stages, cooperation_topics
from crm.models.initiatives import initiative_topics
from crm.services.computed import cache, versions
from crm.services.errors import ServiceError
from graph.records import EdgeRecord, NodeRecord

LAYERS = ("cooperation", "initiative", "event")
LAYER_LABELS = {"cooperation": "Kooperationen", "initiative": "Gemeinsame Initiativen",
                "event": "Gemeinsame Veranstaltungen"}
# Where the ties of the cooperation layer come from (``graph.records.ORIGINS``; ``crm.services.surveys.ties``).
SOURCES = ("recorded", "confirmed", "reported")
SOURCE_LABELS = {"recorded": "im CRM erfasst (Kooperationen)",
                 "confirmed": "bestätigt (in der Befragung von beiden Seiten genannt)",
                 "reported": "gemeldet (von einer Seite genannt, noch nicht im CRM)"}
BERLIN = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True)
class Landscape:
    nodes: list[NodeRecord]
    edges: list[EdgeRecord]
    stage_order: tuple[str, ...]
    version: str
    stage_labels: Mapping[str, str] = field(default_factory=dict)   # life-stage code -> name


def data_version(session: Session) -> int:
    """The landscape's version (``crm.services.computed.versions``): raised by every write of its
    records, never by a read."""
    return versions.current(session)


CHUNK = 5000  # ids per IN (…) list: below SQLite's limit of 32,766 parameters, cheap on PostgreSQL


def _within(session: Session, column: Any, ids: list[int]) -> Any:
    """``column IN ids``; on PostgreSQL as ``= ANY(array)``, one parameter instead of thousands
    (rendering and sending 5,000 bind parameters cost a third of an ego map's time at Land scale)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import Integer, any_, bindparam
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(bindparam(None, ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


def _area_paths(session: Session) -> dict[int, tuple[str, ...]]:
    areas = {a.id: a for a in session.scalars(select(Area))}
    paths: dict[int, tuple[str, ...]] = {}
    for area_id in areas:
        chain, node, seen = [], areas.get(area_id), set()
        while node is not None and node.id not in seen:
            seen.add(node.id)
            chain.append(node.name)
            node = areas.get(node.parent_id) if node.parent_id else None
        paths[area_id] = tuple(reversed(chain))
    return paths


def _names_by_owner(session: Session, table: Any, owner: str, vocabulary: Any, column: str,
                    only: Iterable[int] | None = None) -> dict[int, tuple[str, ...]]:
    """``{owner id: (code or name, …)}`` from an association table, in the vocabulary's order
    (one query, or one per chunk of ``only``)."""
    query = (select(table.c[owner], getattr(vocabulary, column))
             .join(vocabulary, vocabulary.id == next(c for c in table.c if c.name != owner))
             .order_by(table.c[owner], vocabulary.sort_order, vocabulary.id))
    queries = [query] if only is None else [query.where(_within(session, table.c[owner], chunk))
                                            for chunk in _chunks(only)]
    grouped: dict[int, list[str]] = defaultdict(list)
    for statement in queries:
        for owner_id, value in session.execute(statement):
            grouped[owner_id].append(value)
    return {owner_id: tuple(values) for owner_id, values in grouped.items()}


def node_records(session: Session, today: date | None = None, ids: Iterable[int] | None = None) -> list[NodeRecord]:
    """Every actor (active or not: dated views need the closed ones too), or those of ``ids``.
    ``active`` is the state on ``today``: ``is_active`` and no closing day already past.

    Plain column selects, not ORM objects: 20,000 actors with their kinds, stages and topics
    load in a fraction of the time identity-mapped instances with ``selectinload`` take.
    """
    today = today or date.today()
    paths = _area_paths(session)
    only = None if ids is None else set(ids)
    stages = _names_by_owner(session, actor_life_stages, "actor_id", LifeStage, "code", only)
    topics = _names_by_owner(session, actor_topics, "actor_id", Topic, "name", only)
    query = (select(Actor.id, Actor.name, Actor.short_name, Actor.area_id, Actor.is_active, Actor.active_from,
                    Actor.active_until, ActorKind.name, ActorKind.category)
             .join(ActorKind, ActorKind.id == Actor.kind_id).order_by(Actor.id))
    rows = list(session.execute(query)) if only is None else sorted(
        (row for chunk in _chunks(only) for row in session.execute(query.where(_within(session, Actor.id, chunk)))),
        key=lambda row: row[0])
    records = []
    for (actor_id, name, short_name, area_id, is_active, active_from, active_until,
         kind, category) in rows:
        path = paths.get(area_id, ()) if area_id else ()
        records.append(NodeRecord(
            id=actor_id, label=name, kind=kind, category=category,
            area=path[-1] if path else "", area_path=path,
            life_stages=stages.get(actor_id, ()), topics=topics.get(actor_id, ()),
            active=is_active and (active_until is None or active_until >= today),
            attrs={"short_name": short_name}, active_from=active_from, active_until=active_until,
        ))
    return records


def cooperation_edges(session: Session, touching: Iterable[int] | None = None,
                      among: Iterable[int] | None = None) -> list[EdgeRecord]:
    """Every cooperation, or those with an end in ``touching``, or both ends in ``among``."""
    query = (select(Cooperation.id, Cooperation.source_id, Cooperation.target_id, Cooperation.intensity,
                    Cooperation.weight, Cooperation.is_directed, CooperationType.name, Cooperation.start_date,
                    Cooperation.end_date)
             .join(CooperationType, CooperationType.id == Cooperation.type_id).order_by(Cooperation.id))
    if touching is None and among is None:
        rows = list(session.execute(query))
    else:
        found: dict[int, Any] = {}
        if touching is not None:
            for chunk in _chunks(touching):
                for column in (Cooperation.source_id, Cooperation.target_id):
                    found.update((row[0], row) for row in session.execute(query.where(_within(session, column, chunk))))
        if among is not None:
            members = sorted(set(among))
            if len(members) <= CHUNK:   # both ends in the set: the database filters
                found.update((row[0], row) for row in session.execute(query.where(
                    _within(session, Cooperation.source_id, members),
                    _within(session, Cooperation.target_id, members))))
            else:
                kept = set(members)
                for chunk in _chunks(kept):
                    found.update((row[0], row) for row in session.execute(
                        query.where(_within(session, Cooperation.source_id, chunk))) if row[2] in kept)
        rows = [found[i] for i in sorted(found)]
    ids = None if touching is None and among is None else [row[0] for row in rows]
    topics = _names_by_owner(session, cooperation_topics, "cooperation_id", Topic, "name", ids)
    stages = _names_by_owner(session, cooperation_life_stages, "cooperation_id", LifeStage, "code", ids)
    return [EdgeRecord(
        source=source, target=target, layer="cooperation", weight=float(intensity if weight is None else weight),
        directed=directed, type=type_name, start=start, end=end,
        topics=topics.get(tie_id, ()), life_stages=stages.get(tie_id, ()),
        intensity=intensity, ref=f"cooperation:{tie_id}")
        for tie_id, source, target, intensity, weight, directed, type_name, start, end in rows]


def _overlap(a_start: date | None, a_end: date | None, b_start: date | None, b_end: date | None):
    start = max((d for d in (a_start, b_start) if d is not None), default=None)
    end = min((d for d in (a_end, b_end) if d is not None), default=None)
    if start is not None and end is not None and end < start:
        return None
    return start, end


Pair = tuple[int, int]


def _membership_rows(session: Session, touching: Iterable[int] | None, among: Iterable[int] | None) -> list[Any]:
    query = (select(Membership.initiative_id, Membership.actor_id, Membership.joined_on, Membership.left_on,
                    Membership.id).order_by(Membership.initiative_id, Membership.actor_id, Membership.id))
    if touching is None and among is None:
        return list(session.execute(query))
    rows: dict[int, Any] = {}
    if touching is not None:
        initiatives: set[int] = set()
        for chunk in _chunks(touching):
            initiatives.update(session.scalars(
                select(Membership.initiative_id).where(_within(session, Membership.actor_id, chunk))))
        for chunk in _chunks(initiatives):
            rows.update((row[4], row) for row in session.execute(
                query.where(_within(session, Membership.initiative_id, chunk))))
    if among is not None:
        for chunk in _chunks(among):
            rows.update((row[4], row) for row in session.execute(
                query.where(_within(session, Membership.actor_id, chunk))))
    return sorted(rows.values(), key=lambda row: (row[0], row[1], row[4]))


def initiative_edges(session: Session, touching: Iterable[int] | None = None, among: Iterable[int] | None = None,
                     clique_limit: int | None = None) -> list[EdgeRecord]:
    """One edge per pair of members of an initiative whose memberships overlap.

    Restricted: ``touching`` gives only the pairs with one member in it (its initiatives are
    read, not all); ``among`` only pairs with both members in it. ``clique_limit``: an
    initiative with more members than that (in ``among``) adds only the pairs that touch
    ``touching``; an ego map needs the hub's ties, not every pair of a 500-member alliance.
    Topics are read in one query for all initiatives (not once per initiative).
    """
    rows = _membership_rows(session, touching, among)
    names: dict[int, str] = {}
    for chunk in _chunks({row[0] for row in rows}):
        names.update((i, n) for i, n in session.execute(
            select(Initiative.id, Initiative.name).where(_within(session, Initiative.id, chunk))))
    topics = _names_by_owner(session, initiative_topics, "initiative_id", Topic, "name", names.keys()) if rows else {}
    by_initiative: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_initiative[row[0]].append(row)
    centre = None if touching is None else set(touching)
    kept = None if among is None else set(among)
    edges = []
    for initiative_id, members in by_initiative.items():
        if kept is not None:
            members = [m for m in members if m[1] in kept or (centre is not None and m[1] in centre)]
        big = clique_limit is not None and len({m[1] for m in members}) > clique_limit
        name, tags = names.get(initiative_id, ""), topics.get(initiative_id, ())
        for a, b in combinations(members, 2):
            if a[1] == b[1]:
                continue
            if centre is not None and (big or kept is None) and a[1] not in centre and b[1] not in centre:
                continue
            window = _overlap(a[2], a[3], b[2], b[3])
            if window is None:
                continue
            edges.append(EdgeRecord(
                source=min(a[1], b[1]), target=max(a[1], b[1]), layer="initiative",
                weight=1.0, type=name, start=window[0], end=window[1],
                topics=tags, ref=f"initiative:{initiative_id}"))
    return edges


def event_edges(session: Session, touching: Iterable[int] | None = None, among: Iterable[int] | None = None,
                clique_limit: int | None = None) -> list[EdgeRecord]:
    """One edge per pair of actors whose people attended the same event (restricted as
    :func:`initiative_edges`)."""
    query = (select(Attendance.event_id, Attendance.actor_id, Event.starts_at, Event.title)
             .join(Event, Event.id == Attendance.event_id)
             .where(Attendance.actor_id.is_not(None), Event.status != EventStatus.CANCELLED)
             .order_by(Attendance.event_id, Attendance.actor_id))
    if touching is None and among is None:
        rows = session.execute(query).all()
    else:
        found: set[Any] = set()
        if touching is not None:
            events: set[int] = set()
            for chunk in _chunks(touching):
                events.update(session.scalars(
                    select(Attendance.event_id).where(_within(session, Attendance.actor_id, chunk))))
            for chunk in _chunks(events):
                found.update(session.execute(query.where(_within(session, Attendance.event_id, chunk))))
        if among is not None:
            for chunk in _chunks(among):
                found.update(session.execute(query.where(_within(session, Attendance.actor_id, chunk))))
        rows = sorted(found, key=lambda row: (row[0], row[1]))
    actors_at: dict[int, set[int]] = defaultdict(set)
    info: dict[int, tuple[date, str]] = {}
    for event_id, actor_id, starts_at, title in rows:
        if actor_id is None:  # a walk-in without an actor ties no one
            continue
        actors_at[event_id].add(actor_id)
        info[event_id] = (starts_at.astimezone(BERLIN).date(), title)  # an evening event is on its local day
    centre = None if touching is None else set(touching)
    kept = None if among is None else set(among)
    edges = []
    for event_id, actor_ids in actors_at.items():
        day, title = info[event_id]
        if kept is not None:
            actor_ids = {a for a in actor_ids if a in kept or (centre is not None and a in centre)}
        big = clique_limit is not None and len(actor_ids) > clique_limit
        for a, b in combinations(sorted(actor_ids), 2):
            if centre is not None and (big or kept is None) and a not in centre and b not in centre:
                continue
            edges.append(EdgeRecord(source=a, target=b, layer="event", weight=1.0, type=title, start=day,
                                    end=None, ref=f"event:{event_id}"))
    return edges


EDGE_LOADERS: dict[str, Callable[..., list[EdgeRecord]]] = {
    "cooperation": cooperation_edges, "initiative": initiative_edges, "event": event_edges}


def _stages(session: Session) -> list[Any]:
    return list(session.execute(select(LifeStage.code, LifeStage.name).order_by(LifeStage.sort_order, LifeStage.id)))


def landscape(session: Session, layers: Iterable[str] = LAYERS) -> Landscape:
    """All actors and the edges of the chosen layers, with the life-stage order for transitions."""
    version = data_version(session)  # before the data: a result may be labelled older than its data, never newer
    edges: list[EdgeRecord] = []
    for layer in layers:
        edges.extend(EDGE_LOADERS[layer](session))
    stages = _stages(session)
    return Landscape(node_records(session), edges, tuple(code for code, _ in stages), str(version),
                     stage_labels={code: name for code, name in stages})


RECORD_BYTES = 700  # about what one node or edge record takes in memory (for the cache's size limit)


def cached_landscape(session: Session, layers: Iterable[str], version: int | None = None) -> Landscape:
    """``landscape`` loaded once per data version, day and layers in this process (the app's cache)."""
    layers = frozenset(layers)
    version = data_version(session) if version is None else version

    def load() -> Landscape:
        cache.forget_versions_before(version)
        return landscape(session, sorted(layers))

    return cache.cached(("landscape", version, date.today(), layers), load,
                        cost=lambda land: float((len(land.nodes) + len(land.edges)) * RECORD_BYTES))


def landscape_for(session: Session, cut: Any, version: int | None = None) -> Landscape:
    """The cached landscape of the cut's layers, with the network survey's ties added when the cut
    asks for them (``cut.sources``: confirmed or reported, ``crm.services.surveys.ties``); they are
    kept per data version, day and round like the rest."""
    version = data_version(session) if version is None else version
    land = cached_landscape(session, cut.layers, version)
    if not cut.with_survey:
        return land
    from crm.services.surveys.ties import survey_edges

    extra = cache.cached(("survey-edges", version, date.today(), cut.survey_round),
                         lambda: survey_edges(session, cut.survey_round),
                         cost=lambda edges: float(len(edges) * RECORD_BYTES))
    return Landscape(land.nodes, [*land.edges, *extra], land.stage_order, land.version, land.stage_labels)


# A group (initiative, event) with more members than this in an ego map adds only its ties to the
# centre: 500 members of an alliance would otherwise add 125,000 ties among themselves.
CLIQUE_LIMIT = 40


def neighbourhood(session: Session, centre: int, layers: Iterable[str], steps: int, cut: Any,
                  limit: int | None = None) -> Landscape:
    """The actor, everyone within ``steps`` ties of ``layers`` that exist under ``cut``, and the
    ties among them, from targeted queries (never the whole landscape).

    Ties among the neighbours: every cooperation; initiative and event ties only for groups with
    at most ``CLIQUE_LIMIT`` members in the map (see there). More than ``limit`` actors is refused
    with a German message before the ties among them are read (a hub's partners of partners are
    half a Land: drawing them would take longer than a request may)."""
    from graph.cut import apply_cut

    layers = [layer for layer in LAYERS if layer in set(layers)]
    reached, frontier = {centre}, {centre}
    known: dict[int, NodeRecord] = {}

    def records_of(ids: set[int]) -> list[NodeRecord]:
        missing = ids - known.keys()
        if missing:
            known.update((n.id, n) for n in node_records(session, ids=missing))
        return [known[i] for i in sorted(ids) if i in known]

    for _ in range(steps):
        edges: list[EdgeRecord] = []
        for layer in layers:
            edges.extend(cooperation_edges(session, touching=frontier) if layer == "cooperation"
                         else EDGE_LOADERS[layer](session, touching=frontier, clique_limit=0))
        ids = reached | {x for e in edges for x in (e.source, e.target)}
        nodes = records_of(ids)
        _, kept = apply_cut(nodes, edges, cut)
        found = {x for e in kept for x in (e.source, e.target)} - reached
        if not found:
            break
        reached |= found
        frontier = found
        if limit is not None and len(reached) > limit:
            raise ServiceError(f"Diese Karte umfasst mehr als {limit:,} Akteure".replace(",", ".")
                               + " und wäre nicht mehr lesbar. Bitte nur die direkten Partner zeigen oder nach Thema, "
                                 "Bildungsphase oder Gebiet filtern.", "steps")
    edges = []
    for layer in layers:
        edges.extend(cooperation_edges(session, among=reached) if layer == "cooperation"
                     else EDGE_LOADERS[layer](session, touching={centre}, among=reached, clique_limit=CLIQUE_LIMIT))
    stages = _stages(session)
    return Landscape(records_of(reached), edges, tuple(code for code, _ in stages),
                     str(data_version(session)), stage_labels={code: name for code, name in stages})


def among(session: Session, ids: Iterable[int], layers: Iterable[str]) -> Landscape:
    """The actors of ``ids`` and every tie of ``layers`` between two of them (targeted queries):
    an initiative's members, an event's guests."""
    ids = set(ids)
    edges: list[EdgeRecord] = []
    for layer in LAYERS:
        if layer in set(layers):
            edges.extend(EDGE_LOADERS[layer](session, among=ids))
    stages = _stages(session)
    return Landscape(node_records(session, ids=ids), edges, tuple(code for code, _ in stages),
                     str(data_version(session)), stage_labels={code: name for code, name in stages})


def _dates(args: Mapping[str, Any], key: str, label: str) -> date | None:
    raw = (args.get(key) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ServiceError(f"{label}: „{raw}“ ist kein Datum (JJJJ-MM-TT).", key) from None


def _list(args: Any, key: str) -> frozenset[str]:
    values = args.getlist(key) if hasattr(args, "getlist") else args.get(key, [])
    if isinstance(values, str):
        values = [values]
    return frozenset(v.strip() for value in values for v in value.split(",") if v.strip())


def cut_from_args(args: Any):
    """Parse the analysis cut from query arguments; bad values raise ServiceError in German."""
    from graph.cut import Cut

    layers = _list(args, "layers") or frozenset({"cooperation"})
    unknown = layers - set(LAYERS)
    if unknown:
        raise ServiceError(f"Unbekannte Ebene: {', '.join(sorted(unknown))}. Möglich: {', '.join(LAYERS)}.",
                           "layers")
    as_of, since, until = (_dates(args, "as_of", "Stichtag"), _dates(args, "since", "Von"),
                           _dates(args, "until", "Bis"))
    if since and until and until < since:
        raise ServiceError("„Bis“ liegt vor „Von“.", "until")
    sources = _list(args, "sources") or frozenset({"recorded"})
    unknown = sources - set(SOURCES)
    if unknown:
        raise ServiceError(f"Unbekannte Quelle: {', '.join(sorted(unknown))}. Möglich: {', '.join(SOURCES)}.",
                           "sources")
    raw_round = str(args.get("survey_round") or "").strip()
    if raw_round and not (raw_round.isdigit() and len(raw_round) < 10):
        raise ServiceError(f"Befragungsrunde: „{raw_round}“ ist keine Nummer.", "survey_round")
    if not sources <= {"recorded"} and "cooperation" not in layers:
        raise ServiceError("Bestätigte und gemeldete Verbindungen gehören zur Ebene „Kooperationen“. "
                           "Bitte diese Ebene einschalten.", "sources")
    survey_round = int(raw_round) if raw_round and not sources <= {"recorded"} else None
    return Cut(as_of=as_of, since=since, until=until, layers=layers, topics=_list(args, "topics"),
               life_stages=_list(args, "life_stages"), areas=_list(args, "areas"), kinds=_list(args, "kinds"),
               categories=_list(args, "categories"),
               include_inactive=str(args.get("include_inactive", "")).lower() in {"1", "true", "ja", "yes"},
               sources=sources, survey_round=survey_round)


def cut_from_dict(data: Mapping[str, Any]):
    """The cut back from ``Cut.to_dict()`` (stored job parameters)."""
    from graph.cut import Cut

    def day(key: str) -> date | None:
        return date.fromisoformat(data[key]) if data.get(key) else None

    return Cut(as_of=day("as_of"), since=day("since"), until=day("until"),
               layers=frozenset(data.get("layers") or ("cooperation",)), topics=frozenset(data.get("topics") or ()),
               life_stages=frozenset(data.get("life_stages") or ()), areas=frozenset(data.get("areas") or ()),
               kinds=frozenset(data.get("kinds") or ()), categories=frozenset(data.get("categories") or ()),
               include_inactive=bool(data.get("include_inactive")),
               sources=frozenset(data.get("sources") or ("recorded",)),
               survey_round=int(data["survey_round"]) if data.get("survey_round") is not None else None)


def analysis_params(cut: Any, *, resolution: float = 1.0, seed: int = 42) -> dict[str, Any]:
    """What identifies an analysis (the key of its stored result)."""
    return {"cut": cut.to_dict(), "resolution": float(resolution), "seed": int(seed)}


def compute_analysis(session: Session, cut: Any, *, resolution: float = 1.0, seed: int = 42,
                     version: int | None = None) -> dict[str, Any]:
    """The full analysis of the landscape under ``cut``: only the background worker calls this
    (``crm.services.computed.kinds``); pages read the stored result."""
    from graph.analysis import analyse

    version = data_version(session) if version is None else version
    land = landscape_for(session, cut, version)
    result = analyse(land.nodes, land.edges, cut, stage_order=land.stage_order, stage_labels=land.stage_labels,
                     resolution=resolution, seed=seed).to_dict()
    result["data_version"] = str(version)
    return result


def check_survey_round(session: Session, cut: Any) -> None:
    """A survey round chosen in the cut must exist (a German ServiceError otherwise)."""
    if cut.with_survey and cut.survey_round is not None:
        from crm.services.surveys.ties import chosen_round

        chosen_round(session, cut.survey_round)


def stored_analysis(session: Session, cut: Any, *, resolution: float = 1.0, seed: int = 42,
                    decode: bool = True) -> Any:
    """The stored analysis of ``cut`` (``crm.services.computed.store.Lookup``), queued when missing;
    pages and the API read it, the worker computes it. The caller commits. A chosen survey round that
    does not exist is a ServiceError."""
    from crm.services.computed import store

    check_survey_round(session, cut)
    return store.lookup(session, "analysis", analysis_params(cut, resolution=resolution, seed=seed), decode=decode)
