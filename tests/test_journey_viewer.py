"""Journey of a read-only user (an Amt, city leadership), from the login in Chromium: the dashboard and
the landscape, but no personal data anywhere and no way to change anything. Screenshots at 1280/390 px."""
from __future__ import annotations

import re

import pytest

from crm.models import Role
from tests import factories_coordinator as f
from tests.browser import chromium_page, live_server
from tests.journeys import log_in, screenshots, watch_errors

pytestmark = pytest.mark.browser

PERSONAL = ("Erika Musterfrau", "erika.musterfrau@gs-olewig.example", "Lernbegleiterweg 7", "0651 998877")


@pytest.fixture
def landscape(app):
    trier = f.area(app, "Stadt Trier")
    school = f.actor(app, "Grundschule Olewig", area_id=trier, street="Olewiger Straße 1", postcode="54295",
                     city="Trier", topics=["MINT"])
    volunteer = f.actor(app, "Hanna Helfer", kind="Ehrenamtliche Person", area_id=trier,
                        street="Lernbegleiterweg 7", postcode="54296", city="Trier", phone="0651 998877")
    kita = f.actor(app, "Kita St. Anna", kind="Kita", area_id=trier)
    f.cooperation(app, school, kita)
    f.cooperation(app, volunteer, school, ctype="Informeller Austausch")
    person = f.person(app, "Musterfrau", "Erika", "erika.musterfrau@gs-olewig.example", school)
    return {"school": school, "volunteer": volunteer, "person": person}


def test_viewer_sees_the_landscape_but_no_personal_data_and_cannot_write(app, create_user, landscape) -> None:
    user = create_user(Role.VIEWER, name="Amt für Jugend")
    with live_server(app) as base_url, chromium_page(base_url, viewport={"width": 1280, "height": 900}) as page:
        problems = watch_errors(page)
        log_in(page, base_url, user.email)
        nav = page.get_by_role("navigation").first.inner_text()
        assert "Akteure" in nav and "Personen" not in nav
        screenshots(page, "journey-viewer-start")

        page.get_by_role("link", name="Akteure", exact=True).click()
        page.get_by_label("Suche", exact=True).fill("olewig")
        page.get_by_role("button", name="Suchen").click()
        page.get_by_role("link", name="Grundschule Olewig").click()
        page.wait_for_url(f"{base_url}/akteure/{landscape['school']}")
        content = page.locator("main").inner_text()
        assert "Kita St. Anna" in content and "Olewiger Straße 1" in content  # an organisation's address
        for text in PERSONAL:
            assert text not in page.content()
        for control in ("Bearbeiten", "Zusammenführen", "Löschen", "Kooperation speichern", "Person hinzufügen"):
            assert page.get_by_role("button", name=control).count() == 0
            assert page.get_by_role("link", name=control).count() == 0
        assert page.get_by_test_id("quick-capture").count() == 0
        screenshots(page, "journey-viewer-actor")

        # A volunteer acting in her own right is named; her street and phone are personal data.
        page.get_by_role("link", name="Hanna Helfer").first.click()
        page.wait_for_url(f"{base_url}/akteure/{landscape['volunteer']}")
        assert "Kontaktdaten einer Einzelperson" in page.get_by_test_id("contact-hidden").inner_text()
        assert "Lernbegleiterweg" not in page.content() and "998877" not in page.content()

        # Pages with personal data or for changes answer 403 in German, also when typed in.
        for path in ("/personen/", f"/personen/{landscape['person']}", f"/akteure/{landscape['school']}/bearbeiten",
                     "/akteure/neu", "/import/", "/admin/"):
            response = page.goto(path)
            assert response.status == 403, path
            assert "Keine Berechtigung" in page.locator("main").inner_text()
        screenshots(page, "journey-viewer-forbidden")
        # A write sent without the form (with the session's valid CSRF token) is refused as well.
        page.goto(f"/akteure/{landscape['school']}")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.content()).group(1)
        refused = page.request.post(f"{base_url}/akteure/{landscape['school']}/bearbeiten",
                                    form={"csrf_token": token, "name": "Umbenannt", "kind": "1"})
        assert refused.status == 403
        api = page.request.get(f"{base_url}/api/v1/persons")
        assert api.status == 403 and api.headers["content-type"].startswith("application/problem+json")
        actors = page.request.get(f"{base_url}/api/v1/actors?q=helfer").json()
        assert actors["items"][0]["street"] == "" and actors["items"][0]["phone"] == ""
        # The only console entries: the browser noting the 403 answers of the refused pages above.
        assert [p for p in problems if "status of 403" not in p] == [] and page.outside_requests == []
