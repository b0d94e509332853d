"""Sessions that really end (logout and a new password end copied cookies), API tokens that open
the API only, the Secure cookie behind TLS, JSON problems on JSON routes, OPTIONS on the API, and
token links kept out of the log."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import Role, User
from crm.services.accounts import api_tokens
from crm.services.accounts.users import verify_password
from tests import factories_privacy as f
from tests.conftest import PASSWORD


@pytest.fixture
def admin_token(app, create_user):
    user = create_user(Role.ADMIN)
    with app.app_context():
        secret = api_tokens.create_token(db.session, db.session.get(User, user.id), "Test").secret
        db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _client(app):
    from tests.conftest import Client

    app.test_client_class = Client
    return app.test_client()


def _copy_cookie(source, target) -> None:
    cookie = source.get_cookie("bildungsnetz_session")
    assert cookie is not None
    target.set_cookie("bildungsnetz_session", cookie.value)


# --- API tokens open the API, nothing else --------------------------------------------------------

@pytest.mark.parametrize("path", ["/admin/admin_users/", "/export/personen.csv", "/konto/tokens", "/", "/akteure/",
                                  "/datenschutz/personen/{person}/auskunft.json", "/datenschutz/aufbewahrung"])
def test_api_token_is_no_key_to_the_pages(app, client, admin_token, path) -> None:
    person_id = f.person(app)
    response = client.get(path.format(person=person_id), headers=admin_token)
    assert response.status_code in (302, 401), (path, response.status_code)
    if response.status_code == 302:
        assert "/anmelden" in response.headers["Location"]
    # The same token works on the API.
    assert client.get("/api/v1/persons", headers=admin_token).status_code == 200


def test_token_request_on_a_page_keeps_the_session_limits(app, client, create_user, admin_token) -> None:
    """A bearer header does not lift the idle limit of a browser session on the pages."""
    import time

    from crm.security import SEEN_AT

    client.login(create_user(Role.VIEWER).email)
    with client.session_transaction() as session:
        session[SEEN_AT] = time.time() - 3600 - 5
    response = client.get("/akteure/", headers=admin_token)
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]
    assert client.get("/akteure/").status_code == 302  # and the session stays ended


# --- logout and new passwords end copied cookies --------------------------------------------------

def test_replayed_cookie_after_logout_gets_the_login_page(app, create_user) -> None:
    user = create_user(Role.COORDINATOR)
    browser, thief = _client(app), _client(app)
    browser.login(user.email)
    _copy_cookie(browser, thief)
    assert thief.get("/akteure/").status_code == 200  # the copy works while the session lives …
    assert browser.post_form("/abmelden").status_code == 302
    response = thief.get("/akteure/")  # … and ends with the logout
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]
    assert thief.get("/api/v1/actors").status_code == 401
    # Logging in again starts a new, working session.
    browser.login(user.email)
    assert browser.get("/akteure/").status_code == 200


def test_own_password_change_ends_other_sessions_and_keeps_this_one(app, create_user) -> None:
    user = create_user(Role.VIEWER)
    here, elsewhere = _client(app), _client(app)
    here.login(user.email)
    elsewhere.login(user.email)
    page = here.get("/konto/passwort")
    assert page.status_code == 200 and "Passwort ändern" in page.get_data(as_text=True)
    new = "Lesen und Rechnen am Moselufer"
    response = here.post_form("/konto/passwort", {"current": PASSWORD, "new": new, "repeat": new})
    assert response.status_code == 302
    assert "Alle anderen Anmeldungen" in here.get(response.headers["Location"]).get_data(as_text=True)
    assert here.get("/akteure/").status_code == 200
    assert elsewhere.get("/akteure/").status_code == 302
    fresh = _client(app)
    assert fresh.post_form("/anmelden", {"email": user.email, "password": PASSWORD}).status_code == 401
    fresh.login(user.email, new)


@pytest.mark.parametrize("data,message", [
    ({"current": "falsch-falsch", "new": "Lesen und Rechnen", "repeat": "Lesen und Rechnen"},
     "bisherige Passwort stimmt nicht"),
    ({"current": PASSWORD, "new": "passwort123", "repeat": "passwort123"}, "zu leicht zu erraten"),
    ({"current": PASSWORD, "new": "Lesen und Rechnen", "repeat": "Lesen und Schreiben"}, "stimmen nicht überein"),
])
def test_password_change_refusals(app, create_user, data, message) -> None:
    user = create_user(Role.VIEWER)
    client = _client(app)
    client.login(user.email)
    response = client.post_form("/konto/passwort", data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with app.app_context():
        assert verify_password(db.session.get(User, user.id), PASSWORD)


def test_admin_sets_a_password_and_the_users_sessions_end(app, create_user, login_as) -> None:
    from tests.test_admin import _token

    user = create_user(Role.ORGANISER)
    victim = _client(app)
    victim.login(user.email)
    admin = login_as(Role.ADMIN)
    page = admin.get(f"/admin/admin_users/edit/?id={user.id}").get_data(as_text=True)
    response = admin.post(f"/admin/admin_users/edit/?id={user.id}", data={
        "csrf_token": _token(page), "email": user.email, "name": "Olga", "role": "organiser", "is_enabled": "y",
        "locale": "", "new_password": "Ein neues langes Passwort"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert victim.get("/").status_code == 302
    assert admin.get("/admin/admin_users/").status_code == 200  # the administrator stays logged in


def test_epoch_changes_are_not_audited_as_edits(app, create_user) -> None:
    from crm.models import AuditEntry

    user = create_user(Role.VIEWER)
    client = _client(app)
    client.login(user.email)
    client.post_form("/abmelden")
    with app.app_context():
        assert db.session.get(User, user.id).session_epoch == 1
        assert not db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "User",
                                                               AuditEntry.action == "update")).all()


# --- the Secure flag ------------------------------------------------------------------------------

def _session_cookie(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("bildungsnetz_session="))


@pytest.mark.parametrize("config", [{"PROXY_FIX": True}, {"HSTS_ENABLED": True}])
def test_session_cookie_is_secure_behind_tls_settings(database_url, create_user, config) -> None:
    from tests.conftest import Client, make_app

    user = create_user(Role.VIEWER)
    application = make_app(database_url, **config)
    application.test_client_class = Client
    try:
        assert application.config["SESSION_COOKIE_SECURE"] is True
        client = application.test_client()
        assert "Secure" in _session_cookie(client.login(user.email))
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def test_session_cookie_is_secure_over_https_without_settings(app, client, create_user) -> None:
    assert not app.config["SESSION_COOKIE_SECURE"]
    over_https = _client(app).get("/anmelden", base_url="https://bn.example")  # the CSRF token opens a session
    assert "Secure" in _session_cookie(over_https)
    plain = client.login(create_user(Role.VIEWER).email)
    assert "Secure" not in _session_cookie(plain)


# --- JSON routes answer JSON; OPTIONS on the API ---------------------------------------------------

@pytest.mark.parametrize("path", ["/personen/suche.json?q=a", "/datenschutz/personen/{person}/auskunft.json"])
def test_json_routes_answer_problem_json(app, login_as, client, path) -> None:
    person_id = f.person(app)
    url = path.format(person=person_id)
    anonymous = client.get(url)
    assert anonymous.status_code == 401 and anonymous.content_type == "application/problem+json"
    viewer = login_as(Role.VIEWER)
    response = viewer.get(url)
    assert response.status_code == 403 and response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 403 and body["title"] == "Keine Berechtigung"
    missing = viewer.get("/akteure/999999.json")
    assert missing.status_code == 404 and missing.content_type == "application/problem+json"


def test_options_on_the_api_is_204_with_allow(client, admin_token) -> None:
    for headers in ({}, admin_token):
        response = client.options("/api/v1/actors", headers=headers)
        assert response.status_code == 204 and response.get_data() == b""
        assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
        assert "text/html" not in response.headers.get("Content-Type", "")
    response = client.options("/api/v1/actors/1")
    assert set(response.headers["Allow"].split(", ")) == {"DELETE", "GET", "HEAD", "OPTIONS", "PATCH"}


# --- token links never reach the log ----------------------------------------------------------------

def test_token_links_are_redacted_in_the_log(app, client, monkeypatch, caplog) -> None:
    from crm.services.privacy import consent

    person_id = f.person(app)
    with app.test_request_context():
        path = consent.withdrawal_url(person_id).removeprefix("http://localhost")
    token = path.rsplit("/", 1)[1]

    def boom(*args, **kwargs):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(consent, "read_withdrawal_token", boom)
    with caplog.at_level(logging.ERROR, logger="crm"):
        response = client.get(path)
    assert response.status_code == 500
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Unhandled error on GET /einwilligung/widerruf/[Token entfernt]" in logged
    assert token not in logged
    # Any other log line that names such a link (the dev server's access log, gunicorn's) is cleaned too.
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '"%s" %s',
                               (f"GET /antwort/{token} HTTP/1.1", 200), None)
    for flt in logging.getLogger("werkzeug").filters:
        flt.filter(record)
    assert token not in record.getMessage() and "/antwort/[Token entfernt]" in record.getMessage()
