"""In Chromium: a coordinator finds an actor in the directory, logs a cooperation through the
autocomplete, sees it on the actor page and ends it. Screenshots go to test-artifacts/."""
from __future__ import annotations

import time
from datetime import date

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import Cooperation, Role
from tests import factories_coordinator as f
from tests.browser import ARTIFACTS, chromium_page, live_server
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _login(page, base_url: str, email: str) -> None:
    page.goto("/anmelden")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{base_url}/")


@pytest.fixture
def landscape(app):
    trier = f.area(app, "Stadt Trier")
    olewig = f.area(app, "Olewig", trier)
    ids = {
        "school": f.actor(app, "Grundschule Olewig", area_id=olewig, street="Olewiger Straße 1", postcode="54295",
                          city="Trier", topics=["MINT"]),
        "kita": f.actor(app, "Kita St. Anna", kind="Kita", area_id=trier),
        "josef": f.actor(app, "Kita St. Josef", kind="Kita", area_id=trier),
        "ihk": f.actor(app, "IHK Trier", kind="Industrie- und Handelskammer", area_id=trier),
    }
    for n in range(12):
        f.actor(app, f"Grundschule Nummer {n + 1}", area_id=trier)
    f.cooperation(app, ids["school"], ids["ihk"], ctype="Förderung", start=date(2021, 1, 1), end=date(2022, 7, 31))
    return ids


def test_coordinator_logs_and_ends_a_cooperation(app, create_user, landscape) -> None:
    user = create_user(Role.COORDINATOR, name="Karla Koordination")
    with live_server(app) as base_url, chromium_page(base_url) as page:
        problems: list[str] = []
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        _login(page, base_url, user.email)

        # Find the school through the directory's search.
        page.get_by_role("link", name="Akteure", exact=True).click()
        page.get_by_label("Suche", exact=True).fill("olewiger strasse")
        page.get_by_role("button", name="Suchen").click()
        page.wait_for_url("**/akteure/?q=olewiger+strasse*")
        assert page.get_by_test_id("result-count").inner_text().startswith("1 Akteur")
        page.screenshot(path=str(ARTIFACTS / "coordinator-directory.png"), full_page=True)
        page.get_by_role("link", name="Grundschule Olewig").click()
        page.wait_for_url(f"{base_url}/akteure/{landscape['school']}")

        # Log a cooperation with the Kita: a few letters, pick the suggestion, type, save.
        started = time.perf_counter()
        capture = page.get_by_test_id("quick-capture")
        partner = capture.get_by_role("combobox", name="Partner")
        partner.press_sequentially("st. an", delay=40)
        suggestions = capture.get_by_role("listbox", name="Vorschläge")
        option = suggestions.get_by_role("option", name="Kita St. Anna")
        option.wait_for()
        assert partner.get_attribute("aria-expanded") == "true"
        assert suggestions.get_by_role("option").count() == 1  # "Kita St. Josef" does not match "an"
        option.click()
        assert partner.input_value() == "Kita St. Anna"
        assert capture.locator("input[name=partner_id]").input_value() == str(landscape["kita"])
        assert partner.get_attribute("aria-expanded") == "false"
        capture.get_by_label("Art", exact=True).select_option(label="Kooperationsvertrag")
        assert capture.get_by_label("Beginn").input_value() == date.today().isoformat()
        # The form goes out once: while the answer is pending (held back here), the button is
        # disabled and a second submit (a double click, Enter) is stopped in the page.
        held: list = []
        page.route("**/kooperationen/neu", lambda route: held.append(route))
        outcome = page.evaluate("""async () => {
            const form = document.querySelector('[data-testid=quick-capture]');
            const button = form.querySelector('button[type=submit]');
            const prevented = [];
            form.addEventListener('submit', (event) => { prevented.push(event.defaultPrevented); });
            button.click();
            await new Promise((resolve) => setTimeout(resolve, 0));
            button.click();          // a disabled button does not submit
            form.requestSubmit();    // Enter in a field does, and is stopped
            return {prevented, disabled: button.disabled};
        }""")
        assert outcome == {"prevented": [False, True], "disabled": True}
        for _ in range(200):  # the held request reaches the route handler on the next turn
            if held:
                break
            page.wait_for_timeout(25)
        assert len(held) == 1
        held[0].continue_()
        page.wait_for_url(f"{base_url}/akteure/{landscape['school']}#kooperationen")
        elapsed = time.perf_counter() - started
        print(f"\nquick capture by the browser robot: {elapsed:.1f} s")

        assert "Kooperation mit „Kita St. Anna“ gespeichert." in page.get_by_role("alert").first.inner_text()
        tie = page.locator("[data-testid=tie][data-partner='Kita St. Anna']")
        assert tie.is_visible() and "laufend" in tie.inner_text() and "Kooperationsvertrag" in tie.inner_text()
        timeline = page.get_by_test_id("cooperation-timeline").inner_text()
        assert timeline.index(str(date.today().year)) < timeline.index("2021")  # newest year first
        page.screenshot(path=str(ARTIFACTS / "coordinator-actor-page.png"), full_page=True)

        # End it today: it stays on the page; it runs until the end of today, then counts as ended.
        tie.get_by_role("button", name="Kooperation mit Kita St. Anna beenden").click()
        page.wait_for_url(f"{base_url}/akteure/{landscape['school']}#kooperationen")
        tie = page.locator("[data-testid=tie][data-partner='Kita St. Anna']")
        assert tie.get_by_test_id("ending").inner_text() == "endet heute"
        assert tie.get_by_role("button", name="Kooperation mit Kita St. Anna beenden").count() == 0
        ended = page.locator("[data-testid=tie][data-partner='IHK Trier']")
        assert ended.get_by_test_id("ended").inner_text() == "beendet"
        assert "(1 laufend, 1 beendet)" in page.get_by_role("heading", name="Kooperationen").inner_text()
        page.screenshot(path=str(ARTIFACTS / "coordinator-actor-page-ended.png"), full_page=True)
        assert problems == []
        assert page.outside_requests == []  # type: ignore[attr-defined]
    with app.app_context():
        cooperation = db.session.scalars(select(Cooperation).where(Cooperation.target_id == landscape["kita"])).one()
        assert (cooperation.source_id, cooperation.start_date, cooperation.end_date) == (
            landscape["school"], date.today(), date.today())


def test_autocomplete_works_with_the_keyboard(app, create_user, landscape) -> None:
    user = create_user(Role.COORDINATOR)
    with live_server(app) as base_url, chromium_page(base_url) as page:
        _login(page, base_url, user.email)
        page.goto(f"/akteure/{landscape['kita']}")
        capture = page.get_by_test_id("quick-capture")
        partner = capture.get_by_role("combobox", name="Partner")
        suggestions = capture.get_by_role("listbox", name="Vorschläge")
        partner.press_sequentially("grundschule", delay=30)
        suggestions.get_by_role("option").first.wait_for()
        assert suggestions.get_by_role("option").count() == 13  # the school and twelve more (at most 15)
        partner.press("ArrowDown")
        partner.press("ArrowDown")
        active = partner.get_attribute("aria-activedescendant")
        assert active and page.locator(f"#{active}").get_attribute("aria-selected") == "true"
        chosen = page.locator(f"#{active}").locator("div").first.inner_text()
        partner.press("Enter")  # chooses; does not submit the form
        assert partner.input_value() == chosen
        assert page.url.endswith(f"/akteure/{landscape['kita']}")
        # Typing again forgets the chosen id; Escape closes the list.
        partner.press_sequentially("x")
        hidden = page.locator("input[name=partner_id]")
        assert hidden.input_value() == ""
        partner.fill("")
        partner.press_sequentially("ihk")
        suggestions.get_by_role("option", name="IHK Trier").wait_for()
        partner.press("Escape")
        assert partner.get_attribute("aria-expanded") == "false"
