"""Where the network is fragile: bridges, articulation points, isolates, and cut-actors per area and topic."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx


def fragility(graph: nx.Graph) -> dict[str, Any]:
    """Bridges and articulation points of the whole network; isolated actors; and, for each
    area and topic, the actors whose removal splits that area's (topic's) own sub-network,
    with the number of actors cut off from its largest part."""
    bridges = sorted((min(u, v), max(u, v)) for u, v in nx.bridges(graph)) if graph.number_of_edges() else []
    articulation = sorted(nx.articulation_points(graph)) if graph.number_of_edges() else []
    groups: dict[tuple[str, str], set[Any]] = defaultdict(set)
    for node, data in graph.nodes(data=True):
        if data.get("area"):
            groups[("area", data["area"])].add(node)
        for topic in data.get("topics", ()):
            groups[("topic", topic)].add(node)
    local = []
    for (kind, name), members in sorted(groups.items()):
        sub = graph.subgraph(members)
        if sub.number_of_edges() == 0:
            continue
        for node in sorted(nx.articulation_points(sub)):
            rest = sub.subgraph(members - {node})
            parts = sorted((len(c) for c in nx.connected_components(rest)), reverse=True)
            before = max(len(c) for c in nx.connected_components(sub.subgraph(
                nx.node_connected_component(sub, node))))
            local.append({"scope": kind, "name": name, "actor": node,
                          "cut_off": before - 1 - (parts[0] if parts else 0)})
    return {"bridges": bridges, "articulation_points": articulation,
            "isolates": sorted(nx.isolates(graph)), "local_cut_actors": local}
