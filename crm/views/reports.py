"""Report for the Stadtrat / Kreistag: choose period and scope, read it as HTML, download PDF or XLSX.

Filters live in the URL (GET), so a report can be bookmarked and sent to a colleague.
Bad input never fails the page: the form shows the German message with status 422.
The report is computed by the background worker and stored; the three renderings read it (a
report never computed shows the progress page, which reloads itself until it is there).
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import gettext as _

from crm.extensions import db
from crm.permissions import Permission, requires
from crm.services.computed import store
from crm.services.errors import ServiceError
from crm.services.reports import content as reports
from crm.services.reports import pdf as report_pdf
from crm.services.reports import xlsx as report_xlsx
from crm.views.computed import progress_page, stamp_headers

bp = Blueprint("reports", __name__, url_prefix="/berichte")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _organisation() -> str:
    return str(current_app.config.get("BILDUNGSNETZ_ORGANISATION") or "Bildungsbüro")


def _load() -> tuple[reports.Report | None, Response | None]:
    report, _lookup, failed = _load_with_lookup()
    return report, failed


def _load_with_lookup() -> tuple[reports.Report | None, store.Lookup | None, Response | None]:
    vocab = reports.vocabulary(db.session)
    try:
        scope = reports.scope_from_args(db.session, request.args)
    except ServiceError as error:
        since, until = reports.default_period()
        page = render_template("reports/index.html", report=None, vocab=vocab, error=error, args=request.args,
                               default_since=since, default_until=until)
        return None, None, Response(page, status=422)
    report, lookup = reports.report(db.session, scope, organisation=_organisation())
    db.session.commit()  # a queued job
    if report is None:
        return None, lookup, progress_page(lookup, _("Bericht für Stadtrat und Kreistag"))
    return report, lookup, None


@bp.route("/")
@requires(Permission.VIEW_LANDSCAPE)
def index():
    report, lookup, failed = _load_with_lookup()
    if failed is not None:
        return failed
    assert report is not None
    return stamp_headers(render_template(
        "reports/index.html", report=report, lookup=lookup, vocab=reports.vocabulary(db.session), error=None,
        args=request.args, default_since=report.scope.since, default_until=report.scope.until), lookup)


def _download(data: bytes, mimetype: str, report: reports.Report, suffix: str) -> Response:
    response = Response(data, mimetype=mimetype)
    name = f"bildungsbericht-{report.scope.since.isoformat()}-{report.scope.until.isoformat()}.{suffix}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/bericht.pdf")
@requires(Permission.VIEW_LANDSCAPE)
def pdf():
    report, failed = _load()
    if failed is not None:
        return failed
    assert report is not None
    # rendered by the worker with the report; rendered here only for a report stored before that
    return _download(report.pdf_bytes or report_pdf.pdf(report), "application/pdf", report, "pdf")


@bp.route("/bericht.xlsx")
@requires(Permission.VIEW_LANDSCAPE)
def xlsx():
    report, failed = _load()
    if failed is not None:
        return failed
    assert report is not None
    return _download(report_xlsx.xlsx(report), XLSX_MIMETYPE, report, "xlsx")

