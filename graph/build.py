"""Records to networkx graphs; parallel ties collapse into one weighted edge."""
from __future__ import annotations

from typing import Sequence

import networkx as nx

from graph.records import EdgeRecord, NodeRecord


def build_graph(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord], *, directed: bool = False) -> nx.Graph:
    """An undirected (or directed) simple graph.

    Parallel ties between a pair add their weights; the edge keeps the set of layers and
    types, the refs behind it, and the earliest start / latest end. With ``directed=True``
    a directed tie keeps its direction and an undirected tie becomes two arcs, which is
    what reciprocity and PageRank on funding or referral flows need.
    """
    graph: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    for node in nodes:
        graph.add_node(node.id, label=node.label, kind=node.kind, category=node.category, area=node.area,
                       topics=node.topics, life_stages=node.life_stages)
    for edge in edges:
        if edge.source not in graph or edge.target not in graph or edge.source == edge.target:
            continue
        pairs = [(edge.source, edge.target)]
        if directed and not edge.directed:
            pairs.append((edge.target, edge.source))
        for u, v in pairs:
            data = graph.get_edge_data(u, v)
            if data is None:
                graph.add_edge(u, v, weight=edge.weight, layers={edge.layer}, types={edge.type} - {""},
                               refs=[edge.ref] if edge.ref else [], start=edge.start, end=edge.end)
                continue
            data["weight"] += edge.weight
            data["layers"].add(edge.layer)
            if edge.type:
                data["types"].add(edge.type)
            if edge.ref:
                data["refs"].append(edge.ref)
            data["start"] = min((d for d in (data["start"], edge.start) if d), default=None)
            data["end"] = None if data["end"] is None or edge.end is None else max(data["end"], edge.end)
    return graph
