"""Offers (Bildungsangebote) in the app: the coordinators' list, an offer's page, create, edit, delete;
and an actor's agreement to be listed in the public portal."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from crm.extensions import db
from crm.forms.actors import ConfirmDeleteForm
from crm.forms.offers import ActorListingForm, ConfirmOfferForm, OfferForm
from crm.models import Actor, Offer, OfferStatus
from crm.permissions import Permission, can, requires
from crm.service_labels import labels
from crm.services.landscape import actors as actor_service
from crm.services.landscape.directory import parse_id
from crm.services.offers import listing, proposals
from crm.services.offers import offers as offer_service
from crm.services.privacy import consent
from crm.transaction import saving

bp = Blueprint("offers", __name__, url_prefix="/angebote")

# Service names → form fields, for refusals shown under the field the user typed in.
FIELDS = {"providers": "provider"}


def _load(offer_id: int) -> Offer:
    offer = db.session.get(Offer, offer_id)
    if offer is None:
        abort(404)
    return offer


@bp.route("/")
@requires(Permission.VIEW_LANDSCAPE)
def index():
    q = " ".join((request.args.get("q") or "").split())[:200]
    status = offer_service.status_filter(request.args.get("status"))
    page = offer_service.offer_page(db.session, q, status, parse_id(request.args.get("seite")) or 1)
    return render_template("offers/index.html", page=page, q=q, status=status, statuses=list(OfferStatus),
                           status_labels=labels(offer_service.STATUS_LABELS), today=date.today(),
                           unconfirmed=offer_service.unconfirmed_since,
                           pending_proposals=proposals.pending_count(db.session)
                           if can(Permission.EDIT_LANDSCAPE) else 0)


@bp.route("/<int:offer_id>")
@requires(Permission.VIEW_LANDSCAPE)
def show(offer_id: int):
    offer = _load(offer_id)
    person = offer.contact_person if can(Permission.VIEW_PERSONAL_DATA) else None
    return render_template("offers/show.html", offer=offer, status_labels=labels(offer_service.STATUS_LABELS),
                           is_public=listing.is_public(offer), person=person,
                           person_may_be_named=consent.may_publish(db.session, person) if person else False,
                           unconfirmed=offer_service.unconfirmed_since(offer), confirm_form=ConfirmOfferForm(),
                           pending_proposal=proposals.pending_for_offer(db.session, offer.id),
                           history=actor_service.history(db.session, "Offer", offer.id)
                           if can(Permission.EDIT_LANDSCAPE) else [])


def _save(form: OfferForm, offer: Offer | None) -> Offer | None:
    """Create or change the offer from the form; None when a rule refused (the reason is on the form)."""
    saved_offer: Offer | None = None
    with saving(form, mapping=FIELDS, fallback="title") as saved:
        values = form.values()
        values["contact_person"] = offer_service.person_by_email(db.session, form.contact_person.data or "")
        if offer is None:
            saved_offer = offer_service.create_offer(db.session, values)
        else:
            saved_offer = offer_service.update_offer(db.session, offer, values, form.expected_version)
    return saved_offer if saved else None


@bp.route("/neu", methods=["GET", "POST"])
@requires(Permission.EDIT_LANDSCAPE)
def create():
    provider_id = parse_id(request.args.get("anbieter"))
    provider = db.session.get(Actor, provider_id) if provider_id else None
    form = OfferForm(provider=provider) if provider is not None else OfferForm()
    if form.validate_on_submit():
        offer = _save(form, None)
        if offer is not None:
            flash(_("Angebot „%(title)s“ angelegt.", title=offer.title), "success")
            return redirect(url_for("offers.show", offer_id=offer.id))
    return render_template("offers/form.html", form=form, offer=None), 422 if form.errors else 200


@bp.route("/<int:offer_id>/bearbeiten", methods=["GET", "POST"])
@requires(Permission.EDIT_LANDSCAPE)
def edit(offer_id: int):
    offer = _load(offer_id)
    form = OfferForm(offer=offer)
    if request.method == "GET":
        form.version_id.data = str(offer.version_id)
    conflict = None
    if form.validate_on_submit():
        with saving(form, mapping=FIELDS, fallback="title") as saved:
            values = form.values()
            values["contact_person"] = offer_service.person_by_email(db.session, form.contact_person.data or "")
            offer_service.update_offer(db.session, offer, values, form.expected_version)
        if saved:
            flash(_("Änderungen an „%(title)s“ gespeichert.", title=offer.title), "success")
            return redirect(url_for("offers.show", offer_id=offer.id))
        offer = _load(offer_id)
        if saved.conflict is not None:
            conflict = saved.conflict
            form.version_id.data = str(offer.version_id)
    status = 409 if conflict else (422 if form.errors else 200)
    return render_template("offers/form.html", form=form, offer=offer, conflict=conflict), status


@bp.route("/<int:offer_id>/bestaetigen", methods=["POST"])
@requires(Permission.EDIT_LANDSCAPE)
def confirm(offer_id: int):
    """The provider said the offer still stands as described (by phone, mail): confirmed today."""
    offer = _load(offer_id)
    form = ConfirmOfferForm()
    if form.validate_on_submit():
        with saving() as saved:
            offer_service.confirm_offer(db.session, offer)
        if saved:
            flash(_("„%(title)s“ ist heute bestätigt.", title=offer.title), "success")
    else:
        flash(_("Das Formular ist abgelaufen. Bitte senden Sie es erneut."), "danger")
    return redirect(url_for("offers.show", offer_id=offer_id))


@bp.route("/<int:offer_id>/loeschen", methods=["GET", "POST"])
@requires(Permission.DELETE_RECORDS)
def delete(offer_id: int):
    offer = _load(offer_id)
    form = ConfirmDeleteForm()
    if form.validate_on_submit():
        title = offer.title
        with saving() as saved:
            offer_service.delete_offer(db.session, offer)
        if saved:
            flash(_("Angebot „%(title)s“ gelöscht.", title=title), "success")
            return redirect(url_for("offers.index"))
        offer = _load(offer_id)
    return render_template("actors/_confirm_delete.html", form=form, title=_("Angebot löschen"), what=offer.title,
                           consequences=[],
                           hint=_("Ist ein Angebot ausgelaufen, setzen Sie es besser auf „beendet“: "
                                  "dann bleibt es in der Bestandsaufnahme sichtbar."),
                           back=url_for("offers.show", offer_id=offer.id)), 422 if form.errors else 200


@bp.route("/akteur/<int:actor_id>/portal", methods=["GET", "POST"])
@requires(Permission.EDIT_LANDSCAPE)
def listing_consent(actor_id: int):
    """An actor's agreement to be listed in the public portal (date and who recorded it)."""
    actor = db.session.get(Actor, actor_id)
    if actor is None:
        abort(404)
    form = ActorListingForm(obj=actor)
    if request.method == "GET":
        form.version_id.data = str(actor.version_id)
    if form.validate_on_submit():
        with saving(form, fallback="listing_agreed_on") as saved:
            actor_service.update_actor(db.session, actor, form.values(), form.expected_version)
        if saved:
            flash(_("Einverständnis von „%(name)s“ gespeichert.", name=actor.name), "success")
            return redirect(url_for("actors.show", actor_id=actor.id))
        actor = db.session.get(Actor, actor_id) or actor
    return render_template("offers/listing.html", form=form, actor=actor,
                           individual=actor.kind.is_individual), 422 if form.errors else 200
