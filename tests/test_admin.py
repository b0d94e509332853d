"""Flask-Admin: administrators manage accounts and vocabularies through real forms."""
from __future__ import annotations

import re

from sqlalchemy import select

from crm.extensions import db
from crm.models import AuditEntry, Role, Topic, User
from crm.services.accounts.users import verify_password

TOKEN_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token"[^>]*value="([^"]+)"')


def _token(page: str) -> str:
    match = TOKEN_RE.search(page)
    assert match, "admin form has no CSRF token"
    return match.group(1) or match.group(2)


def test_admin_creates_a_user_with_hashed_password(app, login_as) -> None:
    client = login_as(Role.ADMIN)
    page = client.get("/admin/admin_users/new/").get_data(as_text=True)
    response = client.post("/admin/admin_users/new/", data={
        "csrf_token": _token(page), "email": "Neu@Stadt.example", "name": "Nora Neu", "role": "organiser",
        "is_enabled": "y", "locale": "", "new_password": "ein-sicheres-passwort"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "neu@stadt.example")).one()
        assert user.role is Role.ORGANISER
        assert verify_password(user, "ein-sicheres-passwort")
        assert "ein-sicheres-passwort" not in user.password_hash


def test_admin_rejects_short_password(app, login_as) -> None:
    client = login_as(Role.ADMIN)
    page = client.get("/admin/admin_users/new/").get_data(as_text=True)
    response = client.post("/admin/admin_users/new/", data={
        "csrf_token": _token(page), "email": "kurz@stadt.example", "role": "viewer", "is_enabled": "y",
        "new_password": "kurz"})
    body = response.get_data(as_text=True)
    assert "mindestens 10 Zeichen" in body
    with app.app_context():
        assert db.session.scalars(select(User).where(User.email == "kurz@stadt.example")).first() is None


def test_admin_edits_a_vocabulary_and_it_is_audited(app, login_as) -> None:
    client = login_as(Role.ADMIN)
    page = client.get("/admin/admin_topics/new/").get_data(as_text=True)
    response = client.post("/admin/admin_topics/new/", data={
        "csrf_token": _token(page), "name": "Medienbildung", "sort_order": "99", "is_active": "y"})
    assert response.status_code == 302
    with app.app_context():
        topic = db.session.scalars(select(Topic).where(Topic.name == "Medienbildung")).one()
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.entity_type == "Topic", AuditEntry.entity_id == topic.id)).one()
        assert entry.action == "create" and entry.actor_label.startswith("admin")


def test_admin_post_without_csrf_is_refused(app, login_as) -> None:
    client = login_as(Role.ADMIN)
    response = client.post("/admin/admin_topics/new/", data={"name": "Ohne Token", "sort_order": "1"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalars(select(Topic).where(Topic.name == "Ohne Token")).first() is None


def test_audit_log_is_read_only(login_as) -> None:
    client = login_as(Role.ADMIN)
    assert client.get("/admin/admin_audit/").status_code == 200
    assert client.get("/admin/admin_audit/new/").status_code in (302, 403, 404)
    assert client.get("/admin/admin_audit/edit/?id=1").status_code in (302, 403, 404)


def test_admin_lifts_a_lock_out_and_it_is_audited(app, client, login_as, create_user) -> None:
    from tests.conftest import PASSWORD

    locked = create_user(Role.COORDINATOR, email="gesperrt@stadt.example")
    for _ in range(5):
        client.post_form("/anmelden", {"email": locked.email, "password": "falsch-falsch-falsch"})
    assert client.post_form("/anmelden", {"email": locked.email, "password": PASSWORD}).status_code == 429

    admin = login_as(Role.ADMIN)
    listing = admin.get("/admin/admin_users/").get_data(as_text=True)
    assert "Gesperrt bis" in listing and "Sperre aufheben" in listing
    response = admin.post("/admin/admin_users/action/", data={
        "csrf_token": _token(listing), "action": "unlock", "rowid": [str(locked.id)]}, follow_redirects=True)
    assert response.status_code == 200
    assert "Sperre aufgehoben für 1" in response.get_data(as_text=True)

    fresh = app.test_client()
    assert fresh.post_form("/anmelden", {"email": locked.email, "password": PASSWORD}).status_code == 302
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "unlock")).one()
        assert entry.entity_id == locked.id and "gesperrt@stadt.example" in entry.summary


def test_unlock_needs_the_csrf_token(app, login_as, create_user) -> None:
    locked = create_user(Role.VIEWER, email="ohne-token@stadt.example")
    admin = login_as(Role.ADMIN)
    response = admin.post("/admin/admin_users/action/", data={"action": "unlock", "rowid": [str(locked.id)]})
    assert response.status_code == 400
