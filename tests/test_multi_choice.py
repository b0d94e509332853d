"""Multi-choice fields (templates/macros/multi_choice.html): checkboxes that work without Ctrl and
without JavaScript, say what is chosen, and filter as one types; the same widget on every page."""
from __future__ import annotations

import re
from typing import Any

import pytest

from crm.extensions import db
from crm.models import Role
from tests import factories_events as f
from tests.browser import ARTIFACTS, chromium_page, live_server
from tests.conftest import PASSWORD


def _event(app) -> int:
    with app.app_context():
        school = f.actor("Grundschule Olewig", kind="Grundschule")
        kita = f.actor("Kita St. Anna", kind="Kita")
        gym = f.actor("Max-Planck-Gymnasium", kind="Gymnasium")
        f.person("Adler", "Anna", email="anna@gs-olewig.example", at=school)
        f.person("Bauer", "Berta", email="berta@kita.example", at=kita)
        f.person("Hahn", "Hugo", email="hugo@mpg.example", at=gym)
        event = f.event("Bildungsgespräch 4/2026 – MINT")
        db.session.commit()
        return event.id


def _login(page: Any, base_url: str, email: str) -> None:
    page.goto("/anmelden")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{base_url}/")


def test_no_page_uses_a_select_multiple_any_more(app, login_as) -> None:
    """Every multi-select of the app is the widget: forms (field macro) and filter panels alike."""
    event_id = _event(app)
    client = login_as(Role.ADMIN)
    pages = ["/akteure/", "/akteure/neu", "/kooperationen/neu", "/initiativen/neu", "/veranstaltungen/neu",
             f"/veranstaltungen/{event_id}/einladungsliste", "/netzwerk/", "/netzwerk/tabelle", "/berichte/"]
    for url in pages:
        page = client.get(url).get_data(as_text=True)
        assert "<select" not in page or " multiple" not in re.sub(r"<option[^>]*>.*?</option>", "", page), url
        assert "data-multi-choice" in page, url
        assert "Strg" not in page, url  # no more "hold Ctrl to choose several"


def test_chosen_values_travel_as_a_plain_form_without_javascript(app, login_as) -> None:
    event_id = _event(app)
    client = login_as(Role.ORGANISER)
    page = client.get(f"/veranstaltungen/{event_id}/einladungsliste").get_data(as_text=True)
    option = (r'name="actor_kinds" value="(\d+)"\s+id="[^"]+">\s*'
              r'<label class="form-check-label" for="[^"]+">([^<]+)</label>')
    kinds = {name: value for value, name in re.findall(option, page)}
    chosen = client.get(f"/veranstaltungen/{event_id}/einladungsliste?actor_kinds={kinds['Grundschule']}"
                        f"&actor_kinds={kinds['Kita']}&use_filters=1").get_data(as_text=True)
    assert "2 Personen werden eingeladen" in chosen
    assert re.search(r'<span data-multi-choice-summary>Kita, Grundschule</span>', chosen)  # says what is chosen


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_filter_tick_and_take_out_with_keyboard_and_mouse(app, create_user, width) -> None:
    organiser = create_user(Role.ORGANISER)
    event_id = _event(app)
    with live_server(app) as base_url, chromium_page(base_url, viewport={"width": width, "height": 844}) as page:
        _login(page, base_url, organiser.email)
        page.goto(f"/veranstaltungen/{event_id}/einladungsliste")
        group = page.get_by_role("group", name="Art des Akteurs")
        assert "nichts gewählt" in group.inner_text()
        search = group.get_by_role("searchbox", name="Art des Akteurs: Liste filtern")
        search.fill("grunds")  # umlauts and case do not matter; every word must match
        visible = group.locator(".form-check:visible")
        assert visible.count() == 1 and visible.inner_text().strip() == "Grundschule"
        assert group.get_by_role("status").inner_text().startswith("1 von ")
        search.press("Enter")  # ticks the only match and does not send the form
        assert group.get_by_label("Grundschule", exact=True).is_checked()
        assert page.url.endswith("/einladungsliste")
        search.press("Escape")
        assert group.locator(".form-check:visible").count() > 10
        group.get_by_label("Kita", exact=True).check()  # a plain click, no Ctrl
        chips = group.get_by_role("button", name=re.compile("abwählen$"))
        assert chips.count() == 2
        page.screenshot(path=str(ARTIFACTS / f"multi-choice-{width}.png"), full_page=False)
        group.get_by_role("button", name="Grundschule abwählen").click()
        assert not group.get_by_label("Grundschule", exact=True).is_checked()
        assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Kita abwählen"
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        page.get_by_role("button", name="Vorschau anzeigen").click()
        assert "1 Person wird eingeladen" in page.get_by_test_id("preview-summary").inner_text()
        assert "Berta Bauer" in page.get_by_test_id("included").inner_text()


@pytest.mark.browser
def test_works_without_javascript(app, create_user) -> None:
    organiser = create_user(Role.ORGANISER)
    event_id = _event(app)
    with live_server(app) as base_url, chromium_page(base_url, java_script_enabled=False) as page:
        _login(page, base_url, organiser.email)
        page.goto(f"/veranstaltungen/{event_id}/einladungsliste")
        group = page.get_by_role("group", name="Art des Akteurs")
        assert not group.get_by_role("searchbox").is_visible()  # filtering needs the script; ticking does not
        group.get_by_label("Gymnasium", exact=True).check()
        page.get_by_role("button", name="Vorschau anzeigen").click()
        assert "1 Person wird eingeladen" in page.get_by_test_id("preview-summary").inner_text()
        assert "Gymnasium" in page.get_by_role("group", name="Art des Akteurs").inner_text()
        assert page.get_by_role("group", name="Art des Akteurs").get_by_label("Gymnasium", exact=True).is_checked()
