"""Mail outbox: a message is a row first, so a crash or an SMTP outage loses nothing."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, str_enum, utcnow


class MessageState(enum.StrEnum):
    QUEUED = "queued"      # waiting for the worker (also after a failed attempt, until next_attempt_at)
    SENDING = "sending"    # claimed by a worker until claimed_until
    SENT = "sent"
    FAILED = "failed"      # gave up after the last retry


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str] = mapped_column(Text, nullable=False, default="")
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    headers: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False, default=dict)
    category: Mapped[str] = mapped_column(String(40), nullable=False, default="", index=True)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), nullable=True, index=True)
    state: Mapped[MessageState] = mapped_column(str_enum(MessageState), nullable=False,
                                                default=MessageState.QUEUED, index=True)
    attempt_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, index=True)
    claimed_by: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    claimed_until: Mapped[datetime | None] = mapped_column(nullable=True)
    last_error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The Message-ID header, made once when the message is queued and used on every attempt, so a
    # message sent twice (a worker killed after the SMTP server accepted it) is recognisably one.
    message_id: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)

    attempts: Mapped[list[DeliveryAttempt]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="DeliveryAttempt.started_at")

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} to={self.recipient!r} {self.state.value}>"


class DeliveryAttempt(Base):
    """One try to hand a message to the SMTP server, kept for the organiser to see."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="CASCADE"), nullable=False, index=True)
    worker: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    started_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    is_success: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    error: Mapped[str] = mapped_column(Text, nullable=False, default="")

    message: Mapped[OutboxMessage] = relationship(back_populates="attempts")

    def __repr__(self) -> str:
        return f"<DeliveryAttempt {self.id} message={self.message_id} ok={self.is_success}>"


class MailTemplate(Base):
    """An organiser's edited version of one German mail text (subject and body with placeholders).

    Only edited texts are stored; a key without a row uses the default from ``templates/mail/``,
    so a new default reaches every office that never changed that text.
    """

    __tablename__ = "mail_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}

    def __repr__(self) -> str:
        return f"<MailTemplate {self.id} {self.key!r}>"


class MailboxMessage(Base):
    """A message "delivered" to the development mailbox instead of an SMTP server.

    With ``MAIL_BACKEND=mailbox`` (what ``make run`` sets) the worker writes the exact bytes it
    would have handed to SMTP here, so an organiser trying the application sees each mail as the
    guest would, with its working answer link and calendar file, and the outbox path (queue,
    claim, attempt, sent) is the same as in production.
    """

    __tablename__ = "mailbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), nullable=True, index=True)
    recipient: Mapped[str] = mapped_column(String(254), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    raw: Mapped[str] = mapped_column(Text, nullable=False, doc="the whole MIME message as it would go out")
    delivered_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, index=True)

    outbox_message: Mapped[OutboxMessage | None] = relationship()

    def __repr__(self) -> str:
        return f"<MailboxMessage {self.id} to={self.recipient!r}>"
