"""Actor directory, actor page and the actor form."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from crm.extensions import db
from crm.forms.actors import ActorForm
from crm.models import Actor
from crm.permissions import Permission, requires
from crm.services import actors as actor_service
from crm.services.errors import ConcurrentEditError

bp = Blueprint("actors", __name__, url_prefix="/akteure")


def _load(actor_id: int) -> Actor:
    actor = db.session.get(Actor, actor_id)
    if actor is None:
        abort(404)
    return actor


@bp.route("/")
@requires(Permission.VIEW_LANDSCAPE)
def index():
    text = request.args.get("q", "")
    page = request.args.get("seite", 1, type=int)
    actors, total = actor_service.search_actors(db.session, text, page=page)
    return render_template("actors/index.html", actors=actors, total=total, q=text, page=page, per_page=50)


@bp.route("/<int:actor_id>")
@requires(Permission.VIEW_LANDSCAPE)
def show(actor_id: int):
    return render_template("actors/show.html", actor=_load(actor_id))


@bp.route("/neu", methods=["GET", "POST"])
@requires(Permission.EDIT_LANDSCAPE)
def create():
    form = ActorForm()
    if form.validate_on_submit():
        actor = actor_service.create_actor(db.session, form.values())
        db.session.commit()
        flash(_("Akteur „%(name)s“ angelegt.", name=actor.name), "success")
        return redirect(url_for("actors.show", actor_id=actor.id))
    return render_template("actors/form.html", form=form, actor=None), 422 if form.errors else 200


@bp.route("/<int:actor_id>/bearbeiten", methods=["GET", "POST"])
@requires(Permission.EDIT_LANDSCAPE)
def edit(actor_id: int):
    actor = _load(actor_id)
    form = ActorForm(actor=actor)
    if request.method == "GET":
        form.version_id.data = str(actor.version_id)
    conflict, differences = None, []
    if form.validate_on_submit():
        try:
            actor_service.update_actor(db.session, actor, form.values(), form.expected_version)
            db.session.commit()
            flash(_("Änderungen an „%(name)s“ gespeichert.", name=actor.name), "success")
            return redirect(url_for("actors.show", actor_id=actor.id))
        except ConcurrentEditError as error:
            db.session.rollback()
            conflict = error
            actor = _load(actor_id)
            differences = actor_service.differences(actor, form.values())
            # The next save is a deliberate decision against the newer version.
            form.version_id.data = str(actor.version_id)
    status = 409 if conflict else (422 if form.errors else 200)
    return render_template("actors/form.html", form=form, actor=actor, conflict=conflict,
                           differences=differences), status
