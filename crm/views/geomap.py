"""The geographic map inside the app: actors and offers at their coordinates over the area outlines,
its JSON, and the coordinators' outline import (GeoJSON).

Filters travel in the URL (GET), so a map can be bookmarked. The map's data go into the page as
JSON (``|tojson`` in a ``<script type="application/json">`` block, never executed) and
``static/js/geo-map.js`` draws them with the app's own Leaflet; the same places are listed in the
page as text, so the page works without JavaScript and with a screen reader. Who is placed is
decided by ``crm.services.geo.places`` (an individual's home only for roles that may see it).
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request, url_for

from crm.extensions import db
from crm.forms.geo import OutlineUploadForm
from crm.permissions import Permission, can, requires
from crm.services.errors import ServiceError
from crm.services.geo import outlines, places
from crm.services.geo.outlines import OutlineReport
from crm.transaction import saving
from crm.views.form_errors import attach

bp = Blueprint("geomap", __name__, url_prefix="/karte")


def _link(kind: str, record_id: int) -> str:
    if kind == "actor":
        return url_for("actors.show", actor_id=record_id)
    return url_for("offers.show", offer_id=record_id)


def _map_data(wanted: places.AppMapFilter) -> places.MapData:
    return places.app_map(db.session, wanted, _link, show_individuals=can(Permission.VIEW_PERSONAL_DATA))


def tile_options() -> dict[str, str]:
    """The configured tile server for geo-map.js (empty: no tiles, outlines and points only)."""
    return {"url": current_app.config.get("MAP_TILE_URL") or "",
            "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION") or ""}


@bp.route("/")
@requires(Permission.VIEW_LANDSCAPE)
def index():
    wanted = places.app_filter_from_args(request.args)
    choices = places.app_choices(db.session)
    return render_template("geomap/index.html", wanted=wanted, data=_map_data(wanted), tiles=tile_options(),
                           areas=choices.areas, kinds=choices.kinds, topics=choices.topics,
                           may_import=can(Permission.EDIT_LANDSCAPE))


@bp.route("/orte.json")
@requires(Permission.VIEW_LANDSCAPE)
def feed():
    return jsonify(_map_data(places.app_filter_from_args(request.args)).as_json())


@bp.route("/umrisse.json")
@requires(Permission.VIEW_LANDSCAPE)
def outlines_feed():
    """Only the outlines: what the small map on the actor form draws under the point it sets."""
    return jsonify({"areas": [area.as_json() for area in places.area_outlines(db.session)]})


@bp.route("/umrisse", methods=["GET", "POST"])
@requires(Permission.EDIT_LANDSCAPE)
def outline_import():
    form = OutlineUploadForm()
    report: OutlineReport | None = None
    status = 200
    if form.validate_on_submit():
        data = form.file.data.read(outlines.MAX_BYTES + 1)
        name_property = form.name_property.data or ""
        if form.preview.data:  # reads and matches, writes nothing
            try:
                report = outlines.import_outlines(db.session, data, name_property, apply=False)
            except ServiceError as error:
                attach(form, error, fallback="file")
                status = 422
        else:
            with saving(form, fallback="file") as saved:
                report = outlines.import_outlines(db.session, data, name_property)
            if not saved:
                report, status = None, saved.status
    elif request.method == "POST":
        status = 422
    return render_template("geomap/outlines.html", form=form, report=report,
                           with_outline=outlines.count_with_outline(db.session)), status
