"""Fixtures: a migrated database per test session (SQLite, or PostgreSQL with TEST_DATABASE_URL),
emptied after every test, and factories that return callables (``create_user(...)``)."""
from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from crm import create_app
from crm.extensions import db
from crm.models import Base, Role

PASSWORD = "richtig-langes-passwort"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _admin_url(url: str) -> str:
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database for this run; a private PostgreSQL database so parallel runs never collide."""
    pg = os.environ.get("TEST_DATABASE_URL")
    if not pg:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    name = f"bn_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_admin_url(pg), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_app(database_url: str, **extra: Any) -> Flask:
    config = {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key",
              "MAIL_SUPPRESS_SEND": False, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 1,
              "BILDUNGSNETZ_BASE_URL": "http://localhost",
              # Hashing is most of a login's time; production keeps scrypt (tests/test_security.py checks).
              "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
              # A changed landscape is recomputed at once (production waits for the data to rest).
              "COMPUTE_DEBOUNCE_SECONDS": 0}
    config.update(extra)
    return create_app(config)


@pytest.fixture(scope="session")
def _migrated(database_url: str) -> None:
    """The schema comes from the migrations, exactly as in production."""
    from flask_migrate import upgrade

    app = make_app(database_url)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _empty_all_tables() -> None:
    """Delete every row and restart the id sequences, so each test starts from the same state.

    On PostgreSQL one round trip of ``DELETE`` and ``ALTER SEQUENCE … RESTART`` takes about 15 ms;
    ``TRUNCATE … RESTART IDENTITY`` of the same tables took 200 ms (it makes new files for every
    table), which was a third of the PostgreSQL run."""
    tables = [t for t in reversed(Base.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        sequences = db.session.scalars(text(
            "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()")).all()
        statements = [f'DELETE FROM "{t.name}";' for t in tables]
        statements += [f'ALTER SEQUENCE "{s}" RESTART;' for s in sequences]
        db.session.connection().exec_driver_sql("".join(statements))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(database_url: str, _migrated: None) -> Iterator[Flask]:
    application = make_app(database_url)
    with application.app_context():
        from crm.services.landscape.vocabularies import seed_vocabularies

        seed_vocabularies(db.session)
        db.session.commit()
    yield application
    with application.app_context():
        db.session.remove()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


def run_worker(app: Flask) -> int:
    """What the background worker's "analysis" task does (``flask crm worker``), in this process:
    compute every due result; and, of its task "outbox", writing a survey round's personal links into
    the outbox (delivering is left to the tests). Returns how many results and links were made."""
    from crm.services.computed.runner import ComputeRunner
    from crm.services.surveys.sending import Sender

    with app.app_context():
        ran = Sender(db.session).run_until_idle()
        runner = ComputeRunner(db.session, "test-worker", debounce=0)
        ran += runner.run_until_idle()
        db.session.remove()
    return ran


class Client(FlaskClient):
    """A test client that behaves like a browser with forms: it sends the CSRF token it was given.

    Like a user who keeps a progress page open while the background worker computes, a GET that
    answers with a result still being computed (202, or ``X-Computed-Current: 0``: an older result
    while a newer one is computed) runs the worker once and asks again. ``follow_computing = False``
    shows the first answer (tests of the progress page)."""

    follow_computing = True

    def open(self, *args: Any, **kwargs: Any):  # type: ignore[override]
        response = super().open(*args, **kwargs)
        method = response.request.method.upper()
        for _ in range(3):
            computing = response.status_code == 202 or response.headers.get("X-Computed-Current") == "0"
            if not (self.follow_computing and method == "GET" and computing):
                break
            if not run_worker(self.application):
                break
            if response.history:   # a form's redirect led here: reload the page, do not post the form again
                response = super().open(response.request.url, follow_redirects=True)
            else:
                response = super().open(*args, **kwargs)
        return response

    def csrf_token(self) -> str:
        for path in ("/", "/anmelden"):
            match = CSRF_RE.search(self.get(path).get_data(as_text=True))
            if match:
                return match.group(1)
        raise AssertionError("no CSRF token found on / or /anmelden")

    def post_form(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)

    def login(self, email: str, password: str = PASSWORD):
        response = self.post_form("/anmelden", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response


@pytest.fixture
def client(app: Flask) -> Client:
    app.test_client_class = Client
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def create_user(app: Flask) -> Callable[..., Any]:
    from crm.services.accounts.users import create_user as service_create_user

    counter = iter(range(1, 10_000))

    def factory(role: Role | str = Role.COORDINATOR, email: str | None = None, name: str = "") -> Any:
        role = Role(role)
        with app.app_context():
            user = service_create_user(db.session, email or f"{role.value}{next(counter)}@test.example",
                                       PASSWORD, role, name or role.value.title())
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user

    return factory


@pytest.fixture
def login_as(client: Client, create_user: Callable[..., Any]) -> Callable[..., Client]:
    def do(role: Role | str = Role.COORDINATOR) -> Client:
        user = create_user(role)
        client.login(user.email)
        return client

    return do


@pytest.fixture
def create_actor(app: Flask) -> Callable[..., int]:
    from sqlalchemy import select

    from crm.models import ActorKind

    def factory(name: str = "Grundschule Olewig", kind: str | None = None, **values: Any) -> int:
        with app.app_context():
            query = select(ActorKind).order_by(ActorKind.sort_order)
            if kind:
                query = select(ActorKind).where(ActorKind.name == kind)
            actor_kind = db.session.scalars(query).first()
            from crm.services.landscape.actors import create_actor as service_create_actor

            actor = service_create_actor(db.session, {"name": name, "kind": actor_kind, **values})
            db.session.commit()
            return actor.id

    return factory


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop the session's one Chromium (``tests.browser``), if a browser test started it."""
    from tests.browser import CHROMIUM_SESSION

    CHROMIUM_SESSION.shutdown()
