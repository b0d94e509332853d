"""The public Bildungsportal (no login): search and filter the region's offers, the page of an offer
and of a provider, and a JSON feed. German, works without JavaScript.

Every route is ``@public``; what it may show is decided by ``crm.services.offers.listing`` (listed
actors, published offers, persons only with consent). An offer or provider that is not released
answers 404, exactly like one that does not exist, so the portal does not even reveal that it exists.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, make_response, render_template, request, url_for

from crm.extensions import db
from crm.permissions import public
from crm.services.geo import places
from crm.services.offers import calendar, portal
from crm.services.offers.offers import unconfirmed_since

bp = Blueprint("portal", __name__, url_prefix="/portal")


def _page(template: str, **context):
    response = make_response(render_template(template, **context))
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.route("/")
@public
def index():
    wanted = portal.filter_from_args(request.args)
    result = portal.search_offers(db.session, wanted)
    return _page("portal/index.html", wanted=wanted, result=result, options=portal.choices(db.session),
                 place_of=portal.place_of)


@bp.route("/angebote/<int:offer_id>")
@public
def offer(offer_id: int):
    found = portal.public_offer(db.session, offer_id)
    if found is None:
        abort(404)
    return _page("portal/offer.html", offer=found, contact=portal.public_contact(db.session, found),
                 place=portal.place_of(found), languages=portal.languages_of(found),
                 unconfirmed=unconfirmed_since(found))


@bp.route("/anbieter/<int:actor_id>")
@public
def provider(actor_id: int):
    actor = portal.public_provider(db.session, actor_id)
    if actor is None:
        abort(404)
    return _page("portal/provider.html", actor=actor, offers=portal.public_offers_of(db.session, actor),
                 shows_address=portal.provider_shows_address(actor), place_of=portal.place_of)


@bp.route("/anbieter/<int:actor_id>.ics")
@public
def provider_calendar(actor_id: int):
    """The provider's dated offers to subscribe to (webcal:// on the provider's page)."""
    actor = portal.public_provider(db.session, actor_id)
    if actor is None:
        abort(404)
    response = make_response(calendar.provider_calendar(db.session, actor, request.host_url.rstrip("/")))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="anbieter-{actor.id}.ics"'
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/angebote.json")
@public
def feed():
    response = jsonify({"offers": portal.feed(db.session, request.host_url.rstrip("/"))})
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"  # for the city's own website
    return response


def _portal_link(kind: str, record_id: int) -> str:
    if kind == "actor":
        return url_for("portal.provider", actor_id=record_id)
    return url_for("portal.offer", offer_id=record_id)


@bp.route("/karte")
@public
def map_page():
    """The offers of a search at their providers' places, over the area outlines (crm.services.geo.places:
    released offers only, never an individual's home)."""
    wanted = portal.filter_from_args(request.args)
    data = places.portal_map(db.session, wanted, _portal_link)
    tiles = {"url": current_app.config.get("MAP_TILE_URL") or "",
             "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION") or ""}
    return _page("portal/map.html", wanted=wanted, data=data, tiles=tiles, options=portal.choices(db.session))


@bp.route("/karte.json")
@public
def map_feed():
    data = places.portal_map(db.session, portal.filter_from_args(request.args), _portal_link)
    response = jsonify(data.as_json())
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


from crm.views import portal_calendar  # noqa: E402,F401  (the event calendar's routes on this blueprint)
