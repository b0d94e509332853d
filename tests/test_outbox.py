"""The outbox against a real SMTP server (aiosmtpd on 127.0.0.1): delivery, German text and a
parseable .ics, outages, retries with back-off, giving up, timeouts, killed workers, and two
workers at once on whichever database this pass runs (PostgreSQL: SKIP LOCKED; SQLite: the
conditional UPDATE under BEGIN IMMEDIATE)."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import DeliveryAttempt, Event, MessageState, OutboxMessage, Role
from crm.services.mail import outbox
from tests import factories_events as f
from tests.conftest import make_app
from tests.smtp import Recorder, free_port, silent_server, smtp_server


def _queue(count: int, prefix: str = "gast") -> None:
    for number in range(count):
        outbox.queue(db.session, recipient=f"{prefix}{number}@schule.example", subject=f"Nachricht {number} – Grüße",
                     body_text=f"Guten Tag {number},\nschöne Grüße aus dem Bildungsbüro.", category="test")
    db.session.commit()


def _states() -> dict[str, int]:
    return {state.value: number for state, number in outbox.counts(db.session).items()}


def _use_port(app, port: int) -> None:
    app.extensions["mail"].port = port
    app.config["MAIL_PORT"] = port


def test_invitation_mail_arrives_with_german_text_and_calendar(app, login_as) -> None:
    """An organiser sends through the web page; the worker delivers; a mail program would see this."""
    client = login_as(Role.ORGANISER)
    with app.app_context():
        school = f.actor("Grundschule Olewig", kind="Grundschule")
        anna = f.person("Muster", "Anna", email="anna.muster@schule.example", at=school, title="Dr.")
        ev = f.event("Bildungskonferenz Trier 2026", hours=(9, 16), capacity=150)
        f.invite(ev, anna)
        db.session.commit()
        event_id, uid = ev.id, ev.uid
        local_start = ev.starts_at.astimezone(f.event_service.BERLIN).replace(tzinfo=None)
    response = client.post_form(f"/veranstaltungen/{event_id}/versenden")
    assert response.status_code == 302
    with app.app_context():
        assert _states() == {"queued": 1, "sending": 0, "sent": 0, "failed": 0}
        with smtp_server() as server:
            _use_port(app, server.port)
            report = f.worker("w1").run_until_idle()
            assert report.sent == 1
            [mail] = server.wait_for(1)
        assert _states()["sent"] == 1
    assert mail.rcpt_tos == ["anna.muster@schule.example"]
    assert mail.subject.startswith("Einladung: Bildungskonferenz Trier 2026 am ")
    text = mail.text
    assert "Sehr geehrte Frau Dr. Muster" in text
    assert "Bitte sagen Sie uns über Ihren persönlichen Link zu oder ab" in text
    assert len(f.answer_links(text)) == 1
    assert f.OPT_OUT_RE.search(text), "every mail carries the opt-out link"
    assert mail.message["List-Unsubscribe"].startswith("<http://localhost/einwilligung/widerruf/")
    # Raw on the wire: RFC 2369 allows no encoded words there (else no "Abbestellen" in Gmail/Outlook).
    assert b"\r\nList-Unsubscribe: <http://localhost/einwilligung/widerruf/" in mail.raw
    assert b"=?utf-8?q?=3Chttp" not in mail.raw
    assert b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in mail.raw
    assert mail.message["Reply-To"] == "otto@bildungsbuero.example"
    # The calendar: text/calendar; method=REQUEST in the alternative, and an .ics attachment.
    [part] = mail.calendar_parts()
    assert part.get_param("method") == "REQUEST"
    assert any(a.get_filename() == "einladung.ics" for a in mail.attachments())
    calendar = icalendar.Calendar.from_ical(mail.calendar)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Berlin"
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == uid
    assert int(vevent["SEQUENCE"]) == 0
    start = vevent.decoded("DTSTART")
    assert start.replace(tzinfo=None) == local_start and str(start.tzinfo) in ("Europe/Berlin", "CET", "CEST")
    assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert str(vevent["ORGANIZER"]).lower() == "mailto:otto@bildungsbuero.example"
    assert str(vevent["ATTENDEE"]).lower() == "mailto:anna.muster@schule.example"
    assert str(vevent["SUMMARY"]) == "Bildungskonferenz Trier 2026"
    assert "Rathaus Trier, Großer Saal" == str(vevent["LOCATION"])


def test_smtp_down_then_up_every_message_delivered_exactly_once(app) -> None:
    port = free_port()  # nothing listens here yet: the mail server is down
    _use_port(app, port)
    clock = f.clock()
    with app.app_context():
        _queue(6)
        worker = f.worker("w1", clock, retry_base=60)
        report = worker.run_until_idle()
        assert (report.sent, report.retried) == (0, 6)
        assert _states() == {"queued": 6, "sending": 0, "sent": 0, "failed": 0}
        failures = db.session.scalars(select(DeliveryAttempt)).all()
        assert len(failures) == 6 and not any(a.is_success for a in failures)
        assert all("Connection" in a.error or "refused" in a.error.lower() for a in failures)
        # Back-off: nothing is due right away, so a second run does not hammer the server.
        assert worker.run_until_idle().claimed == 0
        clock.advance(seconds=59)
        assert worker.run_until_idle().claimed == 0
        with smtp_server(port=port) as server:
            clock.advance(seconds=2)
            report = worker.run_until_idle()
            assert report.sent == 6
            received = server.wait_for(6)
            clock.advance(hours=5)
            assert worker.run_until_idle().claimed == 0
        assert len(received) == 6
        assert len({m.message_id for m in received}) == 6
        assert sorted(r for m in received for r in m.rcpt_tos) == sorted(f"gast{i}@schule.example" for i in range(6))
        assert _states()["sent"] == 6
        messages = db.session.scalars(select(OutboxMessage)).all()
        assert all(m.attempt_count == 2 and len(m.attempts) == 2 and m.attempts[-1].is_success for m in messages)


def test_gives_up_after_the_last_attempt_and_the_organiser_can_retry(app, login_as) -> None:
    _use_port(app, free_port())
    clock = f.clock()
    with app.app_context():
        _queue(1)
        worker = f.worker("w1", clock, max_attempts=3, retry_base=10)
        delays = []
        for _round in range(3):
            worker.run_until_idle()
            message = db.session.scalars(select(OutboxMessage)).one()
            delays.append(round((message.next_attempt_at - clock()).total_seconds()))
            clock.advance(hours=1)
        db.session.refresh(message)
        assert message.state == MessageState.FAILED
        assert delays[:2] == [10, 20]  # exponential back-off, then no further try
        assert len(message.attempts) == 3
        message_id = message.id
    client = login_as(Role.ORGANISER)
    page = client.get("/veranstaltungen/postausgang?status=failed").get_data(as_text=True)
    assert "gast0@schule.example" in page and "fehlgeschlagen" in page
    assert client.post_form(f"/veranstaltungen/postausgang/{message_id}/erneut",
                            {"next": "//evil.example/"}).headers["Location"] == "/veranstaltungen/postausgang"
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        assert message.state == MessageState.QUEUED and message.attempt_count == 0


def test_permanent_refusal_fails_at_once() -> None:
    import smtplib

    assert outbox.is_permanent(smtplib.SMTPRecipientsRefused({"x@y.example": (550, b"no such user")}))
    assert not outbox.is_permanent(smtplib.SMTPRecipientsRefused({"x@y.example": (451, b"try later")}))
    assert not outbox.is_permanent(ConnectionRefusedError())
    assert not outbox.is_permanent(smtplib.SMTPAuthenticationError(535, b"bad password"))


def test_a_silent_server_runs_into_the_timeout_instead_of_hanging(database_url, _migrated) -> None:
    app = make_app(database_url, MAIL_TIMEOUT=1)
    try:
        with silent_server() as port, app.app_context():
            _use_port(app, port)
            _queue(2)
            report = f.worker("w1").run_until_idle()
            assert report.retried == 2
            errors = [a.error for a in db.session.scalars(select(DeliveryAttempt))]
            assert len(errors) == 2 and all("timed out" in e.lower() or "timeout" in e.lower() for e in errors)
    finally:
        with app.app_context():
            db.session.execute(DeliveryAttempt.__table__.delete())
            db.session.execute(OutboxMessage.__table__.delete())
            db.session.commit()
            db.session.remove()
            db.engine.dispose()


def test_a_killed_workers_messages_go_back_to_the_queue(app) -> None:
    clock = f.clock()
    with app.app_context(), smtp_server() as server:
        _use_port(app, server.port)
        _queue(4)
        dead = f.worker("dead", clock, batch=10)
        claimed = dead.claim()  # ... and the process is killed before it sends anything
        assert len(claimed) == 4 and _states()["sending"] == 4
        alive = f.worker("alive", clock, batch=10)
        assert alive.run_until_idle().claimed == 0  # the claims are still valid
        clock.advance(seconds=dead.lease.total_seconds() + 1)
        report = alive.run_until_idle()
        assert (report.released, report.sent) == (4, 4)
        received = server.wait_for(4)
        assert len(received) == 4 and len({m.message_id for m in received}) == 4
        notes = [a.error for a in db.session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.worker == "dead"))]
        assert len(notes) == 4 and all("Keine Rückmeldung" in n for n in notes)


def test_two_workers_at_once_never_send_a_message_twice(app, database_url) -> None:
    """Runs in both passes: on PostgreSQL the claim uses FOR UPDATE SKIP LOCKED, on SQLite the
    conditional UPDATE in a BEGIN IMMEDIATE transaction. Each worker has its own connection."""
    total = 60
    with app.app_context():
        _queue(total)
        dialect = db.engine.dialect.name
    assert dialect == ("postgresql" if database_url.startswith("postgresql") else "sqlite")
    with smtp_server(delay=0.005) as server:
        _use_port(app, server.port)
        start = threading.Barrier(2)
        reports: dict[str, outbox.Report] = {}
        errors: list[BaseException] = []

        def run(name: str) -> None:
            try:
                with app.app_context():
                    worker = f.worker(name, batch=4)
                    assert worker.is_postgres == (dialect == "postgresql")
                    start.wait(timeout=10)
                    reports[name] = worker.run_until_idle()
                    db.session.remove()
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=run, args=(name,)) for name in ("links", "rechts")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        received = server.wait_for(total)
    assert len(received) == total
    assert len({m.message_id for m in received}) == total
    assert sorted(r for m in received for r in m.rcpt_tos) == sorted(f"gast{i}@schule.example" for i in range(total))
    assert reports["links"].sent + reports["rechts"].sent == total
    assert reports["links"].sent > 0 and reports["rechts"].sent > 0, reports  # they really worked side by side
    with app.app_context():
        assert _states()["sent"] == total
        successes = db.session.scalar(select(func.count()).select_from(DeliveryAttempt)
                                      .where(DeliveryAttempt.is_success.is_(True)))
        assert successes == total


def test_cli_outbox_once_delivers(app) -> None:
    with app.app_context():
        _queue(2)
    with smtp_server() as server:
        _use_port(app, server.port)
        result = app.test_cli_runner().invoke(args=["crm", "outbox", "--once", "--worker-name", "cli-test",
                                                    "--batch", "1"])
        assert result.exit_code == 0, result.output
        assert "2 gesendet" in result.output
        assert len(server.wait_for(2)) == 2
    with app.app_context():
        workers = set(db.session.scalars(select(DeliveryAttempt.worker)))
        assert workers == {"cli-test"}


def test_suppress_send_is_explicit_in_the_configuration(app) -> None:
    """flask-mail would suppress mail whenever app.testing; our config says False, so tests send for real."""
    assert app.testing and app.config["MAIL_SUPPRESS_SEND"] is False
    assert app.extensions["mail"].suppress is False


def test_a_sender_with_a_display_name_gives_bare_addresses_to_calendars_and_guests(app, client) -> None:
    """MAIL_DEFAULT_SENDER "Bildungsbüro Trier <…>" once gave ``ORGANIZER;CN=…:mailto:Bildungsbüro Trier <…>``."""
    from crm.models import Invitation
    from crm.models.base import utcnow
    from crm.services.events import invitations, rsvp_tokens

    app.config["MAIL_DEFAULT_SENDER"] = "Bildungsbüro Trier <bildungsbuero@trier.example>"
    app.config["BILDUNGSNETZ_ORGANISATION"] = "Bildungsbüro der Stadt Trier"
    with app.app_context():
        school = f.actor("Grundschule Olewig", kind="Grundschule")
        anna = f.person("Muster", "Anna", email="anna.muster@schule.example", at=school)
        ev = f.event("Bildungsgespräch 1/2027", contact_name="", contact_email="")
        f.invite(ev, anna)
        invitations.send_invitations(db.session, ev)
        db.session.commit()
        [invitation] = db.session.scalars(select(Invitation)).all()
        token = rsvp_tokens.make_token(invitation)
        event_id = ev.id
        with smtp_server() as server:
            _use_port(app, server.port)
            assert f.worker("w1").run_until_idle().sent == 1
            [mail] = server.wait_for(1)
    vevent = icalendar.Calendar.from_ical(mail.calendar).walk("VEVENT")[0]
    assert str(vevent["ORGANIZER"]) == "mailto:bildungsbuero@trier.example"
    assert vevent["ORGANIZER"].params["CN"] == "Bildungsbüro der Stadt Trier"
    unfolded = mail.calendar.replace("\r\n ", "")
    assert 'ORGANIZER;CN="Bildungsbüro der Stadt Trier":mailto:bildungsbuero@trier.example\r\n' in unfolded
    assert mail.message["Reply-To"] == "bildungsbuero@trier.example"
    assert mail.message["From"].addresses[0].addr_spec == "bildungsbuero@trier.example"
    assert mail.message["From"].addresses[0].display_name == "Bildungsbüro Trier"
    assert "bildungsbuero@trier.example" in mail.text and "<bildungsbuero@trier.example>" not in mail.text
    # The guest's pages name the address in a working mailto link.
    page = client.get(f"/antwort/{token}").get_data(as_text=True)
    assert "Fragen: Bildungsbüro der Stadt Trier, bildungsbuero@trier.example" in page
    with app.app_context():
        db.session.get(Event, event_id).answer_deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()
    page = client.get(f"/antwort/{token}").get_data(as_text=True)
    assert 'href="mailto:bildungsbuero@trier.example"' in page and "&lt;bildungsbuero" not in page


# --- after a crash: a short lease, one Message-ID per message -----------------------------------

class _HoldSecond(Recorder):
    """Records every message; the second one is recorded and then held (no reply) until released,
    as a server that has the message while the worker still waits for its "250"."""

    def __init__(self) -> None:
        super().__init__()
        self.second_arrived = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if len(self.received) == 2:
            self.second_arrived.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
        return reply


class _RefuseFirst(Recorder):
    """Answers the first message with a temporary refusal (451) and accepts the rest."""

    async def handle_DATA(self, server, session, envelope):
        await super().handle_DATA(server, session, envelope)
        if len(self.received) == 1:
            return "451 4.3.0 Bitte später noch einmal"
        return "250 Message accepted for delivery"


def test_a_killed_worker_process_batch_is_taken_over_within_minutes_with_the_same_message_ids(
        app, database_url) -> None:
    """``flask crm worker`` in its own process, killed with SIGKILL while the SMTP server holds the
    second message of its batch: the batch is taken over after one short lease, and the message
    the server already had arrives a second time with the same Message-ID (at-least-once)."""
    with app.app_context():
        _queue(5)
        stored_ids = dict(db.session.execute(select(OutboxMessage.recipient, OutboxMessage.message_id)).all())
    assert len(set(stored_ids.values())) == 5 and all(v.startswith("<") for v in stored_ids.values())
    recorder = _HoldSecond()
    with smtp_server(recorder=recorder) as server:
        env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="test-secret-key", MAIL_SERVER=server.host,
                   MAIL_PORT=str(server.port), MAIL_BACKEND="smtp", MAIL_TIMEOUT="30",
                   BILDUNGSNETZ_BASE_URL="http://localhost")
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "crm", "worker", "--interval", "0.2"]
        process = subprocess.Popen(command, cwd=Path(__file__).resolve().parents[1], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert recorder.second_arrived.wait(60), "the worker process never delivered"
            killed_at = datetime.now(UTC)
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.wait(timeout=30)
            recorder.release.set()
        _use_port(app, server.port)
        with app.app_context():
            rows = {m.recipient: m for m in db.session.scalars(select(OutboxMessage))}
            assert [m.state for m in rows.values()].count(MessageState.SENT) == 1
            stuck = [m for m in rows.values() if m.state == MessageState.SENDING]
            assert len(stuck) == 4 and {m.claimed_by for m in stuck} == {f"{socket.gethostname()}:{process.pid}"}
            # The dead worker's claim runs out within two minutes with the default settings ...
            assert all(m.claimed_until <= killed_at + timedelta(minutes=2) for m in stuck)
            deadline = max(m.claimed_until for m in stuck)
            taker = f.worker("nachfolger", lambda: deadline + timedelta(seconds=1))
            assert taker.lease <= timedelta(minutes=2)
            # ... and is not taken over before (no second sender while the first may be alive).
            assert f.worker("zu-frueh", lambda: killed_at).run_until_idle().claimed == 0
            report = taker.run_until_idle()
            assert (report.released, report.sent) == (4, 4)
            assert outbox.counts(db.session)[MessageState.SENT] == 5
        received = server.wait_for(6)
    assert len(received) == 6
    by_recipient: dict[str, list[str]] = {}
    for mail in received:
        by_recipient.setdefault(mail.rcpt_tos[0], []).append(mail.message_id)
    assert sorted(by_recipient) == sorted(stored_ids)
    assert sorted(len(ids) for ids in by_recipient.values()) == [1, 1, 1, 1, 2]
    for recipient, ids in by_recipient.items():
        assert set(ids) == {stored_ids[recipient]}, "every copy carries the id stored on the row"


def test_a_retried_message_keeps_its_message_id(app) -> None:
    clock = f.clock()
    with app.app_context(), smtp_server(recorder=_RefuseFirst()) as server:
        _use_port(app, server.port)
        _queue(1)
        [stored] = db.session.scalars(select(OutboxMessage.message_id)).all()
        worker = f.worker("w1", clock)
        assert worker.run_until_idle().retried == 1
        clock.advance(seconds=61)
        assert worker.run_until_idle().sent == 1
        first, second = server.wait_for(2)
    assert first.message_id == second.message_id == stored


def test_a_message_queued_before_ids_were_stored_gets_one_and_keeps_it(app) -> None:
    """Rows from before the migration have ''; the worker gives them an id once, before the first try."""
    clock = f.clock()
    with app.app_context(), smtp_server(recorder=_RefuseFirst()) as server:
        _use_port(app, server.port)
        _queue(1)
        db.session.execute(OutboxMessage.__table__.update().values(message_id=""))
        db.session.commit()
        worker = f.worker("w1", clock)
        worker.run_until_idle()
        stored = db.session.scalars(select(OutboxMessage.message_id)).one()
        assert stored.startswith("<outbox-")
        clock.advance(seconds=61)
        worker.run_until_idle()
        first, second = server.wait_for(2)
    assert first.message_id == second.message_id == stored


def test_the_lease_is_renewed_per_message_and_never_for_a_message_another_worker_took(app) -> None:
    clock = f.clock()
    with app.app_context():
        _queue(3)
        slow = f.worker("langsam", clock)
        assert slow.lease == timedelta(seconds=90)  # two SMTP timeouts of 30 s plus 30 s
        ids = slow.claim()
        messages = slow._load(ids)
        clock.advance(seconds=80)
        owned, until = slow._mark_sent(messages[0], clock(), [m.id for m in messages[1:]])
        assert owned == set(ids[1:]) and until == clock() + slow.lease  # renewed with the outcome
        clock.advance(seconds=80)  # 160 s after the claim, but only 80 s after the renewal
        other = f.worker("andere", clock)
        assert other.run_until_idle().claimed == 0
        clock.advance(seconds=11)
        assert other.release_expired() == 2
        assert other.claim() == ids[1:]
        owned, _until = slow._mark_sent(messages[1], clock(), [messages[2].id])
        assert owned == set(), "the slow worker does not send what the other one now holds"
