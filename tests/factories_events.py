"""Builders for the event, outbox and answer tests: a small landscape written through the models,
events through the service, and a worker bound to a given SMTP port and clock."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from crm.extensions import db
from crm.models import (
    Actor,
    ActorKind,
    Affiliation,
    Area,
    Consent,
    ConsentPurpose,
    Event,
    EventKind,
    Initiative,
    Invitation,
    LegalBasis,
    LifeStage,
    Membership,
    Person,
    Topic,
)
from crm.services.events import events as event_service

LINK_RE = re.compile(r"https?://\S+/antwort/[A-Za-z0-9_.\-]+")
OPT_OUT_RE = re.compile(r"https?://\S+/einwilligung/widerruf/[A-Za-z0-9_.\-]+")


def vocabulary(model: Any, name: str | None = None) -> Any:
    query = select(model)
    if name:
        query = query.where(model.name == name)
    return db.session.scalars(query.order_by(model.id)).first()


def actor(name: str, kind: str | None = None, area: Area | None = None, topics: list[str] = (),
          life_stages: list[str] = ()) -> Actor:
    kind_row = vocabulary(ActorKind, kind) if kind else vocabulary(ActorKind)
    assert kind_row is not None, kind
    row = Actor(name=name, kind=kind_row, area=area,
                topics=[vocabulary(Topic, t) for t in topics],
                life_stages=[vocabulary(LifeStage, s) for s in life_stages])
    db.session.add(row)
    db.session.flush()
    return row


def person(last_name: str, first_name: str = "Erika", email: str | None = None, at: Actor | None = None,
           salutation: str = "Frau", legal_basis: LegalBasis = LegalBasis.PUBLIC_TASK,
           from_date: date | None = None, to_date: date | None = None, work_email: str = "", **values: Any) -> Person:
    if email is None:
        email = f"{first_name}.{last_name}@schule.example".lower().replace(" ", "")
    row = Person(first_name=first_name, last_name=last_name, email=email, salutation=salutation,
                 legal_basis=legal_basis, **values)
    db.session.add(row)
    db.session.flush()
    if at is not None:
        db.session.add(Affiliation(person_id=row.id, actor_id=at.id, function="Schulleitung", email=work_email,
                                   from_date=from_date, to_date=to_date))
        db.session.flush()
    return row


def consent_for(p: Person, purpose: ConsentPurpose = ConsentPurpose.INVITATIONS) -> None:
    db.session.add(Consent(person_id=p.id, purpose=purpose, method="Formular"))
    db.session.flush()


def area(name: str, parent: Area | None = None) -> Area:
    row = Area(name=name, parent=parent)
    db.session.add(row)
    db.session.flush()
    return row


def initiative(name: str, members: list[Actor]) -> Initiative:
    row = Initiative(name=name)
    db.session.add(row)
    db.session.flush()
    for member in members:
        db.session.add(Membership(initiative_id=row.id, actor_id=member.id))
    db.session.flush()
    return row


def event(title: str = "Bildungsgespräch MINT", days_ahead: int = 30, hours: tuple[int, int] = (15, 17),
          capacity: int | None = None, deadline_days_before: int | None = 7, **values: Any) -> Event:
    day = date.today() + timedelta(days=days_ahead)
    starts = event_service.local_to_utc(day, time(hours[0]))
    ends = event_service.local_to_utc(day, time(hours[1]))
    deadline = None
    if deadline_days_before is not None:
        deadline = event_service.local_to_utc(day - timedelta(days=deadline_days_before), time(23, 59))
    data = {"kind": vocabulary(EventKind), "title": title, "description": "Kurzimpulse, Austausch; Verabredungen.",
            "starts_at": starts, "ends_at": ends, "place": "Rathaus Trier, Großer Saal", "online_url": "",
            "capacity": capacity, "answer_deadline": deadline, "initiative": None, "topics": [],
            "contact_name": "Otto Organisation", "contact_email": "otto@bildungsbuero.example"}
    data.update(values)
    return event_service.create_event(db.session, data)


def invite(ev: Event, *persons: Person) -> list[Invitation]:
    rows = []
    for p in persons:
        actor_id = p.affiliations[0].actor_id if p.affiliations else None
        row = Invitation(event_id=ev.id, person_id=p.id, actor_id=actor_id)
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


@dataclass
class Clock:
    """A clock the test moves forward instead of sleeping."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


def clock() -> Clock:
    return Clock(datetime.now(UTC) + timedelta(seconds=1))  # messages queued just after are due


def worker(name: str = "w1", clock_fn: Callable[[], datetime] | None = None, **options: Any):
    from crm.services.mail.outbox import Worker

    return Worker(db.session, name, clock=clock_fn or (lambda: datetime.now(UTC)), **options)


def answer_links(text: str) -> list[str]:
    return LINK_RE.findall(text)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]
