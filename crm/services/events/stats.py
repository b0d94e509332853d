"""Event statistics: invited, answered, accepted, attended and no-shows, by actor kind and area.

Counts only, never names: the statistics page is open to read-only users (VIEW_EVENTS), who
may not see personal data. A guest counts for the actor of the invitation (walk-ins for the
actor named at the door); "no-show" is an acceptance without attendance.

Who counts as invited: everyone whose invitation mail went out, *and* everyone with an answer,
however it was recorded. An organiser who phones round before the mail goes out and notes
three acceptances has three guests, and the counters and the door list must say so
(``is_counted``), not 0/0/0/0 until the mail is sent.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from crm.models import Actor, Answer, Attendance, Event, Invitation

NO_ACTOR = "ohne Akteur"
NO_AREA = "ohne Gebiet"


@dataclass
class Figures:
    invited: int = 0
    answered: int = 0
    accepted: int = 0
    tentative: int = 0
    declined: int = 0
    waitlisted: int = 0
    attended: int = 0
    no_shows: int = 0
    walk_ins: int = 0

    @property
    def answer_rate(self) -> float:
        return self.answered / self.invited if self.invited else 0.0

    @property
    def show_rate(self) -> float:
        return (self.accepted - self.no_shows) / self.accepted if self.accepted else 0.0


LABELS = {
    "invited": "eingeladen", "answered": "geantwortet", "accepted": "zugesagt", "tentative": "vielleicht",
    "declined": "abgesagt", "waitlisted": "Warteliste", "attended": "teilgenommen", "no_shows": "nicht erschienen",
    "walk_ins": "ohne Einladung",
}
COLUMNS = tuple(f.name for f in fields(Figures))


@dataclass
class Statistics:
    total: Figures
    by_kind: list[tuple[str, Figures]] = field(default_factory=list)
    by_area: list[tuple[str, Figures]] = field(default_factory=list)


def is_counted() -> Any:
    """SQL: an invitation that counts as a guest (sent, or answered in any way)."""
    return or_(Invitation.invited_at.is_not(None), Invitation.answer != Answer.PENDING)


Tally = dict[tuple[Answer, bool], int]


def tally(session: Session, event: Event) -> Tally:
    """The event's invitations counted by (answer, mail sent) in one aggregate query: the counters,
    the number of unsent invitations and the length of the table all come from it."""
    sent = Invitation.invited_at.is_not(None)
    return {(Answer(answer), bool(is_sent)): number for answer, is_sent, number in session.execute(
        select(Invitation.answer, sent, func.count()).where(Invitation.event_id == event.id)
        .group_by(Invitation.answer, sent))}


def summary(session: Session, event: Event, counts: Tally | None = None) -> Figures:
    """The event page's counters in three aggregate queries (two with ``counts`` from ``tally``),
    whatever the number of invitations."""
    figures = Figures()
    counts = tally(session, event) if counts is None else counts
    names = {Answer.ACCEPTED: "accepted", Answer.TENTATIVE: "tentative", Answer.DECLINED: "declined",
             Answer.WAITLISTED: "waitlisted"}
    for (answer, is_sent), number in counts.items():
        if not is_sent and answer == Answer.PENDING:
            continue  # on the list, neither sent nor answered: not (yet) a guest
        figures.invited += number
        if answer != Answer.PENDING:
            figures.answered += number
        if answer in names:
            setattr(figures, names[answer], getattr(figures, names[answer]) + number)
    counted = is_counted()
    present = select(Attendance.person_id).where(Attendance.event_id == event.id)
    figures.no_shows = session.scalar(select(func.count()).select_from(Invitation).where(
        Invitation.event_id == event.id, Invitation.answer == Answer.ACCEPTED,
        Invitation.person_id.not_in(present))) or 0
    guests = select(Invitation.person_id).where(Invitation.event_id == event.id, counted)
    attended, walk_ins = session.execute(
        select(func.count(), func.count().filter(Attendance.person_id.not_in(guests)))
        .select_from(Attendance).where(Attendance.event_id == event.id)).one()
    figures.attended, figures.walk_ins = attended or 0, walk_ins or 0
    return figures


def _kind(actor: Actor | None) -> str:
    return actor.kind.name if actor is not None and actor.kind is not None else NO_ACTOR


def _area(actor: Actor | None) -> str:
    if actor is None:
        return NO_ACTOR
    return actor.area.full_name if actor.area is not None else NO_AREA


def for_event(session: Session, event: Event) -> Statistics:
    actor_options = (selectinload(Actor.kind), selectinload(Actor.area))
    invitations = list(session.scalars(
        select(Invitation).where(Invitation.event_id == event.id, is_counted())
        .options(selectinload(Invitation.actor).options(*actor_options))))
    attendances = list(session.scalars(
        select(Attendance).where(Attendance.event_id == event.id)
        .options(selectinload(Attendance.actor).options(*actor_options))))
    present = {a.person_id: a for a in attendances}
    total = Figures()
    kinds: dict[str, Figures] = {}
    areas: dict[str, Figures] = {}

    def bump(actor: Actor | None, name: str) -> None:
        for figures in (total, kinds.setdefault(_kind(actor), Figures()), areas.setdefault(_area(actor), Figures())):
            setattr(figures, name, getattr(figures, name) + 1)

    invited_people = set()
    for invitation in invitations:
        invited_people.add(invitation.person_id)
        actor = invitation.actor
        bump(actor, "invited")
        if invitation.answer != Answer.PENDING:
            bump(actor, "answered")
        if invitation.answer == Answer.ACCEPTED:
            bump(actor, "accepted")
            if invitation.person_id not in present:
                bump(actor, "no_shows")
        elif invitation.answer == Answer.TENTATIVE:
            bump(actor, "tentative")
        elif invitation.answer == Answer.DECLINED:
            bump(actor, "declined")
        elif invitation.answer == Answer.WAITLISTED:
            bump(actor, "waitlisted")
        if invitation.person_id in present:
            bump(actor, "attended")
    for attendance in attendances:
        if attendance.person_id not in invited_people:
            bump(attendance.actor, "attended")
            bump(attendance.actor, "walk_ins")

    def ordered(groups: dict[str, Figures]) -> list[tuple[str, Figures]]:
        return sorted(groups.items(), key=lambda kv: (kv[0] in (NO_ACTOR, NO_AREA), -kv[1].invited,
                                                      -kv[1].attended, kv[0]))

    return Statistics(total, ordered(kinds), ordered(areas))
