"""Vocabularies: data that administrators edit, seeded with German defaults.

They are tables rather than Python enums because every Bildungsbüro names its
landscape a little differently (DESIGN.md: "Vocabularies are data").
"""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.collation import german
from crm.models.base import Base


class VocabularyMixin:
    """Name, order and an active flag: retired entries stay for history but leave the pick lists."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} {self.name!r}>"


class ActorKind(VocabularyMixin, Base):
    """Kind of actor (Grundschule, Kita, IHK …) with its category (Schule, Kita, Wirtschaft …).

    The category is what maps colour by and what assortativity is measured on.
    """

    __tablename__ = "actor_kinds"

    category: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    is_individual: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class LifeStage(VocabularyMixin, Base):
    """A stage of the Bildungsbiographie; ``sort_order`` is the order along the life course.

    Consecutive stages form the transitions (Übergänge) analysed in the coverage matrix.
    """

    __tablename__ = "life_stages"

    code: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)


class Topic(VocabularyMixin, Base):
    """Themenfeld such as MINT or Alphabetisierung und Grundbildung."""

    __tablename__ = "topics"


class Area(Base):
    """Where an actor works, as a tree: Stadt Trier > Stadtteil; Landkreis > Verbandsgemeinde."""

    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    level: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), nullable=True, index=True)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    outline: Mapped[str | None] = mapped_column(
        Text, nullable=True,
        doc="The area's outline as a GeoJSON geometry (Polygon or MultiPolygon), from an outline import "
            "(crm.services.geo.outlines); the geographic map draws it under the actors. Empty: no outline.")

    parent: Mapped[Area | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Area]] = relationship(back_populates="parent",
                                                order_by=lambda: german(Area.name))  # crm.collation

    @property
    def path(self) -> tuple[Area, ...]:
        """Ancestors from the root down to this area."""
        chain: list[Area] = []
        node: Area | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return tuple(reversed(chain))

    @property
    def full_name(self) -> str:
        return " › ".join(a.name for a in self.path)

    def __str__(self) -> str:
        return self.full_name

    def __repr__(self) -> str:
        return f"<Area {self.id} {self.name!r}>"


class TargetGroup(VocabularyMixin, Base):
    """Zielgruppe of an offer: Kinder, Jugendliche, Eltern, Neuzugewanderte …"""

    __tablename__ = "target_groups"


class CooperationType(VocabularyMixin, Base):
    """Kooperationsvertrag, Projektpartnerschaft, Förderung …; directed types point from giver to taker."""

    __tablename__ = "cooperation_types"

    is_directed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    description: Mapped[str] = mapped_column(String(500), nullable=False, default="")


class EventKind(VocabularyMixin, Base):
    """Bildungskonferenz, Bildungsgespräch, Strategiewerkstatt, Fortbildung, Netzwerktreffen."""

    __tablename__ = "event_kinds"

    # Workshops (Strategiewerkstatt) record groups, proposals and dot votes (crm/services/events/workshops.py).
    is_workshop: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
