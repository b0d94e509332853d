"""flask-mail with the two things it lacks for a worker: an SMTP timeout and calendar invitations.

* ``Connection.configure_host`` in flask-mail 0.10 opens ``smtplib.SMTP(server, port)`` without a
  timeout, so a mail server that accepts the TCP connection and then stays silent would hang the
  worker for ever. ``TimeoutConnection`` passes ``MAIL_TIMEOUT`` seconds to smtplib, which then
  applies to connecting and to every later read and write on the socket.
* A calendar invitation is best understood by Outlook as a ``text/calendar; method=REQUEST``
  part *inside* ``multipart/alternative`` (next to the plain text), and by Thunderbird and others
  also as an attached ``.ics`` file. ``CalendarMessage`` adds the ``method`` parameter that
  flask-mail's alternative parts lack; the attachment is added as well.
* Header lines: flask-mail generates with ``email.policy.SMTP`` (78 characters). Its folder
  turns a header with one token longer than that – the ``List-Unsubscribe`` URL with its
  signed token – into RFC 2047 encoded words (``=?utf-8?q?=3Chttp…``), which RFC 2369 does not
  allow there, so Gmail and Outlook offered no "Abbestellen". ``CalendarMessage`` generates
  with the same policy at RFC 5322's hard limit of 998 characters, so such headers stay raw.

``MAIL_SUPPRESS_SEND`` is honoured as in flask-mail (nothing goes out, the message counts as
handed over); the configuration sets it explicitly, so tests do not silently suppress mail.

Where a message goes is a *transport*: ``SmtpSession`` (production) or ``MailboxTransport``
(``MAIL_BACKEND=mailbox``, development): the latter stores the bytes that SMTP would have
received in ``mailbox_messages``, in the same commit that marks the outbox row sent.
"""
from __future__ import annotations

import smtplib
from email import policy
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from typing import Any, Protocol

from flask import Flask
from flask_mail import Attachment, Connection, Message
from sqlalchemy.orm import Session

from crm.models import MailboxMessage
from crm.models.base import utcnow
from crm.services.write_lock import begin_write

BACKENDS = ("smtp", "mailbox")


class TimeoutConnection(Connection):
    """flask-mail's connection, with a socket timeout on the SMTP session."""

    def __init__(self, mail: Any, timeout: float) -> None:
        super().__init__(mail)
        self.timeout = timeout

    def configure_host(self) -> smtplib.SMTP | smtplib.SMTP_SSL:
        host: smtplib.SMTP | smtplib.SMTP_SSL
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(self.mail.server, self.mail.port, timeout=self.timeout)
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=self.timeout)
        host.set_debuglevel(int(self.mail.debug))
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


# RFC 5322 2.1.1: lines "MUST be no more than 998 characters"; 78 is only a SHOULD.
SMTP_POLICY = policy.SMTP.clone(max_line_length=998)


class CalendarMessage(Message):
    """A flask-mail message whose ``text/calendar`` alternative carries ``method=…`` (RFC 6047),
    generated so that long header values (List-Unsubscribe) are not encoded."""

    calendar_method: str | None = None

    def _message(self) -> MIMEBase:
        message = super()._message()
        message.policy = SMTP_POLICY
        return message

    def _mimetext(self, text: str | None, subtype: str = "plain") -> MIMEText:
        part = super()._mimetext(text, subtype)
        if subtype == "calendar" and self.calendar_method:
            part.set_param("method", self.calendar_method)
        return part


class Transport(Protocol):
    """Where the worker hands a built message: ``open`` may fail (server down), ``send`` one message,
    ``discard`` after a failed send, ``reset`` after a broken connection, ``close`` at the end."""

    def open(self) -> None: ...

    def send(self, message: Message, outbox_id: int | None = None) -> None: ...

    def discard(self) -> None: ...

    def reset(self) -> None: ...

    def close(self) -> None: ...


class SmtpSession:
    """One SMTP connection for a batch of messages; opened lazily, closed quietly."""

    def __init__(self, app: Flask) -> None:
        self.state = app.extensions["mail"]
        self.timeout = float(app.config.get("MAIL_TIMEOUT") or 30)
        self.connection: TimeoutConnection | None = None

    def open(self) -> None:
        if self.connection is None:
            connection = TimeoutConnection(self.state, self.timeout)
            connection.host = None if self.state.suppress else connection.configure_host()
            self.connection = connection

    def send(self, message: Message, outbox_id: int | None = None) -> None:
        self.open()
        assert self.connection is not None
        self.connection.send(message)

    def discard(self) -> None:
        """Nothing to undo: what the server refused, it did not take."""

    def reset(self) -> None:
        """Forget a connection that failed; the next ``send`` opens a new one."""
        connection, self.connection = self.connection, None
        if connection is not None and connection.host is not None:
            try:
                connection.host.close()
            except OSError:
                pass

    def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None and connection.host is not None:
            try:
                connection.host.quit()
            except (smtplib.SMTPException, OSError):
                connection.host.close()


class MailboxTransport:
    """The development mailbox: "delivery" is a row with the message as it would go over the wire.

    The row is added to the worker's session and committed by the worker together with the
    outbox row's ``sent`` (so in development each message lands exactly once).
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    def open(self) -> None:
        pass

    def send(self, message: Message, outbox_id: int | None = None) -> None:
        begin_write(self.session)
        recipients = ", ".join(str(r) for r in message.send_to)
        # A savepoint: a message that cannot be stored leaves nothing behind, and the worker's
        # transaction (its outbox bookkeeping) stays usable without a rollback of its own.
        with self.session.begin_nested():
            self.session.add(MailboxMessage(outbox_message_id=outbox_id, recipient=recipients,
                                            subject=(message.subject or "")[:300], raw=wire_text(message),
                                            delivered_at=utcnow()))

    def discard(self) -> None:
        """Nothing to undo: a failed ``send`` rolled back its own savepoint."""

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass


def wire_text(message: Message) -> str:
    """The message exactly as SMTP would carry it (``as_bytes``), as text for a database column.

    Parts are UTF-8 with 8-bit transfer encoding; ``as_string`` would re-encode them and lose the
    umlauts, so the bytes are taken and decoded (``mailbox.parse`` reads them back as bytes)."""
    return message.as_bytes().decode("utf-8", errors="replace")


def backend(app: Flask) -> str:
    """``smtp`` or ``mailbox`` (see the ``MAIL_BACKEND`` setting)."""
    value = str(app.config.get("MAIL_BACKEND") or "smtp").strip().lower()
    return value if value in BACKENDS else "smtp"


def open_transport(app: Flask, session: Session) -> Transport:
    return MailboxTransport(session) if backend(app) == "mailbox" else SmtpSession(app)


def build_message(*, sender: str, recipient: str, subject: str, body_text: str, body_html: str = "",
                  attachments: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None,
                  message_id: str | None = None) -> CalendarMessage:
    """The flask-mail message for one outbox row (attachments as stored in ``OutboxMessage``)."""
    extra = dict(headers or {})
    reply_to = extra.pop("Reply-To", None)
    message = CalendarMessage(subject=subject, recipients=[recipient], body=body_text, sender=sender,
                              reply_to=reply_to, extra_headers=extra or None)
    if body_html:
        message.html = body_html
    if message_id:
        message.msgId = message_id
    for item in attachments or []:
        if item.get("content_type") == "text/calendar":
            method = str(item.get("method") or "REQUEST").upper()
            message.calendar_method = method
            message.alts["calendar"] = item["data"]
            message.attach(filename=item.get("filename") or "einladung.ics", content_type="application/ics",
                           data=item["data"].encode("utf-8"))
        else:
            data = item["data"]
            message.attachments.append(Attachment(filename=item.get("filename"), content_type=item.get("content_type"),
                                                  data=data.encode("utf-8") if isinstance(data, str) else data))
    return message
