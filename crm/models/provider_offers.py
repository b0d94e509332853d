"""Providers keep their own offers: the personal link of a provider's contact, and the changes it
proposes, which wait for a coordinator.

A provider has no account. Its contact (a person linked to the actor, or the actor's role address)
gets a signed link (``crm.services.offers.provider_links``) bound to a ``ProviderLink`` row, whose
nonce revokes every link sent so far when it is replaced. What the provider enters through the
link is an ``OfferProposal``: the proposed field values as JSON, with the values they replace and
the offer's version at the time, so a coordinator sees old → new per field and a proposal made
against an offer that changed meanwhile is detected rather than written over it.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.actors import Actor
from crm.models.base import Base, str_enum, utcnow
from crm.models.offers import Offer
from crm.models.persons import Person


class ProviderLink(Base):
    """One contact's personal link for one provider actor (one row per actor and address)."""

    __tablename__ = "provider_links"
    __table_args__ = (UniqueConstraint("actor_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), nullable=False, index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"), nullable=True,
                                                  index=True, doc="None: the actor's role address.")
    email: Mapped[str] = mapped_column(String(254), nullable=False, doc="Where the link was sent.")
    token_nonce: Mapped[str] = mapped_column(String(32), nullable=False,
                                             doc="96 random bits in the signed link; replaced to revoke it.")
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True, doc="Last time a mail carried the link.")
    confirmation_requested_at: Mapped[datetime | None] = mapped_column(
        nullable=True, index=True, doc="Last yearly request to confirm the offers (so it goes once a year).")
    used_at: Mapped[datetime | None] = mapped_column(nullable=True, doc="Last time the provider sent something.")

    actor: Mapped[Actor] = relationship()
    person: Mapped[Person | None] = relationship()

    def __repr__(self) -> str:
        return f"<ProviderLink {self.id} actor={self.actor_id} {self.email!r}>"


class ProposalStatus(enum.StrEnum):
    """A closed set: only a pending proposal can be decided; a decided one stays for the record."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class OfferProposal(Base):
    """A provider's new offer or change to one of its offers, waiting for a coordinator's decision."""

    __tablename__ = "offer_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), nullable=False, index=True,
                                          doc="The provider the link belongs to.")
    offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("offers.id", ondelete="CASCADE"), nullable=True, index=True,
        doc="The offer changed; None for a new offer until it is accepted (then the offer it made).")
    link_id: Mapped[int | None] = mapped_column(ForeignKey("provider_links.id", ondelete="SET NULL"), nullable=True,
                                                index=True, doc="The link it came through.")
    submitted_by: Mapped[str] = mapped_column(String(254), nullable=False, default="",
                                              doc="The address of the link, kept if the link goes.")
    is_new: Mapped[bool] = mapped_column(nullable=False, default=False)
    proposed: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict,
                                                     doc="Field → proposed value (JSON-safe; vocabularies as ids).")
    previous: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict,
                                                     doc="Field → the offer's value when the provider sent it.")
    base_version: Mapped[int | None] = mapped_column(Integer, nullable=True,
                                                     doc="The offer's version_id the proposal was made against.")
    status: Mapped[ProposalStatus] = mapped_column(str_enum(ProposalStatus), nullable=False,
                                                   default=ProposalStatus.PENDING, index=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="", doc="Why it was rejected (optional).")
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, onupdate=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    decided_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    actor: Mapped[Actor] = relationship()
    offer: Mapped[Offer | None] = relationship()
    link: Mapped[ProviderLink | None] = relationship()

    __mapper_args__ = {"version_id_col": version_id}

    def __repr__(self) -> str:
        return f"<OfferProposal {self.id} {self.status.value} offer={self.offer_id}>"
