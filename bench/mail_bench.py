"""How long it takes to queue and to deliver 1,000 invitations to a local SMTP server.

Run: ``.venv/bin/python bench/mail_bench.py`` (SQLite in a temporary file), or with
``BENCH_DATABASE_URL=postgresql+psycopg://…/db`` against an empty PostgreSQL database.
``BENCH_INVITATIONS`` changes the number, ``BENCH_WORKERS`` runs that many workers side by side.

What is measured, through the same services the pages and ``flask crm outbox`` use:

* building the list: 1,000 persons at 100 actors through the list builder (preview and add);
* queueing: "Einladungen versenden" — for each invitation the personal answer link, the German
  text, the .ics file and the opt-out headers, written to the outbox — and the one commit;
* delivering: worker(s) claiming batches of 50 and sending over one SMTP connection per batch to
  aiosmtpd on 127.0.0.1, each message marked ``sent`` in its own commit. The SMTP server runs in
  a process of its own (in-process it would compete with the worker for the GIL and halve the rate).

Prints the figures and records them in ``bench/results/mail.json``, one entry per database and
number of workers (``sqlite-1``, ``postgresql-2`` …), so runs on both databases sit side by side.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

COUNT = int(os.environ.get("BENCH_INVITATIONS", "1000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))
BATCH = 50
RESULTS = Path(__file__).resolve().parent / "results" / "mail.json"


SINK = """
import sys, time
from aiosmtpd.controller import Controller

class Sink:
    async def handle_DATA(self, server, session, envelope):
        for line in envelope.content.split(b"\\r\\n"):
            if line.lower().startswith(b"message-id:"):
                with open(sys.argv[2], "ab") as out:
                    out.write(line.split(b":", 1)[1].strip() + b"\\n")
                break
        return "250 OK"

controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
"""


@contextmanager
def _smtp_process():
    """aiosmtpd in a child process; yields the port and a function returning the Message-IDs received."""
    from tests.smtp import free_port

    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="bn-mail-sink-")) / "ids.txt"
    log.touch()
    child = subprocess.Popen([sys.executable, "-c", SINK, str(port), str(log)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"

        def received(expected: int, timeout: float = 30.0) -> list[str]:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                ids = log.read_text().split()
                if len(ids) >= expected:
                    break
                time.sleep(0.05)
            return log.read_text().split()

        yield port, received
    finally:
        if child.stdin is not None:
            child.stdin.close()
        child.wait(timeout=10)


def _record(key: str, run: dict) -> None:
    """Merge this run into ``bench/results/mail.json`` (other databases' runs are kept)."""
    try:
        results = json.loads(RESULTS.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        results = {}
    results.update({"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count()})
    results.setdefault("runs", {})[key] = run
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"written to {RESULTS.relative_to(RESULTS.parents[2])} ({key})")


def main() -> None:
    from datetime import date, timedelta
    from datetime import time as clock_time

    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from crm import create_app
    from crm.extensions import db
    from crm.models import Actor, ActorKind, Affiliation, EventKind, OutboxMessage, Person
    from crm.services.events import events, invitation_lists, invitations
    from crm.services.landscape.vocabularies import seed_vocabularies
    from crm.services.mail import outbox

    load_start = os.getloadavg()
    workdir = tempfile.mkdtemp(prefix="bn-mail-bench-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite3"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True, "MAIL_SUPPRESS_SEND": False,
                      "MAIL_SERVER": "127.0.0.1", "BILDUNGSNETZ_BASE_URL": "https://bildungsnetz.trier.example"})
    database = url.split(":")[0].split("+")[0]
    print(f"{COUNT} invitations, database {database}, {WORKERS} worker(s), batch {BATCH}")
    with app.app_context():
        upgrade(revision="heads")
        seed_vocabularies(db.session)
        kind = db.session.scalars(select(ActorKind).order_by(ActorKind.id)).first()
        actors = [Actor(name=f"Einrichtung {n:03d}", kind=kind) for n in range(max(COUNT // 10, 1))]
        db.session.add_all(actors)
        db.session.flush()
        for n in range(COUNT):
            person = Person(first_name="Vorname", last_name=f"Nachname{n:05d}", salutation="Frau" if n % 2 else "Herr",
                            email=f"person{n}@schule.example")
            person.affiliations.append(Affiliation(actor_id=actors[n % len(actors)].id, function="Leitung"))
            db.session.add(person)
        day = date.today() + timedelta(days=60)
        event = events.create_event(db.session, {
            "kind": db.session.scalars(select(EventKind)).first(), "title": "Bildungskonferenz Trier – Bench",
            "description": "Messung", "starts_at": events.local_to_utc(day, clock_time(9)),
            "ends_at": events.local_to_utc(day, clock_time(16)), "place": "Europahalle Trier", "online_url": "",
            "capacity": None, "answer_deadline": None, "initiative": None, "topics": [], "contact_name": "Bench",
            "contact_email": "bench@trier.example"})
        db.session.commit()

        started = time.perf_counter()
        added = invitation_lists.add_to_list(db.session, event, invitation_lists.ListFilter())
        db.session.commit()
        listed = time.perf_counter() - started
        assert added == COUNT, added

        started = time.perf_counter()
        result = invitations.send_invitations(db.session, event)
        db.session.commit()
        queued = time.perf_counter() - started
        assert result.queued == COUNT, result
        size = db.session.scalar(select(func.sum(func.length(OutboxMessage.body_text)))) or 0
        print(f"list builder (preview + add {COUNT}): {listed:6.2f} s")
        print(f"queue {COUNT} invitations (text, link, .ics, commit): {queued:6.2f} s "
              f"({COUNT / queued:,.0f} per second; {size / COUNT / 1024:.1f} KB text per mail)")
        db.session.remove()

    with _smtp_process() as (port, received_ids):
        app.extensions["mail"].port = port
        reports: list[outbox.Report] = []

        def run(name: str) -> None:
            with app.app_context():
                reports.append(outbox.Worker(db.session, name, batch=BATCH).run_until_idle())
                db.session.remove()

        started = time.perf_counter()
        threads = [threading.Thread(target=run, args=(f"bench-{n}",)) for n in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        delivered = time.perf_counter() - started
        received = received_ids(COUNT)
    sent = sum(r.sent for r in reports)
    unique = len(set(received))
    print(f"deliver {sent} to aiosmtpd on 127.0.0.1: {delivered:6.2f} s ({sent / delivered:,.0f} per second); "
          f"received {len(received)}, distinct Message-IDs {unique}")
    exactly_once = sent == COUNT and unique == COUNT and len(received) == COUNT
    _record(f"{database}-{WORKERS}", {
        "database": database, "workers": WORKERS, "batch": BATCH, "invitations": COUNT,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "list_seconds": round(listed, 3), "queue_seconds": round(queued, 3),
        "queue_per_second": round(COUNT / queued, 1), "deliver_seconds": round(delivered, 3),
        "deliver_per_second": round(sent / delivered, 1), "text_kb_per_mail": round(size / COUNT / 1024, 2),
        "sent": sent, "received": len(received), "distinct_message_ids": unique, "exactly_once": exactly_once,
        "load_average_start": load_start, "load_average_end": os.getloadavg()})
    if not exactly_once:
        raise SystemExit("not every invitation was delivered exactly once")


if __name__ == "__main__":
    main()
