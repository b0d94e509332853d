"""Initiatives (projects, alliances, working groups, programmes) and their member actors."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.actors import Actor
from crm.models.base import Base, str_enum, utcnow
from crm.models.vocabularies import LifeStage, Topic

initiative_topics = Table(
    "initiative_topics",
    Base.metadata,
    Column("initiative_id", ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True),
)

initiative_life_stages = Table(
    "initiative_life_stages",
    Base.metadata,
    Column("initiative_id", ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True),
    Column("life_stage_id", ForeignKey("life_stages.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class InitiativeKind(enum.StrEnum):
    PROJECT = "project"
    ALLIANCE = "alliance"
    WORKING_GROUP = "working_group"
    PROGRAMME = "programme"


class MembershipRole(enum.StrEnum):
    """Closed set: the analysis and the reports rely on these four."""

    LEAD = "lead"
    PARTNER = "partner"
    MEMBER = "member"
    FUNDER = "funder"


class Initiative(Base):
    __tablename__ = "initiatives"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False, unique=True)
    short_name: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    kind: Mapped[InitiativeKind] = mapped_column(str_enum(InitiativeKind), nullable=False,
                                                 default=InitiativeKind.PROJECT)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    website: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    topics: Mapped[list[Topic]] = relationship(secondary=initiative_topics, order_by="Topic.sort_order")
    life_stages: Mapped[list[LifeStage]] = relationship(
        secondary=initiative_life_stages, order_by="LifeStage.sort_order")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="initiative", cascade="all, delete-orphan", order_by="Membership.joined_on")

    __mapper_args__ = {"version_id_col": version_id}

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Initiative {self.id} {self.name!r}>"


class Membership(Base):
    """An actor's membership in an initiative; leaving sets ``left_on`` and keeps the row."""

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint("left_on IS NULL OR joined_on IS NULL OR left_on >= joined_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), nullable=False, index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), nullable=False, index=True)
    role: Mapped[MembershipRole] = mapped_column(str_enum(MembershipRole), nullable=False,
                                                 default=MembershipRole.MEMBER)
    joined_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    left_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    initiative: Mapped[Initiative] = relationship(back_populates="memberships")
    actor: Mapped[Actor] = relationship()

    def is_current(self, on: date) -> bool:
        return (self.joined_on is None or self.joined_on <= on) and (self.left_on is None or self.left_on >= on)

    def __repr__(self) -> str:
        return f"<Membership {self.id} initiative={self.initiative_id} actor={self.actor_id} {self.role.value}>"
