"""Cooperations: list with filters, page, full form, quick capture from the actor page, end, delete."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from crm.extensions import db
from crm.forms.actors import ConfirmDeleteForm
from crm.forms.cooperations import CooperationForm, EndForm, QuickCooperationForm
from crm.models import Actor, Cooperation
from crm.permissions import Permission, can, requires
from crm.service_labels import labels
from crm.services.landscape import actors as actor_service
from crm.services.landscape import cooperations as cooperation_service
from crm.services.landscape.directory import parse_id
from crm.transaction import saving

bp = Blueprint("cooperations", __name__, url_prefix="/kooperationen")

# Where a refused rule shows up in each form.
QUICK_FIELDS = {"source": "partner", "target": "partner", "type": "type", "start_date": "start_date",
                "end_date": "start_date", "intensity": "type"}


def _load(cooperation_id: int) -> Cooperation:
    cooperation = db.session.get(Cooperation, cooperation_id)
    if cooperation is None:
        abort(404)
    return cooperation


def _actor_arg() -> Actor | None:
    actor_id = parse_id(request.values.get("akteur"))
    return db.session.get(Actor, actor_id) if actor_id else None


@bp.route("/")
@requires(Permission.VIEW_LANDSCAPE)
def index():
    coop_filter = cooperation_service.cooperation_filter_from_args(db.session, request.args)
    page = cooperation_service.cooperation_page(db.session, coop_filter)
    choices = cooperation_service.list_choices(db.session, coop_filter)
    return render_template(
        "cooperations/index.html", page=page, filter=coop_filter, today=date.today(), types=choices.types,
        topics=choices.topics, filter_actor=choices.actor, tie_status=cooperation_service.cooperation_status)


@bp.route("/<int:cooperation_id>")
@requires(Permission.VIEW_LANDSCAPE)
def show(cooperation_id: int):
    cooperation = _load(cooperation_id)
    history = (actor_service.history(db.session, "Cooperation", cooperation.id)
               if can(Permission.EDIT_LANDSCAPE) else [])
    today = date.today()
    from crm.services.surveys.review import source_of

    return render_template("cooperations/show.html", c=cooperation, today=today, history=history,
                           survey_source=source_of(db.session, cooperation),
                           intensity_labels=labels(cooperation_service.INTENSITY_LABELS),
                           status=cooperation_service.cooperation_status(cooperation, today),
                           may_end=cooperation_service.may_end(cooperation, today))


def _quick_capture(actor: Actor):
    """The compact form on the actor page: back to the page with the new tie, or the page with the errors."""
    from crm.views.actors import page_context

    form = QuickCooperationForm(actor_id=actor.id)
    if form.validate_on_submit():
        with saving(form, mapping=QUICK_FIELDS) as saved:
            cooperation = cooperation_service.create_cooperation(db.session, form.values(actor))
            partner = cooperation.partner_of(actor.id).name
        if saved:
            flash(_("Kooperation mit „%(partner)s“ gespeichert.", partner=partner), "success")
            return redirect(url_for("actors.show", actor_id=actor.id, _anchor="kooperationen"))
    return render_template("actors/show.html", **page_context(actor, quick_form=form)), 422


@bp.route("/neu", methods=["GET", "POST"])
@requires(Permission.EDIT_LANDSCAPE)
def create():
    actor = _actor_arg()
    if request.method == "POST" and request.form.get("quick"):
        if actor is None:
            abort(404)
        return _quick_capture(actor)
    form = CooperationForm()
    if request.method == "GET" and actor is not None:
        form.source.process(None, actor)
    if form.validate_on_submit():
        with saving(form) as saved:
            cooperation = cooperation_service.create_cooperation(db.session, form.values())
        if saved:
            flash(_("Kooperation „%(label)s“ gespeichert.", label=cooperation_service.label(cooperation)), "success")
            return redirect(url_for("cooperations.show", cooperation_id=cooperation.id))
    return render_template("cooperations/form.html", form=form, c=None), 422 if form.errors else 200


@bp.route("/<int:cooperation_id>/bearbeiten", methods=["GET", "POST"])
@requires(Permission.EDIT_LANDSCAPE)
def edit(cooperation_id: int):
    cooperation = _load(cooperation_id)
    form = CooperationForm(cooperation=cooperation)
    conflict, differences = None, []
    if form.validate_on_submit():
        with saving(form) as saved:
            cooperation_service.update_cooperation(db.session, cooperation, form.values(), form.expected_version)
        if saved:
            flash(_("Änderungen an der Kooperation gespeichert."), "success")
            return redirect(url_for("cooperations.show", cooperation_id=cooperation.id))
        cooperation = _load(cooperation_id)
        if saved.conflict is not None:
            conflict = saved.conflict
            differences = actor_service.differences(cooperation, form.values(), cooperation_service.EDITABLE_FIELDS)
            form.version_id.data = str(cooperation.version_id)
    status = 409 if conflict else (422 if form.errors else 200)
    return render_template("cooperations/form.html", form=form, c=cooperation, conflict=conflict,
                           differences=differences), status


@bp.route("/<int:cooperation_id>/beenden", methods=["GET", "POST"])
@requires(Permission.EDIT_LANDSCAPE)
def end(cooperation_id: int):
    """End a tie (default today). The row stays: the actor page shows it as ended."""
    cooperation = _load(cooperation_id)
    form = EndForm()
    if request.method == "GET":
        form.version_id.data = str(cooperation.version_id)
    back_actor = _actor_arg()
    if back_actor is not None and back_actor.id not in (cooperation.source_id, cooperation.target_id):
        back_actor = None
    conflict = None
    if form.validate_on_submit():
        with saving(form) as saved:
            cooperation_service.end_cooperation(db.session, cooperation, form.end_date.data, form.expected_version)
        if not saved:
            cooperation = _load(cooperation_id)
            if saved.conflict is not None:
                conflict = saved.conflict
                form.version_id.data = str(cooperation.version_id)
        else:
            flash(_("Kooperation „%(label)s“ beendet zum %(date)s.", label=cooperation_service.label(cooperation),
                    date=f"{form.end_date.data:%d.%m.%Y}"), "success")
            if back_actor is not None:
                return redirect(url_for("actors.show", actor_id=back_actor.id, _anchor="kooperationen"))
            return redirect(url_for("cooperations.show", cooperation_id=cooperation.id))
    status = 409 if conflict else (422 if form.errors else 200)
    return render_template("cooperations/end.html", form=form, c=cooperation, conflict=conflict,
                           back_actor=back_actor), status


@bp.route("/<int:cooperation_id>/loeschen", methods=["GET", "POST"])
@requires(Permission.DELETE_RECORDS)
def delete(cooperation_id: int):
    cooperation = _load(cooperation_id)
    form = ConfirmDeleteForm()
    if form.validate_on_submit():
        label, source_id = cooperation_service.label(cooperation), cooperation.source_id
        with saving() as saved:
            cooperation_service.delete_cooperation(db.session, cooperation)
        if saved:
            flash(_("Kooperation „%(label)s“ gelöscht.", label=label), "success")
            return redirect(url_for("actors.show", actor_id=source_id, _anchor="kooperationen"))
        cooperation = _load(cooperation_id)
    return render_template(
        "actors/_confirm_delete.html", form=form, title=_("Kooperation löschen"),
        what=cooperation_service.label(cooperation), consequences=[],
        hint=_("Ist die Zusammenarbeit vorbei, beenden Sie die Kooperation, statt sie zu löschen: so bleibt die "
               "Geschichte des Netzwerks erhalten."),
        back=url_for("cooperations.show", cooperation_id=cooperation.id)), 422 if form.errors else 200
