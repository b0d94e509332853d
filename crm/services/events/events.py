"""Events: creating and changing them, local time, and the lock that keeps answers in order.

Times are stored as aware UTC datetimes and entered and shown in Europe/Berlin. The form
takes a local date and a local time; ``local_to_utc`` turns them into UTC with the offset
that is valid on that day (CET or CEST), so an event on 29 March at 10:00 stays at 10:00.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import current_app
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm.models import Answer, Attendance, Event, EventStatus, Invitation
from crm.models.base import utcnow
from crm.services.errors import N_, ServiceError
from crm.services.landscape.actors import check_version, flush_versioned
from crm.services.write_lock import begin_write

BERLIN = ZoneInfo("Europe/Berlin")

EDITABLE_FIELDS = ("kind", "title", "description", "starts_at", "ends_at", "place", "online_url", "capacity",
                   "answer_deadline", "initiative", "topics", "contact_name", "contact_email",
                   "is_public", "registration_open", "public_description")
# A change to one of these is news for the guests' calendars (a new SEQUENCE, an update mail).
CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "place", "online_url", "description")

STATUS_LABELS = {
    EventStatus.DRAFT: "Entwurf",
    EventStatus.PUBLISHED: "veröffentlicht",
    EventStatus.DONE: "abgeschlossen",
    EventStatus.CANCELLED: "abgesagt",
}


# --- time -------------------------------------------------------------------------------------

def local_to_utc(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=BERLIN).astimezone(UTC)


def to_local(value: datetime) -> datetime:
    return value.astimezone(BERLIN)


def format_day(value: datetime) -> str:
    """'Donnerstag, 1. Oktober 2026' in Berlin time."""
    return format_date(to_local(value).date(), "EEEE, d. MMMM y", locale="de")


def format_clock(value: datetime) -> str:
    return format_time(to_local(value).time(), "HH:mm", locale="de")


def format_when(event: Event) -> str:
    """Day and hours of an event as guests read them: 'Donnerstag, 1. Oktober 2026, 09:00–16:00 Uhr'."""
    start, end = to_local(event.starts_at), to_local(event.ends_at)
    if start.date() == end.date():
        return f"{format_day(start)}, {format_clock(start)}–{format_clock(end)} Uhr"
    return f"{format_day(start)}, {format_clock(start)} Uhr bis {format_day(end)}, {format_clock(end)} Uhr"


def format_moment(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{format_date(to_local(value).date(), 'dd.MM.yyyy', locale='de')}, {format_clock(value)} Uhr"


def where(event: Event) -> str:
    """Place and/or online link, for mails and the answer page."""
    parts = [p for p in (event.place.strip(), event.online_url.strip()) if p]
    return " · ".join(parts) if parts else "wird noch bekannt gegeben"


# --- contact ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Contact:
    name: str
    email: str


def contact(event: Event) -> Contact:
    """Whom guests reach for this event: the event's contact, else the office's sender address.

    ``MAIL_DEFAULT_SENDER`` may carry a display name ("Bildungsbüro Trier <buero@trier.example>");
    only the bare address may go into ``mailto:`` links and the calendar's ORGANIZER, so it is
    parsed out here, once, for every caller.
    """
    organisation = str(current_app.config.get("BILDUNGSNETZ_ORGANISATION") or "Bildungsbüro")
    sender = str(current_app.config.get("MAIL_DEFAULT_SENDER") or "")
    return Contact(event.contact_name.strip() or organisation,
                   event.contact_email.strip() or parseaddr(sender)[1])


# --- locking ----------------------------------------------------------------------------------

def lock_event(session: Session, event_id: int) -> Event | None:
    """Serialise the answers of one event, so two guests never take the same last place.

    PostgreSQL: ``SELECT … FOR UPDATE`` on the event row until the transaction ends.
    SQLite has no row locks but serialises writers: ``BEGIN IMMEDIATE`` takes the write lock
    now (see ``write_lock``), so the count we read stays true until we commit. Call it before
    changing anything in this transaction.
    """
    if session.connection().dialect.name == "sqlite":
        begin_write(session)
        return session.get(Event, event_id, populate_existing=True)
    return session.scalars(select(Event).where(Event.id == event_id).with_for_update()
                           .execution_options(populate_existing=True)).first()


# --- create / change --------------------------------------------------------------------------

def _apply(event: Event, values: dict[str, Any]) -> None:
    for key in EDITABLE_FIELDS:
        if key in values:
            setattr(event, key, values[key])


def _check(values: dict[str, Any], event: Event | None = None) -> None:
    """The rules on the values an event will have (``event``: what a partial change keeps)."""
    if values["ends_at"] <= values["starts_at"]:
        raise ServiceError("Das Ende muss nach dem Beginn liegen.", "end_time")
    deadline = values.get("answer_deadline")
    if deadline is not None and deadline > values["ends_at"]:
        raise ServiceError("Die Antwortfrist muss vor dem Ende der Veranstaltung liegen.", "deadline_date")

    def after(key: str) -> Any:
        return values[key] if key in values else getattr(event, key, None)

    if after("registration_open") and not after("is_public"):
        raise ServiceError(N_("Eine Anmeldung im Bildungsportal gibt es nur für Veranstaltungen, die dort "
                              "erscheinen. Bitte auch „Im Bildungsportal zeigen“ wählen."), "registration_open")


def create_event(session: Session, values: dict[str, Any], creation_token: str | None = None) -> Event:
    _check(values)
    event = Event(status=EventStatus.DRAFT, creation_token=creation_token)
    _apply(event, values)
    session.add(event)
    session.flush()
    return event


def create_event_once(session: Session, values: dict[str, Any], token: str) -> tuple[Event, bool]:
    """Create the event of one filled-in form once: a double click on "Speichern", a resent
    request or five parallel submits of the same form (same ``token``) give one event.

    Returns the event and whether it was created now. SQLite: the write lock is taken first, so
    the check below stays true until we commit. PostgreSQL: a parallel insert of the same token
    waits for the first one's commit and then violates the unique constraint; it is undone by
    its savepoint (never the caller's transaction) and the first one's event is returned.
    """
    begin_write(session)
    existing = session.scalars(select(Event).where(Event.creation_token == token)).first()
    if existing is not None:
        return existing, False
    try:
        with session.begin_nested():
            event = create_event(session, values, creation_token=token)
    except IntegrityError:
        existing = session.scalars(select(Event).where(Event.creation_token == token)).first()
        if existing is None:
            raise
        return existing, False
    return event, True


def calendar_changes(event: Event, values: dict[str, Any]) -> list[str]:
    return [key for key in CALENDAR_FIELDS if key in values and getattr(event, key) != values[key]]


def update_event(session: Session, event: Event, values: dict[str, Any], expected_version: int | None,
                 *, notify: bool = True) -> tuple[Event, int]:
    """Apply ``values``; if the calendar entry changed and invitations went out, send an update.

    Returns the event and the number of update mails queued. Raises ConcurrentEditError if the
    event was saved by someone else since ``expected_version``. A finished event (DONE) is
    corrected silently: fixing a typo in the title of last month's workshop for the funder's
    report must not send "Geändert: …" mails with a new calendar entry to every guest, and a
    larger capacity no longer moves anyone up from the waiting list.
    """
    from crm.services.events import invitations

    title = event.title
    check_version(session, event, expected_version, title)
    _check(values, event)
    if event.status == EventStatus.CANCELLED:
        raise ServiceError("Eine abgesagte Veranstaltung kann nicht mehr geändert werden.")
    is_done = event.status == EventStatus.DONE
    changed = calendar_changes(event, values)
    capacity_before = event.capacity
    _apply(event, values)
    queued = 0
    sent_any = session.scalar(select(exists().where(Invitation.event_id == event.id,
                                                    Invitation.invited_at.is_not(None))))
    if changed and notify and not is_done and sent_any:  # (an EXISTS, not 50,000 rows loaded)
        event.ical_sequence += 1
        queued = invitations.send_updates(session, event)
    if event.capacity != capacity_before:
        invitations.fill_free_places(session, event)
    flush_versioned(session, event, title)
    return event, queued


def cancel_event(session: Session, event: Event) -> int:
    """Cancel: status, a new SEQUENCE and METHOD:CANCEL to everyone who got an invitation."""
    from crm.services.events import invitations

    if event.status == EventStatus.CANCELLED:
        raise ServiceError("Die Veranstaltung ist bereits abgesagt.")
    event.status = EventStatus.CANCELLED
    event.ical_sequence += 1
    queued = invitations.send_cancellations(session, event)
    session.flush()
    return queued


def publish(session: Session, event: Event) -> None:
    """Draft → published without sending anything.

    Sending invitations publishes an event too, but a training announced elsewhere (the
    Amtsblatt, a school's own mail) has no invitations here and still needs the door and the
    attendance list, which are only open for published or finished events.
    """
    if event.status != EventStatus.DRAFT:
        raise ServiceError("Nur ein Entwurf kann veröffentlicht werden.")
    event.status = EventStatus.PUBLISHED
    session.flush()


def mark_done(session: Session, event: Event) -> None:
    """Published (or a draft that took place) → done: answers close, attendance stays open."""
    if event.status == EventStatus.CANCELLED:
        raise ServiceError("Eine abgesagte Veranstaltung kann nicht abgeschlossen werden.")
    if event.status == EventStatus.DONE:
        raise ServiceError("Die Veranstaltung ist bereits abgeschlossen.")
    event.status = EventStatus.DONE
    session.flush()


# --- lists ------------------------------------------------------------------------------------

@dataclass
class EventRow:
    event: Event
    invited: int
    accepted: int
    waitlisted: int
    attended: int


def list_events(session: Session) -> list[EventRow]:
    """All events, upcoming first (soonest first), then past ones (latest first), with counts."""
    events = list(session.scalars(select(Event).order_by(Event.starts_at.desc())))
    counts: dict[int, dict[str, int]] = {e.id: {"invited": 0, "accepted": 0, "waitlisted": 0, "attended": 0}
                                         for e in events}
    for event_id, answer, sent, number in session.execute(
            select(Invitation.event_id, Invitation.answer, Invitation.invited_at.is_not(None), func.count())
            .group_by(Invitation.event_id, Invitation.answer, Invitation.invited_at.is_not(None))):
        if sent or answer != Answer.PENDING:  # an answer taken by phone before the mail went out counts too
            counts[event_id]["invited"] += number
        if answer == Answer.ACCEPTED:
            counts[event_id]["accepted"] += number
        elif answer == Answer.WAITLISTED:
            counts[event_id]["waitlisted"] += number
    for event_id, number in session.execute(
            select(Attendance.event_id, func.count()).group_by(Attendance.event_id)):
        counts[event_id]["attended"] = number
    now = utcnow()
    upcoming = sorted((e for e in events if e.ends_at >= now), key=lambda e: e.starts_at)
    past = [e for e in events if e.ends_at < now]
    return [EventRow(e, **counts[e.id]) for e in upcoming + past]


def answer_deadline(event: Event) -> datetime:
    """Until when answers may change: the deadline, or else the start of the event."""
    return event.answer_deadline or event.starts_at
