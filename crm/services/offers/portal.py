"""The public Bildungsportal's queries: search with filters, the pages of an offer and a provider,
and the JSON feed. Only what ``crm.services.offers.listing`` releases is ever returned."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import select, true
from sqlalchemy.orm import Session, selectinload

from crm.collation import german, sort_key
from crm.models import Actor, Area, LifeStage, Offer, OfferStatus, TargetGroup, Topic
from crm.models.offers import offer_life_stages, offer_providers, offer_target_groups, offer_topics
from crm.services.landscape.directory import parse_id
from crm.services.landscape.vocabularies import area_and_below
from crm.services.offers import listing, search
from crm.services.privacy import consent

PER_PAGE = 20
# Counted up to here: beyond it the list says „mehr als 1.000“. A count of everything scans every
# public offer (a third of a search's time at 100,000 offers, bench/portal_search_bench.py).
MAX_COUNT = 1000
MAX_QUERY = 200
LANGUAGES_SECONDS = 60


@dataclass
class PortalFilter:
    """What a citizen asked for (the URL's parameters, German names so links read well)."""

    q: str = ""
    life_stage_ids: list[int] = field(default_factory=list)
    topic_ids: list[int] = field(default_factory=list)
    target_group_ids: list[int] = field(default_factory=list)
    area_id: int | None = None
    free: bool = False
    language: str = ""
    accessible: bool = False
    page: int = 1

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.life_stage_ids or self.topic_ids or self.target_group_ids or self.area_id
                    or self.free or self.language or self.accessible)

    def to_args(self, **overrides: Any) -> dict[str, Any]:
        args: dict[str, Any] = {"q": self.q or None, "phase": self.life_stage_ids or None,
                                "thema": self.topic_ids or None, "zielgruppe": self.target_group_ids or None,
                                "gebiet": self.area_id, "kostenlos": "1" if self.free else None,
                                "sprache": self.language or None, "barrierefrei": "1" if self.accessible else None,
                                "seite": self.page if self.page > 1 else None}
        args.update(overrides)
        return {key: value for key, value in args.items() if value is not None}


def _ids(values: list[str]) -> list[int]:
    return list(dict.fromkeys(i for i in (parse_id(v) for v in values) if i))


def filter_from_args(args: Any) -> PortalFilter:
    """Parse the query string; nonsense (letters for ids, a page of -3) is ignored, never an error."""
    page = parse_id(args.get("seite")) or 1
    return PortalFilter(
        q=" ".join((args.get("q") or "").split())[:MAX_QUERY],
        life_stage_ids=_ids(args.getlist("phase")), topic_ids=_ids(args.getlist("thema")),
        target_group_ids=_ids(args.getlist("zielgruppe")), area_id=parse_id(args.get("gebiet")),
        free=args.get("kostenlos") == "1", language=(args.get("sprache") or "").strip()[:60],
        accessible=args.get("barrierefrei") == "1", page=min(page, 10_000))


def _any_of(table: Any, column: str, ids: list[int]) -> Any:
    return Offer.id.in_(select(table.c.offer_id).where(getattr(table.c, column).in_(ids)))


def public_query(session: Session, wanted: PortalFilter, text_match: Any = search.matches) -> Any:
    """``select(Offer)`` of the public offers that match ``wanted``; ``text_match`` builds the word
    condition (the full-text index, or ``search.word_starts`` for rows walked in id order)."""
    query = select(Offer).where(listing.public_clause(), text_match(wanted.q))
    if wanted.life_stage_ids:
        query = query.where(_any_of(offer_life_stages, "life_stage_id", wanted.life_stage_ids))
    if wanted.topic_ids:
        query = query.where(_any_of(offer_topics, "topic_id", wanted.topic_ids))
    if wanted.target_group_ids:
        query = query.where(_any_of(offer_target_groups, "target_group_id", wanted.target_group_ids))
    if wanted.area_id:
        query = query.where(Offer.area_id.in_(area_and_below(session, wanted.area_id)))
    if wanted.free:
        query = query.where(Offer.is_free.is_(True))
    if wanted.accessible:
        query = query.where(Offer.is_accessible.is_(True))
    if wanted.language:
        query = query.where(Offer.languages.contains(wanted.language, autoescape=True))
    return query


def _loaded(query: Any) -> Any:
    return query.options(selectinload(Offer.providers), selectinload(Offer.area), selectinload(Offer.topics),
                         selectinload(Offer.life_stages), selectinload(Offer.target_groups))


@dataclass
class ResultPage:
    items: list[Offer]
    total: int
    page: int
    pages: int
    more: bool = False  # more than ``total`` (= MAX_COUNT) match


def search_offers(session: Session, wanted: PortalFilter, per_page: int = PER_PAGE) -> ResultPage:
    """One page of public offers matching ``wanted``, newest first.

    Newest first walks the primary key and stops after a page; German title order had to sort every
    match with the ICU collation first (about 0.5 s of a search at 100,000 offers, bench/). The ids of
    up to ``MAX_COUNT`` matches come first, from the full-text and filter indexes: when that is all of
    them, the page is cut from these ids. Walking the primary key to find a page of a rare word tested
    every offer's text (5 s for a word nobody offers at 100,000 offers); only a search with more than
    ``MAX_COUNT`` matches walks it, finds a page within a few thousand rows, and tests each with the
    plain ``search.word_starts`` (parsing every walked text for the index's test took 0.6 s)."""
    base = public_query(session, wanted, text_match=lambda q: true())
    query = base.where(search.matches(wanted.q))
    ids = list(session.scalars(query.with_only_columns(Offer.id).limit(MAX_COUNT + 1)))
    more = len(ids) > MAX_COUNT
    total = min(len(ids), MAX_COUNT)
    pages = max(1, -(-total // per_page))
    page = min(max(wanted.page, 1), pages)
    if more:
        page_query = (base.where(search.word_starts(wanted.q)).order_by(Offer.id.desc())
                      .offset((page - 1) * per_page).limit(per_page))
    else:
        ids.sort(reverse=True)
        chosen = ids[(page - 1) * per_page: page * per_page]
        if not chosen:
            return ResultPage([], total, page, pages, more)
        page_query = select(Offer).where(Offer.id.in_(chosen)).order_by(Offer.id.desc())
    items = list(session.scalars(_loaded(page_query)))
    return ResultPage(items, total, page, pages, more)


def public_offer(session: Session, offer_id: int) -> Offer | None:
    """The offer, if it is public; else None (the page answers 404 as if it did not exist)."""
    return session.scalars(_loaded(select(Offer).where(Offer.id == offer_id, listing.public_clause()))).first()


def public_provider(session: Session, actor_id: int) -> Actor | None:
    """The actor, if it agreed to be listed; else None."""
    return session.scalars(select(Actor).where(Actor.id == actor_id, listing.listed_clause())
                           .options(selectinload(Actor.kind), selectinload(Actor.area))).first()


def public_offers_of(session: Session, actor: Actor) -> list[Offer]:
    return list(session.scalars(_loaded(
        select(Offer).where(listing.public_clause(),
                            Offer.id.in_(select(offer_providers.c.offer_id)
                                         .where(offer_providers.c.actor_id == actor.id))))
        .order_by(german(Offer.title), Offer.id)))


@dataclass(frozen=True)
class PublicContact:
    email: str
    phone: str
    person_name: str  # empty unless the person consented to be named


def public_contact(session: Session, offer: Offer) -> PublicContact:
    """The contact the portal may show: the role address and phone, a person only with consent.

    An offer of an individual (a volunteer) has no role address: what is entered there is the
    person's own, so it is not shown (their listing names them, never their mail or phone)."""
    person = offer.contact_person
    name = person.full_name if person is not None and consent.may_publish(session, person) else ""
    if any(not provider_shows_address(actor) for actor in offer.providers):
        return PublicContact("", "", name)
    return PublicContact(offer.contact_email, offer.contact_phone, name)


def provider_shows_address(actor: Actor) -> bool:
    """An organisation's address is business data; a listed individual shows no street, mail or phone."""
    return not actor.kind.is_individual


def place_of(offer: Offer) -> str:
    """Where the offer takes place: its own place, else the first provider's address."""
    if offer.place:
        return offer.place
    for actor in offer.providers:
        if provider_shows_address(actor) and (actor.street or actor.city):
            return ", ".join(p for p in (actor.street, f"{actor.postcode} {actor.city}".strip()) if p)
    return ""


def languages_of(offer: Offer) -> list[str]:
    return [part.strip() for part in (offer.languages or "").split(",") if part.strip()]


@dataclass
class Choices:
    life_stages: list[LifeStage]
    topics: list[Topic]
    target_groups: list[TargetGroup]
    areas: list[Area]
    languages: list[str]


def choices(session: Session) -> Choices:
    """The filter lists: active vocabulary entries, areas (tree order), languages of public offers."""
    def active(model: Any) -> list[Any]:
        return list(session.scalars(select(model).where(model.is_active.is_(True))
                                    .order_by(model.sort_order, german(model.name))))

    areas = list(session.scalars(select(Area).where(Area.is_active.is_(True))))
    areas.sort(key=lambda a: [(node.sort_order, sort_key(node.name)) for node in a.path])
    return Choices(active(LifeStage), active(Topic), active(TargetGroup), areas, _languages(session))


def _languages(session: Session) -> list[str]:
    """The languages of every published offer (a language name is nothing to hide: no provider check
    per row), kept for ``LANGUAGES_SECONDS`` per app. Languages are free text on the offers, so the
    list is a scan of every published offer (100–300 ms at 100,000 offers, bench/README.md) that
    every search page would repeat; the portal's pages are cached for as long (``Cache-Control``)."""
    cache = current_app.extensions.setdefault("portal_languages", {})
    if cache.get("until", 0.0) > time.monotonic():
        return list(cache["languages"])
    languages: set[str] = set()
    for text in session.scalars(select(Offer.languages).where(Offer.status == OfferStatus.PUBLISHED).distinct()):
        languages.update(part.strip() for part in (text or "").split(",") if part.strip())
    cache["languages"] = sorted(languages, key=sort_key)
    cache["until"] = time.monotonic() + LANGUAGES_SECONDS
    return list(cache["languages"])


def feed(session: Session, base_url: str = "", today: date | None = None) -> list[dict[str, Any]]:
    """Every public offer as plain data for the JSON feed (no personal data without consent)."""
    rows = []
    for offer in session.scalars(_loaded(select(Offer).where(listing.public_clause())).order_by(Offer.id)):
        contact = public_contact(session, offer)
        rows.append({
            "id": offer.id, "title": offer.title, "description": offer.description, "format": offer.format,
            "providers": [{"id": a.id, "name": a.name} for a in offer.providers],
            "life_stages": [s.name for s in offer.life_stages], "topics": [t.name for t in offer.topics],
            "target_groups": [g.name for g in offer.target_groups],
            "area": offer.area.full_name if offer.area else None, "place": place_of(offer),
            "starts_on": offer.starts_on.isoformat() if offer.starts_on else None,
            "ends_on": offer.ends_on.isoformat() if offer.ends_on else None,
            "ongoing": offer.is_ongoing, "schedule": offer.schedule, "free_of_charge": offer.is_free,
            "cost": offer.cost, "entry_requirements": offer.entry_requirements,
            "languages": languages_of(offer), "accessible_place": offer.is_accessible, "url": offer.url,
            "contact": {"email": contact.email, "phone": contact.phone, "person": contact.person_name or None},
            "confirmed_on": offer.confirmed_on.isoformat() if offer.confirmed_on else None,
            "page": f"{base_url}/portal/angebote/{offer.id}",
        })
    return rows

