"""Builders for the coordinator-workspace tests (directory, actor page, cooperations, persons,
initiatives, duplicates, merge): plain functions that write through the models and return ids."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from crm.extensions import db
from crm.models import (
    Actor,
    ActorKind,
    Affiliation,
    Answer,
    Area,
    Attendance,
    Cooperation,
    CooperationType,
    Event,
    EventKind,
    Initiative,
    InitiativeKind,
    Invitation,
    LifeStage,
    Membership,
    MembershipRole,
    Person,
    Topic,
)

VERSION_RE = re.compile(r'name="version_id"[^>]*value="(\d+)"')
FINGERPRINT_RE = re.compile(r'name="fingerprint"[^>]*value="([0-9a-f]+)"')


def kind_id(app, name: str = "Grundschule") -> int:
    with app.app_context():
        return db.session.scalars(select(ActorKind.id).where(ActorKind.name == name)).one()


def ctype_id(app, name: str = "Kooperationsvertrag") -> int:
    with app.app_context():
        return db.session.scalars(select(CooperationType.id).where(CooperationType.name == name)).one()


def topic_id(app, name: str = "MINT") -> int:
    with app.app_context():
        return db.session.scalars(select(Topic.id).where(Topic.name == name)).one()


def stage_id(app, code: str = "primar") -> int:
    with app.app_context():
        return db.session.scalars(select(LifeStage.id).where(LifeStage.code == code)).one()


def area(app, name: str, parent_id: int | None = None) -> int:
    with app.app_context():
        row = Area(name=name, parent_id=parent_id)
        db.session.add(row)
        db.session.commit()
        return row.id


def actor(app, name: str, kind: str = "Grundschule", **values: Any) -> int:
    """An actor straight in the model; ``topics``/``life_stages`` as lists of names/codes."""
    with app.app_context():
        topics = values.pop("topics", [])
        stages = values.pop("life_stages", [])
        row = Actor(name=name, kind=db.session.scalars(select(ActorKind).where(ActorKind.name == kind)).one(),
                    **values)
        row.topics = list(db.session.scalars(select(Topic).where(Topic.name.in_(topics)))) if topics else []
        row.life_stages = (list(db.session.scalars(select(LifeStage).where(LifeStage.code.in_(stages))))
                           if stages else [])
        db.session.add(row)
        db.session.commit()
        return row.id


def cooperation(app, source_id: int, target_id: int, ctype: str = "Kooperationsvertrag",
                start: date | None = date(2024, 1, 1), end: date | None = None, **values: Any) -> int:
    with app.app_context():
        topics = values.pop("topics", [])
        kind = db.session.scalars(select(CooperationType).where(CooperationType.name == ctype)).one()
        row = Cooperation(source_id=source_id, target_id=target_id, intensity=values.pop("intensity", 2), type=kind,
                          is_directed=kind.is_directed, start_date=start, end_date=end, **values)
        row.topics = list(db.session.scalars(select(Topic).where(Topic.name.in_(topics)))) if topics else []
        db.session.add(row)
        db.session.commit()
        return row.id


def person(app, last_name: str, first_name: str = "", email: str = "", actor_id: int | None = None,
           function: str = "Schulleitung", **values: Any) -> int:
    with app.app_context():
        row = Person(last_name=last_name, first_name=first_name, email=email, **values)
        db.session.add(row)
        db.session.flush()
        if actor_id is not None:
            db.session.add(Affiliation(person_id=row.id, actor_id=actor_id, function=function))
        db.session.commit()
        return row.id


def initiative(app, name: str, members: tuple[tuple[int, MembershipRole], ...] = (), **values: Any) -> int:
    with app.app_context():
        row = Initiative(name=name, kind=values.pop("kind", InitiativeKind.ALLIANCE), **values)
        db.session.add(row)
        db.session.flush()
        for actor_id, role in members:
            db.session.add(Membership(initiative_id=row.id, actor_id=actor_id, role=role, joined_on=date(2024, 1, 1)))
        db.session.commit()
        return row.id


def event(app, title: str = "Bildungskonferenz 2025", starts_at: datetime | None = None) -> int:
    with app.app_context():
        start = starts_at or datetime(2025, 3, 12, 9, tzinfo=UTC)
        kind = db.session.scalars(select(EventKind).order_by(EventKind.sort_order)).first()
        row = Event(kind=kind, title=title, starts_at=start, ends_at=start + timedelta(hours=4))
        db.session.add(row)
        db.session.commit()
        return row.id


def invite(app, event_id: int, person_id: int, actor_id: int | None = None, answer: Answer = Answer.PENDING,
           attended: bool = False, **values: Any) -> int:
    with app.app_context():
        row = Invitation(event_id=event_id, person_id=person_id, actor_id=actor_id, answer=answer, **values)
        db.session.add(row)
        if attended:
            db.session.add(Attendance(event_id=event_id, person_id=person_id, actor_id=actor_id))
        db.session.commit()
        return row.id


def version_in(page: str) -> str:
    return VERSION_RE.search(page).group(1)


def get(app, model: Any, object_id: int) -> Any:
    """A fresh copy of one row (its own app context, detached: read attributes only)."""
    with app.app_context():
        obj = db.session.get(model, object_id)
        if obj is not None:
            db.session.expunge(obj)
        return obj
