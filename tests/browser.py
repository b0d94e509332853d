"""Helpers for browser tests: the app served on 127.0.0.1 and Debian's Chromium driven by Playwright.

Two things here keep the browser tests quick and the run green:

* **Files are closed even when Chromium drops the connection.** Werkzeug's development server
  closes a response's iterable only after it has drained the socket; when Chromium aborts a
  download (a stylesheet of a page it is leaving), that read raises ``ConnectionResetError`` and
  the file that ``send_file`` opened is left to the garbage collector, which reports it as a
  ``ResourceWarning`` in whichever test runs next (``filterwarnings = error``). The live server
  therefore reads each response into memory and closes its iterable before a byte is written.
* **One Chromium per test session**, and a fresh browser context (cookies, storage, routes) per
  test: starting Chromium costs about a second, a context a few milliseconds.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


class ClosingApp:
    """WSGI middleware: the whole body is read and the iterable closed inside the app call, so a
    dropped connection can never leave an open file behind (see the module docstring)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        iterable = self.app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()


def _compute_loop(app: Flask, stop: threading.Event) -> None:
    """The background worker's "analysis" task, as ``make run`` starts it beside the server: pages
    that show computed results (dashboard, map, report) get them from here. It also writes a survey
    round's personal links into the outbox (part of the worker's task "outbox"); delivering them is
    left to each test (``factories_events.worker``)."""
    from crm.extensions import db
    from crm.services.computed.runner import ComputeRunner
    from crm.services.surveys.sending import Sender

    with app.app_context():
        runner = ComputeRunner(db.session, "live-worker", debounce=0)
        links = Sender(db.session)
        while not stop.is_set():
            try:
                busy = links.step()
                busy = runner.step() or busy
            except Exception:  # the test's tables are being emptied; the next round tries again
                db.session.rollback()
                busy = False
            if not busy:
                stop.wait(0.2)
        db.session.remove()


@contextmanager
def live_server(app: Flask, *, worker: bool = True) -> Iterator[str]:
    """The app on a free port, with the compute worker beside it (``worker=False``: none, to see
    what a page shows while nobody computes)."""
    server = make_server("127.0.0.1", 0, ClosingApp(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stop = threading.Event()
    computing = threading.Thread(target=_compute_loop, args=(app, stop), daemon=True) if worker else None
    if computing is not None:
        computing.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        stop.set()
        if computing is not None:
            computing.join(timeout=30)
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _Chromium:
    """The session's one Chromium, started on first use and stopped by ``shutdown`` (conftest)."""

    def __init__(self) -> None:
        self._playwright: Any = None
        self._browser: Any = None

    def get(self) -> Any:
        if self._browser is None or not self._browser.is_connected():
            from playwright.sync_api import sync_playwright

            if self._playwright is None:
                self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                             args=CHROMIUM_ARGS)
        return self._browser

    def shutdown(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None


CHROMIUM_SESSION = _Chromium()


@contextmanager
def chromium_context(base_url: str, *, block_other_hosts: bool = True, **options: Any) -> Iterator[Any]:
    """A fresh German-speaking browser context; requests to any other host fail, as on a closed
    intranet, and are recorded in ``context.outside_requests``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    options.setdefault("locale", "de-DE")
    context = CHROMIUM_SESSION.get().new_context(base_url=base_url, **options)
    outside: list[str] = []
    if block_other_hosts:
        def route(route_obj: Any) -> None:
            if route_obj.request.url.startswith(base_url):
                route_obj.continue_()
            else:
                outside.append(route_obj.request.url)
                route_obj.abort()
        context.route("**/*", route)
    context.outside_requests = outside
    try:
        yield context
    finally:
        context.close()


@contextmanager
def chromium_page(base_url: str, *, block_other_hosts: bool = True, **options: Any) -> Iterator[Any]:
    """A page in a fresh context (see ``chromium_context``); ``page.outside_requests`` lists the
    requests to other hosts that were refused."""
    with chromium_context(base_url, block_other_hosts=block_other_hosts, **options) as context:
        page = context.new_page()
        page.outside_requests = context.outside_requests
        yield page
