"""The background worker: one process that runs the app's periodic tasks and reports a heartbeat.

Requests never do slow or unreliable work themselves (DESIGN.md, rule 8): mail goes to the
outbox and is delivered here, and computed views are computed here. A task is a function that
does one small unit of work and says whether there may be more; the loop runs every task in
turn, beats, and sleeps only when no task found anything to do. ``make run`` starts one worker
beside the development server; production runs one or more (``flask crm worker``) under systemd.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from crm.services.system import heartbeat

log = logging.getLogger(__name__)


@dataclass
class Task:
    """One kind of background work. ``step`` does a bounded amount and returns True if it did
    something (so the loop comes back at once instead of sleeping)."""

    name: str
    step: Callable[[], bool]


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
