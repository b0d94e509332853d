"""Answering a survey through the personal link: the roster, saving a draft, sending the answer.

An answer is kept as the recipient's reported ties (``ReportedTie``, one per named partner) and the
other answers (working groups, free text) on the recipient. Saving a draft and sending use the same
rules; sending also requires the frequency for each partner when the round asks for it. The answer
can be changed (and sent again) until the round is closed: each save replaces the recipient's ties.

A partner is taken from the roster (active organisations; individual actors are not offered to
people outside the office) when its name (or the suggestion „Name · Gebiet“) matches one
active actor, case and accents aside; otherwise the person ticks „nicht in der Liste“ and the
name is kept as free text.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crm.collation import german, sort_key
from crm.models import (
    Actor,
    ActorKind,
    Area,
    Initiative,
    LifeStage,
    ReportedTie,
    SurveyQuestion,
    SurveyRecipient,
    Topic,
)
from crm.models.base import utcnow
from crm.services.computed import cache, versions
from crm.services.errors import N_, ServiceError, translated
from crm.services.folding import fold

SEPARATOR = " · "
MAX_NAME = 255
MAX_FREE_TEXT = 5000
MAX_ROWS = 60
FREQUENCY_LABELS = {1: N_("gelegentlich (loser Austausch)"), 2: N_("regelmäßig (mehrmals im Jahr)"),
                    3: N_("eng (laufend, oft vertraglich geregelt)")}


@dataclass
class PartnerInput:
    name: str = ""
    actor_id: str = ""  # the id the autocomplete chose (typing clears it)
    outside: bool = False
    intensity: str = ""
    topic_ids: list[str] = field(default_factory=list)
    stage_ids: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.name.strip() or self.intensity or self.topic_ids or self.stage_ids)


@dataclass
class AnswerInput:
    partners: list[PartnerInput] = field(default_factory=list)
    group_ids: list[str] = field(default_factory=list)
    free_text: str = ""


class AnswerErrors(ServiceError):
    """Every refused value of one answer, by form field (``partner-3``, ``intensity-3``, ``free_text``)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(N_("Bitte prüfen Sie die markierten Angaben."))
        self.errors = errors


# --- the roster -----------------------------------------------------------------------------------

def _label(name: str, area: str | None) -> str:
    return f"{name}{SEPARATOR}{area}" if area else name


@dataclass
class Roster:
    by_label: dict[str, list[int]]
    by_name: dict[str, list[int]]
    labels: dict[int, str]

    def resolve(self, text: str) -> list[int]:
        key = fold(" ".join(text.split()))
        return self.by_label.get(key) or self.by_name.get(key) or []


@dataclass(frozen=True)
class _Entry:
    id: int
    name: str
    folded: str
    area: str
    kind: str


def _load_entries(session: Session) -> list[_Entry]:
    rows = session.execute(select(Actor.id, Actor.name, Area.name, ActorKind.name)
                           .outerjoin(Area, Area.id == Actor.area_id).join(ActorKind, ActorKind.id == Actor.kind_id)
                           .where(Actor.is_active.is_(True), ActorKind.is_individual.is_(False)))
    entries = [_Entry(actor_id, name, fold(name), area or "", kind) for actor_id, name, area, kind in rows]
    entries.sort(key=lambda e: (sort_key(e.name), e.id))
    return entries


def _entries(session: Session) -> list[_Entry]:
    """Every active organisation, folded and in German order. Individual actors (natural persons,
    ``ActorKind.is_individual``) are left out: the answer page is seen outside the office, where no
    individual is named (``crm.services.landscape.naming``). Built once per landscape version in this
    process (the answer page of a round to 5,000 actors would otherwise fold 5,000 names per request)."""
    version = versions.current(session)
    return cast(list[_Entry], cache.cached(("survey-roster", version), lambda: _load_entries(session),
                                           cost=lambda entries: float(len(entries) * 300)))


def roster(session: Session) -> Roster:
    """Every active actor with its label „Name · Gebiet“ (kept like ``_entries``)."""
    version = versions.current(session)
    return cast(Roster, cache.cached(("survey-roster-index", version), lambda: _build_roster(session),
                                     cost=lambda built: float(len(built.labels) * 500)))


def _build_roster(session: Session) -> Roster:
    by_label: dict[str, list[int]] = defaultdict(list)
    by_name: dict[str, list[int]] = defaultdict(list)
    labels: dict[int, str] = {}
    for entry in _entries(session):
        label = _label(entry.name, entry.area)
        labels[entry.id] = label
        by_label[fold(label)].append(entry.id)
        by_name[entry.folded].append(entry.id)
    return Roster(dict(by_label), dict(by_name), labels)


def suggestions(session: Session, q: str, exclude_id: int | None = None, limit: int = 15) -> list[dict[str, object]]:
    """Actors of the roster whose name contains every word typed, for the autocomplete on the answer
    page (``crm/static/js/autocomplete.js``): ``[{id, name, kind, area}]``. Names are folded in Python
    (SQLite's lower() folds ASCII only)."""
    words = fold(q).split()
    if not words or len(q) > 200:
        return []
    result: list[dict[str, object]] = []
    for entry in _entries(session):
        if entry.id != exclude_id and all(word in entry.folded for word in words):
            result.append({"id": entry.id, "name": entry.name, "kind": entry.kind, "area": entry.area})
            if len(result) >= limit:
                break
    return result


def choices(session: Session) -> dict[str, list[tuple[int, str]]]:
    """Topics, life stages and current initiatives to choose from on the answer page."""
    today = date.today()
    initiatives = session.scalars(select(Initiative).where(
        or_(Initiative.end_date.is_(None), Initiative.end_date >= today)).order_by(german(Initiative.name)))
    return {
        "topics": [(t.id, t.name) for t in session.scalars(select(Topic).order_by(Topic.sort_order, Topic.id))],
        "life_stages": [(s.id, s.name) for s in session.scalars(select(LifeStage).order_by(LifeStage.sort_order))],
        "groups": [(i.id, i.name) for i in initiatives],
    }


# --- the answer as the form shows it --------------------------------------------------------------

def current_input(recipient: SurveyRecipient) -> AnswerInput:
    """The stored answer, as the form is filled with it (to resume)."""
    partners = [PartnerInput(name=t.partner.name if t.partner is not None else t.partner_name,
                             actor_id=str(t.partner_id or ""),
                             outside=t.partner_id is None, intensity=str(t.intensity or ""),
                             topic_ids=[str(x.id) for x in t.topics], stage_ids=[str(x.id) for x in t.life_stages])
                for t in recipient.ties]
    answers = recipient.answers or {}
    return AnswerInput(partners=partners, group_ids=[str(i) for i in answers.get("groups", [])],
                       free_text=str(answers.get("free_text", "")))


# --- saving ---------------------------------------------------------------------------------------

def _ids(values: list[str], allowed: set[int]) -> list[int] | None:
    result = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            return None
        if number not in allowed:
            return None
        result.append(number)
    return sorted(set(result))


def save_answer(session: Session, recipient: SurveyRecipient, data: AnswerInput, *, submit: bool) -> int:
    """Check and store the answer (draft or sent off). Returns how many partners were stored.

    Raises ``AnswerErrors`` with a German message per refused field; nothing is stored then.
    """
    survey = recipient.round
    errors: dict[str, str] = {}
    the_roster = roster(session)
    options = choices(session)
    topic_ids, stage_ids = {i for i, _ in options["topics"]}, {i for i, _ in options["life_stages"]}
    group_ids = {i for i, _ in options["groups"]}
    asks_partners = survey.asks(SurveyQuestion.PARTNERS)
    asks_frequency = survey.asks(SurveyQuestion.FREQUENCY)
    asks_topics = survey.asks(SurveyQuestion.TOPICS)
    rows = [p for p in data.partners][:MAX_ROWS] if asks_partners else []
    planned: list[tuple[int, int | None, str, int | None, list[int], list[int]]] = []
    seen: dict[str, int] = {}
    for position, row in enumerate(rows):
        if row.is_empty:
            continue
        key = f"partner-{position}"
        name = " ".join(row.name.split())
        if not name:
            errors[key] = translated(N_("Bitte nennen Sie den Partner."))
            continue
        if len(name) > MAX_NAME:
            errors[key] = translated(N_("Höchstens 255 Zeichen."))
            continue
        matches = the_roster.resolve(name)
        if row.actor_id.isdigit() and int(row.actor_id) in the_roster.labels and not row.outside:
            matches = [int(row.actor_id)]
        partner_id: int | None = None
        if len(matches) == 1:
            partner_id = matches[0]
        elif len(matches) > 1 and not row.outside:
            errors[key] = translated(N_("Mehrere Akteure heißen „%(name)s“. Bitte wählen Sie einen Vorschlag mit "
                                        "Gebiet aus der Liste."), {"name": name})
            continue
        elif not row.outside:
            errors[key] = translated(N_("„%(name)s“ steht nicht im Verzeichnis. Bitte wählen Sie einen Vorschlag "
                                        "aus der Liste oder kreuzen Sie „Nicht in der Liste“ an."), {"name": name})
            continue
        if partner_id == recipient.actor_id:
            errors[key] = translated(N_("Hier nennen Sie Partner, nicht Ihre eigene Einrichtung."))
            continue
        identity = f"id:{partner_id}" if partner_id is not None else f"name:{fold(name)}"
        if identity in seen:
            errors[key] = translated(N_("Dieser Partner ist schon genannt."))
            continue
        seen[identity] = position
        intensity: int | None = None
        if asks_frequency:
            if row.intensity:
                if row.intensity not in ("1", "2", "3"):
                    errors[f"intensity-{position}"] = translated(N_("Bitte wählen Sie eine der Angaben."))
                    continue
                intensity = int(row.intensity)
            elif submit:
                errors[f"intensity-{position}"] = translated(
                    N_("Bitte geben Sie an, wie oft Sie mit „%(name)s“ zusammenarbeiten."), {"name": name})
                continue
        topics = _ids(row.topic_ids, topic_ids) if asks_topics else []
        stages = _ids(row.stage_ids, stage_ids) if asks_topics else []
        if topics is None or stages is None:
            errors[f"topics-{position}"] = translated(N_("Bitte wählen Sie nur angebotene Themenfelder und "
                                                         "Bildungsphasen."))
            continue
        planned.append((position, partner_id, "" if partner_id else name, intensity, topics, stages))
    groups: list[int] = []
    if survey.asks(SurveyQuestion.GROUPS):
        chosen = _ids(data.group_ids, group_ids)
        if chosen is None:
            errors["groups"] = translated(N_("Bitte wählen Sie nur angebotene Arbeitskreise."))
        else:
            groups = chosen
    free_text = data.free_text.strip() if survey.asks(SurveyQuestion.FREE_TEXT) else ""
    if len(free_text) > MAX_FREE_TEXT:
        errors["free_text"] = translated(N_("Höchstens 5000 Zeichen."))
    if errors:
        raise AnswerErrors(errors)

    now = utcnow()
    for tie in list(recipient.ties):
        recipient.ties.remove(tie)
    session.flush()
    topics_by_id = {t.id: t for t in session.scalars(select(Topic))}
    stages_by_id = {s.id: s for s in session.scalars(select(LifeStage))}
    for index, (_position, partner_id, partner_name, intensity, topics, stages) in enumerate(planned):
        recipient.ties.append(ReportedTie(
            round_id=survey.id, reporter_id=recipient.actor_id, partner_id=partner_id, partner_name=partner_name,
            intensity=intensity, position=index, reported_at=now,
            topics=[topics_by_id[i] for i in topics], life_stages=[stages_by_id[i] for i in stages]))
    recipient.answers = {"groups": groups, "free_text": free_text}
    recipient.saved_at = now
    if submit:
        recipient.answered_at = now
    if recipient.answered_at is not None:
        versions.mark_changed(session)  # a sent-off answer is part of the landscape (maps with survey ties)
    session.flush()
    return len(planned)
