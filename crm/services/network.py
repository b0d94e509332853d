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
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from zoneinfo import ZoneInfo
from typing import Any, Iterable, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from crm.models import (
    Actor, ActorKind, Area, Attendance, AuditEntry, Cooperation, Event, EventStatus, LifeStage, Membership,
)
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


def data_version(session: Session) -> str:
    """Changes whenever the landscape changes: every write leaves an audit entry."""
    last_audit = session.scalar(select(func.max(AuditEntry.id))) or 0
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


def node_records(session: Session, today: date | None = None) -> list[NodeRecord]:
    """Every actor (active or not: dated views need the closed ones too). ``active`` is the
    state on ``today``: ``is_active`` and no closing day already past."""
    today = today or date.today()
    paths = _area_paths(session)
    actors = session.scalars(
        select(Actor).options(selectinload(Actor.kind), selectinload(Actor.life_stages),
                              selectinload(Actor.topics)).order_by(Actor.id))
    records = []
    for actor in actors:
        path = paths.get(actor.area_id, ()) if actor.area_id else ()
        records.append(NodeRecord(
            id=actor.id, label=actor.name, kind=actor.kind.name, category=actor.kind.category,
            area=path[-1] if path else "", area_path=path,
            life_stages=tuple(s.code for s in actor.life_stages), topics=tuple(t.name for t in actor.topics),
            active=actor.is_active and (actor.active_until is None or actor.active_until >= today),
            attrs={"short_name": actor.short_name}, active_from=actor.active_from, active_until=actor.active_until,
        ))
    return records


def cooperation_edges(session: Session) -> list[EdgeRecord]:
    ties = session.scalars(select(Cooperation).options(
        selectinload(Cooperation.type), selectinload(Cooperation.topics),
        selectinload(Cooperation.life_stages)).order_by(Cooperation.id))
    return [EdgeRecord(
        source=c.source_id, target=c.target_id, layer="cooperation", weight=float(c.intensity),
        directed=c.is_directed, type=c.type.name, start=c.start_date, end=c.end_date,
        topics=tuple(t.name for t in c.topics), life_stages=tuple(s.code for s in c.life_stages),
        intensity=c.intensity, ref=f"cooperation:{c.id}") for c in ties]


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
        land = landscape(session, cut.layers)
        result = analyse(land.nodes, land.edges, cut, stage_order=land.stage_order, stage_labels=land.stage_labels,
                         resolution=resolution, seed=seed).to_dict()
        result["data_version"] = version
        cache.put(key, result)
    return result
