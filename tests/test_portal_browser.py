"""In Chromium at phone width (390 × 844), without login: a citizen finds a free MINT offer for a
ten-year-old in one district of the demo region, sees it on the map, opens its provider and
subscribes to the provider's calendar. Screenshots at 390 px."""
from __future__ import annotations

from collections.abc import Iterator

import icalendar
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm.extensions import db
from crm.models import Offer
from crm.services.offers import listing
from tests.browser import ARTIFACTS, chromium_page, live_server
from tests.demo_region import DemoRegion, demo_region_fixture
from tests.journeys import watch_errors

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def demo(database_url: str, _migrated: None) -> Iterator[DemoRegion]:
    yield from demo_region_fixture(database_url)


def _district_with_free_mint_for_children(demo: DemoRegion) -> tuple[str, set[str]]:
    """A Stadtteil or Verbandsgemeinde where the demo has a public free MINT offer for primary-school
    children; and the titles of those offers there."""
    with demo.app.app_context():
        offers = db.session.scalars(select(Offer).where(listing.public_clause(), Offer.is_free.is_(True))
                                    .order_by(Offer.id)).all()
        fitting = [o for o in offers if o.area is not None and o.area.parent is not None
                   and any(t.name == "MINT" for t in o.topics) and any(g.name == "Kinder" for g in o.target_groups)
                   and any(s.code == "primar" for s in o.life_stages)]
        assert fitting, "the demo has free MINT offers for ten-year-olds"
        area = fitting[0].area.name
        return area, {o.title for o in fitting if o.area.name == area}


def test_citizen_finds_a_free_mint_offer_for_a_ten_year_old_on_a_phone(demo: DemoRegion) -> None:
    district, expected = _district_with_free_mint_for_children(demo)
    with live_server(demo.app) as base_url, chromium_page(base_url, viewport=PHONE) as page:
        problems = watch_errors(page)
        page.goto("/portal/")
        expect(page.get_by_role("heading", name="Bildungsangebote finden")).to_be_visible()
        page.get_by_text("Filter", exact=True).click()  # the filters fold open (a <details>, no script)
        page.get_by_role("group", name="Thema").get_by_label("MINT", exact=True).check()
        page.get_by_role("group", name="Bildungsphase").get_by_label("Primarstufe", exact=True).check()
        page.get_by_role("group", name="Zielgruppe").get_by_label("Kinder", exact=True).check()
        options = page.get_by_label("Gebiet").locator("option").all_inner_texts()
        page.get_by_label("Gebiet").select_option(label=next(o for o in options if o.endswith(district)))
        page.get_by_label("nur kostenlose Angebote").check()
        page.get_by_role("button", name="Filter anwenden").click()
        page.wait_for_load_state("load")

        results = page.get_by_test_id("portal-result")
        assert results.count() >= 1
        titles = {results.nth(i).get_by_role("heading").inner_text() for i in range(results.count())}
        assert titles and titles <= expected
        for i in range(results.count()):
            assert "kostenlos" in results.nth(i).inner_text() and district in results.nth(i).inner_text()
        # the filters are kept (folded away, so the results come first on a phone), no sideways scrolling
        assert "5 gewählt" in page.get_by_test_id("portal-filters").locator("summary").inner_text()
        assert page.get_by_label("nur kostenlose Angebote").is_checked()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(ARTIFACTS / "portal-results-390.png"), full_page=True)

        # the same search on the map: drawn offline, the offers listed beside it as text
        found = page.url
        first_title = results.first.get_by_role("heading").inner_text()
        page.get_by_test_id("portal-map-link").click()
        expect(page.get_by_role("heading", name="Karte der Bildungsangebote")).to_be_visible()
        expect(page.locator("[data-geo-map][data-ready='true']")).to_have_count(1, timeout=15000)
        assert page.locator(".leaflet-marker-pane .geo-marker").count() >= 1
        expect(page.get_by_test_id("geo-places").get_by_text(first_title).first).to_be_visible()
        expect(page.get_by_test_id("portal-map-filters").get_by_label("nur kostenlose")).to_be_checked()  # filters kept
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(ARTIFACTS / "portal-results-map-390.png"), full_page=True)
        page.goto(found)

        first = results.first.get_by_role("link")
        title = first.inner_text()
        first.click()
        page.wait_for_load_state("load")
        assert page.get_by_role("heading", level=1).inner_text() == title
        assert page.get_by_test_id("portal-cost").inner_text() == "kostenlos"
        page.screenshot(path=str(ARTIFACTS / "portal-offer-390.png"), full_page=True)

        provider = page.get_by_test_id("portal-provider-link").first
        name = provider.inner_text()
        provider.click()
        page.wait_for_load_state("load")
        assert page.get_by_test_id("portal-provider").inner_text() == name
        assert page.get_by_role("link", name=title).first.is_visible()  # the offer is listed with its provider
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(ARTIFACTS / "portal-provider-390.png"), full_page=True)

        # subscribes to the provider's dates: a webcal:// link, and the same feed as a file
        calendar = page.get_by_test_id("portal-provider-calendar")
        subscribe = calendar.get_by_role("link", name="Kalender abonnieren").get_attribute("href") or ""
        assert subscribe.startswith("webcal://") and subscribe.endswith(".ics")
        feed = page.request.get(calendar.get_by_role("link", name="Termine herunterladen (.ics)").get_attribute("href"))
        assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
        parsed = icalendar.Calendar.from_ical(feed.body())
        assert str(parsed["x-wr-calname"]) == name
        assert problems == []
        assert page.outside_requests == []
