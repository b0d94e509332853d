"""Retention review: persons without activity for ``RETENTION_YEARS`` are put before a coordinator.

Nothing is deleted automatically: a person may be inactive and still rightly kept (a
Schulleitung invited once a year). The coordinator decides per person: anonymise
(``crm.services.privacy.subject_rights.anonymise``) or keep; "keep" is recorded as an audit entry with
action ``review``, which counts as activity, so the person comes back only after another
``RETENTION_YEARS``.

Activity is the latest of: created, changed, ``last_activity_at`` (set by the event
services), an invitation sent or answered, an attendance, a consent given or withdrawn,
and the last review.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.models import Attendance, AuditEntry, Consent, Invitation, Person
from crm.models.base import utcnow
from crm.services.privacy import audit

REVIEW_ACTION = "review"


@dataclass(frozen=True)
class Candidate:
    person: Person
    last_activity: datetime


def _latest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def cutoff(years: int, now: datetime | None = None) -> datetime:
    now = now or utcnow()
    return now - timedelta(days=round(365.25 * years))


def last_activity(session: Session) -> dict[int, datetime | None]:
    """Person id → latest activity (see the module docstring), in a handful of grouped queries."""
    def grouped(column, key, *where):
        return dict(session.execute(select(key, func.max(column)).where(*where).group_by(key)).all())

    invited = grouped(Invitation.invited_at, Invitation.person_id)
    answered = grouped(Invitation.answered_at, Invitation.person_id)
    attended = grouped(Attendance.checked_in_at, Attendance.person_id)
    consented = grouped(Consent.given_at, Consent.person_id)
    withdrawn = grouped(Consent.withdrawn_at, Consent.person_id)
    reviewed = grouped(AuditEntry.created_at, AuditEntry.entity_id, AuditEntry.entity_type == "Person",
                       AuditEntry.action == REVIEW_ACTION)
    result = {}
    for pid, created, updated, activity in session.execute(
            select(Person.id, Person.created_at, Person.updated_at, Person.last_activity_at)
            .where(Person.is_anonymised.is_(False))):
        result[pid] = _latest(created, updated, activity, invited.get(pid), answered.get(pid), attended.get(pid),
                              consented.get(pid), withdrawn.get(pid), reviewed.get(pid))
    return result


def candidates(session: Session, years: int, now: datetime | None = None) -> list[Candidate]:
    """Persons (not anonymised) whose last activity is older than ``years``, oldest first."""
    limit = cutoff(years, now)
    activity = last_activity(session)
    due = {pid: when for pid, when in activity.items() if when is not None and when < limit}
    ids = list(due)
    persons = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))} if ids else {}
    found = [Candidate(persons[pid], due[pid]) for pid in ids if pid in persons]
    return sorted(found, key=lambda c: (c.last_activity, c.person.last_name, c.person.id))


def keep(session: Session, person: Person, reason: str = "") -> None:
    """The coordinator decided to keep the person: recorded, and counts as activity."""
    reason = (reason or "").strip()[:200]
    audit.record(session, REVIEW_ACTION, person, "Aufbewahrung geprüft: behalten",
                 {"reason": reason} if reason else {})
    session.flush()
