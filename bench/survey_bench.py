"""A network survey round to 5,000 actors: choosing the recipients, queueing the personal links,
delivering them, and how fast the answer page answers at that size.

Run: ``.venv/bin/python bench/survey_bench.py`` (SQLite in a temporary file), or with
``BENCH_DATABASE_URL=postgresql+psycopg://…/db`` against an empty PostgreSQL database.
``BENCH_ACTORS`` changes the number (default 5,000), ``BENCH_SAMPLES`` the page requests (default 200).

What is measured, through the same services and pages the coordinator and the contacts use:

* adding 5,000 actors as recipients (the contact person of each, consent checked in bulk);
* "Links senden", the request (POST ``/befragungen/<id>/versenden`` as a coordinator, through the
  Flask test client): it only records the intent and answers with the progress page;
* the worker queueing all links (``crm.services.surveys.sending.Sender``, as the task "outbox" of
  ``flask crm worker`` runs it): for each recipient the signed link, the German text and the opt-out
  headers, written to the outbox in batches of 250, one commit per batch;
* delivering: one outbox worker, batches of 50, to aiosmtpd on 127.0.0.1 in a process of its own;
* the answer page through the Flask test client (no network): GET (open the link), the autocomplete
  (``/vorschlaege?q=…`` over the 5,000-actor roster) and POST (save three partners, resolved
  against the roster): median and 95th percentile.

Prints the figures and records them in ``bench/results/survey.json``.
"""
from __future__ import annotations

import json
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.mail_bench import _smtp_process

COUNT = int(os.environ.get("BENCH_ACTORS", "5000"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "200"))
RESULTS = Path(__file__).resolve().parent / "results" / "survey.json"
WORDS = ["Grundschule", "Kita", "Realschule", "Gymnasium", "Verein", "Bibliothek", "Jugendtreff", "Musikschule"]


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return {"median_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1)}


def main() -> None:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from crm import create_app
    from crm.extensions import db
    from crm.models import Actor, ActorKind, Affiliation, Area, Person, Role, SurveyRecipient, SurveyRound
    from crm.services.accounts.users import create_user
    from crm.services.landscape.vocabularies import seed_vocabularies
    from crm.services.mail import outbox
    from crm.services.surveys import rounds, tokens
    from crm.services.surveys.sending import Sender

    load_start = os.getloadavg()
    workdir = tempfile.mkdtemp(prefix="bn-survey-bench-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite3"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True, "MAIL_SUPPRESS_SEND": False,
                      "MAIL_SERVER": "127.0.0.1", "BILDUNGSNETZ_BASE_URL": "https://bildungsnetz.trier.example",
                      "WTF_CSRF_ENABLED": False})
    database = url.split(":")[0].split("+")[0]
    rng = random.Random(15)
    print(f"survey round to {COUNT} actors, database {database}")
    with app.app_context():
        upgrade(revision="heads")
        seed_vocabularies(db.session)
        # organisations only: the answer page's roster leaves individuals out (they are not named outside)
        kinds = list(db.session.scalars(select(ActorKind).where(ActorKind.is_individual.is_(False))
                                        .order_by(ActorKind.id)))
        areas = [Area(name=f"Stadtteil {n:02d}") for n in range(20)]
        db.session.add_all(areas)
        actors = [Actor(name=f"{rng.choice(WORDS)} {n:05d}", kind=rng.choice(kinds), area=rng.choice(areas))
                  for n in range(COUNT)]
        db.session.add_all(actors)
        db.session.flush()
        for n, actor in enumerate(actors):
            person = Person(first_name="Vorname", last_name=f"Nachname{n:05d}", salutation="Frau" if n % 2 else "Herr",
                            email=f"kontakt{n}@einrichtung.example")
            person.affiliations.append(Affiliation(actor_id=actor.id, function="Leitung"))
            db.session.add(person)
        survey = rounds.create_round(db.session, {"title": "Netzwerkbefragung Bench",
                                                  "questions": ["partners", "frequency", "topics", "free_text"]})
        db.session.commit()
        survey_id = survey.id
        actor_ids = [a.id for a in actors]
        names = [a.name for a in actors]

        started = time.perf_counter()
        added = rounds.add_recipients(db.session, survey, actor_ids)
        db.session.commit()
        add_seconds = time.perf_counter() - started
        assert added.added == COUNT, added

        create_user(db.session, "coordinator@bench.example", "richtig-langes-passwort", Role.COORDINATOR, "Bench")
        db.session.commit()
        db.session.remove()

    coordinator = app.test_client()
    assert coordinator.post("/anmelden", data={"email": "coordinator@bench.example",
                                               "password": "richtig-langes-passwort"}).status_code == 302
    started = time.perf_counter()
    sent = coordinator.post(f"/befragungen/{survey_id}/versenden")
    request_seconds = time.perf_counter() - started
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/versand"), sent.status_code
    started = time.perf_counter()
    progress = coordinator.get(f"/befragungen/{survey_id}/versand")
    progress_seconds = time.perf_counter() - started
    assert progress.status_code == 202, progress.status_code

    with app.app_context():
        started = time.perf_counter()
        sender = Sender(db.session)
        sender.run_until_idle()
        queue_seconds = time.perf_counter() - started
        assert sender.queued == COUNT, sender.queued
        assert db.session.get_one(SurveyRound, survey_id).send_requested_at is None
        print(f"add {COUNT} recipients: {add_seconds:6.2f} s")
        print(f"request \"Links senden\" (records the intent, 303): {request_seconds * 1000:7.1f} ms; "
              f"progress page (202): {progress_seconds * 1000:7.1f} ms")
        print(f"worker queues {COUNT} links (token, text, opt-out headers; a commit per 250): {queue_seconds:6.2f} s "
              f"({COUNT / queue_seconds:,.0f} per second)")
        paths = [tokens.answer_url(r).split("://", 1)[1].split("/", 1)[1] for r in db.session.scalars(
            select(SurveyRecipient).where(SurveyRecipient.round_id == survey_id).order_by(SurveyRecipient.id))]
        db.session.commit()
        db.session.remove()

    with _smtp_process() as (port, received_ids):
        app.extensions["mail"].port = port
        started = time.perf_counter()
        with app.app_context():
            report = outbox.Worker(db.session, "survey-bench", batch=50).run_until_idle()
            db.session.remove()
        deliver_seconds = time.perf_counter() - started
        received = received_ids(COUNT, timeout=60)
    print(f"deliver {report.sent} to aiosmtpd: {deliver_seconds:6.2f} s ({report.sent / deliver_seconds:,.0f} per "
          f"second); received {len(received)}")

    client = app.test_client()
    sample = rng.sample(paths, min(SAMPLES, len(paths)))
    timings: dict[str, list[float]] = {"get": [], "suggest": [], "post": []}
    for path in sample:
        started = time.perf_counter()
        page = client.get(f"/{path}")
        timings["get"].append(time.perf_counter() - started)
        assert page.status_code == 200 and re.search("Mit wem arbeiten Sie zusammen", page.get_data(as_text=True))
        started = time.perf_counter()
        found = client.get(f"/{path}/vorschlaege?q={rng.choice(WORDS)[:5].lower()}")
        timings["suggest"].append(time.perf_counter() - started)
        assert found.status_code == 200 and found.get_json()
        partners = rng.sample(names, 3)
        data = {"rows": "3", "action": "save"}
        for i, name in enumerate(partners):
            data.update({f"partner-{i}": name, f"intensity-{i}": str(rng.randint(1, 3))})
        started = time.perf_counter()
        saved = client.post(f"/{path}", data=data)
        timings["post"].append(time.perf_counter() - started)
        assert saved.status_code == 303, (saved.status_code, re.findall(r"(?:alert|invalid-feedback)[^>]*>([^<]+)",
                                                                        saved.get_data(as_text=True)))
    figures = {name: _percentiles(values) for name, values in timings.items()}
    for name, label in (("get", "answer page GET"), ("suggest", "autocomplete"), ("post", "save 3 partners")):
        print(f"{label:>18}: median {figures[name]['median_ms']:7.1f} ms, p95 {figures[name]['p95_ms']:7.1f} ms "
              f"({len(sample)} requests, {COUNT} actors)")

    try:
        results = json.loads(RESULTS.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        results = {}
    results.update({"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count()})
    results.setdefault("runs", {})[database] = {
        "actors": COUNT, "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "add_seconds": round(add_seconds, 3), "send_request_ms": round(request_seconds * 1000, 1),
        "progress_page_ms": round(progress_seconds * 1000, 1), "queued_by": "worker (Sender, batches of 250)",
        "queue_seconds": round(queue_seconds, 3),
        "queue_per_second": round(COUNT / queue_seconds, 1), "deliver_seconds": round(deliver_seconds, 3),
        "deliver_per_second": round(report.sent / deliver_seconds, 1), "received": len(received),
        "answer_page": figures, "samples": len(sample),
        "load_average_start": load_start, "load_average_end": os.getloadavg()}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"written to {RESULTS.relative_to(RESULTS.parents[2])}")


if __name__ == "__main__":
    main()
