"""From database rows to the plain node and edge records that ``graph`` analyses.

``graph`` knows nothing of the database; this module is the only bridge. Layers:

* ``cooperation``: one edge per cooperation, dated by its start and end, weight = intensity.
* ``initiative``: one edge per pair of actors that were members of the same initiative at
  the same time; dated by the overlap of both memberships; weight 1 per shared initiative.
* ``event``: one edge per pair of actors whose people attended the same event; dated from
  the event day in Europe/Berlin on (no end: having met is not undone); weight 1 per shared
  event.

Actors carry their active period (``Actor.active_from``/``active_until``), so a view of the
past keeps actors that have closed since and leaves out those that did not exist yet (the
rules are in ``graph.cut``); ``active`` is their state today.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from crm.models import (
    Actor,
    ActorKind,
    Area,
    Attendance,
    AuditEntry,
    Cooperation,
    CooperationType,
    Event,
    EventStatus,
    LifeStage,
    Membership,
    Topic,
)
from crm.models.actors import actor_life_stages, actor_topics
from crm.models.cooperations import cooperation_life_stages, cooperation_topics
from crm.services.errors import ServiceError
from graph.records import EdgeRecord, NodeRecord

LAYERS = ("cooperation", "initiative", "event")
LAYER_LABELS = {"cooperation": "Kooperationen", "initiative": "Gemeinsame Initiativen",
                "event": "Gemeinsame Veranstaltungen"}
BERLIN = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True)
class Landscape:
    nodes: list[NodeRecord]
    edges: list[EdgeRecord]
    stage_order: tuple[str, ...]
    version: str
    stage_labels: Mapping[str, str] = field(default_factory=dict)   # life-stage code -> name


# The records the landscape is built from (and the contacts suggestions invite). Audit entries
# of anything else (failed logins, exports, sent mails, tokens, answers) must not invalidate the
# cached analyses: a stranger typing wrong passwords would otherwise force a recomputation of
# the whole network on every next view.
LANDSCAPE_ENTITIES = ("Actor", "Cooperation", "Initiative", "Membership", "Event", "Attendance", "Person",
                      "Affiliation", "ActorKind", "Area", "CooperationType", "EventKind", "LifeStage", "Topic")


def data_version(session: Session) -> str:
    """Changes whenever the landscape changes: every write of its records leaves an audit entry
    (ORM writes through the listener, bulk moves such as a merge explicitly); the counts catch
    rows removed without one."""
    last_audit = session.scalar(select(func.max(AuditEntry.id))
                                .where(AuditEntry.entity_type.in_(LANDSCAPE_ENTITIES))) or 0
    actors = session.scalar(select(func.count()).select_from(Actor)) or 0
    ties = session.scalar(select(func.count()).select_from(Cooperation)) or 0
    return f"{last_audit}:{actors}:{ties}"


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


def _names_by_owner(session: Session, table: Any, owner: str, vocabulary: Any, column: str) -> dict[int, tuple[str, ...]]:
    """``{owner id: (code or name, …)}`` from an association table, in the vocabulary's order."""
    rows = session.execute(
        select(table.c[owner], getattr(vocabulary, column))
        .join(vocabulary, vocabulary.id == next(c for c in table.c if c.name != owner))
        .order_by(table.c[owner], vocabulary.sort_order, vocabulary.id))
    grouped: dict[int, list[str]] = defaultdict(list)
    for owner_id, value in rows:
        grouped[owner_id].append(value)
    return {owner_id: tuple(values) for owner_id, values in grouped.items()}


def node_records(session: Session, today: date | None = None) -> list[NodeRecord]:
    """Every actor (active or not: dated views need the closed ones too). ``active`` is the
    state on ``today``: ``is_active`` and no closing day already past.

    Plain column selects, not ORM objects: 20,000 actors with their kinds, stages and topics
    load in a fraction of the time identity-mapped instances with ``selectinload`` take.
    """
    today = today or date.today()
    paths = _area_paths(session)
    stages = _names_by_owner(session, actor_life_stages, "actor_id", LifeStage, "code")
    topics = _names_by_owner(session, actor_topics, "actor_id", Topic, "name")
    rows = session.execute(
        select(Actor.id, Actor.name, Actor.short_name, Actor.area_id, Actor.is_active, Actor.active_from,
               Actor.active_until, ActorKind.name, ActorKind.category)
        .join(ActorKind, ActorKind.id == Actor.kind_id).order_by(Actor.id))
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


def cooperation_edges(session: Session) -> list[EdgeRecord]:
    topics = _names_by_owner(session, cooperation_topics, "cooperation_id", Topic, "name")
    stages = _names_by_owner(session, cooperation_life_stages, "cooperation_id", LifeStage, "code")
    rows = session.execute(
        select(Cooperation.id, Cooperation.source_id, Cooperation.target_id, Cooperation.intensity,
               Cooperation.is_directed, CooperationType.name, Cooperation.start_date, Cooperation.end_date)
        .join(CooperationType, CooperationType.id == Cooperation.type_id).order_by(Cooperation.id))
    return [EdgeRecord(
        source=source, target=target, layer="cooperation", weight=float(intensity),
        directed=directed, type=type_name, start=start, end=end,
        topics=topics.get(tie_id, ()), life_stages=stages.get(tie_id, ()),
        intensity=intensity, ref=f"cooperation:{tie_id}")
        for tie_id, source, target, intensity, directed, type_name, start, end in rows]


def _overlap(a_start: date | None, a_end: date | None, b_start: date | None, b_end: date | None):
    start = max((d for d in (a_start, b_start) if d is not None), default=None)
    end = min((d for d in (a_end, b_end) if d is not None), default=None)
    if start is not None and end is not None and end < start:
        return None
    return start, end


def initiative_edges(session: Session) -> list[EdgeRecord]:
    memberships = session.scalars(select(Membership).options(selectinload(Membership.initiative))
                                  .order_by(Membership.initiative_id, Membership.actor_id, Membership.id))
    by_initiative: dict[int, list[Membership]] = defaultdict(list)
    for m in memberships:
        by_initiative[m.initiative_id].append(m)
    edges = []
    for initiative_id, members in by_initiative.items():
        for a, b in combinations(members, 2):
            if a.actor_id == b.actor_id:
                continue
            window = _overlap(a.joined_on, a.left_on, b.joined_on, b.left_on)
            if window is None:
                continue
            initiative = a.initiative
            edges.append(EdgeRecord(
                source=min(a.actor_id, b.actor_id), target=max(a.actor_id, b.actor_id), layer="initiative",
                weight=1.0, type=initiative.name, start=window[0], end=window[1],
                topics=tuple(t.name for t in initiative.topics), ref=f"initiative:{initiative_id}"))
    return edges


def event_edges(session: Session) -> list[EdgeRecord]:
    rows = session.execute(
        select(Attendance.event_id, Attendance.actor_id, Event.starts_at, Event.title)
        .join(Event, Event.id == Attendance.event_id)
        .where(Attendance.actor_id.is_not(None), Event.status != EventStatus.CANCELLED)
        .order_by(Attendance.event_id, Attendance.actor_id)).all()
    actors_at: dict[int, set[int]] = defaultdict(set)
    info: dict[int, tuple[date, str]] = {}
    for event_id, actor_id, starts_at, title in rows:
        actors_at[event_id].add(actor_id)
        info[event_id] = (starts_at.astimezone(BERLIN).date(), title)  # an evening event is on its local day
    edges = []
    for event_id, actor_ids in actors_at.items():
        day, title = info[event_id]
        for a, b in combinations(sorted(actor_ids), 2):
            edges.append(EdgeRecord(source=a, target=b, layer="event", weight=1.0, type=title, start=day,
                                    end=None, ref=f"event:{event_id}"))
    return edges


EDGE_LOADERS = {"cooperation": cooperation_edges, "initiative": initiative_edges, "event": event_edges}


def landscape(session: Session, layers: Iterable[str] = LAYERS) -> Landscape:
    """All actors and the edges of the chosen layers, with the life-stage order for transitions."""
    edges: list[EdgeRecord] = []
    for layer in layers:
        edges.extend(EDGE_LOADERS[layer](session))
    stages = session.execute(select(LifeStage.code, LifeStage.name).order_by(LifeStage.sort_order, LifeStage.id)).all()
    return Landscape(node_records(session), edges, tuple(code for code, _ in stages), data_version(session),
                     stage_labels={code: name for code, name in stages})


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
    return Cut(as_of=as_of, since=since, until=until, layers=layers, topics=_list(args, "topics"),
               life_stages=_list(args, "life_stages"), areas=_list(args, "areas"), kinds=_list(args, "kinds"),
               categories=_list(args, "categories"),
               include_inactive=str(args.get("include_inactive", "")).lower() in {"1", "true", "ja", "yes"})


_CACHE: dict[str, Any] = {}


def analysis(session: Session, cut: Any, *, resolution: float = 1.0, seed: int = 42) -> dict[str, Any]:
    """The full analysis of the landscape under ``cut``, cached until the data change.

    The cache key holds the data version, so a write anywhere (which always leaves an
    audit entry) makes the next request recompute; nothing is ever served stale.
    """
    from graph.analysis import analyse
    from graph.cache import AnalysisCache

    cache = _CACHE.setdefault("analysis", AnalysisCache(maxsize=32))
    version = data_version(session)
    key = (version, date.today(), cut, resolution, seed)   # today: who is active changes at midnight
    result = cache.get(key)
    if result is None:
        from crm.services.network import (
            cache as view_cache,  # the maps' cache of loaded landscapes (imports this module)
        )

        land = view_cache.landscape(session, cut.layers, version)
        result = analyse(land.nodes, land.edges, cut, stage_order=land.stage_order, stage_labels=land.stage_labels,
                         resolution=resolution, seed=seed).to_dict()
        result["data_version"] = version
        cache.put(key, result)
    return result
