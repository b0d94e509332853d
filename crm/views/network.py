"""Network maps: the landscape map with its filter panel, and the JSON the maps draw.

Filters travel in the URL (GET), so a map can be bookmarked and sent to the Amt. The landscape
map is computed by the background worker and stored; the page shows it with its "Stand", or a
progress page (202) that reloads itself while it is computed for the first time, and its JSON
answers 202 with a status the map script polls. The map data go into the page as JSON
(``|tojson`` in a ``<script type="application/json">`` block, never executed) and
``static/js/network-map.js`` draws them with the vis-network copy the app ships.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from crm.errors import problem
from crm.extensions import db
from crm.models import Actor, Event, Initiative
from crm.permissions import Permission, requires
from crm.services.computed import cache, store
from crm.services.errors import ServiceError
from crm.services.network import maps, overlaps, tables
from crm.services.network import records as network
from crm.views.computed import pending_json, progress_page, stamp_headers

bp = Blueprint("network", __name__, url_prefix="/netzwerk")

CUT_KEYS = ("layers", "as_of", "since", "until", "topics", "life_stages", "areas", "kinds", "categories",
            "include_inactive", "sources", "survey_round")


def _actor_url(actor_id: int) -> str:
    return url_for("actors.show", actor_id=actor_id)


def _json(build: Callable[[], dict[str, Any]]):
    try:
        spec = build()
    except ServiceError as error:
        return problem(422, error.message, errors={error.field or "": [error.message]})
    return jsonify(maps.add_urls(spec, _actor_url))


def _spec_text(lookup: store.Lookup, *, html: bool) -> str:
    """The stored map as JSON text with the actors' addresses, made once per stored result and
    process (a Land's map is 0.5 MB; serialising it on every request cost more than reading it)."""
    def build() -> str:
        spec = maps.add_urls(dict(lookup.result or {}), _actor_url)
        if html:
            return str(htmlsafe_json_dumps(spec, dumps=json.dumps))
        return json.dumps(spec, separators=(",", ":"), ensure_ascii=False)

    key = ("map-spec", "html" if html else "json", lookup.result_id, lookup.computed_at, request.script_root)
    return cache.cached(key, build, cost=lambda text: float(len(text) * 2))


def _landscape_lookup() -> store.Lookup:
    cut = network.cut_from_args(request.args)
    options = maps.options_from_args(request.args)
    lookup = maps.landscape_map(db.session, cut, options)
    db.session.commit()  # a queued job
    return lookup


@bp.route("/")
@requires(Permission.VIEW_LANDSCAPE)
def index():
    """The map page; a bad filter shows a German message above the panel (status 422)."""
    choices = maps.filter_choices(db.session)
    error = None
    spec = None
    spec_json = None
    lookup = None
    try:
        lookup = _landscape_lookup()
        if lookup.result is None:
            return progress_page(lookup, _("Netzwerkkarte der Bildungslandschaft"))
        spec = lookup.result
        spec_json = Markup(_spec_text(lookup, html=True))
    except ServiceError as exc:
        error = exc.message
    args = request.args
    selected = maps.selected_filters(args)
    whole = {k: v for k, v in args.to_dict(flat=False).items() if k not in ("community", "view")}
    cut_args = {k: v for k, v in args.to_dict(flat=False).items() if k in CUT_KEYS}
    page = render_template("network/index.html", spec=spec, spec_json=spec_json, lookup=lookup, error=error,
                           choices=choices,
                           selected=selected, args=args, data_url=url_for("network.landscape_json"),
                           threshold=maps.AGGREGATE_THRESHOLD,
                           whole_url=url_for("network.index", **whole),
                           gexf_url=url_for("analysis.network_file", fmt="gexf", **cut_args),
                           table_url=url_for("network.table", **cut_args),
                           suggestions_url=url_for("analysis.suggestions", **cut_args))
    response = stamp_headers(page, lookup if spec is not None else None)
    response.status_code = 422 if error else 200
    return response


@bp.route("/tabelle")
@requires(Permission.VIEW_LANDSCAPE)
def table():
    """The map's actors and ties as two sortable tables, under the same filters (``?sort=-grad``
    sorts the actors, ``?tsort=gewicht`` the ties; ``seite`` and ``vseite`` page through them)."""
    args = request.args
    choices = maps.filter_choices(db.session)
    error = None
    data = None
    try:
        actor_sort = tables.parse_sort(args.get("sort"), tables.ACTOR_SORTS, "name", "sort")
        tie_sort = tables.parse_sort(args.get("tsort"), tables.TIE_SORTS, "a", "tsort")
        data = tables.landscape_table(db.session, network.cut_from_args(args))
    except store.NotReady as pending:
        db.session.commit()  # the queued job
        return progress_page(pending.lookup, _("Akteure und Verbindungen als Tabelle"))
    except ServiceError as exc:
        error = exc.message
        actor_sort, tie_sort = tables.Sorting("name", False), tables.Sorting("a", False)
    actors = tables.paged(tables.sorted_rows(data.actors, tables.ACTOR_SORTS, actor_sort) if data else [],
                          args.get("seite"))
    ties = tables.paged(tables.sorted_rows(data.ties, tables.TIE_SORTS, tie_sort) if data else [], args.get("vseite"))
    cut_args = {k: v for k, v in args.to_dict(flat=False).items() if k in CUT_KEYS}
    page = render_template("network/table.html", error=error, choices=choices, selected=maps.selected_filters(args),
                           args=args, data=data, actors=actors, ties=ties, actor_sort=actor_sort, tie_sort=tie_sort,
                           map_url=url_for("network.index", **cut_args))
    return page, (422 if error else 200)


@bp.route("/karte.json")
@requires(Permission.VIEW_LANDSCAPE)
def landscape_json():
    """The stored map; 202 with the job's status while it is computed for the first time."""
    try:
        lookup = _landscape_lookup()
    except ServiceError as error:
        return problem(422, error.message, errors={error.field or "": [error.message]})
    if lookup.result is None:
        return pending_json(lookup)
    return stamp_headers(Response(_spec_text(lookup, html=False), mimetype="application/json"), lookup)


@bp.route("/akteur/<int:actor_id>.json")
@requires(Permission.VIEW_LANDSCAPE)
def actor_json(actor_id: int):
    """Ego map: the actor and its partners (``steps=1``) or their partners too (``steps=2``)."""
    if db.session.get(Actor, actor_id) is None:
        abort(404)
    return _json(lambda: maps.ego_map(db.session, actor_id, request.args))


@bp.route("/initiative/<int:initiative_id>.json")
@requires(Permission.VIEW_LANDSCAPE)
def initiative_json(initiative_id: int):
    if db.session.get(Initiative, initiative_id) is None:
        abort(404)
    return _json(lambda: maps.initiative_map(db.session, initiative_id, request.args))


@bp.route("/veranstaltung/<int:event_id>.json")
@requires(Permission.VIEW_LANDSCAPE, Permission.VIEW_EVENTS)
def event_json(event_id: int):
    if db.session.get(Event, event_id) is None:
        abort(404)
    return _json(lambda: maps.event_map(db.session, event_id, request.args))


@bp.route("/ueberschneidungen")
@requires(Permission.VIEW_LANDSCAPE)
def overlaps_page():
    """Working groups by shared members: matrix (or top pairs), possible duplicates, overloaded
    actors, topics and life stages without a group. Thresholds travel in the URL; a bad one
    shows a German message above the form (422) and the defaults are used."""
    error = None
    try:
        settings = overlaps.settings_from_args(request.args)
    except ServiceError as exc:
        error = exc.message
        settings = overlaps.Settings()
    data = overlaps.working_group_overlaps(db.session, settings)
    page = render_template("network/overlaps.html", data=data, error=error, args=request.args,
                           matrix_limit=overlaps.MATRIX_LIMIT)
    return page, (422 if error else 200)
