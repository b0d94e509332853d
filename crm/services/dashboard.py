"""The dashboard for city leadership and Ämter: the landscape today against one year ago.

Managers ask "what changed since last year, who are the brokers, where are the holes"
(DESIGN.md). Everything is read through the same functions as the Stadtrat report
(``crm.services.reports``), so the dashboard and a report for the same day agree, and the
network measures come from the cached analysis (``crm.services.network.analysis``).
Like the report it shows organisations only: no person names, e-mails or phones.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crm.models import Event, EventStatus
from crm.services import network
from crm.services.report_charts import line_chart_svg
from crm.services.reports import (
    Figure, brokers, compare, public_labels, scoped_ties, snapshot, topic_years, transitions_table, vocabulary,
)
from graph.cut import Cut

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


def dashboard(session: Session, today: date | None = None) -> Dashboard:
    today = today or date.today()
    last_year = same_day_last_year(today)
    land = network.landscape(session, ("cooperation",))
    nodes, edges = land.nodes, land.edges
    everything = Cut()
    figures = compare(snapshot(session, last_year, everything, land=(nodes, edges)),
                      snapshot(session, today, everything, land=(nodes, edges)))
    labels = public_labels(session, nodes)
    result = network.analysis(session, Cut(as_of=today))
    kinds = {a["id"]: a["kind"] for a in result["actors"]}
    areas = {a["id"]: a["area"] for a in result["actors"]}
    isolates = sorted(({"id": i, "label": labels.get(i, str(i)), "kind": kinds.get(i, ""), "area": areas.get(i, "")}
                       for i in result["fragility"]["isolates"]), key=lambda r: r["label"])
    coop_labels = {int(e.ref.split(":", 1)[1]): f"{labels.get(e.source, e.source)} – {labels.get(e.target, e.target)}"
                   for e in edges if e.ref.startswith("cooperation:")}
    years = list(range(today.year - CHART_YEARS + 1, today.year + 1))
    per_topic = topic_years(scoped_ties(nodes, edges, everything), years)
    return Dashboard(
        today=today, last_year=last_year, figures=figures, brokers=brokers(result, labels), isolates=isolates,
        transitions=transitions_table(result, vocabulary(session).stage_names), cooperation_labels=coop_labels,
        years=years, topic_years=per_topic,
        chart_svg=line_chart_svg(per_topic, years, title="Neue Kooperationen je Jahr und Themenfeld"),
        upcoming=upcoming_events(session))
