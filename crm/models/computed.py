"""Results the background worker computes (analyses, map layouts, dashboard figures, reports) and
the version of the landscape they were computed from.

Why in the database: several app servers and workers share one PostgreSQL, and an analysis of a
Land takes minutes. A page must never compute it (gunicorn kills a request after 30 s, and every
process would compute it again); it reads the latest stored result and says when it was made.

* ``DataVersion``: one counter per kind of data (``landscape``), raised in the same transaction as
  every write of the landscape's records (``crm.services.network.versions``). Reads, exports, logins
  and mail never raise it.
* ``ComputedResult``: one row per job, keyed by what is computed (``kind`` + ``key``, a hash of
  the parameters) and for which data (``data_version`` + ``day``: who is active changes at
  midnight). The unique constraint makes concurrent first requests for the same cut one job.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from crm.models.base import Base, utcnow


class DataVersion(Base):
    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True, doc="what is versioned: 'landscape'")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    changed_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow,
                                                 doc="last change: the worker waits until the data rest")

    def __repr__(self) -> str:
        return f"<DataVersion {self.name} {self.version}>"


class ComputeStatus:
    """Closed set of job states (plain strings in the column)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    ALL = (QUEUED, RUNNING, DONE, FAILED)


class ComputedResult(Base):
    __tablename__ = "computed_results"
    __table_args__ = (
        UniqueConstraint("kind", "key", "data_version", "day", name="uq_computed_results_job"),
        Index("ix_computed_results_lookup", "kind", "key", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False, doc="analysis, map, dashboard, report")
    key: Mapped[str] = mapped_column(String(64), nullable=False, doc="sha256 of the canonical parameters")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict,
                                                   doc="what the worker needs to compute it (the cut, options)")
    data_version: Mapped[int] = mapped_column(Integer, nullable=False)
    day: Mapped[date] = mapped_column(nullable=False, doc="the day the result holds for (who is active)")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=ComputeStatus.QUEUED, index=True)
    due_at: Mapped[datetime] = mapped_column(
        nullable=False, default=utcnow,
        doc="when the worker may start: at once for a cut never computed, after the data rested for a newer version")
    last_read_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow,
                                                   doc="kept fresh by pages; unread cuts are not recomputed")
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    computed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    duration: Mapped[float | None] = mapped_column(Float, nullable=True, doc="seconds of computation")
    worker: Mapped[str] = mapped_column(String(200), nullable=False, default="", doc="host:pid that computes it")
    error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    size: Mapped[int] = mapped_column(Integer, nullable=False, default=0,
                                      doc="actors in the result (pages skip large ones where a summary suffices)")
    payload_bytes: Mapped[int] = mapped_column(Integer, nullable=False, default=0, doc="JSON size before compression")
    payload: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True,
                                                           doc="zlib-compressed JSON"))

    def __repr__(self) -> str:
        return f"<ComputedResult {self.id} {self.kind}:{self.key[:8]} v{self.data_version} {self.day} {self.status}>"
