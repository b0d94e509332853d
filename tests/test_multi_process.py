"""Beyond one machine: two app processes (gunicorn) and one background worker (``flask crm
worker``) against one database, as docs/deploy.md describes. A login on one app server is valid on
the other, a change made through one is seen by the other, and a result both ask for is one job,
computed once by the worker and served by both."""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

from crm.extensions import db
from crm.models import ComputedResult, Role
from tests import factories_coordinator as f
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV"))}
    env.update(DATABASE_URL=database_url, SECRET_KEY="shared-secret-of-all-app-servers",
               COMPUTE_DEBOUNCE_SECONDS="0", BILDUNGSNETZ_BASE_URL="http://127.0.0.1", PYTHONUNBUFFERED="1")
    return env


@contextmanager
def _process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with open(log, "wb") as out:
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _app_server(port: int, env: dict[str, str], log: Path):
    return _process([str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}", "--timeout", "30",
                     "wsgi:app"], env, log)


class Browser:
    """Cookies and CSRF like a browser; may talk to either app server."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirect())

    def get(self, url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        return self._open(urllib.request.Request(url, headers=headers))

    def post(self, url: str, data: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        return self._open(urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(), method="POST"))

    def _open(self, request: urllib.request.Request) -> tuple[int, dict[str, str], bytes]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, dict(error.headers), error.read()

    def login(self, base: str, email: str) -> None:
        _, _, page = self.get(f"{base}/anmelden")
        token = CSRF_RE.search(page.decode()).group(1)
        status, _, _ = self.post(f"{base}/anmelden", {"email": email, "password": PASSWORD, "csrf_token": token})
        assert status == 302


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _wait_ready(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(f"{base}/gesundheit", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{base} did not start: {log.read_text()[-3000:]}")


def _until(check, seconds: float = 120.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("timed out")


def test_two_app_servers_and_one_worker_share_sessions_changes_and_results(app, database_url, create_user,
                                                                        tmp_path) -> None:
    a = f.actor(app, "Grundschule Olewig", topics=["MINT"])
    b = f.actor(app, "Kita St. Anna", kind="Kita", topics=["MINT"])
    c = f.actor(app, "IHK Trier", kind="Industrie- und Handelskammer")
    f.cooperation(app, a, b, topics=["MINT"])
    coordinator = create_user(Role.COORDINATOR)
    with app.app_context():
        from crm.models import User
        from crm.services.accounts.api_tokens import create_token

        secret = create_token(db.session, db.session.get(User, coordinator.id), "Zweiter Server").secret
        db.session.commit()
    ctype = f.ctype_id(app)
    env = _env(database_url)
    port_a, port_b = _free_port(), _free_port()
    base_a, base_b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    with _app_server(port_a, env, tmp_path / "a.log") as server_a, \
            _app_server(port_b, env, tmp_path / "b.log") as server_b:
        _wait_ready(base_a, server_a, tmp_path / "a.log")
        _wait_ready(base_b, server_b, tmp_path / "b.log")
        browser = Browser()
        browser.login(base_a, coordinator.email)
        status, _, page = browser.get(f"{base_b}/akteure/")           # the login of A is valid on B
        assert status == 200 and b"Grundschule Olewig" in page

        # both app servers ask for the same cut before any worker runs: one job
        url = "/netzwerk/karte.json?topics=MINT"
        answers = [json.loads(browser.get(base + url, Accept="application/json")[2]) for base in (base_a, base_b)]
        assert [x["status"] for x in answers] == ["queued", "queued"]
        assert answers[0]["job"] == answers[1]["job"]
        status, _, health = browser.get(f"{base_b}/gesundheit")
        assert json.loads(health)["computations"]["queued"] >= 1

        with _process([str(BIN / "flask"), "--app", "wsgi", "crm", "worker", "--tasks", "analysis",
                       "--interval", "0.2"], env, tmp_path / "worker.log") as worker:
            def served(base: str):
                status, headers, body = browser.get(base + url, Accept="application/json")
                assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
                return (headers["X-Computed-At"], json.loads(body)) if status == 200 else None

            at_a, spec_a = _until(lambda: served(base_a))
            at_b, spec_b = _until(lambda: served(base_b))
            assert at_a == at_b and spec_a["counts"] == spec_b["counts"] == {"nodes": 2, "edges": 1}
            with app.app_context():   # computed once: one row for the cut, done
                rows = db.session.scalars(select(ComputedResult).where(ComputedResult.id == answers[0]["job"])).all()
                assert [r.status for r in rows] == ["done"]
                assert rows[0].worker.endswith(f":{worker.pid}")

            # a change through A ...
            request = urllib.request.Request(
                f"{base_a}/api/v1/cooperations", method="POST",
                data=json.dumps({"source_id": a, "target_id": c, "type_id": ctype, "topic_ids": [
                    f.topic_id(app, "MINT")]}).encode(),
                headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=60) as response:
                assert response.status == 201
            # ... is seen through B at once (records) and in B's map once the worker has recomputed it
            assert b"IHK Trier" in browser.get(f"{base_b}/akteure/{a}")[2]

            def updated():
                found = served(base_b)
                return found if found and found[1]["counts"]["edges"] == 2 else None

            at_b2, spec_b2 = _until(updated)
            assert at_b2 > at_b and spec_b2["counts"]["nodes"] == 3
            at_a2, spec_a2 = _until(lambda: served(base_a))
            assert (at_a2, spec_a2["counts"]) == (at_b2, spec_b2["counts"])
            status, _, health = browser.get(f"{base_a}/gesundheit")
            assert json.loads(health)["workers"]["analysis"]["running"] is True
        assert worker.returncode == 0, (tmp_path / "worker.log").read_text()[-3000:]
