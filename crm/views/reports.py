"""Report for the Stadtrat / Kreistag: choose period and scope, read it as HTML, download PDF or XLSX.

Filters live in the URL (GET), so a report can be bookmarked and sent to a colleague.
Bad input never fails the page: the form shows the German message with status 422.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request

from crm.extensions import db
from crm.permissions import Permission, requires
from crm.services.errors import ServiceError
from crm.services.reports import content as reports
from crm.services.reports import pdf as report_pdf
from crm.services.reports import xlsx as report_xlsx

bp = Blueprint("reports", __name__, url_prefix="/berichte")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _organisation() -> str:
    return str(current_app.config.get("BILDUNGSNETZ_ORGANISATION") or "Bildungsbüro")


def _load() -> tuple[reports.Report | None, Response | None]:
    vocab = reports.vocabulary(db.session)
    try:
        scope = reports.scope_from_args(db.session, request.args)
    except ServiceError as error:
        since, until = reports.default_period()
        page = render_template("reports/index.html", report=None, vocab=vocab, error=error, args=request.args,
                               default_since=since, default_until=until)
        return None, Response(page, status=422)
    return reports.build_report(db.session, scope, organisation=_organisation()), None


@bp.route("/")
@requires(Permission.VIEW_LANDSCAPE)
def index():
    report, failed = _load()
    if failed is not None:
        return failed
    assert report is not None
    return render_template("reports/index.html", report=report, vocab=reports.vocabulary(db.session), error=None,
                           args=request.args, default_since=report.scope.since, default_until=report.scope.until)


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
    return _download(report_pdf.pdf(report), "application/pdf", report, "pdf")


@bp.route("/bericht.xlsx")
@requires(Permission.VIEW_LANDSCAPE)
def xlsx():
    report, failed = _load()
    if failed is not None:
        return failed
    assert report is not None
    return _download(report_xlsx.xlsx(report), XLSX_MIMETYPE, report, "xlsx")

