"""JSON endpoint of the network analysis, used by the maps and the dashboard."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, current_app, jsonify, request

from crm.errors import problem
from crm.extensions import db
from crm.permissions import Permission, requires
from crm.services import network
from crm.services.errors import ServiceError

bp = Blueprint("analysis", __name__, url_prefix="/analyse")


@bp.route("/ergebnis.json")
@requires(Permission.VIEW_LANDSCAPE)
def result():
    try:
        cut = network.cut_from_args(request.args)
        resolution = float(request.args.get("resolution", "1.0"))
    except ServiceError as error:
        return problem(422, error.message, errors={error.field or "": [error.message]})
    except ValueError:
        return problem(422, "„resolution“ muss eine Zahl sein.", errors={"resolution": ["keine Zahl"]})
    if not 0.05 <= resolution <= 10:
        return problem(422, "„resolution“ liegt zwischen 0,05 und 10.", errors={"resolution": ["außerhalb"]})
    return jsonify(network.analysis(db.session, cut, resolution=resolution))


@bp.route("/netzwerk.<fmt>")
@requires(Permission.VIEW_LANDSCAPE)
def network_file(fmt: str):
    """The cut landscape for Gephi (GEXF 1.3 with tie dates) or GraphML; same filters as the JSON."""
    from crm.services.graph_files import FORMATS, network_file as build

    if fmt not in FORMATS:
        return problem(404, f"Unbekanntes Format „{fmt}“. Möglich: {', '.join(FORMATS)}.")
    try:
        cut = network.cut_from_args(request.args)
    except ServiceError as error:
        return problem(422, error.message, errors={error.field or "": [error.message]})
    data = build(db.session, cut, fmt, organisation=str(current_app.config.get("BILDUNGSNETZ_ORGANISATION") or ""))
    response = Response(data, mimetype=FORMATS[fmt][0])
    response.headers["Content-Disposition"] = f'attachment; filename="bildungsnetz-{date.today().isoformat()}.{fmt}"'
    return response
