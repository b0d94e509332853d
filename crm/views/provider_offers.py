"""The provider's page behind its personal link (no login, built for a phone, works without JavaScript).

The signed token is the permission (``crm.services.offers.provider_links``): it reaches the offers
of one actor and nothing else. What the provider changes or adds becomes a proposal in the review
queue (``crm.services.offers.proposals``); confirming that every offer still stands needs no review
and is recorded in the audit log under the link's address. An invalid link answers 404, an expired
one 410, each with a page in plain German.
"""
from __future__ import annotations

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from crm.extensions import db
from crm.forms.offers import ProviderOfferForm
from crm.models import Offer, ProviderLink
from crm.permissions import public
from crm.service_labels import labels
from crm.services.errors import ServiceError
from crm.services.offers import offers as offer_service
from crm.services.offers import proposals, provider_links
from crm.services.privacy import audit
from crm.views.form_errors import attach

bp = Blueprint("provider_offers", __name__, url_prefix="/anbieter")


def _page(template: str, code: int = 200, **context):
    response = make_response(render_template(template, **context), code)
    response.headers["Cache-Control"] = "no-store"  # a personal page: never from a shared cache
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the address
    return response


def _load(token: str) -> ProviderLink | tuple[str, int]:
    try:
        return provider_links.read_token(db.session, token)
    except provider_links.ExpiredToken:
        return "offers/provider/expired.html", 410
    except provider_links.InvalidToken:
        return "offers/provider/invalid.html", 404


def _acting(link: ProviderLink):
    return audit.acting_as(f"Anbieter-Link: {link.email}"[:200])


@bp.route("/<token>")
@public
def home(token: str):
    loaded = _load(token)
    if isinstance(loaded, tuple):
        return _page(loaded[0], loaded[1])
    link = loaded
    offers = offer_service.offers_of_actor(db.session, link.actor_id)
    waiting = proposals.pending_of_actor(db.session, link.actor_id)
    return _page("offers/provider/home.html", link=link, actor=link.actor, offers=offers, token=token,
                 waiting_offer_ids={p.offer_id for p in waiting if p.offer_id},
                 new_waiting=[p for p in waiting if p.is_new], status=request.args.get("status"),
                 status_labels=labels(offer_service.STATUS_LABELS), unconfirmed=offer_service.unconfirmed_since,
                 confirm_form=FlaskForm())


@bp.route("/<token>/bestaetigen", methods=["POST"])
@public
def confirm(token: str):
    loaded = _load(token)
    if isinstance(loaded, tuple):
        return _page(loaded[0], loaded[1])
    link = loaded
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    with _acting(link):
        provider_links.confirm_all(db.session, link)
        db.session.commit()
    return redirect(url_for("provider_offers.home", token=token, status="bestaetigt"), 303)


def _form_page(token: str, link: ProviderLink, offer: Offer | None):
    waiting = proposals.pending_for_offer(db.session, offer.id) if offer is not None else None
    if request.method == "POST":
        form = ProviderOfferForm()
    elif waiting is not None:
        form = ProviderOfferForm(values=proposals.shown_values(db.session, waiting))
    else:
        values = {key: getattr(offer, key) for key in proposals.FIELDS} if offer is not None else {}
        form = ProviderOfferForm(values=values)
    if form.validate_on_submit():
        try:
            with _acting(link):
                if offer is None:
                    proposals.propose_new(db.session, link, form.values())
                else:
                    proposals.propose_change(db.session, link, offer, form.values())
                db.session.commit()
        except ServiceError as refused:
            db.session.rollback()
            attach(form, refused)
        else:
            return redirect(url_for("provider_offers.home", token=token, status="gesendet"), 303)
        link = db.session.get_one(ProviderLink, link.id)
        offer = db.session.get(Offer, offer.id) if offer is not None else None
    return _page("offers/provider/form.html", 422 if form.errors else 200, form=form, link=link, actor=link.actor,
                 offer=offer, token=token, waiting=waiting)


@bp.route("/<token>/angebote/<int:offer_id>", methods=["GET", "POST"])
@public
def edit(token: str, offer_id: int):
    loaded = _load(token)
    if isinstance(loaded, tuple):
        return _page(loaded[0], loaded[1])
    offer = proposals.owned_offer(db.session, loaded, offer_id)
    if offer is None:
        abort(404)
    return _form_page(token, loaded, offer)


@bp.route("/<token>/neu", methods=["GET", "POST"])
@public
def create(token: str):
    loaded = _load(token)
    if isinstance(loaded, tuple):
        return _page(loaded[0], loaded[1])
    return _form_page(token, loaded, None)
