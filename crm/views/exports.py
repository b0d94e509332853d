"""Export: filtered lists as CSV or Excel, the whole landscape for Kumu."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request

from crm.extensions import db
from crm.permissions import Permission, can, requires
from crm.services import audit
from crm.services import exports as export_service

bp = Blueprint("exports", __name__, url_prefix="/export")

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "json": "application/json",
}


def _download(data: bytes, stem: str, fmt: str) -> Response:
    filename = f"{stem}-{date.today().isoformat()}.{fmt}"
    response = Response(data, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"  # lists may hold personal data
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _table_download(table: export_service.Table, stem: str, fmt: str) -> Response:
    if fmt == "csv":
        return _download(export_service.to_csv(table), stem, fmt)
    if fmt == "xlsx":
        return _download(export_service.to_xlsx(table), stem, fmt)
    abort(404)


@bp.route("/")
@requires(Permission.VIEW_LANDSCAPE)
def index():
    return render_template("exports/index.html")


@bp.route("/akteure.<fmt>")
@requires(Permission.VIEW_LANDSCAPE)
def actors(fmt: str):
    actors = export_service.filtered_actors(db.session, request.args)
    table = export_service.actor_table(actors, with_contacts=can(Permission.VIEW_PERSONAL_DATA))
    return _table_download(table, "akteure", fmt)


@bp.route("/personen.<fmt>")
@requires(Permission.VIEW_LANDSCAPE, Permission.VIEW_PERSONAL_DATA)
def persons(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    persons = export_service.filtered_persons(db.session, request.args)
    response = _table_download(export_service.person_table(persons), "personen", fmt)
    # Who took personal data out of the system, and how much (DSGVO accountability).
    audit.record(db.session, "export", "Person", f"Export von {len(persons)} Personen ({fmt.upper()})",
                 {"rows": len(persons), "format": fmt, "filters": dict(request.args)})
    db.session.commit()
    return response


@bp.route("/kooperationen.<fmt>")
@requires(Permission.VIEW_LANDSCAPE)
def cooperations(fmt: str):
    cooperations = export_service.filtered_cooperations(db.session, request.args)
    return _table_download(export_service.cooperation_table(cooperations), "kooperationen", fmt)


@bp.route("/kumu.<fmt>")
@requires(Permission.VIEW_LANDSCAPE)
def kumu(fmt: str):
    builders = {"xlsx": export_service.kumu_xlsx, "zip": export_service.kumu_zip, "json": export_service.kumu_json}
    if fmt not in builders:
        abort(404)
    return _download(builders[fmt](db.session), "landschaft-kumu", fmt)
