"""What may go public: listed actors and their published offers (the portal asks only here).

* An actor appears publicly only after it agreed to be listed (``Actor.listing_agreed_on``, with who
  recorded it) and while it is active. Individual actors (volunteers, independent experts) are
  natural persons: the same agreement is their consent, and without it they never appear.
* An offer appears only when it is published and *every* provider is listed: naming an offer's
  provider would otherwise list an actor that did not agree.
* A person is named (an offer's contact) only with consent for ``ConsentPurpose.PUBLICATION``
  (``crm.services.privacy.consent.may_publish``); role addresses (info@, anmeldung@) are not
  personal data and are shown.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, not_, or_, select

from crm.models import Actor, Offer, OfferStatus
from crm.models.offers import offer_providers
from crm.services.errors import N_, ServiceError

LISTING_IN_FUTURE = N_("Das Einverständnis kann nicht in der Zukunft liegen.")


def is_listed(actor: Actor) -> bool:
    return actor.listing_agreed_on is not None and actor.is_active


def listed_clause() -> Any:
    """``is_listed`` as an SQL condition on ``Actor``."""
    return and_(Actor.listing_agreed_on.is_not(None), Actor.is_active.is_(True))


def is_public(offer: Offer) -> bool:
    return (offer.status == OfferStatus.PUBLISHED and bool(offer.providers)
            and all(is_listed(actor) for actor in offer.providers))


def public_clause() -> Any:
    """``is_public`` as an SQL condition on ``Offer``."""
    has_provider = exists(select(offer_providers.c.offer_id).where(offer_providers.c.offer_id == Offer.id))
    unlisted = exists(select(offer_providers.c.offer_id)
                      .join(Actor, Actor.id == offer_providers.c.actor_id)
                      .where(offer_providers.c.offer_id == Offer.id,
                             or_(Actor.listing_agreed_on.is_(None), Actor.is_active.is_(False))))
    return and_(Offer.status == OfferStatus.PUBLISHED, has_provider, not_(unlisted))


def listing_values(values: Mapping[str, Any], who: str, today: date | None = None) -> dict[str, Any]:
    """The agreement as it is saved: who recorded it is filled with ``who`` when left empty, and
    cleared with the date (no day: not listed, whatever the name field still says). Raises
    ServiceError for a day in the future."""
    result = dict(values)
    if "listing_agreed_on" not in values:
        return result
    day = values.get("listing_agreed_on")
    by = (values.get("listing_recorded_by") or "").strip()
    if day is None:
        result["listing_recorded_by"] = ""
        return result
    if day > (today or date.today()):
        raise ServiceError(LISTING_IN_FUTURE, "listing_agreed_on")
    result["listing_recorded_by"] = (by or who)[:200]
    return result
