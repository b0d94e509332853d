"""The coordinators' review queue of what providers sent through their links, and the button that
sends a provider its link.

Accepting applies a proposal through the offers service (``crm.services.offers.proposals.accept``);
a proposal against an offer that changed meanwhile is shown as such and accepted only with an
explicit tick, and the accept form carries the offer's version the coordinator saw.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from crm.extensions import db
from crm.forms.offers import ProposalDecisionForm, SendProviderLinkForm
from crm.models import Actor, OfferProposal
from crm.permissions import Permission, requires
from crm.service_labels import labels
from crm.services.errors import ConcurrentEditError, ServiceError
from crm.services.landscape.directory import parse_id
from crm.services.offers import proposals, provider_links
from crm.transaction import committing
from crm.views.form_errors import shown

bp = Blueprint("offer_proposals", __name__, url_prefix="/angebote")


def _queue(errors: dict[int, str] | None = None, code: int = 200):
    items = proposals.pending(db.session)
    shown_ids = {p.id for p in items}
    for proposal_id, message in (errors or {}).items():
        if proposal_id not in shown_ids:  # decided meanwhile: no longer in the queue, so say it above it
            flash(message, "danger")
    return render_template("offers/proposals.html", items=items, errors=errors or {},
                           diffs={p.id: proposals.diff(db.session, p) for p in items},
                           stale={p.id for p in items if proposals.is_stale(p)},
                           form=ProposalDecisionForm(), status_labels=labels(proposals.STATUS_LABELS)), code


@bp.route("/vorschlaege/")
@requires(Permission.EDIT_LANDSCAPE)
def index():
    return _queue()


def _load(proposal_id: int) -> OfferProposal:
    proposal = db.session.get(OfferProposal, proposal_id)
    if proposal is None:
        abort(404)
    return proposal


@bp.route("/vorschlaege/<int:proposal_id>/annehmen", methods=["POST"])
@requires(Permission.EDIT_LANDSCAPE)
def accept(proposal_id: int):
    proposal = _load(proposal_id)
    form = ProposalDecisionForm()
    if not form.validate_on_submit():
        return _queue({proposal_id: _("Das Formular ist abgelaufen. Bitte senden Sie es erneut.")}, 400)
    try:
        with committing():
            offer = proposals.accept(db.session, proposal, seen_version=parse_id(form.offer_version.data),
                                     overwrite=bool(form.overwrite.data), publish=bool(form.publish.data))
            title = offer.title
    except ConcurrentEditError as conflict:
        return _queue({proposal_id: shown(conflict) + " " + _("Bitte prüfen Sie den Vorschlag erneut.")}, 409)
    except proposals.StaleProposal as stale:
        return _queue({proposal_id: shown(stale)}, 409)
    except ServiceError as refused:
        return _queue({proposal_id: shown(refused)}, 422)
    flash(_("Vorschlag übernommen: „%(title)s“.", title=title), "success")
    return redirect(url_for("offer_proposals.index"))


@bp.route("/vorschlaege/<int:proposal_id>/ablehnen", methods=["POST"])
@requires(Permission.EDIT_LANDSCAPE)
def reject(proposal_id: int):
    proposal = _load(proposal_id)
    form = ProposalDecisionForm()
    if not form.validate_on_submit():
        return _queue({proposal_id: " ".join(e for errors in form.errors.values() for e in errors)}, 422)
    try:
        with committing():
            proposals.reject(db.session, proposal, form.reason.data or "")
    except ServiceError as refused:
        return _queue({proposal_id: shown(refused)}, 422)
    flash(_("Vorschlag abgelehnt."), "success")
    return redirect(url_for("offer_proposals.index"))


@bp.route("/anbieter/<int:actor_id>/link-senden", methods=["POST"])
@requires(Permission.EDIT_LANDSCAPE)
def send_link(actor_id: int):
    """Send the provider its personal link now (from the actor's or an offer's page)."""
    actor = db.session.get(Actor, actor_id)
    if actor is None:
        abort(404)
    form = SendProviderLinkForm()
    offer_id = parse_id(request.form.get("angebot"))
    back = url_for("offers.show", offer_id=offer_id) if offer_id else url_for("actors.show", actor_id=actor.id)
    if not form.validate_on_submit():
        flash(_("Das Formular ist abgelaufen. Bitte senden Sie es erneut."), "danger")
        return redirect(back)
    try:
        with committing():
            link = provider_links.send_link(db.session, actor)
            email = link.email
    except ServiceError as refused:
        flash(shown(refused), "danger")
    else:
        flash(_("Der Anbieter-Link für „%(name)s“ geht an %(email)s.", name=actor.name, email=email), "success")
    return redirect(back)
