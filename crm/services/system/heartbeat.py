"""Which background workers are alive, from the heartbeat each writes to the database.

A worker beats once per loop (every few seconds). A page may rely on a task (``outbox``)
when some worker that runs it has beaten within ``STALE_AFTER``; otherwise it warns, because
mail would wait in the outbox without anyone to deliver it.
"""
from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import delete, literal, select
from sqlalchemy.orm import Session

from crm.models import WorkerHeartbeat
from crm.models.base import utcnow

STALE_AFTER = timedelta(minutes=2)
FORGET_AFTER = timedelta(days=7)


def default_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(session: Session, name: str, tasks: list[str], now: datetime | None = None) -> None:
    """Record that worker ``name`` is alive and runs ``tasks`` (the caller commits)."""
    now = now or utcnow()
    row = session.get(WorkerHeartbeat, name)
    if row is None:
        row = WorkerHeartbeat(name=name, tasks=",".join(tasks), pid=os.getpid(), started_at=now, beat_at=now)
        session.add(row)
        # Heartbeats of processes gone for a week only clutter the table.
        session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.beat_at < now - FORGET_AFTER))
    else:
        row.tasks = ",".join(tasks)
        row.beat_at = now
    session.flush()


def stop(session: Session, name: str) -> None:
    """A worker that ends cleanly says so, so pages warn at once instead of after ``STALE_AFTER``."""
    session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.name == name))


def last_beat(session: Session, task: str) -> datetime | None:
    """The latest heartbeat of any worker running ``task``, or None if none ever reported."""
    listed = literal(",") + WorkerHeartbeat.tasks + literal(",")
    return session.scalars(select(WorkerHeartbeat.beat_at).where(listed.contains(f",{task},"))
                           .order_by(WorkerHeartbeat.beat_at.desc()).limit(1)).first()


def is_running(session: Session, task: str, now: datetime | None = None) -> bool:
    beat_at = last_beat(session, task)
    return beat_at is not None and beat_at >= (now or utcnow()) - STALE_AFTER
