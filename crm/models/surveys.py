"""Network surveys (Netzwerkbefragung): rounds, their recipients with answers, reported ties, review decisions.

A round asks actors about their own partners. Each recipient is one actor with the contact person who
gets the personal link. Partners named in an answer are stored as ``ReportedTie`` rows (who reported
whom, how often, on which topics, in which round, when); they become cooperations only when a
coordinator accepts them in the review (``SurveyDecision``, which keeps the cooperation it made).
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.actors import Actor
from crm.models.base import Base, str_enum, utcnow
from crm.models.cooperations import Cooperation
from crm.models.persons import Person
from crm.models.vocabularies import LifeStage, Topic

reported_tie_topics = Table(
    "reported_tie_topics",
    Base.metadata,
    Column("reported_tie_id", ForeignKey("reported_ties.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True),
)

reported_tie_life_stages = Table(
    "reported_tie_life_stages",
    Base.metadata,
    Column("reported_tie_id", ForeignKey("reported_ties.id", ondelete="CASCADE"), primary_key=True),
    Column("life_stage_id", ForeignKey("life_stages.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class SurveyStatus(enum.StrEnum):
    DRAFT = "draft"        # being composed, nothing sent
    OPEN = "open"          # links sent, answers accepted
    CLOSED = "closed"      # no more answers; the review goes on


class SurveyQuestion(enum.StrEnum):
    """The question types a round is composed of (a closed set: the answer page knows each)."""

    PARTNERS = "partners"      # partners from the roster, plus "not in the list"
    FREQUENCY = "frequency"    # how often they work together (per partner)
    TOPICS = "topics"          # topics and life stages of the work (per partner)
    GROUPS = "groups"          # working groups (initiatives) the actor takes part in
    FREE_TEXT = "free_text"    # anything else


class ReviewKind(enum.StrEnum):
    NEW = "new"                # reported, no current cooperation in the CRM
    INTENSITY = "intensity"    # reported with another intensity than the CRM's
    ENDED = "ended"            # in the CRM, but neither side reported it any more


class Decision(enum.StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class SurveyRound(Base):
    __tablename__ = "survey_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255), nullable=False)
    intro: Mapped[str] = mapped_column(Text, nullable=False, default="")
    questions: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[SurveyStatus] = mapped_column(str_enum(SurveyStatus), nullable=False,
                                                 default=SurveyStatus.DRAFT, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    # "Links senden" only records the intent; the background worker writes the personal link mails into
    # the outbox in batches (crm.services.surveys.sending) and clears it when every link is queued.
    send_requested_at: Mapped[datetime | None] = mapped_column(nullable=True, index=True,
                                                               doc="Sending asked for and not finished yet.")
    send_queued: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0",
                                             doc="Links the worker queued since the last request to send.")

    recipients: Mapped[list[SurveyRecipient]] = relationship(back_populates="round", cascade="all, delete-orphan")

    def asks(self, question: SurveyQuestion) -> bool:
        return question.value in (self.questions or [])

    def __str__(self) -> str:
        return self.title

    def __repr__(self) -> str:
        return f"<SurveyRound {self.id} {self.title!r} {self.status.value}>"


class SurveyRecipient(Base):
    """One actor asked in a round, the contact person who gets the link, and the actor's answer."""

    __tablename__ = "survey_recipients"
    __table_args__ = (UniqueConstraint("round_id", "actor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), nullable=False,
                                          index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), nullable=False, index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"), nullable=True,
                                                  index=True)
    # Secret part of the personal link (like Invitation.token_nonce): set when the first link is made.
    token_nonce: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    invited_at: Mapped[datetime | None] = mapped_column(nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(nullable=True)
    saved_at: Mapped[datetime | None] = mapped_column(nullable=True, doc="Last save, draft or final.")
    answered_at: Mapped[datetime | None] = mapped_column(nullable=True, index=True, doc="Sent off (final).")
    # Answers that are not ties: {"groups": [initiative ids], "free_text": "…"}.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)

    round: Mapped[SurveyRound] = relationship(back_populates="recipients")
    actor: Mapped[Actor] = relationship()
    person: Mapped[Person | None] = relationship()
    ties: Mapped[list[ReportedTie]] = relationship(back_populates="recipient", cascade="all, delete-orphan",
                                                   order_by="ReportedTie.position")

    def __repr__(self) -> str:
        return f"<SurveyRecipient {self.id} round={self.round_id} actor={self.actor_id}>"


class ReportedTie(Base):
    """A partner named by an actor in a round: an actor of the roster, or a free-text name."""

    __tablename__ = "reported_ties"
    __table_args__ = (
        CheckConstraint("intensity IS NULL OR intensity BETWEEN 1 AND 3", name="intensity_range"),
        CheckConstraint("partner_id IS NOT NULL OR partner_name <> ''", name="partner_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), nullable=False,
                                          index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("survey_recipients.id", ondelete="CASCADE"),
                                              nullable=False, index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), nullable=False,
                                             index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), nullable=True,
                                                   index=True)
    partner_name: Mapped[str] = mapped_column(String(255), nullable=False, default="",
                                              doc="A partner that is not in the roster, as typed.")
    intensity: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reported_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)

    round: Mapped[SurveyRound] = relationship()
    recipient: Mapped[SurveyRecipient] = relationship(back_populates="ties")
    reporter: Mapped[Actor] = relationship(foreign_keys=[reporter_id])
    partner: Mapped[Actor | None] = relationship(foreign_keys=[partner_id])
    topics: Mapped[list[Topic]] = relationship(secondary=reported_tie_topics, order_by="Topic.sort_order")
    life_stages: Mapped[list[LifeStage]] = relationship(secondary=reported_tie_life_stages,
                                                        order_by="LifeStage.sort_order")

    def __repr__(self) -> str:
        return f"<ReportedTie {self.id} {self.reporter_id}->{self.partner_id or self.partner_name!r}>"


class SurveyDecision(Base):
    """The coordinator's decision on one pair of actors in a round's review (low id first)."""

    __tablename__ = "survey_decisions"
    __table_args__ = (UniqueConstraint("round_id", "low_id", "high_id"),
                      CheckConstraint("low_id < high_id", name="ordered_pair"))

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), nullable=False,
                                          index=True)
    low_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), nullable=False, index=True)
    high_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[ReviewKind] = mapped_column(str_enum(ReviewKind), nullable=False)
    decision: Mapped[Decision] = mapped_column(str_enum(Decision), nullable=False)
    cooperation_id: Mapped[int | None] = mapped_column(ForeignKey("cooperations.id", ondelete="SET NULL"),
                                                       nullable=True, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True,
                                                      index=True)
    decided_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)

    round: Mapped[SurveyRound] = relationship()
    cooperation: Mapped[Cooperation | None] = relationship()

    def __repr__(self) -> str:
        return f"<SurveyDecision {self.id} round={self.round_id} {self.low_id}-{self.high_id} {self.decision.value}>"
