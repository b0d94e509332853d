"""Helpers for browser tests: the app served on 127.0.0.1 and Debian's Chromium driven by Playwright."""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from flask import Flask
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"


def _backend() -> str:
    """``sqlite`` or ``postgresql``: the SQLite and the PostgreSQL run of ``make test`` keep their
    screenshots side by side instead of overwriting each other's."""
    url = os.environ.get("TEST_DATABASE_URL")
    return make_url(url).get_backend_name() if url else "sqlite"


# Screenshots of the browser tests, kept as test artefacts (git-ignored; see README "Tests").
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / _backend()
# Without these flags Chromium tries to reach Google's hosts at start; the network here is closed.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@contextmanager
def chromium_page(base_url: str, *, block_other_hosts: bool = True):
    """A German-speaking page; requests to any other host fail, as on a closed intranet."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="de-DE", base_url=base_url)
        page = context.new_page()
        outside: list[str] = []
        if block_other_hosts:
            def route(route_obj):
                if route_obj.request.url.startswith(base_url):
                    route_obj.continue_()
                else:
                    outside.append(route_obj.request.url)
                    route_obj.abort()
            context.route("**/*", route)
        page.outside_requests = outside  # type: ignore[attr-defined]
        try:
            yield page
        finally:
            context.close()
            browser.close()
