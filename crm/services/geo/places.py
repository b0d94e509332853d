"""What the geographic map shows: area outlines, and actors and offers grouped by the place they are at.

Two audiences, one shape of data (``MapData``), so the app's map and the portal's map draw with
the same script and list the same way:

* **inside the app** (``app_map``): active actors with coordinates, and offers that have not
  ended, at their first provider's coordinates. An individual actor (a volunteer) is a natural
  person: their coordinates are their home, personal data like their street, so they are placed
  only for a role that may see their contact details (``show_individuals``, from
  ``crm.permissions.can_see_contact_of``); for everyone else neither they nor offers placed at
  their home appear on the map.
* **in the public portal** (``portal_map``): only what ``crm.services.offers.listing`` releases,
  and never an individual's coordinates, whatever they consented to: their listing names them,
  it does not publish where they live. An offer is placed at its first *organisation* provider
  with coordinates; an offer of a volunteer alone is not on the map (it stays in the search).

Offers have a place in words (``Offer.place``) but no coordinates of their own; they are drawn at
the provider's point, which is also where their place usually is.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.collation import german, sort_key
from crm.models import Actor, ActorKind, Area, Offer, OfferStatus, Topic
from crm.models.actors import actor_topics
from crm.models.offers import offer_providers, offer_topics
from crm.services.geo.outlines import outline_of
from crm.services.landscape.directory import parse_id
from crm.services.landscape.vocabularies import area_and_below
from crm.services.offers import listing

# A map with more is unreadable and its page (which lists every entry) too heavy: beyond these the map
# shows the first ones (newest offers first) and asks to narrow it down (bench/geomap_bench.py).
MAX_PLACES = 1500
MAX_ENTRIES = 1500  # actors, and offers, each

Link = Callable[[str, int], str]  # ("actor" | "offer", id) -> URL of its page


@dataclass
class MapEntry:
    """An actor or offer at a place."""

    type: str  # "actor" or "offer"
    id: int
    name: str
    detail: str  # the actor's kind; the offer's providers
    url: str

    def as_json(self) -> dict[str, Any]:
        return {"type": self.type, "id": self.id, "name": self.name, "detail": self.detail, "url": self.url}


@dataclass
class MapPlace:
    """One point on the map: everything at the same coordinates."""

    latitude: float
    longitude: float
    area: str
    entries: list[MapEntry] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.entries[0].name if self.entries else ""

    @property
    def actors(self) -> list[MapEntry]:
        return [e for e in self.entries if e.type == "actor"]

    @property
    def offers(self) -> list[MapEntry]:
        return [e for e in self.entries if e.type == "offer"]

    def as_json(self) -> dict[str, Any]:
        return {"lat": self.latitude, "lon": self.longitude, "label": self.label, "area": self.area,
                "entries": [e.as_json() for e in self.entries]}


@dataclass
class MapArea:
    id: int
    name: str
    full_name: str
    level: str
    depth: int
    geometry: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "label": self.full_name, "level": self.level,
                "depth": self.depth, "geometry": self.geometry}


@dataclass
class MapData:
    areas: list[MapArea]
    places: list[MapPlace]
    unplaced: int = 0  # actors/offers that match but have no point to be drawn at
    truncated: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"areas": [a.as_json() for a in self.areas], "places": [p.as_json() for p in self.places],
                "unplaced": self.unplaced, "truncated": self.truncated}


# --- shared ---------------------------------------------------------------------------------

def area_outlines(session: Session, area_ids: Iterable[int] | None = None) -> list[MapArea]:
    """Active areas with an outline (those under ``area_ids`` if given), parents first."""
    query = select(Area).where(Area.outline.is_not(None), Area.is_active.is_(True))
    if area_ids is not None:
        query = query.where(Area.id.in_(list(area_ids)))
    result = []
    for area in session.scalars(query):
        geometry = outline_of(area)
        if geometry is not None:
            result.append(MapArea(area.id, area.name, area.full_name, area.level, len(area.path) - 1, geometry))
    result.sort(key=lambda a: (a.depth, sort_key(a.full_name)))
    return result


@dataclass(frozen=True)
class _Actor:
    """The columns of an actor the map needs (no ORM objects: a region has tens of thousands)."""

    id: int
    name: str
    kind: str
    kind_id: int
    is_individual: bool
    latitude: Decimal | None
    longitude: Decimal | None
    area_id: int | None

    @property
    def point(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        lat, lon = float(self.latitude), float(self.longitude)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        return lat, lon


_ACTOR_COLUMNS = (Actor.id, Actor.name, ActorKind.name, Actor.kind_id, ActorKind.is_individual, Actor.latitude,
                  Actor.longitude, Actor.area_id)


def _actors(places: _Places, session: Session, query: Any) -> list[_Actor]:
    return [_Actor(*row) for row in places.rows(session, query)]


def _providers(session: Session, offer_ids: Any) -> dict[int, list[_Actor]]:
    """The providers of the offers selected by ``offer_ids`` (a subquery), by name like ``Offer.providers``."""
    query = (select(offer_providers.c.offer_id, *_ACTOR_COLUMNS)
             .join(Actor, Actor.id == offer_providers.c.actor_id).join(ActorKind, ActorKind.id == Actor.kind_id)
             .where(offer_providers.c.offer_id.in_(offer_ids))
             .order_by(offer_providers.c.offer_id, Actor.name, Actor.id))
    found: dict[int, list[_Actor]] = {}
    for offer_id, *columns in session.execute(query):
        found.setdefault(offer_id, []).append(_Actor(*columns))
    return found


def _area_names(session: Session) -> dict[int, str]:
    """Every area's full name („Stadt Trier › Nord“), from one query."""
    rows = {row.id: (row.name, row.parent_id) for row in session.execute(select(Area.id, Area.name, Area.parent_id))}
    names: dict[int, str] = {}

    def name(area_id: int, depth: int = 0) -> str:
        if area_id not in names:
            own, parent = rows[area_id]
            names[area_id] = f"{name(parent, depth + 1)} › {own}" if parent in rows and depth < 50 else own
        return names[area_id]

    for area_id in rows:
        name(area_id)
    return names


class _Places:
    """Collects entries by their coordinates (to about a metre)."""

    def __init__(self, area_names: dict[int, str]) -> None:
        self.area_names = area_names
        self.by_key: dict[tuple[float, float], MapPlace] = {}
        self.unplaced = 0
        self.truncated = False

    def rows(self, session: Session, query: Any) -> list[Any]:
        """The first MAX_ENTRIES rows of ``query``; more mark the map as cut short."""
        found = list(session.execute(query.limit(MAX_ENTRIES + 1)))
        if len(found) > MAX_ENTRIES:
            self.truncated = True
        return found[:MAX_ENTRIES]

    def add(self, point: tuple[float, float] | None, area_id: int | None, entry: MapEntry) -> None:
        if point is None:
            self.unplaced += 1
            return
        key = (round(point[0], 5), round(point[1], 5))
        place = self.by_key.get(key)
        if place is None:
            place = self.by_key[key] = MapPlace(point[0], point[1], self.area_names.get(area_id or 0, ""))
        place.entries.append(entry)

    def result(self, areas: list[MapArea]) -> MapData:
        places = list(self.by_key.values())
        for place in places:  # the actor first (it names the place), then its offers
            place.entries.sort(key=lambda e: (e.type != "actor", sort_key(e.name)))
        places.sort(key=lambda p: (sort_key(p.area), sort_key(p.label)))
        truncated = self.truncated or len(places) > MAX_PLACES
        return MapData(areas, places[:MAX_PLACES], self.unplaced, truncated)


def _providers_text(providers: list[_Actor]) -> str:
    """Providers by name: an individual's name is shown inside the app, and in the portal once listed
    (only their coordinates stay hidden)."""
    return ", ".join(a.name for a in providers)


def _offer_entry(offer_id: int, title: str, providers: list[_Actor], link: Link) -> MapEntry:
    return MapEntry("offer", offer_id, title, _providers_text(providers), link("offer", offer_id))


# --- inside the app ----------------------------------------------------------------------------

SHOW_CHOICES = ("alle", "akteure", "angebote")


@dataclass
class AppMapFilter:
    """The app map's filters (German URL parameters, like the directory)."""

    area_id: int | None = None
    kind_id: int | None = None
    topic_id: int | None = None
    show: str = "alle"

    @property
    def is_filtered(self) -> bool:
        return bool(self.area_id or self.kind_id or self.topic_id or self.show != "alle")

    def to_args(self) -> dict[str, Any]:
        args = {"gebiet": self.area_id, "art": self.kind_id, "thema": self.topic_id,
                "zeigen": self.show if self.show != "alle" else None}
        return {k: v for k, v in args.items() if v is not None}


def app_filter_from_args(args: Any) -> AppMapFilter:
    """Nonsense in the URL (letters for ids, an unknown layer) is ignored, never an error."""
    show = args.get("zeigen") or "alle"
    return AppMapFilter(parse_id(args.get("gebiet")), parse_id(args.get("art")), parse_id(args.get("thema")),
                        show if show in SHOW_CHOICES else "alle")


@dataclass
class AppMapChoices:
    areas: list[Area]
    kinds: list[ActorKind]
    topics: list[Topic]


def app_choices(session: Session) -> AppMapChoices:
    """The filter lists of the app map: active areas (tree order), actor kinds and topics."""
    areas = list(session.scalars(select(Area).where(Area.is_active.is_(True))))
    areas.sort(key=lambda a: [(node.sort_order, sort_key(node.name)) for node in a.path])
    kinds = list(session.scalars(select(ActorKind).where(ActorKind.is_active.is_(True))
                                 .order_by(ActorKind.sort_order, german(ActorKind.name))))
    topics = list(session.scalars(select(Topic).where(Topic.is_active.is_(True))
                                  .order_by(Topic.sort_order, german(Topic.name))))
    return AppMapChoices(areas, kinds, topics)


def app_map(session: Session, wanted: AppMapFilter, link: Link, *, show_individuals: bool) -> MapData:
    """The map inside the app (see the module docstring for who is placed)."""
    areas = area_and_below(session, wanted.area_id) if wanted.area_id else None
    places = _Places(_area_names(session))
    if wanted.show in ("alle", "akteure"):
        query = (select(*_ACTOR_COLUMNS).join(ActorKind, ActorKind.id == Actor.kind_id)
                 .where(Actor.is_active.is_(True), Actor.latitude.is_not(None), Actor.longitude.is_not(None))
                 .order_by(Actor.id))
        if areas is not None:
            query = query.where(Actor.area_id.in_(areas))
        if wanted.kind_id:
            query = query.where(Actor.kind_id == wanted.kind_id)
        if wanted.topic_id:
            query = query.where(Actor.id.in_(select(actor_topics.c.actor_id)
                                             .where(actor_topics.c.topic_id == wanted.topic_id)))
        if not show_individuals:
            query = query.where(ActorKind.is_individual.is_(False))
        for actor in _actors(places, session, query):
            places.add(actor.point, actor.area_id,
                       MapEntry("actor", actor.id, actor.name, actor.kind, link("actor", actor.id)))
    if wanted.show in ("alle", "angebote"):
        offers = select(Offer.id, Offer.title, Offer.area_id).where(Offer.status != OfferStatus.ENDED)
        if areas is not None:
            offers = offers.where(Offer.area_id.in_(areas))
        if wanted.topic_id:
            offers = offers.where(Offer.id.in_(select(offer_topics.c.offer_id)
                                               .where(offer_topics.c.topic_id == wanted.topic_id)))
        if wanted.kind_id:
            offers = offers.where(Offer.id.in_(
                select(offer_providers.c.offer_id).join(Actor, Actor.id == offer_providers.c.actor_id)
                .where(Actor.kind_id == wanted.kind_id)))
        offers = offers.order_by(Offer.id.desc())
        providers = _providers(session, offers.with_only_columns(Offer.id).limit(MAX_ENTRIES + 1).scalar_subquery())
        for offer_id, title, area_id in places.rows(session, offers):
            of_offer = providers.get(offer_id, [])
            at = next((a for a in of_offer if (show_individuals or not a.is_individual) and a.point), None)
            places.add(at.point if at else None, area_id or (at.area_id if at else None),
                       _offer_entry(offer_id, title, of_offer, link))
    return places.result(area_outlines(session))


# --- the public portal -------------------------------------------------------------------------

def portal_map(session: Session, wanted: Any, link: Link) -> MapData:
    """The portal's map: public offers matching ``wanted`` (a ``portal.PortalFilter``) at their first
    listed organisation's point, and, when nothing is filtered, every listed organisation with a point.
    Individuals are never placed (module docstring); every provider of a public offer is listed."""
    from crm.services.offers import portal

    places = _Places(_area_names(session))
    placed_actors: set[int] = set()

    def add_actor(actor: _Actor) -> None:
        if actor.id not in placed_actors:
            placed_actors.add(actor.id)
            places.add(actor.point, actor.area_id,
                       MapEntry("actor", actor.id, actor.name, actor.kind, link("actor", actor.id)))

    offers = (portal.public_query(session, wanted).with_only_columns(Offer.id, Offer.title, Offer.area_id)
              .order_by(Offer.id.desc()))
    providers = _providers(session, offers.with_only_columns(Offer.id).limit(MAX_ENTRIES + 1).scalar_subquery())
    for offer_id, title, area_id in places.rows(session, offers):
        of_offer = providers.get(offer_id, [])
        at = next((a for a in of_offer if not a.is_individual and a.point), None)
        if at is not None:
            add_actor(at)
        places.add(at.point if at else None, area_id or (at.area_id if at else None),
                   _offer_entry(offer_id, title, of_offer, link))
    if not wanted.is_filtered:
        listed = (select(*_ACTOR_COLUMNS).join(ActorKind, ActorKind.id == Actor.kind_id)
                  .where(listing.listed_clause(), Actor.latitude.is_not(None), Actor.longitude.is_not(None),
                         ActorKind.is_individual.is_(False))
                  .order_by(Actor.id))
        for actor in _actors(places, session, listed):
            add_actor(actor)
    return places.result(area_outlines(session))
