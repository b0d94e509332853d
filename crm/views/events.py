"""Events: list, form, invitation list, sending, reminders, mail texts, outbox, door, attendance, statistics.

Viewers (VIEW_EVENTS) see the list, the event page and the statistics without personal data;
names, addresses, the door and the attendance list need VIEW_PERSONAL_DATA as well, and every
change needs MANAGE_EVENTS.
"""
from __future__ import annotations

from typing import Any, Callable

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from crm.extensions import db
from crm.forms.events import (
    CancelForm, ConfirmForm, EventForm, ListFilterForm, MailTemplateForm, OrganiserAnswerForm, ReminderForm,
    WalkInForm,
)
from crm.models import Answer, Event, EventStatus, Invitation, MessageState, OutboxMessage, Person
from crm.permissions import Permission, can, requires
from crm.service_labels import EVENT_STATUS, label, labels
from crm.services import (
    attendance, attendance_lists, audit, event_stats, events as event_service, invitation_lists, invitations,
    mail_templates, outbox,
)
from crm.services.errors import ConcurrentEditError, ServiceError
from crm.views.form_errors import attach

bp = Blueprint("events", __name__, url_prefix="/veranstaltungen")

MANAGE = (Permission.MANAGE_EVENTS, Permission.VIEW_PERSONAL_DATA)


def _load(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    return event


def _person(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    return person


def _invitation(event: Event, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.event_id != event.id:
        abort(404)
    return invitation


def _flash_error(error: ServiceError) -> None:
    flash(error.message, "danger")


def _concurrent() -> str:
    """Two sessions changed the same rows at the same moment; the database refused the second."""
    return _("Jemand anderes hat diese Veranstaltung im selben Moment geändert. Bitte prüfen Sie den Stand und "
             "versuchen Sie es gegebenenfalls erneut.")


# --- list, page, form -------------------------------------------------------------------------

@bp.route("/")
@requires(Permission.VIEW_EVENTS)
def index():
    return render_template("events/index.html", rows=event_service.list_events(db.session),
                           labels=labels(event_service.STATUS_LABELS, EVENT_STATUS))


def _render_show(event: Event, status: int = 200):
    personal = can(Permission.VIEW_PERSONAL_DATA)
    rows = invitations.invitation_rows(db.session, event) if personal else []
    return render_template(
        "events/show.html", event=event, rows=rows, personal=personal,
        stats=event_stats.for_event(db.session, event).total,
        message_counts=outbox.event_counts(db.session, event.id),
        unsent=sum(1 for r in rows if r.invited_at is None),
        labels=labels(event_service.STATUS_LABELS, EVENT_STATUS),
        answer_labels=labels(invitations.ANSWER_LABELS), confirm_form=ConfirmForm(), cancel_form=CancelForm(),
        answer_choices=OrganiserAnswerForm().answer.choices,
        when=event_service.format_when(event), deadline=event_service.format_moment(event.answer_deadline),
        can_answer=invitations.can_answer(event), MessageState=MessageState,
        base_url_problem=invitations.base_url_problem(), sending_blocked=invitations.sending_blocked()), status


@bp.route("/<int:event_id>")
@requires(Permission.VIEW_EVENTS)
def show(event_id: int):
    return _render_show(_load(event_id))


@bp.route("/neu", methods=["GET", "POST"])
@requires(Permission.MANAGE_EVENTS)
def create():
    form = EventForm()
    if request.method == "GET":
        form.contact_name.data = current_user.name or ""
        form.contact_email.data = current_user.email
    if form.validate_on_submit():
        try:
            event = event_service.create_event(db.session, form.values())
        except ServiceError as error:
            db.session.rollback()
            attach(form, error, fallback="title")
        else:
            db.session.commit()
            flash(_("Veranstaltung „%(title)s“ angelegt. Als Nächstes: die Einladungsliste.", title=event.title),
                  "success")
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=None), 422 if form.errors else 200


@bp.route("/<int:event_id>/bearbeiten", methods=["GET", "POST"])
@requires(Permission.MANAGE_EVENTS)
def edit(event_id: int):
    event = _load(event_id)
    if event.status == EventStatus.CANCELLED:
        flash(_("Eine abgesagte Veranstaltung kann nicht mehr geändert werden."), "warning")
        return redirect(url_for("events.show", event_id=event.id))
    form = EventForm(event=event)
    conflict = None
    if form.validate_on_submit():
        try:
            _event, queued = event_service.update_event(db.session, event, form.values(), form.expected_version,
                                                        notify=form.notify.data)
            if queued:
                audit.record(db.session, "send", event, f"Änderung an {queued} Eingeladene versendet",
                             {"sequence": event.ical_sequence, "queued": queued})
            db.session.commit()
            message = _("Änderungen gespeichert.")
            if queued:
                message += " " + _("%(count)s Eingeladene erhalten eine Änderungsmitteilung mit neuem "
                                   "Kalendereintrag.", count=queued)
            flash(message, "success")
            return redirect(url_for("events.show", event_id=event.id))
        except ConcurrentEditError as error:
            db.session.rollback()
            conflict = error
            event = _load(event_id)
            form.version_id.data = str(event.version_id)
        except ServiceError as error:
            db.session.rollback()
            attach(form, error, fallback="title")
    status = 409 if conflict else (422 if form.errors else 200)
    return render_template("events/form.html", form=form, event=event, conflict=conflict), status


@bp.route("/<int:event_id>/absagen", methods=["POST"])
@requires(Permission.MANAGE_EVENTS)
def cancel(event_id: int):
    event = _load(event_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("Bitte bestätigen Sie die Absage mit dem Häkchen."), "danger")
        return redirect(url_for("events.show", event_id=event.id))
    try:
        queued = event_service.cancel_event(db.session, event)
    except ServiceError as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(url_for("events.show", event_id=event.id))
    audit.record(db.session, "send", event, f"Veranstaltung abgesagt, {queued} Absagen versendet",
                 {"sequence": event.ical_sequence, "queued": queued})
    db.session.commit()
    flash(_("Die Veranstaltung ist abgesagt. %(count)s Eingeladene erhalten die Absage mit "
            "Kalender-Löschung.", count=queued), "success")
    return redirect(url_for("events.show", event_id=event.id))


def _change_status(event_id: int, change: Callable[[Any, Event], Any], done: str):
    """Publish or close an event (confirmed by a POST with CSRF) and tell what happened."""
    event = _load(event_id)
    if ConfirmForm().validate_on_submit():
        try:
            change(db.session, event)
            db.session.commit()
            flash(done, "success")
        except ServiceError as error:
            db.session.rollback()
            _flash_error(error)
        except StaleDataError:
            db.session.rollback()
            flash(_concurrent(), "danger")
    return redirect(url_for("events.show", event_id=event.id))


@bp.route("/<int:event_id>/veroeffentlichen", methods=["POST"])
@requires(Permission.MANAGE_EVENTS)
def publish(event_id: int):
    """A draft becomes published without mail: for trainings announced elsewhere, the door opens."""
    return _change_status(event_id, event_service.publish, _(
        "Die Veranstaltung ist veröffentlicht. Einlass und Teilnahme können jetzt erfasst werden; "
        "Einladungen versenden Sie wie gewohnt über die Einladungsliste."))


@bp.route("/<int:event_id>/abschliessen", methods=["POST"])
@requires(Permission.MANAGE_EVENTS)
def mark_done(event_id: int):
    return _change_status(event_id, event_service.mark_done, _("Die Veranstaltung ist abgeschlossen."))


# --- invitation list --------------------------------------------------------------------------

def _filter_from(form: ListFilterForm) -> invitation_lists.ListFilter:
    return invitation_lists.ListFilter(
        actor_kind_ids=form.actor_kinds.data or [], area_ids=form.areas.data or [],
        life_stage_ids=form.life_stages.data or [], topic_ids=form.topics.data or [],
        initiative_ids=form.initiatives.data or [], attended_event_ids=form.attended.data or [],
        not_attended_event_ids=form.not_attended.data or [])


@bp.route("/<int:event_id>/einladungsliste", methods=["GET", "POST"])
@requires(*MANAGE)
def invitation_list(event_id: int):
    event = _load(event_id)
    if request.method == "POST":
        form = ListFilterForm(event=event)
        if form.validate_on_submit():
            use_filters = form.use_filters.data == "1"
            try:
                added = invitation_lists.add_to_list(db.session, event, _filter_from(form), form.persons.data or [],
                                                     use_filters=use_filters)
                db.session.commit()
            except IntegrityError:  # a second session added the same persons in the same moment
                db.session.rollback()
                flash(_concurrent(), "warning")
            else:
                flash(_("%(count)s Personen in die Einladungsliste aufgenommen (noch nicht versendet).",
                        count=added), "success")
            return redirect(url_for("events.show", event_id=event.id) + "#einladungen")
        status = 422
    else:
        form = ListFilterForm(formdata=request.args if request.args else None, event=event, meta={"csrf": False})
        status = 200 if not request.args or form.validate() else 422
    shown = bool(request.args) or request.method == "POST"
    preview = None
    if shown and not form.errors:
        preview = invitation_lists.preview(db.session, event, _filter_from(form), form.persons.data or [],
                                           use_filters=form.use_filters.data == "1")
    q = request.args.get("q", "")
    found = invitation_lists.search_persons(db.session, q) if q else []
    return render_template("events/invitation_list.html", event=event, form=form, preview=preview, q=q,
                           found=found, add_form=ConfirmForm(), reasons=invitation_lists.REASONS), status


@bp.route("/<int:event_id>/einladungsliste/person", methods=["POST"])
@requires(*MANAGE)
def add_person(event_id: int):
    """Hand-picked: one person from the search, added at once (with the same exclusion rules)."""
    event = _load(event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    person = _person(request.form.get("person_id", type=int) or 0)
    result = invitation_lists.preview(db.session, event, invitation_lists.ListFilter(), [person.id],
                                      use_filters=False)
    if result.included:
        try:
            invitation_lists.add_to_list(db.session, event, invitation_lists.ListFilter(), [person.id],
                                         use_filters=False)
            db.session.commit()
        except IntegrityError:  # added by someone else in the same moment: on the list either way
            db.session.rollback()
        flash(_("%(name)s ist in der Einladungsliste.", name=person.full_name), "success")
    else:
        flash(_("%(name)s wurde nicht aufgenommen: %(reason)s.", name=person.full_name,
                reason=result.excluded[0].reason_text), "warning")
    return redirect(url_for("events.invitation_list", event_id=event.id, q=request.form.get("q", "")))


@bp.route("/<int:event_id>/einladungen/<int:invitation_id>/entfernen", methods=["POST"])
@requires(*MANAGE)
def remove_invitation(event_id: int, invitation_id: int):
    event = _load(event_id)
    invitation = _invitation(event, invitation_id)
    if ConfirmForm().validate_on_submit():
        try:
            invitations.remove_invitation(db.session, invitation)
            db.session.commit()
            flash(_("Aus der Einladungsliste entfernt."), "success")
        except ServiceError as error:
            db.session.rollback()
            _flash_error(error)
    return redirect(url_for("events.show", event_id=event.id) + "#einladungen")


@bp.route("/<int:event_id>/einladungen/<int:invitation_id>/antwort", methods=["POST"])
@requires(*MANAGE)
def record_answer(event_id: int, invitation_id: int):
    """An answer given by phone or e-mail, entered by an organiser (also after the deadline)."""
    event = _load(event_id)
    invitation = _invitation(event, invitation_id)
    form = OrganiserAnswerForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return _render_show(event, 422)
    try:
        result = invitations.record_answer_for_guest(db.session, invitation, Answer(form.answer.data),
                                                     recorded_by=current_user.email)
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        _flash_error(error)
        return _render_show(_load(event_id), 422)
    name = result.invitation.person.full_name
    if result.answer == Answer.WAITLISTED:
        flash(_("%(name)s steht auf der Warteliste (Platz %(position)s): alle Plätze sind vergeben.", name=name,
                position=result.invitation.waitlist_position), "warning")
    else:
        flash(_("Antwort für %(name)s eingetragen: %(answer)s.", name=name,
                answer=label(invitations.ANSWER_LABELS[result.answer])), "success")
    for promoted in result.promoted:
        flash(_("%(name)s ist von der Warteliste nachgerückt und wird benachrichtigt.",
                name=promoted.person.full_name), "success")
    return redirect(url_for("events.show", event_id=event.id) + "#einladungen")


@bp.route("/<int:event_id>/versenden", methods=["POST"])
@requires(*MANAGE)
def send(event_id: int):
    event = _load(event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        result = invitations.send_invitations(db.session, event)
    except ServiceError as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(url_for("events.show", event_id=event.id))
    except StaleDataError:  # the event row changed under us (the lock makes this rare)
        db.session.rollback()
        flash(_concurrent(), "danger")
        return redirect(url_for("events.show", event_id=event.id))
    if not result.queued and not result.skipped:
        db.session.rollback()
        flash(_("Es gibt keine unversendeten Einladungen mehr – sie wurden bereits versendet."), "info")
        return redirect(url_for("events.show", event_id=event.id) + "#einladungen")
    audit.record(db.session, "send", event, f"{result.queued} Einladungen versendet",
                 {"queued": result.queued, "skipped": [f"{i.person.full_name}: {r}" for i, r in result.skipped]})
    db.session.commit()
    flash(_("%(count)s Einladungen sind im Postausgang und werden jetzt zugestellt.", count=result.queued),
          "success")
    for invitation, reason in result.skipped:
        flash(_("Nicht versendet an %(name)s: %(reason)s.", name=invitation.person.full_name, reason=reason),
              "warning")
    return redirect(url_for("events.show", event_id=event.id) + "#einladungen")


@bp.route("/<int:event_id>/erinnerung", methods=["GET", "POST"])
@requires(*MANAGE)
def reminder(event_id: int):
    event = _load(event_id)
    form = ReminderForm()
    if form.validate_on_submit():
        try:
            queued = invitations.send_reminders(db.session, event, form.audience.data)
        except ServiceError as error:
            db.session.rollback()
            form.audience.errors.append(error.message)
        except StaleDataError:
            db.session.rollback()
            form.audience.errors.append(_concurrent())
        else:
            audit.record(db.session, "send", event, f"Erinnerung an {queued} Personen versendet",
                         {"audience": form.audience.data, "queued": queued})
            db.session.commit()
            flash(_("Erinnerung an %(count)s Personen ist im Postausgang.", count=queued), "success")
            return redirect(url_for("events.show", event_id=event.id))
    counts = {audience: len(invitations.reminder_recipients(db.session, event, audience))
              for audience in invitations.REMINDER_AUDIENCES}
    texts = {audience: mail_templates.get(db.session, key) for audience, key in invitations.REMINDER_AUDIENCES.items()}
    return render_template("events/reminder.html", event=event, form=form, counts=counts, texts=texts), (
        422 if form.errors else 200)


# --- mail texts -------------------------------------------------------------------------------

@bp.route("/vorlagen/")
@requires(Permission.MANAGE_EVENTS)
def templates():
    return render_template("events/templates.html", texts=mail_templates.all_texts(db.session))


@bp.route("/vorlagen/<key>", methods=["GET", "POST"])
@requires(Permission.MANAGE_EVENTS)
def edit_template(key: str):
    if key not in mail_templates.BY_KEY:
        abort(404)
    current = mail_templates.get(db.session, key)
    form = MailTemplateForm(data=None if request.method == "POST" else {
        "subject": current.subject, "body": current.body,
        "version_id": str(current.version_id) if current.version_id else ""})
    conflict = None
    if form.validate_on_submit():
        try:
            mail_templates.save(db.session, key, form.subject.data, form.body.data, form.expected_version)
            audit.record(db.session, "update", "MailTemplate", f"E-Mail-Vorlage „{mail_templates.BY_KEY[key].label}“ "
                         "geändert", {"key": key})
            db.session.commit()
            flash(_("Vorlage gespeichert."), "success")
            return redirect(url_for("events.templates"))
        except ConcurrentEditError as error:
            db.session.rollback()
            conflict = error
            form.version_id.data = str(mail_templates.get(db.session, key).version_id or "")
        except ServiceError as error:
            db.session.rollback()
            attach(form, error, fallback="body")
    return render_template("events/template_form.html", form=form, definition=mail_templates.BY_KEY[key],
                           current=current, placeholders=mail_templates.PLACEHOLDERS, conflict=conflict,
                           reset_form=ConfirmForm()), 409 if conflict else (422 if form.errors else 200)


@bp.route("/vorlagen/<key>/zuruecksetzen", methods=["POST"])
@requires(Permission.MANAGE_EVENTS)
def reset_template(key: str):
    if key not in mail_templates.BY_KEY or not ConfirmForm().validate_on_submit():
        abort(404 if key not in mail_templates.BY_KEY else 400)
    if mail_templates.reset(db.session, key):
        audit.record(db.session, "update", "MailTemplate",
                     f"E-Mail-Vorlage „{mail_templates.BY_KEY[key].label}“ auf Standard zurückgesetzt", {"key": key})
        db.session.commit()
    flash(_("Die Vorlage verwendet wieder den Standardtext."), "success")
    return redirect(url_for("events.templates"))


# --- outbox -----------------------------------------------------------------------------------

@bp.route("/postausgang")
@requires(*MANAGE)
def outbox_index():
    state = request.args.get("status", "")
    event_id = request.args.get("veranstaltung", type=int)
    event = _load(event_id) if event_id else None
    messages = outbox.list_messages(db.session, state=state, event_id=event.id if event else None)
    return render_template("events/outbox.html", messages=messages, state=state, event=event,
                           counts=outbox.counts(db.session), labels=labels(outbox.STATE_LABELS),
                           MessageState=MessageState, retry_form=ConfirmForm())


@bp.route("/postausgang/<int:message_id>/erneut", methods=["POST"])
@requires(*MANAGE)
def retry_message(message_id: int):
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    if ConfirmForm().validate_on_submit() and message.state == MessageState.FAILED:
        outbox.requeue(db.session, message)
        audit.record(db.session, "send", message, f"Nachricht an {message.recipient} erneut eingereiht")
        db.session.commit()
        flash(_("Die Nachricht wird erneut zugestellt."), "success")
    target = request.form.get("next", "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = url_for("events.outbox_index")
    return redirect(target)


# --- door, attendance, lists ------------------------------------------------------------------

@bp.route("/<int:event_id>/einlass")
@requires(*MANAGE)
def checkin(event_id: int):
    event = _load(event_id)
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
    event, person = _load(event_id), _person(person_id)
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
    event, person = _load(event_id), _person(person_id)
    attendance.undo_check_in(db.session, event, person)
    db.session.commit()
    return _door_response(event, person, False, message=_("Einlass von %(name)s zurückgenommen.",
                                                          name=person.full_name))


@bp.route("/<int:event_id>/einlass/neu", methods=["POST"])
@requires(*MANAGE)
def walk_in(event_id: int):
    event = _load(event_id)
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
    event = _load(event_id)
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
            _flash_error(error)
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
    event = _load(event_id)
    return _download(attendance_lists.pdf(db.session, event), "application/pdf", event, "pdf")


@bp.route("/<int:event_id>/teilnehmerliste.xlsx")
@requires(*MANAGE)
def attendance_xlsx(event_id: int):
    event = _load(event_id)
    return _download(attendance_lists.xlsx(db.session, event),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", event, "xlsx")


@bp.route("/<int:event_id>/statistik")
@requires(Permission.VIEW_EVENTS)
def statistics(event_id: int):
    event = _load(event_id)
    return render_template("events/statistics.html", event=event, stats=event_stats.for_event(db.session, event),
                           columns=event_stats.COLUMNS, labels=labels(event_stats.LABELS),
                           when=event_service.format_when(event))
