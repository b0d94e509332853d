"""Suggested ties as an invitation list: bring the people of two actors to the same event.

The analysis (``graph.suggest`` through ``crm.services.network.records.analysis``) names pairs of
actors that are not yet tied but should be ("2 gemeinsame Partner", "schließt die Lücke
Primarstufe → Sekundarstufe in Trier-Ehrang"). An office acts on such a suggestion by
inviting both sides to the next Bildungsgespräch. This module turns chosen suggestions into
invitations:

* For each pair, the persons with a *current* affiliation (today within from/to) at either
  actor, persons not anonymised, actors active. A pair with nobody on one side cannot be
  brought together by an invitation: it is reported ("keine Ansprechperson bei …") and
  skipped.
* Whether each person may be invited (already invited, no address, objection, no consent,
  duplicate address) is decided by ``crm.services.events.invitation_lists`` — the one rule for
  invitation lists — through its public ``preview`` and ``add_to_list`` with hand-picked
  persons and no filters.
* Every invitation made here gets an audit entry "Vorschlag: A – B (reasons)", so the
  organiser can later see why someone was on the list.

Services flush; the caller commits once.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crm.models import Actor, Affiliation, Event, EventStatus, Invitation, Person
from crm.services.errors import ServiceError
from crm.services.events import invitation_lists
from crm.services.network import records as network
from crm.services.privacy import audit

REASON_PREFIX = "Vorschlag"

Pair = tuple[int, int]


@dataclass
class SuggestedPair:
    """One ranked suggestion and the persons who would be invited for it."""

    rank: int
    source: int
    target: int
    source_label: str
    target_label: str
    score: float
    reasons: list[str]
    source_persons: list[int] = field(default_factory=list)
    target_persons: list[int] = field(default_factory=list)

    @property
    def key(self) -> str:
        return pair_key((self.source, self.target))

    @property
    def reachable(self) -> bool:
        """Both sides have someone to invite."""
        return bool(self.source_persons) and bool(self.target_persons)

    @property
    def reason(self) -> str:
        """The audit text: "Vorschlag: A – B (2 gemeinsame Partner; …)"."""
        text = f"{REASON_PREFIX}: {self.source_label} – {self.target_label}"
        return f"{text} ({'; '.join(self.reasons)})" if self.reasons else text


@dataclass
class InvitationPlan:
    """What adding the chosen suggestions to ``event`` would do (nothing changed yet)."""

    event: Event
    pairs: list[SuggestedPair]
    preview: invitation_lists.Preview
    reasons_by_person: dict[int, list[str]]
    actor_for: dict[int, int] = field(default_factory=dict)   # person id -> the suggested actor

    @property
    def unreachable(self) -> list[SuggestedPair]:
        return [p for p in self.pairs if not p.reachable]


def pair_key(pair: Pair) -> str:
    """"12-40": how a pair travels in a form (smaller id first)."""
    a, b = sorted(pair)
    return f"{a}-{b}"


def parse_pair_keys(values: Iterable[str]) -> set[Pair]:
    """Pair keys from a form; anything malformed raises a German ServiceError."""
    result = set()
    for value in values:
        try:
            a, b = (int(part) for part in str(value).split("-", 1))
        except ValueError:
            raise ServiceError(f"„{value}“ ist kein Vorschlag.", "pairs") from None
        result.add((min(a, b), max(a, b)))
    return result


def open_events(session: Session, now: datetime | None = None) -> list[Event]:
    """Events that can still take invitations: not cancelled or done, not yet begun."""
    now = now or datetime.now(UTC)
    return list(session.scalars(
        select(Event).where(Event.status.in_((EventStatus.DRAFT, EventStatus.PUBLISHED)), Event.starts_at >= now)
        .order_by(Event.starts_at, Event.id)))


def _contacts(session: Session, actor_ids: set[int], today: date) -> dict[int, list[int]]:
    """Person ids with a current affiliation at each actor (active actors, persons not anonymised)."""
    if not actor_ids:
        return {}
    rows = session.execute(
        select(Affiliation.actor_id, Affiliation.person_id)
        .join(Actor, Actor.id == Affiliation.actor_id).join(Person, Person.id == Affiliation.person_id)
        .where(Affiliation.actor_id.in_(actor_ids), Actor.is_active.is_(True), Person.is_anonymised.is_(False),
               or_(Affiliation.from_date.is_(None), Affiliation.from_date <= today),
               or_(Affiliation.to_date.is_(None), Affiliation.to_date >= today))
        .order_by(Affiliation.actor_id, Affiliation.person_id)).all()
    result: dict[int, list[int]] = {}
    for actor_id, person_id in rows:
        result.setdefault(actor_id, [])
        if person_id not in result[actor_id]:
            result[actor_id].append(person_id)
    return result


def suggested_pairs(session: Session, cut: Any, *, today: date | None = None,
                    analysis: dict[str, Any] | None = None) -> list[SuggestedPair]:
    """The ranked suggestions of ``cut`` (from the stored analysis; ``store.NotReady`` while it is
    computed for the first time) with their contact persons. Queues the analysis when missing:
    the caller commits."""
    from crm.services.computed import store

    today = today or date.today()
    result = analysis
    if result is None:
        lookup = network.stored_analysis(session, cut)
        if lookup.result is None:
            raise store.NotReady(lookup)
        result = lookup.result
    rows = result.get("suggestions", [])
    contacts = _contacts(session, {int(r["source"]) for r in rows} | {int(r["target"]) for r in rows}, today)
    return [SuggestedPair(rank=i + 1, source=int(r["source"]), target=int(r["target"]),
                          source_label=str(r["source_label"]), target_label=str(r["target_label"]),
                          score=float(r["score"]), reasons=list(r["reasons"]),
                          source_persons=contacts.get(int(r["source"]), []),
                          target_persons=contacts.get(int(r["target"]), []))
            for i, r in enumerate(rows)]


def _chosen(pairs: list[SuggestedPair], chosen: set[Pair] | None) -> list[SuggestedPair]:
    if chosen is None:
        return pairs
    known = {(min(p.source, p.target), max(p.source, p.target)) for p in pairs}
    stale = chosen - known
    if stale:
        raise ServiceError("Die Vorschläge haben sich inzwischen geändert (die Daten wurden bearbeitet). "
                           "Bitte wählen Sie erneut.", "pairs")
    return [p for p in pairs if (min(p.source, p.target), max(p.source, p.target)) in chosen]


def plan(session: Session, event: Event, cut: Any, chosen: set[Pair] | None = None, *,
         today: date | None = None) -> InvitationPlan:
    """Who would be invited for the chosen suggestions (all when ``chosen`` is None), and who
    not and why, without changing anything."""
    today = today or date.today()
    pairs = _chosen(suggested_pairs(session, cut, today=today), chosen)
    reasons: dict[int, list[str]] = {}
    actor_for: dict[int, int] = {}
    for pair in pairs:
        if not pair.reachable:
            continue
        for actor_id, persons in ((pair.source, pair.source_persons), (pair.target, pair.target_persons)):
            for person_id in persons:
                actor_for.setdefault(person_id, actor_id)  # invited on behalf of the suggested actor
                reasons.setdefault(person_id, [])
                if pair.reason not in reasons[person_id]:
                    reasons[person_id].append(pair.reason)
    preview = invitation_lists.preview(session, event, invitation_lists.ListFilter(), list(reasons), today,
                                       use_filters=False, actor_for=actor_for)
    return InvitationPlan(event, pairs, preview, reasons, actor_for)


@dataclass
class AddResult:
    added: int
    plan: InvitationPlan


def add_to_event(session: Session, event: Event, cut: Any, chosen: set[Pair] | None = None, *,
                 today: date | None = None) -> AddResult:
    """Invite (unsent) the contact persons of both actors of each chosen suggestion to ``event``.

    Refuses events that are cancelled, done or past. Flushes; the caller commits.
    """
    if event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED) or event.starts_at < datetime.now(UTC):
        raise ServiceError("Zu dieser Veranstaltung kann niemand mehr eingeladen werden "
                           "(abgesagt, abgeschlossen oder vorbei).", "event")
    result = plan(session, event, cut, chosen, today=today)
    if not any(p.reachable for p in result.pairs):
        raise ServiceError("Für die gewählten Vorschläge ist bei keinem Paar auf beiden Seiten eine aktuelle "
                           "Ansprechperson erfasst.", "pairs")
    person_ids = sorted(result.reasons_by_person)
    already = set(session.scalars(select(Invitation.person_id).where(Invitation.event_id == event.id,
                                                                     Invitation.person_id.in_(person_ids))))
    added = invitation_lists.add_to_list(session, event, invitation_lists.ListFilter(), person_ids,
                                         use_filters=False, actor_for=result.actor_for)
    made = session.scalars(select(Invitation).where(Invitation.event_id == event.id,
                                                    Invitation.person_id.in_(person_ids))).all()
    for invitation in (i for i in made if i.person_id not in already):
        audit.record(session, "create", invitation, "; ".join(result.reasons_by_person[invitation.person_id]),
                     {"reasons": result.reasons_by_person[invitation.person_id], "source": "suggestions"})
    session.flush()
    return AddResult(added, result)
