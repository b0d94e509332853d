"""The mail outbox: a message is a database row first, and a worker delivers it.

Queueing (``queue``) only adds an ``OutboxMessage`` to the caller's transaction: the invitation
and its mail are committed together or not at all. The background worker (``flask crm worker``,
or ``flask crm outbox``) runs a ``Worker``. It hands messages to SMTP, or with
``MAIL_BACKEND=mailbox`` (development) to the development mailbox table; everything else on the
path (claim, attempts, retries, sent) is the same.

What the worker guarantees, and how:

* **Nothing is lost.** A message stays in the table until an SMTP server accepted it (``sent``)
  or the worker gave up after ``max_attempts`` tries (``failed``, shown to organisers, who can
  queue it again). An SMTP outage only moves ``next_attempt_at`` forward.
* **Retries with exponential back-off**: after the n-th failed try the next one is due after
  ``retry_base * 2**(n-1)`` seconds (at most ``retry_max``). A permanent refusal (5xx for the
  recipient or the content) fails at once. Every try is a ``DeliveryAttempt`` row.
* **Never the same message from two live workers.** Claiming is its own short transaction that
  sets ``state='sending'``, ``claimed_by`` and ``claimed_until`` and commits *before* any SMTP
  traffic. PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` picks rows no other worker is claiming,
  then they are updated. SQLite (one writer at a time, no row locks): the claim transaction starts
  with ``BEGIN IMMEDIATE`` (see ``write_lock``), and every row is taken with a conditional
  ``UPDATE … WHERE id=? AND state='queued'`` whose row count says whether we got it.
* **A short lease, renewed per message.** A claim is valid for ``lease`` (two SMTP timeouts plus
  30 s: 90 s with ``MAIL_TIMEOUT=30``), counted from the last message the worker finished: each
  outcome is committed together with a renewal of the rest of the batch, and the worker only
  sends messages whose renewal it still holds. So a killed worker's batch is taken over by
  another worker about 1.5 minutes later (it was 12.7 minutes when one lease covered a whole
  batch), recorded as a failed try.
* **At-least-once, honestly.** If a worker dies after the SMTP server accepted a message but
  before ``sent`` was committed, or one SMTP conversation outlasts the lease, the message is sent
  again after the lease expires. The row is marked ``sent`` in its own commit right after the
  SMTP call returns, so the window is one SMTP conversation. Each message carries the same
  ``Message-ID`` on every attempt (made when it is queued, kept on the row), so mail systems
  and people can see that the second copy is the same message.
"""
from __future__ import annotations

import logging
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr
from typing import Any, cast

from flask import current_app
from flask_mail import BadHeaderError
from sqlalchemy import CursorResult, Result, func, select, update
from sqlalchemy.orm import Session, selectinload

from crm.models import DeliveryAttempt, Invitation, OutboxMessage
from crm.models.base import utcnow
from crm.models.outbox import MessageState
from crm.services.mail.mailer import Transport, build_message, open_transport
from crm.services.write_lock import begin_write


def _rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE changed: it decides who owns a message (execute() is typed as a plain Result)."""
    return cast("CursorResult[Any]", result).rowcount


log = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_RETRY_BASE = 60       # seconds before the 2nd try; then 120, 240, … (8 tries span about 2 hours)
DEFAULT_RETRY_MAX = 3600
STATE_LABELS = {
    MessageState.QUEUED: "wartet",
    MessageState.SENDING: "wird gesendet",
    MessageState.SENT: "gesendet",
    MessageState.FAILED: "fehlgeschlagen",
}


# --- queueing ---------------------------------------------------------------------------------

def queue(session: Session, *, recipient: str, subject: str, body_text: str, category: str,
          invitation_id: int | None = None, attachments: list[dict[str, Any]] | None = None,
          headers: dict[str, str] | None = None, body_html: str = "") -> OutboxMessage:
    """Add a message to the caller's transaction; the worker sends it after the commit."""
    sender = str(current_app.config.get("MAIL_DEFAULT_SENDER") or "")
    message = OutboxMessage(recipient=recipient.strip(), subject=subject[:300], body_text=body_text,
                            body_html=body_html, attachments=list(attachments or []), headers=dict(headers or {}),
                            category=category, invitation_id=invitation_id, state=MessageState.QUEUED,
                            next_attempt_at=utcnow(), message_id=new_message_id(sender))
    session.add(message)
    return message


def requeue(session: Session, message: OutboxMessage) -> None:
    """An organiser sends a failed message again: a fresh set of tries, the history stays."""
    if message.state != MessageState.FAILED:
        return
    message.state = MessageState.QUEUED
    message.attempt_count = 0
    message.next_attempt_at = utcnow()
    message.claimed_by, message.claimed_until = "", None
    session.flush()


def counts(session: Session, *where: Any) -> dict[MessageState, int]:
    result = {state: 0 for state in MessageState}
    query = select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    if where:
        query = query.where(*where)
    for state, number in session.execute(query):
        result[MessageState(state)] = number
    return result


def _of_event(event_id: int) -> Any:
    return OutboxMessage.invitation_id.in_(select(Invitation.id).where(Invitation.event_id == event_id))


def event_counts(session: Session, event_id: int) -> dict[MessageState, int]:
    """Message states of one event's mails, for its page."""
    return counts(session, _of_event(event_id))


def list_messages(session: Session, *, state: str = "", event_id: int | None = None,
                  limit: int = 500) -> list[OutboxMessage]:
    """The outbox page: newest first, with their attempts; ``state`` is ignored unless it is one."""
    query = (select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
             .options(selectinload(OutboxMessage.attempts)))
    if event_id is not None:
        query = query.where(_of_event(event_id))
    if state in {s.value for s in MessageState}:
        query = query.where(OutboxMessage.state == MessageState(state))
    return list(session.scalars(query))


def _domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2].strip() or "localhost"


def new_message_id(sender: str) -> str:
    """A fresh, globally unique Message-ID in the sender's domain (stored on the row once)."""
    return make_msgid("outbox", domain=_domain(sender))


def legacy_message_id(message_id_: int, created_at: datetime, sender: str) -> str:
    """The id of a row queued before ids were stored: derived from the row, as it was then."""
    return f"<outbox-{message_id_}.{created_at.strftime('%Y%m%d%H%M%S')}@{_domain(sender)}>"


def lease_for(timeout: float) -> timedelta:
    """How long a claim lasts without renewal: two SMTP timeouts (connecting and one slow
    reply) plus 30 s, so a message that is still being sent is not taken over, and a dead
    worker's batch waits 90 s with the default timeout."""
    return timedelta(seconds=2 * timeout + 30)


# --- the worker -------------------------------------------------------------------------------

@dataclass
class Report:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0

    def add(self, other: Report) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def __str__(self) -> str:
        return (f"{self.sent} gesendet, {self.retried} später erneut, {self.failed} aufgegeben, "
                f"{self.released} von abgebrochenen Workern zurückgeholt")


def backoff(attempt: int, base: float, cap: float) -> timedelta:
    return timedelta(seconds=min(cap, base * 2 ** max(attempt - 1, 0)))


def is_permanent(error: BaseException) -> bool:
    """A refusal that another try will not change (5xx for this message), or a malformed message."""
    if isinstance(error, (BadHeaderError, ValueError, UnicodeError)):
        return True
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return False  # our configuration, not this message: keep it until someone fixes the password
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _describe(error: BaseException) -> str:
    text = str(error) or repr(error)
    return f"{type(error).__name__}: {text}"[:1000]


@dataclass
class _Claimed:
    id: int
    recipient: str
    subject: str
    body_text: str
    body_html: str
    attachments: list[dict[str, Any]]
    headers: dict[str, str]
    attempt_count: int
    claimed_until: datetime
    created_at: datetime
    message_id: str


@dataclass
class Worker:
    """Delivers due messages in batches. One instance per process or thread, each with its own session."""

    session: Session
    name: str
    batch: int = 20
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    retry_base: float = DEFAULT_RETRY_BASE
    retry_max: float = DEFAULT_RETRY_MAX
    lease: timedelta | None = None
    clock: Callable[[], datetime] = utcnow
    should_stop: Callable[[], bool] = field(default=lambda: False)

    def __post_init__(self) -> None:
        config = current_app.config
        self.app = current_app._get_current_object()  # type: ignore[attr-defined]
        self.timeout = float(config.get("MAIL_TIMEOUT") or 30)
        self.sender = str(config.get("MAIL_DEFAULT_SENDER") or "bildungsbuero@localhost")
        if self.lease is None:
            self.lease = lease_for(self.timeout)
        self.is_postgres = self.session.get_bind().dialect.name == "postgresql"

    # -- claiming --

    def release_expired(self) -> int:
        """Give the messages of a worker that stopped answering back to the queue."""
        now = self.clock()
        begin_write(self.session)
        query = (select(OutboxMessage.id, OutboxMessage.attempt_count, OutboxMessage.claimed_by)
                 .where(OutboxMessage.state == MessageState.SENDING, OutboxMessage.claimed_until < now)
                 .order_by(OutboxMessage.id))
        if self.is_postgres:
            query = query.with_for_update(skip_locked=True)
        released = 0
        for message_id_, attempts, owner in self.session.execute(query).all():
            gave_up = attempts >= self.max_attempts
            result = self.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id_, OutboxMessage.state == MessageState.SENDING,
                       OutboxMessage.claimed_until < now)
                .values(state=MessageState.FAILED if gave_up else MessageState.QUEUED, claimed_by="",
                        claimed_until=None, next_attempt_at=now,
                        last_error=f"Worker „{owner}“ hat sich nicht zurückgemeldet (abgebrochen?).")
                .execution_options(synchronize_session=False))
            if _rowcount(result) == 1:
                released += 1
                self.session.add(DeliveryAttempt(
                    message_id=message_id_, worker=owner, started_at=now, is_success=False,
                    error=f"Keine Rückmeldung von Worker „{owner}“ bis zum Ablauf der Reservierung; "
                          "die Nachricht wird erneut versucht."))
        self.session.commit()
        return released

    def claim(self) -> list[int]:
        """Take up to ``batch`` due messages for this worker, in a transaction of its own."""
        now = self.clock()
        assert self.lease is not None
        until = now + self.lease
        begin_write(self.session)
        query = (select(OutboxMessage.id)
                 .where(OutboxMessage.state == MessageState.QUEUED, OutboxMessage.next_attempt_at <= now)
                 .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(self.batch))
        values = dict(state=MessageState.SENDING, claimed_by=self.name, claimed_until=until,
                      attempt_count=OutboxMessage.attempt_count + 1)
        claimed: list[int] = []
        if self.is_postgres:
            ids = list(self.session.scalars(query.with_for_update(skip_locked=True)))
            if ids:
                self.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                                     .values(**values).execution_options(synchronize_session=False))
            claimed = ids
        else:
            for message_id_ in list(self.session.scalars(query)):
                result = self.session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == message_id_, OutboxMessage.state == MessageState.QUEUED)
                    .values(**values).execution_options(synchronize_session=False))
                if _rowcount(result) == 1:
                    claimed.append(message_id_)
        self.session.commit()
        return claimed

    def _load(self, ids: list[int]) -> list[_Claimed]:
        rows = self.session.execute(
            select(OutboxMessage.id, OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.body_text,
                   OutboxMessage.body_html, OutboxMessage.attachments, OutboxMessage.headers,
                   OutboxMessage.attempt_count, OutboxMessage.claimed_until, OutboxMessage.created_at,
                   OutboxMessage.message_id)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.claimed_by == self.name,
                   OutboxMessage.state == MessageState.SENDING)
            .order_by(OutboxMessage.id)).all()
        messages = [_Claimed(*row) for row in rows]
        missing = [m for m in messages if not m.message_id]
        if missing:  # rows queued before ids were stored: fix theirs now, once, before the first try
            begin_write(self.session)
            for message in missing:
                message.message_id = legacy_message_id(message.id, message.created_at, self.sender)
                self.session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id,
                                                                 OutboxMessage.message_id == "")
                                     .values(message_id=message.message_id)
                                     .execution_options(synchronize_session=False))
        self.session.commit()  # end the read: no lock or snapshot is held while we talk SMTP
        return messages

    # -- outcomes (each its own short transaction, starting with a write) --

    def _renew(self, ids: list[int]) -> tuple[set[int], datetime]:
        """Extend the claim on ``ids`` (inside the caller's transaction); returns those we still hold.

        A message whose claim expired and was taken over by another worker is not ours any more:
        the conditional UPDATE leaves it alone and we do not send it.
        """
        assert self.lease is not None
        until = self.clock() + self.lease
        if not ids:
            return set(), until
        mine = (OutboxMessage.id.in_(ids), OutboxMessage.state == MessageState.SENDING,
                OutboxMessage.claimed_by == self.name)
        self.session.execute(update(OutboxMessage).where(*mine).values(claimed_until=until)
                             .execution_options(synchronize_session=False))
        return set(self.session.scalars(select(OutboxMessage.id).where(*mine))), until

    def _finish(self, message: _Claimed, values: dict[str, Any], attempt: DeliveryAttempt,
                rest: list[int]) -> tuple[int, set[int], datetime]:
        """Record one outcome and renew the claim on the rest of the batch, in one commit."""
        begin_write(self.session)
        result = self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id, OutboxMessage.state == MessageState.SENDING,
                   OutboxMessage.claimed_by == self.name)
            .values(**values).execution_options(synchronize_session=False))
        self.session.add(attempt)
        owned, until = self._renew(rest)
        self.session.commit()
        return _rowcount(result), owned, until

    def _mark_sent(self, message: _Claimed, started: datetime,
                   rest: list[int] | None = None) -> tuple[set[int], datetime]:
        rowcount, owned, until = self._finish(
            message, dict(state=MessageState.SENT, sent_at=self.clock(), claimed_by="", claimed_until=None,
                          last_error=""),
            DeliveryAttempt(message_id=message.id, worker=self.name, started_at=started, is_success=True),
            rest or [])
        if rowcount != 1:
            log.warning("Outbox message %s was sent after this worker's claim had expired; "
                        "another worker may send it again.", message.id)
        return owned, until

    def _mark_failed(self, message: _Claimed, started: datetime, error: BaseException,
                     rest: list[int] | None = None) -> tuple[bool, set[int], datetime]:
        """Record a failed try; returns whether the worker gave up on the message, and the renewal."""
        permanent = is_permanent(error)
        gave_up = permanent or message.attempt_count >= self.max_attempts
        now = self.clock()
        text = _describe(error)
        _rowcount, owned, until = self._finish(
            message, dict(state=MessageState.FAILED if gave_up else MessageState.QUEUED, claimed_by="",
                          claimed_until=None, last_error=text,
                          next_attempt_at=now if gave_up else now + backoff(message.attempt_count, self.retry_base,
                                                                            self.retry_max)),
            DeliveryAttempt(message_id=message.id, worker=self.name, started_at=started, is_success=False,
                            error=text),
            rest or [])
        return gave_up, owned, until

    def _unclaim(self, messages: list[_Claimed]) -> None:
        """Hand back messages we did not try (stopping, or too little lease left): no try is counted."""
        if not messages:
            return
        begin_write(self.session)
        for message in messages:
            self.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id, OutboxMessage.state == MessageState.SENDING,
                       OutboxMessage.claimed_by == self.name)
                .values(state=MessageState.QUEUED, claimed_by="", claimed_until=None,
                        attempt_count=OutboxMessage.attempt_count - 1)
                .execution_options(synchronize_session=False))
        self.session.commit()

    # -- one batch --

    def _build(self, message: _Claimed) -> Any:
        return build_message(sender=self.sender, recipient=message.recipient, subject=message.subject,
                             body_text=message.body_text, body_html=message.body_html,
                             attachments=message.attachments, headers=message.headers,
                             message_id=message.message_id)

    def run_batch(self) -> Report:
        report = Report(released=self.release_expired())
        ids = self.claim()
        report.claimed = len(ids)
        if not ids:
            return report
        messages = self._load(ids)
        owned = {m.id for m in messages}
        until = min((m.claimed_until for m in messages), default=self.clock())
        transport: Transport = open_transport(self.app, self.session)
        try:
            for index, message in enumerate(messages):
                rest = [m.id for m in messages[index + 1:]]
                if self.should_stop() or self.clock() + timedelta(seconds=self.timeout + 5) >= until:
                    self._unclaim([m for m in messages[index:] if m.id in owned])
                    break
                if message.id not in owned:
                    log.warning("Outbox message %s: this worker's claim expired and another worker took it "
                                "over; not sending it here.", message.id)
                    continue
                started = self.clock()
                try:
                    outgoing = self._build(message)
                except Exception as error:
                    gave_up, owned, until = self._mark_failed(message, started, error, rest)
                    report.failed += gave_up
                    report.retried += not gave_up
                    continue
                try:
                    transport.open()
                except Exception as error:
                    log.warning("SMTP connection failed: %s", _describe(error))
                    for position, other in enumerate(messages[index:], index):
                        if other.id not in owned:
                            continue
                        gave_up, owned, until = self._mark_failed(other, started, error,
                                                                  [m.id for m in messages[position + 1:]])
                        report.failed += gave_up
                        report.retried += not gave_up
                    break
                try:
                    transport.send(outgoing, outbox_id=message.id)
                except Exception as error:
                    transport.discard()
                    gave_up, owned, until = self._mark_failed(message, started, error, rest)
                    report.failed += gave_up
                    report.retried += not gave_up
                    if isinstance(error, (OSError, smtplib.SMTPServerDisconnected)):
                        transport.reset()
                else:
                    owned, until = self._mark_sent(message, started, rest)  # the at-least-once window ends here
                    report.sent += 1
        finally:
            transport.close()
        return report

    def run_until_idle(self, max_batches: int | None = None) -> Report:
        """The one-shot mode: work until no message is due (or ``max_batches`` were done)."""
        total = Report()
        batches = 0
        while not self.should_stop():
            report = self.run_batch()
            total.add(report)
            batches += 1
            if report.claimed == 0 or (max_batches is not None and batches >= max_batches):
                break
        return total

    def run_forever(self, interval: float = 5.0, sleep: Callable[[float], None] = time.sleep) -> Report:
        """The loop mode: work while messages are due, otherwise wait ``interval`` seconds."""
        total = Report()
        while not self.should_stop():
            try:
                report = self.run_batch()
            except Exception:
                log.exception("Outbox batch failed; retrying in %s s", interval)
                self.session.rollback()
                report = Report()
            total.add(report)
            if report.claimed == 0:
                waited = 0.0
                while waited < interval and not self.should_stop():
                    sleep(min(0.5, interval - waited))
                    waited += 0.5
        return total
