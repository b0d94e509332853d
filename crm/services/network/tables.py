"""The landscape map as two tables: its actors (with their measures) and its ties.

A map drawn on a canvas says nothing to a screen reader and cannot be walked with the keyboard;
the table holds the same cut (``network.cut_from_args``: layers, dates, topics, stages, areas,
kinds) and can be sorted by any column. It reads what the map reads: the cached landscape and
the cached analysis (``records.analysis``), so it costs no more than the map page. Actors are
named as on the map (``crm.services.landscape.naming``).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from crm.collation import sort_key
from crm.services.computed import store
from crm.services.errors import ServiceError
from crm.services.landscape import naming
from crm.services.network import maps
from crm.services.network import records as network
from graph.cut import Cut, apply_cut
from graph.maps import CHANGE_STYLES, LAYER_PREFIX, tie_change, tie_sources
from graph.records import EdgeRecord

PER_PAGE = 100


@dataclass(frozen=True)
class ActorRow:
    id: int
    name: str
    kind: str
    area: str
    group: str
    degree: int
    betweenness: float
    pagerank: float


@dataclass(frozen=True)
class TieRow:
    a_id: int
    a_name: str
    b_id: int
    b_name: str
    bases: tuple[str, ...]  # cooperation types, "Initiative: …", "Veranstaltung: …"
    weight: float
    change: str  # "" without a period, else the label of graph.maps.CHANGE_STYLES
    source: tuple[str, ...] = ()  # where the tie comes from (labels of network.SOURCE_LABELS), with survey ties only


# Sort keys of each column (the URL names them in German); "-" in front sorts descending.
ACTOR_SORTS: dict[str, Callable[[ActorRow], Any]] = {
    "name": lambda r: sort_key(r.name),
    "art": lambda r: (sort_key(r.kind), sort_key(r.name)),
    "gebiet": lambda r: (sort_key(r.area), sort_key(r.name)),
    "gruppe": lambda r: (sort_key(r.group), sort_key(r.name)),
    "grad": lambda r: (r.degree, sort_key(r.name)),
    "vermittlung": lambda r: (r.betweenness, sort_key(r.name)),
    "pagerank": lambda r: (r.pagerank, sort_key(r.name)),
}
TIE_SORTS: dict[str, Callable[[TieRow], Any]] = {
    "a": lambda r: (sort_key(r.a_name), sort_key(r.b_name)),
    "b": lambda r: (sort_key(r.b_name), sort_key(r.a_name)),
    "grundlage": lambda r: ([sort_key(b) for b in r.bases], sort_key(r.a_name)),
    "gewicht": lambda r: (r.weight, sort_key(r.a_name), sort_key(r.b_name)),
    "veraenderung": lambda r: (sort_key(r.change), sort_key(r.a_name)),
    "quelle": lambda r: ([sort_key(s) for s in r.source], sort_key(r.a_name)),
}


@dataclass(frozen=True)
class Sorting:
    key: str
    descending: bool

    @property
    def arg(self) -> str:
        return ("-" if self.descending else "") + self.key


def parse_sort(raw: str | None, allowed: Mapping[str, Any], default: str, field: str) -> Sorting:
    """``"grad"`` or ``"-grad"``; anything else is a German ServiceError on ``field``."""
    text = (raw or default).strip()
    key = text.removeprefix("-")
    if key not in allowed:
        raise ServiceError(f"Sortierung „{text}“ gibt es nicht. Möglich: {', '.join(allowed)}.", field)
    return Sorting(key, text.startswith("-"))


@dataclass
class NetworkTable:
    actors: list[ActorRow]
    ties: list[TieRow]
    with_change: bool
    with_source: bool = False


def _ties(edges: list[EdgeRecord], labels: Mapping[int, str], cut: Cut) -> list[TieRow]:
    by_pair: dict[frozenset, list[EdgeRecord]] = defaultdict(list)
    for edge in edges:
        if edge.source != edge.target:
            by_pair[frozenset((edge.source, edge.target))].append(edge)
    period = (cut.since, cut.until) if cut.since is not None and cut.until is not None else None
    sources = tie_sources(edges) if cut.with_survey else {}
    rows = []
    for pair, ties in by_pair.items():
        a, b = sorted(pair, key=lambda n: sort_key(labels.get(n, str(n))))
        bases = tuple(sorted({LAYER_PREFIX.get(t.layer, "") + t.type for t in ties if t.type}, key=sort_key))
        change = CHANGE_STYLES[tie_change(ties, *period)]["label"] if period else ""
        source: tuple[str, ...] = ()
        if cut.with_survey:
            origins = {t.origin for t in ties if t.layer == "cooperation"} or {sources.get(pair, "recorded")}
            source = tuple(network.SOURCE_LABELS[o] for o in network.SOURCES if o in origins)
        rows.append(TieRow(int(a), labels.get(a, str(a)), int(b), labels.get(b, str(b)), bases,
                           round(sum(float(t.weight or 0) for t in ties), 2), change, source))
    return rows


def landscape_table(session: Session, cut: Cut) -> NetworkTable:
    """Actors and ties of the landscape under ``cut``, as the map shows them (unsorted); the measures
    come from the stored analysis (``NotReady`` while the worker computes it for the first time)."""
    maps.validate_cut(session, cut)
    hidden = naming.hidden_individuals(session)
    lookup = network.stored_analysis(session, cut)
    if lookup.result is None:
        raise store.NotReady(lookup)  # the view shows the progress page; the worker computes it
    result = lookup.result
    land = network.landscape_for(session, cut)
    nodes, edges = apply_cut(land.nodes, land.edges, cut)
    labels = naming.actor_labels(nodes, hidden)
    measures = {row["id"]: row for row in result["actors"]}
    groups = {c["id"]: labels.get(c["centre"], c["label"]) for c in result["communities"]}
    actors = []
    for node in nodes:
        row = measures.get(node.id, {})
        community = row.get("community")
        actors.append(ActorRow(int(node.id), labels.get(node.id, str(node.id)), node.kind or "", node.area or "",
                               groups.get(community, "") if community is not None else "",
                               int(row.get("degree") or 0), float(row.get("betweenness") or 0.0),
                               float(row.get("pagerank") or 0.0)))
    return NetworkTable(actors, _ties(edges, labels, cut), with_change=cut.since is not None and cut.until is not None,
                        with_source=cut.with_survey)


@dataclass
class RowPage:
    """One page of rows; ``pages`` is at least 1."""

    rows: list[Any]
    page: int
    pages: int
    total: int


def paged(rows: list[Any], raw_page: str | None, per_page: int = PER_PAGE) -> RowPage:
    """The page ``raw_page`` (text from the URL) of ``rows``; a bad or too large number shows the nearest page."""
    pages = max(1, -(-len(rows) // per_page))
    number = int(raw_page) if raw_page and raw_page.isdigit() and len(raw_page) < 7 else 1
    number = min(max(1, number), pages)
    return RowPage(rows[(number - 1) * per_page:number * per_page], number, pages, len(rows))


def sorted_rows(rows: list[Any], sorts: Mapping[str, Callable[[Any], Any]], sorting: Sorting) -> list[Any]:
    return sorted(rows, key=sorts[sorting.key], reverse=sorting.descending)
