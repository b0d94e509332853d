"""In Chromium: a coordinator logs in and sees the start page, with no request leaving the machine."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from crm.models import Role
from tests.browser import ARTIFACTS, chromium_page, live_server

pytestmark = pytest.mark.browser


def test_login_and_start_page(app, create_user, create_actor) -> None:
    user = create_user(Role.COORDINATOR, name="Karla Koordination")
    create_actor("Grundschule Olewig")
    with live_server(app) as base_url, chromium_page(base_url) as page:
        page.goto("/")
        assert "/anmelden" in page.url
        page.get_by_label("E-Mail").fill(user.email)
        page.get_by_label("Passwort").fill("richtig-langes-passwort")
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(f"{base_url}/")
        expect(page.get_by_role("heading", name="Bildungslandschaft im Überblick")).to_be_visible()
        assert page.get_by_test_id("current-user").inner_text() == "Karla Koordination"
        figures = page.get_by_test_id("key-figures").inner_text()
        assert "Aktive Akteure" in figures and "1" in figures
        # Bootstrap came from the app itself: the navbar is styled (not a bare list).
        background = page.eval_on_selector("nav.navbar", "e => getComputedStyle(e).backgroundColor")
        assert background not in ("rgba(0, 0, 0, 0)", "transparent")
        page.screenshot(path=str(ARTIFACTS / "start-page.png"), full_page=True)
        assert page.outside_requests == []
