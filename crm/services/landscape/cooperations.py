"""Cooperations: creating, changing, ending and (for mistakes) deleting ties between actors.

The rules live here, not in the form, so the quick capture on the actor page, the full form,
the API and the import all refuse the same things with the same German words:

* two different actors;
* the end not before the start;
* intensity 1 to 3;
* at most one cooperation of the same type between the same two actors at a time, whatever
  the direction: two date ranges that overlap count as simultaneous (an open start or end
  reaches infinitely far). A new contract after the old one has ended is fine.

Ending sets ``end_date`` and keeps the row (the landscape's history and the "what changed"
analysis need it); deleting is for records entered by mistake.

When a tie runs is decided in one place, ``cooperation_status`` (and its SQL twin
``status_condition``): the actor page, the list, its filter, the counts and the export all ask
it. A tie whose end date is today ends at the end of today, so it is still running today
(the same rule as ``Cooperation.is_current``); one starting later is planned.

Creating a tie reads ("is there already one of this type for this pair?") and then writes.
``create_cooperation`` takes the write lock first (``lock_pair``), so a double-clicked quick
capture cannot slip two identical ties past the check.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from crm.models import Actor, Cooperation, CooperationType, LifeStage, Topic
from crm.services.errors import N_, ServiceError, translated
from crm.services.landscape.actors import check_version, flush_versioned
from crm.services.landscape.directory import Page, fold_sql, fold_text, like_pattern, paginate, parse_id, parse_page
from crm.services.write_lock import begin_write

# One default for every door (form, API, Kumu, GEXF, GraphML): "regelmäßige Zusammenarbeit".
DEFAULT_INTENSITY = 2

EDITABLE_FIELDS = ("source", "target", "type", "intensity", "start_date", "end_date", "description",
                   "topics", "life_stages", "initiative")

INTENSITY_LABELS = {1: N_("loser Austausch"), 2: N_("regelmäßige Zusammenarbeit"),
                    3: N_("enge, vertraglich geregelte Zusammenarbeit")}


def overlapping(start: date | None, end: date | None) -> Any:
    """SQL condition: the cooperation's period overlaps [start, end] (None = open)."""
    conditions = []
    if end is not None:
        conditions.append(or_(Cooperation.start_date.is_(None), Cooperation.start_date <= end))
    if start is not None:
        conditions.append(or_(Cooperation.end_date.is_(None), Cooperation.end_date >= start))
    return and_(*conditions) if conditions else and_(Cooperation.id.is_not(None))


def between(a_id: int, b_id: int) -> Any:
    """SQL condition: the cooperation joins these two actors, in either direction."""
    return or_(and_(Cooperation.source_id == a_id, Cooperation.target_id == b_id),
               and_(Cooperation.source_id == b_id, Cooperation.target_id == a_id))


def conflicting(session: Session, a_id: int, b_id: int, type_id: int, start: date | None, end: date | None,
                exclude_id: int | None = None) -> list[Cooperation]:
    """Cooperations of this type between this pair whose period overlaps [start, end]."""
    query = select(Cooperation).where(between(a_id, b_id), Cooperation.type_id == type_id, overlapping(start, end))
    if exclude_id is not None:
        query = query.where(Cooperation.id != exclude_id)
    return list(session.scalars(query.order_by(Cooperation.start_date, Cooperation.id)))


def _fmt(day: date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else translated(N_("offen"))


def check_rules(session: Session, values: Mapping[str, Any], exclude_id: int | None = None) -> None:
    """Raise ServiceError (with the form field it concerns) for the first broken rule."""
    source, target, ctype = values.get("source"), values.get("target"), values.get("type")
    if source is None:
        raise ServiceError(N_("Bitte wählen Sie den ersten Akteur."), "source")
    if target is None:
        raise ServiceError(N_("Bitte wählen Sie den Partner."), "target")
    if ctype is None:
        raise ServiceError(N_("Bitte wählen Sie die Art der Kooperation."), "type")
    if source.id == target.id:
        raise ServiceError(N_("Eine Kooperation verbindet zwei verschiedene Akteure."), "target")
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and end < start:
        raise ServiceError(N_("Das Ende darf nicht vor dem Beginn liegen."), "end_date")
    intensity = values.get("intensity")
    if intensity is not None and not 1 <= int(intensity) <= 3:
        raise ServiceError(N_("Die Intensität liegt zwischen 1 und 3."), "intensity")
    clash = conflicting(session, source.id, target.id, ctype.id, start, end, exclude_id)
    if clash:
        other = clash[0]
        raise ServiceError(
            N_("Zwischen „%(source)s“ und „%(target)s“ besteht in diesem Zeitraum bereits eine "
               "Kooperation der Art „%(type)s“ (%(start)s bis %(end)s). "
               "Beenden Sie die bestehende Kooperation oder ändern Sie sie, statt eine zweite anzulegen."),
            "type", {"source": source.name, "target": target.name, "type": ctype.name,
                     "start": _fmt(other.start_date), "end": _fmt(other.end_date)})


def _apply(cooperation: Cooperation, values: Mapping[str, Any]) -> None:
    for key in EDITABLE_FIELDS:
        if key in values:
            setattr(cooperation, key, values[key])
    if "type" in values and values["type"] is not None:
        cooperation.is_directed = values["type"].is_directed
    if cooperation.intensity is None:
        cooperation.intensity = DEFAULT_INTENSITY
    if cooperation.description is None:
        cooperation.description = ""


def lock_pair(session: Session, *actor_ids: int | None) -> None:
    """Serialise writers that check "one tie of a type per pair" for these actors.

    SQLite: ``BEGIN IMMEDIATE`` (``write_lock.begin_write``) makes a second writer wait until we
    commit, so the check below sees its tie. PostgreSQL: ``SELECT … FOR UPDATE`` on the two
    actor rows (in id order, so two requests for the same pair cannot deadlock). Call it before
    anything else is written in this transaction.
    """
    ids = sorted({i for i in actor_ids if i is not None})
    if not ids:
        return
    if session.connection().dialect.name == "sqlite":
        begin_write(session)
        return
    session.execute(select(Actor.id).where(Actor.id.in_(ids)).order_by(Actor.id).with_for_update())


def _actor_id(actor: Any) -> int | None:
    return getattr(actor, "id", None)


def create_cooperation(session: Session, values: Mapping[str, Any]) -> Cooperation:
    """A new tie. ``values``: source, target (Actor), type (CooperationType), intensity (1–3,
    default 2), start_date, end_date, description, topics, life_stages, initiative.

    Raises ServiceError if a rule (module docstring) is broken. Flushes; the caller commits.
    The pair is locked first (``lock_pair``), so the rule holds for simultaneous requests too.
    """
    lock_pair(session, _actor_id(values.get("source")), _actor_id(values.get("target")))
    check_rules(session, values)
    cooperation = Cooperation()
    _apply(cooperation, values)
    session.add(cooperation)
    session.flush()
    return cooperation


def update_cooperation(session: Session, cooperation: Cooperation, values: Mapping[str, Any],
                       expected_version: int | None) -> Cooperation:
    """Change a tie; ConcurrentEditError if someone saved it since ``expected_version``."""
    merged = {key: getattr(cooperation, key) for key in EDITABLE_FIELDS}
    merged.update(values)
    lock_pair(session, _actor_id(merged.get("source")), _actor_id(merged.get("target")))
    name = label(cooperation)
    check_version(session, cooperation, expected_version, name)
    check_rules(session, merged, exclude_id=cooperation.id)
    _apply(cooperation, values)
    flush_versioned(session, cooperation, name)
    return cooperation


def end_cooperation(session: Session, cooperation: Cooperation, end_date: date | None = None,
                    expected_version: int | None = None) -> Cooperation:
    """End a tie on ``end_date`` (default today); the row stays as history."""
    end_date = end_date or date.today()
    name = label(cooperation)
    check_version(session, cooperation, expected_version, name)
    if cooperation.start_date and end_date < cooperation.start_date:
        raise ServiceError(N_("Das Ende darf nicht vor dem Beginn (%(start)s) liegen."),
                           "end_date", {"start": _fmt(cooperation.start_date)})
    cooperation.end_date = end_date
    flush_versioned(session, cooperation, name)
    return cooperation


def delete_cooperation(session: Session, cooperation: Cooperation) -> None:
    """Remove a tie entered by mistake (the audit listener keeps its last values)."""
    session.delete(cooperation)
    session.flush()




def label(cooperation: Cooperation) -> str:
    """„Kooperationsvertrag: Grundschule Olewig – Kita St. Anna“."""
    kind = cooperation.type.name if cooperation.type is not None else translated(N_("Kooperation"))
    source = cooperation.source.name if cooperation.source is not None else "?"
    target = cooperation.target.name if cooperation.target is not None else "?"
    return f"{kind}: {source} – {target}"


class TieStatus(enum.StrEnum):
    """Where a tie stands on a day; the values are the list filter's ``status`` parameter."""

    PLANNED = "geplant"     # starts after the day
    RUNNING = "laufend"     # started (or no start) and not ended: an end date of today still runs
    ENDED = "beendet"       # the end date lies before the day


def cooperation_status(cooperation: Cooperation, today: date | None = None) -> TieStatus:
    """The one answer to "is this tie running?" for pages, filters, counts and exports."""
    today = today or date.today()
    if cooperation.end_date is not None and cooperation.end_date < today:
        return TieStatus.ENDED
    if cooperation.start_date is not None and cooperation.start_date > today:
        return TieStatus.PLANNED
    return TieStatus.RUNNING


def status_condition(status: TieStatus | str, today: date | None = None) -> Any:
    """SQL twin of ``cooperation_status``: the cooperations that have ``status`` on ``today``."""
    today = today or date.today()
    status = TieStatus(status)
    if status == TieStatus.ENDED:
        return Cooperation.end_date < today
    if status == TieStatus.PLANNED:
        return and_(Cooperation.start_date > today, or_(Cooperation.end_date.is_(None), Cooperation.end_date >= today))
    return and_(or_(Cooperation.start_date.is_(None), Cooperation.start_date <= today),
                or_(Cooperation.end_date.is_(None), Cooperation.end_date >= today))


def may_end(cooperation: Cooperation, today: date | None = None) -> bool:
    """Whether "Beenden" makes sense: not ended and not already ending today or earlier."""
    today = today or date.today()
    return cooperation_status(cooperation, today) != TieStatus.ENDED and (
        cooperation.end_date is None or cooperation.end_date > today)


def is_current(cooperation: Cooperation, today: date | None = None) -> bool:
    return cooperation_status(cooperation, today) == TieStatus.RUNNING


@dataclass
class StatusCounts:
    running: int
    ended: int
    planned: int


def status_counts(cooperations: Iterable[Cooperation], today: date | None = None) -> StatusCounts:
    statuses = [cooperation_status(c, today) for c in cooperations]
    return StatusCounts(statuses.count(TieStatus.RUNNING), statuses.count(TieStatus.ENDED),
                        statuses.count(TieStatus.PLANNED))


# --------------------------------------------------------------------------- reading

def for_actor(session: Session, actor_id: int) -> list[Cooperation]:
    """All ties of one actor (current and ended), newest start first, with partners loaded."""
    query = (select(Cooperation).where(or_(Cooperation.source_id == actor_id, Cooperation.target_id == actor_id))
             .options(selectinload(Cooperation.source).selectinload(Actor.kind),
                      selectinload(Cooperation.target).selectinload(Actor.kind),
                      selectinload(Cooperation.type), selectinload(Cooperation.topics))
             .order_by(Cooperation.start_date.is_(None), Cooperation.start_date.desc(), Cooperation.id.desc()))
    return list(session.scalars(query))


TIES_PER_PAGE = 50


@dataclass
class ActorTies:
    """One page of an actor's ties and the counts of all of them (a hub of a Land has thousands)."""

    page: Page
    running: int
    ended: int
    actor_id: int = 0

    def to_args(self, **overrides: Any) -> dict[str, Any]:
        """URL parameters of the actor page showing page ``seite`` (for the pagination macro)."""
        seite = overrides.get("seite")
        return {"actor_id": self.actor_id, **({"seite": seite} if seite else {})}


def ties_of_actor(session: Session, actor_id: int, page: int = 1, per_page: int = TIES_PER_PAGE,
                  today: date | None = None) -> ActorTies:
    """A page of ``for_actor`` (same order, partners loaded) with the running and ended counts of all
    ties, in a constant number of statements: one for the counts, one for the page, its loads."""
    today = today or date.today()
    mine = or_(Cooperation.source_id == actor_id, Cooperation.target_id == actor_id)
    total, running, ended = session.execute(select(
        func.count(), func.coalesce(func.sum(case((status_condition(TieStatus.RUNNING, today), 1), else_=0)), 0),
        func.coalesce(func.sum(case((status_condition(TieStatus.ENDED, today), 1), else_=0)), 0)).where(mine)).one()
    pages = max(1, (total + per_page - 1) // per_page)
    page = min(max(1, page), pages)
    query = (select(Cooperation).where(mine)
             .options(selectinload(Cooperation.source).selectinload(Actor.kind),
                      selectinload(Cooperation.target).selectinload(Actor.kind),
                      selectinload(Cooperation.type), selectinload(Cooperation.topics))
             .order_by(Cooperation.start_date.is_(None), Cooperation.start_date.desc(), Cooperation.id.desc())
             .limit(per_page).offset((page - 1) * per_page))
    items = session.scalars(query).all()
    return ActorTies(Page(items=items, total=total, page=page, per_page=per_page), int(running), int(ended),
                     actor_id=actor_id)


@dataclass
class YearGroup:
    year: int | None            # None: no start date
    cooperations: list[Cooperation]


def timeline(cooperations: Iterable[Cooperation]) -> list[YearGroup]:
    """Ties grouped by the year they started, newest year first; undated ones last."""
    groups: dict[int | None, list[Cooperation]] = {}
    for cooperation in cooperations:
        year = cooperation.start_date.year if cooperation.start_date else None
        groups.setdefault(year, []).append(cooperation)
    years = sorted((y for y in groups if y is not None), reverse=True) + ([None] if None in groups else [])
    return [YearGroup(year, groups[year]) for year in years]


@dataclass
class CooperationFilter:
    """Filters of the cooperation list; the parameter names are those of the export
    (``akteur``, ``art``, ``status``, ``q``) plus ``thema`` and ``seite``."""

    q: str = ""
    actor_id: int | None = None
    type_id: int | None = None
    topic_id: int | None = None
    status: str = ""            # "", "laufend", "beendet"
    page: int = 1
    hints: list[str] | None = None
    # Filters the API offers besides the page's (``initiative_id``, ``life_stage_id``, ``current_on``).
    initiative_id: int | None = None
    life_stage_id: int | None = None
    running_on: date | None = None   # ties running on this day (``status_condition``)

    def to_args(self, **overrides: Any) -> dict[str, Any]:
        args: dict[str, Any] = {"q": self.q or None, "akteur": self.actor_id, "art": self.type_id,
                                "thema": self.topic_id, "status": self.status or None,
                                "seite": None if self.page == 1 else self.page}
        args.update(overrides)
        return {k: v for k, v in args.items() if v not in (None, "")}


def _int(args: Mapping[str, Any], key: str, model: Any, label_text: str, session: Session,
         hints: list[str]) -> int | None:
    raw = str(args.get(key) or "").strip()
    if not raw:
        return None
    value = parse_id(raw)
    if value is None:
        hints.append(translated(N_("„%(value)s“ ist keine gültige Auswahl für %(filter)s; dieser Filter wurde "
                                   "ignoriert."), {"value": raw[:40], "filter": translated(label_text)}))
        return None
    if session.get(model, value) is None:
        hints.append(translated(N_("%(filter)s Nr. %(id)s gibt es nicht (mehr); dieser Filter wurde ignoriert."),
                                {"filter": translated(label_text), "id": value}))
        return None
    return value


def cooperation_filter_from_args(session: Session, args: Mapping[str, Any]) -> CooperationFilter:
    """Read the list's URL parameters; unknown ids are dropped with a German hint, never an error."""
    hints: list[str] = []
    result = CooperationFilter(hints=hints)
    result.q = " ".join(str(args.get("q") or "").split())[:200]
    result.actor_id = _int(args, "akteur", Actor, N_("Akteur"), session, hints)
    result.type_id = _int(args, "art", CooperationType, N_("Kooperationsart"), session, hints)
    result.topic_id = _int(args, "thema", Topic, N_("Themenfeld"), session, hints)
    status = str(args.get("status") or "").strip()
    if status in {s.value for s in TieStatus}:
        result.status = status
    elif status and status != "alle":
        hints.append(translated(N_("Unbekannter Status „%(value)s“ (laufend, beendet oder geplant); ignoriert."),
                                {"value": status[:40]}))
    result.page = parse_page(args.get("seite"))
    return result


def filtered_cooperations_query(f: CooperationFilter, today: date | None = None) -> Select:
    """``select(Cooperation)`` for the list: newest start first."""
    today = today or date.today()
    query = select(Cooperation)
    if f.actor_id is not None:
        query = query.where(or_(Cooperation.source_id == f.actor_id, Cooperation.target_id == f.actor_id))
    if f.type_id is not None:
        query = query.where(Cooperation.type_id == f.type_id)
    if f.topic_id is not None:
        query = query.where(Cooperation.topics.any(Topic.id == f.topic_id))
    if f.initiative_id is not None:
        query = query.where(Cooperation.initiative_id == f.initiative_id)
    if f.life_stage_id is not None:
        query = query.where(Cooperation.life_stages.any(LifeStage.id == f.life_stage_id))
    if f.status:
        query = query.where(status_condition(f.status, today))
    if f.running_on is not None:
        query = query.where(status_condition(TieStatus.RUNNING, f.running_on))
    for word in f.q.split():
        matching = select(Actor.id).where(fold_sql(Actor.name).like(like_pattern(fold_text(word)), escape="\\"))
        query = query.where(or_(Cooperation.source_id.in_(matching), Cooperation.target_id.in_(matching),
                                fold_sql(Cooperation.description).like(like_pattern(fold_text(word)), escape="\\")))
    return query.order_by(Cooperation.start_date.is_(None), Cooperation.start_date.desc(), Cooperation.id.desc())


def cooperation_page(session: Session, f: CooperationFilter) -> Page:
    query = filtered_cooperations_query(f).options(
        selectinload(Cooperation.source), selectinload(Cooperation.target), selectinload(Cooperation.type),
        selectinload(Cooperation.topics))
    page = paginate(session, query, f.page)
    f.page = page.page
    return page


def count_current(session: Session, today: date | None = None) -> int:
    """Running ties on ``today`` (``status_condition``: an end date of today still runs)."""
    return session.scalar(select(func.count()).select_from(Cooperation).where(
        status_condition(TieStatus.RUNNING, today))) or 0


@dataclass
class ListChoices:
    """The pick lists of the cooperation list's filter form, and the actor it is cut to."""

    types: list[CooperationType]
    topics: list[Topic]
    actor: Actor | None


def list_choices(session: Session, f: CooperationFilter) -> ListChoices:
    return ListChoices(
        types=list(session.scalars(select(CooperationType).order_by(CooperationType.sort_order,
                                                                    CooperationType.name))),
        topics=list(session.scalars(select(Topic).where(Topic.is_active.is_(True)).order_by(Topic.sort_order))),
        actor=session.get(Actor, f.actor_id) if f.actor_id else None)
