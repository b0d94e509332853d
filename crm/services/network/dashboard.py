"""The dashboard for city leadership and Ämter: the landscape today against one year ago.

Managers ask "what changed since last year, who are the brokers, where are the holes"
(DESIGN.md). Everything is read through the same functions as the Stadtrat report
(``crm.services.reports.content``), so the dashboard and a report for the same day agree, and the
network measures come from the cached analysis (``crm.services.network.records.analysis``).
No person names, e-mails or phones; individual actors (volunteers, independent experts)
are named only for roles that may see personal data (``crm.services.landscape.naming``).

Computed by the background worker (kind ``dashboard``, ``compute_dashboard``), after every change
of the data and each midnight, and stored: at 40,000 actors loading the landscape, two snapshots,
the analysis and the topic counts take minutes, and the dashboard is the start page of every
viewer. The page (``dashboard``) reads the stored figures and names, shows when they were
computed, and reads only the upcoming events fresh. The heat map links at most 12 cooperations
per cell, so only the names of those are stored.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crm.collation import sort_key
from crm.models import Event, EventStatus
from crm.services.computed import store
from crm.services.landscape import naming
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

CHART_YEARS = 6
UPCOMING = 8
CELL_LINKS = 12   # cooperations linked per heat-map cell (templates/reports/_macros.html)
LINKED_CELLS = 400   # above this many heat-map cells (a Land: 266 areas × 7 transitions) cells show counts only
ISOLATES_SHOWN = 100


@dataclass
class Dashboard:
    today: date
    last_year: date
    figures: list[Figure]
    brokers: list[dict[str, Any]]
    isolates: list[dict[str, Any]]
    transitions: dict[str, Any]
    cooperation_labels: dict[int, str] | None
    years: list[int]
    topic_years: dict[str, dict[int, int]]
    chart_svg: Markup
    upcoming: list[dict[str, Any]]
    isolates_total: int = 0

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


def compute_dashboard(session: Session, context: store.Context) -> dict[str, Any]:
    """Everything the dashboard shows except the upcoming events, as JSON-ready data (worker only)."""
    today = context.day
    land = network.cached_landscape(session, ("cooperation",), context.version)
    nodes, edges = land.nodes, land.edges
    everything = Cut()
    figures = compare(snapshot(session, same_day_last_year(today), everything, land=(nodes, edges)),
                      snapshot(session, today, everything, land=(nodes, edges)))
    result = store.obtain(session, "analysis", network.analysis_params(Cut(as_of=today)), context)
    years = list(range(today.year - CHART_YEARS + 1, today.year + 1))
    per_topic = topic_years(scoped_ties(nodes, edges, everything), years)
    labels = naming.actor_labels(nodes, naming.hidden_individuals(session))
    transitions = transitions_table(result, vocabulary(session).stage_names)
    cells = [cell for row in transitions["rows"] for cell in row["cells"]]
    for cell in cells:   # the page links at most CELL_LINKS per cell; a Land's cells hold thousands
        cell["total"] = len(cell["cooperations"])
        cell["cooperations"] = cell["cooperations"][:CELL_LINKS] if len(cells) <= LINKED_CELLS else []
    linked = {cid for cell in cells for cid in cell["cooperations"]}
    ends = {int(e.ref.split(":", 1)[1]): (e.source, e.target) for e in edges if e.ref.startswith("cooperation:")}
    kinds = {a["id"]: a["kind"] for a in result["actors"]}
    areas = {a["id"]: a["area"] for a in result["actors"]}
    isolates = sorted(({"id": i, "label": labels.get(i, str(i)), "kind": kinds.get(i, ""), "area": areas.get(i, "")}
                       for i in result["fragility"]["isolates"]), key=lambda r: sort_key(r["label"]))
    return {
        "today": today.isoformat(), "figures": [asdict(f) for f in figures], "brokers": brokers(result, labels),
        "isolates": isolates[:ISOLATES_SHOWN], "isolates_total": len(isolates), "transitions": transitions,
        "cooperation_labels": None if len(cells) > LINKED_CELLS else {
            str(cid): f"{labels.get(ends[cid][0], ends[cid][0])} – {labels.get(ends[cid][1], ends[cid][1])}"
            for cid in sorted(linked) if cid in ends},
        "years": years, "topic_years": per_topic,
        "chart_svg": str(line_chart_svg(per_topic, years, title="Neue Kooperationen je Jahr und Themenfeld")),
        "actors": len(nodes),
    }


def _board(data: dict[str, Any]) -> Dashboard:
    today = date.fromisoformat(data["today"])
    return Dashboard(
        today=today, last_year=same_day_last_year(today), figures=[Figure(**f) for f in data["figures"]],
        brokers=data["brokers"], isolates=data["isolates"], transitions=data["transitions"],
        cooperation_labels=None if data["cooperation_labels"] is None else {
            int(k): v for k, v in data["cooperation_labels"].items()}, years=data["years"],
        topic_years={topic: {int(y): n for y, n in counts.items()} for topic, counts in data["topic_years"].items()},
        chart_svg=Markup(data["chart_svg"]), upcoming=[], isolates_total=int(data.get("isolates_total", 0)))


def dashboard(session: Session) -> tuple[Dashboard | None, store.Lookup]:
    """The stored dashboard (None while the first one is computed) and its lookup (time, progress).
    The caller commits (a queued job)."""
    lookup = store.lookup(session, "dashboard", {})
    if lookup.result is None:
        return None, lookup
    board = _board(lookup.result)
    board.upcoming = upcoming_events(session)
    return board, lookup
