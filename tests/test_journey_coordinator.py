"""Journey of a coordinator, from the login to the goal, as a new user meets it in Chromium: import a
school list in which one row probably is an actor already there (another area) and decide, log a
cooperation on the actor page, merge two records of one Kita. Screenshots at 1280 and 390 px."""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Actor, Cooperation, Role
from tests import factories_coordinator as f
from tests import factories_imports as imp
from tests.browser import chromium_page, live_server
from tests.journeys import log_in, screenshots, watch_errors

pytestmark = pytest.mark.browser

SCHOOL_LIST = (b"Name;Art;PLZ;Ort;Gebiet\n"
               b"Grundschule Trierweiler;Grundschule;54311;Trierweiler;Trierweiler\n"
               b"Kita Regenbogen;Kita;54311;Trierweiler;Trierweiler\n")


@pytest.fixture
def landscape(app):
    land = imp.ensure_area(app, "Verbandsgemeinde Trier-Land", parent="Landkreis Trier-Saarburg")
    imp.ensure_area(app, "Trierweiler", parent="Verbandsgemeinde Trier-Land")
    return {
        "school": f.actor(app, "Grundschule Trierweiler", postcode="54311", city="Trierweiler", area_id=land,
                          external_ref="51111"),
        "ihk": f.actor(app, "IHK Trier", kind="Industrie- und Handelskammer"),
        "anna": f.actor(app, "Kita St. Anna e.V.", kind="Kita", city="Trier"),
        "twin": f.actor(app, "KITA St. Anna", kind="Kita", email="kita.anna@example.org"),
    }


def test_coordinator_imports_decides_logs_a_cooperation_and_merges(app, create_user, landscape) -> None:
    user = create_user(Role.COORDINATOR, name="Karla Koordination")
    with live_server(app) as base_url, chromium_page(base_url, viewport={"width": 1280, "height": 900}) as page:
        problems = watch_errors(page)
        log_in(page, base_url, user.email)

        # 1. Import: upload, columns recognised, preview asks about the school that is probably there.
        page.get_by_role("link", name="Akteure", exact=True).click()
        page.get_by_role("link", name="Importieren").click()
        page.get_by_label("Was enthält die Datei?").select_option(label="Akteure")
        page.get_by_label("Datei", exact=True).set_input_files(
            files=[{"name": "schulen-trierweiler.csv", "mimeType": "text/csv", "buffer": SCHOOL_LIST}])
        page.get_by_role("button", name="Hochladen und Spalten zuordnen").click()
        page.wait_for_url("**/zuordnung")
        page.get_by_role("button", name="Weiter zur Vorschau").click()
        page.wait_for_url("**/vorschau")
        assert "wahrscheinlich zu einem vorhandenen Akteur" in page.get_by_test_id("decisions-needed").inner_text()
        assert page.get_by_role("button", name="Jetzt importieren").is_disabled()
        match = page.get_by_test_id("probable-match")
        assert "Zeile 2: „Grundschule Trierweiler“" in match.inner_text() and "Kennung 51111" in match.inner_text()
        screenshots(page, "journey-coordinator-probable-match")
        match.get_by_label("Ist der vorhandene Akteur", exact=False).check()
        page.get_by_role("button", name="Entscheidungen übernehmen").click()
        page.wait_for_url("**/vorschau#treffer")
        assert "1 neu, 1 aktualisiert" in page.get_by_test_id("preview-result").inner_text()
        page.get_by_role("button", name="Jetzt importieren").click()
        page.wait_for_url("**/ergebnis")
        assert "1 neu, 1 aktualisiert" in page.get_by_test_id("import-result").inner_text()
        expect(page.get_by_test_id("records-new").get_by_role("link", name="Kita Regenbogen")).to_be_visible()
        screenshots(page, "journey-coordinator-import-result")
        page.get_by_test_id("records-updated").get_by_role("link", name="Grundschule Trierweiler").click()
        page.wait_for_url(f"{base_url}/akteure/{landscape['school']}")
        assert "Trierweiler" in page.get_by_role("heading", level=1).locator("xpath=..").inner_text()

        # 2. Log a cooperation with the IHK from the actor page.
        capture = page.get_by_test_id("quick-capture")
        capture.get_by_role("combobox", name="Partner").press_sequentially("ihk", delay=40)
        capture.get_by_role("listbox", name="Vorschläge").get_by_role("option", name="IHK Trier").click()
        capture.get_by_label("Art", exact=True).select_option(label="Praktikums- und Ausbildungspartnerschaft")
        capture.get_by_role("button", name="Kooperation speichern").click()
        page.wait_for_url(f"{base_url}/akteure/{landscape['school']}#kooperationen")
        assert "Kooperation mit „IHK Trier“ gespeichert." in page.get_by_role("alert").first.inner_text()
        screenshots(page, "journey-coordinator-cooperation")

        # 3. Merge the two records of one Kita: the pick list offers the twin, keep the older one.
        page.goto(f"/akteure/{landscape['anna']}")
        page.get_by_role("link", name="Zusammenführen").click()
        page.get_by_test_id("merge-candidates").get_by_role("link", name="KITA St. Anna").click()
        page.get_by_label("„Kita St. Anna e.V.“ behalten").check()
        page.get_by_label("Ja, zusammenführen").check()
        screenshots(page, "journey-coordinator-merge")
        page.get_by_role("button", name="Zusammenführen").click()
        page.wait_for_url(f"{base_url}/akteure/{landscape['anna']}")
        assert "übernommen und gelöscht" in page.get_by_role("alert").first.inner_text()
        assert page.get_by_role("definition").filter(has_text="kita.anna@example.org").is_visible()  # from the twin
        assert problems == [] and page.outside_requests == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Actor).where(
            Actor.name == "Grundschule Trierweiler")) == 1
        assert db.session.get(Actor, landscape["school"]).area.name == "Trierweiler"
        assert db.session.get(Actor, landscape["twin"]) is None
        tie = db.session.scalars(select(Cooperation).where(Cooperation.target_id == landscape["ihk"])).one()
        assert (tie.source_id, tie.start_date) == (landscape["school"], date.today())
