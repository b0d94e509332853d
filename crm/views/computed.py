"""Pages that show a result the background worker computes: the progress page, the "Stand" line
and the JSON status a map polls. Never computes anything (DESIGN.md rule 8).

A page whose result has never been computed answers ``202 Accepted`` with a progress page that
loads the result once it is there (``static/js/computing.js`` polls the job's status; no timed
self-refresh, which axe and WCAG 2.2.1 refuse, and a link to reload without script); JSON
endpoints answer 202 with the job's status and ``Retry-After``, and ``/berechnung/<id>.json``
tells a waiting map (and the progress page) when to fetch again.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, abort, jsonify, make_response, render_template, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone

from crm.extensions import db
from crm.permissions import Permission, requires
from crm.services.computed import runner, store

bp = Blueprint("computed", __name__, url_prefix="/berechnung")

REFRESH_SECONDS = 3


@bp.app_template_filter("stamp")
def stamp(when: datetime | None) -> str:
    """"07.12.2026, 10:15 Uhr" in the user's time zone."""
    if when is None:
        return ""
    local = to_user_timezone(when)
    return _("%(day)s, %(time)s Uhr", day=local.strftime("%d.%m.%Y"), time=local.strftime("%H:%M"))


def _job_text(lookup: store.Lookup) -> str:
    job = lookup.job
    if job is None:
        return ""
    if job.status == "running" and job.started_at is not None:
        return _("Die Berechnung läuft seit %(time)s.", time=stamp(job.started_at))
    return _("Die Berechnung ist eingeplant.")


def progress_page(lookup: store.Lookup, title: str) -> Response:
    """202 with a page that reloads itself until the result is there (and never a timeout)."""
    worker_running = runner.is_running(db.session)
    previous = lookup.duration
    html = render_template("computed/progress.html", title=title, lookup=lookup, job_text=_job_text(lookup),
                           worker_running=worker_running, refresh=REFRESH_SECONDS, previous=previous,
                           status_url=url_for("computed.status", job_id=lookup.job.id) if lookup.job else None)
    response = Response(html, status=202)
    response.headers["Retry-After"] = str(REFRESH_SECONDS)
    return response


def pending_json(lookup: store.Lookup) -> Response:
    """202 for a JSON client: what is being computed and where to ask."""
    body: dict[str, Any] = {"status": lookup.job.status if lookup.job else "failed",
                            "detail": _("Die Auswertung wird berechnet; bitte in wenigen Sekunden erneut abrufen.")
                            if lookup.job else lookup.error,
                            "retry_after": REFRESH_SECONDS}
    if lookup.job is not None:
        body["job"] = lookup.job.id
        body["status_url"] = url_for("computed.status", job_id=lookup.job.id)
    response = jsonify(body)
    response.status_code = 202 if lookup.job is not None else 503
    response.headers["Retry-After"] = str(REFRESH_SECONDS)
    return response


def stamp_headers(response: Response | str, lookup: store.Lookup | None) -> Response:
    """Results (pages and JSON) say when they were computed and whether a newer one is on its way."""
    response = make_response(response)
    if lookup is None:
        return response
    if lookup.computed_at is not None:
        response.headers["X-Computed-At"] = lookup.computed_at.isoformat()
    response.headers["X-Computed-Current"] = "1" if lookup.current else "0"
    return response


@bp.route("/<int:job_id>.json")
@requires(Permission.VIEW_LANDSCAPE)
def status(job_id: int):
    """The state of a job: queued (with how many are ahead), running, done or failed."""
    found = store.job_status(db.session, job_id)
    if found is None:
        abort(404)
    found["worker_running"] = runner.is_running(db.session)
    return jsonify(found)
