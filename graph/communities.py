"""Groups that work together: Louvain (Blondel et al. 2008), seeded so the same data give
the same groups.

Louvain is greedy: one run lands in a local optimum that depends on the order of its moves,
i.e. on the seed (on the karate club, networkx's run with seed 42 reaches a modularity of 0.385
where the median over other seeds is 0.419). So ``communities`` runs it with several seeds
(``seed``, ``seed + 1``, …; ``runs_for`` fewer on very large networks, where each run takes
seconds) and keeps the partition of the best modularity, the earliest seed on a tie: still the
same groups for the same data, and as good as the typical run or better.

networkx's ``louvain_communities`` is used up to ``IGRAPH_THRESHOLD`` actors and
``IGRAPH_EDGE_THRESHOLD`` ties, igraph's ``community_multilevel`` above (seconds instead
of minutes at 20,000 actors; see ``graph.engine``). Both are
Louvain with weights and a resolution parameter and both are deterministic for a seed;
they may order moves differently, so on the same graph they can give different (equally
good) partitions: the engine used is reported.

Each group is named after its most central member — the highest weighted degree *inside*
the group (ties: overall weighted degree, then label) — because "die Gruppe um die IHK"
is how an office talks about a cluster; its dominant topic is the most frequent topic
among its members (ties alphabetical; ``None`` if no member has a topic).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field

import networkx as nx

from graph._util import sort_key
from graph.engine import engine_name, seeded_igraph, to_igraph, use_igraph


@dataclass
class Community:
    id: int
    members: list[Hashable]
    size: int
    label: str
    centre: Hashable
    dominant_topic: str | None
    topic_count: int = 0                       # members working on the dominant topic


@dataclass
class Partition:
    communities: list[Community]
    modularity: float
    resolution: float
    seed: int
    engine: str
    membership: dict[Hashable, int] = field(default_factory=dict)
    runs: int = 1                 # seeded Louvain runs compared
    best_seed: int | None = None  # the seed whose partition was kept

    def labels(self) -> dict[int, str]:
        return {c.id: c.label for c in self.communities}


RUNS = 10


def runs_for(graph: nx.Graph) -> int:
    """Louvain runs to compare: 10, fewer on networks where one run takes seconds."""
    size = graph.number_of_nodes() + graph.number_of_edges()
    if size > 1_000_000:
        return 3
    if size > 200_000:
        return 5
    return RUNS


def _louvain_parts(graph: nx.Graph, resolution: float, seed: int, fast: bool) -> tuple[list[set[Hashable]], float]:
    if fast:
        view = to_igraph(graph)
        with seeded_igraph(seed):
            clustering = view.graph.community_multilevel(weights=view.weights, resolution=resolution)
        groups: dict[int, set[Hashable]] = {}
        for i, label in enumerate(clustering.membership):
            groups.setdefault(label, set()).add(view.order[i])
        modularity = view.graph.modularity(clustering.membership, weights=view.weights, resolution=resolution)
        return list(groups.values()), float(modularity)
    parts = nx.community.louvain_communities(graph, weight="weight", resolution=resolution, seed=seed)
    modularity = nx.community.modularity(graph, parts, weight="weight", resolution=resolution)
    return [set(p) for p in parts], float(modularity)


def communities(graph: nx.Graph, *, resolution: float = 1.0, seed: int = 42, engine: str = "auto",
                runs: int | None = None) -> Partition:
    """Louvain communities (weights used) and the modularity of the partition: the best of
    ``runs`` seeded runs (default ``runs_for(graph)``; see the module docstring).

    Groups are ordered by size, then by their smallest member, so ids are stable for the
    same data. Isolated actors form groups of one. An empty or tie-less graph has no
    meaningful partition: every actor is its own group and modularity is 0.
    """
    if graph.is_directed():
        graph = graph.to_undirected(as_view=True)
    name = engine_name(graph, engine)
    runs = runs_for(graph) if runs is None else max(1, runs)
    best_seed: int | None = None
    if graph.number_of_edges() == 0:
        parts: list[set[Hashable]] = [{v} for v in graph]
        modularity = 0.0
        runs = 1
    else:
        fast = use_igraph(graph, engine)
        parts, modularity, best_seed = [], float("-inf"), seed
        for candidate in range(seed, seed + runs):
            found, value = _louvain_parts(graph, resolution, candidate, fast)
            if value > modularity + 1e-12:
                parts, modularity, best_seed = found, value, candidate
    parts = sorted(parts, key=lambda p: (-len(p), min(sort_key(v) for v in p)))
    result, membership = [], {}
    for i, members in enumerate(parts):
        ordered = sorted(members, key=sort_key)

        def centrality(v: Hashable, members: set[Hashable] = members) -> tuple[float, float, str]:
            inside = sum(d.get("weight", 1.0) for w, d in graph.adj[v].items() if w in members)
            return (-inside, -graph.degree(v, weight="weight"), str(graph.nodes[v].get("label", v)))

        centre = min(ordered, key=centrality)
        topics = Counter(t for v in ordered for t in set(graph.nodes[v].get("topics", ()) or ()))
        top = sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))
        result.append(Community(id=i, members=ordered, size=len(ordered),
                                label=str(graph.nodes[centre].get("label", centre)), centre=centre,
                                dominant_topic=top[0][0] if top else None, topic_count=top[0][1] if top else 0))
        membership.update({v: i for v in ordered})
    return Partition(result, modularity, resolution, seed, name, membership, runs=runs, best_seed=best_seed)
