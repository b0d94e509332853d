"""Bestandsaufnahme der Bildungsangebote: which life stages are served in which area, and which topics
reach which target groups, counted over the offers that stand today.

What counts: an offer that is published (``OfferStatus.PUBLISHED``) and has not ended (no end date,
or one today or later). Drafts are not offers yet, and an offer set to „beendet“ is exactly what opens
a gap. Whether the providers agreed to be listed in the portal does not matter here: the office takes
stock of what exists, not of what it may publish.

Two matrices, both plain counts of distinct offers:

* **Bildungsphase × Gebiet**: rows are the areas in tree order (Stadt › Stadtteil) in which an actor
  works or an offer takes place; an offer counts for its own area and every area above it, so the
  Stadt row sums its Stadtteile (an offer never counts twice in one row: it has one area).
* **Themenfeld × Zielgruppe**: an offer counts in every (topic, target group) pair it carries.

A cell is a **gap** (Lücke) when no offer covers it, and **weak** (schwach besetzt) when it has at
most a quarter of what the row would hold if it followed the column's share of all offers (and that
expectation is at least two offers, so small rows are not flagged for noise).

Counted, not stored: each matrix is one ``GROUP BY`` over the link tables. At 100,000 offers that
costs about a second on a loaded PostgreSQL (``bench/inventory_bench.py``), too much for every
dashboard view, so pages read ``current_inventory``: counted once per process for each version of
the offers (a counter of its own, ``crm.services.computed.versions.OFFERS``, raised by every write
of an offer; not the landscape version, so offers never recompute the network analysis) and kept in
the app's cache. A changed offer shows on the next page view. The council report counts it with the
report, in the background worker.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from crm.collation import sort_key
from crm.models import Actor, Area, LifeStage, Offer, OfferStatus, TargetGroup, Topic
from crm.models.offers import offer_life_stages, offer_target_groups, offer_topics
from crm.services.errors import N_

WEAK_SHARE = 0.25      # at most this part of the expected count: weak
WEAK_MIN_EXPECTED = 2  # expectations below this are noise

STAGE_AREA = "stage_area"
TOPIC_GROUP = "topic_group"
TITLES = {STAGE_AREA: N_("Bildungsphase × Gebiet"), TOPIC_GROUP: N_("Themenfeld × Zielgruppe")}


def standing_clause(today: date | None = None) -> Any:
    """The offers the Bestandsaufnahme counts, as an SQL condition on ``Offer``."""
    today = today or date.today()
    return and_(Offer.status == OfferStatus.PUBLISHED, or_(Offer.ends_on.is_(None), Offer.ends_on >= today))


@dataclass(frozen=True)
class Axis:
    """A row or a column: its vocabulary id, label, and what the suggestions page filters by."""

    id: int
    label: str
    depth: int = 0                       # areas: 0 = Stadt/Landkreis, 1 = Stadtteil …
    cut: tuple[str, str] | None = None   # (argument of /analyse/vorschlaege, value)


@dataclass(frozen=True)
class Cell:
    count: int
    gap: bool
    weak: bool
    expected: float


@dataclass
class Matrix:
    key: str
    rows: list[Axis]
    columns: list[Axis]
    cells: dict[tuple[int, int], Cell]

    def cell(self, row: Axis, column: Axis) -> Cell:
        return self.cells[(row.id, column.id)]

    @property
    def gaps(self) -> list[tuple[Axis, Axis]]:
        return [(r, c) for r in self.rows for c in self.columns if self.cells[(r.id, c.id)].gap]

    @property
    def weak(self) -> list[tuple[Axis, Axis]]:
        return [(r, c) for r in self.rows for c in self.columns if self.cells[(r.id, c.id)].weak]

    @property
    def size(self) -> int:
        return len(self.rows) * len(self.columns)

    def to_payload(self) -> dict[str, Any]:
        """Plain JSON (the page's tables, and stored with the council report). ``cut``: the arguments
        of /analyse/vorschlaege that preselect the row or column."""
        def axis(item: Axis) -> dict[str, Any]:
            return {"label": item.label, "depth": item.depth, "cut": dict([item.cut]) if item.cut else {}}

        return {"key": self.key, "columns": [axis(c) for c in self.columns],
                "rows": [{**axis(r), "cells": [asdict(self.cells[(r.id, c.id)]) for c in self.columns]}
                         for r in self.rows],
                "gaps": [{"row": r.label, "column": c.label} for r, c in self.gaps],
                "weak": [{"row": r.label, "column": c.label} for r, c in self.weak]}


@dataclass
class Inventory:
    day: date
    offers: int                         # standing offers
    without_area: int                   # standing offers without an area (in no row of the first matrix)
    matrices: list[Matrix] = field(default_factory=list)

    @property
    def gap_count(self) -> int:
        return sum(len(m.gaps) for m in self.matrices)

    @property
    def weak_count(self) -> int:
        return sum(len(m.weak) for m in self.matrices)

    def matrix(self, key: str) -> Matrix:
        return next(m for m in self.matrices if m.key == key)

    def to_payload(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "offers": self.offers, "without_area": self.without_area,
                "gaps": self.gap_count, "weak": self.weak_count,
                "matrices": {m.key: m.to_payload() for m in self.matrices}}


@dataclass(frozen=True)
class Summary:
    """The dashboard's block: how many cells are gaps, out of how many."""

    offers: int
    gaps: int
    weak: int
    cells: int


def _mark(rows: list[Axis], columns: list[Axis], counts: Mapping[tuple[int, int], int],
          totals_rows: Iterable[Axis]) -> dict[tuple[int, int], Cell]:
    """Cells with gap and weak flags. ``totals_rows``: the rows whose sums make the column shares
    (for the area tree its roots, so that a Stadtteil and its Stadt are not counted twice)."""
    column_sum: dict[int, int] = defaultdict(int)
    for row in totals_rows:
        for column in columns:
            column_sum[column.id] += counts.get((row.id, column.id), 0)
    grand = sum(column_sum.values())
    cells: dict[tuple[int, int], Cell] = {}
    for row in rows:
        row_sum = sum(counts.get((row.id, c.id), 0) for c in columns)
        for column in columns:
            count = counts.get((row.id, column.id), 0)
            expected = row_sum * column_sum[column.id] / grand if grand else 0.0
            weak = 0 < count and expected >= WEAK_MIN_EXPECTED and count <= WEAK_SHARE * expected
            cells[(row.id, column.id)] = Cell(count, count == 0, weak, round(expected, 1))
    return cells


def _area_rows(session: Session, used: set[int]) -> tuple[list[Axis], dict[int, list[int]], list[Axis]]:
    """Areas in tree order that are ``used`` (themselves or below), each with its chain of ancestors
    (itself first); and the root rows."""
    areas = {a.id: a for a in session.execute(select(Area.id, Area.name, Area.parent_id, Area.sort_order)
                                               .where(Area.is_active.is_(True))).all()}
    chain: dict[int, list[int]] = {}
    for area_id in areas:
        ids, node, seen = [], areas.get(area_id), set()
        while node is not None and node.id not in seen:
            seen.add(node.id)
            ids.append(node.id)
            node = areas.get(node.parent_id) if node.parent_id else None
        chain[area_id] = ids
    shown = {a for area_id in used if area_id in chain for a in chain[area_id]}
    children: dict[int | None, list[Any]] = defaultdict(list)
    for area in areas.values():
        if area.id in shown:
            children[area.parent_id if area.parent_id in areas else None].append(area)
    rows: list[Axis] = []

    def walk(parent: int | None, depth: int) -> None:
        for area in sorted(children.get(parent, []), key=lambda a: (a.sort_order, sort_key(a.name))):
            rows.append(Axis(area.id, area.name, depth, ("areas", area.name)))
            walk(area.id, depth + 1)

    walk(None, 0)
    return rows, chain, [r for r in rows if r.depth == 0]


def stage_area_matrix(session: Session, today: date | None = None) -> tuple[Matrix, int]:
    """Bildungsphase × Gebiet, and the number of standing offers without an area."""
    standing = standing_clause(today)
    stages = [Axis(i, name, 0, ("life_stages", code)) for i, name, code in session.execute(
        select(LifeStage.id, LifeStage.name, LifeStage.code).where(LifeStage.is_active.is_(True))
        .order_by(LifeStage.sort_order, LifeStage.id))]
    leaf_counts = session.execute(
        select(Offer.area_id, offer_life_stages.c.life_stage_id, func.count())
        .join(offer_life_stages, offer_life_stages.c.offer_id == Offer.id)
        .where(standing, Offer.area_id.is_not(None))
        .group_by(Offer.area_id, offer_life_stages.c.life_stage_id)).all()
    without_area = session.scalar(select(func.count()).select_from(Offer)
                                  .where(standing, Offer.area_id.is_(None))) or 0
    used: set[int] = {a for a in session.scalars(
        select(Actor.area_id).where(Actor.is_active.is_(True), Actor.area_id.is_not(None)).distinct()) if a}
    used.update(int(area_id) for area_id, _stage, _n in leaf_counts)
    rows, chain, roots = _area_rows(session, used)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for area_id, stage_id, number in leaf_counts:
        for ancestor in chain.get(area_id, ()):
            counts[(ancestor, stage_id)] += number
    return Matrix(STAGE_AREA, rows, stages, _mark(rows, stages, counts, roots)), without_area


def topic_group_matrix(session: Session, today: date | None = None) -> Matrix:
    """Themenfeld × Zielgruppe."""
    standing = standing_clause(today)
    topics = [Axis(i, name, 0, ("topics", name)) for i, name in session.execute(
        select(Topic.id, Topic.name).where(Topic.is_active.is_(True)).order_by(Topic.sort_order, Topic.id))]
    groups = [Axis(i, name) for i, name in session.execute(
        select(TargetGroup.id, TargetGroup.name).where(TargetGroup.is_active.is_(True))
        .order_by(TargetGroup.sort_order, TargetGroup.id))]
    counts = {(topic_id, group_id): number for topic_id, group_id, number in session.execute(
        select(offer_topics.c.topic_id, offer_target_groups.c.target_group_id, func.count())
        .select_from(Offer)
        .join(offer_topics, offer_topics.c.offer_id == Offer.id)
        .join(offer_target_groups, offer_target_groups.c.offer_id == Offer.id)
        .where(standing)
        .group_by(offer_topics.c.topic_id, offer_target_groups.c.target_group_id))}
    return Matrix(TOPIC_GROUP, topics, groups, _mark(topics, groups, counts, topics))


def inventory(session: Session, today: date | None = None) -> Inventory:
    """Both matrices, as of ``today``."""
    today = today or date.today()
    stage_area, without_area = stage_area_matrix(session, today)
    offers = session.scalar(select(func.count()).select_from(Offer).where(standing_clause(today))) or 0
    return Inventory(today, offers, without_area, [stage_area, topic_group_matrix(session, today)])


def current_inventory(session: Session, today: date | None = None) -> Inventory:
    """``inventory`` as pages read it: counted once per process for each version of the offers, of
    the landscape (areas, vocabularies, actors) and day (``crm.services.computed.versions``), so
    that only the first page after a change counts (two reads of a version row otherwise)."""
    from crm.services.computed import cache, versions

    today = today or date.today()
    key = ("offer-inventory", versions.current(session, versions.OFFERS), versions.current(session), today)
    result: Inventory = cache.cached(key, lambda: inventory(session, today), lambda found: 2000.0 * sum(
        m.size for m in found.matrices))
    return result


def summary(session: Session, today: date | None = None) -> Summary:
    found = current_inventory(session, today)
    return Summary(found.offers, found.gap_count, found.weak_count, sum(m.size for m in found.matrices))

