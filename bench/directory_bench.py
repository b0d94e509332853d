"""Directory search, exports and a hub's actor page at the Land tier; never a test.

Run:  .venv/bin/python bench/directory_bench.py                       Land on PostgreSQL (about 10 min)
      .venv/bin/python bench/directory_bench.py --tier kommune --db sqlite
      .venv/bin/python bench/directory_bench.py --reuse                 the database of the last run

The landscape is the seeded synthetic region of ``bench/graph_bench.py`` written by
``bench/compute_bench.py``'s ``build`` (Land: 40,000 actors, 200,000 cooperations, 800 initiatives),
with addresses (street, PLZ, place) and persons added here: one person per actor and 300 more at
the largest hub (60,000 persons at Land). The search columns are filled by
``refresh_search_columns`` (the rows were written with ``COPY``, past the ORM).

Measured through Flask's test client as a coordinator (personal data: the search includes streets,
the export names people):

1. **Directory search**: p50/p95 of 20 requests per query, the time of its SQL (the statements'
   execution, summed with cursor events) and the same filter with the former SQL folding
   (``lower()`` and eight ``replace()`` per row) for comparison; the last page of the unfiltered list.
2. **Exports** of all actors, CSV and XLSX: time, size, statements, and the peak RSS while the
   export runs (``/proc/self/clear_refs`` resets the high-water mark first), against the bare SQL:
   fetching the rows the export reads (actors, their topics, life stages and people) over a plain
   connection, no ORM.
3. **Hub's actor page**: p50/p95, size and statements of page 1 and page 2 of its ties.

Writes ``bench/results/directory-<tier>-<db>.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.compute_bench import PG_ADMIN, TIERS, build, hub
from bench.map_bench import _bulk

RESULTS = Path(__file__).resolve().parent / "results"
SEARCHES = ["grundschule", "kita 123", "schulstrasse 7", "trier gymnasium", "Schulstraße 12 54210",
            "verein 3999", "bildungsbuero", "zzzz"]


def database(tier: str, kind: str, reuse: bool) -> str:
    if kind == "sqlite":
        path = Path(f"/tmp/bench-directory-{tier}.sqlite3")
        if not reuse:
            path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    from sqlalchemy import create_engine, text

    name = f"bench_directory_{tier}"
    if not reuse:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def add_addresses_and_people(app: Any, centre: int) -> dict[str, Any]:
    """Streets, PLZ and places for every actor; one person per actor, 300 more at the hub; then the
    search columns. Returns counts and seconds."""
    from sqlalchemy import func, select, text

    from crm.extensions import db
    from crm.models import Actor, Affiliation, Person
    from crm.services.landscape.search import refresh_search_columns

    started = time.perf_counter()
    with app.app_context():
        session = db.session
        session.execute(text("UPDATE actors SET street = 'Schulstraße ' || CAST(id % 150 AS VARCHAR(10)), "
                             "postcode = CAST(54200 + id % 100 AS VARCHAR(10)), "
                             "city = CASE WHEN id % 3 = 0 THEN 'Trier' ELSE 'Konz' END"))
        first, last = session.execute(select(func.min(Actor.id), func.max(Actor.id))).one()
        since = datetime(2020, 1, 1, tzinfo=UTC)
        actors = list(range(first, last + 1)) + [centre] * 300
        _bulk(session, Person, [{"id": i, "first_name": "Eva", "last_name": f"Muster{i:05d}",
                                 "email": f"eva{i}@bench.example", "legal_basis": "public_task",
                                 "created_at": since, "updated_at": since, "version_id": 1}
                                for i in range(1, len(actors) + 1)])
        _bulk(session, Affiliation, [{"id": i, "person_id": i, "actor_id": actor, "function": "Schulleitung"}
                                     for i, actor in enumerate(actors, 1)])
        refreshed = refresh_search_columns(session)
        session.commit()
        if db.engine.dialect.name == "postgresql":
            for table in ("persons", "affiliations"):
                session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))"))
            session.commit()
            session.execute(text("ANALYZE"))
            session.commit()
        else:
            session.execute(text("ANALYZE"))
            session.commit()
    return {"persons": len(actors), "search_rows": refreshed, "seconds": round(time.perf_counter() - started, 1)}


def vacuum(app: Any) -> None:
    """``VACUUM ANALYZE`` (autovacuum would get there in its own time): the search columns were
    rewritten in bulk, and until the GIN indexes' pending lists are merged the planner prices an
    index scan above reading the table (75 ms per search instead of under 1 ms, measured)."""
    from sqlalchemy import text

    from crm.extensions import db

    with app.app_context():
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        db.session.remove()


class SqlClock:
    """Statements and their execution time, summed (before/after cursor execute)."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.count, self.seconds, self._start = 0, 0.0, 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *args: Any) -> None:
        self._start = time.perf_counter()

    def _after(self, *args: Any) -> None:
        self.count += 1
        self.seconds += time.perf_counter() - self._start

    def reset(self) -> None:
        self.count, self.seconds = 0, 0.0


def _quantiles(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values) * 1000, values[int(0.95 * (len(values) - 1))] * 1000


def requests(client: Any, clock: SqlClock, label: str, url: str, repeat: int = 20) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times, sql, counts = [], [], []
    for _ in range(repeat):
        clock.reset()
        started = time.perf_counter()
        response = client.get(url)
        data = response.data
        times.append(time.perf_counter() - started)
        sql.append(clock.seconds)
        counts.append(clock.count)
    p50, p95 = _quantiles(times)
    s50, s95 = _quantiles(sql)
    row = {"page": label, "url": url, "p50_ms": round(p50, 1), "p95_ms": round(p95, 1), "sql_p50_ms": round(s50, 1),
           "sql_p95_ms": round(s95, 1), "statements": max(counts), "kb": round(len(data) / 1024, 1)}
    print(f"  {label:42} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  SQL p50 {s50:6.1f} ms p95 {s95:6.1f} ms  "
          f"{row['statements']:3} st.  {row['kb']:7.1f} KB", flush=True)
    return row


def former_sql(app: Any, words: str, repeat: int = 10) -> float:
    """p50 (ms) of the same search with the folding the directory did before: every actor's fields
    concatenated and folded in SQL per row (count and first page, as ``paginate`` runs them)."""
    from sqlalchemy import func, literal, select

    from crm.collation import german
    from crm.extensions import db
    from crm.models import Actor
    from crm.services.landscape.directory import fold_sql, fold_text, like_pattern

    space = literal(" ")
    haystack = fold_sql(Actor.name + space + Actor.short_name + space + Actor.street + space + Actor.postcode
                        + space + Actor.city + space + func.coalesce(Actor.external_ref, ""))
    query = select(Actor.id)
    for word in words.split():
        query = query.where(haystack.like(like_pattern(fold_text(word)), escape="\\"))
    times = []
    with app.app_context():
        for _ in range(repeat):
            started = time.perf_counter()
            db.session.scalar(select(func.count()).select_from(query.subquery()))
            db.session.execute(query.order_by(german(Actor.name), Actor.id).limit(50)).all()
            times.append(time.perf_counter() - started)
        db.session.remove()
    return round(statistics.median(times) * 1000, 1)


def search_sql(app: Any, words: str, repeat: int = 10) -> float:
    """p50 (ms) of the same two statements with the stored columns (``filtered_actors_query``)."""
    from sqlalchemy import func, select

    from crm.extensions import db
    from crm.services.landscape.directory import ActorFilter, filtered_actors_query

    query = filtered_actors_query(ActorFilter(q=words))
    times = []
    with app.app_context():
        for _ in range(repeat):
            started = time.perf_counter()
            db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
            db.session.execute(query.with_only_columns(*query.selected_columns[:1]).limit(50)).all()
            times.append(time.perf_counter() - started)
        db.session.remove()
    return round(statistics.median(times) * 1000, 1)


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def _hwm_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def bare_sql(app: Any) -> float:
    """Seconds to fetch what the export of all actors reads, over a plain connection (no ORM, no file)."""
    from sqlalchemy import text

    from crm.extensions import db

    statements = ["SELECT * FROM actors ORDER BY name COLLATE german, id",
                  "SELECT t.actor_id, topics.name FROM actor_topics t JOIN topics ON topics.id = t.topic_id",
                  "SELECT s.actor_id, life_stages.name FROM actor_life_stages s "
                  "JOIN life_stages ON life_stages.id = s.life_stage_id",
                  "SELECT a.*, p.* FROM affiliations a JOIN persons p ON p.id = a.person_id"]
    with app.app_context():
        engine = db.engine
    best = None
    for _ in range(3):
        started = time.perf_counter()
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(text(statement)).fetchall()
        seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
    return float(best or 0.0)


def exports(app: Any, client: Any, clock: SqlClock) -> list[dict[str, Any]]:
    rows = []
    bare = bare_sql(app)
    print(f"  bare SQL (actors, topics, life stages, people fetched): {bare * 1000:.0f} ms", flush=True)
    for url in ("/export/akteure.csv", "/export/akteure.xlsx", "/export/kooperationen.csv"):
        for attempt in (1, 2):
            base = _rss_mb()
            reset = _reset_peak()
            clock.reset()
            started = time.perf_counter()
            response = client.get(url)
            size = 0
            for piece in response.response:   # read as a browser would: piece by piece
                size += len(piece)
            response.close()
            seconds = time.perf_counter() - started
            assert response.status_code == 200, url
            peak = _hwm_mb() if reset else float("nan")
            row = {"export": url, "attempt": attempt, "seconds": round(seconds, 2), "mb": round(size / 1e6, 1),
                   "statements": clock.count, "sql_seconds": round(clock.seconds, 2),
                   "rss_before_mb": round(base), "peak_rss_mb": round(peak), "peak_growth_mb": round(peak - base),
                   "bare_sql_seconds": round(bare, 2) if "akteure" in url else None,
                   "ratio_to_bare_sql": round(seconds / bare, 1) if "akteure" in url and bare else None}
            rows.append(row)
            print(f"  {url:28} #{attempt} {seconds:6.2f} s  {row['mb']:6.1f} MB  {clock.count:4} statements "
                  f"(SQL {clock.seconds:5.2f} s)  RSS {base:.0f} MB, peak {peak:.0f} MB (+{peak - base:.0f})"
                  + (f"  {row['ratio_to_bare_sql']}× bare SQL" if row["ratio_to_bare_sql"] else ""), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tier", default="land", choices=[t for t in TIERS if t != "demo"])
    parser.add_argument("--db", default="postgresql", choices=("postgresql", "sqlite"))
    parser.add_argument("--reuse", action="store_true", help="the database of the last run, as it is")
    parser.add_argument("--search-only", action="store_true", help="only the directory search")
    args = parser.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[1]).stdout.strip()
    results: dict[str, Any] = {"tier": args.tier, "db": args.db, "commit": commit, "python": platform.python_version(),
                               "cpus": os.cpu_count(), "date": datetime.now(UTC).isoformat(timespec="seconds"),
                               "load_start": os.getloadavg()}
    print(f"Directory bench: {args.tier} on {args.db}, commit {commit}, load {os.getloadavg()}", flush=True)
    url = database(args.tier, args.db, args.reuse)
    if args.reuse:
        from bench.compute_bench import reopen

        app, client, info = reopen(url)
    else:
        app, client, info = build(url, args.tier)
        print(f"  landscape: generated in {info['generate_s']} s, inserted in {info['insert_s']} s", flush=True)
    centre = hub(app)
    if not args.reuse:
        info["people"] = add_addresses_and_people(app, centre)
        print(f"  addresses, {info['people']['persons']} persons, search columns: {info['people']['seconds']} s",
              flush=True)
    results["build"] = info
    if args.db == "postgresql":   # the bulk writes left dead rows and a long GIN pending list
        vacuum(app)
    from crm.extensions import db
    from crm.models import Role
    from crm.services.accounts.users import create_user

    with app.app_context():
        from sqlalchemy import select

        from crm.models import User

        if db.session.scalar(select(User.id).where(User.email == "coordinator@bench.example")) is None:
            create_user(db.session, "coordinator@bench.example", "richtig-langes-passwort", Role.COORDINATOR, "Bench")
            db.session.commit()
        engine = db.engine
    client = app.test_client()
    assert client.post("/anmelden", data={"email": "coordinator@bench.example",
                                          "password": "richtig-langes-passwort"}).status_code == 302
    clock = SqlClock(engine)

    print("\nDirectory search (coordinator)", flush=True)
    search_rows = []
    for words in SEARCHES:
        row = requests(client, clock, f"q={words}", f"/akteure/?q={words}")
        row["former_sql_p50_ms"] = former_sql(app, words)
        row["search_sql_p50_ms"] = search_sql(app, words)
        print(f"  {'':42} count and first page: stored columns {row['search_sql_p50_ms']:.1f} ms, "
              f"former SQL folding {row['former_sql_p50_ms']:.1f} ms", flush=True)
        search_rows.append(row)
    api = requests(client, clock, "API q=grundschule, limit 50", "/api/v1/actors?q=grundschule&limit=50")
    first = requests(client, clock, "directory, page 1", "/akteure/")
    with app.app_context():
        from sqlalchemy import func

        from crm.models import Actor

        pages = (db.session.scalar(select(func.count()).select_from(Actor)) + 49) // 50
        db.session.remove()
    last = requests(client, clock, f"directory, last page ({pages})", f"/akteure/?seite={pages}")
    results["search"] = search_rows + [api, first, last]
    every = sorted(r["p95_ms"] for r in search_rows)
    print(f"  all searches: p95 of p95 {every[-1]:.1f} ms", flush=True)

    if args.search_only:
        target = RESULTS / f"directory-{args.tier}-{args.db}-search.json"
        target.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\n-> {target}", flush=True)
        return
    print("\nExports (coordinator: with people)", flush=True)
    results["exports"] = exports(app, client, clock)

    print(f"\nActor page of the largest hub (actor {centre})", flush=True)
    results["hub"] = [requests(client, clock, "hub, page 1", f"/akteure/{centre}"),
                      requests(client, clock, "hub, page 2 of its ties", f"/akteure/{centre}?seite=2")]
    with app.app_context():
        from sqlalchemy import func, or_

        from crm.models import Cooperation

        results["hub_ties"] = db.session.scalar(select(func.count()).select_from(Cooperation).where(
            or_(Cooperation.source_id == centre, Cooperation.target_id == centre)))
        db.session.remove()
    print(f"  the hub has {results['hub_ties']} ties", flush=True)
    results["load_end"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    target = RESULTS / f"directory-{args.tier}-{args.db}.json"
    target.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\n-> {target}", flush=True)


if __name__ == "__main__":
    main()
