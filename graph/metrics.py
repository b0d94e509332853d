"""Centrality and whole-network measures, with igraph as the fast engine.

Conventions (stated because published tables differ):

* Betweenness and closeness treat every tie as length 1 (who can reach whom through how
  many steps); weights do not shorten paths. Raw betweenness counts each unordered pair
  once on undirected graphs (networkx ``normalized=False``); normalised divides by
  (n-1)(n-2)/2, so values lie in [0, 1].
* Closeness is networkx's (Wasserman–Faust improved) closeness: reachable nodes only,
  scaled by the share of the network reachable, so disconnected graphs compare fairly.
* Eigenvector centrality is computed per connected component (it is undefined across
  components), normalised to unit length within the component; PageRank uses weights.
* Burt's constraint and effective size use weights as tie strength (networkx's definitions).

networkx alone takes minutes for exact betweenness on 20,000 actors; igraph gives the
same numbers in seconds, so ``engine="auto"`` switches above ``IGRAPH_THRESHOLD`` nodes.
Agreement of both engines is tested.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

IGRAPH_THRESHOLD = 300
# Above this size exact betweenness takes minutes even in igraph; it is then estimated from
# SAMPLE_PIVOTS random source actors (Brandes & Pich 2007), scaled by n/k, seeded. The error
# against the exact values is measured in bench/graph_bench.py and reported with the result.
SAMPLE_THRESHOLD = 8000
SAMPLE_PIVOTS = 1500


@dataclass
class NodeMetrics:
    degree: int
    strength: float
    degree_centrality: float
    betweenness: float
    betweenness_raw: float
    closeness: float
    eigenvector: float
    pagerank: float
    clustering: float
    constraint: float | None
    effective_size: float | None


def _to_igraph(graph: nx.Graph):
    import igraph as ig

    index = {node: i for i, node in enumerate(graph.nodes)}
    g = ig.Graph(n=len(index), edges=[(index[u], index[v]) for u, v in graph.edges], directed=graph.is_directed())
    return g, list(graph.nodes)


def betweenness(graph: nx.Graph, engine: str = "auto", *, pivots: int | None = None,
                seed: int = 42) -> dict[Any, float]:
    """Raw betweenness (pairs counted once on undirected graphs).

    ``pivots`` estimates it from that many random sources (igraph); ``None`` is exact,
    except that ``engine="auto"`` samples on networks above SAMPLE_THRESHOLD actors.
    """
    n = graph.number_of_nodes()
    if pivots is None and engine == "auto" and n > SAMPLE_THRESHOLD:
        pivots = SAMPLE_PIVOTS
    if pivots is not None and pivots < n:
        import random

        g, order = _to_igraph(graph)
        sources = sorted(random.Random(seed).sample(range(n), pivots))
        values = g.betweenness(directed=graph.is_directed(), sources=sources, targets=range(n))
        return dict(zip(order, (float(v) * n / pivots for v in values)))
    if _use_igraph(graph, engine):
        g, order = _to_igraph(graph)
        return dict(zip(order, (float(v) for v in g.betweenness(directed=graph.is_directed()))))
    return nx.betweenness_centrality(graph, normalized=False)


def betweenness_pivots(graph: nx.Graph, engine: str = "auto") -> int | None:
    """How many pivots ``betweenness`` uses for this graph (None: exact)."""
    return SAMPLE_PIVOTS if engine == "auto" and graph.number_of_nodes() > SAMPLE_THRESHOLD else None


def closeness(graph: nx.Graph, engine: str = "auto") -> dict[Any, float]:
    """networkx's closeness with ``wf_improved=True``, from either engine."""
    n = graph.number_of_nodes()
    if not _use_igraph(graph, engine):
        return nx.closeness_centrality(graph)
    g, order = _to_igraph(graph)
    # igraph's closeness is 1/mean distance over reachable nodes; rescale by (r-1)/(n-1).
    raw = g.closeness(mode="all", normalized=True)
    sizes = {}
    for component in g.connected_components(mode="weak"):
        for v in component:
            sizes[v] = len(component)
    result = {}
    for i, node in enumerate(order):
        value = raw[i]
        reach = sizes[i] - 1
        if value != value or reach == 0 or n <= 1:  # NaN for isolates
            result[node] = 0.0
        else:
            result[node] = float(value) * reach / (n - 1)
    return result


def _use_igraph(graph: nx.Graph, engine: str) -> bool:
    if engine == "networkx":
        return False
    if engine == "igraph":
        return True
    return graph.number_of_nodes() > IGRAPH_THRESHOLD


def eigenvector_by_component(graph: nx.Graph) -> dict[Any, float]:
    result: dict[Any, float] = {}
    for component in nx.connected_components(graph.to_undirected() if graph.is_directed() else graph):
        if len(component) < 3:
            for node in component:
                result[node] = 1 / len(component) ** 0.5 if len(component) > 1 else 0.0
            continue
        sub = graph.subgraph(component)
        try:
            # Power iteration (networkx shifts by the identity, so bipartite parts converge too) is
            # deterministic; the ARPACK variant starts from a random vector and wobbles in the last digits.
            values = nx.eigenvector_centrality(sub, weight="weight", max_iter=2000, tol=1e-10)
        except (nx.NetworkXException, ValueError):
            values = {node: 0.0 for node in component}
        result.update({k: float(abs(v)) for k, v in values.items()})
    return result


def structural_holes(graph: nx.Graph) -> tuple[dict[Any, float | None], dict[Any, float | None]]:
    """Burt's constraint and effective size for every actor, with sparse matrices.

    Same definitions as networkx (``constraint``/``effective_size`` with weights; tested equal),
    but one sparse product instead of a Python loop per pair: networkx needs minutes on
    20,000 actors, this needs about a second. With P the row-normalised weights and M the
    weights divided by each row's maximum, over the ties (i, j):
    constraint_i = sum_j (P_ij + (P·P)_ij)^2 and effective size_i = deg_i - sum_j (P·Mᵀ)_ij.
    Isolated actors have neither (None).
    """
    import numpy as np
    from scipy import sparse

    undirected = graph.to_undirected() if graph.is_directed() else graph
    order = list(undirected.nodes)
    if not order:
        return {}, {}
    a = nx.to_scipy_sparse_array(undirected, nodelist=order, weight="weight", format="csr").astype(float)
    strength = np.asarray(a.sum(axis=1)).ravel()
    row_max = a.max(axis=1).toarray().ravel()
    with np.errstate(divide="ignore"):
        p = sparse.diags(np.where(strength > 0, 1 / strength, 0.0)) @ a
        m = sparse.diags(np.where(row_max > 0, 1 / row_max, 0.0)) @ a
    pattern = (a > 0).astype(float)
    direct_and_indirect = (p + (p @ p).multiply(pattern)).tocsr()
    constraint = np.asarray(direct_and_indirect.multiply(direct_and_indirect).sum(axis=1)).ravel()
    redundancy = np.asarray((p @ m.T).multiply(pattern).sum(axis=1)).ravel()
    degree = np.asarray(pattern.sum(axis=1)).ravel()
    cons, eff = {}, {}
    for i, node in enumerate(order):
        isolated = degree[i] == 0
        cons[node] = None if isolated else float(constraint[i])
        eff[node] = None if isolated else float(degree[i] - redundancy[i])
    return cons, eff


def node_metrics(graph: nx.Graph, engine: str = "auto", *, with_constraint: bool = True) -> dict[Any, NodeMetrics]:
    n = graph.number_of_nodes()
    if n == 0:
        return {}
    raw = betweenness(graph, engine)
    scale = (n - 1) * (n - 2) / (1 if graph.is_directed() else 2)
    close = closeness(graph, engine)
    eigen = eigenvector_by_component(graph)
    rank = nx.pagerank(graph, weight="weight") if graph.number_of_edges() else {v: 1 / n for v in graph}
    clustering = nx.clustering(graph)
    constraint = effective = None
    if with_constraint:
        constraint, effective = structural_holes(graph)
    result = {}
    for node in graph.nodes:
        degree = graph.degree(node)
        c = constraint.get(node) if constraint else None
        e = effective.get(node) if effective else None
        result[node] = NodeMetrics(
            degree=degree, strength=float(graph.degree(node, weight="weight")),
            degree_centrality=degree / (n - 1) if n > 1 else 0.0,
            betweenness=raw[node] / scale if scale else 0.0, betweenness_raw=raw[node],
            closeness=close[node], eigenvector=eigen.get(node, 0.0), pagerank=rank[node],
            clustering=clustering[node],
            constraint=c, effective_size=e)
    return result


def network_metrics(graph: nx.Graph, directed_graph: nx.Graph | None = None) -> dict[str, Any]:
    """Size, density, components, path lengths (of the largest component), reciprocity, assortativity."""
    n, m = graph.number_of_nodes(), graph.number_of_edges()
    components = sorted(nx.connected_components(graph), key=len, reverse=True) if n else []
    largest = graph.subgraph(components[0]) if components else graph
    result: dict[str, Any] = {
        "nodes": n, "edges": m, "density": nx.density(graph) if n > 1 else 0.0,
        "components": len(components), "largest_component": len(components[0]) if components else 0,
        "isolates": nx.number_of_isolates(graph), "average_clustering": nx.average_clustering(graph) if n else 0.0,
        "average_path_length": None, "diameter": None, "reciprocity": None, "category_assortativity": None,
        "betweenness_pivots": betweenness_pivots(graph),
    }
    if largest.number_of_nodes() > 1:
        if largest.number_of_nodes() > IGRAPH_THRESHOLD:
            g, _ = _to_igraph(largest)
            result["average_path_length"] = g.average_path_length(directed=False)
            result["diameter"] = g.diameter(directed=False)
        else:
            result["average_path_length"] = nx.average_shortest_path_length(largest)
            result["diameter"] = nx.diameter(largest)
    if directed_graph is not None and directed_graph.number_of_edges():
        result["reciprocity"] = nx.reciprocity(directed_graph)
    if m and len({d.get("category") for _, d in graph.nodes(data=True)}) > 1:
        value = nx.attribute_assortativity_coefficient(graph, "category")
        result["category_assortativity"] = None if value != value else float(value)
    return result
