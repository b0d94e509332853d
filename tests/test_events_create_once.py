"""Double submits and races: the "new event" form creates its event once – a double click on
"Speichern", a resent request and five identical submits at the same moment – and never
answers 500."""
from __future__ import annotations

import re
import threading

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Event, EventKind, Role
from tests import factories_events as f
from tests.conftest import CSRF_RE

TOKEN_RE = re.compile(r'name="creation_token"[^>]*value="([0-9a-f]{32})"')


def _filled_form(app, page: str) -> dict[str, str]:
    with app.app_context():
        kind = f.vocabulary(EventKind, "Bildungskonferenz").id
    return {"csrf_token": CSRF_RE.search(page).group(1), "creation_token": TOKEN_RE.search(page).group(1),
            "kind": str(kind), "title": "Bildungskonferenz Trier 2026", "start_date": "2026-12-03",
            "start_time": "09:00", "end_time": "16:00", "place": "Europahalle Trier"}


def _events(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Event)) or 0


def test_a_double_click_on_save_creates_the_event_once(app, login_as) -> None:
    client = login_as(Role.ORGANISER)
    page = client.get("/veranstaltungen/neu").get_data(as_text=True)
    assert 'data-once' in page and "confirm-once.js" in page  # the browser sends one request ...
    data = _filled_form(app, page)
    first = client.post("/veranstaltungen/neu", data=data)
    second = client.post("/veranstaltungen/neu", data=data)  # ... and the server keeps one if two arrive
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _events(app) == 1
    shown = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "war mit diesem Formular schon angelegt" in shown
    # A new form is a new event.
    again = _filled_form(app, client.get("/veranstaltungen/neu").get_data(as_text=True))
    assert client.post("/veranstaltungen/neu", data=again).status_code == 302
    assert _events(app) == 2


def test_five_identical_submits_at_the_same_moment_create_one_event(app, login_as) -> None:
    client = login_as(Role.ORGANISER)
    data = _filled_form(app, client.get("/veranstaltungen/neu").get_data(as_text=True))
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    start = threading.Barrier(5)
    answers: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            other = app.test_client()
            other.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie.value)
            start.wait(timeout=10)
            response = other.post("/veranstaltungen/neu", data=data)
            answers.append((response.status_code, response.headers.get("Location", "")))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert [status for status, _location in answers] == [302] * 5
    assert len({location for _status, location in answers}) == 1
    assert _events(app) == 1


def test_a_form_without_a_token_still_creates_its_event(app, login_as) -> None:
    """A bookmarked or scripted form from before the tokens is not refused."""
    client = login_as(Role.ORGANISER)
    data = _filled_form(app, client.get("/veranstaltungen/neu").get_data(as_text=True))
    for token in ("", "kein-token"):
        assert client.post("/veranstaltungen/neu", data=dict(data, creation_token=token)).status_code == 302
    assert _events(app) == 2
