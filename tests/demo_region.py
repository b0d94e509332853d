"""A module-scoped app with the demo region loaded once (loading and analysing it per test
would be slow), plus the personal data that must never show up on dashboard or report."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy import select

from crm.extensions import db
from crm.models import Actor, ActorKind, Affiliation, Person, Role
from tests.conftest import PASSWORD, Client, _empty_all_tables, make_app


@dataclass
class DemoRegion:
    app: Flask
    today: date
    emails: dict[Role, str]
    clients: dict[Role, Client] = field(default_factory=dict)

    def client(self, role: Role | None = Role.VIEWER) -> Client:
        """A logged-in client per role, kept for the module (the login rate limit counts every login)."""
        if role is not None and role in self.clients:
            return self.clients[role]
        self.app.test_client_class = Client
        client: Client = self.app.test_client()  # type: ignore[assignment]
        if role is not None:
            client.login(self.emails[role], PASSWORD)
            self.clients[role] = client
        return client


def demo_region_fixture(database_url: str, **config: Any) -> Iterator[DemoRegion]:
    from crm.demo.generator import load_demo
    from crm.services.accounts.users import create_user
    from crm.services.privacy import audit

    app = make_app(database_url, **config)
    today = date.today()
    emails = {role: f"demo-{role.value}@test.example" for role in Role}
    with app.app_context():
        with audit.suppressed():
            load_demo(db.session, today=today)
        for role, email in emails.items():
            create_user(db.session, email, PASSWORD, role, role.value.title())
        db.session.commit()
    try:
        yield DemoRegion(app, today, emails)
    finally:
        with app.app_context():
            db.session.remove()
            _empty_all_tables()
            db.session.remove()
            db.engine.dispose()


def personal_data(app: Flask) -> dict[str, set[str]]:
    """E-mail addresses, phone numbers and full names of every person in the demo data.

    ``names`` leaves out the people who are themselves an individual actor ("Gisela Wendt" of
    the actor "Gisela Wendt (Lernbegleiterin)"): as an actor her name is landscape data that
    every role reads (crm/services/landscape/naming.py); ``individual_names`` lists them, for documents
    that must not name them either (the public council report)."""
    with app.app_context():
        people = db.session.scalars(select(Person)).all()
        affiliations = db.session.scalars(select(Affiliation)).all()
        emails = {p.email for p in people if p.email} | {a.email for a in affiliations if a.email}
        phones = {p.phone for p in people if p.phone} | {a.phone for a in affiliations if a.phone}
        actors = db.session.scalars(select(Actor).join(ActorKind, ActorKind.id == Actor.kind_id)
                                    .where(ActorKind.is_individual.is_(True))).all()
        all_names = {f"{p.first_name} {p.last_name}" for p in people if p.first_name and p.last_name}
        individual = {n for n in all_names if any(n in a.name for a in actors)}
    return {"emails": emails, "phones": phones, "names": all_names - individual,
            "individual_names": individual}

