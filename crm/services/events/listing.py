"""Lists of events with their figures, for the API's ``/events`` (and any list that filters events).

``filtered_events_query`` is the one query for "events between these days, of this kind, status
and topic"; ``event_counts`` gives the figures of a whole page of events in two queries, whatever
the page's length (no query per event).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from crm.models import Answer, Attendance, Event, EventStatus, Invitation, Topic


@dataclass
class EventFilter:
    since: date | None = None       # starts on or after this day
    until: date | None = None       # starts on or before this day
    status: EventStatus | str | None = None
    kind_id: int | None = None
    topic_id: int | None = None


def filtered_events_query(f: EventFilter) -> Select:
    """``select(Event)`` by start, then id."""
    query = select(Event)
    if f.since:
        query = query.where(Event.starts_at >= datetime.combine(f.since, time.min, tzinfo=UTC))
    if f.until and f.until < date.max:
        query = query.where(Event.starts_at < datetime.combine(f.until + timedelta(days=1), time.min, tzinfo=UTC))
    if f.status:
        query = query.where(Event.status == EventStatus(f.status))
    if f.kind_id:
        query = query.where(Event.kind_id == f.kind_id)
    if f.topic_id:
        query = query.where(Event.topics.any(Topic.id == f.topic_id))
    return query.order_by(Event.starts_at, Event.id)


def event_counts(session: Session, event_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Per event: invitations on the list, yes, no, and people present (no names)."""
    ids = list(dict.fromkeys(event_ids))
    counts = {i: {"invited": 0, "accepted": 0, "declined": 0, "attended": 0} for i in ids}
    if not ids:
        return counts
    for event_id, answer, number in session.execute(
            select(Invitation.event_id, Invitation.answer, func.count()).where(Invitation.event_id.in_(ids))
            .group_by(Invitation.event_id, Invitation.answer)):
        counts[event_id]["invited"] += number
        if answer == Answer.ACCEPTED:
            counts[event_id]["accepted"] += number
        elif answer == Answer.DECLINED:
            counts[event_id]["declined"] += number
    for event_id, number in session.execute(
            select(Attendance.event_id, func.count()).where(Attendance.event_id.in_(ids))
            .group_by(Attendance.event_id)):
        counts[event_id]["attended"] = number
    return counts
