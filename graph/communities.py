"""Groups that work together: Louvain, seeded so the same data give the same groups."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import networkx as nx


@dataclass
class Community:
    id: int
    members: list[Any]
    label: str            # the member with the highest weighted degree inside the group
    dominant_topic: str | None


def communities(graph: nx.Graph, *, resolution: float = 1.0, seed: int = 42) -> tuple[list[Community], float]:
    """Louvain communities (weights used) and the modularity of the partition.

    Groups are ordered by size, then by their smallest member, so ids are stable.
    """
    if graph.number_of_edges() == 0:
        return [], 0.0
    parts = nx.community.louvain_communities(graph, weight="weight", resolution=resolution, seed=seed)
    parts = sorted(parts, key=lambda p: (-len(p), min(map(str, p))))
    modularity = nx.community.modularity(graph, parts, weight="weight", resolution=resolution)
    result = []
    for i, members in enumerate(parts):
        sub = graph.subgraph(members)
        centre = max(sorted(members, key=str), key=lambda v: sub.degree(v, weight="weight"))
        topics = Counter(t for v in members for t in graph.nodes[v].get("topics", ()))
        top = sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))
        result.append(Community(id=i, members=sorted(members, key=str),
                                label=str(graph.nodes[centre].get("label", centre)),
                                dominant_topic=top[0][0] if top else None))
    return result, float(modularity)
