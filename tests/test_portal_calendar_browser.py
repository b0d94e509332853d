"""In Chromium at phone width (390 × 844), without login: a citizen opens the portal's event calendar
of the demo region, registers for an open event (first forgetting the consent box), and finds the
subscribe links; the .ics feed behind them parses. Screenshots at 390 px."""
from __future__ import annotations

from collections.abc import Iterator

import icalendar
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm.extensions import db
from crm.models import Answer, Invitation, OutboxMessage, Person
from tests.browser import ARTIFACTS, chromium_page, live_server
from tests.demo_region import DemoRegion, demo_region_fixture
from tests.journeys import watch_errors

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
EMAIL = "lena.lernlust@familie.example"


@pytest.fixture(scope="module")
def demo(database_url: str, _migrated: None) -> Iterator[DemoRegion]:
    yield from demo_region_fixture(database_url)


def test_citizen_registers_for_an_open_event_and_subscribes_on_a_phone(demo: DemoRegion) -> None:
    with live_server(demo.app) as base_url, chromium_page(base_url, viewport=PHONE) as page:
        problems = watch_errors(page)
        page.goto("/portal/")
        page.get_by_test_id("portal-nav-calendar").click()
        expect(page.get_by_role("heading", name="Veranstaltungskalender", level=1)).to_be_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(ARTIFACTS / "portal-calendar-390.png"), full_page=True)

        open_event = page.get_by_test_id("portal-event").filter(has_text="Anmeldung möglich").first
        expect(open_event).to_be_visible()
        title = open_event.get_by_role("heading").inner_text()
        open_event.get_by_role("link").click()
        expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()

        form = page.get_by_test_id("portal-registration-form")
        form.get_by_label("Vorname", exact=True).fill("Lena")
        form.get_by_label("Nachname", exact=True).fill("Lernlust")
        form.get_by_label("E-Mail-Adresse", exact=True).fill(EMAIL)
        form.get_by_role("button").click()  # the consent box is still empty
        expect(page.get_by_text("Ohne Ihre Einwilligung können wir Sie nicht anmelden.")).to_be_visible()
        assert page.get_by_label("Nachname", exact=True).input_value() == "Lernlust"  # what was typed stays
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(ARTIFACTS / "portal-registration-error-390.png"), full_page=True)

        page.get_by_label("Ich willige ein", exact=False).check()
        page.get_by_test_id("portal-registration-form").get_by_role("button").click()
        expect(page.get_by_test_id("portal-registered")).to_be_visible()
        assert "Vielen Dank" in page.get_by_test_id("portal-registered").inner_text()
        page.screenshot(path=str(ARTIFACTS / "portal-registered-390.png"), full_page=True)

        page.get_by_role("link", name="Zurück zum Kalender").click()
        subscribe = page.get_by_test_id("portal-subscribe")
        subscribe.scroll_into_view_if_needed()
        expect(subscribe.get_by_test_id("portal-subscribe-webcal")).to_be_visible()
        assert (subscribe.get_by_test_id("portal-subscribe-webcal").get_attribute("href") or "").startswith("webcal://")
        href = subscribe.get_by_test_id("portal-subscribe-ics").get_attribute("href") or ""
        assert href.startswith("http") and href.endswith("/portal/kalender.ics")
        page.screenshot(path=str(ARTIFACTS / "portal-subscribe-390.png"), full_page=False)
        download = page.request.get(href)
        assert download.ok and download.headers["content-type"].startswith("text/calendar")
        feed = icalendar.Calendar.from_ical(download.body())
        assert title in {str(e["SUMMARY"]) for e in feed.walk("VEVENT")}
        assert "ATTENDEE" not in download.text() and EMAIL not in download.text()
        # the refused form answers 422 on purpose (Chromium logs that as a failed load); nothing else
        assert [p for p in problems if "status of 422" not in p] == []
        assert page.outside_requests == []

    with demo.app.app_context():
        person = db.session.scalars(select(Person).where(Person.email == EMAIL)).one()
        invitation = db.session.scalars(select(Invitation).where(Invitation.person_id == person.id)).one()
        assert invitation.answer in (Answer.ACCEPTED, Answer.WAITLISTED)
        assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.invitation_id == invitation.id)).all()
