"""What the background worker costs and what pages cost once its results are stored; never a test.

Run:  .venv/bin/python bench/compute_bench.py --tier land --db postgresql     (about 15 min)
      .venv/bin/python bench/compute_bench.py --tier kommune --db sqlite
      .venv/bin/python bench/compute_bench.py --tier bund --db postgresql --worker-only

A landscape of the tier (the seeded synthetic region of ``bench/graph_bench.py``: clustered by
area, hubs with many ties, dated ties; plus initiatives with heavy-tailed member counts, one
hub a member of many) is written into a fresh database. Then, in this one process:

1. **Worker**: the pages ask for the dashboard, the default map, the analysis JSON and the
   council report (each answers 202 and queues a job); ``ComputeRunner`` computes them. Printed:
   seconds per job (from ``computed_results.duration``), JSON size, stored (compressed) size and
   the peak RSS of the process.
2. **Pages**, results present: p50/p95 of 20 warm requests each, through Flask's test client:
   dashboard, map page, map JSON, analysis JSON, the ego map of the largest hub (cooperations
   and initiatives, 1 step), report page and report PDF; statements per request.
3. **Memory over 20 cycles**: a cooperation is added (a write, so every result goes stale),
   the worker recomputes what was read, the map JSON, the ego map and the dashboard are read
   again; RSS after each cycle (the process is app and worker at once, the worst case).

Writes ``bench/results/compute-<tier>-<db>.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.graph_bench import landscape as synthetic
from bench.map_bench import _bulk, insert_region

RESULTS = Path(__file__).resolve().parent / "results"
TIERS = {"demo": (0, 0, 0), "kommune": (2_000, 10_000, 40), "land": (40_000, 200_000, 800),
         "bund": (300_000, 1_000_000, 6_000)}
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def database(tier: str, kind: str) -> str:
    if kind == "sqlite":
        path = Path(f"/tmp/bench-compute-{tier}.sqlite3")
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    from sqlalchemy import create_engine, text

    name = f"bench_compute_{tier}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def add_initiatives(session: Any, count: int, actors: int, seed: int = 7) -> int:
    """Initiatives with heavy-tailed member counts (most 5-30, a few hundreds); the largest hub of
    the cooperations (actor 1 of the region) is a member of many, as a Landesinstitut would be."""
    from sqlalchemy import func, select

    from crm.models import Actor, Initiative, InitiativeKind, Membership, MembershipRole

    rng = random.Random(seed)
    first = session.scalar(select(func.min(Actor.id)))
    since = datetime(2012, 1, 1, tzinfo=UTC)
    rows, members = [], []
    for i in range(1, count + 1):
        rows.append({"id": i, "name": f"Initiative {i}", "kind": InitiativeKind.PROJECT, "description": "",
                     "short_name": "",
                     "website": "", "created_at": since, "updated_at": since, "version_id": 1,
                     "start_date": date(rng.randint(2012, 2025), 1, 1)})
        size = min(actors, int(5 + rng.paretovariate(1.6) * 6))
        chosen = set(rng.sample(range(actors), size))
        if i % 12 == 0:
            chosen.add(0)
        for actor in sorted(chosen):
            members.append({"initiative_id": i, "actor_id": first + actor, "role": MembershipRole.MEMBER,
                            "joined_on": date(rng.randint(2012, 2025), rng.randint(1, 12), 1), "left_on": None})
    _bulk(session, Initiative, rows)
    _bulk(session, Membership, [dict(m, id=i) for i, m in enumerate(members, 1)])
    return len(members)


def build(url: str, tier: str) -> tuple[Any, Any, dict[str, Any]]:
    from flask_migrate import upgrade

    from crm import create_app
    from crm.extensions import db
    from crm.models import Role
    from crm.services.accounts.users import create_user
    from crm.services.landscape.vocabularies import seed_vocabularies
    from crm.services.privacy import audit

    n, m, initiatives = TIERS[tier]
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "MAIL_SUPPRESS_SEND": True, "COMPUTE_DEBOUNCE_SECONDS": 0,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    info: dict[str, Any] = {}
    with app.app_context():
        upgrade()
        seed_vocabularies(db.session)
        db.session.commit()
        started = time.perf_counter()
        nodes, edges = synthetic(n, m) if n else ([], [])
        info["generate_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        with audit.suppressed():
            if n:
                insert_region(db.session, nodes, edges)
                info["memberships"] = add_initiatives(db.session, initiatives, n)
            else:   # the demo region itself (Trier and the Landkreis), as ``make run`` loads it
                from crm.demo.generator import load_demo

                info["memberships"] = dict(load_demo(db.session)).get("Mitgliedschaften", 0)
        create_user(db.session, "viewer@bench.example", "richtig-langes-passwort", Role.VIEWER, "Bench")
        db.session.commit()
        if url.startswith("postgresql"):   # ids were given explicitly: move the sequences past them
            from sqlalchemy import text

            for table in ("actors", "cooperations", "initiatives", "memberships"):
                db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT max(id) FROM {table}))"))
            db.session.commit()
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        info["insert_s"] = round(time.perf_counter() - started, 1)
        del nodes, edges
    client = app.test_client()
    assert client.post("/anmelden", data={"email": "viewer@bench.example",
                                          "password": "richtig-langes-passwort"}).status_code == 302
    return app, client, info


def reopen(url: str) -> tuple[Any, Any, dict[str, Any]]:
    """The database of an earlier run; the dashboard and the map are computed again (their stored
    form changed), the analyses and the report are kept."""
    from sqlalchemy import delete

    from crm import create_app
    from crm.extensions import db
    from crm.models import ComputedResult

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "MAIL_SUPPRESS_SEND": True, "COMPUTE_DEBOUNCE_SECONDS": 0})
    with app.app_context():
        db.session.execute(delete(ComputedResult).where(ComputedResult.kind.in_(["dashboard", "map"])))
        db.session.commit()
    client = app.test_client()
    assert client.post("/anmelden", data={"email": "viewer@bench.example",
                                          "password": "richtig-langes-passwort"}).status_code == 302
    return app, client, {"generate_s": 0, "insert_s": 0, "memberships": 0}


def hub(app: Any) -> int:
    from sqlalchemy import func, select, union_all

    from crm.extensions import db
    from crm.models import Cooperation

    with app.app_context():
        ends = union_all(select(Cooperation.source_id.label("a")), select(Cooperation.target_id.label("a"))).subquery()
        return db.session.execute(select(ends.c.a, func.count()).group_by(ends.c.a)
                                  .order_by(func.count().desc()).limit(1)).first()[0]


def run_worker(app: Any) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from crm.extensions import db
    from crm.models import ComputedResult
    from crm.services.computed.runner import ComputeRunner

    with app.app_context():
        started = time.perf_counter()
        ComputeRunner(db.session, "bench", debounce=0).run_until_idle()
        total = time.perf_counter() - started
        rows = [{"kind": r.kind, "seconds": round(r.duration or 0, 2), "json_mb": round(r.payload_bytes / 1e6, 2),
                 "stored_mb": round(len(r.payload or b"") / 1e6, 2), "actors": r.size, "status": r.status}
                for r in db.session.scalars(select(ComputedResult).order_by(ComputedResult.id))]
        db.session.remove()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"  worker: {total:.1f} s, CPU of the process so far {usage.ru_utime + usage.ru_stime:.0f} s, "
          f"peak RSS {peak_mb():.0f} MB", flush=True)
    for row in rows:
        print(f"    {row['kind']:10} {row['status']:7} {row['seconds']:8.2f} s  JSON {row['json_mb']:7.2f} MB "
              f"stored {row['stored_mb']:6.2f} MB  ({row['actors']} actors)", flush=True)
    return rows


def statements(app: Any) -> list[int]:
    from sqlalchemy import event

    from crm.extensions import db

    counted = [0]
    with app.app_context():
        engine = db.engine

    def count(*args: Any) -> None:
        counted[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    return counted


def pages(app: Any, client: Any, urls: list[tuple[str, str]], repeat: int = 20) -> list[dict[str, Any]]:
    counter = statements(app)
    rows = []
    for label, url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
        times, counts = [], []
        for _ in range(repeat):
            before = counter[0]
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            counts.append(counter[0] - before)
            assert response.status_code == 200, url
        times.sort()
        row = {"page": label, "p50_ms": round(statistics.median(times) * 1000, 1),
               "p95_ms": round(times[int(0.95 * (len(times) - 1))] * 1000, 1), "statements": max(counts),
               "kb": round(len(response.data) / 1024, 1)}
        rows.append(row)
        print(f"  {label:40} p50 {row['p50_ms']:8.1f} ms  p95 {row['p95_ms']:8.1f} ms  "
              f"{row['statements']:3} statements  {row['kb']:8.1f} KB", flush=True)
    return rows


def memory_cycles(app: Any, client: Any, centre: int, cycles: int) -> list[float]:
    from sqlalchemy import select

    from crm.extensions import db
    from crm.models import Actor, Cooperation, CooperationType
    from crm.services.computed.runner import ComputeRunner

    readings = []
    with app.app_context():
        actor_ids = list(db.session.scalars(select(Actor.id).order_by(Actor.id).limit(5000)))
        type_id = db.session.scalars(select(CooperationType.id)).first()
        db.session.remove()
    rng = random.Random(3)
    for cycle in range(cycles):
        with app.app_context():
            a, b = rng.sample(actor_ids, 2)
            db.session.add(Cooperation(source_id=a, target_id=b, type_id=type_id, intensity=2,
                                       start_date=date(2026, 1, 1)))
            db.session.commit()
            db.session.remove()
        for url in ("/netzwerk/karte.json", f"/netzwerk/akteur/{centre}.json", "/dashboard/"):
            assert client.get(url).status_code == 200
        with app.app_context():
            ComputeRunner(db.session, "bench", debounce=0).run_until_idle()
            db.session.remove()
        for url in ("/netzwerk/karte.json", f"/netzwerk/akteur/{centre}.json", "/dashboard/"):
            assert client.get(url).status_code == 200
        readings.append(round(rss_mb(), 1))
        print(f"  cycle {cycle + 1:2}: RSS {readings[-1]:8.1f} MB", flush=True)
    return readings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tier", choices=sorted(TIERS), default="kommune")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--worker-only", action="store_true", help="only the worker's default analysis (Bund)")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database of an earlier run (PostgreSQL); recompute dashboard and map only")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page")
    args = parser.parse_args()
    load = os.getloadavg()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).parent).stdout.strip()
    print(f"{args.tier} on {args.db}, load {load[0]:.1f}, commit {commit}", flush=True)
    if args.reuse:
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/bench_compute_{args.tier}"
        app, client, info = reopen(url)
    else:
        url = database(args.tier, args.db)
        app, client, info = build(url, args.tier)
    print(f"  generated in {info['generate_s']} s, written in {info['insert_s']} s "
          f"({info['memberships']} memberships); RSS {rss_mb():.0f} MB", flush=True)
    result: dict[str, Any] = {"tier": args.tier, "db": args.db, "date": datetime.now(UTC).isoformat(timespec="minutes"),
                              "commit": commit, "machine": f"{platform.node()} {os.cpu_count()} cores",
                              "load_start": [round(x, 2) for x in load], **info}
    centre = hub(app)
    scope = f"since={date.today().year - 1}-01-01&until={date.today().year - 1}-12-31"
    wanted = ["/dashboard/"] if args.worker_only else [
        "/dashboard/", "/netzwerk/", "/analyse/ergebnis.json", f"/berichte/?{scope}"]
    for url in wanted:
        assert client.get(url).status_code in ((200, 202) if args.reuse else (202,)), url
    result["jobs"] = run_worker(app)
    result["worker_peak_rss_mb"] = round(peak_mb(), 0)
    if not args.worker_only:
        result["pages"] = pages(app, client, [
            ("dashboard", "/dashboard/"), ("map page", "/netzwerk/"), ("map JSON", "/netzwerk/karte.json"),
            ("analysis JSON", "/analyse/ergebnis.json"),
            ("ego map of the largest hub", f"/netzwerk/akteur/{centre}.json"),
            ("ego map of the largest hub, 2 steps", f"/netzwerk/akteur/{centre}.json?steps=2"),
            ("report page", f"/berichte/?{scope}"), ("report PDF", f"/berichte/bericht.pdf?{scope}")],
            repeat=args.repeat)
        result["rss_cycles_mb"] = memory_cycles(app, client, centre, args.cycles)
    result["load_end"] = [round(x, 2) for x in os.getloadavg()]
    result["peak_rss_mb"] = round(peak_mb(), 0)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"compute-{args.tier}-{args.db}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"written {out}", flush=True)


if __name__ == "__main__":
    main()
