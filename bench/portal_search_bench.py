"""The public portal's search at the size of a Land: request time (p50, p95) and SQL statements per
search request, on PostgreSQL (or SQLite without ``BENCH_PG``).

Builds a throw-away database through the migrations, fills it with ``BENCH_ACTORS`` actors (default
40,000; 85 % agreed to be listed) and ``BENCH_OFFERS`` offers (default 100,000; 80 % published) with
topics, life stages, target groups, areas and search texts as ``crm.services.offers`` writes them,
then sends searches (words, each filter, combinations, later pages) through the Flask test client to
``/portal/`` and measures each request. Prints a table; writes ``bench/results/portal_search-<db>.json``.

    BENCH_PG=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/portal_search_bench.py
    BENCH_ACTORS=2000 BENCH_OFFERS=5000 .venv/bin/python bench/portal_search_bench.py      # SQLite, small

``BENCH_KEEP=1`` keeps the PostgreSQL database (its URL is printed) for EXPLAIN ANALYZE;
``BENCH_REUSE=<that URL>`` measures it again without filling (after a change of the code).
"""
from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, event, insert, select, text
from sqlalchemy.engine import make_url

WORDS = ("Roboter", "Forscherwerkstatt", "Lesen", "Schreiben", "Mathe", "Deutschkurs", "Elterncafé", "Theater",
         "Bewerbung", "Garten", "Kochen", "Computer", "Programmieren", "Mädchen", "Jungen", "Familien", "Kinder",
         "Jugendliche", "Natur", "Technik", "Sprache", "Musik", "Sport", "Chemie", "Physik", "Demokratie")
QUERIES = ("", "Roboter", "roboter kinder", "Mädchen", "maedchen technik", "Deutschkurs", "xylophon",
           "Programmieren Computer", "Lesen")


def _database(url: str | None) -> tuple[str, object]:
    if not url:
        folder = tempfile.mkdtemp(prefix="bench_portal_")
        return f"sqlite:///{folder}/portal.sqlite3", None
    name = f"bench_portal_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(url).set(database=name).render_as_string(hide_password=False), (admin, name)


def fill(app, actors: int, offers: int) -> None:
    from crm.extensions import db
    from crm.models import Actor, ActorKind, Area, LifeStage, Offer, TargetGroup, Topic
    from crm.models.offers import offer_life_stages, offer_providers, offer_target_groups, offer_topics
    from crm.services.landscape.vocabularies import seed_vocabularies
    from crm.services.offers.search import search_text

    rng = random.Random(14)
    with app.app_context():
        seed_vocabularies(db.session)
        land = Area(name="Land", level="Land")
        districts = [Area(name=f"Kreis {n}", level="Kreis", parent=land) for n in range(40)]
        towns = [Area(name=f"Gemeinde {n}", level="Gemeinde", parent=districts[n % 40]) for n in range(400)]
        db.session.add_all([land, *districts, *towns])
        db.session.commit()
        kinds = db.session.scalars(select(ActorKind.id).where(ActorKind.is_individual.is_(False))).all()
        town_ids = [t.id for t in towns]
        stages = db.session.scalars(select(LifeStage.id)).all()
        topics = db.session.scalars(select(Topic.id)).all()
        groups = db.session.scalars(select(TargetGroup.id)).all()
        today = date(2026, 12, 1)
        rows = [{"id": n, "name": f"{rng.choice(WORDS)}-Akteur {n}", "short_name": "", "kind_id": rng.choice(kinds),
                 "area_id": rng.choice(town_ids), "street": "", "postcode": "", "city": "", "website": "",
                 "email": "", "phone": "", "description": "", "notes": "", "is_active": True, "version_id": 1,
                 "listing_agreed_on": today if rng.random() < 0.85 else None, "listing_recorded_by": "bench",
                 "created_at": app.config.get("BENCH_NOW"), "updated_at": app.config.get("BENCH_NOW")}
                for n in range(1, actors + 1)]
        for chunk in range(0, len(rows), 5000):
            db.session.execute(insert(Actor), rows[chunk:chunk + 5000])
        db.session.commit()
        links: dict[str, list[dict]] = {"providers": [], "stages": [], "topics": [], "groups": []}
        offer_rows = []
        for n in range(1, offers + 1):
            title = " ".join(rng.sample(WORDS, 3))
            description = " ".join(rng.choice(WORDS) for _ in range(12))
            provider = rng.randint(1, actors)
            offer_rows.append({
                "id": n, "title": title, "description": description, "format": "Kurs", "place": "",
                "area_id": rng.choice(town_ids), "starts_on": None, "ends_on": None, "is_ongoing": True,
                "schedule": "", "is_free": rng.random() < 0.5, "cost": "", "entry_requirements": "",
                "languages": rng.choice(("Deutsch", "Deutsch, Englisch", "Deutsch, Arabisch", "Deutsch, Türkisch")),
                "is_accessible": rng.random() < 0.5, "url": "", "contact_email": "", "contact_phone": "",
                "contact_person_id": None, "status": "published" if rng.random() < 0.8 else "draft",
                "confirmed_on": today, "search_text": search_text([title, description, rows[provider - 1]["name"]]),
                "created_at": app.config.get("BENCH_NOW"), "updated_at": app.config.get("BENCH_NOW"), "version_id": 1})
            links["providers"].append({"offer_id": n, "actor_id": provider})
            links["stages"] += [{"offer_id": n, "life_stage_id": s} for s in rng.sample(stages, 2)]
            links["topics"] += [{"offer_id": n, "topic_id": t} for t in rng.sample(topics, 2)]
            links["groups"] += [{"offer_id": n, "target_group_id": g} for g in rng.sample(groups, 1)]
        for chunk in range(0, len(offer_rows), 5000):
            db.session.execute(insert(Offer), offer_rows[chunk:chunk + 5000])
        for table, key in ((offer_providers, "providers"), (offer_life_stages, "stages"), (offer_topics, "topics"),
                           (offer_target_groups, "groups")):
            for chunk in range(0, len(links[key]), 20000):
                db.session.execute(insert(table), links[key][chunk:chunk + 20000])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()


def searches(app) -> list[dict]:
    from crm.extensions import db
    from crm.models import Area, LifeStage, TargetGroup, Topic

    with app.app_context():
        mint = db.session.scalar(select(Topic.id).where(Topic.name == "MINT"))
        primar = db.session.scalar(select(LifeStage.id).where(LifeStage.code == "primar"))
        kids = db.session.scalar(select(TargetGroup.id).where(TargetGroup.name == "Kinder"))
        district = db.session.scalar(select(Area.id).where(Area.name == "Kreis 3"))
        town = db.session.scalar(select(Area.id).where(Area.name == "Gemeinde 7"))
    result: list[dict] = [{"q": q} for q in QUERIES]
    result += [{"thema": mint}, {"phase": primar}, {"zielgruppe": kids}, {"gebiet": district}, {"gebiet": town},
               {"kostenlos": "1"}, {"barrierefrei": "1"}, {"sprache": "Arabisch"},
               {"thema": mint, "phase": primar, "zielgruppe": kids, "gebiet": district, "kostenlos": "1"},
               {"q": "Roboter", "thema": mint, "kostenlos": "1"}, {"seite": "50"}, {"q": "Kinder", "seite": "20"}]
    return result


def main() -> None:
    from crm import create_app
    from crm.extensions import db
    from crm.models.base import utcnow

    actors = int(os.environ.get("BENCH_ACTORS", "40000"))
    offers = int(os.environ.get("BENCH_OFFERS", "100000"))
    reuse = os.environ.get("BENCH_REUSE")  # a database kept by BENCH_KEEP: measure again without filling
    url, cleanup = (reuse, None) if reuse else _database(os.environ.get("BENCH_PG"))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True, "BENCH_NOW": utcnow()})
    try:
        from flask_migrate import upgrade

        with app.app_context():
            upgrade()
        started = time.perf_counter()
        if not reuse:
            fill(app, actors, offers)
        filled = time.perf_counter() - started
        statements: list[int] = [0]
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", lambda *args: statements.__setitem__(0, statements[0] + 1))
        client = app.test_client()
        client.get("/portal/")  # warm: templates compiled, connection pool open
        rows = []
        for params in searches(app):
            times = []
            for _ in range(5):
                statements[0] = 0
                start = time.perf_counter()
                response = client.get("/portal/", query_string=params)
                times.append(time.perf_counter() - start)
                assert response.status_code == 200, response.status_code
            rows.append({"params": params, "median_ms": statistics.median(times) * 1000,
                         "max_ms": max(times) * 1000, "statements": statements[0]})
        every = sorted(r["median_ms"] for r in rows)
        p95 = every[min(len(every) - 1, int(round(0.95 * (len(every) - 1))))]
        database = "postgresql" if url.startswith("postgresql") else "sqlite"
        print(f"Portal search, {database}: {actors:,} actors, {offers:,} offers (filled in {filled:.0f} s)")
        print(f"{'search':60} {'median ms':>10} {'max ms':>8} {'SQL':>4}")
        for row in rows:
            label = " ".join(f"{k}={v}" for k, v in row["params"].items()) or "(all)"
            print(f"{label[:60]:60} {row['median_ms']:10.1f} {row['max_ms']:8.1f} {row['statements']:4d}")
        print(f"p50 {statistics.median(every):.1f} ms, p95 {p95:.1f} ms over {len(rows)} searches "
              f"(median of 5 requests each); statements per request: "
              f"{min(r['statements'] for r in rows)}–{max(r['statements'] for r in rows)}")
        out = Path(__file__).resolve().parent / "results" / f"portal_search-{database}.json"
        out.write_text(json.dumps({"actors": actors, "offers": offers, "p95_ms": p95, "rows": rows,
                                   "load": os.getloadavg()}, indent=1, default=str))
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if cleanup and os.environ.get("BENCH_KEEP"):
            print(f"kept: {url}")
        elif cleanup:
            admin, name = cleanup
            with admin.connect() as conn:  # type: ignore[attr-defined]
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
