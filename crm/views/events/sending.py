"""Sending the invitations: the page before the send (the mail as a guest gets it, who is skipped,
a test mail to oneself) and the send itself."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response as WerkzeugResponse

from crm.extensions import db
from crm.forms.events import ConfirmForm
from crm.permissions import requires
from crm.services.errors import ServiceError
from crm.services.events import invitations
from crm.services.mail import delivery, mailbox
from crm.services.mail.mailer import build_message, wire_text
from crm.services.privacy import audit
from crm.views.events import bp
from crm.views.events.common import MANAGE, concurrent_message, flash_error, flash_queued, load_event
from crm.views.events.mailbox import attachment_response, html_response


def _position() -> int:
    raw = request.args.get("nr", "1")
    return min(int(raw), 1_000_000) if raw.isdigit() and int(raw) > 0 else 1


def _preview(event_id: int) -> tuple[mailbox.ParsedMail | None, int]:
    """The invitation of the ``nr``-th guest, built and parsed exactly as the worker would send it."""
    event = load_event(event_id)
    position = _position()
    sample = invitations.sample_invitation(db.session, event, position)
    if sample is None:
        return None, position
    mail = invitations.draft(db.session, sample, "invitation", calendar="REQUEST", sample=True)
    if mail is None:
        return None, position
    message = build_message(sender=mailbox.sender(), recipient=mail.recipient, subject=mail.subject,
                            body_text=mail.body_text, body_html=mail.body_html, attachments=mail.attachments,
                            headers=mail.headers)
    return mailbox.parse(wire_text(message)), position


@bp.route("/<int:event_id>/versand")
@requires(*MANAGE)
def send_page(event_id: int):
    event = load_event(event_id)
    mail, position = _preview(event_id)
    plan = invitations.send_plan(db.session, event)
    return render_template(
        "events/send.html", event=event, plan=plan, mail=mail, position=position,
        skipped=invitations.skipped_invitations(db.session, event) if plan.skipped else [],
        delivery=delivery.status(db.session), form=ConfirmForm())


@bp.route("/<int:event_id>/versand/vorschau.html")
@requires(*MANAGE)
def send_preview_html(event_id: int):
    mail, _position = _preview(event_id)
    if mail is None or not mail.html:
        abort(404)
    return html_response(mail.html)


@bp.route("/<int:event_id>/versand/vorschau/<int:number>")
@requires(*MANAGE)
def send_preview_attachment(event_id: int, number: int):
    mail, _position = _preview(event_id)
    if mail is None or not 1 <= number <= len(mail.attachments):
        abort(404)
    return attachment_response(mail.attachments[number - 1])


@bp.route("/<int:event_id>/versand/testmail", methods=["POST"])
@requires(*MANAGE)
def send_test_mail(event_id: int):
    """The invitation as the ``nr``-th guest gets it, to the organiser's own address."""
    event = load_event(event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    position = request.form.get("nr", "1")
    sample = invitations.sample_invitation(db.session, event, int(position) if position.isdigit() else 1)
    if sample is None:
        flash(_("Es gibt keine Einladung, die versendet werden könnte – also auch keine Testmail."), "warning")
    else:
        try:
            invitations.queue_test_mail(db.session, sample, current_user.email)
        except ServiceError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash_queued(_("Die Testmail an %(address)s ist im Postausgang.", address=current_user.email))
    return redirect(url_for("events.send_page", event_id=event.id, nr=position))


@bp.route("/<int:event_id>/versenden", methods=["POST"])
@requires(*MANAGE)
def send(event_id: int) -> WerkzeugResponse:
    event = load_event(event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        result = invitations.send_invitations(db.session, event)
    except ServiceError as error:
        db.session.rollback()
        flash_error(error)
        return redirect(url_for("events.show", event_id=event.id))
    except StaleDataError:  # the event row changed under us (the lock makes this rare)
        db.session.rollback()
        flash(concurrent_message(), "danger")
        return redirect(url_for("events.show", event_id=event.id))
    if not result.queued and not result.skipped:
        db.session.rollback()
        flash(_("Es gibt keine unversendeten Einladungen mehr – sie wurden bereits versendet."), "info")
        return redirect(url_for("events.show", event_id=event.id) + "#einladungen")
    audit.record(db.session, "send", event, f"{result.queued} Einladungen versendet",
                 {"queued": result.queued, "skipped": [f"{i.person.full_name}: {r}" for i, r in result.skipped]})
    db.session.commit()
    flash_queued(_("%(count)s Einladungen sind im Postausgang.", count=result.queued))
    for invitation, reason in result.skipped[:20]:
        flash(_("Nicht versendet an %(name)s: %(reason)s.", name=invitation.person.full_name, reason=reason),
              "warning")
    if len(result.skipped) > 20:
        flash(_("… und %(count)s weitere nicht versendet (Gründe im Änderungsprotokoll).",
                count=len(result.skipped) - 20), "warning")
    return redirect(url_for("events.show", event_id=event.id) + "#einladungen")
