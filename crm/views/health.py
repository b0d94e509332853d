"""``/gesundheit``: a JSON health check for load balancers and monitoring.

Says whether the database answers, whether a background worker has beaten recently for each
task (mail delivery, computations), and how many computations wait or have failed. It names no
person, no host and no data: it is public, so that a load balancer can ask without logging in.
``200`` while the database answers (``status`` is ``degraded`` when a worker is missing: pages
still work, but mail waits and results age); ``503`` when the database does not answer.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, jsonify
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import ComputedResult, ComputeStatus
from crm.models.base import utcnow
from crm.permissions import public
from crm.services.computed import versions
from crm.services.system import heartbeat
from crm.worker import TASKS

bp = Blueprint("health", __name__)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@bp.route("/gesundheit")
@public
def health():
    body: dict[str, Any] = {"status": "ok"}
    try:
        db.session.execute(select(1))
        body["database"] = {"ok": True, "dialect": db.engine.dialect.name}
    except Exception:  # any failure of the database is the answer itself
        db.session.rollback()
        response = jsonify({"status": "error", "database": {"ok": False}})
        response.status_code = 503
        return response
    now = utcnow()
    workers = {}
    for task in TASKS:
        last = heartbeat.last_beat(db.session, task)
        running = last is not None and last >= now - heartbeat.STALE_AFTER
        workers[task] = {"running": running, "last_beat": _iso(last)}
        if not running:
            body["status"] = "degraded"
    body["workers"] = workers
    counts = {status: count for status, count in db.session.execute(
        select(ComputedResult.status, func.count()).group_by(ComputedResult.status))}
    oldest = db.session.scalar(select(func.min(ComputedResult.due_at)).where(
        ComputedResult.status == ComputeStatus.QUEUED, ComputedResult.due_at <= now))
    body["computations"] = {"queued": counts.get(ComputeStatus.QUEUED, 0),
                            "running": counts.get(ComputeStatus.RUNNING, 0),
                            "failed": counts.get(ComputeStatus.FAILED, 0),
                            "oldest_waiting_seconds": round((now - oldest).total_seconds(), 1) if oldest else 0}
    version, changed_at = versions.state(db.session)
    body["data_version"] = {"version": version, "changed_at": _iso(changed_at)}
    body["checked_at"] = now.isoformat()
    return jsonify(body)
