"""The Bildungsportal's event calendar: which events are public, the months of the calendar, whether a
visitor may register, and the JSON and iCalendar feeds.

What is public, and why:

* an event the organiser marked ``is_public`` that is no longer a draft (a draft may still change its
  date or be dropped; a cancelled public event stays visible as "abgesagt", so those who planned to
  come learn it, and subscribed calendars strike it);
* of such an event only its title, kind, time, place, topics and the ``public_description``: never the
  internal description (it may name speakers or guests), the online link (it may carry a meeting
  password; registrants get it by mail), the contact person (a person's name needs their consent),
  nor anything about who is invited or coming (only "places left" as a yes/no).

Everything else answers 404 in the portal, exactly like an event that does not exist.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from babel.dates import format_date
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from crm.models import Answer, Event, EventStatus, Invitation
from crm.models.base import utcnow
from crm.services.events import events, ical
from crm.services.events.invitations import accepted_count

# Subscribed calendars keep what they saw; the feed keeps past events this long so an entry does not
# vanish from a subscriber's calendar the day after it took place.
FEED_PAST_DAYS = 90
# The calendar page lists this far ahead at most (a year of the office's events is a short page).
CALENDAR_MAX_EVENTS = 300


def public_clause() -> Any:
    """SQL: an event the portal may show."""
    return Event.is_public.is_(True) & (Event.status != EventStatus.DRAFT)


def is_public(event: Event) -> bool:
    return bool(event.is_public) and event.status != EventStatus.DRAFT


def _loaded(query: Any) -> Any:
    return query.options(selectinload(Event.kind), selectinload(Event.topics))


def upcoming(session: Session, now: datetime | None = None) -> list[Event]:
    """Public events that have not ended yet, soonest first."""
    now = now or utcnow()
    return list(session.scalars(_loaded(select(Event).where(public_clause(), Event.ends_at >= now)
                                         .order_by(Event.starts_at, Event.id).limit(CALENDAR_MAX_EVENTS))))


def for_feed(session: Session, now: datetime | None = None) -> list[Event]:
    """Public events for the feeds: everything upcoming and what ended within ``FEED_PAST_DAYS``."""
    since = (now or utcnow()) - timedelta(days=FEED_PAST_DAYS)
    return list(session.scalars(_loaded(select(Event).where(public_clause(), Event.ends_at >= since)
                                         .order_by(Event.starts_at, Event.id))))


def public_event(session: Session, event_id: int) -> Event | None:
    """The event, if the portal may show it; None otherwise (the page answers 404)."""
    event = session.get(Event, event_id)
    return event if event is not None and is_public(event) else None


@dataclass
class Month:
    key: str        # "2026-12", the anchor of the month on the page
    label: str      # "Dezember 2026"
    events: list[Event]


def by_month(items: list[Event], locale: str = "de") -> list[Month]:
    """The events grouped by the month they start in (Berlin time), in order."""
    months: list[Month] = []
    for event in items:
        start = events.to_local(event.starts_at)
        key = start.strftime("%Y-%m")
        if not months or months[-1].key != key:
            months.append(Month(key, format_date(start.date(), "LLLL y", locale=locale), []))
        months[-1].events.append(event)
    return months


# --- registration: open, full, or why not ------------------------------------------------------------

class Registration(enum.StrEnum):
    OPEN = "open"              # places free
    WAITLIST = "waitlist"      # full: a registration goes to the waiting list
    NONE = "none"              # the event takes no registrations in the portal (invitations only)
    CLOSED = "closed"          # the registration deadline has passed
    CANCELLED = "cancelled"
    PAST = "past"


@dataclass(frozen=True)
class RegistrationState:
    state: Registration
    deadline: datetime

    @property
    def accepts(self) -> bool:
        return self.state in (Registration.OPEN, Registration.WAITLIST)


def registration_state(session: Session, event: Event, now: datetime | None = None,
                       accepted: int | None = None) -> RegistrationState:
    """Whether a visitor may register now, and what the page says if not (``accepted``: the count of
    yes-answers, when the caller has it already)."""
    now = now or utcnow()
    deadline = events.answer_deadline(event)
    if event.status == EventStatus.CANCELLED:
        return RegistrationState(Registration.CANCELLED, deadline)
    if event.status == EventStatus.DONE or event.ends_at < now:
        return RegistrationState(Registration.PAST, deadline)
    if not event.registration_open:
        return RegistrationState(Registration.NONE, deadline)
    if event.status != EventStatus.PUBLISHED or now > deadline:
        return RegistrationState(Registration.CLOSED, deadline)
    if event.capacity is not None and (accepted_count(session, event) if accepted is None
                                       else accepted) >= event.capacity:
        return RegistrationState(Registration.WAITLIST, deadline)
    return RegistrationState(Registration.OPEN, deadline)


# --- feeds ---------------------------------------------------------------------------------------

def page_url(base: str, event: Event) -> str:
    return f"{base.rstrip('/')}/portal/kalender/{event.id}"


def ical_feed(items: list[Event], base: str, name: str) -> str:
    return ical.build_feed([ical.FeedEntry(e, page_url(base, e), e.public_description) for e in items], name=name)


def json_feed(session: Session, items: list[Event], base: str) -> list[dict[str, Any]]:
    """The feed's records: what the event page shows, no person (see the module docstring)."""
    ids = [e.id for e in items if e.registration_open and e.capacity is not None]
    accepted: dict[int, int] = {}
    if ids:  # one query for the whole feed, not one per event
        for event_id, number in session.execute(
                select(Invitation.event_id, func.count()).where(Invitation.event_id.in_(ids),
                                                                Invitation.answer == Answer.ACCEPTED)
                .group_by(Invitation.event_id)):
            accepted[event_id] = number
    rows = []
    for event in items:
        state = (registration_state(session, event, accepted=accepted.get(event.id, 0))
                 if event.registration_open else None)
        rows.append({
            "id": event.id, "uid": event.uid, "title": event.title, "kind": event.kind.name,
            "description": event.public_description,
            "starts_at": events.to_local(event.starts_at).isoformat(),
            "ends_at": events.to_local(event.ends_at).isoformat(),
            "place": event.place, "topics": [t.name for t in event.topics],
            "cancelled": event.status == EventStatus.CANCELLED,
            "registration": state.state.value if state else Registration.NONE.value,
            "page": page_url(base, event), "ics": f"{page_url(base, event)}.ics",
        })
    return rows
