"""In Chromium: after an offer ends, the Bestandsaufnahme shows the gap (issue 14).

A coordinator sees the one running Primarstufe offer in Nord covering its cell, sets that offer to
„beendet“ on its page, finds the gap counted on the dashboard and marked in the matrix (in words, not
only by colour), and follows the gap's link to the network suggestions with Nord and the Primarstufe
preselected."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from crm.extensions import db
from crm.models import Actor, Area, LifeStage, OfferStatus, Role, TargetGroup, Topic
from crm.services.offers import offers as offer_service
from tests.browser import chromium_page, live_server
from tests.journeys import log_in, screenshots, watch_errors
from tests.test_accessibility import AXE, AXE_RUN, OVERFLOW, SERIOUS, WCAG_TAGS

pytestmark = pytest.mark.browser


def _region(app, create_actor) -> None:
    from sqlalchemy import select

    with app.app_context():
        city = Area(name="Stadt Trier", level="Stadt")
        north, south = Area(name="Nord", parent=city), Area(name="Süd", parent=city)
        db.session.add_all([city, north, south])
        db.session.commit()
        north_id, south_id = north.id, south.id
    school = create_actor("Grundschule Nord", kind="Grundschule")
    other = create_actor("Grundschule Süd", kind="Grundschule")
    with app.app_context():
        db.session.get(Actor, school).area_id = north_id
        db.session.get(Actor, other).area_id = south_id
        primar = db.session.scalars(select(LifeStage).where(LifeStage.code == "primar")).one()
        offer_service.create_offer(db.session, {
            "title": "Roboter-AG", "providers": [db.session.get(Actor, school)],
            "area": db.session.get(Area, north_id), "life_stages": [primar],
            "topics": list(db.session.scalars(select(Topic).where(Topic.name == "MINT"))),
            "target_groups": list(db.session.scalars(select(TargetGroup).where(TargetGroup.name == "Kinder"))),
            "status": OfferStatus.PUBLISHED, "is_ongoing": True})
        db.session.commit()


def test_after_an_offer_ends_the_inventory_shows_the_gap(app, create_user, create_actor) -> None:
    _region(app, create_actor)
    user = create_user(Role.COORDINATOR, name="Karla Koordination")
    with live_server(app) as base_url, chromium_page(base_url) as page:
        problems = watch_errors(page)
        log_in(page, base_url, user.email)
        page.goto("/angebote/bestandsaufnahme/")
        expect(page.get_by_role("heading", name="Bestandsaufnahme der Bildungsangebote")).to_be_visible()
        cell = page.locator('[data-testid="stage-area"] td[data-row="Nord"][data-column="Primarstufe"]')
        expect(cell).to_have_text("1")  # covered by the Roboter-AG
        gaps_before = page.locator('[data-testid="stage-area"] td[data-gap]').count()
        screenshots(page, "inventory-covered")

        page.get_by_role("link", name="Angebote", exact=True).first.click()
        page.get_by_role("link", name="Roboter-AG").click()
        expect(page.get_by_role("heading", name="Roboter-AG")).to_be_visible()
        page.get_by_role("link", name="Bearbeiten").click()
        page.get_by_label("Status").select_option(label="beendet")
        page.get_by_role("button", name="Speichern").click()
        expect(page.get_by_text("Änderungen an „Roboter-AG“ gespeichert.")).to_be_visible()

        page.get_by_role("link", name="Dashboard").first.click()
        block = page.get_by_test_id("inventory-block")
        expect(block).to_be_visible(timeout=30_000)   # the dashboard itself is computed by the worker beside
        block.get_by_role("link", name="Zur Bestandsaufnahme").click()
        cell = page.locator('[data-testid="stage-area"] td[data-row="Nord"][data-column="Primarstufe"]')
        expect(cell).to_contain_text("Lücke")
        assert page.locator('[data-testid="stage-area"] td[data-gap]').count() == gaps_before + 2  # Nord, Stadt
        screenshots(page, "inventory-gap")
        page.context.add_init_script(path=str(AXE))  # init scripts pass the CSP, as in test_accessibility
        page.reload()
        serious = [f"{v['id']}: {v['help']} – {[n['target'] for n in v['nodes']]}"
                   for v in page.evaluate(AXE_RUN, WCAG_TAGS) if v["impact"] in SERIOUS]
        assert serious == []
        page.set_viewport_size({"width": 390, "height": 844})
        found = page.evaluate(OVERFLOW)
        assert found["scroll"] <= found["width"], found
        page.set_viewport_size({"width": 1280, "height": 900})

        cell.get_by_role("link").click()
        page.wait_for_url("**/analyse/vorschlaege?**")
        query = parse_qs(urlsplit(page.url).query)
        assert query["areas"] == ["Nord"] and query["life_stages"] == ["primar"]
        expect(page.get_by_role("heading", name="Vorschläge für neue Verbindungen")).to_be_visible(timeout=30_000)
        expect(page.locator('input[type="hidden"][name="areas"][value="Nord"]')).to_have_count(1)
        assert page.outside_requests == []
        assert problems == []
