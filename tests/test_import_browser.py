"""In Chromium: a coordinator imports the Saarland school file from the actor list, maps an
unknown school form on the mapping page, checks the preview and imports; screenshots kept."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from crm.models import Role
from tests.browser import ARTIFACTS, chromium_page, live_server
from tests.factories_imports import SAARLAND, ensure_kind

pytestmark = pytest.mark.browser


def test_coordinator_imports_a_school_file(app, create_user) -> None:
    user = create_user(Role.COORDINATOR, name="Karla Koordination")
    ensure_kind(app, "Universität", "Hochschule")
    data = SAARLAND.read_bytes().replace(b'"Schulform": "Hochschule"', b'"Schulform": "Uni (staatlich)"')
    with live_server(app) as base_url, chromium_page(base_url) as page:
        page.goto("/anmelden")
        page.get_by_label("E-Mail").fill(user.email)
        page.get_by_label("Passwort").fill("richtig-langes-passwort")
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(f"{base_url}/")
        page.goto("/akteure/")
        page.get_by_role("link", name="Importieren").click()
        page.get_by_label("Was enthält die Datei?").select_option(label="Akteure")
        page.get_by_label("Datei", exact=True).set_input_files(
            files=[{"name": "saarland.geojson", "mimeType": "application/geo+json", "buffer": data}])
        page.get_by_role("button", name="Hochladen und Spalten zuordnen").click()
        page.wait_for_url("**/zuordnung")
        assert page.get_by_label("Bezeichnung").input_value() == "name"
        page.get_by_label("Uni (staatlich)", exact=True).select_option(label="Universität")
        page.screenshot(path=str(ARTIFACTS / "import-mapping.png"), full_page=True)
        page.get_by_role("button", name="Weiter zur Vorschau").click()
        page.wait_for_url("**/vorschau")
        assert "1 neu, 0 aktualisiert, 0 unverändert" in page.get_by_test_id("preview-result").inner_text()
        page.get_by_role("button", name="Probelauf").click()
        assert "Probelauf erfolgreich" in page.get_by_test_id("dry-run-result").inner_text()
        page.screenshot(path=str(ARTIFACTS / "import-preview.png"), full_page=True)
        page.get_by_role("button", name="Jetzt importieren").click()
        page.wait_for_url("**/ergebnis")
        assert "1 neu" in page.get_by_test_id("import-result").inner_text()
        page.get_by_role("link", name="Zu den Akteuren").click()
        new_record = page.get_by_role("link", name="Deutsch-Französiche Hochschule, Université franco-allemande")
        expect(new_record).to_be_visible()
        assert page.outside_requests == []
