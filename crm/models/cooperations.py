"""Cooperations: ties between two actors, with history (ending never deletes)."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Column, Date, Float, ForeignKey, Integer, SmallInteger, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.actors import Actor
from crm.models.base import Base, utcnow
from crm.models.vocabularies import CooperationType, LifeStage, Topic

if TYPE_CHECKING:
    from crm.models.initiatives import Initiative

cooperation_topics = Table(
    "cooperation_topics",
    Base.metadata,
    Column("cooperation_id", ForeignKey("cooperations.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True),
)

cooperation_life_stages = Table(
    "cooperation_life_stages",
    Base.metadata,
    Column("cooperation_id", ForeignKey("cooperations.id", ondelete="CASCADE"), primary_key=True),
    Column("life_stage_id", ForeignKey("life_stages.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Cooperation(Base):
    """A tie between two actors. For directed types ``source`` gives (funds, refers) to ``target``.

    Intensity: 1 = loser Austausch, 2 = regelmäßige Zusammenarbeit, 3 = enge, vertraglich
    geregelte Zusammenarbeit. A tie is current on day d when start <= d and (no end or end >= d).
    """

    __tablename__ = "cooperations"
    __table_args__ = (
        CheckConstraint("source_id <> target_id", name="distinct_actors"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates_ordered"),
        CheckConstraint("intensity BETWEEN 1 AND 3", name="intensity_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), nullable=False, index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), nullable=False, index=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("cooperation_types.id"), nullable=False, index=True)
    is_directed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    intensity: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=2)
    weight: Mapped[float | None] = mapped_column(
        Float, nullable=True,
        doc="The tie's weight as an imported file gave it (GEXF/GraphML weight, Kumu strength); the analysis "
            "uses it instead of the intensity, so weighted measures reproduce the file. None: the intensity.")
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiatives.id", ondelete="SET NULL"), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    source: Mapped[Actor] = relationship(foreign_keys=[source_id])
    target: Mapped[Actor] = relationship(foreign_keys=[target_id])
    type: Mapped[CooperationType] = relationship()
    initiative: Mapped[Initiative | None] = relationship()
    topics: Mapped[list[Topic]] = relationship(secondary=cooperation_topics, order_by="Topic.sort_order")
    life_stages: Mapped[list[LifeStage]] = relationship(
        secondary=cooperation_life_stages, order_by="LifeStage.sort_order")

    __mapper_args__ = {"version_id_col": version_id}

    def is_current(self, on: date) -> bool:
        return (self.start_date is None or self.start_date <= on) and (self.end_date is None or self.end_date >= on)

    def partner_of(self, actor_id: int) -> Actor:
        return self.target if self.source_id == actor_id else self.source

    def __repr__(self) -> str:
        return f"<Cooperation {self.id} {self.source_id}->{self.target_id} type={self.type_id}>"
