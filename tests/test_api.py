"""The JSON API: tokens, each role against each route, pagination, filters, problem details, OpenAPI."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import Actor, ApiToken, AuditEntry, Role, User
from crm.models.base import utcnow
from crm.services.accounts import api_tokens
from tests import factories_privacy as f

ROLES = ("anonymous", Role.VIEWER, Role.ORGANISER, Role.COORDINATOR, Role.ADMIN)


@pytest.fixture
def token_for(app, create_user):
    def make(role: Role | str, read_only: bool = False, user: User | None = None) -> dict[str, str]:
        user = user or create_user(role)
        with app.app_context():
            created = api_tokens.create_token(db.session, db.session.get(User, user.id), "Test",
                                              read_only=read_only)
            db.session.commit()
            return {"Authorization": f"Bearer {created.secret}"}
    return make


@pytest.fixture
def landscape(app, create_actor):
    school = create_actor("Grundschule Olewig", city="Trier", postcode="54295")
    kita = create_actor("Kita St. Anna", city="Trier")
    person_id = f.person(app, "Musterfrau", "Erika", "erika@schule.example", actor_id=school)
    coop = f.cooperation(app, school, kita, "Übergang Kita–Grundschule")
    initiative = f.initiative(app, "MINT-Lernen in Trier", (school, kita))
    event = f.event(app, "Bildungskonferenz 2026")
    f.invite(app, event, person_id, school, attended=True)
    return {"actor": school, "kita": kita, "person": person_id, "cooperation": coop, "initiative": initiative,
            "event": event}


def _second_cooperation_type(app) -> int:
    from crm.models import CooperationType

    with app.app_context():
        return db.session.scalars(select(CooperationType.id).order_by(CooperationType.sort_order)).all()[1]


def _first_affiliation(app, person_id: int) -> int:
    from crm.models import Affiliation

    with app.app_context():
        return db.session.scalars(select(Affiliation.id).where(Affiliation.person_id == person_id)).first()


def _first_membership(app, initiative_id: int) -> int:
    from crm.models import Membership

    with app.app_context():
        return db.session.scalars(select(Membership.id).where(Membership.initiative_id == initiative_id)
                                  .order_by(Membership.id)).first()


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


# --- each role against each route ---------------------------------------------------------------

# method, path, json body, expected per role (anonymous, viewer, organiser, coordinator, admin)
MATRIX = [
    ("GET", "/api/v1/actors", None, (401, 200, 200, 200, 200)),
    ("GET", "/api/v1/actors/{actor}", None, (401, 200, 200, 200, 200)),
    ("POST", "/api/v1/actors", {"name": "Neu", "kind_id": "{kind}"}, (401, 403, 403, 201, 201)),
    ("PATCH", "/api/v1/actors/{actor}", {"city": "Trier-Olewig"}, (401, 403, 403, 200, 200)),
    ("GET", "/api/v1/persons", None, (401, 403, 200, 200, 200)),
    ("GET", "/api/v1/persons/{person}", None, (401, 403, 200, 200, 200)),
    ("POST", "/api/v1/persons", {"last_name": "Neu"}, (401, 403, 403, 201, 201)),
    ("PATCH", "/api/v1/persons/{person}", {"phone": "0651 123"}, (401, 403, 403, 200, 200)),
    ("POST", "/api/v1/persons/{person}/affiliations", {"actor_id": "{kita}"}, (401, 403, 403, 201, 201)),
    ("PATCH", "/api/v1/affiliations/{affiliation}", {"function": "Leitung"}, (401, 403, 403, 200, 200)),
    ("GET", "/api/v1/cooperations", None, (401, 200, 200, 200, 200)),
    ("GET", "/api/v1/cooperations/{cooperation}", None, (401, 200, 200, 200, 200)),
    ("POST", "/api/v1/cooperations", {"source_id": "{actor}", "target_id": "{kita}", "type_id": "{type2}"},
     (401, 403, 403, 201, 201)),
    ("PATCH", "/api/v1/cooperations/{cooperation}", {"description": "neu"}, (401, 403, 403, 200, 200)),
    ("GET", "/api/v1/initiatives", None, (401, 200, 200, 200, 200)),
    ("GET", "/api/v1/initiatives/{initiative}", None, (401, 200, 200, 200, 200)),
    ("POST", "/api/v1/initiatives", {"name": "Bündnis Grundbildung"}, (401, 403, 403, 201, 201)),
    ("PATCH", "/api/v1/initiatives/{initiative}", {"description": "neu"}, (401, 403, 403, 200, 200)),
    ("POST", "/api/v1/initiatives/{initiative}/memberships",
     {"actor_id": "{actor}", "role": "partner", "joined_on": "2020-01-01", "left_on": "2022-12-31"},
     (401, 403, 403, 201, 201)),
    ("PATCH", "/api/v1/memberships/{membership}", {"left_on": "2026-06-30"}, (401, 403, 403, 200, 200)),
    ("GET", "/api/v1/events", None, (401, 200, 200, 200, 200)),
    ("GET", "/api/v1/events/{event}", None, (401, 200, 200, 200, 200)),
    ("POST", "/api/v1/events", {"kind_id": "{event_kind}", "title": "Bildungsgespräch",
                                "starts_at": "2026-10-01T09:00:00+02:00", "ends_at": "2026-10-01T12:00:00+02:00"},
     (401, 403, 201, 201, 201)),
    ("PATCH", "/api/v1/events/{event}", {"place": "Rathaus"}, (401, 403, 200, 200, 200)),
    ("POST", "/api/v1/events/{event}/cancel", None, (401, 403, 200, 200, 200)),
    ("GET", "/api/v1/analysis", None, (401, 200, 200, 200, 200)),
    ("GET", "/api/v1/openapi.json", None, (200, 200, 200, 200, 200)),
    # Deleting is for mistakes, with the pages' permission (DELETE_RECORDS); last, as it removes the landscape.
    ("DELETE", "/api/v1/cooperations/{cooperation}", None, (401, 403, 403, 204, 204)),
    ("DELETE", "/api/v1/initiatives/{initiative}", None, (401, 403, 403, 204, 204)),
    ("DELETE", "/api/v1/persons/{person}", None, (401, 403, 403, 204, 204)),
    ("DELETE", "/api/v1/actors/{actor}", None, (401, 403, 403, 204, 204)),
]


@pytest.mark.parametrize("role_index,role", list(enumerate(ROLES)), ids=[str(r) for r in ROLES])
def test_role_matrix(app, client, landscape, token_for, role_index, role) -> None:
    headers = {} if role == "anonymous" else token_for(role)
    ids = dict(landscape, kind=f.actor_kind_id(app), type2=_second_cooperation_type(app),
               affiliation=_first_affiliation(app, landscape["person"]), event_kind=f.event_kind_id(app),
               membership=_first_membership(app, landscape["initiative"]))
    failures = []
    for method, path, body, expected in MATRIX:
        url = path.format(**ids)
        payload = None if body is None else {
            k: (ids[v[1:-1]] if isinstance(v, str) and v.startswith("{") else v) for k, v in body.items()}
        response = client.open(url, method=method, json=payload, headers=headers)
        want = expected[role_index]
        if response.status_code != want:
            failures.append(f"{method} {url}: {response.status_code} != {want}")
        if response.status_code >= 400:
            assert response.content_type == "application/problem+json", (url, response.content_type)
    assert failures == []


def test_every_api_route_is_in_the_matrix(app) -> None:
    routes = {(m, re.sub(r"<(?:int:)?([a-z_]+)>", r"{\1}", r.rule)) for r in app.url_map.iter_rules()
              if r.rule.startswith("/api/") for m in r.methods - {"HEAD", "OPTIONS"}}
    covered = {(m, re.sub(r"\{[a-z]+\}", "{x}", p)) for m, p, _b, _e in MATRIX}
    assert {(m, re.sub(r"\{[a-z_]+\}", "{x}", p)) for m, p in routes} == covered


# --- tokens -------------------------------------------------------------------------------------

def test_token_page_shows_the_token_once_and_stores_only_a_hash(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    assert client.get("/konto/tokens").status_code == 200
    response = client.post_form("/konto/tokens", {"name": "Statistikstelle", "read_only": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    secret = re.search(r'value="(bn_[^"]+)"', page).group(1)
    assert "nur dieses eine Mal" in page
    with app.app_context():
        token = db.session.scalars(select(ApiToken)).one()
        assert token.token_hash == api_tokens.hash_token(secret) and secret not in token.token_hash
        assert token.is_read_only and token.expires_at is not None
        assert db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "ApiToken")).first()
    # Shown once: the list page afterwards has only the prefix.
    later = client.get("/konto/tokens").get_data(as_text=True)
    assert secret not in later and secret[:10] in later
    # The token works on the API, with the read-only limit.
    client = app.test_client()
    assert client.get("/api/v1/actors", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    response = client.post("/api/v1/actors", json={"name": "X", "kind_id": f.actor_kind_id(app)},
                           headers={"Authorization": f"Bearer {secret}"})
    _problem(response, 403)


def test_token_page_requires_a_name(login_as) -> None:
    client = login_as(Role.VIEWER)
    response = client.post_form("/konto/tokens", {"name": ""})
    assert response.status_code == 422
    assert "Bitte geben Sie dem Token einen Namen" in response.get_data(as_text=True)


def test_revoked_expired_and_foreign_tokens(app, client, login_as, token_for, create_user) -> None:
    headers = token_for(Role.VIEWER)
    assert client.get("/api/v1/actors", headers=headers).status_code == 200
    with app.app_context():
        token = db.session.scalars(select(ApiToken)).one()
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    _problem(client.get("/api/v1/actors", headers=headers), 401)
    with app.app_context():
        token = db.session.scalars(select(ApiToken)).one()
        token.expires_at = None
        token.revoked_at = utcnow()
        db.session.commit()
    body = _problem(client.get("/api/v1/actors", headers=headers), 401)
    assert body["instance"] == "/api/v1/actors"
    assert client.get("/api/v1/actors", headers=headers).headers["WWW-Authenticate"].startswith("Bearer")
    for bad in ("Bearer ", "Bearer bn_falsch", "Bearer " + "x" * 500, "Basic Zm9vOmJhcg=="):
        _problem(client.get("/api/v1/actors", headers={"Authorization": bad}), 401)
    # Someone else's token cannot be revoked through the page.
    other = login_as(Role.COORDINATOR)
    with app.app_context():
        token_id = db.session.scalars(select(ApiToken.id)).one()
    response = other.post_form(f"/konto/tokens/{token_id}/widerrufen")
    assert response.status_code == 302
    assert "Dieses Token gibt es nicht." in other.get("/konto/tokens").get_data(as_text=True)


def test_disabled_user_token_stops_working(app, client, token_for, create_user) -> None:
    user = create_user(Role.COORDINATOR)
    headers = token_for(Role.COORDINATOR, user=user)
    assert client.get("/api/v1/actors", headers=headers).status_code == 200
    with app.app_context():
        db.session.get(User, user.id).is_enabled = False
        db.session.commit()
    _problem(client.get("/api/v1/actors", headers=headers), 401)


def test_token_user_revokes_own_token_via_page(app, login_as) -> None:
    client = login_as(Role.ORGANISER)
    page = client.post_form("/konto/tokens", {"name": "Kalender"}).get_data(as_text=True)
    secret = re.search(r'value="(bn_[^"]+)"', page).group(1)
    with app.app_context():
        token_id = db.session.scalars(select(ApiToken.id)).one()
    assert client.post_form(f"/konto/tokens/{token_id}/widerrufen").status_code == 302
    client = app.test_client()
    _problem(client.get("/api/v1/events", headers={"Authorization": f"Bearer {secret}"}), 401)


# --- session cookies never write through the API ------------------------------------------------

def test_session_cookie_reads_but_never_writes(app, login_as, landscape) -> None:
    client = login_as(Role.COORDINATOR)
    assert client.get("/api/v1/actors").status_code == 200  # same-origin pages may read JSON
    body = _problem(client.post("/api/v1/actors", json={"name": "Per Cookie", "kind_id": f.actor_kind_id(app)}), 401)
    assert "API-Token" in body["detail"]
    _problem(client.patch(f"/api/v1/actors/{landscape['actor']}", json={"name": "Per Cookie"}), 401)
    with app.app_context():
        assert db.session.scalars(select(Actor).where(Actor.name == "Per Cookie")).first() is None


def test_api_is_exempt_from_csrf_but_token_wins_over_cookie(app, login_as, token_for, landscape) -> None:
    client = login_as(Role.COORDINATOR)  # a coordinator's browser session …
    viewer = token_for(Role.VIEWER)      # … and a viewer's token: the token decides
    response = client.patch(f"/api/v1/actors/{landscape['actor']}", json={"city": "X"}, headers=viewer)
    _problem(response, 403)
    _problem(client.get(f"/api/v1/persons/{landscape['person']}", headers=viewer), 403)


# --- reads: pagination, filters -----------------------------------------------------------------

def test_pagination_with_link_headers_and_total(app, client, token_for, create_actor) -> None:
    for n in range(7):
        create_actor(f"Akteur {n:02d}")
    headers = token_for(Role.VIEWER)
    response = client.get("/api/v1/actors?limit=3&offset=3", headers=headers)
    body = response.get_json()
    assert response.status_code == 200
    assert body["total"] == 7 and body["limit"] == 3 and body["offset"] == 3
    assert [a["name"] for a in body["items"]] == ["Akteur 03", "Akteur 04", "Akteur 05"]
    assert response.headers["X-Total-Count"] == "7"
    links = dict((rel, url) for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers["Link"]))
    assert set(links) == {"first", "last", "prev", "next"}
    assert "offset=6" in links["next"] and "offset=0" in links["prev"] and "offset=6" in links["last"]
    last = client.get(links["last"], headers=headers).get_json()
    assert [a["name"] for a in last["items"]] == ["Akteur 06"]
    assert "next" not in client.get(links["last"], headers=headers).headers["Link"]


def test_filters(app, client, token_for, landscape, create_actor) -> None:
    headers = token_for(Role.COORDINATOR)
    names = lambda url: [i.get("name") or i.get("last_name")  # noqa: E731
                         for i in client.get(url, headers=headers).get_json()["items"]]
    assert names("/api/v1/actors?q=olewig") == ["Grundschule Olewig"]
    assert names("/api/v1/actors?q=%25") == []  # LIKE wildcards are literal
    assert names(f"/api/v1/persons?actor_id={landscape['actor']}") == ["Musterfrau"]
    assert names(f"/api/v1/persons?actor_id={landscape['kita']}") == []
    coops = client.get(f"/api/v1/cooperations?actor_id={landscape['kita']}", headers=headers).get_json()
    assert coops["total"] == 1 and coops["items"][0]["target"]["name"] == "Kita St. Anna"
    assert client.get("/api/v1/cooperations?current_on=2023-12-31", headers=headers).get_json()["total"] == 0
    assert client.get("/api/v1/cooperations?current_on=2024-06-30", headers=headers).get_json()["total"] == 1
    initiatives = client.get(f"/api/v1/initiatives?actor_id={landscape['kita']}", headers=headers).get_json()
    assert [m["role"] for m in initiatives["items"][0]["memberships"]] == ["lead", "member"]
    events = client.get("/api/v1/events?since=2026-03-12&until=2026-03-12", headers=headers).get_json()
    assert events["total"] == 1 and events["items"][0]["counts"] == {
        "invited": 1, "accepted": 1, "declined": 0, "attended": 1}
    assert client.get("/api/v1/events?since=2026-03-13", headers=headers).get_json()["total"] == 0


def test_viewer_sees_no_internal_notes(app, client, token_for, create_actor) -> None:
    actor_id = create_actor("Jobcenter Trier", notes="Frau X ist krank")
    viewer = client.get(f"/api/v1/actors/{actor_id}", headers=token_for(Role.VIEWER)).get_json()
    coordinator = client.get(f"/api/v1/actors/{actor_id}", headers=token_for(Role.COORDINATOR)).get_json()
    assert viewer["notes"] is None and coordinator["notes"] == "Frau X ist krank"


def test_an_individual_actors_contact_data_is_personal(app, client, token_for) -> None:
    """A volunteer is a natural person: viewers get her name and place, not her street, e-mail,
    phone or notes, and cannot find her by her street; a coordinator gets everything."""
    from tests import factories_coordinator as fc

    volunteer = fc.actor(app, "Renate Ehrlich", kind="Ehrenamtliche Person", street="Am Weiher 3", city="Trier",
                        email="renate@privat.example", phone="0651 555", notes="vormittags")
    viewer = client.get(f"/api/v1/actors/{volunteer}", headers=token_for(Role.VIEWER)).get_json()
    assert (viewer["name"], viewer["city"]) == ("Renate Ehrlich", "Trier")
    assert (viewer["street"], viewer["email"], viewer["phone"], viewer["notes"]) == ("", "", "", None)
    assert client.get("/api/v1/actors?q=weiher", headers=token_for(Role.VIEWER)).get_json()["total"] == 0
    staff = token_for(Role.COORDINATOR)
    coordinator = client.get(f"/api/v1/actors/{volunteer}", headers=staff).get_json()
    assert (coordinator["street"], coordinator["email"], coordinator["notes"]) == (
        "Am Weiher 3", "renate@privat.example", "vormittags")
    assert client.get("/api/v1/actors?q=weiher", headers=staff).get_json()["total"] == 1


def test_active_period_through_the_api(app, client, token_for) -> None:
    headers = token_for(Role.COORDINATOR)
    created = client.post("/api/v1/actors", headers=headers, json={
        "name": "Hauptschule Ehrang", "kind_id": f.actor_kind_id(app), "active_from": "1970-08-01"}).get_json()
    assert created["active_from"] == "1970-08-01" and created["active_until"] is None
    body = _problem(client.patch(f"/api/v1/actors/{created['id']}", headers=headers,
                                 json={"active_until": "1960-01-01"}), 422)
    assert "Tätig bis" in body["detail"] and "active_until" in body["errors"]
    closed = client.patch(f"/api/v1/actors/{created['id']}", headers=headers,
                          json={"is_active": False, "active_until": "2024-07-31"}).get_json()
    assert (closed["is_active"], closed["active_until"]) == (False, "2024-07-31")


# --- writes -------------------------------------------------------------------------------------

def test_create_and_update_actor_through_the_service(app, client, token_for) -> None:
    headers = token_for(Role.COORDINATOR)
    kind = f.actor_kind_id(app)
    response = client.post("/api/v1/actors", headers=headers, json={
        "name": "  VHS Trier ", "kind_id": kind, "website": "https://vhs-trier.example", "postcode": "54290",
        "topic_ids": [], "latitude": 49.75})
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["name"] == "VHS Trier" and response.headers["Location"] == f"/api/v1/actors/{created['id']}"
    version = created["version_id"]
    response = client.patch(f"/api/v1/actors/{created['id']}", headers=headers,
                            json={"city": "Trier", "version_id": version})
    assert response.status_code == 200 and response.get_json()["city"] == "Trier"
    # A stale version is a conflict; nothing is overwritten.
    body = _problem(client.patch(f"/api/v1/actors/{created['id']}", headers=headers,
                                 json={"city": "Konz", "version_id": version}), 409)
    assert "inzwischen" in body["detail"]
    with app.app_context():
        assert db.session.get(Actor, created["id"]).city == "Trier"
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "Actor",
                                                              AuditEntry.entity_id == created["id"])
                                     .order_by(AuditEntry.id)).all()
        assert [e.action for e in entries] == ["create", "update"]
        assert entries[0].actor_label.startswith("coordinator")


@pytest.mark.parametrize("payload,field,message", [
    ({"kind_id": 1}, "name", "Dieses Feld ist erforderlich."),
    ({"name": "", "kind_id": 1}, "name", "Darf nicht leer sein."),
    ({"name": "x" * 256, "kind_id": 1}, "name", "Höchstens 255 Zeichen."),
    ({"name": "A", "kind_id": 999999}, "kind_id", "Diese Akteursart gibt es nicht."),
    ({"name": "A", "kind_id": 1, "website": "javascript:alert(1)"}, "website", "http://"),
    ({"name": "A", "kind_id": 1, "website": "javascript://example.org/%0aalert(1)"}, "website", "http://"),
    ({"name": "A", "kind_id": 1, "postcode": "5429"}, "postcode", "fünf Ziffern"),
    ({"name": "A", "kind_id": 1, "latitude": 91}, "latitude", "höchstens 90"),
    ({"name": "A", "kind_id": 1, "email": "keine-adresse"}, "email", "keine gültige E-Mail-Adresse"),
    ({"name": "A", "kind_id": 1, "topic_ids": [424242]}, "topic_ids", "Unbekannte Nummer: 424242."),
    ({"name": "A", "kind_id": 1, "unbekannt": 1}, "unbekannt", "Dieses Feld gibt es nicht."),
    ({"name": "A\x00B", "kind_id": 1}, "name", "NUL"),
    ({"name": "A", "kind_id": "eins"}, "kind_id", "ganze Zahl"),
])
def test_validation_errors_are_problem_details_per_field(app, client, token_for, payload, field, message) -> None:
    headers = token_for(Role.COORDINATOR)
    if payload.get("kind_id") == 1:
        payload = dict(payload, kind_id=f.actor_kind_id(app))
    body = _problem(client.post("/api/v1/actors", json=payload, headers=headers), 422)
    assert field in body["errors"], body
    assert any(message in m for m in body["errors"][field]), body["errors"]


def test_duplicate_external_ref_and_parent_cycle_are_422(app, client, token_for, create_actor) -> None:
    headers = token_for(Role.COORDINATOR)
    parent = create_actor("Schulamt", external_ref="SA-1")
    child = create_actor("Schule", parent=None)
    body = _problem(client.post("/api/v1/actors", headers=headers, json={
        "name": "B", "kind_id": f.actor_kind_id(app), "external_ref": "sa-1"}), 422)
    assert "Schulamt" in body["errors"]["external_ref"][0]
    assert client.patch(f"/api/v1/actors/{child}", headers=headers, json={"parent_id": parent}).status_code == 200
    body = _problem(client.patch(f"/api/v1/actors/{parent}", headers=headers, json={"parent_id": child}), 422)
    assert "untergeordnet" in body["errors"]["parent_id"][0]
    body = _problem(client.patch(f"/api/v1/actors/{parent}", headers=headers, json={"name": None}), 422)
    assert "name" in body["errors"]


def test_bad_requests_are_problem_json_never_html(app, client, token_for) -> None:
    headers = token_for(Role.COORDINATOR)
    _problem(client.get("/api/v1/actors/999999", headers=headers), 404)
    _problem(client.get("/api/v1/actors/99999999999999999999", headers=headers), 404)
    _problem(client.get("/api/v1/gibt-es-nicht", headers=headers), 404)
    _problem(client.delete("/api/v1/actors", headers=headers), 405)
    _problem(client.delete("/api/v1/events/1", headers=headers), 405)  # events are cancelled, never deleted
    _problem(client.put("/api/v1/actors/1", headers=headers, json={}), 405)
    _problem(client.get("/api/v1/actors?limit=0", headers=headers), 422)
    body = _problem(client.get("/api/v1/actors?limit=abc&offset=-1", headers=headers), 422)
    assert set(body["errors"]) == {"limit", "offset"}
    _problem(client.get("/api/v1/events?since=gestern", headers=headers), 422)
    _problem(client.get("/api/v1/actors?q=%00", headers=headers), 422)
    _problem(client.post("/api/v1/actors", data="name=x", headers=headers), 415)
    _problem(client.post("/api/v1/actors", data="{kaputt",
                         headers=dict(headers, **{"Content-Type": "application/json"})), 400)
    _problem(client.post("/api/v1/actors", json=[1, 2], headers=headers), 422)
    body = _problem(client.post("/api/v1/actors", data='{"name": "\\ud800", "kind_id": 1}',
                                headers=dict(headers, **{"Content-Type": "application/json"})), 422)
    assert "name" in body["errors"]


def test_server_error_in_the_api_is_problem_json_without_details(app, client, token_for, create_actor,
                                                                 monkeypatch) -> None:
    from crm.api.resources import actors as resources

    actor_id = create_actor("Boom")

    def boom(*args, **kwargs):
        raise RuntimeError("geheimes Detail")

    monkeypatch.setattr(resources, "actor_json", boom)
    monkeypatch.setattr(app.logger, "disabled", True)
    response = client.get(f"/api/v1/actors/{actor_id}", headers=token_for(Role.VIEWER))
    body = _problem(response, 500)
    assert "geheimes Detail" not in response.get_data(as_text=True) and "Traceback" not in body["detail"]


# --- the OpenAPI document -----------------------------------------------------------------------

def test_openapi_document_matches_the_routes(app, client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    documented = {(method.upper(), "/api/v1" + path) for path, ops in doc["paths"].items() for method in ops}
    served = {(m, re.sub(r"<(?:int:)?([a-z_]+)>", r"{\1}", r.rule)) for r in app.url_map.iter_rules()
              if r.rule.startswith("/api/v1/") and r.endpoint != "api.openapi_document"
              for m in r.methods - {"HEAD", "OPTIONS"}}
    assert documented == served
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert op["x-permissions"], (method, path)
            assert "401" in op["responses"] and "application/problem+json" in op["responses"]["401"]["content"]
            for name in re.findall(r"\{([a-z_]+)\}", path):
                assert any(p["name"] == name and p["in"] == "path" for p in op["parameters"])
    refs = re.findall(r'"#/components/schemas/([^"]+)"', str(doc).replace("'", '"'))
    assert refs and set(refs) <= set(doc["components"]["schemas"])


def test_openapi_document_is_valid(client) -> None:
    import schemathesis

    doc = client.get("/api/v1/openapi.json").get_json()
    schema = schemathesis.openapi.from_dict(doc)
    assert len(list(schema.get_all_operations())) == sum(len(v) for v in doc["paths"].values())


def test_analysis_through_the_api(app, client, token_for, landscape) -> None:
    headers = token_for(Role.VIEWER)
    response = client.get("/api/v1/analysis?layers=cooperation,initiative&as_of=2025-01-01", headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert {"network", "actors", "communities", "fragility", "transitions", "data_version"} <= set(body)
    assert body["actors"]
    body = _problem(client.get("/api/v1/analysis?layers=freundschaft", headers=headers), 422)
    assert "Unbekannte Ebene" in body["errors"]["layers"][0]
    body = _problem(client.get("/api/v1/analysis?since=2025-01-01&until=2024-01-01", headers=headers), 422)
    assert "until" in body["errors"]
    _problem(client.get("/api/v1/analysis?resolution=0", headers=headers), 422)


def test_unknown_query_parameters_are_refused(client, token_for) -> None:
    body = _problem(client.get("/api/v1/actors?kind=Kita", headers=token_for(Role.VIEWER)), 422)
    assert body["errors"] == {"kind": ["Diesen Parameter gibt es nicht."]}


def test_cooperation_writes_follow_the_rules(app, client, token_for, landscape) -> None:
    headers = token_for(Role.COORDINATOR)
    type2 = _second_cooperation_type(app)
    body = _problem(client.post("/api/v1/cooperations", headers=headers, json={
        "source_id": landscape["actor"], "target_id": landscape["actor"], "type_id": type2}), 422)
    assert "zwei verschiedene Akteure" in body["errors"]["target_id"][0]
    body = _problem(client.post("/api/v1/cooperations", headers=headers, json={
        "source_id": landscape["actor"], "target_id": 999999, "type_id": type2}), 422)
    assert body["errors"] == {"target_id": ["Diesen Akteur gibt es nicht."]}
    response = client.post("/api/v1/cooperations", headers=headers, json={
        "source_id": landscape["actor"], "target_id": landscape["kita"], "type_id": type2, "intensity": 3,
        "start_date": "2025-08-01", "description": "Sprachförderung"})
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["intensity"] == 3 and created["start_date"] == "2025-08-01"
    body = _problem(client.patch(f"/api/v1/cooperations/{created['id']}", headers=headers,
                                 json={"end_date": "2025-01-01"}), 422)
    assert "nicht vor dem Beginn" in body["errors"]["end_date"][0]
    ended = client.patch(f"/api/v1/cooperations/{created['id']}", headers=headers,
                         json={"end_date": "2026-07-31", "version_id": created["version_id"]})
    assert ended.status_code == 200 and ended.get_json()["end_date"] == "2026-07-31"
    _problem(client.patch(f"/api/v1/cooperations/{created['id']}", headers=headers,
                          json={"description": "alt", "version_id": created["version_id"]}), 409)
    _problem(client.patch(f"/api/v1/cooperations/{created['id']}", headers=headers,
                          json={"start_date": "gestern"}), 422)
