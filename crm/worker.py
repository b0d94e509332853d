"""The background worker: one process that runs the app's periodic tasks and reports a heartbeat.

Requests never do slow or unreliable work themselves (DESIGN.md, rule 8): mail goes to the
outbox and is delivered here (task ``outbox``), and analyses, maps, the dashboard and reports
are computed here and stored in the database (task ``analysis``,
``crm.services.computed.runner``). A task is a function that
does one small unit of work and says whether there may be more; the loop runs every task in
turn, beats, and sleeps only when no task found anything to do. ``make run`` starts one worker
beside the development server; production runs one or more (``flask crm worker``) under systemd,
for example one for mail and one for analyses (``--tasks outbox`` / ``--tasks analysis``), so that an
analysis of a Land that takes minutes does not hold back the mail (docs/deploy.md).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy.orm import Session

from crm.services.system import heartbeat

log = logging.getLogger(__name__)


@dataclass
class Task:
    """One kind of background work. ``step`` does a bounded amount and returns True if it did
    something (so the loop comes back at once instead of sleeping)."""

    name: str
    step: Callable[[], bool]


TASKS = ("outbox", "analysis")


def build_tasks(app: Flask, session: Session, name: str, names: list[str],
                should_stop: Callable[[], bool] = lambda: False) -> list[Task]:
    """The tasks called ``names`` for worker ``name``, configured from the app's settings."""
    from crm.extensions import db
    from crm.services.computed.runner import ComputeRunner
    from crm.services.mail import outbox

    config = app.config
    tasks: list[Task] = []
    if "outbox" in names:
        mail = outbox.Worker(
            session, name, max_attempts=int(config.get("OUTBOX_MAX_ATTEMPTS") or outbox.DEFAULT_MAX_ATTEMPTS),
            retry_base=float(config.get("OUTBOX_RETRY_SECONDS") or outbox.DEFAULT_RETRY_BASE), should_stop=should_stop)
        from crm.services.surveys.sending import Sender

        links = Sender(session)

        def outbox_step() -> bool:
            # a survey round's personal links are written into the outbox here, a batch at a time, and
            # delivered by the same loop at the outbox's rate
            queued = links.step()
            return mail.run_batch().claimed > 0 or queued

        tasks.append(Task("outbox", outbox_step))
        # Once a year the outbox asks providers to confirm their offers (crm.services.offers.provider_links):
        # part of the mail work, checked hourly, so every installation that sends mail also asks.
        from crm.services.offers.provider_links import ConfirmationTask

        confirmations = ConfirmationTask(session,
                                         interval=float(config.get("PROVIDER_CONFIRMATION_CHECK_SECONDS", 3600)))
        tasks.append(Task("confirmations", confirmations.step))
    if "analysis" in names:
        def beat_aside() -> None:  # from the heartbeat thread while a long computation runs
            with app.app_context(), Session(db.engine) as own:
                heartbeat.beat(own, name, names)
                own.commit()

        compute = ComputeRunner(session, name, debounce=float(config.get("COMPUTE_DEBOUNCE_SECONDS", 15)),
                                keep_days=int(config.get("COMPUTE_KEEP_DAYS", 14)), beat=beat_aside)
        tasks.append(Task("analysis", compute.step))
    return tasks


@dataclass
class BackgroundWorker:
    session: Session
    name: str
    tasks: list[Task]
    interval: float = 5.0
    should_stop: Callable[[], bool] = field(default=lambda: False)
    sleep: Callable[[float], None] = time.sleep

    def beat(self) -> None:
        try:
            heartbeat.beat(self.session, self.name, [task.name for task in self.tasks])
            self.session.commit()
        except Exception:  # the database may be restarting; the next loop beats again
            log.exception("Heartbeat failed")
            self.session.rollback()

    def run_once(self) -> bool:
        """Every task once; True if any of them did work."""
        busy = False
        for task in self.tasks:
            if self.should_stop():
                break
            try:
                busy = task.step() or busy
            except Exception:  # one failing task must not stop the others
                log.exception("Task %s failed; retrying in %s s", task.name, self.interval)
                self.session.rollback()
        return busy

    def run_forever(self) -> None:
        try:
            while not self.should_stop():
                self.beat()
                if self.run_once():
                    continue
                waited = 0.0
                while waited < self.interval and not self.should_stop():
                    self.sleep(min(0.5, self.interval - waited))
                    waited += 0.5
        finally:
            try:
                heartbeat.stop(self.session, self.name)
                self.session.commit()
            except Exception:
                log.exception("Could not remove the heartbeat of %s", self.name)
                self.session.rollback()
