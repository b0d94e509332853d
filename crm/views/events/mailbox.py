"""The development mailbox (only with ``MAIL_BACKEND=mailbox``): the organiser reads each mail the
worker "delivered" as the guest would get it, follows its answer link, downloads its calendar file.

A mail's HTML part is shown in a sandboxed frame from its own URL with a CSP that allows no
script and no request anywhere: it is content for a mail program, not part of our page.
"""
from __future__ import annotations

from flask import Response, abort, render_template, request

from crm.extensions import db
from crm.permissions import requires
from crm.services.landscape.directory import parse_page
from crm.services.mail import delivery, mailbox
from crm.views.events import bp
from crm.views.events.common import MANAGE

# A mail's HTML may style itself inline and show inline images; nothing else, and it runs
# in a sandbox (links open in a new tab, outside the sandbox).
MAIL_HTML_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; "
                 "sandbox allow-popups allow-popups-to-escape-sandbox")


def html_response(html: str) -> Response:
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = MAIL_HTML_CSP
    response.headers["Cache-Control"] = "no-store"
    return response


def attachment_response(attachment: mailbox.Attachment) -> Response:
    safe_name = "".join(ch for ch in attachment.filename if ch.isalnum() or ch in "._-") or "anhang"
    return Response(attachment.data, mimetype=attachment.content_type if attachment.content_type != "text/html"
                    else "application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{safe_name}"',
                             "Cache-Control": "no-store"})


def _require_mailbox() -> None:
    if not delivery.uses_mailbox():
        abort(404)


def _load(message_id: int) -> mailbox.ParsedMail:
    _require_mailbox()
    row = mailbox.get(db.session, message_id)
    if row is None:
        abort(404)
    return mailbox.parse(row.raw)


@bp.route("/postfach/")
@requires(*MANAGE)
def mailbox_index():
    _require_mailbox()
    q = request.args.get("q", "").strip()
    result = mailbox.page(db.session, q, parse_page(request.args.get("seite")))
    return render_template("events/mailbox.html", page=result, q=q, delivery=delivery.status(db.session))


@bp.route("/postfach/<int:message_id>")
@requires(*MANAGE)
def mailbox_message(message_id: int):
    mail = _load(message_id)
    return render_template("events/mailbox_message.html", mail=mail, message_id=message_id)


@bp.route("/postfach/<int:message_id>/html")
@requires(*MANAGE)
def mailbox_html(message_id: int):
    mail = _load(message_id)
    if not mail.html:
        abort(404)
    return html_response(mail.html)


@bp.route("/postfach/<int:message_id>/anhang/<int:number>")
@requires(*MANAGE)
def mailbox_attachment(message_id: int, number: int):
    mail = _load(message_id)
    if not 1 <= number <= len(mail.attachments):
        abort(404)
    return attachment_response(mail.attachments[number - 1])
