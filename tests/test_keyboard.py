"""In Chromium, with the keyboard only: the skip link, a focus ring one can see on the blue bar and in
the user menu, and the coordinator's everyday job (find an actor, log a cooperation) in few Tab
presses (it took 102 before skip links and the jump to the capture form)."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import Cooperation, Role
from tests import factories_coordinator as f
from tests.browser import ARTIFACTS, chromium_page, live_server
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

# The focused element and how its focus ring stands out: outline style and width, and the contrast
# of the ring's colour against the background behind the element (WCAG 2.4.7, and 1.4.11: 3:1).
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  let back = null;
  for (let p = el.parentElement; p; p = p.parentElement) {
    const c = rgb(getComputedStyle(p).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) { back = c.slice(0, 3); break; }
  }
  back = back || [255, 255, 255];
  const style = getComputedStyle(el);
  const ring = rgb(style.outlineColor).slice(0, 3);
  const [a, b] = [lum(ring), lum(back)].sort((x, y) => y - x);
  const box = el.getBoundingClientRect();
  const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 60);
  return {tag: el.tagName.toLowerCase(), text, id: el.id, outline: style.outlineStyle,
          width: parseFloat(style.outlineWidth), contrast: (a + 0.05) / (b + 0.05),
          visible: box.width > 2 && box.height > 2 && box.bottom > 0 && box.top < window.innerHeight,
          inNavbar: !!el.closest('.app-navbar'), inMenu: !!el.closest('.dropdown-menu')};
}"""


class Keyboard:
    """Presses keys and counts the Tab presses; every focus stop must show a ring one can see."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.tabs = 0
        self.stops: list[dict[str, Any]] = []

    def focus(self) -> dict[str, Any]:
        return self.page.evaluate(FOCUS)

    def tab(self, times: int = 1) -> dict[str, Any]:
        for _ in range(times):
            self.page.keyboard.press("Tab")
            self.tabs += 1
            # Chromium settles :focus a moment after leaving a select it picked from by typing
            self.page.wait_for_timeout(50)
            stop = self.focus()
            assert stop is not None, "Tab left the page"
            self.stops.append(stop)
            assert stop["outline"] != "none" and stop["width"] >= 2, f"no visible focus ring on {stop}"
            assert stop["contrast"] >= 3, f"focus ring too faint ({stop['contrast']:.1f}:1) on {stop}"
        return self.stops[-1]

    def tab_to(self, predicate: Any, limit: int = 40) -> dict[str, Any]:
        for _ in range(limit):
            stop = self.tab()
            if predicate(stop):
                return stop
        raise AssertionError(f"not reached in {limit} Tab presses; last stops: {self.stops[-5:]}")


def _login(page: Any, base_url: str, email: str) -> None:
    page.goto("/anmelden")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{base_url}/")


def test_skip_link_and_a_visible_focus_ring_on_the_blue_bar_and_in_the_user_menu(app, create_user) -> None:
    user = create_user(Role.COORDINATOR, name="Karla Koordination")
    with live_server(app) as base_url, chromium_page(base_url, viewport={"width": 1280, "height": 800}) as page:
        _login(page, base_url, user.email)
        keys = Keyboard(page)
        skip = keys.tab()
        assert skip["text"] == "Zum Inhalt springen" and skip["visible"]
        page.screenshot(path=str(ARTIFACTS / "keyboard-skip-link.png"))
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "inhalt"

        page.goto("/")
        keys = Keyboard(page)
        keys.tab()  # the skip link
        brand = keys.tab()
        assert brand["inNavbar"] and brand["text"] == "Bildungsnetz"
        link = keys.tab()
        assert link["inNavbar"] and link["text"] == "Dashboard"
        page.screenshot(path=str(ARTIFACTS / "keyboard-focus-navbar.png"),
                        clip={"x": 0, "y": 0, "width": 1280, "height": 80})
        menu_button = keys.tab_to(lambda s: s["id"] == "user-menu")
        assert menu_button["inNavbar"]
        page.keyboard.press("Enter")  # opens the user menu
        page.get_by_test_id("user-menu").wait_for(state="visible")
        page.keyboard.press("ArrowDown")
        item = keys.focus()
        assert item["inMenu"] and item["outline"] != "none" and item["contrast"] >= 3
        page.screenshot(path=str(ARTIFACTS / "keyboard-focus-user-menu.png"),
                        clip={"x": 900, "y": 0, "width": 380, "height": 360})
        page.keyboard.press("Escape")
        logout = keys.tab_to(lambda s: s["text"] == "Abmelden")
        assert logout["inNavbar"]
        # every stop on the bar had a ring of at least 3:1 against the blue (checked in Keyboard.tab)
        assert all(stop["inNavbar"] for stop in keys.stops[1:])


def test_coordinator_finds_an_actor_and_logs_a_cooperation_by_keyboard(app, create_user) -> None:
    user = create_user(Role.COORDINATOR, name="Karla Koordination")
    trier = f.area(app, "Stadt Trier")
    school = f.actor(app, "Grundschule Olewig", area_id=trier)
    kita = f.actor(app, "Kita St. Anna", kind="Kita", area_id=trier)
    for n in range(30):  # a directory of some length: the job must not grow with it
        f.actor(app, f"Akteur {n:02d}", area_id=trier)
    with live_server(app) as base_url, chromium_page(base_url, viewport={"width": 1280, "height": 800}) as page:
        _login(page, base_url, user.email)
        keys = Keyboard(page)

        # Start page → directory, through the navigation.
        keys.tab_to(lambda s: s["text"] == "Akteure" and s["inNavbar"])
        page.keyboard.press("Enter")
        page.wait_for_url("**/akteure/")
        # The page's own skip link leads to the search box.
        assert keys.tab()["text"] == "Zum Inhalt springen"
        assert keys.tab()["text"] == "Zur Suche"
        page.keyboard.press("Enter")
        search = keys.tab()
        assert search["id"] == "q"
        page.keyboard.type("olewig")
        page.keyboard.press("Enter")
        page.wait_for_url("**/akteure/?q=olewig*")
        # The results: a skip link straight to the list, then the first actor.
        keys.tab_to(lambda s: s["text"] == "Zur Ergebnisliste", limit=3)
        page.keyboard.press("Enter")
        first = keys.tab()
        assert first["text"] == "Grundschule Olewig"
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/akteure/{school}")

        # On the actor's page a skip link jumps to the capture form.
        keys.tab_to(lambda s: s["text"] == "Zur Erfassung einer Kooperation", limit=3)
        page.keyboard.press("Enter")
        partner = keys.tab()
        assert partner["id"] == "partner"
        page.keyboard.type("st. an", delay=30)
        page.get_by_role("option", name="Kita St. Anna").wait_for()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")  # chooses the suggestion, does not send the form
        kind = keys.tab()
        assert kind["tag"] == "select"
        page.keyboard.type("Kooperationsvertrag")  # a closed select picks by typing, as everywhere
        # the date field (today) takes one stop per part: day, month, year
        keys.tab_to(lambda s: s["text"] == "Kooperation speichern", limit=8)
        page.screenshot(path=str(ARTIFACTS / "keyboard-quick-capture.png"))
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/akteure/{school}#kooperationen")
        assert "Kooperation mit „Kita St. Anna“ gespeichert." in page.get_by_role("alert").first.inner_text()
        print(f"\ncoordinator's job by keyboard: {keys.tabs} Tab presses (before: 102)")
        assert keys.tabs <= 25
    with app.app_context():
        tie = db.session.scalars(select(Cooperation).where(Cooperation.target_id == kita)).one()
        assert (tie.source_id, tie.type.name, tie.start_date) == (school, "Kooperationsvertrag", date.today())
