"""What German name order (``COLLATE german``, crm/collation.py) costs for the first directory page.

On SQLite the collation is a Python function that SQLite calls once per comparison; on PostgreSQL
it is ICU inside the server. Measured: ``ORDER BY name [COLLATE german] LIMIT 50`` over 20,000
actor-like names (about 40 % with umlauts or ß), cold (first query of a process) and warm.

    .venv/bin/python bench/collation_bench.py
    BENCH_PG=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/collation_bench.py
"""
from __future__ import annotations

import os
import random
import sqlite3
import time
import uuid

WORDS = ["Grundschule", "Kita", "Bäckerei", "Verein", "Förderverein", "Jugendhilfe", "Müller", "Schule", "Trier",
         "Olewig", "Ehrang", "Konz", "Saarburg", "Straße", "Weinbergzwerge", "St.", "Anna", "Gymnasium"]


def names(count: int = 20_000) -> list[str]:
    rng = random.Random(1)
    return [" ".join(rng.choice(WORDS) for _ in range(3)) + f" {n}" for n in range(count)]


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def sqlite_rows(rows: list[str]) -> list[tuple[str, float]]:
    from crm.collation import compare, sort_key

    connection = sqlite3.connect(":memory:")
    connection.create_collation("german", compare)
    connection.execute("CREATE TABLE actors (name TEXT)")
    connection.executemany("INSERT INTO actors VALUES (?)", [(n,) for n in rows])
    binary = "SELECT name FROM actors ORDER BY name LIMIT 50"
    german = "SELECT name FROM actors ORDER BY name COLLATE german LIMIT 50"
    sort_key.cache_clear()
    result = [("SQLite, Byte-Reihenfolge", timed(lambda: connection.execute(binary).fetchall())),
              ("SQLite, COLLATE german, kalt", timed(lambda: connection.execute(german).fetchall())),
              ("SQLite, COLLATE german, warm", timed(lambda: connection.execute(german).fetchall()))]
    connection.close()
    return result


def postgres_rows(url: str, rows: list[str]) -> list[tuple[str, float]]:
    """In a throw-away database (as the tests do), so the server's own databases stay untouched."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"bench_collation_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(make_url(url).set(database=name))
    try:
        with engine.begin() as conn:
            conn.execute(text('CREATE COLLATION german FROM "de-x-icu"'))  # as the migration does
            conn.execute(text("CREATE TABLE actors (name text)"))
            conn.execute(text("INSERT INTO actors VALUES (:name)"), [{"name": n} for n in rows])
        with engine.connect() as conn:
            return [("PostgreSQL, Standard", timed(lambda: conn.execute(
                        text("SELECT name FROM actors ORDER BY name LIMIT 50")).all())),
                    ("PostgreSQL, COLLATE german (ICU)", timed(lambda: conn.execute(
                        text("SELECT name FROM actors ORDER BY name COLLATE german LIMIT 50")).all()))]
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    rows = names()
    results = sqlite_rows(rows)
    if os.environ.get("BENCH_PG"):
        results += postgres_rows(os.environ["BENCH_PG"], rows)
    print(f"| Erste Seite (50) von {len(rows):,} Namen | Zeit |".replace(",", "."))
    print("|---|---|")
    for label, seconds in results:
        print(f"| {label} | {seconds * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
