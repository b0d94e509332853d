"""Where the network is fragile: bridges, articulation points, isolated actors, and the
actors that hold an area's or a topic's own sub-network together.

One depth-first search (Hopcroft & Tarjan 1973) per (sub-)network finds the
articulation points *and* the sizes of the parts each one would leave behind, so the
"actors cut off" count costs no extra search per cut actor: removing v separates every
DFS child subtree c with low(c) >= disc(v); the rest of v's component stays together.
Linear time, iterative (no recursion limit on long chains).

"Cut off" means: actors of the component that would no longer be connected to its
largest remaining part. For a bridge it is the size of its smaller side.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graph._util import node_area, sort_key


@dataclass
class CutActor:
    actor: Hashable
    cut_off: int
    parts: list[int]          # sizes of the pieces the component falls into, largest first


@dataclass
class BridgeTie:
    source: Hashable
    target: Hashable
    cut_off: int              # actors on the smaller side


def _topic_neighbours(links: Mapping[Hashable, Iterable[Hashable]]) -> Callable[[Hashable], Iterable[Hashable]]:
    def neighbours(v: Hashable) -> Iterable[Hashable]:
        return links.get(v, ())
    return neighbours


def _member_neighbours(adj: Mapping[Hashable, Iterable[Hashable]],
                       members: Collection[Hashable]) -> Callable[[Hashable], Iterable[Hashable]]:
    def neighbours(v: Hashable) -> list[Hashable]:
        return [w for w in adj[v] if w in members]
    return neighbours


def biconnectivity(nodes: Iterable[Hashable],
                   neighbours: Callable[[Hashable], Iterable[Hashable]]) -> tuple[list[CutActor], list[BridgeTie]]:
    """Articulation points (with the parts they leave) and bridges of a simple undirected graph."""
    disc: dict[Hashable, int] = {}
    low: dict[Hashable, int] = {}
    size: dict[Hashable, int] = {}
    cut_actors: list[CutActor] = []
    bridges: list[BridgeTie] = []
    counter = 0
    for root in nodes:
        if root in disc:
            continue
        disc[root] = low[root] = counter
        counter += 1
        size[root] = 1
        separated: dict[Hashable, list[int]] = defaultdict(list)
        pending: list[tuple[Hashable, Hashable, int]] = []
        members = [root]
        stack: list[tuple[Hashable, Hashable | None, Any]] = [(root, None, iter(neighbours(root)))]
        while stack:
            v, parent, it = stack[-1]
            descended = False
            for w in it:
                if w not in disc:
                    disc[w] = low[w] = counter
                    counter += 1
                    size[w] = 1
                    members.append(w)
                    stack.append((w, v, iter(neighbours(w))))
                    descended = True
                    break
                if w != parent and disc[w] < low[v]:
                    low[v] = disc[w]
            if descended:
                continue
            stack.pop()
            if parent is None:
                continue
            size[parent] += size[v]
            if low[v] < low[parent]:
                low[parent] = low[v]
            if low[v] >= disc[parent]:
                separated[parent].append(size[v])
            if low[v] > disc[parent]:
                pending.append((parent, v, size[v]))
        total = len(members)
        for v, pieces in separated.items():
            if v == root:
                if len(pieces) < 2:
                    continue
                parts = sorted(pieces, reverse=True)
            else:
                parts = sorted(pieces + [total - 1 - sum(pieces)], reverse=True)
            cut_actors.append(CutActor(v, total - 1 - parts[0], parts))
        for u, v, below in pending:
            a, b = sorted((u, v), key=sort_key)
            bridges.append(BridgeTie(a, b, min(below, total - below)))
    cut_actors.sort(key=lambda c: sort_key(c.actor))
    bridges.sort(key=lambda b: (sort_key(b.source), sort_key(b.target)))
    return cut_actors, bridges


def _undirected(graph: nx.Graph) -> nx.Graph:
    return graph.to_undirected(as_view=True) if graph.is_directed() else graph


def _cut_sizes(sub: nx.Graph) -> dict[Hashable, int]:
    """For each articulation point of ``sub``: how many actors its removal cuts off."""
    sub = _undirected(sub)
    cut_actors, _ = biconnectivity(list(sub.nodes), lambda v: sub.adj[v])
    return {c.actor: c.cut_off for c in cut_actors}


def _topic_networks(graph: nx.Graph) -> dict[str, dict[Hashable, list[Hashable]]]:
    """Each topic's own network with the semantics of a topic cut (``graph.cut``): a tie
    belongs to it when one of its records is tagged with the topic, or when a record is
    untagged and both actors work on the topic. Returns topic -> actor -> partners; the
    topic's actors are those listed plus the actors working on it."""
    topics_of = {v: set(d.get("topics", ()) or ()) for v, d in graph.nodes(data=True)}
    result: dict[str, dict[Hashable, list[Hashable]]] = defaultdict(lambda: defaultdict(list))
    for u, v, data in graph.edges(data=True):
        tagged = set(data.get("topics", ()) or ())
        if data.get("untagged", not tagged):
            tagged |= topics_of[u] & topics_of[v]
        for topic in tagged:
            result[topic][u].append(v)
            result[topic][v].append(u)
    return {t: dict(adj) for t, adj in result.items()}


def fragility(graph: nx.Graph, *, area_level: int | None = None) -> dict[str, Any]:
    """Bridges, articulation points and isolates of the whole network, plus ``local_cut_actors``:
    for each area (at ``area_level`` of the area path; ``None`` = leaf area) and each topic,
    the actors whose removal splits that area's sub-network (ties between its actors) or
    that topic's network (read as a topic cut reads it: ties tagged with the topic, and
    untagged ties between two actors working on it; see ``_topic_networks``).

    Keys: ``bridges`` [(u, v)], ``articulation_points`` [ids], ``isolates`` [ids],
    ``bridge_details`` [{source, target, cut_off}], ``articulation_details``
    [{actor, cut_off, parts}], ``local_cut_actors`` [{scope: "area"|"topic", name, actor,
    cut_off, parts}].
    """
    undirected = _undirected(graph)
    adj = undirected.adj
    cut_actors, bridges = biconnectivity(list(undirected.nodes), lambda v: adj[v])
    groups: dict[tuple[str, str], set[Hashable]] = defaultdict(set)
    for node, data in undirected.nodes(data=True):
        area = node_area(data, area_level)
        if area:
            groups[("area", area)].add(node)
        for topic in data.get("topics", ()) or ():
            groups[("topic", topic)].add(node)
    topic_adj = _topic_networks(undirected)
    for topic, neighbours in topic_adj.items():
        groups[("topic", topic)].update(neighbours)
    local = []
    for (scope, name), members in sorted(groups.items()):
        if len(members) < 3:
            continue
        ordered = sorted(members, key=sort_key)
        if scope == "topic":
            found, _ = biconnectivity(ordered, _topic_neighbours(topic_adj.get(name, {})))
        else:
            found, _ = biconnectivity(ordered, _member_neighbours(adj, members))
        for c in found:
            local.append({"scope": scope, "name": name, "actor": c.actor, "cut_off": c.cut_off, "parts": c.parts})
    isolates = sorted((v for v in undirected if undirected.degree(v) == 0), key=sort_key)
    return {
        "bridges": [(b.source, b.target) for b in bridges],
        "articulation_points": [c.actor for c in cut_actors],
        "isolates": isolates,
        "bridge_details": [{"source": b.source, "target": b.target, "cut_off": b.cut_off} for b in bridges],
        "articulation_details": [{"actor": c.actor, "cut_off": c.cut_off, "parts": c.parts} for c in cut_actors],
        "local_cut_actors": local,
    }
