"""Figures for the start page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crm.models import Actor, AuditEntry, Cooperation, Event, EventStatus, Initiative, Person
from crm.models.base import utcnow


@dataclass(frozen=True)
class Overview:
    actors: int
    persons: int
    current_cooperations: int
    initiatives: int
    upcoming_events: list[Event]
    recent_changes: list[AuditEntry]


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
        recent_changes=list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(8))),
    )
