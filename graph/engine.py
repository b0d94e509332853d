"""Choosing and driving the computation engine: networkx (reference) or igraph (fast).

Measured on this project's machine (DESIGN.md, "Known traps"): networkx needs ~110 s for
exact betweenness on 5,000 actors / 25,000 ties where igraph needs a few seconds. Small
landscapes stay on networkx (the reference implementation, easiest to audit); above
``IGRAPH_THRESHOLD`` actors *or* ``IGRAPH_EDGE_THRESHOLD`` ties ``engine="auto"`` switches
to igraph. The ties matter as much as the actors: the demo region with all three layers
has only 147 actors but 8,070 ties (everyone who met at a Bildungskonferenz is tied), and
networkx's path searches there took 0.96 s for ``analyse()`` against 0.26 s with igraph.
Both engines are tested to give the same numbers (``tests/graph/test_graph_engines.py``);
Louvain may find a different, equally good partition (``graph.communities``).
"""
from __future__ import annotations

import random
import threading
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx

Engine = Literal["auto", "networkx", "igraph"]
ENGINES: tuple[str, ...] = ("auto", "networkx", "igraph")
IGRAPH_THRESHOLD = 500          # actors
IGRAPH_EDGE_THRESHOLD = 2_000   # ties (after parallel ties are collapsed)

_RNG_LOCK = threading.Lock()


def check_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    return engine


def use_igraph(graph: nx.Graph, engine: str) -> bool:
    """``True`` when igraph should compute: forced, or ``auto`` above either threshold."""
    check_engine(engine)
    if engine == "networkx":
        return False
    if engine == "igraph":
        return True
    large: bool = graph.number_of_nodes() > IGRAPH_THRESHOLD or graph.number_of_edges() > IGRAPH_EDGE_THRESHOLD
    return large


def engine_name(graph: nx.Graph, engine: str) -> str:
    return "igraph" if use_igraph(graph, engine) else "networkx"


@dataclass
class IGraphView:
    """An igraph copy of a networkx graph with the node order to map results back."""

    graph: Any                   # igraph.Graph
    order: list[Hashable]        # igraph vertex i is order[i]
    weights: list[float]         # edge attribute "weight", 1.0 where missing
    distances: list[float]       # edge attribute "distance" (build_graph: 1/weight), for weighted paths

    def as_dict(self, values: Any) -> dict[Hashable, float]:
        return {node: float(v) for node, v in zip(self.order, values)}


def to_igraph(graph: nx.Graph) -> IGraphView:
    import igraph as ig

    order = list(graph.nodes)
    index = {node: i for i, node in enumerate(order)}
    pairs, weights, distances = [], [], []
    for u, v, data in graph.edges(data=True):
        pairs.append((index[u], index[v]))
        weight = float(data.get("weight", 1.0))
        weights.append(weight)
        distances.append(float(data.get("distance", 1.0)))  # as networkx: missing length = 1
    g = ig.Graph(n=len(order), edges=pairs, directed=graph.is_directed())
    return IGraphView(g, order, weights, distances)


@contextmanager
def seeded_igraph(seed: int) -> Iterator[None]:
    """igraph draws random numbers from one process-wide generator (Python's ``random``
    module by default). Louvain shuffles vertices with it, so an unseeded run gives a
    different partition each time. We swap in a seeded generator for the duration of the
    call, under a lock so concurrent requests cannot interleave, and restore the default.
    """
    import igraph as ig

    with _RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            yield
        finally:
            ig.set_random_number_generator(random)
