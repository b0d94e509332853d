"""Figures for the start page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crm.models import Actor, AuditEntry, Cooperation, Event, EventStatus, Initiative, Person
from crm.models.base import utcnow
from crm.services.privacy import audit

# Log entries that are no change to the landscape: failed logins and their resets (internal
# bookkeeping of the lock-out, keyed by an address hash), staff accounts and API tokens.
NOT_CHANGES = ("Anmeldung", "User", "ApiToken")


@dataclass(frozen=True)
class RecentChange:
    """One line of "Letzte Änderungen", in words: what was done to which record, by whom."""

    created_at: datetime
    who: str
    action: str      # German action word (audit.ACTION_LABELS), translated by the page
    entity: str      # German kind of record (audit.ENTITY_LABELS)
    summary: str     # the record's name, never an internal repr


@dataclass(frozen=True)
class Overview:
    actors: int
    persons: int
    current_cooperations: int
    initiatives: int
    upcoming_events: list[Event]
    recent_changes: list[RecentChange]


def overview(session: Session, today: date | None = None) -> Overview:
    today = today or date.today()
    count = lambda q: session.scalar(select(func.count()).select_from(q.subquery())) or 0  # noqa: E731
    return Overview(
        actors=count(select(Actor.id).where(Actor.is_active.is_(True))),
        persons=count(select(Person.id).where(Person.is_anonymised.is_(False))),
        current_cooperations=count(select(Cooperation.id).where(
            or_(Cooperation.start_date.is_(None), Cooperation.start_date <= today),
            or_(Cooperation.end_date.is_(None), Cooperation.end_date >= today))),
        initiatives=count(select(Initiative.id)),
        upcoming_events=list(session.scalars(
            select(Event).where(Event.starts_at >= utcnow(), Event.status != EventStatus.CANCELLED)
            .order_by(Event.starts_at).limit(5))),
        recent_changes=[RecentChange(e.created_at, e.actor_label or "–", audit.ACTION_LABELS.get(e.action, e.action),
                                     audit.ENTITY_LABELS.get(e.entity_type, e.entity_type), audit.readable_summary(e))
                        for e in session.scalars(select(AuditEntry)
                                                 .where(AuditEntry.entity_type.not_in(NOT_CHANGES))
                                                 .order_by(AuditEntry.id.desc()).limit(8))],
    )
