"""How long an import of 5,000 actor rows takes: preview, dry run, import, and the re-import.

Run: ``.venv/bin/python bench/import_bench.py`` (SQLite in a temporary file), or with
``BENCH_DATABASE_URL=postgresql+psycopg://…/db`` against an empty PostgreSQL database.
Measured through the service layer the pages call, on a freshly migrated database; the
times include reading the file, every check, the audit entries and the commit.
"""
from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROWS = int(os.environ.get("BENCH_ROWS", "5000"))


def make_csv(rows: int, seed: int = 7) -> bytes:
    """A school-register-like list, semicolon-separated, Windows-1252, as Excel saves it."""
    rng = random.Random(seed)
    kinds = ["GS", "Grundschule", "Kita", "Volkshochschule"]
    streets = ["Hauptstraße", "Kürenzer Straße", "Saarstraße", "Am Mühlenteich", "Paulinstraße"]
    lines = ["Kennung;Name;Art;Straße;PLZ;Ort;E-Mail;Telefon;Themen;Breitengrad;Längengrad"]
    for n in range(rows):
        lines.append(";".join([
            f"{100000 + n}", f"Einrichtung Nr. {n} Trier-Süd", rng.choice(kinds),
            f"{rng.choice(streets)} {rng.randint(1, 120)}", f"54{rng.randint(200, 299)}", "Trier",
            f"info{n}@schule.example", f"0651 {rng.randint(10000, 99999)}", "MINT" if n % 3 == 0 else "",
            f"49,{rng.randint(700000, 799999)}", f"6,{rng.randint(600000, 699999)}",
        ]))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def main() -> None:
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from crm import create_app
    from crm.extensions import db
    from crm.models import Actor, AuditEntry, ImportTarget, Role
    from crm.services.accounts.users import create_user
    from crm.services.imports import batches, engine
    from crm.services.landscape.vocabularies import seed_vocabularies

    workdir = tempfile.mkdtemp(prefix="bn-import-bench-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite3"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
    data = make_csv(ROWS)
    print(f"{ROWS} rows, {len(data) / 1024:.0f} KB CSV, database {url.split(':')[0]}")
    with app.app_context():
        upgrade(revision="heads")
        seed_vocabularies(db.session)
        user = create_user(db.session, "bench@example.org", "ein-langes-passwort", Role.COORDINATOR, "Bench")
        db.session.commit()

        def timed(label: str, step):
            start = time.perf_counter()
            result = step()
            print(f"  {label:<28} {time.perf_counter() - start:6.2f} s")
            return result

        def one_round(title: str) -> None:
            print(title)
            batch = timed("upload (read, auto mapping)", lambda: batches.create_batch(
                db.session, user_id=user.id, target=ImportTarget.ACTORS, filename="schulen.csv", data=data))
            db.session.commit()
            report = timed("preview", lambda: engine.run(db.session, batch, write=False))
            assert report.ok, [p.text() for p in report.problems[:5]]

            def dry():
                result = batches.dry_run(db.session, batch)
                db.session.rollback()
                return result

            report = timed("dry run (rolled back)", dry)

            def real():
                result = batches.commit(db.session, batch)
                db.session.commit()
                return result

            report = timed("import (one transaction)", real)
            print(f"  -> {report.summary()}")

        one_round("first import")
        one_round("re-import of the same file")
        actors = db.session.scalar(select(func.count()).select_from(Actor))
        audits = db.session.scalar(select(func.count()).select_from(AuditEntry))
        print(f"actors: {actors}, audit entries: {audits}")
        db.engine.dispose()


if __name__ == "__main__":
    main()
