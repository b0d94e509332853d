"""The dashboard for city leadership and Ämter: the landscape today against one year ago.

Managers ask "what changed since last year, who are the brokers, where are the holes"
(DESIGN.md). Everything is read through the same functions as the Stadtrat report
(``crm.services.reports.content``), so the dashboard and a report for the same day agree, and the
network measures come from the cached analysis (``crm.services.network.records.analysis``).
No person names, e-mails or phones; individual actors (volunteers, independent experts)
are named only for roles that may see personal data (``crm.services.landscape.naming``).

Caching: at 20,000 actors loading the landscape, two snapshots and the topic counts take
seconds, and the dashboard is the start page of every viewer. The heavy part (figures,
analysis, transitions, topic chart) is kept per data version and day
(``crm.services.network.cache``); the names, which depend on who is looking, are applied per
request and cached per version, day and naming decision. Upcoming events are read fresh.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crm.collation import sort_key
from crm.models import Event, EventStatus
from crm.services.landscape import naming
from crm.services.network import cache as view_cache
from crm.services.network import records as network
from crm.services.reports.charts import line_chart_svg
from crm.services.reports.content import (
    Figure,
    brokers,
    compare,
    scoped_ties,
    snapshot,
    topic_years,
    transitions_table,
    vocabulary,
)
from graph.cut import Cut
from graph.records import NodeRecord

CHART_YEARS = 6
UPCOMING = 8


@dataclass
class Dashboard:
    today: date
    last_year: date
    figures: list[Figure]
    brokers: list[dict[str, Any]]
    isolates: list[dict[str, Any]]
    transitions: dict[str, Any]
    cooperation_labels: dict[int, str]
    years: list[int]
    topic_years: dict[str, dict[int, int]]
    chart_svg: Markup
    upcoming: list[dict[str, Any]]

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


def same_day_last_year(day: date) -> date:
    """29 February falls back to 28 February."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def upcoming_events(session: Session, now: datetime | None = None, limit: int = UPCOMING) -> list[dict[str, Any]]:
    """Next events with title, time, kind and place; never the contact person."""
    now = now or datetime.now(UTC)
    events = session.scalars(select(Event).options(selectinload(Event.kind))
                             .where(Event.starts_at >= now, Event.status != EventStatus.CANCELLED)
                             .order_by(Event.starts_at, Event.id).limit(limit))
    return [{"id": e.id, "title": e.title, "starts_at": e.starts_at, "kind": e.kind.name, "place": e.place}
            for e in events]


@dataclass(frozen=True)
class _Core:
    """What does not depend on who is looking: computed once per data version and day."""

    nodes: list[NodeRecord]
    cooperation_ends: list[tuple[int, int, int]]     # cooperation id, source, target
    figures: list[Figure]
    result: dict[str, Any]
    transitions: dict[str, Any]
    years: list[int]
    topic_years: dict[str, dict[int, int]]
    chart_svg: Markup


def _core(session: Session, version: str, today: date) -> _Core:
    land = view_cache.landscape(session, ("cooperation",), version)
    nodes, edges = land.nodes, land.edges
    everything = Cut()
    figures = compare(snapshot(session, same_day_last_year(today), everything, land=(nodes, edges)),
                      snapshot(session, today, everything, land=(nodes, edges)))
    result = network.analysis(session, Cut(as_of=today))
    years = list(range(today.year - CHART_YEARS + 1, today.year + 1))
    per_topic = topic_years(scoped_ties(nodes, edges, everything), years)
    return _Core(
        nodes=nodes, cooperation_ends=[(int(e.ref.split(":", 1)[1]), e.source, e.target)
                                       for e in edges if e.ref.startswith("cooperation:")],
        figures=figures, result=result, transitions=transitions_table(result, vocabulary(session).stage_names),
        years=years, topic_years=per_topic,
        chart_svg=line_chart_svg(per_topic, years, title="Neue Kooperationen je Jahr und Themenfeld"))


def _named(core: _Core, hidden: frozenset[int]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[int, str]]:
    """Brokers, isolated actors and the cooperations behind the heat map, with display names."""
    labels = naming.actor_labels(core.nodes, hidden)
    kinds = {a["id"]: a["kind"] for a in core.result["actors"]}
    areas = {a["id"]: a["area"] for a in core.result["actors"]}
    isolates = sorted(({"id": i, "label": labels.get(i, str(i)), "kind": kinds.get(i, ""), "area": areas.get(i, "")}
                       for i in core.result["fragility"]["isolates"]), key=lambda r: sort_key(r["label"]))
    coop_labels = {cid: f"{labels.get(a, a)} – {labels.get(b, b)}" for cid, a, b in core.cooperation_ends}
    return brokers(core.result, labels), isolates, coop_labels


def dashboard(session: Session, today: date | None = None) -> Dashboard:
    today = today or date.today()
    version = network.data_version(session)
    core = view_cache.cached(("dashboard", version, today), lambda: _core(session, version, today))
    hidden = naming.hidden_individuals(session)
    top, isolates, coop_labels = view_cache.cached(("dashboard-names", version, today, hidden),
                                                   lambda: _named(core, hidden))
    return Dashboard(
        today=today, last_year=same_day_last_year(today), figures=core.figures, brokers=top, isolates=isolates,
        transitions=core.transitions, cooperation_labels=coop_labels, years=core.years,
        topic_years=core.topic_years, chart_svg=core.chart_svg, upcoming=upcoming_events(session))
