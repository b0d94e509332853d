"""Events: the list, the event page, the form, cancelling, publishing, closing, statistics."""
from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from crm.extensions import db
from crm.forms.events import CancelForm, ConfirmForm, EventForm, OrganiserAnswerForm
from crm.models import Event, EventStatus, MessageState
from crm.permissions import Permission, can, requires
from crm.service_labels import EVENT_STATUS, labels
from crm.services.errors import ConcurrentEditError, ServiceError
from crm.services.events import events as event_service
from crm.services.events import invitations
from crm.services.events import stats as event_stats
from crm.services.landscape.directory import parse_page
from crm.services.mail import delivery, outbox
from crm.services.privacy import audit
from crm.views.events import bp
from crm.views.events.common import concurrent_message, flash_error, load_event
from crm.views.form_errors import attach


@bp.route("/")
@requires(Permission.VIEW_EVENTS)
def index():
    return render_template("events/index.html", rows=event_service.list_events(db.session),
                           labels=labels(event_service.STATUS_LABELS, EVENT_STATUS))


def render_show(event: Event, status: int = 200):
    """The event page: statements constant in the number of invitations (counters by aggregate,
    the invitation table one page at a time, searchable)."""
    personal = can(Permission.VIEW_PERSONAL_DATA)
    manage = personal and can(Permission.MANAGE_EVENTS)
    q = request.args.get("q", "").strip()[:200]
    answer = request.args.get("antwort", "")
    answer = answer if answer in invitations.ANSWER_FILTERS else ""
    counts = event_stats.tally(db.session, event)  # one aggregate for counters, unsent and table length
    page = (invitations.invitation_page(db.session, event, q, answer, parse_page(request.args.get("seite")),
                                        counts=counts) if personal else None)
    unsent = sum(number for (_answer, is_sent), number in counts.items() if not is_sent)
    return render_template(
        "events/show.html", event=event, page=page, q=q, answer_filter=answer, personal=personal,
        stats=event_stats.summary(db.session, event, counts),
        message_counts=outbox.event_counts(db.session, event.id) if manage else None,
        plan=invitations.send_plan(db.session, event, unsent=unsent) if manage else None,
        delivery=delivery.status(db.session) if manage else None,
        labels=labels(event_service.STATUS_LABELS, EVENT_STATUS),
        answer_labels=labels(invitations.ANSWER_LABELS), confirm_form=ConfirmForm(), cancel_form=CancelForm(),
        answer_choices=OrganiserAnswerForm().answer.choices,
        when=event_service.format_when(event), deadline=event_service.format_moment(event.answer_deadline),
        can_answer=invitations.can_answer(event), MessageState=MessageState), status


@bp.route("/<int:event_id>")
@requires(Permission.VIEW_EVENTS)
def show(event_id: int):
    return render_show(load_event(event_id))


@bp.route("/neu", methods=["GET", "POST"])
@requires(Permission.MANAGE_EVENTS)
def create():
    form = EventForm()
    if request.method == "GET":
        form.contact_name.data = current_user.name or ""
        form.contact_email.data = current_user.email
        form.creation_token.data = secrets.token_hex(16)
    if form.validate_on_submit():
        try:
            if form.token:
                event, created = event_service.create_event_once(db.session, form.values(), form.token)
            else:  # a form from before tokens (or a script): created as asked
                event, created = event_service.create_event(db.session, form.values()), True
        except ServiceError as error:
            db.session.rollback()
            attach(form, error, fallback="title")
        else:
            db.session.commit()
            if created:
                flash(_("Veranstaltung „%(title)s“ angelegt. Als Nächstes: die Einladungsliste.", title=event.title),
                      "success")
            else:
                flash(_("Die Veranstaltung „%(title)s“ war mit diesem Formular schon angelegt – hier ist sie.",
                        title=event.title), "info")
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=None), 422 if form.errors else 200


@bp.route("/<int:event_id>/bearbeiten", methods=["GET", "POST"])
@requires(Permission.MANAGE_EVENTS)
def edit(event_id: int):
    event = load_event(event_id)
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
            event = load_event(event_id)
            form.version_id.data = str(event.version_id)
        except ServiceError as error:
            db.session.rollback()
            attach(form, error, fallback="title")
    status = 409 if conflict else (422 if form.errors else 200)
    return render_template("events/form.html", form=form, event=event, conflict=conflict), status


@bp.route("/<int:event_id>/absagen", methods=["POST"])
@requires(Permission.MANAGE_EVENTS)
def cancel(event_id: int):
    event = load_event(event_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("Bitte bestätigen Sie die Absage mit dem Häkchen."), "danger")
        return redirect(url_for("events.show", event_id=event.id))
    try:
        queued = event_service.cancel_event(db.session, event)
    except ServiceError as error:
        db.session.rollback()
        flash_error(error)
        return redirect(url_for("events.show", event_id=event.id))
    audit.record(db.session, "send", event, f"Veranstaltung abgesagt, {queued} Absagen versendet",
                 {"sequence": event.ical_sequence, "queued": queued})
    db.session.commit()
    flash(_("Die Veranstaltung ist abgesagt. %(count)s Eingeladene erhalten die Absage mit "
            "Kalender-Löschung.", count=queued), "success")
    return redirect(url_for("events.show", event_id=event.id))


def _change_status(event_id: int, change: Callable[[Any, Event], Any], done: str):
    """Publish or close an event (confirmed by a POST with CSRF) and tell what happened."""
    event = load_event(event_id)
    if ConfirmForm().validate_on_submit():
        try:
            change(db.session, event)
            db.session.commit()
            flash(done, "success")
        except ServiceError as error:
            db.session.rollback()
            flash_error(error)
        except StaleDataError:
            db.session.rollback()
            flash(concurrent_message(), "danger")
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


@bp.route("/<int:event_id>/statistik")
@requires(Permission.VIEW_EVENTS)
def statistics(event_id: int):
    event = load_event(event_id)
    return render_template("events/statistics.html", event=event, stats=event_stats.for_event(db.session, event),
                           columns=event_stats.COLUMNS, labels=labels(event_stats.LABELS),
                           when=event_service.format_when(event))
