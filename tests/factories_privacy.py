"""Builders for the privacy, API and XSS tests: persons with affiliations, events with invitations,
attendance and outbox mail, cooperations and initiatives — written straight to the models, because
the services of issues 3 and 4 are built in parallel."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from crm.extensions import db
from crm.models import (
    Actor,
    ActorKind,
    Affiliation,
    Answer,
    Attendance,
    Cooperation,
    CooperationType,
    Event,
    EventKind,
    Initiative,
    InitiativeKind,
    Invitation,
    LegalBasis,
    Membership,
    MembershipRole,
    OutboxMessage,
    Person,
    Topic,
)


def person(app, last_name: str = "Musterfrau", first_name: str = "Erika", email: str = "erika@schule.example",
           actor_id: int | None = None, legal_basis: LegalBasis = LegalBasis.PUBLIC_TASK, **values: Any) -> int:
    with app.app_context():
        p = Person(first_name=first_name, last_name=last_name, email=email, legal_basis=legal_basis, **values)
        db.session.add(p)
        db.session.flush()
        if actor_id is not None:
            db.session.add(Affiliation(person_id=p.id, actor_id=actor_id, function="Schulleitung",
                                       email=email.replace("@", ".dienst@") if email else "", phone="0651 9876543"))
        db.session.commit()
        return p.id


def event(app, title: str = "Bildungskonferenz 2026", starts_at: datetime | None = None, **values: Any) -> int:
    with app.app_context():
        kind = db.session.scalars(select(EventKind).order_by(EventKind.sort_order)).first()
        start = starts_at or datetime(2026, 3, 12, 9, tzinfo=UTC)
        e = Event(kind=kind, title=title, starts_at=start, ends_at=start + timedelta(hours=6), **values)
        db.session.add(e)
        db.session.commit()
        return e.id


def invite(app, event_id: int, person_id: int, actor_id: int | None = None, *, answer: Answer = Answer.ACCEPTED,
           comment: str = "", attended: bool = False, mail: bool = True) -> int:
    with app.app_context():
        p = db.session.get(Person, person_id)
        inv = Invitation(event_id=event_id, person_id=person_id, actor_id=actor_id, answer=answer, comment=comment,
                         invited_at=datetime.now(UTC), answered_at=datetime.now(UTC))
        db.session.add(inv)
        db.session.flush()
        if attended:
            db.session.add(Attendance(event_id=event_id, person_id=person_id, actor_id=actor_id))
        if mail:
            db.session.add(OutboxMessage(
                recipient=p.email, subject=f"Einladung für {p.first_name} {p.last_name}",
                body_text=f"Liebe {p.first_name} {p.last_name},\nwir laden Sie ein.",
                body_html=f"<p>Liebe {p.first_name} {p.last_name}</p>", headers={"To": p.email},
                attachments=[{"filename": "einladung.ics", "content": f"ATTENDEE:mailto:{p.email}"}],
                invitation_id=inv.id, category="invitation", last_error=f"550 {p.email} temporarily deferred"))
        db.session.commit()
        return inv.id


def cooperation(app, source_id: int, target_id: int, description: str = "", **values: Any) -> int:
    with app.app_context():
        ctype = db.session.scalars(select(CooperationType).order_by(CooperationType.sort_order)).first()
        c = Cooperation(source_id=source_id, target_id=target_id, type=ctype, intensity=2, description=description,
                        start_date=date(2024, 1, 1), **values)
        db.session.add(c)
        db.session.commit()
        return c.id


def initiative(app, name: str = "MINT-Lernen in Trier", actor_ids: tuple[int, ...] = (), **values: Any) -> int:
    with app.app_context():
        i = Initiative(name=name, kind=InitiativeKind.ALLIANCE, **values)
        topic = db.session.scalars(select(Topic).order_by(Topic.sort_order)).first()
        if topic is not None:
            i.topics.append(topic)
        db.session.add(i)
        db.session.flush()
        for n, actor_id in enumerate(actor_ids):
            db.session.add(Membership(initiative_id=i.id, actor_id=actor_id,
                                      role=MembershipRole.LEAD if n == 0 else MembershipRole.MEMBER,
                                      joined_on=date(2024, 1, 1)))
        db.session.commit()
        return i.id


def actor_kind_id(app) -> int:
    with app.app_context():
        return db.session.scalars(select(ActorKind.id).order_by(ActorKind.sort_order)).first()


def actor(app, name: str) -> Actor:
    with app.app_context():
        return db.session.scalars(select(Actor).where(Actor.name == name)).one()


def event_kind_id(app) -> int:
    with app.app_context():
        return db.session.scalars(select(EventKind.id).order_by(EventKind.sort_order)).first()
