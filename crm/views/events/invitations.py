"""The invitation list of an event: filters, hand-picked persons, answers, sending, reminders."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from crm.extensions import db
from crm.forms.events import ConfirmForm, ListFilterForm, OrganiserAnswerForm, ReminderForm
from crm.models import Answer
from crm.permissions import requires
from crm.service_labels import label
from crm.services.errors import ServiceError
from crm.services.events import invitation_lists, invitations
from crm.services.mail import templates as mail_templates
from crm.services.privacy import audit
from crm.views.events import bp
from crm.views.events.common import (
    MANAGE,
    back_to_list,
    concurrent_message,
    flash_error,
    flash_queued,
    load_event,
    load_invitation,
    load_person,
)
from crm.views.events.pages import render_show


def _filter_from(form: ListFilterForm) -> invitation_lists.ListFilter:
    return invitation_lists.ListFilter(
        actor_kind_ids=form.actor_kinds.data or [], area_ids=form.areas.data or [],
        life_stage_ids=form.life_stages.data or [], topic_ids=form.topics.data or [],
        initiative_ids=form.initiatives.data or [], attended_event_ids=form.attended.data or [],
        not_attended_event_ids=form.not_attended.data or [])


@bp.route("/<int:event_id>/einladungsliste", methods=["GET", "POST"])
@requires(*MANAGE)
def invitation_list(event_id: int):
    event = load_event(event_id)
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
                flash(concurrent_message(), "warning")
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
    event = load_event(event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    person = load_person(request.form.get("person_id", type=int) or 0)
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
    event = load_event(event_id)
    invitation = load_invitation(event, invitation_id)
    if ConfirmForm().validate_on_submit():
        try:
            invitations.remove_invitation(db.session, invitation)
            db.session.commit()
            flash(_("Aus der Einladungsliste entfernt."), "success")
        except ServiceError as error:
            db.session.rollback()
            flash_error(error)
    return back_to_list(event)


@bp.route("/<int:event_id>/einladungen/<int:invitation_id>/antwort", methods=["POST"])
@requires(*MANAGE)
def record_answer(event_id: int, invitation_id: int):
    """An answer given by phone or e-mail, entered by an organiser (also after the deadline)."""
    event = load_event(event_id)
    invitation = load_invitation(event, invitation_id)
    form = OrganiserAnswerForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return render_show(event, 422)
    try:
        result = invitations.record_answer_for_guest(db.session, invitation, Answer(form.answer.data),
                                                     recorded_by=current_user.email)
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        flash_error(error)
        return render_show(load_event(event_id), 422)
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
    return back_to_list(event)


@bp.route("/<int:event_id>/erinnerung", methods=["GET", "POST"])
@requires(*MANAGE)
def reminder(event_id: int):
    event = load_event(event_id)
    form = ReminderForm()
    if form.validate_on_submit():
        try:
            queued = invitations.send_reminders(db.session, event, form.audience.data)
        except ServiceError as error:
            db.session.rollback()
            form.audience.errors.append(error.message)
        except StaleDataError:
            db.session.rollback()
            form.audience.errors.append(concurrent_message())
        else:
            audit.record(db.session, "send", event, f"Erinnerung an {queued} Personen versendet",
                         {"audience": form.audience.data, "queued": queued})
            db.session.commit()
            flash_queued(_("Erinnerung an %(count)s Personen ist im Postausgang.", count=queued))
            return redirect(url_for("events.show", event_id=event.id))
    counts = {audience: len(invitations.reminder_recipients(db.session, event, audience))
              for audience in invitations.REMINDER_AUDIENCES}
    texts = {audience: mail_templates.get(db.session, key) for audience, key in invitations.REMINDER_AUDIENCES.items()}
    return render_template("events/reminder.html", event=event, form=form, counts=counts, texts=texts), (
        422 if form.errors else 200)


