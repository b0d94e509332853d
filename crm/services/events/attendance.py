"""Attendance: check-in at the door, walk-ins, and the paper list entered afterwards.

Attendance is what the network's "events" layer is built from (people of two actors at one
event form a tie), so every attendance records the actor the person came for: the actor of the
invitation, or for walk-ins the actor named at the door.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from crm.collation import sort_key
from crm.models import (
    Actor,
    Affiliation,
    Answer,
    Attendance,
    AttendanceSource,
    Event,
    EventStatus,
    Invitation,
    LegalBasis,
    Person,
)
from crm.models.base import utcnow
from crm.services.errors import ServiceError
from crm.services.events.events import lock_event
from crm.services.events.stats import is_counted
from crm.services.landscape.duplicates import normalise_name


@dataclass
class Guest:
    """One line of the door list."""

    person_id: int
    name: str
    sort_name: str
    actor: str
    answer: Answer | None       # None: not invited (walk-in)
    attendance: Attendance | None

    @property
    def is_present(self) -> bool:
        return self.attendance is not None


def _check_open(event: Event) -> None:
    """Attendance is recorded for published and finished events (also without invitations)."""
    if event.status == EventStatus.CANCELLED:
        raise ServiceError("Die Veranstaltung wurde abgesagt.")
    if event.status == EventStatus.DRAFT:
        raise ServiceError("Die Veranstaltung ist noch ein Entwurf. Bitte veröffentlichen Sie sie zuerst "
                           "(Seite der Veranstaltung, „Veröffentlichen“).")


def present_count(session: Session, event: Event) -> int:
    return session.scalar(select(func.count()).select_from(Attendance).where(Attendance.event_id == event.id)) or 0


def guests(session: Session, event: Event) -> list[Guest]:
    """Everyone on the list or present, sorted by last name: invited guests (mail sent or an answer
    recorded, e.g. by phone before the mail went out) and walk-ins."""
    invitations = list(session.scalars(
        select(Invitation).where(Invitation.event_id == event.id, is_counted())
        .options(selectinload(Invitation.person), selectinload(Invitation.actor))))
    present = {a.person_id: a for a in session.scalars(
        select(Attendance).where(Attendance.event_id == event.id)
        .options(selectinload(Attendance.person), selectinload(Attendance.actor)))}
    rows: dict[int, Guest] = {}
    for invitation in invitations:
        person = invitation.person
        attendance = present.get(person.id)
        actor = attendance.actor if attendance and attendance.actor else invitation.actor
        rows[person.id] = Guest(person.id, person.full_name, f"{person.last_name} {person.first_name}".lower(),
                                actor.name if actor else "", invitation.answer, attendance)
    for person_id, attendance in present.items():
        if person_id not in rows:
            person = attendance.person
            rows[person_id] = Guest(person_id, person.full_name, f"{person.last_name} {person.first_name}".lower(),
                                    attendance.actor.name if attendance.actor else "", None, attendance)
    return sorted(rows.values(), key=lambda g: (sort_key(g.sort_name), g.person_id))


def _actor_for(session: Session, event: Event, person: Person) -> int | None:
    invitation = session.scalars(select(Invitation).where(
        Invitation.event_id == event.id, Invitation.person_id == person.id)).first()
    if invitation is not None and invitation.actor_id is not None:
        return invitation.actor_id
    today = date.today()
    current = sorted((a for a in person.affiliations if a.is_current(today)),
                     key=lambda a: (not a.is_primary, a.from_date or date.min, a.id))
    return current[0].actor_id if current else None


def check_in(session: Session, event: Event, person: Person,
             source: AttendanceSource = AttendanceSource.DOOR) -> tuple[Attendance, bool]:
    """Mark ``person`` present; returns the attendance and whether it is new (a second click is harmless)."""
    _check_open(event)
    existing = session.scalars(select(Attendance).where(
        Attendance.event_id == event.id, Attendance.person_id == person.id)).first()
    if existing is not None:
        return existing, False
    attendance = Attendance(event_id=event.id, person_id=person.id, actor_id=_actor_for(session, event, person),
                            source=source, checked_in_at=utcnow())
    session.add(attendance)
    person.last_activity_at = utcnow()
    session.flush()
    return attendance, True


def undo_check_in(session: Session, event: Event, person: Person) -> bool:
    attendance = session.scalars(select(Attendance).where(
        Attendance.event_id == event.id, Attendance.person_id == person.id)).first()
    if attendance is None:
        return False
    session.delete(attendance)
    session.flush()
    return True


def _same_name_at(session: Session, first_name: str, last_name: str, actor: Actor) -> Person | None:
    """The (oldest) person with this normalised name who is or was affiliated with ``actor``.

    At the door most walk-ins give no address; without this, every event would add another
    "Wanda Walk" at the Kita St. Anna. Name alone is not enough (two Anna Müllers in a city are
    common), name and actor together are. Normalised as for duplicates: case, umlauts/ß,
    accents and punctuation do not make a different name.
    """
    key = normalise_name(f"{first_name} {last_name}")
    if not key:
        return None
    rows = session.execute(
        select(Person.id, Person.first_name, Person.last_name).join(Affiliation, Affiliation.person_id == Person.id)
        .where(Affiliation.actor_id == actor.id, Person.is_anonymised.is_(False)).order_by(Person.id))
    for person_id, first, last in rows:
        if normalise_name(f"{first} {last}") == key:
            return session.get(Person, person_id)
    return None


def walk_in(session: Session, event: Event, first_name: str, last_name: str, actor: Actor | None,
            email: str = "") -> tuple[Person, Attendance]:
    """Someone came without an invitation: find them, or create them, then check them in.

    Found by address first, then by name together with the named actor. A new person gets the
    legal basis "public task" (the office's events are its public task) and, if an actor was
    named, an affiliation with it from today.
    """
    _check_open(event)
    first_name, last_name, email = first_name.strip(), last_name.strip(), email.strip()
    if not last_name:
        raise ServiceError("Bitte geben Sie den Nachnamen ein.", "last_name")
    person = None
    if email:
        person = session.scalars(select(Person).where(func.lower(Person.email) == email.lower(),
                                                      Person.is_anonymised.is_(False))
                                 .order_by(Person.id)).first()
    if person is None and actor is not None:
        person = _same_name_at(session, first_name, last_name, actor)
    if person is None:
        person = Person(first_name=first_name, last_name=last_name, email=email,
                        legal_basis=LegalBasis.PUBLIC_TASK, notes="Bei einer Veranstaltung spontan erfasst.")
        session.add(person)
        session.flush()
        if actor is not None:
            session.add(Affiliation(person_id=person.id, actor_id=actor.id, from_date=date.today(), is_primary=True))
    existing = session.scalars(select(Attendance).where(
        Attendance.event_id == event.id, Attendance.person_id == person.id)).first()
    if existing is not None:
        raise ServiceError(f"{person.full_name} ist bereits eingecheckt.")
    source = AttendanceSource.WALK_IN
    invited = session.scalars(select(Invitation).where(
        Invitation.event_id == event.id, Invitation.person_id == person.id)).first()
    if invited is not None and (invited.invited_at is not None or invited.answer != Answer.PENDING):
        source = AttendanceSource.DOOR
    attendance = Attendance(event_id=event.id, person_id=person.id, source=source, checked_in_at=utcnow(),
                            actor_id=actor.id if actor is not None else (invited.actor_id if invited else None))
    session.add(attendance)
    person.last_activity_at = utcnow()
    session.flush()
    return person, attendance


def record_paper_list(session: Session, event: Event, present_ids: Iterable[int],
                      shown_present_ids: Iterable[int] | None = None) -> tuple[int, int]:
    """Attendance from the signed paper list: ticked persons were there, unticked ones were not.

    Returns (added, removed). Ticks for persons who are neither invited nor present are ignored.
    ``shown_present_ids`` are the rows the form showed as present: only those, once unticked,
    are removed. The door may still be checking people in while someone types the paper list;
    a check-in made after the form was loaded is not the form's to undo. ``None`` (no such
    knowledge) treats every present person as shown.
    """
    if event.status in (EventStatus.CANCELLED, EventStatus.DRAFT):
        raise ServiceError("Teilnahme kann nur für veröffentlichte oder abgeschlossene Veranstaltungen "
                           "erfasst werden.")
    event = lock_event(session, event.id) or event  # two saves of the list at once: one after the other
    wanted = set(present_ids)
    shown = None if shown_present_ids is None else set(shown_present_ids)
    known = {g.person_id: g for g in guests(session, event)}
    added = removed = 0
    for person_id, guest in known.items():
        if person_id in wanted and guest.attendance is None:
            person = session.get(Person, person_id)
            assert person is not None
            session.add(Attendance(event_id=event.id, person_id=person_id, source=AttendanceSource.LIST,
                                   actor_id=_actor_for(session, event, person), checked_in_at=event.starts_at))
            added += 1
        elif person_id not in wanted and guest.attendance is not None and (shown is None or person_id in shown):
            session.delete(guest.attendance)
            removed += 1
    session.flush()
    return added, removed
