"""The manager's journey (city leadership, an Amt: the read-only role), in Chromium as a new user
meets it, on the demo region with the background worker beside the server as ``make run`` starts
it: the dashboard, the map, a filter, the change between two years, the council report as PDF.
Every page of the PDF is rendered to an image and looked at: table text readable (contrast at
least 4.5:1), no word broken inside itself, the network figure spread over its page, period and
page number on every page."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fpdf import FPDF
from playwright.sync_api import expect

from crm.extensions import db
from crm.models import Role
from tests.browser import ARTIFACTS, chromium_page, live_server
from tests.pdf_pages import broken_words, dot_spread, low_contrast_chars, pages, words

pytestmark = pytest.mark.browser

PDF_SOURCE = Path(__file__).resolve().parents[1] / "crm" / "services" / "reports" / "pdf.py"
WAIT = 30_000   # ms: the worker computes the demo region in a second or two; progress pages reload every 3 s


def _wait_map(page, loads: int = 1) -> None:
    page.wait_for_function(
        "n => window.bildungsnetzMap && window.bildungsnetzMap.ready() && window.bildungsnetzMap.loads() >= n",
        arg=loads, timeout=WAIT)


def test_manager_reads_dashboard_map_years_and_hands_over_the_report(app, create_user) -> None:
    from crm.demo.generator import load_demo
    from crm.services.privacy import audit

    with app.app_context(), audit.suppressed():
        load_demo(db.session, today=date.today())
        db.session.commit()
    user = create_user(Role.VIEWER, name="Dezernat Bildung")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with live_server(app) as base_url, chromium_page(base_url, accept_downloads=True) as page:
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto("/anmelden")
        page.get_by_label("E-Mail").fill(user.email)
        page.get_by_label("Passwort").fill("richtig-langes-passwort")
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(f"{base_url}/")

        # the start page of the read-only role is the dashboard, computed by the worker
        page.get_by_test_id("key-figures").wait_for(timeout=WAIT)
        stamp = page.get_by_test_id("computed-stamp").inner_text()
        assert stamp.startswith("Stand:") and "Uhr" in stamp
        expect(page.get_by_test_id("transition-heatmap")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "journey-manager-dashboard.png"), full_page=True)

        # the map, then a topic
        page.get_by_role("link", name="Netzwerk").first.click()
        _wait_map(page)
        assert page.evaluate("window.bildungsnetzMap.nodeCount()") > 50
        expect(page.get_by_test_id("computed-stamp")).to_be_visible()
        page.get_by_role("group", name="Themen", exact=True).get_by_label("MINT", exact=True).check()
        page.get_by_role("button", name="Karte zeigen").click()
        page.wait_for_url("**topics=MINT**")
        _wait_map(page)
        mint = page.evaluate("window.bildungsnetzMap.nodeCount()")
        assert 0 < mint < 147

        # what changed between two years: new and ended ties marked, with a legend
        year = date.today().year
        page.get_by_label("Von", exact=True).fill(f"{year - 2}-01-01")
        page.get_by_label("Bis", exact=True).fill(f"{year - 1}-12-31")
        page.get_by_role("button", name="Karte zeigen").click()
        page.wait_for_url(f"**since={year - 2}-01-01**")
        _wait_map(page)
        ties = page.get_by_test_id("map-legend-ties")
        ties.wait_for(timeout=WAIT)
        assert "neu im Zeitraum" in ties.inner_text()
        page.screenshot(path=str(ARTIFACTS / "journey-manager-map-change.png"), full_page=True)
        # a year button: the map of that day, fetched (and, the first time, computed) without a reload
        page.get_by_test_id("map-years").get_by_role("button", name=str(year - 3)).click()
        _wait_map(page, 2)
        assert f"as_of={year - 3}-12-31" in page.url

        # the council report, as the office hands it over
        page.get_by_role("link", name="Berichte").first.click()
        page.get_by_role("button", name="Bericht anzeigen").click()
        page.get_by_test_id("report").wait_for(timeout=WAIT)
        report_text = page.get_by_test_id("report").inner_text()
        period = page.get_by_test_id("report").locator("dd").first.inner_text().strip()
        assert page.locator("svg.network-picture circle").count() > 100
        page.screenshot(path=str(ARTIFACTS / "journey-manager-report.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(ARTIFACTS / "journey-manager-report-390.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        with page.expect_download() as download_info:
            page.get_by_role("link", name="PDF herunterladen").click()
        data = Path(download_info.value.path()).read_bytes()
        assert [p for p in problems if "Content Security Policy" in p] == []
        assert page.outside_requests == []

    rendered = pages(data)
    assert len(rendered) >= 6
    known = words([report_text, PDF_SOURCE.read_text(), "Bildungsbüro Bildungslandschaft Bericht Seite von"])
    for shown in rendered:
        shown.image.save(ARTIFACTS / f"journey-manager-report-page-{shown.number}.png")
        assert low_contrast_chars(shown) == [], f"page {shown.number}: text hard to read"
        assert broken_words(shown, known) == [], f"page {shown.number}: words broken or unknown"
        assert f"Seite {shown.number} von {len(rendered)}" in shown.text
        assert f"Bericht {period}" in shown.text      # the period on every page
    figure = rendered[-1]
    assert "Das Netzwerk am" in figure.text
    spread = dot_spread(figure, region=(0.05, 0.12, 0.95, 0.80))
    assert spread["width"] > 0.5 and spread["height"] > 0.35, spread
    assert spread["rows"] >= 0.75 and spread["cells"] >= 0.35, spread   # not on one line of dots


def _table_pdf(fill: tuple[int, int, int], text: str) -> bytes:
    from crm.services.events.attendance_lists import FONT_DIR

    doc = FPDF()
    doc.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    doc.add_page()
    doc.set_font("DejaVu", "", 9)
    doc.set_fill_color(*fill)
    with doc.table(col_widths=(20, 60), first_row_as_headings=False) as table:
        for row in (["Rang", "Akteur"], ["1", text]):
            line = table.row()
            for value in row:
                line.cell(value)
    return bytes(doc.output())


def test_the_pdf_checks_see_the_defects_they_guard_against() -> None:
    """The same checks on PDFs with the old defects: rows filled with the last chart colour under
    black text, a word wrapped inside itself, actors on one line of dots."""
    from fpdf.enums import TableCellFillMode

    dark = FPDF()
    from crm.services.events.attendance_lists import FONT_DIR

    dark.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    dark.add_page()
    dark.set_font("DejaVu", "", 9)
    with dark.table(col_widths=(20, 60), cell_fill_color=(60, 30, 90), cell_fill_mode=TableCellFillMode.ALL,
                     first_row_as_headings=False) as t:
        for row in (["Rang", "Akteur"], ["1", "Volkshochschule Trier"]):
            line = t.row()
            for value in row:
                line.cell(value)
    assert low_contrast_chars(pages(bytes(dark.output()))[0])
    assert low_contrast_chars(pages(_table_pdf((255, 255, 255), "Volkshochschule Trier"))[0]) == []

    narrow = FPDF()
    narrow.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    narrow.add_page()
    narrow.set_font("DejaVu", "", 9)
    with narrow.table(col_widths=(14, 80), width=94, first_row_as_headings=False) as t:
        line = t.row()
        line.cell("Betweenness")
        line.cell("Constraint")
    fragments = broken_words(pages(bytes(narrow.output()))[0], words(["Betweenness Constraint"]))
    assert fragments and all(f.lower() in "betweenness" for f in fragments)  # e.g. "betwee" / "nness"

    line_of_dots = FPDF()
    line_of_dots.add_page()
    line_of_dots.set_fill_color(0, 114, 178)
    for i in range(60):
        line_of_dots.circle(20 + i * 2.8, 150, 1.2, style="F")
    spread = dot_spread(pages(bytes(line_of_dots.output()))[0], region=(0.05, 0.12, 0.95, 0.80))
    assert spread["rows"] < 0.75
