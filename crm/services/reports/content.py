"""The report for the Stadtrat / Kreistag: one period, one scope, figures and German prose.

Everything a report shows is computed here once (``build_report``) and handed as a plain
``Report`` to the three renderings: HTML page, PDF (``report_pdf``) and XLSX
(``report_xlsx``), so the three can never disagree. The dashboard uses the same
``snapshot`` for its key figures.

Privacy: a report leaves the office (council papers are public), so it names
organisations only: individual actors are "Einzelperson (kind, area)" for every role
(``crm.services.landscape.naming`` with ``public=True``). No person name, e-mail or phone is read
here at all.

"As of a day" semantics, the same as the analysis' (``graph.cut``), so that the figures and the
brokers named from the analysis on the end date agree: an actor counts on day ``d`` when it was
active then (its active window, ``active_from``/``active_until``; not when it was typed into the
CRM: a landscape imported later was there all along); ties exist on ``d`` by
``graph.cut.tie_exists``. Density, components and isolated actors are measured on that day's
actors and ties.

Computed by the background worker (kind ``report``, ``compute_report``) and stored as JSON, so the
HTML page, the PDF and the workbook read the same figures and no request computes; the network
figure is the stored landscape map of the end date (its server layout), not a layout of its own.
"""
from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import networkx as nx
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.collation import german, sort_key
from crm.models import ActorKind, Area, Attendance, Event, EventStatus, Initiative, LifeStage, Membership, Topic
from crm.services.computed import store
from crm.services.errors import ServiceError
from crm.services.landscape import naming
from crm.services.network import records as network
from crm.services.offers import inventory as offer_inventory
from crm.services.reports.charts import line_chart_svg
from graph.build import build_graph
from graph.change import NO_TOPIC, ties_per_year_by_topic
from graph.cut import Cut, apply_cut
from graph.picture import Picture, from_map, to_svg
from graph.records import EdgeRecord, NodeRecord

TOP_BROKERS = 10
BERLIN = ZoneInfo("Europe/Berlin")


def start_of(day: date) -> datetime:
    """Midnight in Berlin at the start of ``day`` (the database stores aware UTC times)."""
    return datetime.combine(day, time.min, tzinfo=BERLIN)


# ---------------------------------------------------------------- numbers in German

def de_number(value: float | int | None, digits: int = 0) -> str:
    """1234.5 -> "1.234,5": the Stadtrat reads German number formats."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def de_signed(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    sign = "+" if value > 0 else ("±" if value == 0 else "−")
    return sign + de_number(abs(value), digits)


def de_date(day: date) -> str:
    return day.strftime("%d.%m.%Y")


# ---------------------------------------------------------------- scope and period

@dataclass(frozen=True)
class Scope:
    """What the report looks at: the period and the cut (same facets as ``graph.cut``)."""

    since: date
    until: date
    areas: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    life_stages: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()

    def cut(self, **dates: Any) -> Cut:
        return Cut(areas=self.areas, topics=self.topics, life_stages=self.life_stages, kinds=self.kinds, **dates)

    @property
    def restricted(self) -> bool:
        return bool(self.areas or self.topics or self.life_stages or self.kinds)

    def query(self) -> dict[str, Any]:
        """URL arguments that reproduce this scope (links to PDF and XLSX)."""
        args: dict[str, Any] = {"since": self.since.isoformat(), "until": self.until.isoformat()}
        for key in ("areas", "topics", "life_stages", "kinds"):
            if getattr(self, key):
                args[key] = sorted(getattr(self, key))
        return args


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last full calendar year: what a Stadtrat report usually covers."""
    year = (today or date.today()).year - 1
    return date(year, 1, 1), date(year, 12, 31)


@dataclass(frozen=True)
class Vocabulary:
    areas: list[str]
    topics: list[str]
    life_stages: list[tuple[str, str]]  # code, name
    kinds: list[str]

    @property
    def stage_names(self) -> dict[str, str]:
        return dict(self.life_stages)

    def pairs(self, name: str) -> list[tuple[str, str]]:
        """(value, text) pairs for a select element of the report form."""
        if name == "life_stages":
            return list(self.life_stages)
        return [(value, value) for value in getattr(self, name)]


def vocabulary(session: Session) -> Vocabulary:
    return Vocabulary(
        areas=sorted(set(session.scalars(select(Area.name))), key=sort_key),
        topics=list(session.scalars(select(Topic.name).order_by(Topic.sort_order, german(Topic.name)))),
        life_stages=[(c, n) for c, n in session.execute(
            select(LifeStage.code, LifeStage.name).order_by(LifeStage.sort_order, LifeStage.id))],
        kinds=list(session.scalars(select(ActorKind.name).order_by(ActorKind.sort_order, german(ActorKind.name)))))


def _values(args: Any, key: str) -> frozenset[str]:
    values = args.getlist(key) if hasattr(args, "getlist") else args.get(key, [])
    if isinstance(values, str):
        values = [values]
    return frozenset(v.strip() for value in values for v in str(value).split(",") if v.strip())


def _day(args: Mapping[str, Any], key: str, label: str, default: date) -> date:
    raw = str(args.get(key) or "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ServiceError(f"{label}: „{raw}“ ist kein gültiges Datum (JJJJ-MM-TT).", key) from None


def scope_from_args(session: Session, args: Any, today: date | None = None) -> Scope:
    """Read period and cut from the URL; every mistake becomes one German message for the form."""
    first, last = default_period(today)
    since, until = _day(args, "since", "Von", first), _day(args, "until", "Bis", last)
    if until < since:
        raise ServiceError("Der Zeitraum ist leer: „Bis“ liegt vor „Von“.", "until")
    if since.year < 1900 or until.year > 2200:
        raise ServiceError("Der Zeitraum liegt außerhalb der Jahre 1900 bis 2200.", "since")
    vocab = vocabulary(session)
    scope = Scope(since=since, until=until, areas=_values(args, "areas"), topics=_values(args, "topics"),
                  life_stages=_values(args, "life_stages"), kinds=_values(args, "kinds"))
    known = {"areas": (set(vocab.areas), "Gebiet"), "topics": (set(vocab.topics), "Themenfeld"),
             "life_stages": ({c for c, _ in vocab.life_stages}, "Bildungsphase"),
             "kinds": (set(vocab.kinds), "Akteursart")}
    for key, (allowed, label) in known.items():
        unknown = sorted(getattr(scope, key) - allowed)
        if unknown:
            raise ServiceError(f"Unbekannte Angabe im Feld {label}: {', '.join(unknown)}.", key)
    return scope


def scope_from_dict(data: Mapping[str, Any]) -> Scope:
    """The scope back from ``Scope.query()`` (stored job parameters)."""
    return Scope(since=date.fromisoformat(data["since"]), until=date.fromisoformat(data["until"]),
                 **{key: frozenset(data.get(key) or ()) for key in ("areas", "topics", "life_stages", "kinds")})


def describe_scope(scope: Scope, vocab: Vocabulary) -> str:
    """The scope in one German sentence fragment, for the title page and the HTML heading."""
    parts = []
    if scope.areas:
        parts.append("Gebiet: " + ", ".join(sorted(scope.areas)))
    if scope.topics:
        parts.append("Themenfeld: " + ", ".join(sorted(scope.topics)))
    if scope.life_stages:
        names = vocab.stage_names
        parts.append("Bildungsphase: " + ", ".join(names.get(c, c) for c in sorted(scope.life_stages)))
    if scope.kinds:
        parts.append("Akteursart: " + ", ".join(sorted(scope.kinds)))
    return "; ".join(parts) or "gesamte Bildungslandschaft"


# ---------------------------------------------------------------- snapshots

def _shape(graph: nx.Graph) -> dict[str, float | int]:
    """Density, components and isolated actors: the three measures a snapshot reports. Counted
    directly (linear time) rather than through ``network_metrics``, whose path lengths and
    diameter cost seconds per snapshot at 20,000 actors."""
    if graph.number_of_nodes() == 0:
        return {"density": 0.0, "components": 0, "isolates": 0}
    return {"density": nx.density(graph), "components": nx.number_connected_components(graph),
            "isolates": nx.number_of_isolates(graph)}


@dataclass(frozen=True)
class Snapshot:
    day: date
    actors: int
    cooperations: int
    initiatives: int
    events: int          # events held in the 365 days up to ``day``
    attendances: int     # attendances at those events
    density: float
    components: int
    isolates: int


def snapshot(session: Session, day: date, cut: Cut, *, land: tuple[list[NodeRecord], list[EdgeRecord]] | None = None
             ) -> Snapshot:
    """Key figures of the landscape under ``cut`` on ``day`` (see the module docstring)."""
    if land is None:
        whole = network.landscape(session, ("cooperation",))
        land = (whole.nodes, whole.edges)
    nodes, edges = land
    day_cut = replace(cut, as_of=day, since=None, until=None, include_inactive=False,
                      layers=frozenset({"cooperation"}))
    kept_nodes, kept_edges = apply_cut(nodes, edges, day_cut)
    metrics = _shape(build_graph(kept_nodes, kept_edges))
    in_scope = {n.id for n in kept_nodes}
    restricted = bool(cut.areas or cut.topics or cut.life_stages or cut.kinds or cut.categories)
    initiatives = session.execute(
        select(Initiative.id, Membership.actor_id).outerjoin(Membership, Membership.initiative_id == Initiative.id)
        .where((Initiative.start_date.is_(None)) | (Initiative.start_date <= day),
               (Initiative.end_date.is_(None)) | (Initiative.end_date >= day))).all()
    running = {i for i, actor in initiatives if not restricted or actor in in_scope}
    window_start = start_of(day - timedelta(days=364))
    window_end = start_of(day + timedelta(days=1))
    rows: list[tuple[int, int | None]] = [(event_id, actor_id) for event_id, actor_id in session.execute(
        select(Event.id, Attendance.actor_id).outerjoin(Attendance, Attendance.event_id == Event.id)
        .where(Event.starts_at >= window_start, Event.starts_at < window_end,
               Event.status != EventStatus.CANCELLED))]
    if restricted:
        rows = [(e, a) for e, a in rows if a in in_scope]
    return Snapshot(day=day, actors=len(kept_nodes), cooperations=len(kept_edges), initiatives=len(running),
                    events=len({e for e, _ in rows}), attendances=sum(1 for _, a in rows if a is not None)
                    if not restricted else len(rows),
                    density=float(metrics["density"]), components=int(metrics["components"]),
                    isolates=int(metrics["isolates"]))


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    then: float
    now: float
    digits: int = 0

    @property
    def delta(self) -> float:
        return self.now - self.then

    @property
    def then_text(self) -> str:
        return de_number(self.then, self.digits)

    @property
    def now_text(self) -> str:
        return de_number(self.now, self.digits)

    @property
    def delta_text(self) -> str:
        return de_signed(round(self.delta, self.digits), self.digits)


FIGURE_LABELS = (("actors", "Akteure", 0), ("cooperations", "Laufende Kooperationen", 0),
                 ("initiatives", "Laufende Initiativen", 0), ("events", "Veranstaltungen (12 Monate)", 0),
                 ("attendances", "Teilnahmen (12 Monate)", 0), ("density", "Dichte des Netzwerks", 3),
                 ("components", "Zusammenhangskomponenten", 0), ("isolates", "Isolierte Akteure", 0))


def compare(then: Snapshot, now: Snapshot) -> list[Figure]:
    return [Figure(key, label, getattr(then, key), getattr(now, key), digits) for key, label, digits in FIGURE_LABELS]


# ---------------------------------------------------------------- shared sections

def brokers(result: dict[str, Any], labels: Mapping[int, str], limit: int = TOP_BROKERS) -> list[dict[str, Any]]:
    """Actors with the highest betweenness (they connect otherwise separate parts), with
    Burt's constraint (low = many non-redundant contacts). Actors without any broker role are left out."""
    found = [a for a in result["actors"] if a.get("betweenness", 0) > 0][:limit]
    return [{"id": a["id"], "label": labels.get(a["id"], a["label"]), "kind": a["kind"], "area": a["area"],
             "degree": a.get("degree", 0),
             "betweenness": a.get("betweenness", 0.0),
             "constraint": a.get("constraint")} for a in found]


def transitions_table(result: dict[str, Any], stage_names: Mapping[str, str]) -> dict[str, Any]:
    """The coverage matrix with display labels, colour levels 0–4 (square-root scale, so that a few
    cooperations already show against one busy Stadtteil) and cooperation ids per cell."""
    matrix = result["transitions"]
    keys = matrix["transitions"]
    labels = {}
    for key in keys:
        a, b = key.split("→", 1)
        labels[key] = f"{stage_names.get(a, a)} → {stage_names.get(b, b)}"
    peak = max([matrix["cells"][a][k]["count"] for a in matrix["areas"] for k in keys] + [1])
    rows = []
    for area in matrix["areas"]:
        cells = []
        for key in keys:
            cell = matrix["cells"][area][key]
            ids = sorted({int(r.split(":", 1)[1]) for r in cell["refs"] if r.startswith("cooperation:")})
            level = 0 if cell["count"] == 0 else 1 + min(3, int(3 * (cell["count"] / peak) ** 0.5))
            cells.append({"transition": key, "label": labels[key], "count": cell["count"], "level": level,
                          "cooperations": ids})
        rows.append({"area": area, "cells": cells})
    gaps = [{"area": g["area"], "transition": labels.get(g["transition"], g["transition"])} for g in matrix["gaps"]]
    return {"transitions": [{"key": k, "label": labels[k]} for k in keys], "rows": rows, "gaps": gaps}


def topic_years(edges: list[EdgeRecord], years: list[int]) -> dict[str, dict[int, int]]:
    """New cooperations per topic and year (a tie with several topics counts for each)."""
    per_topic = ties_per_year_by_topic(edges, years)
    return {topic: {year: values.get(year, {}).get("new", 0) for year in years}
            for topic, values in per_topic.items() if any(v.get("new", 0) for v in values.values())}


def scoped_ties(nodes: list[NodeRecord], edges: list[EdgeRecord], cut: Cut) -> list[EdgeRecord]:
    """All cooperations ever inside the cut's facets (dates ignored), closed actors included: history."""
    return apply_cut(nodes, edges, replace(cut, as_of=None, since=None, until=None, include_inactive=True,
                                           layers=frozenset({"cooperation"})))[1]


# ---------------------------------------------------------------- the report

@dataclass
class Report:
    scope: Scope
    scope_text: str
    organisation: str
    created: date
    figures: list[Figure]
    new_ties: list[dict[str, Any]]
    ended_ties: list[dict[str, Any]]
    brokers: list[dict[str, Any]]
    communities: list[dict[str, Any]]
    articulation: list[dict[str, Any]]
    bridges: int
    isolates: list[dict[str, Any]]
    transitions: dict[str, Any]
    events: list[dict[str, Any]]
    topic_years: dict[str, dict[int, int]]
    years: list[int]
    picture: Picture
    chart_svg: Markup
    paragraphs: dict[str, list[str]] = field(default_factory=dict)
    # Bestandsaufnahme der Bildungsangebote on the day the report was computed (offers have no history):
    # ``crm.services.offers.inventory.Inventory.to_payload``; empty in reports stored before it existed
    inventory: dict[str, Any] = field(default_factory=dict)
    computed_at: datetime | None = None     # when the worker computed it (set when read from the store)
    pdf_bytes: bytes | None = None          # the PDF the worker rendered with it (``crm.services.computed.kinds``)

    @property
    def period_text(self) -> str:
        return f"{de_date(self.scope.since)} bis {de_date(self.scope.until)}"

    @property
    def picture_title(self) -> str:
        return f"Netzwerk der Kooperationen am {de_date(self.scope.until)}"

    @property
    def picture_svg(self) -> Markup:
        return Markup(to_svg(self.picture, title=self.picture_title))

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready (stored by the worker, read by the three renderings)."""
        def rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in item.items()} for item in items]

        return {"scope": self.scope.query(), "scope_text": self.scope_text, "organisation": self.organisation,
                "created": self.created.isoformat(), "figures": [asdict(f) for f in self.figures],
                "new_ties": rows(self.new_ties), "ended_ties": rows(self.ended_ties), "brokers": self.brokers,
                "communities": self.communities, "articulation": self.articulation, "bridges": self.bridges,
                "isolates": self.isolates, "transitions": self.transitions, "events": rows(self.events),
                "topic_years": self.topic_years, "years": self.years, "picture": self.picture.to_dict(),
                "chart_svg": str(self.chart_svg), "paragraphs": self.paragraphs, "inventory": self.inventory}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any], computed_at: datetime | None = None) -> Report:
        def rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [{k: (date.fromisoformat(v) if k == "date" and v else v) for k, v in item.items()}
                    for item in items]

        scope = scope_from_dict(data["scope"])
        return cls(
            scope=scope, scope_text=data["scope_text"], organisation=data["organisation"],
            created=date.fromisoformat(data["created"]), figures=[Figure(**f) for f in data["figures"]],
            new_ties=rows(data["new_ties"]), ended_ties=rows(data["ended_ties"]), brokers=data["brokers"],
            communities=data["communities"], articulation=data["articulation"], bridges=data["bridges"],
            isolates=data["isolates"], transitions=data["transitions"], events=rows(data["events"]),
            topic_years={t: {int(y): n for y, n in v.items()} for t, v in data["topic_years"].items()},
            years=[int(y) for y in data["years"]], picture=Picture.from_dict(data["picture"]),
            chart_svg=Markup(data["chart_svg"]), paragraphs=data["paragraphs"],
            inventory=data.get("inventory") or {}, computed_at=computed_at,
            pdf_bytes=base64.b64decode(data["pdf"]) if data.get("pdf") else None)


def _tie_rows(ties: list[EdgeRecord], labels: Mapping[int, str], when: str) -> list[dict[str, Any]]:
    rows = [{"id": int(e.ref.split(":", 1)[1]) if e.ref.startswith("cooperation:") else None,
             "source": labels.get(e.source, str(e.source)), "target": labels.get(e.target, str(e.target)),
             "type": e.type, "topics": ", ".join(e.topics) or NO_TOPIC,
             "date": getattr(e, when)} for e in ties]
    rows.sort(key=lambda r: (r["date"] or date.min, r["source"], r["target"]))
    return rows


def _events(session: Session, scope: Scope, in_scope: set[int]) -> list[dict[str, Any]]:
    start = start_of(scope.since)
    end = start_of(scope.until + timedelta(days=1))
    events = session.scalars(select(Event).where(Event.starts_at >= start, Event.starts_at < end,
                                                 Event.status != EventStatus.CANCELLED).order_by(Event.starts_at))
    counts: Counter[int] = Counter()
    actors: dict[int, set[int]] = {}
    rows = session.execute(select(Attendance.event_id, Attendance.actor_id)
                           .join(Event, Event.id == Attendance.event_id)
                           .where(Event.starts_at >= start, Event.starts_at < end)).all()
    for event_id, actor_id in rows:
        if scope.restricted and actor_id not in in_scope:
            continue
        counts[event_id] += 1
        if actor_id is not None:
            actors.setdefault(event_id, set()).add(actor_id)
    result = []
    for event in events:
        if scope.restricted and not counts[event.id] and not (scope.topics & {t.name for t in event.topics}):
            continue
        result.append({"id": event.id, "title": event.title, "kind": event.kind.name, "date": event.starts_at.date(),
                       "attendances": counts[event.id], "actors": len(actors.get(event.id, ()))})
    return result


def report_params(scope: Scope, organisation: str) -> dict[str, Any]:
    """What identifies a stored report."""
    return {"scope": scope.query(), "organisation": organisation}


def report(session: Session, scope: Scope, *, organisation: str = "Bildungsbüro") -> tuple[Report | None, store.Lookup]:
    """The stored report for ``scope`` (None while the first one is computed) and its lookup; queues
    the computation when missing. The caller commits."""
    lookup = store.lookup(session, "report", report_params(scope, organisation))
    if lookup.result is None:
        return None, lookup
    return Report.from_payload(lookup.result, lookup.computed_at), lookup


def build_report(session: Session, scope: Scope, *, organisation: str = "Bildungsbüro",
                 context: store.Context | None = None) -> Report:
    """Everything the report shows, computed once for HTML, PDF and XLSX (the background worker
    calls this; with no ``context`` it computes for the current data, as benchmarks do)."""
    from crm.services.network import maps

    context = context or store.Context(network.data_version(session), store.today())
    vocab = vocabulary(session)
    land = network.cached_landscape(session, ("cooperation",), context.version)
    nodes, edges = land.nodes, land.edges
    base_cut = scope.cut()
    then, now = (snapshot(session, day, base_cut, land=(nodes, edges)) for day in (scope.since, scope.until))
    hidden = naming.hidden_individuals(session, public=True)
    labels = naming.actor_labels(nodes, hidden)
    ties = scoped_ties(nodes, edges, base_cut)
    new = [e for e in ties if e.start is not None and scope.since <= e.start <= scope.until]
    ended = [e for e in ties if e.end is not None and scope.since <= e.end <= scope.until]
    end_cut = scope.cut(as_of=scope.until)
    result = store.obtain(session, "analysis", network.analysis_params(end_cut), context)
    by_id = {a["id"]: a for a in result["actors"]}
    top = brokers(result, labels)
    communities = [{"label": labels.get(c["centre"], c["label"]), "size": c["size"],
                    "topic": c.get("dominant_topic") or "–",
                    "centre": labels.get(c["centre"], "")} for c in result["communities"] if c["size"] > 1]
    fragile = result["fragility"]
    articulation = [{"id": d["actor"], "label": labels.get(d["actor"], str(d["actor"])), "cut_off": d["cut_off"]}
                    for d in fragile["articulation_details"]]
    articulation.sort(key=lambda r: (-r["cut_off"], sort_key(r["label"])))
    isolates = [{"id": i, "label": labels.get(i, str(i)), "kind": by_id.get(i, {}).get("kind", "")}
                for i in fragile["isolates"]]
    isolates.sort(key=lambda r: sort_key(r["label"]))
    transitions = transitions_table(result, vocab.stage_names)
    for row in transitions["rows"]:   # the report shows counts; the ids behind them stay in the analysis
        for cell in row["cells"]:
            cell["cooperations"] = []
    kept = {a["id"] for a in result["actors"]}
    events = _events(session, scope, kept)
    years = list(range(scope.until.year - 4, scope.until.year + 1))
    if scope.since.year < years[0]:
        years = list(range(scope.since.year, scope.until.year + 1))[-10:]
    per_topic = topic_years(ties, years)
    spec = maps.report_map(session, end_cut, context, hidden)
    pic = from_map(spec, label_ids=[b["id"] for b in top[:8]] if spec.get("mode") == "actors" else ())
    report = Report(
        scope=scope, scope_text=describe_scope(scope, vocab), organisation=organisation,
        created=context.day, figures=compare(then, now),
        new_ties=_tie_rows(new, labels, "start"), ended_ties=_tie_rows(ended, labels, "end"),
        brokers=top, communities=communities, articulation=articulation, bridges=len(fragile["bridges"]),
        isolates=isolates, transitions=transitions, events=events, topic_years=per_topic, years=years,
        picture=pic, chart_svg=line_chart_svg(per_topic, years, title="Neue Kooperationen je Jahr und Themenfeld"),
        inventory=offer_inventory.inventory(session, context.day).to_payload())
    report.paragraphs = prose(report)
    return report


# ---------------------------------------------------------------- German prose

def prose(report: Report) -> dict[str, list[str]]:
    """The sections' text for the council: short sentences, every claim with its number."""
    f = report.figure
    actors, ties, density = f("actors"), f("cooperations"), f("density")
    text: dict[str, list[str]] = {}
    text["size"] = [
        f"Am {de_date(report.scope.until)} umfasst die Bildungslandschaft ({report.scope_text}) "
        f"{de_number(actors.now)} Akteure mit {de_number(ties.now)} laufenden Kooperationen. "
        f"Zu Beginn des Zeitraums am {de_date(report.scope.since)} waren es {de_number(actors.then)} Akteure "
        f"und {de_number(ties.then)} Kooperationen ({actors.delta_text} Akteure, {ties.delta_text} Kooperationen).",
        f"Die Dichte des Netzwerks (Anteil der möglichen Verbindungen, die bestehen) beträgt {density.now_text} "
        f"nach {density.then_text}. Das Netzwerk zerfällt in {f('components').now_text} Teile; "
        f"{f('isolates').now_text} Akteure haben keine laufende Kooperation.",
    ]
    text["change"] = [
        f"Im Zeitraum {report.period_text} begannen {de_number(len(report.new_ties))} Kooperationen, "
        f"{de_number(len(report.ended_ties))} wurden beendet."]
    if report.topic_years:
        year = report.scope.until.year
        best = max(report.topic_years.items(), key=lambda item: (item[1].get(year, 0), item[0]))
        if best[1].get(year, 0):
            text["change"].append(f"Die meisten neuen Kooperationen im Jahr {year} entstanden im Themenfeld "
                                  f"„{best[0]}“ ({de_number(best[1][year])}).")
    if report.brokers:
        names = ", ".join(b["label"] for b in report.brokers[:3])
        text["brokers"] = [
            f"Als Brücken zwischen sonst getrennten Teilen des Netzwerks wirken vor allem {names}. "
            "Sie liegen auf besonders vielen kürzesten Wegen zwischen anderen Akteuren (Betweenness); "
            "ein niedriger Constraint-Wert zeigt viele voneinander unabhängige Kontakte."]
    else:
        text["brokers"] = ["Im gewählten Ausschnitt gibt es keine Akteure in einer Vermittlerrolle."]
    if report.communities:
        largest = report.communities[0]
        text["communities"] = [
            f"Die Analyse findet {de_number(len(report.communities))} Gruppen, die untereinander enger "
            f"zusammenarbeiten. Die größte ({largest['label']}) umfasst {de_number(largest['size'])} Akteure "
            f"mit dem Schwerpunkt „{largest['topic']}“."]
    else:
        text["communities"] = ["Im gewählten Ausschnitt lassen sich keine Gruppen erkennen."]
    text["fragility"] = [
        f"{de_number(len(report.articulation))} Akteure halten das Netzwerk zusammen: fallen sie weg, zerfällt es in "
        f"getrennte Teile. {de_number(report.bridges)} Kooperationen sind die einzige Verbindung zwischen zwei Teilen. "
        f"{de_number(len(report.isolates))} Akteure sind ohne laufende Kooperation."]
    cells = sum(len(r["cells"]) for r in report.transitions["rows"])
    gaps = len(report.transitions["gaps"])
    text["transitions"] = [
        f"Von {de_number(cells)} Feldern der Übergangsmatrix (Übergang × Gebiet) sind {de_number(cells - gaps)} "
        f"durch mindestens eine Kooperation abgedeckt; {de_number(gaps)} Felder sind Lücken."]
    if report.inventory:
        inventory = report.inventory
        stage_area = inventory["matrices"]["stage_area"]
        topic_group = inventory["matrices"]["topic_group"]
        text["inventory"] = [
            f"Am {de_date(date.fromisoformat(inventory['day']))} gibt es {de_number(inventory['offers'])} "
            "laufende, veröffentlichte Bildungsangebote. "
            f"Von {de_number(sum(len(r['cells']) for r in stage_area['rows']))} Feldern der Matrix "
            f"Bildungsphase × Gebiet sind {de_number(len(stage_area['gaps']))} Lücken ohne Angebot, "
            f"von {de_number(sum(len(r['cells']) for r in topic_group['rows']))} Feldern der Matrix "
            f"Themenfeld × Zielgruppe {de_number(len(topic_group['gaps']))}; "
            f"{de_number(inventory['weak'])} Felder sind schwach besetzt."]
    attendances = sum(e["attendances"] for e in report.events)
    text["events"] = [
        f"Im Zeitraum fanden {de_number(len(report.events))} Veranstaltungen mit zusammen "
        f"{de_number(attendances)} Teilnahmen statt."]
    return text
