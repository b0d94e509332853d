"""Offers (Bildungsangebote): what actors offer to learners, shown in the public portal once published."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.actors import Actor
from crm.models.base import Base, str_enum, utcnow
from crm.models.persons import Person
from crm.models.vocabularies import Area, LifeStage, TargetGroup, Topic

offer_providers = Table(
    "offer_providers",
    Base.metadata,
    Column("offer_id", ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
    Column("actor_id", ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True, index=True),
)
offer_life_stages = Table(
    "offer_life_stages",
    Base.metadata,
    Column("offer_id", ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
    Column("life_stage_id", ForeignKey("life_stages.id", ondelete="CASCADE"), primary_key=True, index=True),
)
offer_topics = Table(
    "offer_topics",
    Base.metadata,
    Column("offer_id", ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True),
)
offer_target_groups = Table(
    "offer_target_groups",
    Base.metadata,
    Column("offer_id", ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
    Column("target_group_id", ForeignKey("target_groups.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class OfferStatus(enum.StrEnum):
    """A closed set: only published offers go public; an ended offer stays for the record."""

    DRAFT = "draft"
    PUBLISHED = "published"
    ENDED = "ended"


class Offer(Base):
    """A course, counselling, project or regular group that one or more actors offer to learners."""

    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    format: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    place: Mapped[str] = mapped_column(
        String(300), nullable=False, default="", doc="Where it takes place; empty: at the (first) provider's address.")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), nullable=True, index=True)
    starts_on: Mapped[date | None] = mapped_column(nullable=True)
    ends_on: Mapped[date | None] = mapped_column(nullable=True)
    is_ongoing: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, doc="„laufend“: no dates.")
    schedule: Mapped[str] = mapped_column(String(200), nullable=False, default="",
                                          doc="When, in words: „dienstags 15–16:30 Uhr“.")
    is_free: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, index=True)
    cost: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    entry_requirements: Mapped[str] = mapped_column(Text, nullable=False, default="")
    languages: Mapped[str] = mapped_column(String(200), nullable=False, default="",
                                           doc="Comma-separated: „Deutsch, Arabisch“.")
    is_accessible: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                                doc="The place is accessible (barrierefrei).")
    url: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    contact_email: Mapped[str] = mapped_column(String(254), nullable=False, default="",
                                               doc="A role address (info@, anmeldung@), never a person's own.")
    contact_phone: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    contact_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), nullable=True, index=True,
        doc="Named publicly only with the person's consent (ConsentPurpose.PUBLICATION).")
    status: Mapped[OfferStatus] = mapped_column(str_enum(OfferStatus), nullable=False, default=OfferStatus.DRAFT,
                                                index=True)
    confirmed_on: Mapped[date | None] = mapped_column(nullable=True, doc="Last day the provider confirmed it.")
    search_text: Mapped[str] = mapped_column(
        Text, nullable=False, default="",
        doc="Folded, stemmed words of title, description and providers (crm.services.offers.search).")
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    area: Mapped[Area | None] = relationship()
    contact_person: Mapped[Person | None] = relationship()
    providers: Mapped[list[Actor]] = relationship(secondary=offer_providers, order_by=lambda: Actor.name)
    life_stages: Mapped[list[LifeStage]] = relationship(secondary=offer_life_stages,
                                                        order_by="LifeStage.sort_order")
    topics: Mapped[list[Topic]] = relationship(secondary=offer_topics, order_by="Topic.sort_order")
    target_groups: Mapped[list[TargetGroup]] = relationship(secondary=offer_target_groups,
                                                            order_by="TargetGroup.sort_order")

    __mapper_args__ = {"version_id_col": version_id}

    def __str__(self) -> str:
        return self.title

    def __repr__(self) -> str:
        return f"<Offer {self.id} {self.title!r}>"
