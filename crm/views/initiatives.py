"""Initiatives: list, page with members, form, memberships (add, edit, end, delete), delete."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from crm.extensions import db
from crm.forms.actors import ConfirmDeleteForm
from crm.forms.cooperations import EndForm
from crm.forms.initiatives import InitiativeForm, MembershipForm
from crm.models import Actor, Initiative, Membership
from crm.permissions import Permission, can, requires
from crm.service_labels import label, labels
from crm.services.events import workshops
from crm.services.landscape import actors as actor_service
from crm.services.landscape import initiatives as initiative_service
from crm.services.landscape.directory import parse_id
from crm.services.landscape.initiatives import KIND_LABELS, ROLE_LABELS
from crm.transaction import saving

bp = Blueprint("initiatives", __name__, url_prefix="/initiativen")


def _load(initiative_id: int) -> Initiative:
    initiative = db.session.get(Initiative, initiative_id)
    if initiative is None:
        abort(404)
    return initiative


def _membership(membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None:
        abort(404)
    return membership


@bp.route("/")
@requires(Permission.VIEW_LANDSCAPE)
def index():
    initiative_filter = initiative_service.initiative_filter_from_args(db.session, request.args)
    page = initiative_service.initiative_page(db.session, initiative_filter)
    return render_template(
        "initiatives/index.html", page=page, filter=initiative_filter, today=date.today(), kinds=labels(KIND_LABELS),
        topics=initiative_service.list_choices(db.session).topics, current_members=initiative_service.current_members)


@bp.route("/<int:initiative_id>")
@requires(Permission.VIEW_LANDSCAPE)
def show(initiative_id: int):
    initiative = _load(initiative_id)
    today = date.today()
    members = initiative_service.members(db.session, initiative)
    return render_template(
        "initiatives/show.html", initiative=initiative, today=today, kinds=labels(KIND_LABELS),
        roles=labels(ROLE_LABELS),
        current=[m for m in members if m.is_current(today)], former=[m for m in members if not m.is_current(today)],
        history=actor_service.history(db.session, "Initiative", initiative.id) if can(Permission.EDIT_LANDSCAPE)
        else [], origin=workshops.origin_of(db.session, initiative.id))


@bp.route("/neu", methods=["GET", "POST"])
@requires(Permission.EDIT_LANDSCAPE)
def create():
    form = InitiativeForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            initiative = initiative_service.create_initiative(db.session, form.values())
        if saved:
            flash(_("Initiative „%(name)s“ angelegt.", name=initiative.name), "success")
            return redirect(url_for("initiatives.show", initiative_id=initiative.id))
    return render_template("initiatives/form.html", form=form, initiative=None), 422 if form.errors else 200


@bp.route("/<int:initiative_id>/bearbeiten", methods=["GET", "POST"])
@requires(Permission.EDIT_LANDSCAPE)
def edit(initiative_id: int):
    initiative = _load(initiative_id)
    form = InitiativeForm(initiative=initiative)
    conflict, differences = None, []
    if form.validate_on_submit():
        with saving(form) as saved:
            initiative_service.update_initiative(db.session, initiative, form.values(), form.expected_version)
        if saved:
            flash(_("Änderungen an „%(name)s“ gespeichert.", name=initiative.name), "success")
            return redirect(url_for("initiatives.show", initiative_id=initiative.id))
        initiative = _load(initiative_id)
        if saved.conflict is not None:
            conflict = saved.conflict
            differences = actor_service.differences(initiative, form.values(), initiative_service.EDITABLE_FIELDS)
            form.version_id.data = str(initiative.version_id)
    status = 409 if conflict else (422 if form.errors else 200)
    return render_template("initiatives/form.html", form=form, initiative=initiative, conflict=conflict,
                           differences=differences), status


@bp.route("/<int:initiative_id>/loeschen", methods=["GET", "POST"])
@requires(Permission.DELETE_RECORDS)
def delete(initiative_id: int):
    initiative = _load(initiative_id)
    form = ConfirmDeleteForm()
    if form.validate_on_submit():
        name = initiative.name
        with saving() as saved:
            initiative_service.delete_initiative(db.session, initiative)
        if saved:
            flash(_("Initiative „%(name)s“ gelöscht.", name=name), "success")
            return redirect(url_for("initiatives.index"))
        initiative = _load(initiative_id)
    count = len(initiative.memberships)
    return render_template(
        "actors/_confirm_delete.html", form=form, title=_("Initiative löschen"), what=initiative.name,
        consequences=[_("%(num)d Mitgliedschaft(en) werden gelöscht", num=count)] if count else [],
        hint=_("Ist die Initiative abgeschlossen, tragen Sie besser ein Enddatum ein."),
        back=url_for("initiatives.show", initiative_id=initiative.id)), 422 if form.errors else 200


# --------------------------------------------------------------------------- memberships

@bp.route("/<int:initiative_id>/mitglieder/neu", methods=["GET", "POST"])
@requires(Permission.EDIT_LANDSCAPE)
def add_membership(initiative_id: int):
    initiative = _load(initiative_id)
    form = MembershipForm()
    if request.method == "GET":
        actor_id = parse_id(request.args.get("akteur"))
        actor = db.session.get(Actor, actor_id) if actor_id else None
        if actor is not None:
            form.actor.process(None, actor)
        form.joined_on.data = date.today()
    if form.validate_on_submit():
        with saving(form) as saved:
            membership = initiative_service.add_membership(db.session, initiative, form.values())
        if not saved:
            initiative = _load(initiative_id)
        else:
            flash(_("„%(actor)s“ ist jetzt %(role)s von „%(name)s“.", actor=membership.actor.name,
                    role=label(ROLE_LABELS[membership.role]), name=initiative.name), "success")
            return redirect(url_for("initiatives.show", initiative_id=initiative.id))
    return render_template("initiatives/membership_form.html", form=form, initiative=initiative, membership=None), \
        422 if form.errors else 200


@bp.route("/mitgliedschaften/<int:membership_id>/bearbeiten", methods=["GET", "POST"])
@requires(Permission.EDIT_LANDSCAPE)
def edit_membership(membership_id: int):
    membership = _membership(membership_id)
    form = MembershipForm(membership=membership)
    if request.method == "GET":
        form.fingerprint.data = initiative_service.fingerprint(membership)
    conflict = None
    if form.validate_on_submit():
        with saving(form) as saved:
            initiative_service.update_membership(db.session, membership, form.values(), form.fingerprint.data)
        if saved:
            flash(_("Mitgliedschaft gespeichert."), "success")
            return redirect(url_for("initiatives.show", initiative_id=membership.initiative_id))
        membership = _membership(membership_id)
        if saved.conflict is not None:
            conflict = saved.conflict
            form.fingerprint.data = initiative_service.fingerprint(membership)
    status = 409 if conflict else (422 if form.errors else 200)
    return render_template("initiatives/membership_form.html", form=form, initiative=membership.initiative,
                           membership=membership, conflict=conflict), status


@bp.route("/mitgliedschaften/<int:membership_id>/beenden", methods=["GET", "POST"])
@requires(Permission.EDIT_LANDSCAPE)
def end_membership(membership_id: int):
    membership = _membership(membership_id)
    form = EndForm()
    if form.validate_on_submit():
        with saving(form, fallback="end_date") as saved:
            initiative_service.end_membership(db.session, membership, form.end_date.data)
        if not saved:
            membership = _membership(membership_id)
        else:
            flash(_("Mitgliedschaft von „%(actor)s“ beendet.", actor=membership.actor.name), "success")
            return redirect(url_for("initiatives.show", initiative_id=membership.initiative_id))
    return render_template("initiatives/end_membership.html", form=form, membership=membership,
                           roles=labels(ROLE_LABELS)), 422 if form.errors else 200


@bp.route("/mitgliedschaften/<int:membership_id>/loeschen", methods=["GET", "POST"])
@requires(Permission.DELETE_RECORDS)
def delete_membership(membership_id: int):
    membership = _membership(membership_id)
    initiative_id = membership.initiative_id
    form = ConfirmDeleteForm()
    if form.validate_on_submit():
        with saving() as saved:
            initiative_service.delete_membership(db.session, membership)
        if saved:
            flash(_("Mitgliedschaft gelöscht."), "success")
            return redirect(url_for("initiatives.show", initiative_id=initiative_id))
        membership = _membership(membership_id)
    return render_template(
        "actors/_confirm_delete.html", form=form, title=_("Mitgliedschaft löschen"),
        what=f"{membership.actor.name} – {membership.initiative.name} ({label(ROLE_LABELS[membership.role])})",
        consequences=[], hint=_("Ist das Mitglied ausgetreten, beenden Sie die Mitgliedschaft, statt sie zu löschen."),
        back=url_for("initiatives.show", initiative_id=initiative_id)), 422 if form.errors else 200
