"""The door and the attendance: check-in, walk-ins, the paper list, the list for funders."""
from __future__ import annotations

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from crm.extensions import db
from crm.forms.events import ConfirmForm, WalkInForm
from crm.models import Event, Person
from crm.permissions import requires
from crm.service_labels import labels
from crm.services.errors import ServiceError
from crm.services.events import attendance, attendance_lists, invitations
from crm.views.events import bp
from crm.views.events.common import MANAGE, flash_error, load_event, load_person


@bp.route("/<int:event_id>/einlass")
@requires(*MANAGE)
def checkin(event_id: int):
    event = load_event(event_id)
    guests = attendance.guests(db.session, event)
    return render_template("events/checkin.html", event=event, guests=guests, walk_in_form=WalkInForm(),
                           answer_labels=labels(invitations.ANSWER_LABELS), form=ConfirmForm(),
                           present=sum(1 for g in guests if g.is_present))


def _door_response(event: Event, person: Person, present: bool, status: int = 200, message: str = ""):
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        count = attendance.present_count(db.session, event)
        return jsonify({"person_id": person.id, "present": present, "count": count, "message": message}), status
    if message:
        flash(message, "success" if status < 400 else "danger")
    return redirect(url_for("events.checkin", event_id=event.id))


@bp.route("/<int:event_id>/einlass/<int:person_id>", methods=["POST"])
@requires(*MANAGE)
def check_in(event_id: int, person_id: int):
    """One click at the door; answers JSON to the page's script (and redirects without script)."""
    event, person = load_event(event_id), load_person(person_id)
    try:
        attendance.check_in(db.session, event, person)
        db.session.commit()
    except IntegrityError:  # the other door device was faster: the person is present either way
        db.session.rollback()
    except ServiceError as error:
        db.session.rollback()
        return _door_response(event, person, False, 409, error.message)
    return _door_response(event, person, True, message=_("%(name)s ist eingecheckt.", name=person.full_name))


@bp.route("/<int:event_id>/einlass/<int:person_id>/zuruecknehmen", methods=["POST"])
@requires(*MANAGE)
def undo_check_in(event_id: int, person_id: int):
    event, person = load_event(event_id), load_person(person_id)
    attendance.undo_check_in(db.session, event, person)
    db.session.commit()
    return _door_response(event, person, False, message=_("Einlass von %(name)s zurückgenommen.",
                                                          name=person.full_name))


@bp.route("/<int:event_id>/einlass/neu", methods=["POST"])
@requires(*MANAGE)
def walk_in(event_id: int):
    event = load_event(event_id)
    form = WalkInForm()
    if form.validate_on_submit():
        try:
            person, _attendance = attendance.walk_in(db.session, event, form.first_name.data or "",
                                                     form.last_name.data or "", form.actor.actor,
                                                     form.email.data or "")
            name = person.full_name
            db.session.commit()
            flash(_("%(name)s ist eingecheckt.", name=name), "success")
            return redirect(url_for("events.checkin", event_id=event.id))
        except ServiceError as error:
            db.session.rollback()
            getattr(form, error.field or "last_name").errors.append(error.message)
        except IntegrityError:  # checked in at another door device in the same moment
            db.session.rollback()
            form.last_name.errors.append(_("Diese Person wurde im selben Moment an einem anderen Gerät eingecheckt."))
    guests = attendance.guests(db.session, event)
    return render_template("events/checkin.html", event=event, guests=guests, walk_in_form=form,
                           answer_labels=labels(invitations.ANSWER_LABELS), form=ConfirmForm(),
                           present=sum(1 for g in guests if g.is_present)), 422


@bp.route("/<int:event_id>/teilnahme", methods=["GET", "POST"])
@requires(*MANAGE)
def paper_list(event_id: int):
    event = load_event(event_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            ids = [int(v) for v in request.form.getlist("present") if v.isdigit()]
            shown = [int(v) for v in request.form.getlist("shown_present") if v.isdigit()]
            added, removed = attendance.record_paper_list(db.session, event, ids, shown)
            db.session.commit()
            flash(_("Teilnahme gespeichert: %(added)s ergänzt, %(removed)s entfernt.", added=added, removed=removed),
                  "success")
            return redirect(url_for("events.paper_list", event_id=event.id))
        except ServiceError as error:
            db.session.rollback()
            flash_error(error)
        except IntegrityError:  # the door checked someone in while this list was saved
            db.session.rollback()
            flash(_("Am Einlass wurde gerade jemand eingecheckt. Bitte prüfen Sie die Liste und speichern Sie "
                    "erneut."), "warning")
    return render_template("events/paper_list.html", event=event, guests=attendance.guests(db.session, event),
                           form=form, walk_in_form=WalkInForm(), answer_labels=labels(invitations.ANSWER_LABELS))


def _download(data: bytes, mimetype: str, event: Event, extension: str) -> Response:
    name = f"teilnehmerliste-{event.id}.{extension}"
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/<int:event_id>/teilnehmerliste.pdf")
@requires(*MANAGE)
def attendance_pdf(event_id: int):
    event = load_event(event_id)
    return _download(attendance_lists.pdf(db.session, event), "application/pdf", event, "pdf")


@bp.route("/<int:event_id>/teilnehmerliste.xlsx")
@requires(*MANAGE)
def attendance_xlsx(event_id: int):
    event = load_event(event_id)
    return _download(attendance_lists.xlsx(db.session, event),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", event, "xlsx")
