"""Persons: list, page, form with the first affiliation and duplicate warning, affiliations, delete, merge.

Everything here is personal data: every route needs VIEW_PERSONAL_DATA, changes need
EDIT_LANDSCAPE too, deleting and merging DELETE_RECORDS.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from crm.extensions import db
from crm.forms.actors import ConfirmDeleteForm
from crm.forms.cooperations import EndForm
from crm.forms.persons import LEGAL_BASIS_LABELS, AffiliationForm, PersonForm, PersonMergeForm
from crm.models import Actor, Affiliation, Person
from crm.permissions import Permission, can, requires
from crm.services.landscape import actors as actor_service
from crm.services.landscape import duplicates, merge
from crm.services.landscape import persons as person_service
from crm.services.landscape.directory import parse_id
from crm.transaction import saving

bp = Blueprint("persons", __name__, url_prefix="/personen")

VIEW = (Permission.VIEW_PERSONAL_DATA,)
EDIT = (Permission.VIEW_PERSONAL_DATA, Permission.EDIT_LANDSCAPE)
DELETE = (Permission.VIEW_PERSONAL_DATA, Permission.DELETE_RECORDS)


def _load(person_id: int, *, editable: bool = False) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    if editable and person.is_anonymised:
        flash(_("Diese Person ist anonymisiert und kann nicht mehr bearbeitet werden."), "warning")
        abort(redirect(url_for("persons.show", person_id=person.id)))
    return person


def _affiliation(affiliation_id: int) -> Affiliation:
    affiliation = db.session.get(Affiliation, affiliation_id)
    if affiliation is None:
        abort(404)
    return affiliation


@bp.route("/")
@requires(*VIEW)
def index():
    person_filter = person_service.person_filter_from_args(db.session, request.args)
    page = person_service.person_page(db.session, person_filter)
    return render_template("persons/index.html", page=page, filter=person_filter, today=date.today(),
                           filter_actor=db.session.get(Actor, person_filter.actor_id) if person_filter.actor_id
                           else None)


@bp.route("/<int:person_id>")
@requires(*VIEW)
def show(person_id: int):
    person = _load(person_id)
    today = date.today()
    return render_template(
        "persons/show.html", person=person, today=today, legal_basis_labels=LEGAL_BASIS_LABELS,
        current=[a for a in person.affiliations if a.is_current(today)],
        former=[a for a in person.affiliations if not a.is_current(today)],
        events=person_service.events_of_person(db.session, person.id),
        history=actor_service.history(db.session, "Person", person.id) if can(Permission.EDIT_LANDSCAPE) else [])


@bp.route("/neu", methods=["GET", "POST"])
@requires(*EDIT)
def create():
    form = PersonForm()
    if request.method == "GET":
        raw = request.args.get("akteur", "")
        actor = db.session.get(Actor, parse_id(raw)) if parse_id(raw) else None
        if actor is not None:
            form.actor.process(None, actor)
    candidates: list = []
    person: Person | None = None
    if form.validate_on_submit():
        values = form.values()
        with saving(form) as saved:
            duplicates.lock_creation(db.session, "person")
            if not form.confirm_duplicate.data:
                candidates = duplicates.person_candidates(
                    db.session, values["first_name"], values["last_name"],
                    email=values["email"] or (form.work_email.data or "").strip())
            if not candidates:
                person = person_service.create_person(db.session, values)
                affiliation = form.affiliation_values()
                if affiliation is not None:
                    person_service.add_affiliation(db.session, person, affiliation)
        if saved and person is not None:
            flash(_("Person „%(name)s“ angelegt.", name=person.full_name), "success")
            return redirect(url_for("persons.show", person_id=person.id))
    status = 422 if form.errors or candidates else 200
    return render_template("persons/form.html", form=form, person=None, candidates=candidates), status


@bp.route("/<int:person_id>/bearbeiten", methods=["GET", "POST"])
@requires(*EDIT)
def edit(person_id: int):
    person = _load(person_id, editable=True)
    form = PersonForm(person=person)
    conflict, differences = None, []
    if form.validate_on_submit():
        with saving(form) as saved:
            person_service.update_person(db.session, person, form.values(), form.expected_version)
        if saved:
            flash(_("Änderungen an „%(name)s“ gespeichert.", name=person.full_name), "success")
            return redirect(url_for("persons.show", person_id=person.id))
        person = _load(person_id)
        if saved.conflict is not None:
            conflict = saved.conflict
            differences = actor_service.differences(person, form.values(), person_service.EDITABLE_FIELDS)
            form.version_id.data = str(person.version_id)
    status = 409 if conflict else (422 if form.errors else 200)
    return render_template("persons/form.html", form=form, person=person, conflict=conflict,
                           differences=differences), status


@bp.route("/<int:person_id>/loeschen", methods=["GET", "POST"])
@requires(*DELETE)
def delete(person_id: int):
    person = _load(person_id)
    form = ConfirmDeleteForm()
    if form.validate_on_submit():
        name = person.full_name
        with saving() as saved:
            person_service.delete_person(db.session, person)
        if saved:
            flash(_("Person „%(name)s“ gelöscht.", name=name), "success")
            return redirect(url_for("persons.index"))
        person = _load(person_id)
    events = person_service.events_of_person(db.session, person.id)
    consequences = [_("%(num)d Zugehörigkeit(en)", num=len(person.affiliations))] if person.affiliations else []
    if events:
        consequences.append(_("%(num)d Einladung(en) bzw. Teilnahme(n)", num=len(events)))
    hint = _("Möchte eine Person gelöscht werden (Art. 17 DSGVO), nutzen Sie die Anonymisierung auf der "
             "Datenschutzseite: dann stimmen die Teilnahmezahlen weiter.")
    return render_template("actors/_confirm_delete.html", form=form, title=_("Person löschen"),
                           what=person.full_name, consequences=consequences, hint=hint,
                           back=url_for("persons.show", person_id=person.id)), 422 if form.errors else 200


@bp.route("/<int:person_id>/zusammenfuehren", methods=["GET", "POST"])
@requires(*DELETE)
def merge_with(person_id: int):
    person = _load(person_id, editable=True)
    form = PersonMergeForm()
    raw_other = request.form.get("other_id") if request.method == "POST" else request.args.get("mit_id", "")
    other = db.session.get(Person, parse_id(raw_other)) if parse_id(raw_other) else None
    if other is None and request.method == "GET" and request.args.get("mit"):
        found = [p for p in person_service.suggest_persons(db.session, request.args["mit"], limit=3)
                 if p.id != person.id]
        if len(found) == 1:
            other = found[0]
        else:
            flash(_("Bitte wählen Sie genau eine Person aus der Vorschlagsliste."), "warning")
    if other is not None and (other.id == person.id or other.is_anonymised):
        flash(_("Diese Person kann hier nicht zusammengeführt werden."), "warning")
        other = None
    if other is None:
        if request.method == "POST":
            abort(400)
        candidates = duplicates.person_candidates(db.session, person.first_name, person.last_name,
                                                  email=person.email, exclude_id=person.id)
        return render_template("persons/merge_pick.html", person=person, candidates=candidates)
    if form.validate_on_submit():
        keep, gone = (person, other) if form.keep.data == "this" else (other, person)
        with saving() as saved:
            result = merge.merge_persons(db.session, keep, gone)
        if not saved:
            return redirect(url_for("persons.show", person_id=person.id))
        flash(_("„%(gone)s“ wurde in „%(keep)s“ übernommen und gelöscht.", gone=result.merged_name,
                keep=keep.full_name), "success")
        return redirect(url_for("persons.show", person_id=keep.id))
    form.other_id.data = str(other.id)
    if request.method == "GET":
        form.keep.data = "this" if person.id < other.id else "other"
    return render_template("persons/merge.html", person=person, other=other, form=form,
                           events={p.id: len(person_service.events_of_person(db.session, p.id))
                                   for p in (person, other)}), 422 if form.errors else 200


# --------------------------------------------------------------------------- affiliations

@bp.route("/<int:person_id>/zugehoerigkeiten/neu", methods=["GET", "POST"])
@requires(*EDIT)
def add_affiliation(person_id: int):
    person = _load(person_id, editable=True)
    form = AffiliationForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            affiliation = person_service.add_affiliation(db.session, person, form.values())
        if saved:
            flash(_("Zugehörigkeit zu „%(actor)s“ gespeichert.", actor=affiliation.actor.name), "success")
            return redirect(url_for("persons.show", person_id=person.id))
        person = _load(person_id)
    return render_template("persons/affiliation_form.html", form=form, person=person, affiliation=None), \
        422 if form.errors else 200


@bp.route("/zugehoerigkeiten/<int:affiliation_id>/bearbeiten", methods=["GET", "POST"])
@requires(*EDIT)
def edit_affiliation(affiliation_id: int):
    affiliation = _affiliation(affiliation_id)
    _load(affiliation.person_id, editable=True)  # an anonymised person is not edited
    form = AffiliationForm(affiliation=affiliation)
    if request.method == "GET":
        form.fingerprint.data = person_service.fingerprint(affiliation)
    conflict = None
    if form.validate_on_submit():
        with saving(form) as saved:
            person_service.update_affiliation(db.session, affiliation, form.values(), form.fingerprint.data)
        if saved:
            flash(_("Zugehörigkeit gespeichert."), "success")
            return redirect(url_for("persons.show", person_id=affiliation.person_id))
        affiliation = _affiliation(affiliation_id)
        if saved.conflict is not None:
            conflict = saved.conflict
            form.fingerprint.data = person_service.fingerprint(affiliation)
    status = 409 if conflict else (422 if form.errors else 200)
    return render_template("persons/affiliation_form.html", form=form, person=affiliation.person,
                           affiliation=affiliation, conflict=conflict), status


@bp.route("/zugehoerigkeiten/<int:affiliation_id>/beenden", methods=["GET", "POST"])
@requires(*EDIT)
def end_affiliation(affiliation_id: int):
    affiliation = _affiliation(affiliation_id)
    _load(affiliation.person_id, editable=True)
    form = EndForm()
    if form.validate_on_submit():
        with saving(form, fallback="end_date") as saved:
            person_service.end_affiliation(db.session, affiliation, form.end_date.data)
        if saved:
            flash(_("Zugehörigkeit zu „%(actor)s“ beendet.", actor=affiliation.actor.name), "success")
            return redirect(url_for("persons.show", person_id=affiliation.person_id))
        affiliation = _affiliation(affiliation_id)
    return render_template("persons/end_affiliation.html", form=form, affiliation=affiliation), \
        422 if form.errors else 200


@bp.route("/zugehoerigkeiten/<int:affiliation_id>/loeschen", methods=["GET", "POST"])
@requires(*DELETE)
def delete_affiliation(affiliation_id: int):
    affiliation = _affiliation(affiliation_id)
    person_id = affiliation.person_id
    form = ConfirmDeleteForm()
    if form.validate_on_submit():
        with saving() as saved:
            person_service.delete_affiliation(db.session, affiliation)
        if saved:
            flash(_("Zugehörigkeit gelöscht."), "success")
            return redirect(url_for("persons.show", person_id=person_id))
        affiliation = _affiliation(affiliation_id)
    what = f"{affiliation.person.full_name} – {affiliation.actor.name}" + (
        f" ({affiliation.function})" if affiliation.function else "")
    return render_template("actors/_confirm_delete.html", form=form, title=_("Zugehörigkeit löschen"), what=what,
                           consequences=[], hint=_("Hat die Person die Funktion abgegeben, beenden Sie die "
                                                   "Zugehörigkeit, statt sie zu löschen."),
                           back=url_for("persons.show", person_id=person_id)), 422 if form.errors else 200
