"""Hardening: security headers on every kind of response, cookies, sessions that end, login lock-out
and rate limit, password policy, and the read-only, date-filterable audit log."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import AuditEntry, Role, User
from crm.models.base import utcnow
from crm.security import LOGIN_AT, SEEN_AT
from crm.services.accounts.users import check_password_policy
from crm.services.errors import ServiceError
from tests.conftest import PASSWORD


@pytest.fixture
def other_app(database_url):
    """Apps with other settings; their connection pools are closed afterwards (PostgreSQL warns otherwise)."""
    from tests.conftest import Client, make_app

    made = []

    def make(**config):
        application = make_app(database_url, **config)
        application.test_client_class = Client
        made.append(application)
        return application

    yield make
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
                    "Permissions-Policy")


def _assert_headers(response) -> None:
    for header in SECURITY_HEADERS:
        assert header in response.headers, (response.request.path, header)
    csp = response.headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split("; ") if d.startswith("script-src "))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src and "'nonce-" in script_src
    assert "frame-ancestors 'self'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_headers_on_html_json_static_and_error_responses(app, client, login_as, create_actor) -> None:
    anonymous = [client.get("/anmelden"), client.get("/static/css/app.css"), client.get("/api/v1/openapi.json"),
                 client.get("/api/v1/actors"), client.get("/gibt-es-nicht"),
                 client.get("/static/vendor/bootstrap/bootstrap.bundle.min.js")]
    assert [r.status_code for r in anonymous] == [200, 200, 200, 401, 404, 200]
    for response in anonymous:
        _assert_headers(response)
        response.close()  # static files are streamed
    logged_in = login_as(Role.ADMIN)
    actor_id = create_actor("Kita St. Anna")
    for url in ("/", f"/akteure/{actor_id}", "/admin/", "/admin/admin_audit/", "/konto/tokens",
                f"/api/v1/actors/{actor_id}"):
        response = logged_in.get(url)
        assert response.status_code == 200, url
        _assert_headers(response)
        assert response.headers["Cache-Control"] == "no-store"  # personal data stays out of caches
    assert "Strict-Transport-Security" not in logged_in.get("/").headers  # plain HTTP: no HSTS


def test_each_response_gets_a_fresh_nonce_and_pages_use_it(app, login_as) -> None:
    client = login_as(Role.ADMIN)
    first, second = client.get("/admin/admin_users/new/"), client.get("/admin/admin_users/new/")
    nonce = lambda r: r.headers["Content-Security-Policy"].split("'nonce-", 1)[1].split("'", 1)[0]  # noqa: E731
    assert nonce(first) != nonce(second)
    page = first.get_data(as_text=True)
    assert f'nonce="{nonce(first)}"' in page  # Flask-Admin's scripts carry the nonce
    # Our own pages have no inline script at all, and no inline event handlers.
    own = client.get("/").get_data(as_text=True)
    assert "<script>" not in own and " onclick=" not in own and " onload=" not in own


def test_hsts_only_behind_tls_or_when_configured(app, client, other_app) -> None:
    assert "Strict-Transport-Security" not in client.get("/anmelden").headers
    secure = client.get("/anmelden", base_url="https://bildungsnetz.example")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    forced = other_app(HSTS_ENABLED=True, HSTS_MAX_AGE=600)
    assert forced.test_client().get("/anmelden").headers["Strict-Transport-Security"].startswith("max-age=600")
    proxied = other_app(PROXY_FIX=True)
    response = proxied.test_client().get("/anmelden", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers


def test_session_cookie_flags(app, client, create_user, other_app) -> None:
    user = create_user(Role.VIEWER)
    response = client.login(user.email)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("bildungsnetz_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "Expires" not in cookie  # without "Angemeldet bleiben" the cookie ends with the browser
    assert not any(h.startswith("remember_token=") and "Max-Age=0" not in h
                   for h in response.headers.getlist("Set-Cookie"))
    secure_client = other_app(SESSION_COOKIE_SECURE=True).test_client()
    secure_response = secure_client.post("/anmelden", base_url="https://bn.example", data={
        "csrf_token": "x", "email": user.email, "password": PASSWORD})
    cookies = secure_response.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c for c in cookies)


def test_remember_me_is_a_persistent_session_cookie_without_remember_token(app, client, create_user) -> None:
    user = create_user(Role.VIEWER)
    response = client.post_form("/anmelden", {"email": user.email, "password": PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("bildungsnetz_session="))
    assert "Expires" in session_cookie
    assert not any(c.startswith("remember_token=") and "Max-Age=0" not in c for c in cookies)


def test_session_ends_after_the_absolute_lifetime_even_when_active(app, client, create_user) -> None:
    client.login(create_user(Role.VIEWER).email)
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        session[LOGIN_AT] = time.time() - 8 * 3600 - 5   # logged in more than 8 h ago …
        session[SEEN_AT] = time.time() - 10              # … though active a moment ago
    response = client.get("/")
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]
    assert "Ihre Anmeldung ist abgelaufen" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get("/").status_code == 302  # and it stays ended


def test_session_ends_after_idle_time(app, client, create_user) -> None:
    client.login(create_user(Role.VIEWER).email)
    with client.session_transaction() as session:
        session[SEEN_AT] = time.time() - 3600 - 5
    response = client.get("/akteure/")
    assert response.status_code == 302
    assert "Inaktivität" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_idle_timeout_answers_api_with_problem_json(app, client, create_user) -> None:
    client.login(create_user(Role.VIEWER).email)
    with client.session_transaction() as session:
        session[SEEN_AT] = time.time() - 3600 - 5
    response = client.get("/api/v1/actors")
    assert response.status_code == 401 and response.content_type == "application/problem+json"


# --- login throttling ---------------------------------------------------------------------------

def test_lock_out_after_failed_logins_and_unlock_after_the_time(app, client, create_user) -> None:
    user = create_user(Role.COORDINATOR)
    for _ in range(4):
        response = client.post_form("/anmelden", {"email": user.email, "password": "falsch-falsch-falsch"})
        assert response.status_code == 401
    response = client.post_form("/anmelden", {"email": user.email, "password": "falsch-falsch-falsch"})
    assert response.status_code == 429
    assert "vorübergehend gesperrt" in response.get_data(as_text=True)
    # Locked: even the right password is refused, with the same message (no oracle).
    response = client.post_form("/anmelden", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429 and "vorübergehend gesperrt" in response.get_data(as_text=True)
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert stored.failed_logins == 5 and stored.locked_until > utcnow() + timedelta(minutes=14)
        # The failures are recorded per address, by a keyed hash: never the address itself.
        failures = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "login_failed")).all()
        assert len(failures) == 5 and all(user.email not in e.summary + str(e.changes) for e in failures)
        _age_login_events(minutes=16)  # the 15 minutes have passed
    assert client.post_form("/anmelden", {"email": user.email, "password": PASSWORD}).status_code == 302
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert stored.failed_logins == 0 and stored.locked_until is None
        # Counting and locking never write "update" entries of the account (bookkeeping, not changes).
        assert not db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "User",
                                                               AuditEntry.action == "update")).all()


def _age_login_events(minutes: int) -> None:
    """Move the recorded login events into the past, as if ``minutes`` had gone by."""
    for entry in db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "Anmeldung")):
        entry.created_at = entry.created_at - timedelta(minutes=minutes)
    db.session.commit()


def test_unknown_addresses_get_the_same_lock_message(app, client) -> None:
    answers = [client.post_form("/anmelden", {"email": "niemand@test.example", "password": "falsch-falsch"})
               for _ in range(6)]
    assert [r.status_code for r in answers] == [401, 401, 401, 401, 429, 429]
    assert "vorübergehend gesperrt" in answers[-1].get_data(as_text=True)


def test_unknown_and_known_addresses_lock_alike_across_workers(app, database_url, create_user, other_app) -> None:
    """Two apps on one database stand for two gunicorn workers: the count is shared for every address,
    so an unknown address locks after exactly as many failures as a real account."""
    user = create_user(Role.VIEWER)
    workers = [other_app().test_client(), other_app().test_client()]
    for email in (user.email, "niemand@test.example"):
        codes = [workers[n % 2].post_form("/anmelden", {"email": email, "password": "falsch-falsch"}).status_code
                 for n in range(6)]
        assert codes == [401, 401, 401, 401, 429, 429], email


def test_every_login_checks_exactly_one_password_hash(app, client, create_user, monkeypatch) -> None:
    """Unknown addresses are checked against a dummy hash, so the answer takes as long as for a real
    account (before: about 3 ms instead of 130 ms). Counted, not timed: the same work on every path."""
    from crm.services.accounts import users

    calls: list[str] = []
    real = users.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        calls.append(pwhash.split("$", 1)[0])
        return real(pwhash, password)

    monkeypatch.setattr(users, "check_password_hash", counting)
    user = create_user(Role.VIEWER)
    methods = []
    for email in ("niemand@test.example", user.email):
        calls.clear()
        assert client.post_form("/anmelden", {"email": email, "password": "falsch-falsch"}).status_code == 401
        assert len(calls) == 1, email
        methods.append(calls[0])
    with app.app_context():
        stored = db.session.get(User, user.id)
    # The dummy is made the same way (same method and cost) as the real hashes.
    assert methods[0] == methods[1] and stored.password_hash.startswith(methods[0] + "$")


def test_rate_limit_per_client_address(app, other_app, create_user) -> None:
    limited = other_app(LOGIN_RATE_LIMIT=3)
    client = limited.test_client()
    users = [create_user(Role.VIEWER) for _ in range(4)]
    codes = [client.post_form("/anmelden", {"email": u.email, "password": "falsch-falsch"}).status_code for u in users]
    assert codes == [401, 401, 401, 429]
    other = limited.test_client()  # another address is not affected
    response = other.post("/anmelden", environ_base={"REMOTE_ADDR": "10.0.0.7"},
                          data={"csrf_token": client.csrf_token(), "email": users[0].email, "password": PASSWORD})
    assert response.status_code != 429


@pytest.mark.parametrize("password,email,message", [
    ("kurz", None, "mindestens 10 Zeichen"),
    ("passwort123", None, "zu leicht zu erraten"),
    ("Willkommen123", None, "zu leicht zu erraten"),
    ("aaaaaaaaaaaa", None, "zu leicht zu erraten"),
    ("karla.koordination", "karla.koordination@stadt.example", "E-Mail-Adresse"),
    ("karla.koordination@stadt.example", "karla.koordination@stadt.example", "E-Mail-Adresse"),
    ("x" * 201, None, "höchstens 200"),
])
def test_password_policy_refuses(password, email, message) -> None:
    with pytest.raises(ServiceError) as error:
        check_password_policy(password, email)
    assert message in error.value.message


def test_password_policy_accepts_a_passphrase() -> None:
    check_password_policy("Kita und Schule im Gespräch", "karla@stadt.example")


def test_admin_form_applies_the_password_policy(app, login_as) -> None:
    from tests.test_admin import _token

    client = login_as(Role.ADMIN)
    page = client.get("/admin/admin_users/new/").get_data(as_text=True)
    response = client.post("/admin/admin_users/new/", data={
        "csrf_token": _token(page), "email": "neu@stadt.example", "role": "viewer", "is_enabled": "y",
        "new_password": "passwort1234"})
    assert "zu leicht zu erraten" in response.get_data(as_text=True)


# --- the audit log ------------------------------------------------------------------------------

def _audit_filter_args(client) -> dict[str, str]:
    import json
    import re

    page = client.get("/admin/admin_audit/").get_data(as_text=True)
    data = json.loads(re.search(r'filter-groups-data" class="d-none">(.*?)</', page, re.S).group(1)
                      .replace("&#34;", '"'))
    return {f["operation"]: f["arg"] for f in data["Zeitpunkt"]}


def test_audit_log_filters_by_date(app, login_as) -> None:
    client = login_as(Role.ADMIN)
    with app.app_context():
        for day, label in ((datetime(2025, 3, 1, 10, tzinfo=UTC), "alt-eintrag"),
                           (datetime(2026, 6, 30, 21, 30, tzinfo=UTC), "spaet-eintrag")):  # 23:30 in Berlin
            db.session.add(AuditEntry(created_at=day, actor_label=label, action="update", entity_type="Actor",
                                      entity_id=1, summary=label, changes={}))
        db.session.commit()
    args = _audit_filter_args(client)
    assert set(args) == {"am (Tag)", "ab (Tag)", "bis (Tag)", "zwischen"}

    def rows(query: str) -> set[str]:
        page = client.get(f"/admin/admin_audit/?{query}").get_data(as_text=True)
        assert client.get(f"/admin/admin_audit/?{query}").status_code == 200
        return {label for label in ("alt-eintrag", "spaet-eintrag") if label in page}

    assert rows(f"flt0_{args['am (Tag)']}=2026-06-30") == {"spaet-eintrag"}  # a Berlin day, not a UTC day
    assert rows(f"flt0_{args['am (Tag)']}=2026-07-01") == set()
    assert rows(f"flt0_{args['ab (Tag)']}=2026-01-01") == {"spaet-eintrag"}
    assert rows(f"flt0_{args['bis (Tag)']}=2025-12-31") == {"alt-eintrag"}
    assert rows(f"flt0_{args['zwischen']}=2025-01-01+to+2026-12-31") == {"alt-eintrag", "spaet-eintrag"}
    assert rows(f"flt0_{args['ab (Tag)']}=kein-datum") == {"alt-eintrag", "spaet-eintrag"}  # ignored, no 500


def test_audit_log_cannot_be_changed_through_the_app(app, login_as) -> None:
    client = login_as(Role.ADMIN)
    with app.app_context():
        entry = AuditEntry(actor_label="x", action="update", entity_type="Actor", entity_id=1, summary="echt",
                           changes={})
        db.session.add(entry)
        db.session.commit()
        entry_id = entry.id
    token = client.csrf_token()
    attempts = [
        client.get("/admin/admin_audit/new/"), client.get(f"/admin/admin_audit/edit/?id={entry_id}"),
        client.post("/admin/admin_audit/new/", data={"csrf_token": token, "summary": "gefälscht"}),
        client.post(f"/admin/admin_audit/edit/?id={entry_id}", data={"csrf_token": token, "summary": "gefälscht"}),
        client.post("/admin/admin_audit/delete/", data={"csrf_token": token, "id": str(entry_id)}),
        client.post("/admin/admin_audit/action/", data={"csrf_token": token, "action": "delete",
                                                        "rowid": str(entry_id)}),
    ]
    assert all(r.status_code in (302, 403, 404, 405) for r in attempts), [r.status_code for r in attempts]
    assert "Löschen" not in client.get("/admin/admin_audit/").get_data(as_text=True)
    with app.app_context():
        stored = db.session.get(AuditEntry, entry_id)
        assert stored is not None and stored.summary == "echt"
    # No other way in: nothing under /api or the pages exposes audit entries for writing.
    assert not [r.rule for r in app.url_map.iter_rules() if "audit" in r.rule and "admin_audit" not in r.rule]
    details = client.get(f"/admin/admin_audit/details/?id={entry_id}")
    assert details.status_code == 200 and "echt" in details.get_data(as_text=True)


@pytest.mark.browser
def test_pages_work_under_the_csp_in_chromium(app, create_user, create_actor) -> None:
    """Our pages and Flask-Admin's run without a single CSP violation (nonces where scripts remain)."""
    from tests.browser import chromium_page, live_server

    admin = create_user(Role.ADMIN, email="csp@test.example")
    actor_id = create_actor("Kita St. Anna")
    with live_server(app) as base, chromium_page(base) as page:
        violations: list[str] = []
        page.on("console", lambda msg: violations.append(page.url + " " + msg.text[:300])
                if "Content Security Policy" in msg.text else None)
        page.goto("/anmelden")
        page.fill("#email", admin.email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")
        for url in ("/", "/akteure/", f"/akteure/{actor_id}", f"/akteure/{actor_id}/bearbeiten", "/konto/tokens",
                    "/admin/", "/admin/admin_audit/", "/admin/admin_users/new/", "/admin/admin_topics/"):
            assert page.goto(url).status == 200, url
            page.wait_for_load_state("load")
        # Flask-Admin's filter UI is script-driven: it must still work under the CSP.
        page.goto("/admin/admin_audit/")
        toggle = page.locator("a.dropdown-toggle:has-text('Filter')")
        if toggle.count():
            toggle.first.click()
        assert violations == []
        assert page.outside_requests == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("url,expected", [
    ("https://vhs-trier.example/kurse", "https://vhs-trier.example/kurse"),
    ("mailto:info@schule.example", "mailto:info@schule.example"),
    ("javascript:alert(1)", ""), (" JaVaScRiPt:alert(1)", ""), ("data:text/html,<script>", ""),
    ("//evil.example", ""), ("", ""), (None, ""),
])
def test_safe_url_filter(app, url, expected) -> None:
    assert app.jinja_env.from_string("{{ url|safe_url }}").render(url=url) == (expected.replace("<", "&lt;"))


def test_production_hashes_passwords_with_scrypt(database_url, _migrated) -> None:
    """The test suite hashes cheaply (conftest); an app built from the environment keeps scrypt."""
    from crm import create_app
    from crm.services.accounts.users import hash_password

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x" * 32})
    with app.app_context():
        assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"
        assert hash_password("ein-sicheres-passwort").startswith("scrypt:32768:8:1$")
        db.engine.dispose()
