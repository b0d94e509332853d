"""The Bestandsaufnahme at the size of a Land: how long counting both coverage matrices takes, and how
many SQL statements it needs, on PostgreSQL (or SQLite without ``BENCH_PG``).

The page, the dashboard block and the report count on request (``crm.services.offers.inventory``:
two ``GROUP BY`` over the offers' link tables, plus the vocabularies) instead of through the stored
results of ``crm.services.computed``; this measures that this stays cheap. It fills a throw-away
database like ``bench/portal_search_bench.py`` (same ``fill``: ``BENCH_ACTORS`` actors, default
40,000, and ``BENCH_OFFERS`` offers, default 100,000, over 441 areas), then times
``inventory.inventory`` (what the page runs) and ``inventory.summary`` (the dashboard block).
Writes ``bench/results/inventory-<db>.json``.

    BENCH_PG=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/inventory_bench.py
    BENCH_ACTORS=2000 BENCH_OFFERS=5000 .venv/bin/python bench/inventory_bench.py      # SQLite, small
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, text

from bench.portal_search_bench import _database, fill


def main() -> None:
    from crm import create_app
    from crm.extensions import db
    from crm.models.base import utcnow
    from crm.services.offers import inventory

    actors = int(os.environ.get("BENCH_ACTORS", "40000"))
    offers = int(os.environ.get("BENCH_OFFERS", "100000"))
    url, cleanup = _database(os.environ.get("BENCH_PG"))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True, "BENCH_NOW": utcnow()})
    try:
        from flask_migrate import upgrade

        with app.app_context():
            upgrade()
        started = time.perf_counter()
        fill(app, actors, offers)
        filled = time.perf_counter() - started
        statements = [0]
        result: dict[str, object] = {"actors": actors, "offers": offers}
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", lambda *args: statements.__setitem__(0, statements[0] + 1))
            found = inventory.inventory(db.session)  # warm
            slowest: list[tuple[float, str]] = []

            def before(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
                conn.info["bench_start"] = time.perf_counter()

            def after(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
                slowest.append(((time.perf_counter() - conn.info["bench_start"]) * 1000, " ".join(statement.split())))

            event.listen(db.engine, "before_cursor_execute", before)
            event.listen(db.engine, "after_cursor_execute", after)
            inventory.inventory(db.session)
            db.session.rollback()
            event.remove(db.engine, "before_cursor_execute", before)
            event.remove(db.engine, "after_cursor_execute", after)
            result["statements_ms"] = sorted(slowest, reverse=True)
            for ms, statement in sorted(slowest, reverse=True)[:4]:
                print(f"{ms:8.1f} ms  {statement[:150]}")
            for name, call in (("inventory", lambda: inventory.inventory(db.session)),
                               ("cached", lambda: inventory.current_inventory(db.session)),
                               ("summary", lambda: inventory.summary(db.session))):
                times = []
                for _ in range(7):
                    statements[0] = 0
                    start = time.perf_counter()
                    call()
                    times.append((time.perf_counter() - start) * 1000)
                    db.session.rollback()
                result[name] = {"median_ms": statistics.median(times), "max_ms": max(times),
                                "statements": statements[0]}
            result["standing_offers"] = found.offers
            result["cells"] = sum(m.size for m in found.matrices)
            result["gaps"] = found.gap_count
        database = "postgresql" if url.startswith("postgresql") else "sqlite"
        print(f"Bestandsaufnahme, {database}: {actors:,} actors, {offers:,} offers "
              f"({result['standing_offers']:,} standing; filled in {filled:.0f} s), {result['cells']} cells")
        for name in ("inventory", "cached", "summary"):
            row = result[name]
            assert isinstance(row, dict)
            print(f"{name:10} median {row['median_ms']:8.1f} ms, max {row['max_ms']:8.1f} ms, "
                  f"{row['statements']} statements")
        result["load"] = os.getloadavg()
        out = Path(__file__).resolve().parent / "results" / f"inventory-{database}.json"
        out.write_text(json.dumps(result, indent=1, default=str))
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if cleanup:
            admin, name = cleanup
            with admin.connect() as conn:  # type: ignore[attr-defined]
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
