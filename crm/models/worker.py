"""Heartbeats of the background worker processes (mail delivery, computed views).

Pages that depend on a worker (the event page before a send, the dashboard's "Stand") ask
the database whether one has reported recently, so every app server knows it, not only the
one that started the worker.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.models.base import Base, utcnow


class WorkerHeartbeat(Base):
    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(200), primary_key=True, doc="host:pid of the process")
    tasks: Mapped[str] = mapped_column(String(200), nullable=False, default="",
                                       doc="comma-separated task names, e.g. 'outbox'")
    pid: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    started_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<WorkerHeartbeat {self.name!r} {self.tasks!r} {self.beat_at:%Y-%m-%d %H:%M:%S}>"
