"""Every page, every role, in Chromium: axe-core finds no serious or critical WCAG 2.1 A/AA violation,
and no page scrolls sideways on a phone (390 × 844).

The pages come from the URL map (``tests/accessibility_pages.py``), with real ids from the demo
region, so a page added later is checked without touching this test. Each role (anonymous,
administrator, coordinator, organiser, viewer) opens every GET route; downloads, JSON and other
non-HTML answers are skipped by their content type, a page a role may not open is checked once per
role as the error page it gets. Flask-Admin is included. The list of pages visited is printed
(``pytest -s``) and each page is kept as a screenshot at 1280 and 390 px in ``test-artifacts/``.

axe-core comes from the npm registry (``tests/vendor/axe-core``) and is put into each page by a
Playwright init script, which the browser runs outside the page's Content-Security-Policy; the
app's own CSP stays exactly as in production.

These tests run on SQLite only: the pages are the same HTML on PostgreSQL (the database only
changes the data behind them), and a walk through every page per role is the slowest test we have.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import Role, User
from tests import accessibility_pages as pages
from tests.browser import ARTIFACTS, chromium_context, live_server
from tests.conftest import PASSWORD
from tests.demo_region import DemoRegion, demo_region_fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                       reason="the pages are the same on PostgreSQL; checked once, on SQLite"),
]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERIOUS = {"serious", "critical"}
ROLES: tuple[Role | None, ...] = (None, Role.ADMIN, Role.COORDINATOR, Role.ORGANISER, Role.VIEWER)
SHOTS = ARTIFACTS / "pages"
# One screenshot per page and width, by the first role that may open it (the module's tests share these).
SHOT_DESKTOP: set[str] = set()
SHOT_PHONE: set[str] = set()

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
}"""

# What sticks out of a page that is wider than the window: the outermost elements past the right edge
# that are not inside a box of their own that scrolls (a wide table in .table-responsive is fine).
OVERFLOW = """() => {
  const width = window.innerWidth;
  const scroll = document.scrollingElement.scrollWidth;
  const wide = [];
  if (scroll > width) {
    const scrolls = (el) => ['auto', 'scroll', 'hidden'].includes(getComputedStyle(el).overflowX);
    const inScroller = (el) => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (scrolls(p)) return true; } return false; };
    const reported = [];
    // An absolutely positioned element escapes a scrolling box that is not positioned itself.
    const escapes = (el) => getComputedStyle(el).position === 'absolute';
    for (const el of document.querySelectorAll('body *')) {
      const box = el.getBoundingClientRect();
      if (box.right <= width + 1 || box.width === 0 || (inScroller(el) && !escapes(el))) continue;
      if (reported.some(r => r.contains(el))) continue;
      reported.push(el);
      const classes = typeof el.className === 'string' ? el.className.trim().split(/\\s+/).filter(Boolean) : [];
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes.map(c => '.' + c).join('') +
                ' (' + Math.round(box.left) + '–' + Math.round(box.right) + ' px)');
      if (wide.length >= 6) break;
    }
  }
  return {width, scroll, wide};
}"""


@pytest.fixture(scope="module")
def demo(database_url: str, _migrated: None) -> Iterator[DemoRegion]:
    # With the development mailbox, as `make run` serves it: its pages are checked too.
    yield from demo_region_fixture(database_url, MAIL_BACKEND="mailbox")


@dataclass
class Walk:
    """What one role saw: pages checked, answers skipped, problems found."""

    role: Role | None
    visited: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class Site:
    base_url: str
    demo: DemoRegion
    ids: dict[str, int]
    special: dict[str, Any]
    missing: list[str]


@pytest.fixture(scope="module")
def site(demo: DemoRegion) -> Iterator[Site]:
    app = demo.app
    with app.app_context():
        users = {role: db.session.scalars(select(User).where(User.email == demo.emails[role])).one()
                 for role in (Role.ADMIN, Role.COORDINATOR)}
        special = pages.endpoint_values(app, users)
        ids = pages.model_ids()
        _, missing = pages.targets(app, Role.ADMIN, ids, special)
    with live_server(app) as base_url:
        yield Site(base_url, demo, ids, special, missing)


def _login(page: Any, site: Site, role: Role) -> None:
    page.goto("/anmelden")
    page.get_by_label("E-Mail").fill(site.demo.emails[role])
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r".*/$"))


def _shot_name(endpoint: str, role: Role | None, width: int) -> Path:
    return SHOTS / f"{endpoint.replace('.', '-')}-{role.value if role else 'public'}-{width}.png"


def _walk(site: Site, role: Role | None, width: int, check: Any, shots: set[str]) -> Walk:
    """Open every page as ``role`` at ``width`` px and ``check(page, walk, label)`` each HTML page."""
    walk = Walk(role)
    SHOTS.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    with site.demo.app.app_context():
        found, _ = pages.targets(site.demo.app, role, site.ids, site.special)
    with chromium_context(site.base_url, viewport={"width": width, "height": 844 if width < 600 else 900}) as context:
        context.add_init_script(path=str(AXE))
        # A progress page (202) loads its result as soon as the worker has it (js/computing.js): the
        # page is checked as it stands, so its status polls go unanswered and it stays put under axe.
        context.route("**/berechnung/*.json", lambda route: route.abort())
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        if role is not None:
            _login(page, site, role)
        for target in found:
            for url in target.urls:
                answer = context.request.get(url, max_redirects=5)
                if answer.status != 404 or len(target.urls) == 1:
                    break
            kind = answer.headers.get("content-type", "")
            final = answer.url.removeprefix(site.base_url)
            if "text/html" not in kind:
                walk.skipped.append(f"{target.endpoint} {url} ({answer.status}, {kind.split(';')[0]})")
                continue
            if "sandbox" in answer.headers.get("content-security-policy", ""):
                # A mail's HTML as the guest sees it, shown in a sandboxed frame of the mailbox and send
                # pages (checked there): no script runs in it, so axe cannot run on it on its own.
                walk.skipped.append(f"{target.endpoint} {url} ({answer.status}, sandboxed mail HTML)")
                continue
            if answer.status == 404 or answer.status >= 500:
                walk.problems.append(f"{target.endpoint} {url}: answered {answer.status}")
                continue
            if answer.status != 200 or final != url:
                # forbidden or sent to the login: the same error or login page for many URLs, checked once
                key = str(answer.status) if answer.status in (401, 403) else final.split("?")[0]
                if key in seen:
                    walk.skipped.append(f"{target.endpoint} {url} ({answer.status} → {final.split('?')[0]})")
                    continue
                seen.add(key)
            page.goto(url)
            page.wait_for_load_state("load")
            label = f"{target.endpoint} {url} [{answer.status}]"
            walk.visited.append(label)
            check(page, walk, label)
            if answer.status == 200 and target.endpoint not in shots:
                shots.add(target.endpoint)
                page.screenshot(path=str(_shot_name(target.endpoint, role, width)), full_page=True)
        walk.problems.extend(f"script error: {e}" for e in errors)
    return walk


def _report(walk: Walk) -> None:
    """The pages visited (shown with ``pytest -s``), then the problems, one per line."""
    who = walk.role.value if walk.role else "anonymous"
    print(f"\n== {who}: {len(walk.visited)} pages checked, {len(walk.skipped)} answers skipped")
    for label in walk.visited:
        print(f"   checked {label}")
    for label in walk.skipped:
        print(f"   skipped {label}")
    for problem in walk.problems:
        print(f"   PROBLEM {problem}")


def test_every_route_is_covered(site: Site) -> None:
    """A new rule whose arguments no one can fill is named here (add it to accessibility_pages)."""
    assert site.missing == [], "\n".join(site.missing)
    assert {"actor_id", "person_id", "cooperation_id", "initiative_id", "event_id"} <= set(site.ids)


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.value if role else "anonymous")
def test_axe_finds_no_serious_violation_on_any_page(site: Site, role: Role | None) -> None:
    def check(page: Any, walk: Walk, label: str) -> None:
        assert page.evaluate("typeof axe") == "object", f"axe-core did not load on {label}"
        for violation in page.evaluate(AXE_RUN, WCAG_TAGS):
            if violation["impact"] in SERIOUS:
                where = "; ".join(f"{n['target']}" for n in violation["nodes"])
                walk.problems.append(f"{label}: {violation['id']} ({violation['impact']}) "
                                     f"{violation['help']} – {where}")

    walk = _walk(site, role, 1280, check, SHOT_DESKTOP)
    _report(walk)
    assert walk.visited
    assert walk.problems == []


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.value if role else "anonymous")
def test_no_page_scrolls_sideways_on_a_phone(site: Site, role: Role | None) -> None:
    def check(page: Any, walk: Walk, label: str) -> None:
        found = page.evaluate(OVERFLOW)
        if found["scroll"] > found["width"]:
            walk.problems.append(f"{label}: {found['scroll']} px wide at {found['width']} px – "
                                 f"{', '.join(found['wide'])}")

    walk = _walk(site, role, 390, check, SHOT_PHONE)
    _report(walk)
    assert walk.visited
    assert walk.problems == []


def _phone(site: Site) -> Any:
    """A browser context the size of a phone (390 × 844)."""
    return chromium_context(site.base_url, viewport={"width": 390, "height": 844})


def test_phone_first_pages_map_door_and_answer(site: Site) -> None:
    """On a phone: the map before its filters and about as high as wide; at the door one name and one
    big button per row under a search that stays in view; the answer page with large boxes to tap."""
    with _phone(site) as context:
        page = context.new_page()
        _login(page, site, Role.ORGANISER)
        page.goto("/netzwerk/")
        page.wait_for_selector(".network-map", timeout=60_000)  # a progress page first, until the worker has it
        layout = page.evaluate("""() => {
          const map = document.querySelector('.network-map').getBoundingClientRect();
          const filters = document.querySelector('.map-filters').getBoundingClientRect();
          return {mapTop: map.top, mapWidth: map.width, mapHeight: map.height, filtersTop: filters.top};
        }""")
        assert layout["mapTop"] < layout["filtersTop"] and layout["mapTop"] < 400, layout
        assert layout["mapWidth"] >= 340 and 300 <= layout["mapHeight"] <= 640, layout

        page.goto(f"/veranstaltungen/{site.ids['event_id']}/einlass")
        rows = page.evaluate("""() => [...document.querySelectorAll('[data-guest]')].slice(0, 20).map(row => {
          const r = row.getBoundingClientRect(), b = row.querySelector('button').getBoundingClientRect(),
                n = row.querySelector('.guest-name').getBoundingClientRect();
          return {beside: b.left > n.right - 1 && b.top < r.bottom && b.bottom > r.top, height: b.height,
                  inside: b.right <= window.innerWidth};
        })""")
        assert rows and all(r["beside"] and r["height"] >= 44 and r["inside"] for r in rows), rows
        page.evaluate("window.scrollTo(0, 3000)")
        box = page.get_by_label("Name oder Akteur suchen").bounding_box()
        assert box is not None and 0 <= box["y"] < 100, "the search stays at the top while the list scrolls"
        page.screenshot(path=str(SHOTS / "checkin-phone-scrolled.png"))

    with _phone(site) as context:
        page = context.new_page()
        answer_url = next(url for target in _targets(site, None) if target.endpoint == "rsvp.answer"
                          for url in target.urls)
        page.goto(answer_url)
        boxes = page.locator(".answer-choice label").evaluate_all(
            "labels => labels.map(label => label.getBoundingClientRect().height)")
        assert len(boxes) >= 3 and min(boxes) >= 44, boxes
        button = page.get_by_role("button", name="Antwort speichern").bounding_box()
        assert button is not None and button["width"] >= 390 - 2 * 24, button  # spans the width on a phone
        page.screenshot(path=str(SHOTS / "rsvp-answer-phone.png"), full_page=True)


def _targets(site: Site, role: Role | None) -> list[pages.Target]:
    with site.demo.app.app_context():
        return pages.targets(site.demo.app, role, site.ids, site.special)[0]


def test_axe_on_opened_menus_errors_and_chosen_values(site: Site) -> None:
    """States a page load does not show: the open user menu, a form with errors, chosen values of a
    multi-choice field, a filtered list, the sorted network table."""
    problems: list[str] = []

    def check(page: Any, label: str) -> None:
        for violation in page.evaluate(AXE_RUN, WCAG_TAGS):
            if violation["impact"] in SERIOUS:
                problems.append(f"{label}: {violation['id']} {violation['help']} – "
                                f"{'; '.join(n['target'] for n in violation['nodes'])}")

    with chromium_context(site.base_url, viewport={"width": 1280, "height": 900}) as context:
        context.add_init_script(path=str(AXE))
        # A progress page (202) loads its result as soon as the worker has it (js/computing.js): the
        # page is checked as it stands, so its status polls go unanswered and it stays put under axe.
        context.route("**/berechnung/*.json", lambda route: route.abort())
        page = context.new_page()
        _login(page, site, Role.ADMIN)
        page.get_by_test_id("current-user").click()
        page.get_by_test_id("user-menu").wait_for(state="visible")
        check(page, "user menu open")
        page.goto("/akteure/neu")
        page.get_by_role("button", name="Speichern").click()
        page.locator(".invalid-feedback").first.wait_for()
        check(page, "actor form with errors")
        page.goto(f"/veranstaltungen/{site.ids['event_id']}/einladungsliste")
        group = page.get_by_role("group", name="Themenfeld")
        group.get_by_role("searchbox").fill("li")
        group.get_by_role("checkbox").first.check()
        page.get_by_role("group", name="Art des Akteurs").get_by_label("Kita", exact=True).check()
        check(page, "invitation list with chosen and filtered values")
        page.goto("/netzwerk/tabelle?sort=-grad&tsort=gewicht")
        check(page, "network table sorted")
        page.goto("/akteure/?q=schule&sortierung=-name")
        page.locator("details").first.evaluate("d => d.open = true")
        check(page, "directory with all filters open")
    assert problems == []
