"""Creating, changing, confirming and deleting offers; the coordinators' list.

Every rule of an offer is here (``check_offer``): the page form calls it through ``create_offer``
and ``update_offer`` and shows its refusal under the field it names. The audit log records every
insert, update and delete by itself (``crm.services.privacy.audit`` lists ``Offer``).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from crm.collation import german
from crm.models import Actor, Offer, OfferStatus, Person
from crm.models.offers import offer_providers
from crm.services.errors import N_, ServiceError
from crm.services.landscape.actors import check_version, flush_versioned
from crm.services.offers import search

STATUS_LABELS = {OfferStatus.DRAFT: N_("Entwurf"), OfferStatus.PUBLISHED: N_("veröffentlicht"),
                 OfferStatus.ENDED: N_("beendet")}
FORMATS: tuple[str, ...] = (N_("Kurs"), N_("Workshop"), N_("Beratung"), N_("Projekt"), N_("Regelmäßige Gruppe"),
                            N_("Veranstaltung"), N_("Online-Angebot"), N_("Ferienangebot"))
EDITABLE_FIELDS = (
    "title", "description", "format", "place", "area", "starts_on", "ends_on", "is_ongoing", "schedule",
    "is_free", "cost", "entry_requirements", "languages", "is_accessible", "url", "contact_email",
    "contact_phone", "contact_person", "status", "confirmed_on", "providers", "life_stages", "topics",
    "target_groups",
)
PER_PAGE = 50

TITLE_REQUIRED = N_("Bitte geben Sie einen Titel ein.")
PROVIDER_REQUIRED = N_("Bitte nennen Sie mindestens einen Anbieter.")
PERIOD_REVERSED = N_("Das Ende darf nicht vor dem Beginn liegen.")
WHEN_REQUIRED = N_("Ein veröffentlichtes Angebot braucht einen Beginn oder den Haken „laufend“.")
CONFIRMED_IN_FUTURE = N_("Die Bestätigung kann nicht in der Zukunft liegen.")
PERSON_UNKNOWN = N_("Keine Person mit der E-Mail-Adresse „%(email)s“ gefunden.")
PERSON_ANONYMISED = N_("Diese Person ist anonymisiert und kann nicht Kontakt sein.")


def check_offer(values: Mapping[str, Any], offer: Offer | None = None, today: date | None = None) -> None:
    """Raise ServiceError (with the field it concerns) for the first rule ``values`` break; for a change
    (``offer`` given) the saved values stand in for the ones not given."""
    def value(key: str) -> Any:
        return values.get(key) if key in values or offer is None else getattr(offer, key)

    if not (value("title") or "").strip():
        raise ServiceError(TITLE_REQUIRED, "title")
    if not value("providers"):
        raise ServiceError(PROVIDER_REQUIRED, "providers")
    start, end = value("starts_on"), value("ends_on")
    if start and end and end < start:
        raise ServiceError(PERIOD_REVERSED, "ends_on")
    if value("status") == OfferStatus.PUBLISHED and not start and not value("is_ongoing"):
        raise ServiceError(WHEN_REQUIRED, "starts_on")
    confirmed = value("confirmed_on")
    if confirmed and confirmed > (today or date.today()):
        raise ServiceError(CONFIRMED_IN_FUTURE, "confirmed_on")
    person = value("contact_person")
    if person is not None and person.is_anonymised:
        raise ServiceError(PERSON_ANONYMISED, "contact_person")


def person_by_email(session: Session, email: str) -> Person | None:
    """The contact person named by an e-mail address (the form's field); None for an empty one.
    Raises ServiceError when nobody has it."""
    email = (email or "").strip()
    if not email:
        return None
    person = session.scalars(select(Person).where(func.lower(Person.email) == email.lower())
                             .order_by(Person.id).limit(1)).first()
    if person is None:
        raise ServiceError(PERSON_UNKNOWN, "contact_person", {"email": email})
    return person


def _apply(offer: Offer, values: Mapping[str, Any]) -> None:
    for key in EDITABLE_FIELDS:
        if key in values:
            setattr(offer, key, values[key])
    if offer.area is None and offer.providers:
        offer.area = offer.providers[0].area  # where the provider works, unless the offer says otherwise
    offer.search_text = search.offer_text(offer)


def create_offer(session: Session, values: Mapping[str, Any]) -> Offer:
    """A new offer from ``values`` (EDITABLE_FIELDS; providers, vocabularies and area as objects).
    Raises ServiceError for a broken rule. Flushes; the caller commits."""
    values = {"status": OfferStatus.DRAFT, **values}
    check_offer(values)
    offer = Offer()
    _apply(offer, values)
    session.add(offer)
    session.flush()
    return offer


def update_offer(session: Session, offer: Offer, values: Mapping[str, Any], expected_version: int | None) -> Offer:
    """Apply ``values``; ConcurrentEditError if the offer changed since ``expected_version``."""
    check_version(session, offer, expected_version, offer.title)
    check_offer(values, offer)
    label = offer.title
    _apply(offer, values)
    flush_versioned(session, offer, label)
    return offer


def confirm_offer(session: Session, offer: Offer, today: date | None = None) -> Offer:
    """The provider said the offer still stands as described: today is its confirmation day."""
    offer.confirmed_on = today or date.today()
    session.flush()
    return offer


def delete_offer(session: Session, offer: Offer) -> None:
    """Remove an offer entered by mistake (an offer that ran out is set to „beendet“ instead)."""
    session.delete(offer)
    session.flush()


def refresh_search_text(session: Session, actor: Actor) -> None:
    """An actor's name changed: the search text of its offers follows."""
    for offer in offers_of_actor(session, actor.id):
        offer.search_text = search.offer_text(offer)


def offers_of_actor(session: Session, actor_id: int) -> list[Offer]:
    """The offers an actor provides (every status), by title."""
    return list(session.scalars(
        select(Offer).join(offer_providers, offer_providers.c.offer_id == Offer.id)
        .where(offer_providers.c.actor_id == actor_id)
        .options(selectinload(Offer.providers)).order_by(german(Offer.title), Offer.id)))


@dataclass
class OfferPage:
    items: list[Offer]
    total: int
    page: int
    pages: int


def offer_page(session: Session, q: str = "", status: OfferStatus | None = None, page: int = 1,
               per_page: int = PER_PAGE) -> OfferPage:
    """The coordinators' list: every offer (drafts and ended ones too), searched like the portal."""
    query = select(Offer).where(search.matches(q))
    if status is not None:
        query = query.where(Offer.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    items = list(session.scalars(query.options(selectinload(Offer.providers), selectinload(Offer.area))
                                 .order_by(german(Offer.title), Offer.id)
                                 .offset((page - 1) * per_page).limit(per_page)))
    return OfferPage(items, total, page, pages)


def unconfirmed_since(offer: Offer, today: date | None = None, days: int = 365) -> bool:
    """Not confirmed for a year (or never): shown as such."""
    today = today or date.today()
    return offer.confirmed_on is None or (today - offer.confirmed_on).days > days


def status_filter(raw: str | None) -> OfferStatus | None:
    try:
        return OfferStatus(raw) if raw else None
    except ValueError:
        return None

