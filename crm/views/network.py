"""Network maps: the landscape map with its filter panel, and the JSON the maps draw.

Filters travel in the URL (GET), so a map can be bookmarked and sent to the Amt. The map data
go into the page as JSON (``|tojson`` in a ``<script type="application/json">`` block, never
executed) and ``static/js/network-map.js`` draws them with the vis-network copy the app ships.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, jsonify, render_template, request, url_for

from crm.errors import problem
from crm.extensions import db
from crm.models import Actor, Event, Initiative
from crm.permissions import Permission, requires
from crm.services.errors import ServiceError
from crm.services.network import maps, tables
from crm.services.network import records as network

bp = Blueprint("network", __name__, url_prefix="/netzwerk")

CUT_KEYS = ("layers", "as_of", "since", "until", "topics", "life_stages", "areas", "kinds", "categories",
            "include_inactive")


def _actor_url(actor_id: int) -> str:
    return url_for("actors.show", actor_id=actor_id)


def _json(build: Callable[[], dict[str, Any]]):
    try:
        spec = build()
    except ServiceError as error:
        return problem(422, error.message, errors={error.field or "": [error.message]})
    return jsonify(maps.add_urls(spec, _actor_url))


def _landscape_spec() -> dict[str, Any]:
    cut = network.cut_from_args(request.args)
    options = maps.options_from_args(request.args)
    return maps.landscape_map(db.session, cut, options)


@bp.route("/")
@requires(Permission.VIEW_LANDSCAPE)
def index():
    """The map page; a bad filter shows a German message above the panel (status 422)."""
    choices = maps.filter_choices(db.session)
    error = None
    spec = None
    try:
        spec = maps.add_urls(_landscape_spec(), _actor_url)
    except ServiceError as exc:
        error = exc.message
    args = request.args
    selected = maps.selected_filters(args)
    whole = {k: v for k, v in args.to_dict(flat=False).items() if k not in ("community", "view")}
    cut_args = {k: v for k, v in args.to_dict(flat=False).items() if k in CUT_KEYS}
    page = render_template("network/index.html", spec=spec, error=error, choices=choices, selected=selected,
                           args=args, data_url=url_for("network.landscape_json"), threshold=maps.AGGREGATE_THRESHOLD,
                           whole_url=url_for("network.index", **whole),
                           gexf_url=url_for("analysis.network_file", fmt="gexf", **cut_args),
                           table_url=url_for("network.table", **cut_args),
                           suggestions_url=url_for("analysis.suggestions", **cut_args))
    return page, (422 if error else 200)


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
    return _json(_landscape_spec)


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
