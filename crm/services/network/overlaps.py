"""Working-group overlaps (Überschneidungen der Gremien): loads the running initiatives with their
current members and hands them to ``graph.overlaps``, which holds the rules.

The page reads everything in a fixed number of statements (initiatives, their topics, their life
stages, the current memberships with the actors' names, the two vocabularies), however many
groups the landscape has: the comparison is set arithmetic in Python, far cheaper than one query
per pair.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from crm.collation import german
from crm.models import Actor, Initiative, InitiativeKind, LifeStage, Membership, Topic
from crm.services.errors import N_, ServiceError
from graph import overlaps as rules

# Up to this many groups the page draws the full matrix; beyond it a table of n × n cells is no
# longer readable (nor usable with a screen reader), and the page lists the top pairs instead.
MATRIX_LIMIT = 15
TOP_PAIRS = 30


@dataclass(frozen=True)
class Settings:
    """The thresholds a reader may change on the page (``graph.overlaps`` explains the defaults)."""

    duplicate_share: float = rules.DEFAULT_DUPLICATE_SHARE
    min_shared: int = rules.DEFAULT_MIN_SHARED
    overload_at: int = rules.DEFAULT_OVERLOAD_AT

    @property
    def percent(self) -> int:
        return round(self.duplicate_share * 100)

    def to_args(self) -> dict[str, int]:
        return {"anteil": self.percent, "mindestens": self.min_shared, "ueberlastung": self.overload_at}


@dataclass(frozen=True)
class GroupInfo:
    id: int
    name: str
    kind: InitiativeKind
    size: int
    topics: tuple[str, ...]


@dataclass
class OverlapPage:
    settings: Settings
    groups: list[GroupInfo]
    result: rules.OverlapResult
    actor_names: dict[int, str]
    topics: dict[int, str]
    life_stages: dict[int, str]
    today: date
    by_id: dict[int, GroupInfo] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {group.id: group for group in self.groups}

    @property
    def show_matrix(self) -> bool:
        return 1 < len(self.groups) <= MATRIX_LIMIT

    @property
    def top_pairs(self) -> tuple[rules.PairOverlap, ...]:
        return self.result.pairs[:TOP_PAIRS]

    def topic_names(self, ids: frozenset[int]) -> list[str]:
        """Topic names in the vocabulary's order (the order ``topics`` was loaded in)."""
        return [name for topic_id, name in self.topics.items() if topic_id in ids]

    def names(self, actors: frozenset[int] | tuple[int, ...]) -> list[str]:
        """Actor names in German order (for the shared members of a pair)."""
        return sorted((self.actor_names[a] for a in actors), key=_german_key)


def _german_key(text: str) -> tuple[str, str]:
    from crm.services.landscape.directory import fold_text

    return fold_text(text), text


def _whole_number(args: Mapping[str, Any], key: str, default: int, low: int, high: int, message: str) -> int:
    raw = str(args.get(key) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ServiceError(message, key, {"low": low, "high": high}) from None
    if not low <= value <= high:
        raise ServiceError(message, key, {"low": low, "high": high})
    return value


def settings_from_args(args: Mapping[str, Any]) -> Settings:
    """The thresholds from the page's form (``anteil`` in percent, ``mindestens``, ``ueberlastung``)."""
    defaults = Settings()
    percent = _whole_number(args, "anteil", defaults.percent, 1, 100,
                            N_("Der Anteil gemeinsamer Mitglieder ist eine ganze Zahl von %(low)s bis %(high)s "
                               "(Prozent)."))
    min_shared = _whole_number(args, "mindestens", defaults.min_shared, 1, 1000,
                               N_("Die Mindestzahl gemeinsamer Mitglieder ist eine ganze Zahl von %(low)s bis "
                                  "%(high)s."))
    overload_at = _whole_number(args, "ueberlastung", defaults.overload_at, 2, 1000,
                                N_("Die Zahl der Gremien für „viele Gremien“ ist eine ganze Zahl von %(low)s bis "
                                   "%(high)s."))
    return Settings(percent / 100, min_shared, overload_at)


def working_group_overlaps(session: Session, settings: Settings | None = None,
                           today: date | None = None) -> OverlapPage:
    """Running initiatives (not ended, already started) and their memberships running ``today``."""
    settings = settings or Settings()
    today = today or date.today()
    initiatives = list(session.scalars(
        select(Initiative)
        .where(or_(Initiative.start_date.is_(None), Initiative.start_date <= today),
               or_(Initiative.end_date.is_(None), Initiative.end_date >= today))
        .options(selectinload(Initiative.topics), selectinload(Initiative.life_stages))
        .order_by(german(Initiative.name))))
    ids = [initiative.id for initiative in initiatives]
    members: dict[int, set[int]] = {i: set() for i in ids}
    actor_names: dict[int, str] = {}
    if ids:
        rows = session.execute(
            select(Membership.initiative_id, Actor.id, Actor.name)
            .join(Actor, Membership.actor_id == Actor.id)
            .where(Membership.initiative_id.in_(ids),
                   or_(Membership.joined_on.is_(None), Membership.joined_on <= today),
                   or_(Membership.left_on.is_(None), Membership.left_on >= today)))
        for initiative_id, actor_id, actor_name in rows:
            members[initiative_id].add(actor_id)
            actor_names[actor_id] = actor_name
    topics = {t.id: t.name for t in session.scalars(
        select(Topic).where(Topic.is_active.is_(True)).order_by(Topic.sort_order, Topic.name))}
    stages = {s.id: s.name for s in session.scalars(
        select(LifeStage).where(LifeStage.is_active.is_(True)).order_by(LifeStage.sort_order))}
    groups = [rules.Group(i.id, frozenset(members[i.id]), frozenset(t.id for t in i.topics),
                          frozenset(s.id for s in i.life_stages)) for i in initiatives]
    result = rules.analyse(groups, topics, stages, duplicate_share=settings.duplicate_share,
                           min_shared=settings.min_shared, overload_at=settings.overload_at)
    infos = [GroupInfo(i.id, i.name, i.kind, len(members[i.id]), tuple(t.name for t in i.topics))
             for i in initiatives]
    return OverlapPage(settings, infos, result, actor_names, topics, stages, today)
