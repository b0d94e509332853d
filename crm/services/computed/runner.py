"""The worker's task "analysis": claim a due job, compute it, store it; keep read cuts current.

One step (``ComputeRunner.step``) does at most one job, so the background worker
(``crm.worker``) interleaves it with mail delivery. Each step also:

* **refreshes** after a change of the data, once the data have rested for
  ``COMPUTE_DEBOUNCE_SECONDS``, and after midnight: every cut that a page read within
  ``COMPUTE_KEEP_DAYS`` is queued for the new version, and the dashboard always is, so the
  start page of every viewer is ready before anyone asks;
* **recovers** jobs of a worker that died while computing (no heartbeat for ``STALE_RUNNING``);
* drops queued jobs that a newer data version has overtaken (the newer job replaces them).

Jobs are claimed with a conditional ``UPDATE … WHERE status = 'queued'`` so that two workers
never compute the same job; the claim is committed before the computation starts, and a
separate thread keeps the worker's heartbeat fresh while a long analysis runs.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from crm.models import ComputedResult, ComputeStatus, WorkerHeartbeat
from crm.models.base import utcnow
from crm.services.computed import store, versions
from crm.services.system import heartbeat

log = logging.getLogger(__name__)
R = ComputedResult
TASK = "analysis"
STALE_RUNNING = timedelta(minutes=10)
RECOVER_EVERY = 60.0          # seconds between checks for jobs of dead workers
DEFAULT_KEEP_DAYS = 14
# Computed after every change even when nobody has asked yet: the dashboard is the start page of
# every read-only user (the analysis of today and the default map come with it).
STANDING: tuple[tuple[str, dict[str, Any]], ...] = (("dashboard", {}),)


class ComputeRunner:
    def __init__(self, session: Session, name: str, *, debounce: float = store.DEFAULT_DEBOUNCE,
                 keep_days: int = DEFAULT_KEEP_DAYS, beat: Callable[[], None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.session = session
        self.name = name
        self.debounce = debounce
        self.keep_days = keep_days
        self.beat = beat
        self.clock = clock
        self.refreshed: tuple[int, date] | None = None
        self.last_recovery = -RECOVER_EVERY
        self.computed = 0

    # -------------------------------------------------------------- one step

    def step(self) -> bool:
        """Recover, refresh, then run one due job; True if a job ran (the loop comes back at once)."""
        if self.clock() - self.last_recovery >= RECOVER_EVERY:
            self.recover()
            self.last_recovery = self.clock()
        self.refresh()
        return self.run_one()

    def run_until_idle(self, limit: int = 1000) -> int:
        """Every due job (tests, ``flask crm worker --once``); returns how many ran."""
        ran = 0
        self.refresh()
        while ran < limit and self.run_one():
            ran += 1
        return ran

    # -------------------------------------------------------------- refresh and recovery

    def refresh(self, now: datetime | None = None) -> int:
        """After a change (once the data rested) or a new day: queue every cut read recently."""
        now = now or utcnow()
        version, changed_at = versions.state(self.session)
        day = store.today()
        if self.refreshed == (version, day):
            return 0
        if changed_at is not None and now - changed_at < timedelta(seconds=self.debounce):
            return 0
        latest = self.session.execute(
            select(R.kind, R.key, func.max(R.last_read_at), func.max(R.data_version), func.max(R.day))
            .group_by(R.kind, R.key)).all()
        wanted = {(kind, key) for kind, key, read, _, _ in latest if read >= now - timedelta(days=self.keep_days)}
        due = min(now, utcnow())   # the data have rested: due at once
        queued = 0
        for kind, key in sorted(wanted):
            if self._has_job(kind, key, version, day):
                continue
            params = self.session.scalar(select(R.params).where(R.kind == kind, R.key == key)
                                         .order_by(R.data_version.desc(), R.day.desc()).limit(1))
            store.insert_job(self.session, kind, key, params or {}, version, day, due)
            queued += 1
        for kind, params in STANDING:
            key = store.key_of(params)
            if (kind, key) not in wanted and not self._has_job(kind, key, version, day):
                store.insert_job(self.session, kind, key, params, version, day, due)
                queued += 1
        self.session.commit()
        self.refreshed = (version, day)
        if queued:
            log.info("Data version %s of %s: %s results queued", version, day, queued)
        return queued

    def _has_job(self, kind: str, key: str, version: int, day: date) -> bool:
        return self.session.scalar(select(R.id).where(R.kind == kind, R.key == key, R.data_version == version,
                                                      R.day == day)) is not None

    def recover(self, now: datetime | None = None) -> int:
        """Jobs claimed by a worker that stopped beating go back into the queue."""
        now = now or utcnow()
        running = self.session.execute(select(R.id, R.worker, R.started_at)
                                       .where(R.status == ComputeStatus.RUNNING)).all()
        if not running:
            return 0
        alive = {name for name, beat_at in self.session.execute(select(WorkerHeartbeat.name, WorkerHeartbeat.beat_at))
                 if beat_at >= now - STALE_RUNNING}
        lost = [row.id for row in running if row.worker not in alive and row.worker != self.name]
        if lost:
            self.session.execute(update(R).where(R.id.in_(lost), R.status == ComputeStatus.RUNNING)
                                 .values(status=ComputeStatus.QUEUED, worker="", started_at=None, due_at=now))
            log.warning("Requeued %s jobs of stopped workers", len(lost))
        self.session.commit()
        return len(lost)

    # -------------------------------------------------------------- jobs

    def _claim(self, now: datetime) -> Any | None:
        candidates = self.session.execute(
            select(R.id, R.kind, R.key, R.params, R.data_version, R.day)
            .where(R.status == ComputeStatus.QUEUED, R.due_at <= now).order_by(R.due_at, R.id).limit(10)).all()
        version, day = versions.current(self.session), store.today()
        for row in candidates:
            if (row.data_version, row.day) != (version, day):
                # overtaken by newer data: the job for the current data replaces it
                self.session.execute(delete(R).where(R.id == row.id, R.status == ComputeStatus.QUEUED))
                if not self._has_job(row.kind, row.key, version, day):
                    store.insert_job(self.session, row.kind, row.key, row.params, version, day, now)
                self.session.commit()
                continue
            claimed = cast("CursorResult[Any]", self.session.execute(
                update(R).where(R.id == row.id, R.status == ComputeStatus.QUEUED)
                .values(status=ComputeStatus.RUNNING, started_at=now, worker=self.name))).rowcount
            self.session.commit()
            if claimed == 1:
                return row
        return None

    def run_one(self) -> bool:
        now = utcnow()
        row = self._claim(now)
        if row is None:
            return False
        context = store.Context(row.data_version, row.day)
        started = time.perf_counter()
        try:
            with self._beating():
                computed = store.KINDS[row.kind](self.session, row.params, context)
                data, size = store.encode(computed.payload)
        except Exception as error:  # a failing cut must not stop the others; the page shows the message
            self.session.rollback()
            log.exception("Computing %s %s failed", row.kind, row.key[:8])
            self.session.execute(update(R).where(R.id == row.id).values(
                status=ComputeStatus.FAILED, computed_at=utcnow(), duration=time.perf_counter() - started,
                error=f"{type(error).__name__}: {error}"[:2000]))
            self.session.commit()
            return True
        finished = utcnow()
        self.session.execute(update(R).where(R.id == row.id).values(
            status=ComputeStatus.DONE, payload=data, payload_bytes=size, size=computed.size, computed_at=finished,
            duration=time.perf_counter() - started, error=""))
        store.prune(self.session, row.kind, row.key, context)
        self.session.commit()
        self.computed += 1
        log.info("Computed %s %s for version %s in %.1f s (%s bytes JSON)", row.kind, row.key[:8],
                 row.data_version, time.perf_counter() - started, size)
        return True

    @contextmanager
    def _beating(self) -> Iterator[None]:
        """Beat every 30 s while a long job runs, so nobody takes this worker for dead."""
        if self.beat is None:
            yield
            return
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(30.0):
                try:
                    self.beat()  # type: ignore[misc]
                except Exception:  # the database may be restarting; the next beat tries again
                    log.exception("Heartbeat during a computation failed")

        thread = threading.Thread(target=loop, name="compute-heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=5)


def is_running(session: Session) -> bool:
    """Whether some worker computes results (pages say so when none does)."""
    return heartbeat.is_running(session, TASK)
