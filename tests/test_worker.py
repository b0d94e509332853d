"""The background worker process: it delivers the outbox over real SMTP, beats in the database so
every app server knows it is alive, and says goodbye when it stops (``flask crm worker``)."""
from __future__ import annotations

from datetime import timedelta

from crm.extensions import db
from crm.models import MessageState, OutboxMessage, WorkerHeartbeat
from crm.models.base import utcnow
from crm.services.mail import outbox
from crm.services.system import heartbeat
from crm.worker import BackgroundWorker, Task
from tests.smtp import smtp_server


def test_worker_delivers_beats_and_leaves_no_heartbeat_behind(app) -> None:
    with app.app_context():
        outbox.queue(db.session, recipient="anna@schule.example", subject="Grüße", body_text="Hallo",
                     category="test")
        db.session.commit()
        assert not heartbeat.is_running(db.session, "outbox")
        with smtp_server() as server:
            app.extensions["mail"].port = server.port
            app.config["MAIL_PORT"] = server.port
            mail = outbox.Worker(db.session, "test:1")
            loops = {"n": 0}
            seen_alive: list[bool] = []

            def step() -> bool:
                seen_alive.append(heartbeat.is_running(db.session, "outbox"))
                return mail.run_batch().claimed > 0

            def stop() -> bool:
                loops["n"] += 1
                return loops["n"] > 6

            worker = BackgroundWorker(db.session, "test:1", [Task("outbox", step)], interval=0.01,
                                      should_stop=stop, sleep=lambda seconds: None)
            worker.run_forever()
            [received] = server.wait_for(1)
        assert received.rcpt_tos == ["anna@schule.example"]
        assert db.session.scalars(db.select(OutboxMessage.state)).all() == [MessageState.SENT]
        assert seen_alive and all(seen_alive)  # the heartbeat was in the database while it worked
        assert db.session.get(WorkerHeartbeat, "test:1") is None  # a clean stop removes it
        assert not heartbeat.is_running(db.session, "outbox")


def test_a_silent_worker_counts_as_stopped_after_two_minutes(app) -> None:
    with app.app_context():
        now = utcnow()
        heartbeat.beat(db.session, "host:42", ["outbox"], now=now - timedelta(minutes=1))
        db.session.commit()
        assert heartbeat.is_running(db.session, "outbox", now=now)
        assert not heartbeat.is_running(db.session, "analysis", now=now)  # another task
        assert not heartbeat.is_running(db.session, "outbox", now=now + timedelta(minutes=2))


def test_a_failing_task_does_not_stop_the_others(app) -> None:
    done: list[str] = []

    def broken() -> bool:
        raise RuntimeError("kaputt")

    with app.app_context():
        worker = BackgroundWorker(db.session, "test:2",
                                  [Task("a", broken), Task("b", lambda: done.append("b") or False)])
        assert worker.run_once() is False
    assert done == ["b"]
