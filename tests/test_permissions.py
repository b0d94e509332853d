"""Each role against a matrix of routes: status codes, not hidden buttons."""
from __future__ import annotations

import pytest

from crm.models import Role
from crm.permissions import ROLE_PERMISSIONS, Permission, declared_access

ROLES = ("anonymous", Role.VIEWER, Role.ORGANISER, Role.COORDINATOR, Role.ADMIN)
LOGIN = 302  # anonymous users are sent to the login page; JSON routes answer 401 problem details instead

# (method, path, expected status for anonymous, viewer, organiser, coordinator, admin)
MATRIX = [
    ("GET", "/", (LOGIN, 200, 200, 200, 200)),
    ("GET", "/akteure/", (LOGIN, 200, 200, 200, 200)),
    ("GET", "/akteure/{actor}", (LOGIN, 200, 200, 200, 200)),
    ("GET", "/akteure/neu", (LOGIN, 403, 403, 200, 200)),
    ("POST", "/akteure/neu", (LOGIN, 403, 403, 422, 422)),
    ("GET", "/akteure/{actor}/bearbeiten", (LOGIN, 403, 403, 200, 200)),
    ("POST", "/akteure/{actor}/bearbeiten", (LOGIN, 403, 403, 422, 422)),
    ("GET", "/analyse/ergebnis.json", (401, 200, 200, 200, 200)),
    ("GET", "/analyse/netzwerk.gexf", (LOGIN, 200, 200, 200, 200)),
    ("GET", "/netzwerk/", (LOGIN, 200, 200, 200, 200)),
    ("GET", "/netzwerk/karte.json", (401, 200, 200, 200, 200)),
    ("GET", "/netzwerk/akteur/{actor}.json", (401, 200, 200, 200, 200)),
    ("GET", "/dashboard/", (LOGIN, 200, 200, 200, 200)),
    ("GET", "/berichte/", (LOGIN, 200, 200, 200, 200)),
    ("GET", "/berichte/bericht.pdf", (LOGIN, 200, 200, 200, 200)),
    ("GET", "/berichte/bericht.xlsx", (LOGIN, 200, 200, 200, 200)),
    ("GET", "/admin/", (LOGIN, 403, 403, 403, 200)),
    ("GET", "/admin/admin_users/", (LOGIN, 403, 403, 403, 200)),
    ("GET", "/admin/admin_users/new/", (LOGIN, 403, 403, 403, 200)),
    ("GET", "/admin/admin_topics/", (LOGIN, 403, 403, 403, 200)),
    ("GET", "/admin/admin_areas/", (LOGIN, 403, 403, 403, 200)),
    ("GET", "/admin/admin_audit/", (LOGIN, 403, 403, 403, 200)),
    ("GET", "/anmelden", (200, 302, 302, 302, 302)),
    ("GET", "/angebote/", (LOGIN, 200, 200, 200, 200)),
    ("GET", "/angebote/neu", (LOGIN, 403, 403, 200, 200)),
    ("GET", "/angebote/bestandsaufnahme/", (LOGIN, 200, 200, 200, 200)),
    ("GET", "/import/vorlage-angebote.csv", (LOGIN, 403, 403, 200, 200)),
    ("POST", "/angebote/neu", (LOGIN, 403, 403, 422, 422)),
    ("GET", "/angebote/akteur/{actor}/portal", (LOGIN, 403, 403, 200, 200)),
    ("GET", "/portal/", (200, 200, 200, 200, 200)),
    ("GET", "/portal/angebote.json", (200, 200, 200, 200, 200)),
    ("GET", "/portal/anbieter/{actor}", (404, 404, 404, 404, 404)),
    ("GET", "/portal/karte", (200, 200, 200, 200, 200)),
    ("GET", "/portal/karte.json", (200, 200, 200, 200, 200)),
    ("GET", "/karte/", (LOGIN, 200, 200, 200, 200)),
    ("GET", "/karte/orte.json", (401, 200, 200, 200, 200)),
    ("GET", "/karte/umrisse.json", (401, 200, 200, 200, 200)),
    ("GET", "/karte/umrisse", (LOGIN, 403, 403, 200, 200)),
    ("POST", "/karte/umrisse", (LOGIN, 403, 403, 422, 422)),
]


@pytest.mark.parametrize("role_index,role", list(enumerate(ROLES)), ids=[str(r) for r in ROLES])
def test_route_matrix(client, create_user, create_actor, role_index, role) -> None:
    actor_id = create_actor("Kita St. Anna")
    if role != "anonymous":
        client.login(create_user(role).email)
    token = client.csrf_token()
    failures = []
    for method, path, expected in MATRIX:
        url = path.format(actor=actor_id)
        if method == "GET":
            response = client.get(url)
        else:  # an empty form: allowed roles get a validation error (422), not a write
            response = client.post(url, data={"csrf_token": token, "name": ""})
        if response.status_code != expected[role_index]:
            failures.append(f"{method} {url}: {response.status_code} != {expected[role_index]}")
        if role == "anonymous" and expected[role_index] == LOGIN:
            assert "/anmelden" in response.headers["Location"]
    assert failures == []


def test_every_endpoint_declares_its_access(app) -> None:
    undeclared = sorted({rule.endpoint for rule in app.url_map.iter_rules()
                         if declared_access(app, rule.endpoint) is None})
    assert undeclared == []


def test_public_endpoints_are_only_the_intended_ones(app) -> None:
    public = sorted({rule.endpoint for rule in app.url_map.iter_rules()
                     if declared_access(app, rule.endpoint) == () and not rule.endpoint.endswith("static")})
    assert public == ["api.openapi_document", "auth.login", "auth.logout", "health.health", "main.set_language",
                      "portal.calendar_ics", "portal.calendar_page", "portal.event", "portal.event_ics",
                      "portal.events_feed", "portal.feed", "portal.index", "portal.map_feed", "portal.map_page",
                      "portal.offer", "portal.provider", "portal.provider_calendar", "privacy.public_withdraw",
                      # the provider's personal link: the signed token is the permission
                      # (crm.services.offers.provider_links)
                      "provider_offers.confirm", "provider_offers.create", "provider_offers.edit",
                      "provider_offers.home", "rsvp.answer",
                      # the personal survey link: the signed token is the permission (crm.services.surveys.tokens)
                      "survey_answer.answer", "survey_answer.suggest",
                      # the workshop vote link: the signed token is the permission
                      # (crm.services.events.workshop_vote_tokens)
                      "workshop_vote.vote"]


def test_undeclared_endpoint_is_refused(app, login_as) -> None:
    @app.route("/_vergessen")
    def forgotten():  # no @requires: the safety net must refuse it
        return "offen"

    client = login_as(Role.ADMIN)
    assert client.get("/_vergessen").status_code == 403


def test_viewer_cannot_write_even_with_valid_form(login_as, create_actor, app) -> None:
    actor_id = create_actor("Grundschule Olewig")
    client = login_as(Role.VIEWER)
    response = client.post_form(f"/akteure/{actor_id}/bearbeiten", {"name": "Übernommen"})
    assert response.status_code == 403
    assert "Übernommen" not in client.get(f"/akteure/{actor_id}").get_data(as_text=True)


def test_role_permissions_are_nested_sensibly() -> None:
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert Permission.EDIT_LANDSCAPE not in ROLE_PERMISSIONS[Role.VIEWER]
    assert Permission.VIEW_PERSONAL_DATA not in ROLE_PERMISSIONS[Role.VIEWER]
    assert Permission.EDIT_LANDSCAPE not in ROLE_PERMISSIONS[Role.ORGANISER]
    assert Permission.ADMINISTER not in ROLE_PERMISSIONS[Role.COORDINATOR]


def test_csrf_is_required_on_forms(login_as, create_actor) -> None:
    actor_id = create_actor("Grundschule Olewig")
    client = login_as(Role.COORDINATOR)
    response = client.post(f"/akteure/{actor_id}/bearbeiten", data={"name": "Ohne Token"})
    assert response.status_code == 400
    assert "Formular ist abgelaufen" in response.get_data(as_text=True)
