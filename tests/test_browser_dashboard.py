"""In Chromium: a viewer (Amt, city leadership) lands on the dashboard of the demo region, the
report page works, nothing is blocked by the CSP and no request leaves the machine."""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from crm.extensions import db
from crm.models import Role
from tests.browser import ARTIFACTS, chromium_page, live_server

pytestmark = pytest.mark.browser


def test_viewer_lands_on_dashboard_and_opens_report(app, create_user) -> None:
    from crm.demo.generator import load_demo
    from crm.services.privacy import audit

    with app.app_context(), audit.suppressed():
        load_demo(db.session, today=date.today())
        db.session.commit()
    user = create_user(Role.VIEWER, name="Amt für Schulen")
    with live_server(app) as base_url, chromium_page(base_url) as page:
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto("/anmelden")
        page.get_by_label("E-Mail").fill(user.email)
        page.get_by_label("Passwort").fill("richtig-langes-passwort")
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(f"{base_url}/")
        expect(page.get_by_role("heading", name="Bildungslandschaft: Dashboard")).to_be_visible()
        page.get_by_test_id("transition-heatmap").wait_for(timeout=30_000)   # computed by the worker beside
        assert page.locator("svg.chart polyline").count() >= 1
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        page.get_by_role("link", name="Berichte").first.click()
        page.get_by_role("button", name="Bericht anzeigen").click()
        page.get_by_test_id("report").wait_for(timeout=30_000)
        assert page.locator("svg.network-picture circle").count() > 100
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        assert page.outside_requests == []
        assert [p for p in problems if "Content Security Policy" in p] == []


@pytest.mark.parametrize("role", [Role.ADMIN, Role.VIEWER])
def test_navigation_fits_1280_px_with_account_links_in_the_user_menu(app, create_user, role) -> None:
    user = create_user(role, name="Karla Koordination")
    with live_server(app) as base_url, chromium_page(base_url) as page:
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto("/anmelden")
        page.get_by_label("E-Mail").fill(user.email)
        page.get_by_label("Passwort").fill("richtig-langes-passwort")
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(f"{base_url}/")
        logout = page.get_by_role("button", name="Abmelden")
        box = logout.bounding_box()
        assert logout.is_visible() and box["x"] + box["width"] <= 1280
        brand, logout_top = page.locator(".navbar-brand").bounding_box(), box["y"]
        assert abs(logout_top + box["height"] / 2 - (brand["y"] + brand["height"] / 2)) < 8  # one line, nothing wrapped
        menu = page.get_by_test_id("user-menu")
        assert not menu.is_visible()
        page.get_by_test_id("current-user").click()
        menu.wait_for(state="visible")
        expect(menu.get_by_role("link", name="API-Tokens")).to_be_visible()
        assert (menu.get_by_role("link", name="Aufbewahrung").count() == 1) == (role == Role.ADMIN)
        assert (menu.get_by_role("link", name="Verwaltung").count() == 1) == (role == Role.ADMIN)
        page.screenshot(path=str(ARTIFACTS / f"navigation-{role.value}.png"))
        menu.get_by_role("button", name="English").click()
        page.wait_for_url(f"{base_url}/")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.outside_requests == []
