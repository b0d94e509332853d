"""The development mailbox: what the worker "delivered" with ``MAIL_BACKEND=mailbox``, read back
as a mail program would read it.

Each row holds the whole MIME message the worker would have handed to SMTP. ``parse`` reads it
with the standard library's mail parser, so the page shows what a guest's mail program shows:
sender, subject, the text and the HTML part, and the attached calendar file. The send page
previews a mail that is not queued yet the same way (``parse(wire_text(build_message(…)))``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.models import MailboxMessage
from crm.services.landscape.directory import Page, fold_sql, fold_text, like_pattern, paginate

PER_PAGE = 25


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes
    method: str = ""  # METHOD of a calendar part (REQUEST, CANCEL)


@dataclass
class ParsedMail:
    sender: str
    recipient: str
    subject: str
    reply_to: str
    message_id: str
    date: datetime | None
    text: str
    html: str
    attachments: list[Attachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


def sender() -> str:
    return str(current_app.config.get("MAIL_DEFAULT_SENDER") or "bildungsbuero@localhost")


def _payload(part: Any) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def parse(raw: str) -> ParsedMail:
    """Read a message stored by ``mailer.wire_text`` (or built for a preview) like a mail program."""
    message: EmailMessage = message_from_bytes(raw.encode("utf-8"), policy=policy.default)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    calendars = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    method = str(calendars[0].get_param("method") or "") if calendars else ""
    attachments: list[Attachment] = []
    for part in message.iter_attachments():
        name, kind = part.get_filename() or "anhang", part.get_content_type()
        is_calendar = name.endswith(".ics") or kind in ("text/calendar", "application/ics")
        attachments.append(Attachment(name, kind, _payload(part), method if is_calendar else ""))
    if calendars and not any(a.method for a in attachments):  # a calendar only in the alternative part
        attachments.append(Attachment("einladung.ics", "text/calendar", _payload(calendars[0]), method))
    try:
        date = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        date = None
    shown = ("List-Unsubscribe", "List-Unsubscribe-Post")
    return ParsedMail(
        sender=str(message["From"] or ""), recipient=str(message["To"] or ""),
        subject=str(message["Subject"] or "").strip(), reply_to=str(message["Reply-To"] or ""),
        message_id=str(message["Message-ID"] or ""), date=date,
        text=text_part.get_content().replace("\r\n", "\n") if text_part is not None else "",
        html=html_part.get_content() if html_part is not None else "",
        attachments=attachments, headers={name: str(message[name]) for name in shown if message[name]})


def page(session: Session, q: str = "", number: int = 1) -> Page:
    """Newest first; ``q`` finds words in recipient and subject."""
    query = select(MailboxMessage).order_by(MailboxMessage.id.desc())
    for word in q.split():
        query = query.where(fold_sql(MailboxMessage.recipient + " " + MailboxMessage.subject)
                            .like(like_pattern(fold_text(word)), escape="\\"))
    return paginate(session, query, number, PER_PAGE)


def get(session: Session, message_id: int) -> MailboxMessage | None:
    return session.get(MailboxMessage, message_id)
