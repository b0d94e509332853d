"""No computation inside a request: analyses, maps, the dashboard and reports are computed by the
background worker and stored; pages show the latest with its "Stand", a progress page while the
first one is computed, and only writes of the landscape make a result stale."""
from __future__ import annotations

import re
import threading
from datetime import timedelta

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import ComputedResult, ComputeStatus, Cooperation, Person, Role
from crm.models.base import utcnow
from crm.services.computed import store, versions
from crm.services.computed.runner import ComputeRunner
from crm.services.system import heartbeat
from tests import factories_coordinator as f
from tests.conftest import run_worker


def _landscape(app) -> dict[str, int]:
    a = f.actor(app, "Grundschule Olewig", topics=["MINT"])
    b = f.actor(app, "Kita St. Anna", kind="Kita", topics=["MINT"])
    c = f.actor(app, "IHK Trier", kind="Industrie- und Handelskammer")
    f.cooperation(app, a, b, topics=["MINT"])
    f.cooperation(app, a, c)
    return {"a": a, "b": b, "c": c}


def _rows(app, kind: str | None = None) -> list[ComputedResult]:
    with app.app_context():
        query = select(ComputedResult).order_by(ComputedResult.id)
        if kind:
            query = query.where(ComputedResult.kind == kind)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def _version(app) -> int:
    with app.app_context():
        return versions.current(db.session)


def test_a_cut_never_computed_gets_a_progress_page_that_reloads_itself(app, login_as) -> None:
    _landscape(app)
    client = login_as(Role.VIEWER)
    client.follow_computing = False
    response = client.get("/dashboard/")
    assert response.status_code == 202
    page = response.get_data(as_text=True)
    # It loads the result when the job is done (a script polls the status), never on a timer: a
    # timed self-refresh takes the reader's place away (axe "meta-refresh", WCAG 2.2.1).
    assert "Refresh" not in response.headers and 'http-equiv="refresh"' not in page
    assert "js/computing.js" in page and "Seite neu laden" in page
    assert "Die Auswertung wird berechnet" in page and 'data-testid="computing"' in page
    assert 'data-testid="no-worker"' in page  # nobody computes: said, not waited for in silence
    assert "<script>" not in page  # no inline script (CSP)
    [job] = _rows(app, "dashboard")
    assert job.status == ComputeStatus.QUEUED and job.data_version == _version(app)
    assert f'data-status-url="/berechnung/{job.id}.json"' in page
    status = client.get(f"/berechnung/{job.id}.json").get_json()
    assert status["status"] == "queued" and status["worker_running"] is False
    with app.app_context():  # a worker reports in: the warning goes
        heartbeat.beat(db.session, "host:1", ["outbox", "analysis"])
        db.session.commit()
    assert 'data-testid="no-worker"' not in client.get("/dashboard/").get_data(as_text=True)
    assert run_worker(app) >= 1
    done = client.get("/dashboard/")
    assert done.status_code == 200 and done.headers["X-Computed-Current"] == "1"
    html = done.get_data(as_text=True)
    assert re.search(r"Stand: \d\d\.\d\d\.\d{4}, \d\d:\d\d Uhr", html)
    assert 'data-figure-now="actors">3<' in html
    assert client.get(f"/berechnung/{job.id}.json").get_json()["status"] == "done"
    assert client.get("/berechnung/999999.json").status_code == 404


def test_json_clients_get_202_with_a_status_and_the_map_script_polls(app, login_as) -> None:
    _landscape(app)
    client = login_as(Role.VIEWER)
    client.follow_computing = False
    for url in ("/netzwerk/karte.json", "/analyse/ergebnis.json", "/api/v1/analysis"):
        response = client.get(url)
        assert response.status_code == 202, url
        body = response.get_json()
        assert body["status"] == "queued" and body["status_url"].startswith("/berechnung/")
        assert response.headers["Retry-After"] == "3"
    run_worker(app)
    result = client.get("/analyse/ergebnis.json")
    assert result.status_code == 200 and result.get_json()["network"]["nodes"] == 3
    assert result.headers["X-Computed-Current"] == "1" and result.headers["X-Computed-At"]
    from pathlib import Path

    script = (Path(app.static_folder) / "js" / "network-map.js").read_text()
    assert "response.status === 202" in script and "retry_after" in script


def test_concurrent_first_requests_for_one_cut_make_one_job_and_one_computation(app, create_user, monkeypatch) -> None:
    _landscape(app)
    users = [create_user(Role.VIEWER) for _ in range(6)]
    clients = []
    for user in users:
        from tests.conftest import Client

        app.test_client_class = Client
        client = app.test_client()
        client.login(user.email)
        client.follow_computing = False
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    answers: list[int] = []

    def ask(client) -> None:
        barrier.wait()
        answers.append(client.get("/netzwerk/karte.json?topics=MINT").status_code)

    threads = [threading.Thread(target=ask, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [202] * len(clients)
    jobs = _rows(app, "map")
    assert len(jobs) == 1 and jobs[0].status == ComputeStatus.QUEUED
    calls: list[str] = []
    original = store.KINDS["map"]

    def counted(session, params, context):
        calls.append(params["cut"]["topics"][0])
        return original(session, params, context)

    monkeypatch.setitem(store.KINDS, "map", counted)
    run_worker(app)
    assert calls == ["MINT"]
    assert all(c.get("/netzwerk/karte.json?topics=MINT").status_code == 200 for c in clients)
    assert calls == ["MINT"]  # read by everyone, computed once


def test_reads_never_make_a_result_stale_only_landscape_writes_do(app, login_as, client) -> None:
    ids = _landscape(app)
    viewer = login_as(Role.VIEWER)
    viewer.get("/dashboard/")  # computed (the test client waits for the worker)
    version = _version(app)
    stranger = app.test_client()
    # reads and bookkeeping of every kind: exports (they write an audit entry), failed logins,
    # pages, a person's phone number (not part of the landscape)
    viewer.get("/akteure/")
    viewer.get(f"/akteure/{ids['a']}")
    stranger.post("/anmelden", data={"email": "nobody@example.org", "password": "falsch"})

    org = login_as(Role.COORDINATOR)
    for url in ("/export/akteure.csv", "/export/kooperationen.xlsx", "/export/kumu.xlsx"):
        assert org.get(url).status_code == 200, url
    with app.app_context():
        db.session.add(Person(last_name="Muster", first_name="Erika", email="erika@example.org"))
        db.session.commit()
    assert _version(app) == version
    viewer.follow_computing = False
    page = viewer.get("/dashboard/")
    assert page.status_code == 200 and page.headers["X-Computed-Current"] == "1"
    assert [r.status for r in _rows(app, "dashboard")] == [ComputeStatus.DONE]
    # a write of the landscape: the old result is shown, marked, while the new one is computed
    f.cooperation(app, ids["b"], ids["c"])
    assert _version(app) == version + 1
    stale = viewer.get("/dashboard/")
    assert stale.status_code == 200 and stale.headers["X-Computed-Current"] == "0"
    html = stale.get_data(as_text=True)
    assert 'data-testid="computing-newer"' in html and 'data-figure-now="cooperations">2<' in html
    run_worker(app)
    fresh = viewer.get("/dashboard/")
    assert fresh.headers["X-Computed-Current"] == "1" and 'data-figure-now="cooperations">3<' in fresh.get_data(
        as_text=True)
    assert [r.data_version for r in _rows(app, "dashboard")] == [version + 1]  # the older one was pruned


def test_the_data_version_counts_transactions_that_change_the_landscape(app) -> None:
    ids = _landscape(app)
    before = _version(app)
    with app.app_context():
        coop = db.session.scalars(select(Cooperation)).first()
        coop.description = "Leseförderung"
        db.session.flush()
        coop.intensity = 3
        db.session.commit()            # two flushes, one transaction: one step
        assert versions.current(db.session) == before + 1
        coop.description = "verworfen"
        db.session.flush()
        db.session.rollback()          # rolled back: no step
        assert versions.current(db.session) == before + 1
        # a bulk statement (as a merge moves ties) counts too
        db.session.execute(Cooperation.__table__.update().where(Cooperation.source_id == ids["a"])
                           .values(description="verschoben"))
        db.session.commit()
        assert versions.current(db.session) == before + 2
        person = Person(last_name="Muster")
        db.session.add(person)
        db.session.commit()            # persons are not part of the landscape's analysis
        assert versions.current(db.session) == before + 2


def test_a_change_is_recomputed_once_the_data_rested(app, login_as) -> None:
    ids = _landscape(app)
    login_as(Role.VIEWER).get("/dashboard/")
    with app.app_context():
        runner = ComputeRunner(db.session, "test", debounce=60)
        runner.refresh()
    f.cooperation(app, ids["b"], ids["c"])
    f.cooperation(app, ids["c"], ids["a"], ctype="Förderung")
    with app.app_context():
        runner = ComputeRunner(db.session, "test", debounce=60)
        assert runner.refresh() == 0                        # still being edited: nothing queued
        changed = versions.state(db.session)[1]
        assert runner.refresh(now=changed + timedelta(seconds=61)) == 2   # the dashboard and its analysis
        assert runner.refresh(now=changed + timedelta(seconds=62)) == 0   # once
        assert runner.run_until_idle() == 2
        current = versions.current(db.session)
        assert {r.data_version for r in db.session.scalars(select(ComputedResult))} == {current}


def test_a_job_of_a_worker_that_died_is_taken_over(app, login_as) -> None:
    _landscape(app)
    client = login_as(Role.VIEWER)
    client.follow_computing = False
    client.get("/dashboard/")
    with app.app_context():
        job = db.session.scalars(select(ComputedResult)).one()
        job.status, job.worker, job.started_at = ComputeStatus.RUNNING, "gone:42", utcnow() - timedelta(minutes=30)
        db.session.commit()
        heartbeat.beat(db.session, "alive:1", ["analysis"])
        job2 = ComputedResult(kind="analysis", key="k" * 64, params={"cut": {}}, data_version=0,
                              day=store.today(), status=ComputeStatus.RUNNING, worker="alive:1",
                              started_at=utcnow())
        db.session.add(job2)
        db.session.commit()
        runner = ComputeRunner(db.session, "test", debounce=0)
        assert runner.recover() == 1                   # the dead one's; the live worker keeps its job
        assert db.session.get(ComputedResult, job.id).status == ComputeStatus.QUEUED
        assert db.session.get(ComputedResult, job2.id).status == ComputeStatus.RUNNING
    assert client.get(f"/berechnung/{job.id}.json").get_json()["status"] == "queued"


def test_a_failing_computation_is_reported_and_retried(app, login_as, monkeypatch) -> None:
    _landscape(app)
    client = login_as(Role.VIEWER)
    client.follow_computing = False

    def broken(session, params, context):
        raise RuntimeError("kaputt")

    monkeypatch.setitem(store.KINDS, "dashboard", broken)
    client.get("/dashboard/")
    run_worker(app)
    [job] = _rows(app, "dashboard")
    assert job.status == ComputeStatus.FAILED and "kaputt" in job.error
    page = client.get("/dashboard/")
    assert page.status_code == 202 and 'data-testid="computing-failed"' in page.get_data(as_text=True)
    with app.app_context():
        db.session.get(ComputedResult, job.id).computed_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    monkeypatch.undo()
    client.get("/dashboard/")           # asked again later: tried again
    run_worker(app)
    assert client.get("/dashboard/").status_code == 200


def test_health_endpoint_reports_database_workers_and_queue(app, client) -> None:
    response = client.get("/gesundheit")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"]["ok"] is True and body["status"] == "degraded"
    assert body["workers"]["outbox"]["running"] is False and body["workers"]["analysis"]["running"] is False
    assert body["computations"] == {"queued": 0, "running": 0, "failed": 0, "oldest_waiting_seconds": 0}
    with app.app_context():
        heartbeat.beat(db.session, "host:1", ["outbox", "analysis"])
        db.session.commit()
    body = client.get("/gesundheit").get_json()
    assert body["status"] == "ok" and body["workers"]["analysis"]["running"] is True
    assert "host:1" not in str(body)  # no host names to the public


def test_the_app_owns_one_bounded_cache(app) -> None:
    from crm.services.computed import cache

    with app.app_context():
        own = app.extensions[cache.EXTENSION]
        assert cache.app_cache() is own and own.maxsize == 64 and own.max_cost == 256 * 1_000_000
        for i in range(100):
            cache.cached(("x", i), lambda i=i: i, cost=lambda value: 10_000_000.0)
        assert len(own) <= 25 and own.cost <= own.max_cost
        own.clear()
        for version in (1, 2, 3):
            cache.cached(("landscape", version, "heute", "layers"), lambda: "records")
            cache.cached(("computed", version, "at"), lambda: "result")
        assert cache.forget_versions_before(3) == 2     # older landscapes go, stored results stay
        assert ("landscape", 3, "heute", "layers") in own and ("computed", 1, "at") in own
    assert len({id(a.extensions[cache.EXTENSION]) for a in (app,)}) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ComputedResult)) == 0
