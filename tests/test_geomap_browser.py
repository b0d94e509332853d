"""In Chromium, with every request to another host blocked (no tile server is set, as on a closed
intranet): the app's map and the portal's map draw the demo region's area outlines and its places,
the keyboard reaches a place, the map comes before its filters on a phone, and a click on the small
map of the actor form fills latitude and longitude. Screenshots at 1280 and 390 px."""
from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm.extensions import db
from crm.models import Actor, ActorKind, Role
from tests.browser import ARTIFACTS, chromium_context, chromium_page, live_server
from tests.demo_region import DemoRegion, demo_region_fixture
from tests.journeys import log_in, watch_errors

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def demo(database_url: str, _migrated: None) -> Iterator[DemoRegion]:
    yield from demo_region_fixture(database_url)


def _wait_drawn(page, selector: str = "[data-geo-map]") -> dict[str, int]:
    expect(page.locator(f"{selector}[data-ready='true']")).to_have_count(1, timeout=15000)
    return page.evaluate("() => { const m = window.bildungsnetzGeoMaps[0];"
                         " return {markers: m.markers, outlines: m.outlines}; }")


def _drawn_on_screen(page) -> tuple[int, int]:
    """Outline paths in Leaflet's SVG pane and point buttons in its marker pane."""
    return (page.locator(".leaflet-overlay-pane path.geo-outline").count(),
            page.locator(".leaflet-marker-pane .geo-marker").count())


def test_app_map_draws_outlines_and_places_offline_and_is_keyboard_usable(demo: DemoRegion) -> None:
    with live_server(demo.app, worker=False) as base_url, chromium_page(base_url, viewport=DESK) as page:
        problems = watch_errors(page)
        log_in(page, base_url, demo.emails[Role.VIEWER])
        page.get_by_role("link", name="Akteure", exact=True).click()
        page.get_by_test_id("geomap-link").click()  # the map sits with the directory and the network maps
        expect(page.get_by_role("link", name="Netzwerk", exact=True)).to_have_attribute("aria-current", "page")
        expect(page.get_by_role("heading", name="Karte der Bildungslandschaft")).to_be_visible()
        drawn = _wait_drawn(page)
        assert drawn["outlines"] >= 20 and drawn["markers"] >= 50
        outlines, markers = _drawn_on_screen(page)
        assert outlines == drawn["outlines"] and markers == drawn["markers"]
        # the text equivalent names every place on the map
        assert page.get_by_test_id("geo-place").count() == drawn["markers"]
        page.screenshot(path=str(ARTIFACTS / "geo-map-app-1280.png"))

        # keyboard: a place's button in the list moves the map there and opens what is there
        first = page.get_by_test_id("geo-place").first
        label = first.locator(".fw-semibold").inner_text()
        first.get_by_role("button", name="Auf der Karte zeigen").focus()
        page.keyboard.press("Enter")
        popup = page.locator(".leaflet-popup-content")
        expect(popup).to_be_visible()
        assert label in popup.inner_text()
        assert page.evaluate("!!document.activeElement.closest('.leaflet-popup-content')")  # focus on its links
        page.keyboard.press("Escape")
        expect(popup).to_have_count(0)
        assert page.evaluate("document.activeElement.classList.contains('geo-marker')")  # back on the point
        page.keyboard.press("Enter")  # the focused point opens its popup again
        expect(popup).to_be_visible()
        page.wait_for_timeout(300)  # Leaflet fades the popup in
        page.screenshot(path=str(ARTIFACTS / "geo-map-app-popup-1280.png"))

        # on a phone the map comes before its filters, and nothing scrolls sideways
        page.set_viewport_size(PHONE)
        page.reload()
        _wait_drawn(page)
        map_box = page.get_by_test_id("geo-map").bounding_box()
        filters_box = page.get_by_test_id("geo-filters").bounding_box()
        assert map_box is not None and filters_box is not None and map_box["y"] < filters_box["y"]
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(ARTIFACTS / "geo-map-app-390.png"))
        assert page.outside_requests == []
        assert problems == []


def test_portal_map_on_a_phone_draws_offline_without_volunteers(demo: DemoRegion) -> None:
    with demo.app.app_context():
        volunteers = db.session.scalars(select(Actor).join(ActorKind).where(ActorKind.is_individual.is_(True))).all()
        volunteer_names = [a.name for a in volunteers]
    with live_server(demo.app, worker=False) as base_url, chromium_page(base_url, viewport=PHONE) as page:
        problems = watch_errors(page)
        page.goto("/portal/")
        page.get_by_role("link", name="Karte", exact=True).click()
        expect(page.get_by_role("heading", name="Karte der Bildungsangebote")).to_be_visible()
        drawn = _wait_drawn(page)
        assert drawn["outlines"] >= 20 and drawn["markers"] >= 20
        assert _drawn_on_screen(page) == (drawn["outlines"], drawn["markers"])
        map_box = page.get_by_test_id("geo-map").bounding_box()
        filters_box = page.get_by_test_id("portal-map-filters").bounding_box()
        assert map_box is not None and filters_box is not None and map_box["y"] < filters_box["y"]
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        places = page.get_by_test_id("geo-places").inner_text()
        assert not any(name in places for name in volunteer_names)
        page.screenshot(path=str(ARTIFACTS / "geo-map-portal-390.png"))

        # a marker opens the offers there, with links into the portal
        page.locator(".leaflet-marker-pane .geo-marker").first.focus()
        page.keyboard.press("Enter")
        link = page.locator(".leaflet-popup-content a").first
        expect(link).to_be_visible()
        assert (link.get_attribute("href") or "").startswith("/portal/")
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / "geo-map-portal-popup-390.png"))

        # the search's filters carry over to the map
        page.goto("/portal/?kostenlos=1")
        page.get_by_test_id("portal-map-link").click()
        expect(page.get_by_label("nur kostenlose")).to_be_checked()
        _wait_drawn(page)
        assert page.outside_requests == []
        assert problems == []


def test_a_click_on_the_actor_forms_map_fills_the_coordinates(demo: DemoRegion) -> None:
    with demo.app.app_context():
        actor = db.session.scalars(select(Actor).join(ActorKind).where(ActorKind.is_individual.is_(False),
                                                                       Actor.latitude.is_(None))
                                   .order_by(Actor.id)).first()
        assert actor is not None
        actor_id = actor.id
    with live_server(demo.app, worker=False) as base_url, chromium_page(base_url, viewport=DESK) as page:
        problems = watch_errors(page)
        log_in(page, base_url, demo.emails[Role.COORDINATOR])
        page.goto(f"/akteure/{actor_id}/bearbeiten")
        picker = page.get_by_test_id("geo-pick")
        expect(page.locator("[data-geo-pick][data-ready='true']")).to_have_count(1, timeout=15000)
        assert page.locator(".leaflet-overlay-pane path.geo-outline").count() >= 20
        assert page.get_by_label("Breitengrad").input_value() == ""
        picker.locator(".geo-map").click(position={"x": 150, "y": 160})
        latitude = page.get_by_label("Breitengrad").input_value()
        longitude = page.get_by_label("Längengrad").input_value()
        assert 49.4 < float(latitude) < 50.1 and 6.2 < float(longitude) < 7.2  # inside the demo region
        expect(picker.locator("[data-geo-status]")).to_contain_text(latitude)
        picker.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "geo-map-actor-form-1280.png"))
        page.get_by_role("button", name="Speichern").click()
        page.wait_for_url(f"**/akteure/{actor_id}")
        with demo.app.app_context():
            saved = db.session.get(Actor, actor_id)
            assert saved is not None and f"{saved.latitude:.6f}" == latitude
        assert page.outside_requests == []
        assert problems == []


def test_axe_finds_no_serious_violation_on_the_map_pages(demo: DemoRegion) -> None:
    """The map pages as the accessibility crawl checks them (tests/test_accessibility.py), with the map
    drawn and a popup open: the crawl looks at them before the script has drawn anything."""
    from tests.test_accessibility import AXE, AXE_RUN, SERIOUS, WCAG_TAGS

    problems: list[str] = []
    with live_server(demo.app, worker=False) as base_url, chromium_context(base_url, viewport=DESK) as context:
        context.add_init_script(path=str(AXE))
        page = context.new_page()

        def check(url: str) -> None:
            page.goto(url)
            if page.locator("[data-geo-map]").count():
                _wait_drawn(page)
                page.locator(".leaflet-marker-pane .geo-marker").first.focus()
                page.keyboard.press("Enter")
                expect(page.locator(".leaflet-popup-content")).to_be_visible()
                page.wait_for_timeout(400)  # faded in: axe measures contrast with the final opacity
            for violation in page.evaluate(AXE_RUN, WCAG_TAGS):
                if violation["impact"] in SERIOUS:
                    problems.append(f"{url}: {violation['id']} {violation['help']} – "
                                    + "; ".join(str(n["target"]) for n in violation["nodes"]))

        check("/portal/karte")
        log_in(page, base_url, demo.emails[Role.COORDINATOR])
        for url in ("/karte/", "/karte/umrisse", "/akteure/1/bearbeiten"):
            check(url)
        assert context.outside_requests == []
    assert problems == []


HOSTILE = '<img src=x onerror="window.__xss=1">"><script>window.__xss=1</script>'


def test_hostile_names_on_the_map_stay_text(demo: DemoRegion) -> None:
    """An actor, its offer and an area with script in their names: popups, tooltips and the list show them
    as text (geo-map.js never uses innerHTML for data)."""
    from crm.models import Area, Offer, OfferStatus

    with demo.app.app_context():
        area = Area(name="Gebiet " + HOSTILE, level="Stadtteil",
                    outline=json.dumps({"type": "Polygon", "coordinates": [[[6.5, 49.6], [6.52, 49.6], [6.52, 49.62],
                                                                           [6.5, 49.6]]]}))
        kind = db.session.scalars(select(ActorKind).where(ActorKind.is_individual.is_(False))).first()
        actor = Actor(name="Akteur " + HOSTILE, kind=kind, area=area, latitude=Decimal("49.61"),
                      longitude=Decimal("6.51"), listing_agreed_on=demo.today, listing_recorded_by="test")
        offer = Offer(title="Angebot " + HOSTILE, providers=[actor], area=area, status=OfferStatus.PUBLISHED)
        db.session.add_all([area, actor, offer])
        db.session.commit()
        ids = (offer.id, actor.id, area.id)
    try:
        with live_server(demo.app, worker=False) as base_url, chromium_page(base_url, viewport=DESK) as page:
            dialogs: list[str] = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            for url in ("/portal/karte", f"/portal/karte?gebiet={ids[2]}"):
                page.goto(url)
                _wait_drawn(page)
                place = page.get_by_test_id("geo-place").filter(has_text="Akteur <img")
                place.get_by_role("button", name="Auf der Karte zeigen").click()
                popup = page.locator(".leaflet-popup-content")
                expect(popup).to_contain_text("Angebot " + HOSTILE)
                page.evaluate("""() => window.bildungsnetzGeoMaps.at(-1).map.eachLayer(layer => {
                    if (layer.getTooltip && layer.getTooltip() && layer.getBounds) {
                        layer.openTooltip(layer.getBounds().getCenter());
                    }
                })""")
                expect(page.locator(".leaflet-tooltip").filter(has_text="Gebiet " + HOSTILE)).to_have_count(1)
                assert page.evaluate("window.__xss") is None
                assert page.locator(".leaflet-container img, .leaflet-container script").count() == 0
            assert dialogs == []
    finally:
        with demo.app.app_context():
            db.session.delete(db.session.get(Offer, ids[0]))
            db.session.delete(db.session.get(Actor, ids[1]))
            db.session.delete(db.session.get(Area, ids[2]))
            db.session.commit()


def test_a_configured_tile_server_is_asked_for_tiles(demo: DemoRegion) -> None:
    """With MAP_TILE_URL the map asks that host for tiles (blocked here, as the test's network is closed),
    and the CSP lets the images through: no CSP error in the console."""
    config = demo.app.config
    config["MAP_TILE_URL"], config["MAP_TILE_ATTRIBUTION"] = "http://tiles.invalid/{z}/{x}/{y}.png", "© Kacheln <b>"
    try:
        with live_server(demo.app, worker=False) as base_url, chromium_page(base_url, viewport=DESK) as page:
            problems = watch_errors(page)
            page.goto("/portal/karte")
            _wait_drawn(page)
            expect(page.locator(".leaflet-control-attribution")).to_contain_text("© Kacheln <b>")
            page.wait_for_timeout(300)
            assert page.outside_requests and all(url.startswith("http://tiles.invalid/")
                                                 for url in page.outside_requests)
            assert not [p for p in problems if "Content Security Policy" in p]
    finally:
        config["MAP_TILE_URL"], config["MAP_TILE_ATTRIBUTION"] = "", ""
