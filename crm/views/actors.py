"""Actor directory, actor page, the actor form with duplicate warning, delete and merge."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from crm.extensions import db
from crm.forms.actors import ActorForm, ActorMergeForm, ConfirmDeleteForm
from crm.forms.cooperations import EndForm, QuickCooperationForm
from crm.models import Actor
from crm.permissions import Permission, can, requires
from crm.service_labels import labels
from crm.services.landscape import actors as actor_service
from crm.services.landscape import cooperations as cooperation_service
from crm.services.landscape import directory, duplicates, merge
from crm.services.landscape import initiatives as initiative_service
from crm.services.landscape import persons as person_service
from crm.services.landscape.directory import parse_id
from crm.services.landscape.initiatives import ROLE_LABELS
from crm.services.offers import offers as offer_service
from crm.transaction import saving

bp = Blueprint("actors", __name__, url_prefix="/akteure")


def _load(actor_id: int) -> Actor:
    actor = db.session.get(Actor, actor_id)
    if actor is None:
        abort(404)
    return actor


@bp.route("/")
@requires(Permission.VIEW_LANDSCAPE)
def index():
    actor_filter = directory.actor_filter_from_args(request.args, db.session)
    actor_filter.search_private = can(Permission.VIEW_PERSONAL_DATA)
    page = directory.directory_page(db.session, actor_filter)
    return render_template("actors/index.html", page=page, filter=actor_filter,
                           choices=directory.filter_choices(db.session), sorts=directory.SORTS,
                           active_choices=directory.ACTIVE_CHOICES)


def page_context(actor: Actor, quick_form: QuickCooperationForm | None = None) -> dict[str, Any]:
    """Everything the actor page shows; also used when the quick capture is refused (422)."""
    today = date.today()
    personal = can(Permission.VIEW_PERSONAL_DATA)
    # A hub of a Land has thousands of ties: one page of them, the counts of all (issue 13).
    ties = cooperation_service.ties_of_actor(db.session, actor.id, directory.parse_page(request.args.get("seite")),
                                             today=today)
    people = person_service.people_of_actor(db.session, actor.id, today) if personal else None
    if quick_form is None and can(Permission.EDIT_LANDSCAPE):
        quick_form = QuickCooperationForm(formdata=None, actor_id=actor.id)
    return {
        "actor": actor, "today": today, "personal": personal,
        "timeline": cooperation_service.timeline(ties.page.items), "ties": ties,
        # One rule for "running" (cooperation_status): a tie ending today still runs today.
        "current_count": ties.running, "ended_count": ties.ended,
        "tie_status": cooperation_service.cooperation_status, "may_end": cooperation_service.may_end,
        "current_people": people.current if people else [],
        "current_people_total": people.current_total if people else 0,
        "former_people": people.former if people else [],
        "former_people_total": people.former_total if people else 0,
        "memberships": initiative_service.memberships_of_actor(db.session, actor.id),
        "role_labels": labels(ROLE_LABELS),
        "events": actor_service.events_attended(db.session, actor.id),
        "history": actor_service.history(db.session, "Actor", actor.id) if can(Permission.EDIT_LANDSCAPE) else [],
        "quick_form": quick_form, "end_form": EndForm(formdata=None),
        "intensity_labels": labels(cooperation_service.INTENSITY_LABELS),
        "offers": offer_service.offers_of_actor(db.session, actor.id),
        "offer_status_labels": labels(offer_service.STATUS_LABELS),
    }


@bp.route("/<int:actor_id>")
@requires(Permission.VIEW_LANDSCAPE)
def show(actor_id: int):
    return render_template("actors/show.html", **page_context(_load(actor_id)))


@bp.route("/neu", methods=["GET", "POST"])
@requires(Permission.EDIT_LANDSCAPE)
def create():
    form = ActorForm()
    candidates: list = []
    actor: Actor | None = None
    if form.validate_on_submit():
        values = form.values()
        with saving(form, fallback="name") as saved:
            duplicates.lock_creation(db.session, "actor")
            if not form.confirm_duplicate.data:
                candidates = duplicates.actor_candidates(db.session, values["name"], email=values["email"],
                                                         external_ref=values["external_ref"])
            if not candidates:
                actor = actor_service.create_actor(db.session, values)
        if saved and actor is not None:
            flash(_("Akteur „%(name)s“ angelegt.", name=actor.name), "success")
            return redirect(url_for("actors.show", actor_id=actor.id))
    # Resembling actors: nothing is saved until the user confirms (422: the form needs an answer).
    status = 422 if form.errors or candidates else 200
    return render_template("actors/form.html", form=form, actor=None, candidates=candidates), status


@bp.route("/<int:actor_id>/bearbeiten", methods=["GET", "POST"])
@requires(Permission.EDIT_LANDSCAPE)
def edit(actor_id: int):
    actor = _load(actor_id)
    form = ActorForm(actor=actor)
    if request.method == "GET":
        form.version_id.data = str(actor.version_id)
    conflict, differences = None, []
    if form.validate_on_submit():
        with saving(form, fallback="name") as saved:
            actor_service.update_actor(db.session, actor, form.values(), form.expected_version)
        if saved:
            flash(_("Änderungen an „%(name)s“ gespeichert.", name=actor.name), "success")
            return redirect(url_for("actors.show", actor_id=actor.id))
        actor = _load(actor_id)
        if saved.conflict is not None:
            conflict = saved.conflict
            differences = actor_service.differences(actor, form.values())
            # The next save is a deliberate decision against the newer version.
            form.version_id.data = str(actor.version_id)
    status = 409 if conflict else (422 if form.errors else 200)
    return render_template("actors/form.html", form=form, actor=actor, conflict=conflict,
                           differences=differences), status


@bp.route("/<int:actor_id>/loeschen", methods=["GET", "POST"])
@requires(Permission.DELETE_RECORDS)
def delete(actor_id: int):
    actor = _load(actor_id)
    form = ConfirmDeleteForm()
    if form.validate_on_submit():
        name = actor.name
        with saving() as saved:
            actor_service.delete_actor(db.session, actor)
        if saved:
            flash(_("Akteur „%(name)s“ gelöscht.", name=name), "success")
            return redirect(url_for("actors.index"))
        actor = _load(actor_id)
    return render_template("actors/_confirm_delete.html", form=form, title=_("Akteur löschen"), what=actor.name,
                           consequences=consequences(actor_service.tie_counts(db.session, actor)),
                           hint=_("Gibt es den Akteur nicht mehr, setzen Sie ihn besser auf „inaktiv“; doppelte "
                                  "Einträge führen Sie zusammen."),
                           back=url_for("actors.show", actor_id=actor.id)), 422 if form.errors else 200


def consequences(counts: dict[str, int]) -> list[str]:
    """What goes with an actor, in words (only the non-zero counts)."""
    texts = {
        "cooperations": lambda n: _("%(num)d Kooperation(en) werden gelöscht", num=n),
        "memberships": lambda n: _("%(num)d Mitgliedschaft(en) in Initiativen werden gelöscht", num=n),
        "affiliations": lambda n: _("%(num)d Zugehörigkeit(en) von Personen werden gelöscht (die Personen bleiben)",
                                    num=n),
        "children": lambda n: _("%(num)d untergeordnete(r) Akteur(e) verlieren die Zuordnung", num=n),
        "invitations": lambda n: _("%(num)d Einladung(en) nennen den Akteur nicht mehr", num=n),
        "attendances": lambda n: _("%(num)d Teilnahme(n) nennen den Akteur nicht mehr", num=n),
    }
    return [texts[key](count) for key, count in counts.items() if count and key in texts]


@bp.route("/<int:actor_id>/zusammenfuehren", methods=["GET", "POST"])
@requires(Permission.DELETE_RECORDS)
def merge_with(actor_id: int):
    """Step 1 (GET without ``mit``): pick the duplicate. Step 2: compare, choose, confirm (POST)."""
    actor = _load(actor_id)
    form = ActorMergeForm()
    raw_other = request.form.get("other_id") if request.method == "POST" else request.args.get("mit_id")
    other_id = parse_id(raw_other)
    other = db.session.get(Actor, other_id) if other_id else None
    if other is None and request.method == "GET" and request.args.get("mit"):
        found = directory.suggest_actors(db.session, request.args["mit"], limit=2, exclude_id=actor.id)
        if len(found) == 1:
            other = found[0]
        else:
            flash(_("Bitte wählen Sie genau einen Akteur aus der Vorschlagsliste."), "warning")
    if other is not None and other.id == actor.id:
        flash(_("Ein Akteur kann nicht mit sich selbst zusammengeführt werden."), "warning")
        other = None
    if other is None:
        if request.method == "POST":
            abort(400)
        candidates = duplicates.actor_candidates(db.session, actor.name, email=actor.email, exclude_id=actor.id)
        return render_template("actors/merge_pick.html", actor=actor, candidates=candidates)
    if form.validate_on_submit():
        keep, gone = (actor, other) if form.keep.data == "this" else (other, actor)
        with saving() as saved:
            result = merge.merge_actors(db.session, keep, gone)
        if not saved:
            return redirect(url_for("actors.show", actor_id=actor.id))
        flash(_("„%(gone)s“ wurde in „%(keep)s“ übernommen und gelöscht.", gone=result.merged_name,
                keep=keep.name), "success")
        return redirect(url_for("actors.show", actor_id=keep.id))
    form.other_id.data = str(other.id)
    if request.method == "GET":
        form.keep.data = "this" if actor.id < other.id else "other"
    return render_template("actors/merge.html", actor=actor, other=other, form=form,
                           counts={actor.id: actor_service.tie_counts(db.session, actor),
                                   other.id: actor_service.tie_counts(db.session, other)}), \
        422 if form.errors else 200
