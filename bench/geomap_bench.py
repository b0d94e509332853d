"""The geographic map at the size of a Land: request time and SQL statements of the public map
(``/portal/karte``, its JSON) and the app's map JSON (``/karte/orte.json``), on PostgreSQL (or SQLite
without ``BENCH_PG``).

Fills a throw-away database like ``bench/portal_search_bench.py`` (its ``fill``: ``BENCH_ACTORS``
actors, ``BENCH_OFFERS`` offers, defaults 40,000 and 100,000), gives every actor coordinates, then
requests each map five times through the Flask test client. The maps draw at most
``crm.services.geo.places.MAX_PLACES`` places; the page lists them all, so the HTML is large.

    BENCH_PG=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/geomap_bench.py
    BENCH_ACTORS=5000 BENCH_OFFERS=12000 .venv/bin/python bench/geomap_bench.py      # SQLite, small
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

URLS = ("/portal/karte.json", "/portal/karte", "/portal/karte.json?q=roboter", "/karte/orte.json",
        "/karte/orte.json?zeigen=akteure")


def main() -> None:
    from crm import create_app
    from crm.extensions import db
    from crm.models import Role
    from crm.models.base import utcnow
    from crm.services.accounts.users import create_user

    actors = int(os.environ.get("BENCH_ACTORS", "40000"))
    offers = int(os.environ.get("BENCH_OFFERS", "100000"))
    url, cleanup = _database(os.environ.get("BENCH_PG"))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True, "BENCH_NOW": utcnow(),
                      "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    try:
        from flask_migrate import upgrade

        with app.app_context():
            upgrade()
        fill(app, actors, offers)
        with app.app_context():
            # spread over about 200 × 200 km; every actor gets a point
            db.session.execute(text("UPDATE actors SET latitude = 49.0 + (id % 997) * 0.0018, "
                                    "longitude = 6.0 + ((id * 7) % 991) * 0.0028"))
            create_user(db.session, "bench@test.example", "bench-passwort-lang", Role.VIEWER, "Bench")
            db.session.commit()
        statements: list[int] = [0]
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", lambda *args: statements.__setitem__(0, statements[0] + 1))
        client = app.test_client()
        client.post("/anmelden", data={"email": "bench@test.example", "password": "bench-passwort-lang"})
        rows = []
        for path in URLS:
            client.get(path)  # warm
            times = []
            for _ in range(5):
                statements[0] = 0
                start = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - start)
                assert response.status_code == 200, (path, response.status_code)
            rows.append({"path": path, "median_ms": statistics.median(times) * 1000, "max_ms": max(times) * 1000,
                         "statements": statements[0], "kib": len(response.get_data()) // 1024})
        database = "postgresql" if url.startswith("postgresql") else "sqlite"
        print(f"Geographic map, {database}: {actors:,} actors, {offers:,} offers")
        print(f"{'request':40} {'median ms':>10} {'max ms':>8} {'SQL':>4} {'KiB':>6}")
        for row in rows:
            print(f"{row['path']:40} {row['median_ms']:10.1f} {row['max_ms']:8.1f} {row['statements']:4d} "
                  f"{row['kib']:6d}")
        out = Path(__file__).resolve().parent / "results" / f"geomap-{database}.json"
        out.write_text(json.dumps({"actors": actors, "offers": offers, "rows": rows, "load": os.getloadavg()},
                                  indent=1))
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
