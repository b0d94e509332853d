"""Actors (Akteure): the nodes of the education landscape."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, Numeric, String, Table, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.collation import german
from crm.models.base import Base, utcnow
from crm.models.vocabularies import ActorKind, Area, LifeStage, Topic

if TYPE_CHECKING:
    from crm.models.persons import Affiliation

actor_life_stages = Table(
    "actor_life_stages",
    Base.metadata,
    Column("actor_id", ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True),
    Column("life_stage_id", ForeignKey("life_stages.id", ondelete="CASCADE"), primary_key=True, index=True),
)

actor_topics = Table(
    "actor_topics",
    Base.metadata,
    Column("actor_id", ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Actor(Base):
    """An organisation, or an individual acting in their own right, in the landscape.

    ``version_id`` makes SQLAlchemy refuse an UPDATE based on a stale copy, so two
    coordinators editing the same actor cannot silently overwrite each other.
    """

    __tablename__ = "actors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    short_name: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    kind_id: Mapped[int] = mapped_column(ForeignKey("actor_kinds.id"), nullable=False, index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), nullable=True, index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), nullable=True, index=True)
    street: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    postcode: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    city: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6), nullable=True)
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6), nullable=True)
    website: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    email: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    external_ref: Mapped[str | None] = mapped_column(
        String(80), nullable=True, unique=True,
        doc="Reference in another register, such as the official school number.")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, index=True)
    active_from: Mapped[date | None] = mapped_column(
        nullable=True, doc="First day the actor worked in the landscape (founding, opening); empty: unknown.")
    active_until: Mapped[date | None] = mapped_column(
        nullable=True, doc="Last day the actor worked (closed, dissolved, merged); empty: still active or unknown. "
                           "The network as of an earlier date keeps an actor that has closed since.")
    listing_agreed_on: Mapped[date | None] = mapped_column(
        nullable=True, doc="Day the actor agreed to be listed in the public Bildungsportal; empty: not listed.")
    listing_recorded_by: Mapped[str] = mapped_column(
        String(200), nullable=False, default="", doc="Who recorded the agreement to be listed.")
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)
    # What the directory's search compares with, folded once on every write
    # (``crm.services.landscape.search``): name, short name, PLZ, place and reference, and the street
    # apart (an individual's street is personal data that some roles may not search).
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    search_street: Mapped[str] = mapped_column(Text, nullable=False, default="")

    kind: Mapped[ActorKind] = relationship()
    area: Mapped[Area | None] = relationship()
    parent: Mapped[Actor | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Actor]] = relationship(back_populates="parent",
                                                 order_by=lambda: german(Actor.name))  # crm.collation
    life_stages: Mapped[list[LifeStage]] = relationship(
        secondary=actor_life_stages, order_by="LifeStage.sort_order")
    topics: Mapped[list[Topic]] = relationship(secondary=actor_topics, order_by="Topic.sort_order")
    affiliations: Mapped[list[Affiliation]] = relationship(back_populates="actor")

    __mapper_args__ = {"version_id_col": version_id}
    # Trigram indexes on PostgreSQL (``LIKE '%wort%'`` uses them), plain ones on SQLite.
    __table_args__ = (
        Index("ix_actors_search_text", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}),
        Index("ix_actors_search_street", "search_street", postgresql_using="gin",
              postgresql_ops={"search_street": "gin_trgm_ops"}),
    )

    @property
    def is_listed(self) -> bool:
        """Released for the public portal: agreed to be listed, and still active
        (the rule lives in crm.services.offers.listing)."""
        return self.listing_agreed_on is not None and self.is_active

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Actor {self.id} {self.name!r}>"


@event.listens_for(Actor, "before_insert")
@event.listens_for(Actor, "before_update")
def _fill_search_columns(mapper: Any, connection: Any, target: Actor) -> None:
    """The stored search columns follow every ORM write of an actor; what they hold and how they
    are folded is the search service's rule (``crm.services.landscape.search``)."""
    from crm.services.landscape.search import fill_search_columns

    fill_search_columns(target)
