"""Persons (Ansprechpersonen) and their affiliations with actors."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.actors import Actor
from crm.models.base import Base, str_enum, utcnow


class LegalBasis(enum.StrEnum):
    """Legal basis of processing under Art. 6(1) DSGVO, recorded per person."""

    CONSENT = "consent"                  # Art. 6(1)(a) Einwilligung
    PUBLIC_TASK = "public_task"          # Art. 6(1)(e) öffentliche Aufgabe
    LEGITIMATE_INTEREST = "legitimate_interest"  # Art. 6(1)(f)


class Person(Base):
    """Someone the office writes to and who attends events; personal data under the DSGVO."""

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    salutation: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    title: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    first_name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    last_name: Mapped[str] = mapped_column(String(120), nullable=False, index=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False, default="", index=True)
    phone: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    legal_basis: Mapped[LegalBasis] = mapped_column(
        str_enum(LegalBasis),
        nullable=False, default=LegalBasis.PUBLIC_TASK)
    is_opted_out: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_anonymised: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, index=True)
    last_activity_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    affiliations: Mapped[list[Affiliation]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Affiliation.from_date")

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.title, self.first_name, self.last_name) if p)

    def __str__(self) -> str:
        return self.full_name

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.full_name!r}>"


class Affiliation(Base):
    """A person's function at an actor (Schulleitung, MINT-Koordination …) over a period."""

    __tablename__ = "affiliations"
    __table_args__ = (
        CheckConstraint("to_date IS NULL OR from_date IS NULL OR to_date >= from_date", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), nullable=False, index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), nullable=False, index=True)
    function: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    email: Mapped[str] = mapped_column(String(254), nullable=False, default="",
                                       doc="Work address at this actor, if it differs.")
    phone: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    from_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    to_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    person: Mapped[Person] = relationship(back_populates="affiliations")
    actor: Mapped[Actor] = relationship(back_populates="affiliations")

    def is_current(self, on: date) -> bool:
        return (self.from_date is None or self.from_date <= on) and (self.to_date is None or self.to_date >= on)

    def __repr__(self) -> str:
        return f"<Affiliation {self.id} person={self.person_id} actor={self.actor_id} {self.function!r}>"


class ConsentPurpose(enum.StrEnum):
    INVITATIONS = "invitations"
    NEWSLETTER = "newsletter"
    PUBLICATION = "publication"  # named as contact on public portal pages


class Consent(Base):
    """Consent given for one purpose: when, how and who recorded it; withdrawal keeps the row."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), nullable=False, index=True)
    purpose: Mapped[ConsentPurpose] = mapped_column(
        str_enum(ConsentPurpose),
        nullable=False)
    given_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    method: Mapped[str] = mapped_column(String(120), nullable=False, default="",
                                        doc="How it was given: Formular, E-Mail, mündlich bei …")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(nullable=True)

    person: Mapped[Person] = relationship()

    @property
    def is_valid(self) -> bool:
        return self.withdrawn_at is None

    def __repr__(self) -> str:
        return f"<Consent {self.id} person={self.person_id} {self.purpose.value}>"
