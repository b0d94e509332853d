"""The organisers' mail: editable mail texts and the outbox with its retry button."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from crm.extensions import db
from crm.forms.events import ConfirmForm, MailTemplateForm
from crm.models import MessageState, OutboxMessage
from crm.permissions import Permission, requires
from crm.service_labels import labels
from crm.services.errors import ConcurrentEditError, ServiceError
from crm.services.mail import delivery, outbox
from crm.services.mail import templates as mail_templates
from crm.services.privacy import audit
from crm.views.events import bp
from crm.views.events.common import MANAGE, load_event
from crm.views.form_errors import attach


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



@bp.route("/postausgang")
@requires(*MANAGE)
def outbox_index():
    state = request.args.get("status", "")
    event_id = request.args.get("veranstaltung", type=int)
    event = load_event(event_id) if event_id else None
    messages = outbox.list_messages(db.session, state=state, event_id=event.id if event else None)
    return render_template("events/outbox.html", messages=messages, state=state, event=event,
                           counts=outbox.counts(db.session), labels=labels(outbox.STATE_LABELS),
                           uses_mailbox=delivery.uses_mailbox(),
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


