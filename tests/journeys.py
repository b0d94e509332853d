"""Shared steps of the Playwright journeys (tests/test_journey_*.py): log in as a new user does,
and keep a screenshot of a page at desk width (1280 px) and phone width (390 px)."""
from __future__ import annotations

from typing import Any

from tests.browser import ARTIFACTS
from tests.conftest import PASSWORD

WIDTHS = (1280, 390)


def log_in(page: Any, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto("/")
    page.wait_for_url("**/anmelden**")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{base_url}/")


def screenshots(page: Any, name: str) -> None:
    """``<name>-1280.png`` and ``<name>-390.png``, whole page; the viewport is restored afterwards."""
    before = page.viewport_size or {"width": 1280, "height": 900}
    page.wait_for_load_state("networkidle")  # maps and charts load after the page
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(before)


def watch_errors(page: Any) -> list[str]:
    """Console errors and uncaught exceptions of the page (CSP violations included)."""
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems
