"""API writes for persons: created and changed through the same service as the form, 409 on stale versions."""
from __future__ import annotations

import pytest

from crm.extensions import db
from crm.models import Person, Role
from tests.test_api import _problem, landscape, token_for  # noqa: F401 - fixtures


def test_create_and_update_person(app, client, token_for) -> None:  # noqa: F811
    headers = token_for(Role.COORDINATOR)
    response = client.post("/api/v1/persons", headers=headers, json={
        "salutation": "Frau", "title": "Dr.", "first_name": "Erika", "last_name": "  Musterfrau ",
        "email": "erika@schule.example", "legal_basis": "consent"})
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["last_name"] == "Musterfrau" and created["legal_basis"] == "consent"
    assert response.headers["Location"] == f"/api/v1/persons/{created['id']}"
    version = created["version_id"]
    response = client.patch(f"/api/v1/persons/{created['id']}", headers=headers,
                            json={"phone": "0651 1", "version_id": version})
    assert response.status_code == 200 and response.get_json()["phone"] == "0651 1"
    body = _problem(client.patch(f"/api/v1/persons/{created['id']}", headers=headers,
                                 json={"phone": "0651 2", "version_id": version}), 409)
    assert body["detail"]
    with app.app_context():
        assert db.session.get(Person, created["id"]).phone == "0651 1"


@pytest.mark.parametrize("payload,field", [
    ({}, "last_name"),
    ({"last_name": ""}, "last_name"),
    ({"last_name": "x" * 121}, "last_name"),
    ({"last_name": "A", "email": "keine-adresse"}, "email"),
    ({"last_name": "A", "legal_basis": "weil"}, "legal_basis"),
    ({"last_name": "A", "salutation": "x" * 21}, "salutation"),
    ({"last_name": "A", "unbekannt": 1}, "unbekannt"),
])
def test_person_validation_errors(client, token_for, payload, field) -> None:  # noqa: F811
    body = _problem(client.post("/api/v1/persons", headers=token_for(Role.COORDINATOR), json=payload), 422)
    assert field in body["errors"], body


def test_person_patch_unknown_and_blank_name(client, token_for, landscape) -> None:  # noqa: F811
    headers = token_for(Role.COORDINATOR)
    _problem(client.patch("/api/v1/persons/999999", headers=headers, json={"phone": "1"}), 404)
    body = _problem(client.patch(f"/api/v1/persons/{landscape['person']}", headers=headers,
                                 json={"last_name": "  "}), 422)
    assert "last_name" in body["errors"]


@pytest.mark.parametrize("role,want", [(Role.VIEWER, 403), (Role.ORGANISER, 403), (Role.COORDINATOR, 201),
                                       (Role.ADMIN, 201)])
def test_person_create_per_role(client, token_for, role, want) -> None:  # noqa: F811
    assert client.post("/api/v1/persons", headers=token_for(role), json={"last_name": "N"}).status_code == want


def test_read_only_token_cannot_write_persons(client, token_for, landscape) -> None:  # noqa: F811
    headers = token_for(Role.ADMIN, read_only=True)
    _problem(client.post("/api/v1/persons", headers=headers, json={"last_name": "N"}), 403)
    _problem(client.patch(f"/api/v1/persons/{landscape['person']}", headers=headers, json={"phone": "1"}), 403)


def test_affiliation_add_change_end(app, client, token_for, landscape) -> None:  # noqa: F811
    headers = token_for(Role.COORDINATOR)
    person = landscape["person"]
    response = client.post(f"/api/v1/persons/{person}/affiliations", headers=headers, json={
        "actor_id": landscape["kita"], "function": "Leitung", "from_date": "2024-01-01"})
    assert response.status_code == 201, response.get_json()
    added = [a for a in response.get_json()["affiliations"] if a["actor"]["id"] == landscape["kita"]][0]
    response = client.patch(f"/api/v1/affiliations/{added['id']}", headers=headers, json={"to_date": "2025-06-30"})
    assert response.status_code == 200, response.get_json()
    ended = [a for a in response.get_json()["affiliations"] if a["id"] == added["id"]][0]
    assert ended["to_date"] == "2025-06-30"  # ended, kept as history
    body = _problem(client.patch(f"/api/v1/affiliations/{added['id']}", headers=headers,
                                 json={"to_date": "2023-01-01"}), 422)
    assert "to_date" in body["errors"]
    body = _problem(client.post(f"/api/v1/persons/{person}/affiliations", headers=headers,
                                json={"actor_id": 999999}), 422)
    assert "actor_id" in body["errors"]
    body = _problem(client.post(f"/api/v1/persons/{person}/affiliations", headers=headers,
                                json={"actor_id": landscape["kita"], "from_date": "2024-02-02",
                                      "to_date": "2024-01-01"}), 422)
    assert "to_date" in body["errors"]
    _problem(client.post("/api/v1/persons/999999/affiliations", headers=headers,
                         json={"actor_id": landscape["kita"]}), 404)
    _problem(client.patch("/api/v1/affiliations/999999", headers=headers, json={"function": "x"}), 404)
    _problem(client.post(f"/api/v1/persons/{person}/affiliations", headers=token_for(Role.ORGANISER),
                         json={"actor_id": landscape["kita"]}), 403)
    _problem(client.patch(f"/api/v1/affiliations/{added['id']}", headers=token_for(Role.ADMIN, read_only=True),
                          json={"function": "x"}), 403)
