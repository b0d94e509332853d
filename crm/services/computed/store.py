"""Stored results: pages read them, the background worker computes them (DESIGN.md rule 8).

A result is identified by its *kind* (``analysis``, ``map``, ``dashboard``, ``report``) and the
hash of its parameters (the cut, the map options, the report's scope), and it holds for one
data version (``crm.services.computed.versions``) and one day. A page asks :func:`lookup`:

* it gets the latest finished result of that kind and key, whatever its version, with the time
  it was computed (the page shows "Stand: 07.12.2026, 10:15 Uhr");
* if that result is not for the current data, or there is none, a job for the current data is
  queued (``INSERT … ON CONFLICT DO NOTHING`` on the unique job key: concurrent first requests
  make one job), and the page says that a newer result is being computed, or shows a progress
  page that refreshes itself when there is nothing to show yet;
* a page never computes. The worker (``crm.services.computed.runner``) claims queued jobs one at a
  time and stores the result compressed (zlib JSON) in ``computed_results``, so every app server
  and every worker shares it.

A newer version of a cut that was already computed is due only once the data have rested for
``COMPUTE_DEBOUNCE_SECONDS`` (a coordinator entering ten cooperations causes one computation, not
ten); a cut never computed is due at once. Services flush; the caller (view, worker) commits.
"""
from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from crm.models import ComputedResult, ComputeStatus
from crm.models.base import utcnow
from crm.services.computed import cache, versions

R = ComputedResult
DEFAULT_DEBOUNCE = 15.0
READ_TOUCH = timedelta(hours=1)        # last_read_at is refreshed at most this often (a write per read is waste)
RETRY_FAILED = timedelta(minutes=10)   # a failed job is tried again when asked for after this long
DECODED_FACTOR = 4                     # a decoded result takes about this many times its JSON size in memory


@dataclass(frozen=True)
class Computed:
    """What a kind's compute function returns: JSON-ready data and the number of actors in it."""

    payload: Any
    size: int = 0


@dataclass(frozen=True)
class Context:
    """The data version and day a job computes for (nested results are labelled the same)."""

    version: int
    day: date


ComputeFunction = Callable[[Session, Mapping[str, Any], Context], Computed]
KINDS: dict[str, ComputeFunction] = {}


def register(kind: str) -> Callable[[ComputeFunction], ComputeFunction]:
    def wrap(function: ComputeFunction) -> ComputeFunction:
        KINDS[kind] = function
        return function

    return wrap


@dataclass(frozen=True)
class Job:
    id: int
    status: str
    due_at: datetime
    started_at: datetime | None
    data_version: int
    day: date


@dataclass
class Lookup:
    """What a page needs to know about a stored result."""

    kind: str
    key: str
    result: Any | None             # the latest finished result (decoded), None if there is none yet
    result_id: int | None
    computed_at: datetime | None
    duration: float | None
    data_version: int | None
    current: bool                  # the result is for today's data
    job: Job | None                # the job computing the newer result, if one is queued or running
    error: str = ""                # the last attempt at the current data failed with this message
    size: int = 0
    payload_bytes: int = 0

    @property
    def ready(self) -> bool:
        return self.result is not None or self.result_id is not None

    @property
    def computing(self) -> bool:
        return self.job is not None


class NotReady(Exception):
    """A service needs a stored result that is still being computed for the first time; the view
    shows the progress page (or, after a form, asks to try again)."""

    def __init__(self, lookup: Lookup) -> None:
        super().__init__(f"{lookup.kind} {lookup.key[:8]} is not computed yet")
        self.lookup = lookup


def today() -> date:
    return date.today()


def debounce_seconds() -> float:
    if has_app_context():
        return float(current_app.config.get("COMPUTE_DEBOUNCE_SECONDS", DEFAULT_DEBOUNCE))
    return DEFAULT_DEBOUNCE


def key_of(params: Mapping[str, Any]) -> str:
    """The hash of the canonical parameters (sorted keys, no spaces): equal cuts, equal keys."""
    text = json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def encode(payload: Any) -> tuple[bytes, int]:
    """Compressed JSON and its size before compression, written piece by piece: the analysis of the
    Bund is a JSON text of some hundred MB that never has to exist in memory as a whole."""
    compressor = zlib.compressobj(6)
    parts: list[bytes] = []
    size = 0
    encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
    buffer: list[str] = []
    buffered = 0
    for chunk in encoder.iterencode(payload):
        buffer.append(chunk)
        buffered += len(chunk)
        if buffered > 1 << 20:
            data = "".join(buffer).encode()
            size += len(data)
            parts.append(compressor.compress(data))
            buffer, buffered = [], 0
    data = "".join(buffer).encode()
    size += len(data)
    parts.append(compressor.compress(data))
    parts.append(compressor.flush())
    return b"".join(parts), size


def _rows(session: Session, kind: str, key: str) -> list[Any]:
    return list(session.execute(select(R.id, R.data_version, R.day, R.status, R.computed_at, R.duration, R.due_at,
                                       R.started_at, R.error, R.last_read_at, R.size, R.payload_bytes)
                                .where(R.kind == kind, R.key == key)))


def insert_job(session: Session, kind: str, key: str, params: Mapping[str, Any], version: int, day: date,
                due_at: datetime, status: str = ComputeStatus.QUEUED) -> None:
    """One row per job key, whoever asks at the same moment (the database decides)."""
    values = {"kind": kind, "key": key, "params": dict(params), "data_version": version, "day": day,
              "status": status, "due_at": due_at, "last_read_at": utcnow(), "worker": "", "error": "",
              "size": 0, "payload_bytes": 0}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        session.execute(pg_insert(R).values(**values).on_conflict_do_nothing(constraint="uq_computed_results_job"))
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert
        session.execute(sqlite_insert(R).values(**values).on_conflict_do_nothing())
    else:  # pragma: no cover - other databases: a lost race raises and the caller retries the page
        session.add(R(**values))
        session.flush()


def _job(row: Any) -> Job:
    return Job(id=row.id, status=row.status, due_at=row.due_at, started_at=row.started_at,
               data_version=row.data_version, day=row.day)


def due_time(session: Session, *, have_older: bool, now: datetime | None = None) -> datetime:
    """At once when nothing is there to show; else when the data have rested."""
    now = now or utcnow()
    if not have_older:
        return now
    _, changed_at = versions.state(session)
    if changed_at is None:
        return now
    return max(now, changed_at + timedelta(seconds=debounce_seconds()))


def lookup(session: Session, kind: str, params: Mapping[str, Any], *, enqueue: bool = True,
           decode: bool = True) -> Lookup:
    """The latest result of ``kind`` for ``params`` and whether a newer one is being computed;
    queues the job for the current data when it is missing (``enqueue``). Never computes."""
    if kind not in KINDS:
        raise KeyError(kind)
    version, day = versions.current(session), today()
    key = key_of(params)
    rows = _rows(session, kind, key)
    mine = next((r for r in rows if r.data_version == version and r.day == day), None)
    finished = [r for r in rows if r.status == ComputeStatus.DONE]
    done = max(finished, key=lambda r: (r.data_version, r.day, r.computed_at), default=None)
    job, error = None, ""
    now = utcnow()
    if mine is None:
        if enqueue:
            insert_job(session, kind, key, params, version, day, due_time(session, have_older=done is not None))
            mine = next((r for r in _rows(session, kind, key) if r.data_version == version and r.day == day), None)
            job = _job(mine) if mine is not None and mine.status in (ComputeStatus.QUEUED, ComputeStatus.RUNNING) \
                else None
    elif mine.status in (ComputeStatus.QUEUED, ComputeStatus.RUNNING):
        job = _job(mine)
    elif mine.status == ComputeStatus.FAILED:
        error = mine.error
        if enqueue and (mine.computed_at is None or mine.computed_at < now - RETRY_FAILED):
            session.execute(update(R).where(R.id == mine.id, R.status == ComputeStatus.FAILED)
                            .values(status=ComputeStatus.QUEUED, due_at=now, worker="", started_at=None))
            job = Job(mine.id, ComputeStatus.QUEUED, now, None, version, day)
    if done is not None and done.last_read_at < now - READ_TOUCH:
        session.execute(update(R).where(R.id == done.id).values(last_read_at=now))
    if done is not None and mine is not None and mine.id != done.id and mine.last_read_at < now - READ_TOUCH:
        session.execute(update(R).where(R.id == mine.id).values(last_read_at=now))
    result = None
    if done is not None and decode:
        result = payload(session, done.id, done.computed_at, done.payload_bytes)
    return Lookup(kind=kind, key=key, result=result, result_id=done.id if done else None,
                  computed_at=done.computed_at if done else None, duration=done.duration if done else None,
                  data_version=done.data_version if done else None,
                  current=done is not None and mine is not None and done.id == mine.id,
                  job=job, error=error, size=done.size if done else 0,
                  payload_bytes=done.payload_bytes if done else 0)


def raw_payload(session: Session, result_id: int, computed_at: datetime | None, payload_bytes: int) -> bytes:
    """The result's JSON text, decompressed (the analysis endpoint sends it as it is)."""
    def load() -> bytes:
        data = session.scalar(select(R.payload).where(R.id == result_id))
        return zlib.decompress(data) if data else b"null"

    return cache.cached(("computed-raw", result_id, computed_at), load, cost=lambda value: float(len(value)))


STREAM_ABOVE = 32 * 1024 * 1024   # JSON larger than this is streamed to the client, not kept in the cache


def stream_payload(session: Session, result_id: int) -> Iterator[bytes]:
    """The result's JSON text in pieces, decompressed while it is sent (a Bund analysis)."""
    data = session.scalar(select(R.payload).where(R.id == result_id)) or b""

    def pieces() -> Iterator[bytes]:
        decompressor = zlib.decompressobj()
        for start in range(0, len(data), 1 << 20):
            yield decompressor.decompress(data[start:start + (1 << 20)])
        yield decompressor.flush()

    return pieces()


def payload(session: Session, result_id: int, computed_at: datetime | None, payload_bytes: int) -> Any:
    """The decoded result, kept in the app's cache (keyed by row and time: a newer result is a new key)."""
    def load() -> Any:
        data = session.scalar(select(R.payload).where(R.id == result_id))
        return json.loads(zlib.decompress(data)) if data else None

    return cache.cached(("computed", result_id, computed_at), load,
                        cost=lambda value: float(payload_bytes * DECODED_FACTOR))


def job_status(session: Session, job_id: int) -> dict[str, Any] | None:
    """For the progress page's status endpoint: the job's state and its place in the queue."""
    row = session.execute(select(R.id, R.kind, R.status, R.due_at, R.started_at, R.computed_at, R.error,
                                 R.data_version, R.day).where(R.id == job_id)).first()
    if row is None:
        return None
    ahead = 0
    if row.status == ComputeStatus.QUEUED:
        ahead = session.scalar(select(func.count()).select_from(R).where(
            R.status.in_([ComputeStatus.QUEUED, ComputeStatus.RUNNING]), R.due_at < row.due_at)) or 0
    return {"id": row.id, "kind": row.kind, "status": row.status, "ahead": int(ahead),
            "due_at": row.due_at.isoformat(), "started_at": row.started_at.isoformat() if row.started_at else None,
            "computed_at": row.computed_at.isoformat() if row.computed_at else None, "error": row.error}


# ------------------------------------------------------------------ the worker's side

def obtain(session: Session, kind: str, params: Mapping[str, Any], context: Context) -> Any:
    """Inside the worker: the result for ``context``'s data, read if stored, else computed here and
    stored (one kind builds on another: the dashboard on the analysis of today). Commits the stored
    row at once: on PostgreSQL a page asking for the same job would otherwise wait on its lock
    until the outer job ends. Only the worker calls this (its claim is committed already)."""
    key = key_of(params)
    row = session.execute(select(R.id, R.computed_at, R.payload_bytes, R.status)
                          .where(R.kind == kind, R.key == key, R.data_version == context.version,
                                 R.day == context.day)).first()
    if row is not None and row.status == ComputeStatus.DONE:
        return payload(session, row.id, row.computed_at, row.payload_bytes)
    started = utcnow()
    computed = KINDS[kind](session, params, context)
    data, size = encode(computed.payload)
    finished = utcnow()
    values = {"status": ComputeStatus.DONE, "payload": data, "payload_bytes": size, "size": computed.size,
              "started_at": started, "computed_at": finished, "duration": (finished - started).total_seconds(),
              "error": ""}
    if row is None:
        insert_job(session, kind, key, params, context.version, context.day, finished, status=ComputeStatus.DONE)
        session.execute(update(R).where(R.kind == kind, R.key == key, R.data_version == context.version,
                                        R.day == context.day, R.status != ComputeStatus.RUNNING).values(**values))
    elif row.status != ComputeStatus.RUNNING:  # queued or failed: this computation answers it
        session.execute(update(R).where(R.id == row.id, R.status != ComputeStatus.RUNNING).values(**values))
    prune(session, kind, key, context)
    session.commit()
    return computed.payload


def prune(session: Session, kind: str, key: str, context: Context) -> None:
    """Older results of the same cut are not needed once a newer one is done."""
    older = or_(R.data_version < context.version, and_(R.data_version == context.version, R.day < context.day))
    session.execute(delete(R).where(R.kind == kind, R.key == key, older,
                                    R.status.in_([ComputeStatus.DONE, ComputeStatus.FAILED, ComputeStatus.QUEUED])))
