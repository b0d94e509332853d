"""In Chromium: the landscape map with a survey's ties switched on in the filter panel draws confirmed
and reported ties with their own dash patterns and legend entries (not colour alone), and its table
names the source of each tie."""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from crm.models import Role
from tests import factories_coordinator as f
from tests.browser import ARTIFACTS, chromium_page, live_server
from tests.test_tie_sources import _round

pytestmark = pytest.mark.browser


def test_main_map_draws_confirmed_and_reported_ties_apart(app, create_user) -> None:
    ids = {name: f.actor(app, name) for name in ("Grundschule Olewig", "Kita St. Anna", "Volkshochschule Trier",
                                                  "Stadtbibliothek", "Jugendtreff Nord")}
    g, k, v, b, j = ids.values()
    f.cooperation(app, g, k, start=date(2020, 1, 1))
    _round(app, "Netzwerkbefragung 2025", {g: [v], v: [g], b: [j]}, closed=True)
    user = create_user(Role.VIEWER)
    with live_server(app) as base_url, chromium_page(base_url) as page:
        console_errors: list[str] = []
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto("/anmelden")
        page.get_by_label("E-Mail").fill(user.email)
        page.get_by_label("Passwort").fill("richtig-langes-passwort")
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url("**/")
        page.goto("/netzwerk/")
        page.wait_for_function("() => window.bildungsnetzMap && window.bildungsnetzMap.ready()", timeout=15000)
        assert page.evaluate("window.bildungsnetzMap.edgeCount()") == 1   # recorded only, as before

        sources = page.get_by_role("group", name="Quelle der Kooperationen")
        expect(sources.get_by_label("im CRM erfasst", exact=False)).to_be_checked()
        sources.get_by_label("bestätigt", exact=False).check()
        sources.get_by_label("gemeldet", exact=False).check()
        page.get_by_role("button", name="Karte zeigen").click()
        page.wait_for_url("**sources=reported**")
        page.wait_for_function("() => window.bildungsnetzMap && window.bildungsnetzMap.ready() "
                               "&& window.bildungsnetzMap.edgeCount() === 3", timeout=15000)
        edges = {frozenset((e["from"], e["to"])): e for e in page.evaluate("window.bildungsnetzMap.drawnEdges()")}
        recorded, confirmed, reported = edges[frozenset((g, k))], edges[frozenset((g, v))], edges[frozenset((b, j))]
        assert not recorded.get("dashes")
        assert confirmed.get("dashes") and reported.get("dashes") and confirmed["dashes"] != reported["dashes"]
        assert confirmed["color"] == "#0072B2" and reported["color"] == "#E69F00"
        legend = page.get_by_test_id("map-legend-ties")
        expect(legend).to_contain_text("bestätigt")
        expect(legend).to_contain_text("gemeldet")
        expect(legend).to_contain_text("im CRM erfasst")
        expect(legend.locator(".map-tie-dashed")).to_have_count(1)   # confirmed: long dashes
        expect(legend.locator(".map-tie-dotted")).to_have_count(1)   # reported: dots
        expect(page.get_by_text("Quelle der Verbindungen")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "map-tie-sources.png"), full_page=True)
        assert console_errors == []

        page.get_by_test_id("table-link").click()
        expect(page.get_by_role("columnheader", name="Quelle")).to_be_visible()
        expect(page.get_by_test_id("tie-source")).to_have_count(3)
        assert page.outside_requests == []
