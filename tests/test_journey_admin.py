"""Journey of an administrator, from the login in Chromium: open the administration from the user
menu, create an account for a new organiser (Flask-Admin), and that person logs in with it.
Screenshots at 1280 and 390 px."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import Role, User
from tests.browser import chromium_page, live_server
from tests.journeys import log_in, screenshots, watch_errors

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Sommer-im-Palastgarten-2026"


def test_admin_creates_an_account_that_can_then_log_in(app, create_user) -> None:
    admin = create_user(Role.ADMIN, name="Anton Administration")
    with live_server(app) as base_url:
        with chromium_page(base_url, viewport={"width": 1280, "height": 900}) as page:
            problems = watch_errors(page)
            log_in(page, base_url, admin.email)
            page.get_by_test_id("current-user").click()
            page.get_by_role("link", name="Verwaltung").click()
            page.wait_for_url("**/admin/")
            page.get_by_role("link", name="Benutzerkonten").first.click()
            page.wait_for_url("**/admin/admin_users/")
            screenshots(page, "journey-admin-users")
            page.get_by_role("link", name=re.compile("Erstellen|Neu|Create")).first.click()
            page.wait_for_url("**/admin/admin_users/new/**")
            page.get_by_label("E-Mail").fill("Olga.Organisation@Trier.example")
            page.get_by_label("Name").fill("Olga Organisation")
            page.locator("select#role").select_option(label="Veranstaltungsorganisation", force=True)  # under select2
            page.get_by_label("Neues Passwort").fill(NEW_PASSWORD)
            screenshots(page, "journey-admin-new-user")
            page.get_by_role("button", name=re.compile("^Speichern$|^Save$")).click()
            page.wait_for_url(re.compile(r".*/admin/admin_users/(\?.*)?$"))
            listing = page.locator("table.model-list").inner_text()
            assert "olga.organisation@trier.example" in listing and "Veranstaltungsorganisation" in listing
            assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d{6}|\+00:00", page.content())  # local times only
            screenshots(page, "journey-admin-user-created")
            # The list's action menu runs in the browser (its handler is allowed by the admin CSP).
            row = page.locator("table.model-list tr").filter(has_text="olga.organisation@trier.example")
            row.locator("input.action-checkbox").check()
            page.once("dialog", lambda dialog: dialog.accept())
            page.get_by_role("button", name=re.compile("Mit Auswahl|With selected")).click()
            page.get_by_role("link", name="Sperre aufheben").click()
            page.wait_for_load_state("networkidle")
            assert "Sperre aufgehoben für 0 Konto/Konten." in page.locator("body").inner_text()
            assert [p for p in problems if "favicon" not in p] == []
        # The new colleague logs in on another computer with the address as typed and her password.
        with chromium_page(base_url, viewport={"width": 390, "height": 844}) as phone:
            log_in(phone, base_url, "olga.organisation@trier.example", NEW_PASSWORD)
            assert phone.get_by_test_id("current-user").inner_text() == "Olga Organisation"
            phone.goto("/veranstaltungen/")
            assert phone.get_by_role("heading", level=1).count() == 1 and phone.url.endswith("/veranstaltungen/")
            screenshots(phone, "journey-admin-new-user-logged-in")
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "olga.organisation@trier.example")).one()
        assert user.role is Role.ORGANISER and user.is_enabled and user.last_login_at is not None
