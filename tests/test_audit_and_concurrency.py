"""Writes leave audit records; two coordinators editing one actor cannot overwrite each other."""
from __future__ import annotations

import re

from sqlalchemy import select

from crm.extensions import db
from crm.models import Actor, ActorKind, AuditEntry, Role, Topic


def _form_values(app, actor_id: int, **changes) -> dict:
    with app.app_context():
        actor = db.session.get(Actor, actor_id)
        values = {"name": actor.name, "kind": str(actor.kind_id), "version_id": str(actor.version_id),
                  "is_active": "y"}
    values.update(changes)
    return values


def _version_in(page: str) -> str:
    return re.search(r'name="version_id"[^>]*value="(\d+)"', page).group(1)


def test_create_and_update_are_audited_with_who_and_what(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    with app.app_context():
        kind_id = db.session.scalars(select(ActorKind.id).where(ActorKind.name == "Grundschule")).one()
        topic_id = db.session.scalars(select(Topic.id).where(Topic.name == "MINT")).one()
    response = client.post_form("/akteure/neu", {"name": "Grundschule Olewig", "kind": str(kind_id),
                                                 "postcode": "54295", "is_active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    actor_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/akteure/{actor_id}/bearbeiten").get_data(as_text=True)
    response = client.post_form(f"/akteure/{actor_id}/bearbeiten", _form_values(
        app, actor_id, postcode="54296", topics=str(topic_id), version_id=_version_in(page)))
    assert response.status_code == 302
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.entity_type == "Actor", AuditEntry.entity_id == actor_id).order_by(AuditEntry.id)).all()
        assert [e.action for e in entries] == ["create", "update"]
        created, updated = entries
        assert created.actor_label.startswith("coordinator") and created.user_id is not None
        assert created.changes["name"] == [None, "Grundschule Olewig"]
        assert updated.changes["postcode"] == ["54295", "54296"]
        assert updated.changes["topics"] == {"added": ["MINT"], "removed": []}
        assert "version_id" not in updated.changes


def test_password_hashes_never_reach_the_log(app) -> None:
    from crm.services.accounts.users import create_user

    with app.app_context():
        create_user(db.session, "a@test.example", "ein-langes-passwort", Role.VIEWER)
        db.session.commit()
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "User")).one()
        assert entry.changes["password_hash"] == ["***", "***"]
        assert "pbkdf2" not in str(entry.changes) and "scrypt" not in str(entry.changes)


def test_concurrent_edit_is_refused_and_nothing_is_lost(app, client, create_user, create_actor) -> None:
    actor_id = create_actor("Kita St. Anna", city="Trier")
    first, second = create_user(Role.COORDINATOR, name="Erste"), create_user(Role.COORDINATOR, name="Zweite")
    other = app.test_client()
    client.login(first.email)
    other.login(second.email)
    # Both open the form on the same version.
    version = _version_in(client.get(f"/akteure/{actor_id}/bearbeiten").get_data(as_text=True))
    assert _version_in(other.get(f"/akteure/{actor_id}/bearbeiten").get_data(as_text=True)) == version
    # The second coordinator saves first.
    response = other.post_form(f"/akteure/{actor_id}/bearbeiten",
                               _form_values(app, actor_id, city="Trier-Nord", version_id=version))
    assert response.status_code == 302
    # The first one's save is refused with a German message; their input is still in the form.
    response = client.post_form(f"/akteure/{actor_id}/bearbeiten",
                                _form_values(app, actor_id, city="Trier-Süd", phone="0651 12345",
                                             version_id=version))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "wurde inzwischen von" in page and second.email in page
    assert 'value="Trier-Süd"' in page and 'value="0651 12345"' in page
    assert "Trier-Nord" in page  # the saved version is shown beside it
    with app.app_context():
        actor = db.session.get(Actor, actor_id)
        assert actor.city == "Trier-Nord" and actor.phone == ""
    # A deliberate second save, on the version now shown, goes through.
    response = client.post_form(f"/akteure/{actor_id}/bearbeiten",
                                _form_values(app, actor_id, city="Trier-Süd", phone="0651 12345",
                                             version_id=_version_in(page)))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Actor, actor_id).city == "Trier-Süd"


def test_stale_update_is_refused_by_the_database_too(app, create_actor) -> None:
    """Even past the form check, version_id makes the UPDATE itself fail on a stale copy."""
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    actor_id = create_actor("Volkshochschule Trier")
    with app.app_context():
        with Session(db.engine) as one, Session(db.engine) as two:
            a1, a2 = one.get(Actor, actor_id), two.get(Actor, actor_id)
            a1.city = "Trier"
            one.commit()
            a2.city = "Konz"
            try:
                two.commit()
                raised = False
            except StaleDataError:
                raised = True
            assert raised
        assert db.session.get(Actor, actor_id).city == "Trier"


def test_form_errors_are_german_and_keep_input(login_as, create_actor, app) -> None:
    client = login_as(Role.COORDINATOR)
    response = client.post_form("/akteure/neu", {"name": "", "postcode": "123", "email": "kein-mail",
                                                 "street": "Olewiger Straße 1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Bitte geben Sie einen Namen ein." in page
    assert "Die PLZ hat fünf Ziffern." in page
    assert "Das ist keine gültige E-Mail-Adresse." in page
    assert 'value="Olewiger Straße 1"' in page


def test_unknown_choice_is_a_form_error_not_a_crash(login_as) -> None:
    client = login_as(Role.COORDINATOR)
    response = client.post_form("/akteure/neu", {"name": "Kita Nirgendwo", "kind": "99999", "topics": "abc"})
    assert response.status_code == 422
    assert "Ungültige Auswahl." in response.get_data(as_text=True)
