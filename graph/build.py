"""Records to networkx graphs; parallel ties collapse into one weighted edge.

Why collapse: two schools that share a cooperation, an initiative and three events are
*one* relationship of strength 5 for centrality and community detection. The edge keeps
what made it (layers, types, refs, dates), so every number can be traced back.
"""
from __future__ import annotations

import gc
from collections.abc import Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import networkx as nx

from graph.records import EdgeRecord, NodeRecord


def add_nodes(graph: nx.Graph, nodes: Iterable[NodeRecord]) -> None:
    """Actors become nodes keyed by id, carrying their attributes (tuples, never sets)."""
    for node in nodes:
        graph.add_node(node.id, label=node.label, kind=node.kind, category=node.category, area=node.area,
                       area_path=node.path, topics=tuple(node.topics), life_stages=tuple(node.life_stages),
                       active=node.active, attrs=dict(node.attrs))


def _merge(data: dict[str, Any], edge: EdgeRecord) -> None:
    data["weight"] += edge.weight
    data["layers"].add(edge.layer)
    if edge.type:
        data["types"].add(edge.type)
    if edge.ref:
        data["refs"].append(edge.ref)
    data["topics"].update(edge.topics)
    data["untagged"] = data["untagged"] or not edge.topics
    data["life_stages"].update(edge.life_stages)
    data["count"] += 1
    data["directed"] = data["directed"] or edge.directed
    if edge.intensity is not None:
        data["intensity"] = max(data["intensity"] or 0, edge.intensity)
    data["start"] = None if data["start"] is None or edge.start is None else min(data["start"], edge.start)
    data["end"] = None if data["end"] is None or edge.end is None else max(data["end"], edge.end)


def _new(edge: EdgeRecord) -> dict[str, Any]:
    return {"weight": float(edge.weight), "layers": {edge.layer}, "types": {edge.type} - {""},
            "refs": [edge.ref] if edge.ref else [], "topics": set(edge.topics), "untagged": not edge.topics,
            "life_stages": set(edge.life_stages), "count": 1, "directed": edge.directed,
            "intensity": edge.intensity, "start": edge.start, "end": edge.end}


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Building 100,000 edges allocates a million small containers; the cyclic garbage
    collector would scan them again and again (measured: half the build time). None of
    them form cycles, so collection is paused for the build (if it was on) and resumed."""
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_graph(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord], *, directed: bool = False,
                lean: bool = False) -> nx.Graph:
    """An undirected (or directed) simple graph of the given records.

    * Parallel ties between a pair add their weights; the edge keeps the sets of layers,
      types, topics and life stages, the list of refs, the number of records (``count``),
      the highest intensity, and the earliest start / latest end (``None`` = open, so an
      open-ended tie makes the whole edge open-ended). ``untagged`` says whether a record
      without topics is among them (such a tie belongs to a topic's network when both
      actors work on the topic, as in ``graph.cut``; ``graph.fragility`` needs that).
    * ``distance`` = 1 / weight is stored for weighted shortest paths (a strong tie is a
      short way); weights <= 0 become a very long distance rather than an error.
    * With ``directed=True`` a directed tie (funding, referral) keeps its direction and an
      undirected tie becomes two arcs; arcs carry ``directed=True`` when at least one
      directed record made them, which reciprocity uses. PageRank runs on this graph.
    * Self-ties and ties to actors not in ``nodes`` are ignored (the cut removed them).
    * ``lean=True`` keeps only ``weight``, ``directed`` and ``count`` on edges (what PageRank
      and reciprocity need), which halves the time on large landscapes.
    """
    graph: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    with _gc_paused():
        add_nodes(graph, nodes)
        known = graph.adj
        # Collapse in a plain dict first and hand networkx the edges once: looking pairs up
        # in networkx's adjacency views per record cost more than the merging itself.
        found: dict[tuple[Hashable, Hashable], dict[str, Any]] = {}
        for edge in edges:
            source, target = edge.source, edge.target
            if source == target or source not in known or target not in known:
                continue
            pairs = [(source, target)]
            if directed and not edge.directed:
                pairs.append((target, source))
            for u, v in pairs:
                key = (u, v)
                data = found.get(key)
                if data is None and not directed:
                    key = (v, u)
                    data = found.get(key)
                    if data is None:
                        key = (u, v)
                if lean:
                    if data is None:
                        found[key] = {"weight": float(edge.weight), "directed": edge.directed, "count": 1}
                    else:
                        data["weight"] += edge.weight
                        data["directed"] = data["directed"] or edge.directed
                        data["count"] += 1
                elif data is None:
                    found[key] = _new(edge)
                else:
                    _merge(data, edge)
        for data in found.values():
            weight = data["weight"]
            data["distance"] = 1.0 / weight if weight > 0 else 1e12
        graph.add_edges_from((u, v, data) for (u, v), data in found.items())
    return graph
