"""API writes for initiatives (with memberships) and events, and DELETE for mistakes: through the same
services as the forms, with the forms' rules as German 422 per field and 409 on stale versions."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import (
    Actor,
    AuditEntry,
    Cooperation,
    Event,
    EventStatus,
    Initiative,
    Membership,
    OutboxMessage,
    Person,
    Role,
)
from tests import factories_privacy as f
from tests.test_api import _problem, landscape, token_for  # noqa: F401 - fixtures

# --- initiatives --------------------------------------------------------------------------------

def test_create_change_and_end_an_initiative(app, client, token_for) -> None:  # noqa: F811
    headers = token_for(Role.COORDINATOR)
    response = client.post("/api/v1/initiatives", headers=headers, json={
        "name": "  Bündnis für Alphabetisierung ", "kind": "alliance", "start_date": "2025-01-01",
        "website": "https://alpha.example", "topic_ids": []})
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["name"] == "Bündnis für Alphabetisierung" and created["kind"] == "alliance"
    assert response.headers["Location"] == f"/api/v1/initiatives/{created['id']}"
    version = created["version_id"]
    ended = client.patch(f"/api/v1/initiatives/{created['id']}", headers=headers,
                         json={"end_date": "2026-12-31", "version_id": version})
    assert ended.status_code == 200 and ended.get_json()["end_date"] == "2026-12-31"
    body = _problem(client.patch(f"/api/v1/initiatives/{created['id']}", headers=headers,
                                 json={"description": "alt", "version_id": version}), 409)
    assert "inzwischen" in body["detail"]
    with app.app_context():
        assert [e.action for e in db.session.scalars(select(AuditEntry).where(
            AuditEntry.entity_type == "Initiative", AuditEntry.entity_id == created["id"])
            .order_by(AuditEntry.id))] == ["create", "update"]


@pytest.mark.parametrize("payload,field,message", [
    ({"name": "MINT-Lernen in Trier"}, "name", "gibt es bereits"),
    ({"name": "Neu", "start_date": "2025-02-01", "end_date": "2025-01-01"}, "end_date", "nicht vor dem Beginn"),
    ({"name": "Neu", "kind": "verein"}, "kind", "Erlaubt sind"),
    ({"name": "Neu", "website": "javascript:alert(1)"}, "website", "http://"),
    ({"name": "Neu", "topic_ids": [999999]}, "topic_ids", "Unbekannte Nummer"),
    ({"name": ""}, "name", "Darf nicht leer sein."),
])
def test_initiative_rules_are_422_per_field(client, token_for, landscape, payload, field, message) -> None:  # noqa: F811
    body = _problem(client.post("/api/v1/initiatives", headers=token_for(Role.COORDINATOR), json=payload), 422)
    assert any(message in m for m in body["errors"][field]), body


def test_membership_roles_dates_and_history(app, client, token_for, landscape, create_actor) -> None:  # noqa: F811
    headers = token_for(Role.COORDINATOR)
    initiative = landscape["initiative"]
    ihk = create_actor("IHK Trier")
    response = client.post(f"/api/v1/initiatives/{initiative}/memberships", headers=headers,
                           json={"actor_id": ihk, "role": "funder", "joined_on": "2025-03-01"})
    assert response.status_code == 201, response.get_json()
    member = next(m for m in response.get_json()["memberships"] if m["actor"]["id"] == ihk)
    assert member["role"] == "funder" and member["left_on"] is None
    # The same actor twice at the same time: refused, with the form's message.
    body = _problem(client.post(f"/api/v1/initiatives/{initiative}/memberships", headers=headers,
                                json={"actor_id": ihk, "role": "member", "joined_on": "2025-06-01"}), 422)
    assert "bereits Mitglied" in body["errors"]["actor_id"][0]
    # Leaving keeps the membership as history; afterwards the actor may join again in a new role.
    left = client.patch(f"/api/v1/memberships/{member['id']}", headers=headers, json={"left_on": "2025-12-31"})
    assert left.status_code == 200
    assert next(m for m in left.get_json()["memberships"] if m["id"] == member["id"])["left_on"] == "2025-12-31"
    again = client.post(f"/api/v1/initiatives/{initiative}/memberships", headers=headers,
                        json={"actor_id": ihk, "role": "partner", "joined_on": "2026-01-01"})
    assert again.status_code == 201
    with app.app_context():
        rows = db.session.scalars(select(Membership).where(Membership.actor_id == ihk)
                                  .order_by(Membership.joined_on)).all()
        assert [(m.role.value, str(m.left_on)) for m in rows] == [("funder", "2025-12-31"), ("partner", "None")]
    body = _problem(client.patch(f"/api/v1/memberships/{member['id']}", headers=headers,
                                 json={"left_on": "2020-01-01"}), 422)
    assert "left_on" in body["errors"]
    _problem(client.post(f"/api/v1/initiatives/{initiative}/memberships", headers=headers,
                         json={"actor_id": 999999}), 422)
    _problem(client.post(f"/api/v1/initiatives/{initiative}/memberships", headers=headers,
                         json={"actor_id": ihk, "role": "chef"}), 422)
    _problem(client.post("/api/v1/initiatives/999999/memberships", headers=headers, json={"actor_id": ihk}), 404)
    _problem(client.patch("/api/v1/memberships/999999", headers=headers, json={"left_on": "2026-01-01"}), 404)
    _problem(client.patch(f"/api/v1/memberships/{member['id']}", headers=token_for(Role.ORGANISER),
                          json={"left_on": "2026-01-01"}), 403)


# --- events -------------------------------------------------------------------------------------

def _event_body(app, **extra) -> dict:
    return {"kind_id": f.event_kind_id(app), "title": "Bildungsgespräch Übergang Schule–Beruf",
            "starts_at": "2026-03-29T10:00:00+02:00", "ends_at": "2026-03-29T13:00:00+02:00", **extra}


def test_organiser_creates_and_changes_an_event(app, client, token_for) -> None:  # noqa: F811
    headers = token_for(Role.ORGANISER)
    response = client.post("/api/v1/events", headers=headers, json=_event_body(
        app, place="VHS Trier", capacity=40, answer_deadline="2026-03-20T23:59:00+01:00",
        contact_name="Karla Koordination", contact_email="karla@stadt.example"))
    assert response.status_code == 201, response.get_json()
    event = response.get_json()
    assert event["status"] == "draft" and event["capacity"] == 40
    assert event["starts_at"].startswith("2026-03-29T08:00:00")  # stored in UTC: 10:00 summer time in Berlin
    assert event["contact_name"] == "Karla Koordination"
    changed = client.patch(f"/api/v1/events/{event['id']}", headers=headers,
                           json={"place": "Rathaus, Großer Saal", "version_id": event["version_id"]})
    assert changed.status_code == 200 and changed.get_json()["place"] == "Rathaus, Großer Saal"
    _problem(client.patch(f"/api/v1/events/{event['id']}", headers=headers,
                          json={"place": "alt", "version_id": event["version_id"]}), 409)
    # A viewer sees the event, not the contact person.
    seen = client.get(f"/api/v1/events/{event['id']}", headers=token_for(Role.VIEWER)).get_json()
    assert seen["place"] == "Rathaus, Großer Saal" and seen["contact_name"] is None and seen["contact_email"] is None


@pytest.mark.parametrize("extra,field,message", [
    ({"ends_at": "2026-03-29T09:00:00+02:00"}, "ends_at", "Ende muss nach dem Beginn"),
    ({"answer_deadline": "2026-04-01T00:00:00+02:00"}, "answer_deadline", "vor dem Ende"),
    ({"starts_at": "2026-03-29T10:00:00"}, "starts_at", "mit Zeitzone"),  # no offset: ambiguous
    ({"starts_at": "morgen früh"}, "starts_at", "im Format"),
    ({"starts_at": "0001-01-01T00:00:00+01:00"}, "starts_at", "zwischen 1900 und 2200"),
    ({"kind_id": 999999}, "kind_id", "Veranstaltungsart gibt es nicht"),
    ({"initiative_id": 999999}, "initiative_id", "Initiative gibt es nicht"),
    ({"capacity": 0}, "capacity", "mindestens 1"),
    ({"online_url": "javascript:alert(1)"}, "online_url", "http://"),
    ({"contact_email": "keine"}, "contact_email", "keine gültige E-Mail-Adresse"),
])
def test_event_rules_are_422_per_field(app, client, token_for, extra, field, message) -> None:  # noqa: F811
    body = _problem(client.post("/api/v1/events", headers=token_for(Role.ORGANISER), json=_event_body(app, **extra)),
                    422)
    assert field in body["errors"], body
    assert any(message in m for m in body["errors"][field]), body


def test_patch_checks_times_against_the_saved_ones(app, client, token_for, landscape) -> None:  # noqa: F811
    headers = token_for(Role.ORGANISER)
    event = landscape["event"]  # 12 March 2026, 10:00–16:00 Berlin
    body = _problem(client.patch(f"/api/v1/events/{event}", headers=headers,
                                 json={"ends_at": "2026-03-12T08:00:00+01:00"}), 422)
    assert "ends_at" in body["errors"]
    body = _problem(client.patch(f"/api/v1/events/{event}", headers=headers,
                                 json={"answer_deadline": "2026-03-13T00:00:00+01:00"}), 422)
    assert "answer_deadline" in body["errors"]


def test_changing_the_time_notifies_the_invited_unless_told_not_to(app, client, token_for, landscape) -> None:  # noqa: F811
    headers = token_for(Role.ORGANISER)
    event = landscape["event"]
    with app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(OutboxMessage))
    quiet = client.patch(f"/api/v1/events/{event}", headers=headers,
                         json={"place": "Raum 2", "notify": False})
    assert quiet.status_code == 200
    loud = client.patch(f"/api/v1/events/{event}", headers=headers, json={"place": "Raum 3"})
    assert loud.status_code == 200
    with app.app_context():
        after = db.session.scalar(select(db.func.count()).select_from(OutboxMessage))
        assert after == before + 1  # one update mail to the one invited person, only for the second change
        assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "send")).first()


def test_cancel_an_event_and_it_stays(app, client, token_for, landscape) -> None:  # noqa: F811
    headers = token_for(Role.ORGANISER)
    event = landscape["event"]
    response = client.post(f"/api/v1/events/{event}/cancel", headers=headers)
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert response.get_json()["counts"]["attended"] == 1  # the record stays
    body = _problem(client.post(f"/api/v1/events/{event}/cancel", headers=headers), 422)
    assert "bereits abgesagt" in body["detail"]
    body = _problem(client.patch(f"/api/v1/events/{event}", headers=headers, json={"place": "X"}), 422)
    assert "abgesagt" in body["detail"]
    with app.app_context():
        assert db.session.get(Event, event).status is EventStatus.CANCELLED
    _problem(client.post("/api/v1/events/999999/cancel", headers=headers), 404)


# --- DELETE: for mistakes, with the pages' permission --------------------------------------------

def test_delete_for_mistakes(app, client, token_for, landscape) -> None:  # noqa: F811
    headers = token_for(Role.COORDINATOR)
    for path in ("cooperations/{cooperation}", "initiatives/{initiative}", "persons/{person}", "actors/{actor}"):
        url = "/api/v1/" + path.format(**landscape)
        _problem(client.delete(url, headers=token_for(Role.ORGANISER)), 403)
        _problem(client.delete(url, headers=token_for(Role.ADMIN, read_only=True)), 403)
        response = client.delete(url, headers=headers)
        assert response.status_code == 204 and response.get_data() == b""
        assert "Content-Type" not in response.headers
        _problem(client.get(url, headers=headers), 404)
        _problem(client.delete(url, headers=headers), 404)
    with app.app_context():
        assert db.session.get(Cooperation, landscape["cooperation"]) is None
        assert db.session.get(Initiative, landscape["initiative"]) is None
        assert db.session.get(Person, landscape["person"]) is None
        assert db.session.get(Actor, landscape["actor"]) is None
        assert db.session.get(Actor, landscape["kita"]) is not None
        # Each deletion is in the log; the person's without their data.
        deleted = {e.entity_type: e
                   for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == "delete"))}
        assert {"Cooperation", "Initiative", "Person", "Actor"} <= set(deleted)
        assert deleted["Person"].summary == "Anonymisierte Person"
        assert "Musterfrau" not in str(deleted["Person"].changes)
        # The event keeps its numbers: the attendance stays, without the actor.
        event = db.session.get(Event, landscape["event"])
        assert event is not None


def test_deleting_needs_a_token(client, login_as, landscape) -> None:  # noqa: F811
    browser = login_as(Role.COORDINATOR)
    _problem(browser.delete(f"/api/v1/actors/{landscape['actor']}"), 401)
