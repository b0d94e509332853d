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
from sqlalchemy.orm import Session, selectinload

from crm.collation import sort_key
from crm.models import Actor, ActorKind, Area, Offer, OfferStatus
from crm.models.actors import actor_topics
from crm.models.offers import offer_topics
from crm.services.geo.outlines import outline_of
from crm.services.landscape.directory import parse_id
from crm.services.offers import listing

MAX_PLACES = 3000  # a map with more points is unreadable; the page asks to narrow it down

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


def area_and_below(session: Session, area_id: int) -> list[int]:
    """The area and every area under it (Stadt Trier: all its Stadtteile)."""
    children: dict[int | None, list[int]] = {}
    for row_id, parent_id in session.execute(select(Area.id, Area.parent_id)):
        children.setdefault(parent_id, []).append(row_id)
    found, todo = [], [area_id]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _point(actor: Actor) -> tuple[float, float] | None:
    if actor.latitude is None or actor.longitude is None:
        return None
    lat, lon = float(Decimal(actor.latitude)), float(Decimal(actor.longitude))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


class _Places:
    """Collects entries by their coordinates (to about a metre)."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[float, float], MapPlace] = {}
        self.unplaced = 0

    def add(self, point: tuple[float, float] | None, area: Area | None, entry: MapEntry) -> None:
        if point is None:
            self.unplaced += 1
            return
        key = (round(point[0], 5), round(point[1], 5))
        place = self.by_key.get(key)
        if place is None:
            place = self.by_key[key] = MapPlace(point[0], point[1], area.full_name if area else "")
        place.entries.append(entry)

    def result(self, areas: list[MapArea]) -> MapData:
        places = list(self.by_key.values())
        for place in places:  # the actor first (it names the place), then its offers
            place.entries.sort(key=lambda e: (e.type != "actor", sort_key(e.name)))
        places.sort(key=lambda p: (sort_key(p.area), sort_key(p.label)))
        truncated = len(places) > MAX_PLACES
        return MapData(areas, places[:MAX_PLACES], self.unplaced, truncated)


def _providers_text(offer: Offer) -> str:
    """Providers by name: an individual's name is shown inside the app, and in the portal once listed
    (only their coordinates stay hidden)."""
    return ", ".join(a.name for a in offer.providers)


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


def app_map(session: Session, wanted: AppMapFilter, link: Link, *, show_individuals: bool) -> MapData:
    """The map inside the app (see the module docstring for who is placed)."""
    areas = area_and_below(session, wanted.area_id) if wanted.area_id else None

    def placeable(actor: Actor) -> bool:
        return show_individuals or not actor.kind.is_individual

    places = _Places()
    if wanted.show in ("alle", "akteure"):
        query = (select(Actor).where(Actor.is_active.is_(True))
                 .options(selectinload(Actor.kind), selectinload(Actor.area)).order_by(Actor.id))
        if areas is not None:
            query = query.where(Actor.area_id.in_(areas))
        if wanted.kind_id:
            query = query.where(Actor.kind_id == wanted.kind_id)
        if wanted.topic_id:
            query = query.where(Actor.id.in_(select(actor_topics.c.actor_id)
                                             .where(actor_topics.c.topic_id == wanted.topic_id)))
        if not show_individuals:
            query = query.where(Actor.kind_id.in_(select(ActorKind.id).where(ActorKind.is_individual.is_(False))))
        for actor in session.scalars(query):
            places.add(_point(actor), actor.area, MapEntry("actor", actor.id, actor.name, actor.kind.name,
                                                           link("actor", actor.id)))
    if wanted.show in ("alle", "angebote"):
        offers = (select(Offer).where(Offer.status != OfferStatus.ENDED)
                 .options(selectinload(Offer.providers).selectinload(Actor.kind),
                          selectinload(Offer.providers).selectinload(Actor.area), selectinload(Offer.area))
                 .order_by(Offer.id))
        if areas is not None:
            offers = offers.where(Offer.area_id.in_(areas))
        if wanted.topic_id:
            offers = offers.where(Offer.id.in_(select(offer_topics.c.offer_id)
                                               .where(offer_topics.c.topic_id == wanted.topic_id)))
        for offer in session.scalars(offers):
            if wanted.kind_id and not any(a.kind_id == wanted.kind_id for a in offer.providers):
                continue
            at = next((a for a in offer.providers if placeable(a) and _point(a) is not None), None)
            places.add(_point(at) if at else None, offer.area or (at.area if at else None),
                       MapEntry("offer", offer.id, offer.title, _providers_text(offer),
                                link("offer", offer.id)))
    return places.result(area_outlines(session))


# --- the public portal -------------------------------------------------------------------------

def portal_map(session: Session, wanted: Any, link: Link) -> MapData:
    """The portal's map: public offers matching ``wanted`` (a ``portal.PortalFilter``) at their first
    listed organisation's point, and, when nothing is filtered, every listed organisation with a point.
    Individuals are never placed (module docstring)."""
    from crm.services.offers import portal

    def placeable(actor: Actor) -> bool:
        return portal.provider_shows_address(actor) and listing.is_listed(actor)

    places = _Places()
    placed_actors: set[int] = set()

    def add_actor(actor: Actor) -> None:
        if actor.id in placed_actors or not placeable(actor):
            return
        placed_actors.add(actor.id)
        places.add(_point(actor), actor.area, MapEntry("actor", actor.id, actor.name, actor.kind.name,
                                                       link("actor", actor.id)))

    query = (portal.public_query(session, wanted)
             .options(selectinload(Offer.providers).selectinload(Actor.kind),
                      selectinload(Offer.providers).selectinload(Actor.area), selectinload(Offer.area))
             .order_by(Offer.id))
    for offer in session.scalars(query):
        at = next((a for a in offer.providers if placeable(a) and _point(a) is not None), None)
        if at is not None:
            add_actor(at)
        places.add(_point(at) if at else None, offer.area or (at.area if at else None),
                   MapEntry("offer", offer.id, offer.title, _providers_text(offer),
                            link("offer", offer.id)))
    if not wanted.is_filtered:
        for actor in session.scalars(
                select(Actor).where(listing.listed_clause(), Actor.latitude.is_not(None),
                                    Actor.longitude.is_not(None),
                                    Actor.kind_id.in_(select(ActorKind.id).where(ActorKind.is_individual.is_(False))))
                .options(selectinload(Actor.kind), selectinload(Actor.area)).order_by(Actor.id)):
            add_actor(actor)
    return places.result(area_outlines(session))
