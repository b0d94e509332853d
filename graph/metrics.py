"""Centrality and whole-network measures, with igraph as the fast engine.

Conventions (stated because published tables differ):

* **Distances.** Betweenness, closeness, path length and diameter treat every tie as one
  step by default: "who can reach whom through how many partners" is what the office
  asks, and a strong tie is not a shorter one. With ``weighted_paths=True`` a tie's
  length is ``1 / weight`` (stored as edge attribute ``distance`` by ``build_graph``) for
  betweenness and closeness only; the network's average path length and diameter always
  count steps ("the farthest two actors are 6 partners apart"; ``path_measures_weighted``
  is ``False`` in the result). Everywhere else the weight is tie *strength* (strength,
  PageRank, eigenvector, Burt's constraint, effective size, Louvain).
* **Betweenness.** ``betweenness_raw`` is the sum, over unordered pairs {s, t} of other
  actors, of the share of shortest s–t paths through the actor (networkx
  ``normalized=False`` convention on undirected graphs: each pair counted once; on
  directed graphs ordered pairs). ``betweenness`` divides by the number of pairs,
  (n-1)(n-2)/2 (directed: (n-1)(n-2)), so values lie in [0, 1] and match published
  tables (Medici 0.522, Mr Hi 0.4376).
* **Sampled betweenness and closeness.** Exact betweenness costs one shortest-path
  search per actor (measured: 158 s with igraph at 20,000 actors / 100,000 ties; exact
  closeness 25 s). With ``pivots=k`` only ``k`` seeded random source actors are searched:
  betweenness sums are scaled by n/k (Brandes & Pich 2007, networkx's ``k``), each actor's
  distance sum within its component by n_C/k_C (Eppstein & Wang 2004; components
  without enough pivots are computed exactly). ``"auto"`` stays exact while n·m is below
  ``EXACT_BETWEENNESS_WORK`` (betweenness) or ``EXACT_CLOSENESS_WORK`` (closeness); the
  result states the pivots used (``betweenness_pivots``, ``closeness_pivots``). A
  sampled betweenness carries its error: the pivots are split into
  ``BETWEENNESS_BATCHES`` independent batches, the spread of their estimates gives each
  actor's standard error (``betweenness_se``, same scale as ``betweenness``) and
  ``network["betweenness_error"]`` sums it up for the top 10 and top 50. The error against
  exact betweenness at 20,000 actors is measured in ``bench/graph_bench.py``.
* **Closeness** is networkx's (Wasserman–Faust improved) closeness: distances to
  reachable actors only, scaled by the share of the network reachable, so actors in
  small fragments do not look central. Isolates get 0.
* **Eigenvector centrality** is undefined across components, so it is computed per
  connected component (principal eigenvector of the weighted adjacency matrix) and each
  component's unit vector is scaled by sqrt(component size / n). The whole vector then
  has unit length, a connected graph gets exactly networkx's values, and 1/sqrt(n) is the
  value of an "average" actor in every component, so a pair of isolated partners does
  not outrank the hub of the main component (as per-component unit vectors would make it).
* **PageRank** (damping 0.85) uses weights; in ``analyse`` it runs on the directed graph,
  so funding and referral ties flow one way and undirected ties both ways.
* **Clustering** is the unweighted local clustering coefficient (0 for degree < 2).
* **Burt's constraint and effective size** use weights as tie strength with networkx's
  definitions (Burt 1992; Borgatti 1997 for effective size), computed here with sparse
  matrices because networkx's loops take minutes on large graphs; equality with networkx
  is tested. Isolates have neither (``None``). Self-loops are ignored.
* **Network path measures** (average path length, diameter) are those of the largest
  connected component (``path_measures_scope: "largest_component"``); the other
  components would make them infinite.
* **Category mixing** (``category_mixing``) counts ties between and within actor
  categories next to Newman's assortativity r: "do schools only work with schools?" is
  answered by the share of a category's ties that stay inside it.
* **Reciprocity** is computed over arcs made by directed ties only (funding, referral):
  undirected ties are trivially mutual and would drown the signal. ``None`` without
  directed ties.
"""
from __future__ import annotations

import math
import random
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import eigsh

from graph.engine import IGRAPH_THRESHOLD, IGraphView, engine_name, to_igraph, use_igraph

__all__ = [
    "IGRAPH_THRESHOLD", "EXACT_BETWEENNESS_WORK", "EXACT_CLOSENESS_WORK", "NodeMetrics", "Metrics", "betweenness",
    "betweenness_with_error", "sampling_error_summary", "category_mixing",
    "betweenness_plan", "normalise_betweenness", "closeness", "eigenvector", "pagerank", "clustering",
    "structural_holes", "category_assortativity", "diameter", "node_metrics", "network_metrics", "compute_metrics",
]

EXACT_BETWEENNESS_WORK = 1.2e8   # actors x ties; ~10 s of igraph betweenness on the project machine
EXACT_CLOSENESS_WORK = 6e8       # actors x ties; ~8 s of igraph closeness
PIVOT_WORK = 5e8                 # pivots x ties when sampling betweenness (5,000 at 100,000 ties, ~25 s)
CLOSENESS_PIVOT_WORK = 5e7       # closeness is a mean over many distances: 500 pivots suffice
MIN_PIVOTS = 500
BETWEENNESS_BATCHES = 10         # independent pivot batches for the standard error of a sampled estimate
DIAMETER_SEARCHES = 200          # BFS runs the diameter bound may use before igraph's exact search
DIAMETER_SEARCHES_SAMPLED = 40   # on networks too large for exact paths: then a flagged lower bound
MIN_COMPONENT_PIVOTS = 50        # fewer pivots in a component: compute it exactly
DENSE_EIGEN_LIMIT = 16           # tiny components: dense solver; larger: ARPACK (dense LAPACK
                                 # is multi-threaded and crawls on a busy 2-core machine)
PAGERANK_TOL = 1e-13             # networkx's default (1e-6) differs from igraph's exact solve at 1e-4

Pivots = int | Literal["auto"] | None


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
    betweenness_se: float | None = None   # standard error of a sampled ``betweenness`` (None: exact)


@dataclass
class Metrics:
    """Per-actor and whole-network measures computed together (sharing the expensive work)."""

    nodes: dict[Hashable, NodeMetrics]
    network: dict[str, Any]
    info: dict[str, Any] = field(default_factory=dict)


# --- betweenness -------------------------------------------------------------------------------

def betweenness_plan(n: int, m: int, pivots: Pivots, exact_work: float = EXACT_BETWEENNESS_WORK) -> int | None:
    """How many source actors to search: ``None`` means all (exact)."""
    if pivots is None or n <= 2:
        return None
    if pivots == "auto":
        if n * max(m, 1) <= exact_work:
            return None
        k = max(MIN_PIVOTS, int(PIVOT_WORK // max(m, 1)))
    else:
        k = int(pivots)
        if k < 1:
            raise ValueError("pivots must be positive")
    return None if k >= n else k


def _pivot_sample(n: int, k: int, seed: int) -> list[int]:
    """``k`` seeded random actor indices in drawing order (the batches split this order)."""
    return random.Random(seed).sample(range(n), k)


def _pivot_indices(n: int, k: int, seed: int) -> list[int]:
    return sorted(_pivot_sample(n, k, seed))


def _sampled_sums(graph: nx.Graph, view: IGraphView | None, order: list[Hashable], sources: list[int],
                  weighted: bool) -> np.ndarray:
    """Σ over the source actors of their shortest-path dependencies, per actor (in ``order``)."""
    if view is not None:
        values = view.graph.betweenness(directed=graph.is_directed(), weights=view.distances if weighted else None,
                                        sources=sorted(sources))
        return np.asarray(values, dtype=float)
    raw = nx.betweenness_centrality_subset(graph, [order[i] for i in sources], order, normalized=False,
                                           weight="distance" if weighted else None)
    return np.array([raw[node] for node in order], dtype=float)


def _betweenness_sampled(graph: nx.Graph, view: IGraphView | None, k: int, seed: int,
                         weighted: bool) -> tuple[dict[Hashable, float], dict[Hashable, float], int]:
    """Brandes–Pich estimate from ``k`` pivots, and its standard error per actor.

    The pivots (drawn without replacement) are dealt into ``BETWEENNESS_BATCHES`` batches;
    each batch alone gives an estimate (its sums scaled by n / batch size) and the estimate
    of all pivots is their size-weighted mean (the same number one search over all pivots
    gives). The standard error is the spread of the batch estimates over sqrt(batches),
    times sqrt(1 - k/n) because the pivots are drawn without replacement (with every actor
    a pivot the estimate is exact). Measured against exact betweenness (bench/README.md) it
    is honest from about 1,000 pivots on; with a few hundred pivots the heavy tail of the
    path counts (a handful of pivots carry most of a broker's paths) makes it too small, so
    read it as a lower bound there. The work is the same as one search over all pivots.
    Returns raw values, raw standard errors and the number of batches (1 when there are too
    few pivots to split: no error then).
    """
    n = graph.number_of_nodes()
    order = view.order if view is not None else list(graph.nodes)
    sample = _pivot_sample(n, k, seed)
    batches = min(BETWEENNESS_BATCHES, k // 2) if k >= 4 else 1
    if batches < 2:
        sums = _sampled_sums(graph, view, order, sample, weighted) * (n / k)
        return {v: float(x) for v, x in zip(order, sums)}, {}, 1
    estimates, sizes = [], []
    for b in range(batches):
        part = sample[b::batches]
        estimates.append(_sampled_sums(graph, view, order, part, weighted) * (n / len(part)))
        sizes.append(len(part))
    stack = np.vstack(estimates)
    weights = np.asarray(sizes, dtype=float) / k
    estimate = weights @ stack
    spread = np.sqrt(((stack - estimate) ** 2 * weights[:, None]).sum(axis=0) * batches / (batches - 1))
    se = spread / math.sqrt(batches) * math.sqrt(1 - k / n)    # finite population: k of n actors drawn
    return ({v: float(x) for v, x in zip(order, estimate)}, {v: float(x) for v, x in zip(order, se)}, batches)


def _betweenness(graph: nx.Graph, view: IGraphView | None, pivots: Pivots, seed: int,
                 weighted: bool) -> tuple[dict[Hashable, float], int | None]:
    return _betweenness_with_error(graph, view, pivots, seed, weighted)[:2]


def _betweenness_with_error(graph: nx.Graph, view: IGraphView | None, pivots: Pivots, seed: int,
                            weighted: bool) -> tuple[dict[Hashable, float], int | None, dict[Hashable, float], int]:
    """Raw betweenness, pivots used (``None`` = exact), raw standard errors ({} when exact or
    unsplittable) and the number of pivot batches."""
    n, m = graph.number_of_nodes(), graph.number_of_edges()
    k = betweenness_plan(n, m, pivots)
    order = view.order if view is not None else list(graph.nodes)
    if k is not None:
        raw, se, batches = _betweenness_sampled(graph, view, k, seed, weighted)
        return raw, k, se, batches
    if view is not None:
        values = view.graph.betweenness(directed=graph.is_directed(), weights=view.distances if weighted else None)
        raw = view.as_dict(values)
    else:
        raw = nx.betweenness_centrality(graph, normalized=False, weight="distance" if weighted else None)
    return {node: float(raw[node]) for node in order}, None, {}, 0


def sampling_error_summary(values: dict[Hashable, float], errors: dict[Hashable, float], k: int | None,
                           batches: int) -> dict[str, Any] | None:
    """The error of a sampled betweenness in a few numbers: the mean and largest relative
    standard error among the 10 and 50 actors with the highest estimate (the brokers a
    report names). ``None`` when betweenness is exact."""
    if k is None:
        return None
    ranked = sorted((v for v in values if values[v] > 0), key=lambda v: -values[v])
    summary: dict[str, Any] = {"method": "Standardfehler aus unabhängigen Pivot-Gruppen", "pivots": k,
                               "batches": batches}
    for top in (10, 50):
        relative = [errors[v] / values[v] for v in ranked[:top] if v in errors]
        summary[f"top{top}_mean_relative_se"] = float(np.mean(relative)) if relative else None
        summary[f"top{top}_max_relative_se"] = float(np.max(relative)) if relative else None
    return summary


def betweenness(graph: nx.Graph, engine: str = "auto", *, pivots: Pivots = None, seed: int = 42,
                weighted: bool = False) -> dict[Hashable, float]:
    """Raw betweenness (see module docstring); exact unless ``pivots`` asks for sampling."""
    view = to_igraph(graph) if use_igraph(graph, engine) else None
    return _betweenness(graph, view, pivots, seed, weighted)[0]


def betweenness_with_error(graph: nx.Graph, engine: str = "auto", *, pivots: Pivots = None, seed: int = 42,
                           weighted: bool = False) -> tuple[dict[Hashable, float], dict[Hashable, float]]:
    """Raw betweenness and, when sampled, its raw standard error per actor ({} when exact)."""
    view = to_igraph(graph) if use_igraph(graph, engine) else None
    raw, _, se, _ = _betweenness_with_error(graph, view, pivots, seed, weighted)
    return raw, se


def normalise_betweenness(raw: dict[Hashable, float], n: int, directed: bool = False) -> dict[Hashable, float]:
    """Divide by the number of pairs of other actors: (n-1)(n-2)/2, directed (n-1)(n-2)."""
    pairs = (n - 1) * (n - 2) / (1 if directed else 2)
    return {node: (value / pairs if pairs > 0 else 0.0) for node, value in raw.items()}


# --- closeness ---------------------------------------------------------------------------------

def _closeness(graph: nx.Graph, view: IGraphView | None, weighted: bool, pivots: Pivots = None,
               seed: int = 42) -> tuple[dict[Hashable, float], dict[Hashable, float] | None, int | None]:
    """Closeness, each actor's (estimated) sum of distances to those it reaches (igraph
    only; networkx returns ``None``), and the number of pivots used (``None`` = exact)."""
    n = graph.number_of_nodes()
    if view is None:
        return nx.closeness_centrality(graph, distance="distance" if weighted else None), None, None
    k = None if graph.is_directed() else _closeness_pivot_count(n, graph.number_of_edges(), pivots)
    if k is not None:
        values, sums = _closeness_sampled(view, weighted, k, seed)
        return values, sums, k
    g = view.graph
    directed = graph.is_directed()
    mode = "in" if directed else "all"   # networkx: incoming distances on directed graphs
    raw = g.closeness(mode=mode, normalized=True, weights=view.distances if weighted else None)
    if directed:
        reach = g.neighborhood_size(order=-1, mode="in", mindist=1)
    else:
        reach = [0] * n
        for component in g.connected_components():
            for v in component:
                reach[v] = len(component) - 1
    result, sums = {}, {}
    for i, node in enumerate(view.order):
        value, r = raw[i], reach[i]
        if r == 0 or n <= 1 or value != value or value == 0:
            result[node], sums[node] = 0.0, 0.0
        else:
            result[node] = float(value) * r / (n - 1)
            sums[node] = r / float(value)
    return result, sums, None


def _closeness_pivot_count(n: int, m: int, pivots: Pivots) -> int | None:
    if pivots == "auto":
        if n * max(m, 1) <= EXACT_CLOSENESS_WORK:
            return None
        k = max(MIN_PIVOTS, int(CLOSENESS_PIVOT_WORK // max(m, 1)))
        return None if k >= n else k
    return betweenness_plan(n, m, pivots)


def _closeness_sampled(view: IGraphView, weighted: bool, k: int,
                       seed: int) -> tuple[dict[Hashable, float], dict[Hashable, float]]:
    """Eppstein–Wang estimate on an undirected graph: Σ_u d(v, u) ≈ n_C / k_C · Σ_p d(v, p)
    over the pivots p in v's component C; small or thinly sampled components exactly."""
    g = view.graph
    n = g.vcount()
    weights = view.distances if weighted else None
    components = g.connected_components()
    membership = np.asarray(components.membership)
    sizes = np.bincount(membership)
    pivots = np.asarray(_pivot_indices(n, k, seed))
    per_component = np.bincount(membership[pivots], minlength=len(sizes))
    sums = np.zeros(n)
    for start in range(0, len(pivots), 64):
        chunk = pivots[start:start + 64].tolist()
        distances = np.asarray(g.distances(source=chunk, weights=weights), dtype=float)
        distances[~np.isfinite(distances)] = 0.0
        sums += distances.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = sums * sizes[membership] / per_component[membership]
    exact = [c for c, members in enumerate(components) if sizes[c] > 1 and per_component[c] < MIN_COMPONENT_PIVOTS]
    for c in exact:
        members = components[c]
        raw = g.closeness(vertices=members, normalized=True, weights=weights)
        for v, value in zip(members, raw):
            estimate[v] = (sizes[c] - 1) / value if value and value == value else 0.0
    result, distance_sums = {}, {}
    for i, node in enumerate(view.order):
        r = sizes[membership[i]] - 1
        total = float(estimate[i])
        if r == 0 or n <= 1 or not total > 0:
            result[node], distance_sums[node] = 0.0, 0.0
        else:
            result[node] = (r / total) * r / (n - 1)
            distance_sums[node] = total
    return result, distance_sums


def closeness(graph: nx.Graph, engine: str = "auto", *, weighted: bool = False, pivots: Pivots = None,
              seed: int = 42) -> dict[Hashable, float]:
    """networkx's closeness with ``wf_improved=True``, from either engine; estimated from
    ``pivots`` source actors with igraph when asked (``"auto"``: only for large networks)."""
    view = to_igraph(graph) if use_igraph(graph, engine) else None
    return _closeness(graph, view, weighted, pivots, seed)[0]


# --- eigenvector, PageRank, clustering -------------------------------------------------------

def _principal_vector(matrix: sp.csr_array) -> np.ndarray:
    size = matrix.shape[0]
    if size <= DENSE_EIGEN_LIMIT:
        _, vectors = np.linalg.eigh(matrix.toarray())
        vector = vectors[:, -1]
    else:
        # Fixed start vector: ARPACK's default is random and would make results wobble.
        _, vectors = eigsh(matrix.astype(float), k=1, which="LA", v0=np.ones(size), tol=0, maxiter=100 * size)
        vector = vectors[:, 0]
    vector = np.abs(vector)
    unit: np.ndarray = vector / np.linalg.norm(vector)
    return unit


def _eigenvector(graph: nx.Graph, view: IGraphView | None, weight: str | None) -> dict[Hashable, float]:
    undirected = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    n = undirected.number_of_nodes()
    result: dict[Hashable, float] = {node: 0.0 for node in undirected}
    components = [c for c in nx.connected_components(undirected) if len(c) > 1]
    if not components:
        return result
    if view is not None and not graph.is_directed():
        import warnings

        index = {node: i for i, node in enumerate(view.order)}
        g = view.graph
        g.es["w"] = view.weights if weight else [1.0] * g.ecount()
        for component in components:
            members = sorted(index[v] for v in component)
            sub = g.induced_subgraph(members)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)   # igraph's "nearly zero" notice on stars
                values = np.abs(np.asarray(sub.eigenvector_centrality(weights="w"), float))
            values = values / np.linalg.norm(values) * math.sqrt(len(members) / n)
            for i, value in zip(members, values):
                result[view.order[i]] = float(value)
        return result
    order = list(undirected.nodes)
    index = {node: i for i, node in enumerate(order)}
    matrix = nx.to_scipy_sparse_array(undirected, nodelist=order, weight=weight, format="csr", dtype=float)
    for component in components:
        positions = np.array(sorted(index[v] for v in component))
        vector = _principal_vector(matrix[positions][:, positions]) * math.sqrt(len(positions) / n)
        for i, value in zip(positions, vector):
            result[order[i]] = float(value)
    return result


def eigenvector(graph: nx.Graph, engine: str = "auto", *, weight: str | None = "weight") -> dict[Hashable, float]:
    """Eigenvector centrality per component (module docstring), weights as strength."""
    view = to_igraph(graph) if use_igraph(graph, engine) else None
    return _eigenvector(graph, view, weight)


def _pagerank(graph: nx.Graph, view: IGraphView | None, alpha: float) -> dict[Hashable, float]:
    n = graph.number_of_nodes()
    if n == 0:
        return {}
    if view is None:
        ranks: dict[Hashable, float] = nx.pagerank(graph, alpha=alpha, weight="weight", tol=PAGERANK_TOL,
                                                   max_iter=100_000)
        return ranks
    values = view.graph.pagerank(directed=graph.is_directed(), damping=alpha, weights=view.weights)
    return view.as_dict(values)


def pagerank(graph: nx.Graph, engine: str = "auto", *, alpha: float = 0.85) -> dict[Hashable, float]:
    """Weighted PageRank; both engines solve to ~1e-12 (networkx with a tight tolerance)."""
    view = to_igraph(graph) if use_igraph(graph, engine) else None
    return _pagerank(graph, view, alpha)


def _clustering(graph: nx.Graph, view: IGraphView | None) -> dict[Hashable, float]:
    if view is None or graph.is_directed():
        undirected = graph.to_undirected(as_view=True) if graph.is_directed() else graph
        return {node: float(value) for node, value in nx.clustering(undirected).items()}
    return view.as_dict(view.graph.transitivity_local_undirected(mode="zero"))


def clustering(graph: nx.Graph, engine: str = "auto") -> dict[Hashable, float]:
    """Unweighted local clustering coefficient (0 for actors with fewer than two partners)."""
    view = to_igraph(graph) if use_igraph(graph, engine) else None
    return _clustering(graph, view)


# --- structural holes --------------------------------------------------------------------------

def structural_holes(graph: nx.Graph, weight: str | None = "weight") -> tuple[dict[Hashable, float | None],
                                                                               dict[Hashable, float | None]]:
    """Burt's constraint and effective size for every actor, vectorised.

    With M = W + Wᵀ (mutual tie strength) and P = M scaled to row sums 1 (p_ij = share of
    i's relational investment in j):

    * constraint c_i = Σ_{j ∈ N(i)} (p_ij + Σ_q p_iq p_qj)², i.e. the squares of (P + P²)
      on i's ties (q = i or j contribute nothing, there are no self-loops);
    * effective size e_i = Σ_{j ∈ N(i)} (1 - Σ_q p_iq m_jq), m_jq = M_jq / max_k M_jk,
      i.e. |N(i)| minus the row sum of P·Qᵀ on i's ties.

    These are networkx's ``constraint``/``effective_size`` formulas (verified equal in the
    tests) without its per-pair Python loops.
    """
    order = list(graph.nodes)
    if not order:
        return {}, {}
    W = nx.to_scipy_sparse_array(graph, nodelist=order, weight=weight, format="csr", dtype=float)
    W.setdiag(0)
    W.eliminate_zeros()
    M = (W + W.T).tocsr()
    M.eliminate_zeros()
    row_sum = np.asarray(M.sum(axis=1)).ravel()
    row_max = M.max(axis=1).toarray().ravel()
    with np.errstate(divide="ignore"):
        inv_sum = np.where(row_sum > 0, 1.0 / row_sum, 0.0)
        inv_max = np.where(row_max > 0, 1.0 / row_max, 0.0)
    P = sp.diags_array(inv_sum) @ M
    Q = sp.diags_array(inv_max) @ M
    mask = M.copy()
    mask.data[:] = 1.0
    local = P + (P @ P).multiply(mask)
    constraint_values = np.asarray(local.multiply(local).sum(axis=1)).ravel()
    redundancy = np.asarray((P @ Q.T).multiply(mask).sum(axis=1)).ravel()
    degree = np.diff(M.indptr)
    constraint: dict[Hashable, float | None] = {}
    effective: dict[Hashable, float | None] = {}
    for i, node in enumerate(order):
        if degree[i] == 0:
            constraint[node] = effective[node] = None
        else:
            constraint[node] = float(constraint_values[i])
            effective[node] = float(degree[i] - redundancy[i])
    return constraint, effective


# --- network-level measures ---------------------------------------------------------------------

def category_assortativity(graph: nx.Graph, attribute: str = "category") -> float | None:
    """Newman's attribute assortativity r = (Σ e_ii − Σ a_i b_i) / (1 − Σ a_i b_i).

    Same value as networkx's ``attribute_assortativity_coefficient`` (ties counted in
    both directions on undirected graphs, weights ignored), but ``None`` instead of a NaN
    and a RuntimeWarning when it is undefined (one category only, or no ties).
    """
    values = nx.get_node_attributes(graph, attribute)
    if graph.number_of_edges() == 0 or len(set(values.values())) < 2:
        return None
    mixing: dict[tuple[Any, Any], float] = {}
    for u, v in graph.edges():
        a, b = values.get(u), values.get(v)
        mixing[(a, b)] = mixing.get((a, b), 0.0) + 1
        if not graph.is_directed():
            mixing[(b, a)] = mixing.get((b, a), 0.0) + 1
    total = sum(mixing.values())
    rows: dict[Any, float] = {}
    cols: dict[Any, float] = {}
    trace = 0.0
    for (a, b), count in mixing.items():
        rows[a] = rows.get(a, 0.0) + count / total
        cols[b] = cols.get(b, 0.0) + count / total
        if a == b:
            trace += count / total
    expected = sum(rows[c] * cols.get(c, 0.0) for c in rows)
    if abs(1 - expected) < 1e-15:
        return None
    return float((trace - expected) / (1 - expected))


NO_CATEGORY = "(ohne Kategorie)"


def category_mixing(graph: nx.Graph, attribute: str = "category") -> dict[str, Any]:
    """Who works with whom, by actor category: the mixing matrix behind the assortativity r.

    ``ties[a][b]`` is the number of ties between an actor of category a and one of b (each
    tie once; the matrix is symmetric, the diagonal holds the ties inside a category;
    directed graphs are read undirected). ``share_within[a]`` is the share of the partners
    of a's actors that are in a themselves ("of the schools' partners, 30 % are schools"),
    ``share_expected[a]`` the share that partners drawn at random would give (a's share of
    all tie ends), so the two side by side tell whether a category keeps to itself.
    Actors without a category count under ``NO_CATEGORY``.
    """
    undirected = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    category = {v: str(d.get(attribute) or NO_CATEGORY) for v, d in undirected.nodes(data=True)}
    names = sorted(set(category.values()))
    ties: dict[str, dict[str, int]] = {a: {b: 0 for b in names} for a in names}
    ends = dict.fromkeys(names, 0)
    for u, v in undirected.edges():
        a, b = category[u], category[v]
        ties[a][b] += 1
        if a != b:
            ties[b][a] += 1
        ends[a] += 1
        ends[b] += 1
    total_ends = sum(ends.values())
    share_within, share_expected = {}, {}
    for a in names:
        share_within[a] = 2 * ties[a][a] / ends[a] if ends[a] else None   # a tie inside a: two ends in a
        share_expected[a] = ends[a] / total_ends if total_ends else None
    return {"categories": names, "ties": ties, "share_within": share_within, "share_expected": share_expected}


def _bounded_diameter(g: Any, max_searches: int | None = None) -> tuple[int, bool]:
    """Diameter of a connected igraph graph with few BFS runs (Takes & Kosters 2011).

    Keeps lower/upper bounds of every eccentricity; a BFS from v (eccentricity e) gives
    max(d, e-d) <= ecc(w) <= e + d. Actors whose upper bound cannot beat the best known
    eccentricity drop out; when none is left the best known one is the diameter.
    Alternates between the actor with the largest upper bound and the most central one.
    Returns ``(diameter, exact)``: after ``max_searches`` BFS runs without a proof the best
    lower bound is returned with ``exact=False`` (small-world networks, where thousands of
    actors have eccentricity D or D-1, are the slow case; the first double sweeps
    almost always find D itself).
    """
    n = g.vcount()
    if n <= 1:
        return 0, True
    ecc_low = np.zeros(n)
    ecc_up = np.full(n, np.inf)
    candidates = np.ones(n, dtype=bool)
    best = 0.0
    v = int(np.argmax(g.degree()))
    high = True
    searches = 0
    while True:
        d = np.asarray(g.distances(source=[v])[0], dtype=float)
        searches += 1
        e = float(d.max())
        best = max(best, e)
        ecc_low = np.maximum(ecc_low, np.maximum(d, e - d))
        ecc_up = np.minimum(ecc_up, e + d)
        candidates[v] = False
        candidates &= ecc_up > best
        if not candidates.any():
            return int(best), True
        if max_searches is not None and searches >= max_searches:
            return int(best), False
        idx = np.flatnonzero(candidates)
        v = int(idx[np.argmax(ecc_up[idx])] if high else idx[np.argmin(ecc_low[idx])])
        high = not high


def diameter(graph: nx.Graph, engine: str = "auto") -> int | None:
    """Diameter of the largest connected component (``None`` with fewer than two actors)."""
    if graph.number_of_nodes() < 2:
        return None
    undirected = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    largest = max(nx.connected_components(undirected), key=len)
    if len(largest) < 2:
        return None
    sub = undirected.subgraph(largest)
    if use_igraph(graph, engine):
        return _bounded_diameter(to_igraph(nx.Graph(sub)).graph)[0]
    return int(nx.diameter(sub))


def _reciprocity(directed_graph: nx.DiGraph | None) -> float | None:
    if directed_graph is None or directed_graph.number_of_edges() == 0:
        return None
    arcs = [(u, v) for u, v, d in directed_graph.edges(data=True) if d.get("directed", True)]
    if not arcs:
        return None
    return float(nx.reciprocity(nx.DiGraph(arcs)))


def network_metrics(graph: nx.Graph, directed_graph: nx.DiGraph | None = None, *, engine: str = "auto",
                    clustering_values: dict[Hashable, float] | None = None,
                    distance_sums: dict[Hashable, float] | None = None, view: IGraphView | None = None,
                    pivots: Pivots = "auto", seed: int = 42) -> dict[str, Any]:
    """Size, density, components, path measures (largest component, in steps), reciprocity,
    assortativity by category and the category mixing matrix.

    ``clustering_values``, ``distance_sums`` and ``view`` let ``compute_metrics`` pass work
    it has already done (igraph's closeness yields every actor's distance sum, from which
    the average path length follows without another all-pairs search). On very large
    networks (see ``EXACT_CLOSENESS_WORK``) the average path length is estimated from
    ``pivots`` and the diameter may be a lower bound; ``average_path_length_estimated`` and
    ``diameter_exact`` say so.
    """
    n, m = graph.number_of_nodes(), graph.number_of_edges()
    undirected = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    components = sorted(nx.connected_components(undirected), key=len, reverse=True) if n else []
    largest = components[0] if components else set()
    if clustering_values is None:
        clustering_values = clustering(undirected, engine) if n else {}
    result: dict[str, Any] = {
        "nodes": n, "edges": m, "density": float(nx.density(graph)) if n > 1 else 0.0,
        "components": len(components), "largest_component": len(largest),
        "isolates": sum(1 for v in undirected if undirected.degree(v) == 0),
        "average_clustering": float(sum(clustering_values.values()) / n) if n else 0.0,
        "average_path_length": None, "average_path_length_estimated": False,
        "diameter": None, "diameter_exact": True, "reciprocity": _reciprocity(directed_graph),
        "category_assortativity": category_assortativity(undirected),
        "category_mixing": category_mixing(undirected),
        "path_measures_scope": "largest_component", "path_measures_weighted": False,
    }
    size = len(largest)
    if size > 1:
        if use_igraph(graph, engine):
            if view is None or graph.is_directed():
                view = to_igraph(nx.Graph(undirected))
            order_index = {node: i for i, node in enumerate(view.order)}
            members = sorted(order_index[v] for v in largest)
            sub = view.graph if size == view.graph.vcount() else view.graph.induced_subgraph(members)
            count = _closeness_pivot_count(size, sub.ecount(), pivots) if pivots is not None else None
            # an explicit pivot count at least as large as the component means: exactly
            large = size * sub.ecount() > EXACT_CLOSENESS_WORK and count is not None
            if distance_sums is None:
                if large and count is not None:
                    sub_view = IGraphView(sub, [view.order[i] for i in members], [], [])
                    _, distance_sums = _closeness_sampled(sub_view, False, count, seed)
                    result["average_path_length_estimated"] = True
                else:
                    result["average_path_length"] = float(sub.average_path_length(directed=False))
            if distance_sums is not None:
                total = sum(distance_sums[v] for v in largest)
                result["average_path_length"] = float(total / (size * (size - 1)))
            diameter_value, exact = _bounded_diameter(sub, DIAMETER_SEARCHES_SAMPLED if large else DIAMETER_SEARCHES)
            if not exact and not large:
                diameter_value, exact = int(sub.diameter(directed=False)), True
            result["diameter"], result["diameter_exact"] = diameter_value, exact
        else:
            result["average_path_length"], result["diameter"] = _path_measures(nx.Graph(undirected.subgraph(largest)))
    return result


def _path_measures(component: nx.Graph) -> tuple[float, int]:
    """Average shortest path length and diameter of a connected graph from one BFS per actor
    (networkx's ``average_shortest_path_length`` and ``diameter`` each run all of them)."""
    total, longest, n = 0, 0, component.number_of_nodes()
    for node in component:
        lengths = nx.single_source_shortest_path_length(component, node)
        total += sum(lengths.values())
        longest = max(longest, max(lengths.values()))
    return total / (n * (n - 1)), int(longest)


# --- everything at once ------------------------------------------------------------------------

def compute_metrics(graph: nx.Graph, directed_graph: nx.DiGraph | None = None, *, engine: str = "auto",
                    pivots: Pivots = "auto", seed: int = 42, weighted_paths: bool = False,
                    with_constraint: bool = True, with_network: bool = True) -> Metrics:
    """Per-actor and network measures of an undirected graph, sharing work between them.

    PageRank runs on ``directed_graph`` when given (same actors), else on ``graph``.
    ``pivots``: ``"auto"`` (exact unless the network is very large), ``None`` (exact) or
    a number of sampled source actors for betweenness and closeness (igraph engine).
    """
    n = graph.number_of_nodes()
    fast = use_igraph(graph, engine)
    view = to_igraph(graph) if fast and n else None
    info: dict[str, Any] = {"engine": engine_name(graph, engine), "weighted_paths": weighted_paths,
                            "betweenness_pivots": None, "closeness_pivots": None}
    if n == 0:
        return Metrics({}, network_metrics(graph, directed_graph, engine=engine) if with_network else {}, info)
    raw, k, raw_se, batches = _betweenness_with_error(graph, view, pivots, seed, weighted_paths)
    normalised = normalise_betweenness(raw, n, graph.is_directed())
    normalised_se = normalise_betweenness(raw_se, n, graph.is_directed()) if raw_se else {}
    close, sums, k_close = _closeness(graph, view, weighted_paths, pivots, seed)
    info["betweenness_pivots"], info["closeness_pivots"] = k, k_close
    eigen = _eigenvector(graph, view, "weight")
    rank_graph = directed_graph if directed_graph is not None else graph
    rank_view = view if rank_graph is graph else (to_igraph(rank_graph) if fast else None)
    rank = _pagerank(rank_graph, rank_view, 0.85)
    clust = _clustering(graph, view)
    constraint: dict[Hashable, float | None] = {}
    effective: dict[Hashable, float | None] = {}
    if with_constraint:
        constraint, effective = structural_holes(graph)
    nodes: dict[Hashable, NodeMetrics] = {}
    for node in graph.nodes:
        degree = graph.degree(node)
        nodes[node] = NodeMetrics(
            degree=degree, strength=float(graph.degree(node, weight="weight")),
            degree_centrality=degree / (n - 1) if n > 1 else 0.0,
            betweenness=normalised[node], betweenness_raw=raw[node], closeness=float(close[node]),
            eigenvector=eigen.get(node, 0.0), pagerank=float(rank.get(node, 0.0)), clustering=clust[node],
            constraint=constraint.get(node), effective_size=effective.get(node),
            betweenness_se=normalised_se.get(node))
    network: dict[str, Any] = {}
    if with_network:
        network = network_metrics(graph, directed_graph, engine=engine, clustering_values=clust,
                                  distance_sums=None if weighted_paths else sums, view=view, pivots=pivots,
                                  seed=seed)
        if not weighted_paths:
            network["average_path_length_estimated"] = k_close is not None
        network["betweenness_pivots"] = k
        network["betweenness_error"] = sampling_error_summary(raw, raw_se, k, batches)
        network["closeness_pivots"] = k_close
        network["engine"] = info["engine"]
    return Metrics(nodes, network, info)


def node_metrics(graph: nx.Graph, engine: str = "auto", *, with_constraint: bool = True,
                 directed_graph: nx.DiGraph | None = None, pivots: Pivots = None, seed: int = 42,
                 weighted_paths: bool = False) -> dict[Hashable, NodeMetrics]:
    """Per-actor measures (exact unless ``pivots`` asks for sampling)."""
    return compute_metrics(graph, directed_graph, engine=engine, pivots=pivots, seed=seed,
                           weighted_paths=weighted_paths, with_constraint=with_constraint,
                           with_network=False).nodes
