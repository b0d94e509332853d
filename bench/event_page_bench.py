"""The event page of an event with 50,000 invitations: latency (p50/p95), SQL statements and HTML size.

Run: ``.venv/bin/python bench/event_page_bench.py`` — makes a throw-away PostgreSQL database on
127.0.0.1 (as the tests do; ``BENCH_PG_URL`` names another server), or uses the empty database in
``BENCH_DATABASE_URL`` (SQLite works too). ``BENCH_INVITATIONS`` changes the number,
``BENCH_REQUESTS`` the requests per page.

What is generated (bulk inserts, not through the services: only the page is measured): 50,000
persons at 500 actors with an affiliation each, a third of them with consent as legal basis (most
with a consent row, some withdrawn, some without: the send count has real rules to check), one
event with every one of them invited; three in five mails sent (with an outbox row each),
answers mixed (a third accepted, a sixth declined, some waitlisted), 5,000 present. The
organiser's pages are then requested through the Flask test client (the whole request: session,
permission, queries, template), each after warm-up:

* the event page (page 1 of the invitation table),
* a page deep in the table (``?seite=500``),
* a search (``?q=mueller``, umlauts folded) and an answer filter (``?antwort=accepted``),
* the send page (``/versand``: the count of what would go out, a preview of one mail).

Prints a table (wall time per request, its SQL time as the client waits for it, the Python CPU time
of the request, the CPU time the PostgreSQL server process spent on it (from /proc, mean over the
requests, 10 ms ticks), statements, HTML size) and records it in ``bench/results/event_page.json`` under
the database's name; the load average before and after is recorded too, because on the shared
2-core project machine other processes' load inflates the wall times several-fold.
Issue 13 measured 2.2 s and 5 MB of HTML for the event page at 50,000 invitations before it was
paginated; the target is p95 < 300 ms on PostgreSQL.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

COUNT = int(os.environ.get("BENCH_INVITATIONS", "50000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "40"))
WARM_UP = 5
ACTORS = 500
CHUNK = 5000
RESULTS = Path(__file__).resolve().parent / "results" / "event_page.json"
PASSWORD = "bench-passwort-lang-genug"


@contextmanager
def _database():
    """An empty database: BENCH_DATABASE_URL as given, else a throw-away one on PostgreSQL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    given = os.environ.get("BENCH_DATABASE_URL")
    if given:
        yield given
        return
    server = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    name = f"bn_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _generate(db, count: int) -> int:
    """Persons, actors, affiliations, one event, its invitations, outbox rows and attendances."""
    from sqlalchemy import insert, select

    from crm.models import (
        Actor,
        ActorKind,
        Affiliation,
        Answer,
        Attendance,
        Consent,
        ConsentPurpose,
        EventKind,
        EventStatus,
        Invitation,
        LegalBasis,
        OutboxMessage,
        Person,
    )
    from crm.models.outbox import MessageState
    from crm.services.events import events

    kind = db.session.scalars(select(ActorKind).order_by(ActorKind.id)).first()
    actors = [Actor(name=f"Einrichtung {n:03d}", kind=kind) for n in range(ACTORS)]
    db.session.add_all(actors)
    day = date.today() + timedelta(days=60)
    event = events.create_event(db.session, {
        "kind": db.session.scalars(select(EventKind)).first(), "title": "Bildungskonferenz Trier – 50.000",
        "description": "Messung", "starts_at": events.local_to_utc(day, clock_time(9)),
        "ends_at": events.local_to_utc(day, clock_time(16)), "place": "Europahalle Trier", "online_url": "",
        "capacity": None, "answer_deadline": None, "initiative": None, "topics": [], "contact_name": "Bench",
        "contact_email": "bench@trier.example"})
    event.status = EventStatus.PUBLISHED
    db.session.flush()
    actor_ids = [a.id for a in actors]
    now = datetime.now(UTC)
    surnames = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
                "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Braun", "Hofmann", "Zimmermann")
    answers = (Answer.ACCEPTED, Answer.PENDING, Answer.ACCEPTED, Answer.DECLINED, Answer.PENDING, Answer.TENTATIVE)
    for start in range(0, count, CHUNK):
        numbers = range(start, min(start + CHUNK, count))
        persons = db.session.execute(insert(Person).returning(Person.id), [
            {"first_name": f"Vorname{n % 97}", "last_name": f"{surnames[n % len(surnames)]}{n:05d}",
             "salutation": "Frau" if n % 2 else "Herr", "email": f"person{n}@schule.example", "version_id": 1,
             "legal_basis": LegalBasis.CONSENT if n % 3 == 0 else LegalBasis.PUBLIC_TASK}
            for n in numbers]).scalars().all()
        # A third of the persons were recorded with consent as legal basis: most of them gave it,
        # some withdrew it, one in nine never gave it (sending would skip them).
        db.session.execute(insert(Consent), [
            {"person_id": pid, "purpose": ConsentPurpose.INVITATIONS, "given_at": now, "method": "Formular",
             "withdrawn_at": now if n % 27 == 3 else None}
            for n, pid in zip(numbers, persons) if n % 3 == 0 and n % 9 != 0])
        db.session.execute(insert(Affiliation), [
            {"person_id": pid, "actor_id": actor_ids[n % ACTORS], "function": "Leitung"}
            for n, pid in zip(numbers, persons)])
        invitation_ids = db.session.execute(insert(Invitation).returning(Invitation.id), [
            {"event_id": event.id, "person_id": pid, "actor_id": actor_ids[n % ACTORS],
             "answer": Answer.WAITLISTED if n % 97 == 0 else answers[n % len(answers)],
             "invited_at": now if n % 5 < 3 else None} for n, pid in zip(numbers, persons)]).scalars().all()
        db.session.execute(insert(OutboxMessage), [
            {"recipient": f"person{n}@schule.example", "subject": "Einladung", "body_text": "…",
             "category": "invitation", "invitation_id": iid, "message_id": f"<bench-{n}@trier.example>",
             "state": MessageState.SENT if n % 7 else MessageState.QUEUED}
            for n, iid in zip(numbers, invitation_ids) if n % 5 < 3])
        db.session.execute(insert(Attendance), [
            {"event_id": event.id, "person_id": pid, "actor_id": actor_ids[n % ACTORS]}
            for n, pid in zip(numbers, persons) if n % 10 == 0])
        db.session.commit()
    return event.id


def _backend_cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) the PostgreSQL server processes ``pids`` have used so far, from
    /proc: unlike wall time it does not grow when other processes compete for the cores."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    from flask_migrate import upgrade
    from sqlalchemy import event as sa_event
    from sqlalchemy import text

    from crm import create_app
    from crm.extensions import db
    from crm.models import Role
    from crm.services.accounts.users import create_user
    from crm.services.landscape.vocabularies import seed_vocabularies
    from tests.conftest import CSRF_RE

    load_start = os.getloadavg()
    with _database() as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True,
                          "BILDUNGSNETZ_BASE_URL": "https://bildungsnetz.trier.example",
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
        database = url.split(":")[0].split("+")[0]
        print(f"{COUNT:,} invitations, database {database}, {REQUESTS} requests per page after {WARM_UP} warm-up")
        with app.app_context():
            upgrade(revision="heads")
            seed_vocabularies(db.session)
            create_user(db.session, "bench@trier.example", PASSWORD, Role.ORGANISER, "Bench")
            db.session.commit()
            started = time.perf_counter()
            event_id = _generate(db, COUNT)
            if database == "postgresql":
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            print(f"generated in {time.perf_counter() - started:.1f} s")
            engine = db.engine
        client = app.test_client()
        page = client.get("/anmelden").get_data(as_text=True)
        client.post("/anmelden", data={"email": "bench@trier.example", "password": PASSWORD,
                                       "csrf_token": CSRF_RE.search(page).group(1)})
        statements: list[str] = []
        sql_time = {"started": 0.0, "total": 0.0}

        def before(*args) -> None:
            statements.append(args[2])
            sql_time["started"] = time.perf_counter()

        def after(*args) -> None:
            sql_time["total"] += time.perf_counter() - sql_time["started"]

        sa_event.listen(engine, "before_cursor_execute", before)
        sa_event.listen(engine, "after_cursor_execute", after)
        base = f"/veranstaltungen/{event_id}"
        pages = {"event page": base, "table page 500": f"{base}?seite=500", "search 'mueller'": f"{base}?q=mueller",
                 "filter accepted": f"{base}?antwort=accepted", "send page": f"{base}/versand"}
        run: dict[str, dict[str, float]] = {}
        with app.app_context():  # the server processes that answer this database (only on this machine)
            backends = [pid for (pid,) in db.session.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))] \
                if database == "postgresql" else []
            db.session.remove()
        print(f"{'page':<18} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'SQL ms':>7} {'CPU ms':>7} {'PG CPU':>7} "
              f"{'statements':>10} {'HTML KB':>8}")
        for label, path in pages.items():
            times: list[float] = []
            sql: list[float] = []
            cpu: list[float] = []
            pg_cpu = 0.0
            for number in range(WARM_UP + REQUESTS):
                statements.clear()
                sql_time["total"] = 0.0
                started, cpu_started = time.perf_counter(), time.process_time()
                pg_started = _backend_cpu_seconds(backends)
                response = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                if number >= WARM_UP:
                    pg_cpu += _backend_cpu_seconds(backends) - pg_started
                assert response.status_code == 200, (path, response.status_code)
                if number >= WARM_UP:
                    times.append(elapsed)
                    sql.append(sql_time["total"] * 1000)
                    cpu.append((time.process_time() - cpu_started) * 1000)
            size = len(response.data) / 1024
            run[label] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(_percentile(times, 0.95), 1),
                          "max_ms": round(max(times), 1), "sql_p50_ms": round(statistics.median(sql), 1),
                          "python_cpu_p50_ms": round(statistics.median(cpu), 1),
                          "postgres_cpu_mean_ms": round(pg_cpu * 1000 / REQUESTS, 1),
                          "cpu_total_mean_ms": round(statistics.mean(cpu) + pg_cpu * 1000 / REQUESTS, 1),
                          "statements": len(statements),
                          "html_kb": round(size, 1)}
            print(f"{label:<18} {run[label]['p50_ms']:>8.1f} {run[label]['p95_ms']:>8.1f} {run[label]['max_ms']:>8.1f} "
                  f"{run[label]['sql_p50_ms']:>7.1f} {run[label]['python_cpu_p50_ms']:>7.1f} "
                  f"{run[label]['postgres_cpu_mean_ms']:>7.1f} "
                  f"{len(statements):>10} {size:>8.1f}")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[f"{database}-{COUNT}"] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"), "machine": platform.node(),
        "python": platform.python_version(), "invitations": COUNT, "requests": REQUESTS,
        "load_average": [round(load_start[0], 2), round(os.getloadavg()[0], 2)], "pages": run}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {RESULTS.relative_to(RESULTS.parents[2])} ({database}-{COUNT})")


if __name__ == "__main__":
    main()
