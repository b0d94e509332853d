"""Events (Veranstaltungen), invitations with answers, and attendance."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.actors import Actor
from crm.models.base import Base, str_enum, utcnow
from crm.models.initiatives import Initiative
from crm.models.persons import Person
from crm.models.vocabularies import EventKind, Topic

event_topics = Table(
    "event_topics",
    Base.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    DONE = "done"
    CANCELLED = "cancelled"


class Answer(enum.StrEnum):
    """State of an invitation; closed set (DESIGN.md), the waiting list is part of it."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    TENTATIVE = "tentative"
    DECLINED = "declined"
    WAITLISTED = "waitlisted"


class AttendanceSource(enum.StrEnum):
    DOOR = "door"          # checked in at the door
    WALK_IN = "walk_in"    # came without invitation, added at the door
    LIST = "list"          # entered afterwards from a paper list


class Event(Base):
    """An event. Times are stored in UTC and shown in Europe/Berlin.

    ``ical_sequence`` grows with each change sent out, as RFC 5545 requires for updates.
    """

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), nullable=False, unique=True,
                                     default=lambda: uuid.uuid4().hex)
    kind_id: Mapped[int] = mapped_column(ForeignKey("event_kinds.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(255), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    starts_at: Mapped[datetime] = mapped_column(nullable=False, index=True)
    ends_at: Mapped[datetime] = mapped_column(nullable=False)
    place: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    online_url: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    answer_deadline: Mapped[datetime | None] = mapped_column(nullable=True)
    initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiatives.id", ondelete="SET NULL"), nullable=True, index=True)
    status: Mapped[EventStatus] = mapped_column(str_enum(EventStatus), nullable=False,
                                                default=EventStatus.DRAFT, index=True)
    ical_sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    contact_name: Mapped[str] = mapped_column(String(200), nullable=False, default="",
                                              doc="Whom guests contact (shown after the answer deadline).")
    contact_email: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    # The Bildungsportal's calendar (issue 14). Only what the organiser wrote for the public is shown
    # there: the internal description may name speakers or guests, and the online link may carry a
    # meeting password, so neither is published; registrants get the link by mail.
    is_public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, index=True,
                                            doc="Shown in the portal's calendar (once no longer a draft).")
    registration_open: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False,
        doc="Visitors without an invitation may register on the public event page.")
    public_description: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                                    doc="The text the portal shows (never ``description``).")
    # The one-time token of the form that created the event: a double click or a resent request
    # carries the same token, and the unique constraint lets only the first one create a row.
    creation_token: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    # Workshops only: when the organiser ended the dot voting through personal links (None: open).
    workshop_voting_closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    kind: Mapped[EventKind] = relationship()
    initiative: Mapped[Initiative | None] = relationship()
    topics: Mapped[list[Topic]] = relationship(secondary=event_topics, order_by="Topic.sort_order")
    invitations: Mapped[list[Invitation]] = relationship(back_populates="event", cascade="all, delete-orphan")
    attendances: Mapped[list[Attendance]] = relationship(back_populates="event", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version_id}

    def __str__(self) -> str:
        return self.title

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r}>"


class Invitation(Base):
    """An invitation of a person, on behalf of an actor, and the person's answer."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("actors.id", ondelete="SET NULL"), nullable=True, index=True)
    answer: Mapped[Answer] = mapped_column(str_enum(Answer), nullable=False, default=Answer.PENDING, index=True)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    waitlist_position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    invited_at: Mapped[datetime | None] = mapped_column(nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    # Secret part of the personal answer link; set when the first link is issued (so demo data
    # stays reproducible), replaced to invalidate every link sent so far.
    token_nonce: Mapped[str] = mapped_column(String(32), nullable=False, default="")

    event: Mapped[Event] = relationship(back_populates="invitations")
    person: Mapped[Person] = relationship()
    actor: Mapped[Actor | None] = relationship()

    def __repr__(self) -> str:
        return f"<Invitation {self.id} event={self.event_id} person={self.person_id} {self.answer.value}>"


class Attendance(Base):
    """A person present at an event, for an actor; feeds the 'events' layer of the network."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("actors.id", ondelete="SET NULL"), nullable=True, index=True)
    source: Mapped[AttendanceSource] = mapped_column(str_enum(AttendanceSource), nullable=False,
                                                     default=AttendanceSource.DOOR)
    checked_in_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="attendances")
    person: Mapped[Person] = relationship()
    actor: Mapped[Actor | None] = relationship()

    def __repr__(self) -> str:
        return f"<Attendance {self.id} event={self.event_id} person={self.person_id}>"
