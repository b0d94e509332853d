"""Workshop results (Strategiewerkstatt): tables or groups with their participants, the proposals
each group recorded, their dot votes, and the initiative a proposal became.

Dot votes come from two places and are kept apart, so the ranking can say where its numbers come
from: ``WorkshopProposal.votes`` is the count of sticky dots typed in from the paper by the
organiser; ``WorkshopDot`` rows are the dots a participant gave through their personal link
(one row per participant and proposal). The event's ``workshop_voting_closed_at`` ends the link
voting; until then a participant can change their dots.

A proposal keeps the initiative it turned into (``initiative_id``, unique: one proposal, one
initiative) so the way from the workshop to the programme can be followed in both directions.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.actors import Actor
from crm.models.base import Base, utcnow
from crm.models.events import Event
from crm.models.initiatives import Initiative
from crm.models.persons import Person

workshop_proposers = Table(
    "workshop_proposers",
    Base.metadata,
    Column("proposal_id", ForeignKey("workshop_proposals.id", ondelete="CASCADE"), primary_key=True),
    Column("participant_id", ForeignKey("workshop_participants.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class WorkshopGroup(Base):
    """A table or working group of a workshop event ("Tisch 1: Übergänge")."""

    __tablename__ = "workshop_groups"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)

    event: Mapped[Event] = relationship()
    participants: Mapped[list[WorkshopParticipant]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="WorkshopParticipant.id")
    proposals: Mapped[list[WorkshopProposal]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="WorkshopProposal.id")

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<WorkshopGroup {self.id} event={self.event_id} {self.name!r}>"


class WorkshopParticipant(Base):
    """A person at one table of a workshop, for an actor; a person sits at one table per workshop."""

    __tablename__ = "workshop_participants"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("workshop_groups.id", ondelete="CASCADE"), nullable=False,
                                          index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("actors.id", ondelete="SET NULL"), nullable=True, index=True)

    event: Mapped[Event] = relationship()
    group: Mapped[WorkshopGroup] = relationship(back_populates="participants")
    person: Mapped[Person] = relationship()
    # The vote link (``crm.services.events.workshop_vote_tokens``): 96 random bits, so one link cannot
    # be derived from another; replacing them revokes every link sent so far. Empty until a link is made.
    token_nonce: Mapped[str | None] = mapped_column(String(32), nullable=True)
    vote_link_sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    voted_at: Mapped[datetime | None] = mapped_column(nullable=True, doc="Last time the participant saved dots.")

    actor: Mapped[Actor | None] = relationship()
    dots: Mapped[list[WorkshopDot]] = relationship(back_populates="participant", cascade="all, delete-orphan",
                                                   passive_deletes=True, order_by="WorkshopDot.proposal_id")
    proposed: Mapped[list[WorkshopProposal]] = relationship(secondary=workshop_proposers, viewonly=True,
                                                            order_by="WorkshopProposal.id")

    def __repr__(self) -> str:
        return f"<WorkshopParticipant {self.id} group={self.group_id} person={self.person_id}>"


class WorkshopProposal(Base):
    """An idea a group recorded, its dot votes (typed in from the paper) and what became of it."""

    __tablename__ = "workshop_proposals"
    __table_args__ = (CheckConstraint("votes >= 0", name="votes_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("workshop_groups.id", ondelete="CASCADE"), nullable=False,
                                          index=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    votes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiatives.id", ondelete="SET NULL"), nullable=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, onupdate=utcnow)

    group: Mapped[WorkshopGroup] = relationship(back_populates="proposals")
    initiative: Mapped[Initiative | None] = relationship()
    proposers: Mapped[list[WorkshopParticipant]] = relationship(secondary=workshop_proposers,
                                                                order_by="WorkshopParticipant.id")

    def __str__(self) -> str:
        return self.title

    def __repr__(self) -> str:
        return f"<WorkshopProposal {self.id} group={self.group_id} votes={self.votes}>"


class WorkshopDot(Base):
    """The dots one participant put on one proposal through their vote link.

    A row per participant and proposal (several dots on one proposal are one row with ``dots`` > 1);
    a proposal without dots from this participant has no row. Deleting the participant or the
    proposal deletes the dots: a ballot without its voter or its object counts for nothing.
    """

    __tablename__ = "workshop_dots"
    __table_args__ = (UniqueConstraint("participant_id", "proposal_id"),
                      CheckConstraint("dots > 0", name="dots_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("workshop_participants.id", ondelete="CASCADE"),
                                                nullable=False, index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("workshop_proposals.id", ondelete="CASCADE"),
                                             nullable=False, index=True)
    dots: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, onupdate=utcnow)

    participant: Mapped[WorkshopParticipant] = relationship(back_populates="dots")
    proposal: Mapped[WorkshopProposal] = relationship()

    def __repr__(self) -> str:
        return f"<WorkshopDot participant={self.participant_id} proposal={self.proposal_id} dots={self.dots}>"
