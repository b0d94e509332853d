"""Export: filtered lists as CSV or Excel, the whole landscape for Kumu.

Lists stream (``stream_with_context``): the CSV is written while the rows are read, the Excel file
is written into a temporary file and sent from there, so a Land's 40,000 actors never sit in memory.
An export only reads: its audit entry (who took personal data out) is written before the file and
is no landscape record, so stored analyses stay current (``crm.services.computed.versions``).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from flask import Blueprint, Response, abort, render_template, request, stream_with_context

from crm.extensions import db
from crm.permissions import Permission, can, can_see_contact_of, requires
from crm.services.exports import lists as export_service
from crm.services.privacy import audit

bp = Blueprint("exports", __name__, url_prefix="/export")

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "json": "application/json",
}


def _download(data: bytes | Iterable[bytes], stem: str, fmt: str) -> Response:
    filename = f"{stem}-{date.today().isoformat()}.{fmt}"
    response = Response(data, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"  # lists may hold personal data
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _xlsx_chunks(table: export_service.Table) -> Iterator[bytes]:
    yield from export_service.iter_file(export_service.xlsx_file(table))


def _table_download(table: export_service.Table, stem: str, fmt: str) -> Response:
    """The file streamed: rows are read while it is sent, in the request's context."""
    if fmt == "csv":
        return _download(stream_with_context(export_service.iter_csv(table)), stem, fmt)
    if fmt == "xlsx":
        return _download(stream_with_context(_xlsx_chunks(table)), stem, fmt)
    abort(404)


def _check_format(fmt: str) -> None:
    if fmt not in ("csv", "xlsx"):
        abort(404)


def _audit(entity: str, summary: str, rows: int, fmt: str) -> None:
    """Who took personal data out of the system, and how much (DSGVO accountability).
    The caller commits after building the file."""
    audit.record(db.session, "export", entity, summary, {"rows": rows, "format": fmt, "filters": dict(request.args)})


def _individuals_shown(actors) -> int:
    """Individual actors (natural persons) whose contact details this file carries."""
    return sum(1 for a in actors if a.kind.is_individual and can_see_contact_of(a))


@bp.route("/")
@requires(Permission.VIEW_LANDSCAPE)
def index():
    return render_template("exports/index.html")


@bp.route("/akteure.<fmt>")
@requires(Permission.VIEW_LANDSCAPE)
def actors(fmt: str):
    """The directory's list. With VIEW_PERSONAL_DATA it names the current people of each actor
    (and individuals' contact details), so it is audited like the persons export."""
    _check_format(fmt)
    personal = can(Permission.VIEW_PERSONAL_DATA)
    if personal:   # recorded before the file streams (its rows counted by one statement)
        count = export_service.count_actors(db.session, request.args, with_contacts=personal)
        _audit("Actor", f"Export von {count} Akteuren mit Ansprechpersonen ({fmt.upper()})", count, fmt)
        db.session.commit()
    table = export_service.actor_export(db.session, request.args, with_contacts=personal,
                                        contact_visible=can_see_contact_of)
    return _table_download(table, "akteure", fmt)


@bp.route("/personen.<fmt>")
@requires(Permission.VIEW_LANDSCAPE, Permission.VIEW_PERSONAL_DATA)
def persons(fmt: str):
    _check_format(fmt)
    persons = export_service.filtered_persons(db.session, request.args)
    response = _table_download(export_service.person_table(persons), "personen", fmt)
    _audit("Person", f"Export von {len(persons)} Personen ({fmt.upper()})", len(persons), fmt)
    db.session.commit()
    return response


@bp.route("/kooperationen.<fmt>")
@requires(Permission.VIEW_LANDSCAPE)
def cooperations(fmt: str):
    _check_format(fmt)
    return _table_download(export_service.cooperation_export(db.session, request.args), "kooperationen", fmt)


@bp.route("/initiativen.<fmt>")
@requires(Permission.VIEW_LANDSCAPE)
def initiatives(fmt: str):
    _check_format(fmt)
    initiatives = export_service.filtered_initiatives(db.session, request.args)
    return _table_download(export_service.initiative_table(initiatives), "initiativen", fmt)


@bp.route("/kumu.<fmt>")
@requires(Permission.VIEW_LANDSCAPE)
def kumu(fmt: str):
    builders = {"xlsx": export_service.kumu_xlsx, "zip": export_service.kumu_zip, "json": export_service.kumu_json}
    if fmt not in builders:
        abort(404)
    response = _download(builders[fmt](db.session, can_see_contact_of), "landschaft-kumu", fmt)
    individuals = _individuals_shown(export_service.individual_actors(db.session))
    if individuals:  # contact details of natural persons left the system
        _audit("Actor", f"Kumu-Export der Landschaft mit {individuals} Einzelpersonen ({fmt.upper()})", individuals,
               fmt)
        db.session.commit()
    return response
