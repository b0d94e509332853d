"""Workshop results (Strategiewerkstatt): tables or groups with their participants, the proposals
each group recorded, their dot votes, and the initiative a proposal became.

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
    actor: Mapped[Actor | None] = relationship()
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
