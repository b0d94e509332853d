"""Building an invitation list from filters plus hand-picked persons, with reasons for exclusions.

Persons are reached through their *current* affiliations (today within from/to) with active
actors; the actor filters (kind, area including its sub-areas, life stage, topic, initiative
membership) apply to that actor, and the invitation is made on behalf of it. The person filters
(attended an earlier event, did not attend one) apply to the person.

Everyone found is either included or excluded with a reason the organiser can act on:
already invited, no e-mail address, objected (opted out or withdrew), no consent (legal basis
consent without a valid consent for invitations), or the same address as someone earlier in
the list. Whether a person may be written to is decided by ``consent.contactable_clause`` —
the one rule of the privacy module — and the reason is then named from the person's data.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from crm.collation import german, sort_key
from crm.models import (
    Actor,
    Affiliation,
    Area,
    Attendance,
    Consent,
    ConsentPurpose,
    Event,
    Invitation,
    LegalBasis,
    Membership,
    Person,
)
from crm.models.actors import actor_life_stages, actor_topics
from crm.services.events.events import lock_event
from crm.services.events.invitations import address_for, recipient_address
from crm.services.privacy import consent

REASONS = {
    "invited": "bereits eingeladen",
    "no_email": "keine E-Mail-Adresse",
    "opted_out": "hat widersprochen (keine E-Mails)",
    "no_consent": "keine Einwilligung für Einladungen (Rechtsgrundlage Einwilligung)",
    "duplicate": "E-Mail-Adresse doppelt",
}


@dataclass
class ListFilter:
    actor_kind_ids: list[int] = field(default_factory=list)
    area_ids: list[int] = field(default_factory=list)
    life_stage_ids: list[int] = field(default_factory=list)
    topic_ids: list[int] = field(default_factory=list)
    initiative_ids: list[int] = field(default_factory=list)
    attended_event_ids: list[int] = field(default_factory=list)
    not_attended_event_ids: list[int] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any((self.actor_kind_ids, self.area_ids, self.life_stage_ids, self.topic_ids,
                        self.initiative_ids, self.attended_event_ids, self.not_attended_event_ids))


@dataclass
class Candidate:
    person: Person
    actor: Actor | None
    email: str
    reason: str = ""          # key of REASONS; "" = included
    detail: str = ""          # e.g. whose address it duplicates

    @property
    def reason_text(self) -> str:
        text = REASONS.get(self.reason, self.reason)
        return f"{text} ({self.detail})" if self.detail else text


@dataclass
class Preview:
    included: list[Candidate]
    excluded: list[Candidate]

    def reasons(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for candidate in self.excluded:
            counts[candidate.reason] = counts.get(candidate.reason, 0) + 1
        return counts


def with_sub_areas(session: Session, area_ids: Iterable[int]) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for area_id, parent_id in session.execute(select(Area.id, Area.parent_id)):
        children.setdefault(parent_id, []).append(area_id)
    result: set[int] = set()
    stack = list(area_ids)
    while stack:
        current = stack.pop()
        if current in result:
            continue
        result.add(current)
        stack.extend(children.get(current, []))
    return result


def _current(today: date):
    return and_(or_(Affiliation.from_date.is_(None), Affiliation.from_date <= today),
                or_(Affiliation.to_date.is_(None), Affiliation.to_date >= today))


def matching_affiliations(session: Session, flt: ListFilter, today: date) -> list[Affiliation]:
    query = (select(Affiliation)
             .join(Actor, Actor.id == Affiliation.actor_id).join(Person, Person.id == Affiliation.person_id)
             .where(_current(today), Actor.is_active.is_(True), Person.is_anonymised.is_(False)))
    if flt.actor_kind_ids:
        query = query.where(Actor.kind_id.in_(flt.actor_kind_ids))
    if flt.area_ids:
        query = query.where(Actor.area_id.in_(with_sub_areas(session, flt.area_ids)))
    if flt.life_stage_ids:
        query = query.where(exists().where(actor_life_stages.c.actor_id == Actor.id,
                                           actor_life_stages.c.life_stage_id.in_(flt.life_stage_ids)))
    if flt.topic_ids:
        query = query.where(exists().where(actor_topics.c.actor_id == Actor.id,
                                           actor_topics.c.topic_id.in_(flt.topic_ids)))
    if flt.initiative_ids:
        query = query.where(exists().where(
            Membership.actor_id == Actor.id, Membership.initiative_id.in_(flt.initiative_ids),
            or_(Membership.joined_on.is_(None), Membership.joined_on <= today),
            or_(Membership.left_on.is_(None), Membership.left_on >= today)))
    if flt.attended_event_ids:
        query = query.where(exists().where(Attendance.person_id == Person.id,
                                           Attendance.event_id.in_(flt.attended_event_ids)))
    if flt.not_attended_event_ids:
        query = query.where(~exists().where(Attendance.person_id == Person.id,
                                            Attendance.event_id.in_(flt.not_attended_event_ids)))
    query = query.options(selectinload(Affiliation.person).selectinload(Person.affiliations),
                          selectinload(Affiliation.actor))
    return list(session.scalars(query))


def _best(affiliations: list[Affiliation]) -> Affiliation:
    """The actor a person is invited for: the primary affiliation first, then the oldest."""
    return sorted(affiliations,
                  key=lambda a: (not a.is_primary, a.from_date or date.min, sort_key(a.actor.name), a.id))[0]


def _hand_picked(session: Session, person_ids: Iterable[int], today: date,
                 actor_for: Mapping[int, int] | None = None) -> list[tuple[Person, Actor | None]]:
    """Hand-picked persons with the actor they are invited for: ``actor_for[person id]`` when
    the person currently works there (a suggestion invites them *for* that actor), else the best
    current affiliation."""
    actor_for = actor_for or {}
    ids = sorted(set(person_ids))
    if not ids:
        return []
    persons = session.scalars(select(Person).where(Person.id.in_(ids), Person.is_anonymised.is_(False))
                              .options(selectinload(Person.affiliations).selectinload(Affiliation.actor)))
    result = []
    for person in persons:
        current = [a for a in person.affiliations if a.is_current(today) and a.actor.is_active]
        wanted = [a for a in current if a.actor_id == actor_for.get(person.id)]
        result.append((person, _best(wanted or current).actor if current else None))
    return result


def _address(person: Person, actor: Actor | None) -> str:
    return address_for(person, actor.id if actor else None)


def preview(session: Session, event: Event, flt: ListFilter, person_ids: Iterable[int] = (),
            today: date | None = None, *, use_filters: bool = True,
            actor_for: Mapping[int, int] | None = None) -> Preview:
    """Who would be invited and who not (with the reason), without changing anything.

    ``actor_for`` maps hand-picked persons to the actor they are to be invited for."""
    today = today or date.today()
    chosen: dict[int, tuple[Person, Actor | None]] = {}
    if use_filters:
        by_person: dict[int, list[Affiliation]] = {}
        for affiliation in matching_affiliations(session, flt, today):
            by_person.setdefault(affiliation.person_id, []).append(affiliation)
        for person_id, affiliations in by_person.items():
            best = _best(affiliations)
            chosen[person_id] = (best.person, best.actor)
    for person, actor in _hand_picked(session, person_ids, today, actor_for):
        chosen.setdefault(person.id, (person, actor))
    ordered = sorted(chosen.values(), key=lambda pa: (sort_key(pa[0].last_name), sort_key(pa[0].first_name), pa[0].id))

    ids = [p.id for p, _a in ordered]
    existing = {i.person_id: i for i in session.scalars(
        select(Invitation).where(Invitation.event_id == event.id)
        .options(selectinload(Invitation.person).selectinload(Person.affiliations)))}
    allowed = set(session.scalars(select(Person.id).where(
        Person.id.in_(ids), consent.contactable_clause(ConsentPurpose.INVITATIONS)))) if ids else set()
    valid_consent = set(session.scalars(select(Consent.person_id).where(
        Consent.person_id.in_(ids), Consent.purpose == ConsentPurpose.INVITATIONS,
        Consent.withdrawn_at.is_(None)))) if ids else set()
    seen: dict[str, str] = {}
    for invitation in existing.values():
        address = recipient_address(invitation).lower()
        if address:
            seen.setdefault(address, invitation.person.full_name)

    included: list[Candidate] = []
    excluded: list[Candidate] = []
    for person, actor in ordered:
        email = _address(person, actor)
        candidate = Candidate(person, actor, email)
        if person.id in existing:
            candidate.reason = "invited"
        elif not email:
            candidate.reason = "no_email"
        elif person.id not in allowed:
            needs_consent = person.legal_basis == LegalBasis.CONSENT and person.id not in valid_consent
            candidate.reason = "no_consent" if needs_consent and not person.is_opted_out else "opted_out"
        elif email.lower() in seen:
            candidate.reason, candidate.detail = "duplicate", f"wie {seen[email.lower()]}"
        if candidate.reason:
            excluded.append(candidate)
        else:
            seen[email.lower()] = person.full_name
            included.append(candidate)
    return Preview(included, excluded)


def add_to_list(session: Session, event: Event, flt: ListFilter, person_ids: Iterable[int] = (),
                *, use_filters: bool = True, actor_for: Mapping[int, int] | None = None) -> int:
    """Create (unsent) invitations for everyone the preview includes; returns how many.

    Serialised per event (``events.lock_event``): two organisers adding the same people at the
    same moment would otherwise both find them "not yet invited" and the second insert would
    hit the unique constraint (event, person). After the lock the second preview sees the first
    one's invitations as "bereits eingeladen".
    """
    session.flush()  # the lock refreshes the event row; nothing of the caller's may be pending on it
    event = lock_event(session, event.id) or event
    result = preview(session, event, flt, person_ids, use_filters=use_filters, actor_for=actor_for)
    for candidate in result.included:
        session.add(Invitation(event_id=event.id, person_id=candidate.person.id,
                               actor_id=candidate.actor.id if candidate.actor else None))
    session.flush()
    return len(result.included)


def search_persons(session: Session, text: str, limit: int = 25) -> list[tuple[Person, Actor | None]]:
    """Hand-picking: persons by name or e-mail, with the actor they would be invited for."""
    from sqlalchemy import func

    text = text.strip().lower()
    if len(text) < 2:
        return []
    like = f"%{text}%"
    persons = list(session.scalars(
        select(Person).where(Person.is_anonymised.is_(False), or_(
            func.lower(Person.last_name).like(like), func.lower(Person.first_name).like(like),
            func.lower(Person.email).like(like),
            func.lower(Person.first_name + " " + Person.last_name).like(like)))
        .order_by(german(Person.last_name), german(Person.first_name), Person.id).limit(limit)
        .options(selectinload(Person.affiliations).selectinload(Affiliation.actor))))
    today = date.today()
    result = []
    for person in persons:
        current = [a for a in person.affiliations if a.is_current(today) and a.actor.is_active]
        result.append((person, _best(current).actor if current else None))
    return result
