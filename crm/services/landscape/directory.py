"""The actor directory: search, filters, sorting and pages, all carried in the URL.

The same filter drives the page (``crm.views.actors.index``) and the export of "this list"
(``crm.services.exports.lists``), so what a coordinator sees is what they download. Usage::

    actor_filter = actor_filter_from_args(request.args)        # never raises
    query = filtered_actors_query(actor_filter)                # a Select of Actor, ordered
    page = directory_page(db.session, actor_filter)            # one page, eager-loaded, with total

URL parameters (all optional; a bookmark reproduces the list):

=============  ==============================================================================
``q``          words; each must occur in name, short name, street, PLZ, place or external reference
               (case, umlauts, ß and accents folded: "strasse" finds „Straße“, "Mueller" and "Muller"
               find „Müller“; compared with stored folded columns, ``crm.services.landscape.search``)
``art``        actor kind id, repeatable (any of them)
``kategorie``  kind category (Schule, Kita, Wirtschaft …)
``gebiet``     area id, including all its sub-areas
``phase``      life stage id, repeatable (any of them)
``thema``      topic id, repeatable (any of them)
``initiative`` initiative id: current members (joined, not left) on the day of the request
``aktiv``      ``ja`` / ``nein``; absent: both
``sortierung`` ``name`` (default), ``-name``, ``art``, ``gebiet``, ``geaendert`` (newest first)
``seite``      page number, 50 rows per page
=============  ==============================================================================

A value that names nothing (an id that does not exist (any more), a word where a number
belongs) is dropped with a German hint in ``ActorFilter.hints``; the list never fails on it.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from crm.collation import german, sort_key
from crm.models import Actor, ActorKind, Area, Initiative, LifeStage, Membership, Topic
from crm.services.landscape import search

PER_PAGE = 50

SORTS: dict[str, str] = {
    "name": "Name (A–Z)",
    "-name": "Name (Z–A)",
    "art": "Art",
    "gebiet": "Gebiet",
    "geaendert": "Zuletzt geändert",
}

ACTIVE_CHOICES = {"": "alle", "ja": "nur aktive", "nein": "nur inaktive"}

# SQL twin of the Python fold below: lower() and umlauts/ß spelt out. Upper- and lower-case umlauts
# are both replaced because SQLite's lower() (and PostgreSQL's in a C locale) leave non-ASCII alone.
_SQL_FOLDS = (("Ä", "ae"), ("ä", "ae"), ("Ö", "oe"), ("ö", "oe"), ("Ü", "ue"), ("ü", "ue"), ("ß", "ss"),
              ("ẞ", "ss"))


def fold_text(text: str) -> str:
    """How a search word is compared: lower case, umlauts and ß spelt out (matches ``fold_sql``)."""
    text = text.lower()
    for source, target in _SQL_FOLDS:
        text = text.replace(source, target)
    return text


def fold_sql(expression: Any) -> ColumnElement[str]:
    """The SQL expression ``expression`` folded like ``fold_text``; portable to SQLite and PostgreSQL."""
    folded = func.lower(expression)
    for source, target in _SQL_FOLDS:
        folded = func.replace(folded, source, target)
    return folded


MAX_ID = 2**31 - 1  # an id beyond a 32-bit integer names nothing (and SQLite refuses huge numbers)


def parse_id(raw: Any) -> int | None:
    """A record id from a URL or form (ASCII digits, 1 … 2³¹−1), else None."""
    text = str(raw if raw is not None else "").strip()
    if not re.fullmatch(r"[0-9]{1,10}", text):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def parse_page(raw: Any) -> int:
    """A page number from the URL; anything odd is page 1 (a page past the end shows the last one)."""
    text = str(raw if raw is not None else "").strip()
    return min(int(text), 1_000_000) if re.fullmatch(r"[0-9]{1,9}", text) and int(text) > 0 else 1


def like_pattern(word: str) -> str:
    """``%word%`` with LIKE's wildcards escaped (use with ``escape='\\\\'``)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass
class ActorFilter:
    """What the user asked the directory for; ``hints`` explains what was ignored and why."""

    q: str = ""
    kind_ids: list[int] = field(default_factory=list)
    category: str = ""
    area_id: int | None = None
    life_stage_ids: list[int] = field(default_factory=list)
    topic_ids: list[int] = field(default_factory=list)
    initiative_id: int | None = None
    active: bool | None = None
    sort: str = "name"
    page: int = 1
    per_page: int = PER_PAGE
    hints: list[str] = field(default_factory=list)
    # Whether the words may match an individual's street: a volunteer's home address is
    # personal data, so for roles without that right the search must not reveal it either.
    search_private: bool = True

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.kind_ids or self.category or self.area_id or self.life_stage_ids
                    or self.topic_ids or self.initiative_id or self.active is not None)

    def to_args(self, **overrides: Any) -> dict[str, Any]:
        """URL parameters that reproduce this filter (for links: pages, sorting, bookmarks).

        Only non-default values appear, so URLs stay short; ``overrides`` replace single keys
        (``to_args(seite=3)``), and a value of None removes a key.
        """
        args: dict[str, Any] = {
            "q": self.q or None, "art": self.kind_ids or None, "kategorie": self.category or None,
            "gebiet": self.area_id, "phase": self.life_stage_ids or None, "thema": self.topic_ids or None,
            "initiative": self.initiative_id,
            "aktiv": None if self.active is None else ("ja" if self.active else "nein"),
            "sortierung": None if self.sort == "name" else self.sort,
            "seite": None if self.page == 1 else self.page,
        }
        args.update(overrides)
        return {key: value for key, value in args.items() if value not in (None, "", [])}


def _values(args: Mapping[str, Any], key: str) -> list[str]:
    getlist = getattr(args, "getlist", None)
    if getlist is not None:
        raw = getlist(key)
    else:
        value = args.get(key)
        raw = value if isinstance(value, (list, tuple)) else ([] if value is None else [value])
    return [str(v).strip() for v in raw if str(v).strip()]


def _ids(args: Mapping[str, Any], key: str, model: Any, label: str, hints: list[str],
         session: Session) -> list[int]:
    wanted: list[int] = []
    for raw in _values(args, key):
        value = parse_id(raw)
        if value is None:
            hints.append(f"„{raw[:40]}“ ist keine gültige Auswahl für {label}; dieser Filter wurde ignoriert.")
        else:
            wanted.append(value)
    if not wanted:
        return []
    existing = set(session.scalars(select(model.id).where(model.id.in_(wanted))))
    for missing in [i for i in wanted if i not in existing]:
        hints.append(f"{label} Nr. {missing} gibt es nicht (mehr); dieser Filter wurde ignoriert.")
    return list(dict.fromkeys(i for i in wanted if i in existing))


def actor_filter_from_args(args: Mapping[str, Any], session: Session | None = None) -> ActorFilter:
    """Read the directory's URL parameters (see the module docstring); never raises.

    ``args`` is ``request.args`` (repeated keys are read with ``getlist``) or any mapping.
    ``session`` is used to check that the ids exist; by default the request's ``db.session``.
    """
    if session is None:
        from crm.extensions import db

        session = db.session
    hints: list[str] = []
    result = ActorFilter(hints=hints)
    result.q = " ".join(str(args.get("q") or "").split())[:200]
    result.kind_ids = _ids(args, "art", ActorKind, "Akteursart", hints, session)
    result.life_stage_ids = _ids(args, "phase", LifeStage, "Bildungsphase", hints, session)
    result.topic_ids = _ids(args, "thema", Topic, "Themenfeld", hints, session)
    areas = _ids(args, "gebiet", Area, "Gebiet", hints, session)
    result.area_id = areas[0] if areas else None
    initiatives = _ids(args, "initiative", Initiative, "Initiative", hints, session)
    result.initiative_id = initiatives[0] if initiatives else None
    category = str(args.get("kategorie") or "").strip()
    if category:
        known = session.scalar(select(func.count()).select_from(ActorKind).where(ActorKind.category == category))
        if known:
            result.category = category
        else:
            hints.append(f"Die Kategorie „{category[:80]}“ gibt es nicht; dieser Filter wurde ignoriert.")
    active = str(args.get("aktiv") or "").strip().lower()
    if active in ("ja", "nein"):
        result.active = active == "ja"
    elif active not in ("", "alle"):
        hints.append(f"„{active[:40]}“ ist keine gültige Angabe für „aktiv“ (ja oder nein); ignoriert.")
    sort = str(args.get("sortierung") or "name").strip()
    if sort in SORTS:
        result.sort = sort
    else:
        hints.append(f"Unbekannte Sortierung „{sort[:40]}“; sortiert wird nach Name.")
    result.page = parse_page(args.get("seite"))
    return result


def area_with_descendants(area_id: int) -> Select:
    """``SELECT id`` of an area and all areas below it (recursive CTE; SQLite and PostgreSQL)."""
    tree = select(Area.id).where(Area.id == area_id).cte("area_tree", recursive=True)
    tree = tree.union_all(select(Area.id).where(Area.parent_id == tree.c.id))
    return select(tree.c.id)


def filtered_actors_query(actor_filter: ActorFilter, today: date | None = None) -> Select:
    """``select(Actor)`` with every filter applied and the requested order, without paging.

    Callers add loader options (``.options(selectinload(...))``) and paging as they need;
    the export takes all rows, the page takes ``per_page`` of them.
    """
    f = actor_filter
    today = today or date.today()
    query = select(Actor)
    for word in f.q.split():   # the stored, folded search columns (``crm.services.landscape.search``)
        query = query.where(search.word_condition(word, f.search_private))
    if f.kind_ids:
        query = query.where(Actor.kind_id.in_(f.kind_ids))
    if f.category:
        query = query.where(Actor.kind_id.in_(select(ActorKind.id).where(ActorKind.category == f.category)))
    if f.area_id is not None:
        query = query.where(Actor.area_id.in_(area_with_descendants(f.area_id)))
    if f.life_stage_ids:
        query = query.where(Actor.life_stages.any(LifeStage.id.in_(f.life_stage_ids)))
    if f.topic_ids:
        query = query.where(Actor.topics.any(Topic.id.in_(f.topic_ids)))
    if f.initiative_id is not None:
        query = query.where(Actor.id.in_(select(Membership.actor_id).where(
            Membership.initiative_id == f.initiative_id,
            or_(Membership.joined_on.is_(None), Membership.joined_on <= today),
            or_(Membership.left_on.is_(None), Membership.left_on >= today))))
    if f.active is not None:
        query = query.where(Actor.is_active.is_(f.active))
    return _ordered(query, f.sort)


def _ordered(query: Select, sort: str) -> Select:
    if sort == "-name":
        return query.order_by(german(Actor.name).desc(), Actor.id.desc())
    if sort == "art":
        return query.join(ActorKind, Actor.kind_id == ActorKind.id).order_by(
            ActorKind.sort_order, german(ActorKind.name), german(Actor.name), Actor.id)
    if sort == "gebiet":
        return query.outerjoin(Area, Actor.area_id == Area.id).order_by(
            Area.name.is_(None), german(Area.name), german(Actor.name), Actor.id)
    if sort == "geaendert":
        return query.order_by(Actor.updated_at.desc(), Actor.id.desc())
    return query.order_by(german(Actor.name), Actor.id)


@dataclass
class Page:
    """One page of a list; ``pages`` is at least 1 so templates need no special case."""

    items: Sequence[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, (self.total + self.per_page - 1) // self.per_page)

    @property
    def first_index(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)


def paginate(session: Session, query: Select, page: int, per_page: int = PER_PAGE) -> Page:
    """Count and fetch one page; a page number past the end shows the last page."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, (total + per_page - 1) // per_page)
    page = min(max(1, page), pages)
    items = session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Page(items=items, total=total, page=page, per_page=per_page)


def directory_page(session: Session, actor_filter: ActorFilter) -> Page:
    """The page of actors to show, with kind, area and topics loaded in three queries (no N+1)."""
    query = filtered_actors_query(actor_filter).options(
        selectinload(Actor.kind), selectinload(Actor.area), selectinload(Actor.topics))
    result = paginate(session, query, actor_filter.page, actor_filter.per_page)
    actor_filter.page = result.page
    return result


@dataclass
class FilterChoices:
    kinds: list[ActorKind]
    categories: list[str]
    areas: list[tuple[Area, int]]  # (area, depth) in tree order
    life_stages: list[LifeStage]
    topics: list[Topic]
    initiatives: list[Initiative]


def area_tree(session: Session) -> list[tuple[Area, int]]:
    """All areas in tree order with their depth, for indented pick lists."""
    areas = list(session.scalars(select(Area).order_by(Area.sort_order, german(Area.name))))
    children: dict[int | None, list[Area]] = {}
    for area in areas:
        children.setdefault(area.parent_id, []).append(area)
    ordered: list[tuple[Area, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for area in children.get(parent_id, []):
            ordered.append((area, depth))
            walk(area.id, depth + 1)

    walk(None, 0)
    return ordered


def filter_choices(session: Session) -> FilterChoices:
    """The pick lists of the filter form (active vocabulary entries only)."""
    kinds = list(session.scalars(select(ActorKind).where(ActorKind.is_active.is_(True))
                                 .order_by(ActorKind.sort_order, german(ActorKind.name))))
    return FilterChoices(
        kinds=kinds,
        categories=sorted({k.category for k in kinds}, key=sort_key),
        areas=area_tree(session),
        life_stages=list(session.scalars(select(LifeStage).where(LifeStage.is_active.is_(True))
                                         .order_by(LifeStage.sort_order))),
        topics=list(session.scalars(select(Topic).where(Topic.is_active.is_(True))
                                    .order_by(Topic.sort_order, german(Topic.name)))),
        initiatives=list(session.scalars(select(Initiative).order_by(german(Initiative.name)))),
    )


def suggest_actors(session: Session, text: str, limit: int = 15, exclude_id: int | None = None,
                   search_private: bool = True) -> list[Actor]:
    """Actors for the autocomplete: every word must match (as in the directory); names that
    start with the text first, then active before inactive, then by name."""
    words = text.split()
    if not words:
        return []
    query = filtered_actors_query(ActorFilter(q=" ".join(words)[:200], search_private=search_private))
    if exclude_id is not None:
        query = query.where(Actor.id != exclude_id)
    starts = search.name_starts_with(words[0])
    query = query.order_by(None).order_by(starts.desc(), Actor.is_active.desc(), german(Actor.name), Actor.id)
    return list(session.scalars(query.options(selectinload(Actor.kind), selectinload(Actor.area)).limit(limit)))
