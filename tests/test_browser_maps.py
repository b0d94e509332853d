"""In Chromium, with every request to another host blocked: the maps draw, filters and years change
them, a click opens the actor page, and hostile actor names never run script."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect

from crm.models import Answer, MembershipRole, Role
from tests import factories_coordinator as f
from tests.browser import ARTIFACTS, chromium_page, live_server

pytestmark = pytest.mark.browser

HOSTILE = ('<script>window.__xss=1</script>', '<img src=x onerror="window.__xss=1">',
           '" onmouseover="window.__xss=1', '<a href="javascript:window.__xss=1">x</a>')




def _login(page, email: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})  # an office screen: the whole map in view
    page.goto("/anmelden")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill("richtig-langes-passwort")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/")


def _wait_map(page, loads: int = 1) -> None:
    page.wait_for_function(
        "n => window.bildungsnetzMap && window.bildungsnetzMap.ready() && window.bildungsnetzMap.loads() >= n",
        arg=loads, timeout=15000)


def _canvas_is_drawn(page) -> bool:
    """Some pixels of the map canvas are not blank (vis draws on a transparent canvas)."""
    return page.evaluate("""() => {
        const c = document.querySelector('[data-map-canvas] canvas');
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) painted++; }
        return painted > 200;
    }""")


def _click_node(page, actor_id: int) -> None:
    point = page.evaluate("id => window.bildungsnetzMap.pagePosition(id)", actor_id)
    page.mouse.click(point["x"], point["y"])


def _landscape(app) -> dict[str, int]:
    ids = {"a": f.actor(app, "Grundschule Olewig", topics=["MINT"]),
           "b": f.actor(app, "Kita St. Anna", kind="Kita", topics=["MINT"]),
           "c": f.actor(app, "IHK Trier", kind="Industrie- und Handelskammer"),
           "d": f.actor(app, "VHS Trier", kind="Volkshochschule"),
           "e": f.actor(app, "Stadtbibliothek", kind="Bibliothek")}
    f.cooperation(app, ids["a"], ids["b"], start=date(2019, 3, 1), topics=["MINT"])
    f.cooperation(app, ids["a"], ids["c"], start=date(2023, 5, 1))
    f.cooperation(app, ids["c"], ids["d"], start=date(2024, 2, 1))
    f.cooperation(app, ids["d"], ids["e"], start=date(2024, 6, 1))
    return ids


def test_map_renders_filters_years_and_click_opens_actor(app, create_user) -> None:
    ids = _landscape(app)
    user = create_user(Role.VIEWER)
    with live_server(app) as base_url, chromium_page(base_url) as page:
        console_errors: list[str] = []
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        _login(page, user.email)
        page.goto("/netzwerk/")
        _wait_map(page)
        assert console_errors == []  # in particular no Content-Security-Policy violation
        assert page.evaluate("window.bildungsnetzMap.nodeCount()") == 5
        assert page.evaluate("window.bildungsnetzMap.edgeCount()") == 4
        assert _canvas_is_drawn(page)
        assert "Akteure" in page.get_by_test_id("map-status").inner_text()
        assert page.get_by_test_id("map-legend").inner_text().strip()
        page.screenshot(path=str(ARTIFACTS / "map-landscape.png"), full_page=True)

        # a filter (topic) through the GET form: fewer nodes, and the URL can be bookmarked
        page.get_by_role("group", name="Themen").get_by_label("MINT", exact=True).check()
        page.get_by_role("button", name="Karte zeigen").click()
        page.wait_for_url("**topics=MINT**")
        _wait_map(page)
        assert page.evaluate("window.bildungsnetzMap.nodeCount()") == 2

        # year buttons: the network as of 31.12.2019 has one tie, positions stay
        page.goto("/netzwerk/")
        _wait_map(page)
        before = page.evaluate(f"window.bildungsnetzMap.network.getPositions([{ids['a']}])")
        page.get_by_test_id("map-years").get_by_role("button", name="2019").click()
        _wait_map(page, 2)
        assert page.evaluate("window.bildungsnetzMap.edgeCount()") == 1
        assert "as_of=2019-12-31" in page.url
        after = page.evaluate(f"window.bildungsnetzMap.network.getPositions([{ids['a']}])")
        assert before == after
        page.screenshot(path=str(ARTIFACTS / "map-year-2019.png"), full_page=True)

        # hover card, then a click on a node opens the actor's page
        page.goto("/netzwerk/")
        _wait_map(page)
        point = page.evaluate(f"window.bildungsnetzMap.pagePosition({ids['c']})")
        page.mouse.move(point["x"], point["y"])
        card = page.get_by_test_id("map-card")
        card.wait_for(state="visible")
        assert "IHK Trier" in card.inner_text() and "Verbindungen" in card.inner_text()
        page.screenshot(path=str(ARTIFACTS / "map-hover-card.png"))
        _click_node(page, ids["c"])
        page.wait_for_url(f"**/akteure/{ids['c']}")
        expect(page.get_by_role("heading", name="IHK Trier").first).to_be_visible()
        assert page.outside_requests == []


def test_aggregate_map_drills_down(app, create_user) -> None:
    _landscape(app)
    user = create_user(Role.VIEWER)
    with live_server(app) as base_url, chromium_page(base_url) as page:
        _login(page, user.email)
        page.goto("/netzwerk/?view=groups")
        _wait_map(page)
        assert page.evaluate("window.bildungsnetzMap.mode()") == "aggregate"
        assert _canvas_is_drawn(page)
        page.screenshot(path=str(ARTIFACTS / "map-aggregate.png"), full_page=True)
        first = page.evaluate("window.bildungsnetzMap.nodeIds()[0]")
        point = page.evaluate("id => window.bildungsnetzMap.pagePosition(id)", first)
        page.mouse.click(point["x"], point["y"])
        page.wait_for_url("**community=**")
        _wait_map(page)
        assert page.evaluate("window.bildungsnetzMap.mode()") == "actors"
        expect(page.get_by_test_id("map-drilled")).to_be_visible()
        assert page.outside_requests == []


def test_embedded_ego_initiative_and_event_maps(app, create_user) -> None:
    ids = _landscape(app)
    initiative = f.initiative(app, "MINT-Initiativkreis", members=((ids["a"], MembershipRole.LEAD),
                                                                   (ids["b"], MembershipRole.MEMBER)))
    event = f.event(app, "Bildungskonferenz 2025", starts_at=datetime(2025, 3, 12, 9, tzinfo=UTC))
    person = f.person(app, "Schmitt", "Anna", email="anna.schmitt@example.org", actor_id=ids["a"])
    f.invite(app, event, person, ids["a"], answer=Answer.ACCEPTED, attended=True)
    user = create_user(Role.VIEWER)
    with live_server(app) as base_url, chromium_page(base_url) as page:
        _login(page, user.email)
        page.goto(f"/akteure/{ids['c']}")
        _wait_map(page)
        assert page.evaluate("window.bildungsnetzMap.nodeCount()") == 3  # IHK, Grundschule, VHS
        page.get_by_role("button", name="Partner der Partner").click()
        _wait_map(page, 2)
        assert page.evaluate("window.bildungsnetzMap.nodeCount()") == 5
        assert _canvas_is_drawn(page)
        page.screenshot(path=str(ARTIFACTS / "map-ego.png"), full_page=True)
        page.goto(f"/initiativen/{initiative}")
        _wait_map(page)
        assert page.evaluate("window.bildungsnetzMap.nodeCount()") == 2
        page.goto(f"/veranstaltungen/{event}")
        _wait_map(page)
        assert page.evaluate("window.bildungsnetzMap.nodeCount()") == 1
        assert "Schmitt" not in page.locator("[data-network-map]").inner_text()
        assert page.outside_requests == []


def test_hostile_names_do_not_run_script(app, create_user) -> None:
    ids = [f.actor(app, name) for name in HOSTILE]
    for a, b in zip(ids, ids[1:]):
        f.cooperation(app, a, b)
    initiative = f.initiative(app, HOSTILE[0], members=tuple((i, MembershipRole.MEMBER) for i in ids))
    user = create_user(Role.VIEWER)
    with live_server(app) as base_url, chromium_page(base_url) as page:
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        _login(page, user.email)
        page.goto("/netzwerk/")
        _wait_map(page)
        assert page.evaluate("window.bildungsnetzMap.nodeCount()") == len(HOSTILE)
        card = page.get_by_test_id("map-card")
        for actor_id, name in zip(ids, HOSTILE):
            point = page.evaluate("id => window.bildungsnetzMap.pagePosition(id)", actor_id)
            page.mouse.move(point["x"], point["y"])
            card.wait_for(state="visible")
            assert name in card.inner_text()
            page.mouse.move(1, 1)
        legend = page.get_by_test_id("map-legend").inner_text()
        assert legend.strip()
        page.locator("[data-map-list]").evaluate("e => e.closest('details').open = true")
        assert HOSTILE[3] in page.locator("[data-map-list]").inner_text()
        assert page.locator("[data-map-list] a[href^='javascript']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "map-xss-probes.png"), full_page=True)
        assert page.evaluate("typeof window.__xss") == "undefined"
        # the ego map on the actor page, with the hostile name in its heading
        page.goto(f"/akteure/{ids[1]}")
        _wait_map(page)
        assert HOSTILE[1] in page.get_by_test_id("map-heading").inner_text()
        point = page.evaluate("id => window.bildungsnetzMap.pagePosition(id)", ids[2])
        page.mouse.move(point["x"], point["y"])
        page.get_by_test_id("map-card").wait_for(state="visible")
        assert page.evaluate("typeof window.__xss") == "undefined"
        page.goto(f"/initiativen/{initiative}")
        _wait_map(page)
        assert HOSTILE[0] in page.get_by_role("heading", level=1).inner_text()
        assert page.evaluate("typeof window.__xss") == "undefined"
        _click_node(page, ids[3])
        page.wait_for_url(f"**/akteure/{ids[3]}")
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert dialogs == []
        assert page.outside_requests == []


def test_change_between_two_days_in_the_filter_panel(app, create_user) -> None:
    ids = _landscape(app)
    f.cooperation(app, ids["b"], ids["e"], start=date(2020, 1, 1), end=date(2023, 6, 30))
    user = create_user(Role.VIEWER)
    with live_server(app) as base_url, chromium_page(base_url) as page:
        console_errors: list[str] = []
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        _login(page, user.email)
        page.goto("/netzwerk/")
        _wait_map(page)
        page.get_by_label("Von", exact=True).fill("2023-01-01")
        page.get_by_label("Bis", exact=True).fill("2024-03-31")
        page.get_by_label("Auch nicht mehr aktive Akteure").check()
        page.get_by_role("button", name="Karte zeigen").click()
        page.wait_for_url("**since=2023-01-01**")
        _wait_map(page)
        assert "include_inactive=1" in page.url
        edges = page.evaluate("window.bildungsnetzMap.drawnEdges()")
        assert len(edges) == 4  # a–b kept, a–c and c–d new, b–e ended; d–e began after the window
        assert [e for e in edges if e.get("dashes")] and sum(1 for e in edges if e.get("color") == "#009E73") == 2
        ties = page.get_by_test_id("map-legend-ties")
        assert "neu im Zeitraum" in ties.inner_text() and "im Zeitraum beendet" in ties.inner_text()
        assert page.get_by_label("Von", exact=True).input_value() == "2023-01-01"
        # the tie's hover card says what it is and how it changed
        point = page.evaluate("([a, b]) => window.bildungsnetzMap.tiePagePosition(a, b)", [ids["a"], ids["c"]])
        page.mouse.move(point["x"], point["y"])
        card = page.get_by_test_id("map-card")
        page.wait_for_function("() => document.querySelector('[data-map-card]').textContent.includes(' – ')")
        assert ("Grundschule Olewig – IHK Trier" in card.inner_text()
                or "IHK Trier – Grundschule Olewig" in card.inner_text())
        assert "Kooperationsvertrag" in card.inner_text() and "neu im Zeitraum" in card.inner_text()
        page.screenshot(path=str(ARTIFACTS / "map-change-between.png"), full_page=True)
        # a year button shows one day again: the change fields are emptied
        page.get_by_test_id("map-years").get_by_role("button", name="2024").click()
        _wait_map(page, 2)
        assert page.get_by_label("Von", exact=True).input_value() == ""
        assert page.get_by_test_id("map-legend-ties").count() == 0
        assert console_errors == [] and page.outside_requests == []


VOCABULARY = ('<img src=x onerror="window.__xss=1">', '"><script>window.__xss=1</script>',
              '</script><script>window.__xss=1</script>', '<a href="javascript:window.__xss=1">Link</a>')


def _hostile_vocabulary(app) -> list[int]:
    """Actor kinds, categories, areas, topics and cooperation types named like script, one actor each."""
    from sqlalchemy import select

    from crm.extensions import db
    from crm.models import Actor, ActorKind, Area, Cooperation, CooperationType, Topic

    with app.app_context():
        parent = Area(name="Stadt " + VOCABULARY[3])
        db.session.add(parent)
        db.session.flush()
        actors = []
        for i, text in enumerate(VOCABULARY):
            kind = ActorKind(name="Art " + text, category="Gruppe " + VOCABULARY[(i + 1) % 4])
            area = Area(name="Gebiet " + text, parent_id=parent.id)
            topic = Topic(name="Thema " + text)
            db.session.add_all([kind, area, topic, CooperationType(name="Typ " + text)])
            db.session.flush()
            actor = Actor(name=f"Akteur {i}", kind=kind, area_id=area.id)
            actor.topics = [topic]
            db.session.add(actor)
            actors.append(actor)
        db.session.flush()
        for i, (a, b) in enumerate(zip(actors, actors[1:])):
            ctype = db.session.scalars(
                select(CooperationType).where(CooperationType.name == "Typ " + VOCABULARY[i])).one()
            db.session.add(Cooperation(source_id=a.id, target_id=b.id, type=ctype, intensity=2,
                                       start_date=date(2021, 1, 1), end_date=date(2023, 1, 1) if i == 1 else None))
        db.session.commit()
        return [a.id for a in actors]


def test_hostile_vocabulary_names_do_not_run_script(app, create_user) -> None:
    ids = _hostile_vocabulary(app)
    user = create_user(Role.VIEWER)
    with live_server(app) as base_url, chromium_page(base_url) as page:
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        _login(page, user.email)
        card = page.get_by_test_id("map-card")
        for query, legend_texts in (("", ["Gruppe " + v for v in VOCABULARY]),
                                    ("?color_by=area&since=2020-01-01&until=2024-01-01",
                                     ["Gebiet " + v for v in VOCABULARY])):
            page.goto("/netzwerk/" + query)
            _wait_map(page)
            legend = page.get_by_test_id("map-legend").inner_text()
            assert all(text in legend for text in legend_texts)
            for i, actor_id in enumerate(ids):
                point = page.evaluate("id => window.bildungsnetzMap.pagePosition(id)", actor_id)
                page.mouse.move(point["x"], point["y"])
                card.wait_for(state="visible")
                assert "Art " + VOCABULARY[i] in card.inner_text() and "Gebiet " + VOCABULARY[i] in card.inner_text()
                page.mouse.move(1, 1)
            for i, (a, b) in enumerate(zip(ids, ids[1:])):
                point = page.evaluate("([a, b]) => window.bildungsnetzMap.tiePagePosition(a, b)", [a, b])
                page.mouse.move(point["x"], point["y"])
                page.wait_for_function("() => document.querySelector('[data-map-card]').textContent.includes(' – ')")
                assert "Typ " + VOCABULARY[i] in card.inner_text()
                page.mouse.move(1, 1)
            assert page.evaluate("typeof window.__xss") == "undefined"
        page.screenshot(path=str(ARTIFACTS / "map-xss-vocabulary.png"), full_page=True)
        # the topic filter with a hostile topic, and the area groups named after hostile areas
        page.goto("/netzwerk/")
        page.get_by_role("group", name="Themen").get_by_label("Thema " + VOCABULARY[2], exact=True).check()
        page.get_by_role("button", name="Karte zeigen").click()
        page.wait_for_url("**topics=**")
        _wait_map(page)
        assert page.evaluate("window.bildungsnetzMap.nodeCount()") >= 1
        page.goto("/netzwerk/?view=groups&group_by=area")
        _wait_map(page)
        legend = page.get_by_test_id("map-legend").inner_text()
        assert all("Gebiet " + v in legend for v in VOCABULARY)
        first = page.evaluate("window.bildungsnetzMap.nodeIds()[0]")
        point = page.evaluate("id => window.bildungsnetzMap.pagePosition(id)", first)
        page.mouse.move(point["x"], point["y"])
        card.wait_for(state="visible")
        assert "Gebiet " in card.inner_text()
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert dialogs == [] and page.outside_requests == []


def test_demo_region_map_renders(app, create_user) -> None:
    from crm.demo.generator import load_demo
    from crm.extensions import db
    from crm.services.privacy import audit

    with app.app_context(), audit.suppressed():
        load_demo(db.session)
        db.session.commit()
    user = create_user(Role.VIEWER)
    with live_server(app) as base_url, chromium_page(base_url) as page:
        _login(page, user.email)
        page.goto("/netzwerk/?layers=cooperation&layers=initiative&color_by=community&size_by=betweenness")
        _wait_map(page)
        assert page.evaluate("window.bildungsnetzMap.nodeCount()") > 100
        assert _canvas_is_drawn(page)
        page.screenshot(path=str(ARTIFACTS / "map-demo-region.png"), full_page=True)
        page.goto("/netzwerk/?view=groups&group_by=area")
        _wait_map(page)
        assert page.evaluate("window.bildungsnetzMap.mode()") == "aggregate"
        page.screenshot(path=str(ARTIFACTS / "map-demo-areas.png"), full_page=True)
        assert page.outside_requests == []
