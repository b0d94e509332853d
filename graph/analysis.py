"""One entry point: the whole analysis of a landscape under a cut, as JSON-ready data.

``analyse`` is what the CRM calls (through ``crm.services.network.records``, cached with
``graph.cache.AnalysisCache``). It applies the cut once, builds the undirected graph
(and the directed one for PageRank and reciprocity), and combines every measure the
office asks for. Conventions live with each part: ``graph.metrics``, ``graph.communities``,
``graph.fragility``, ``graph.transitions``, ``graph.suggest``, ``graph.change``.
"""
from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from graph._util import jsonable, node_area, sort_key
from graph.build import build_graph
from graph.change import change
from graph.communities import communities
from graph.cut import Cut, apply_cut
from graph.engine import check_engine
from graph.fragility import fragility
from graph.metrics import Pivots, compute_metrics
from graph.records import EdgeRecord, NodeRecord
from graph.suggest import suggest_ties
from graph.transitions import transition_matrix

CHANGE_ACTOR_ROWS = 500   # per-actor rows "then and now" in the result (brokers first): enough for a
                          # region, and a 20,000-actor landscape does not put megabytes into the JSON


@dataclass
class AnalysisResult:
    network: dict[str, Any]
    actors: list[dict[str, Any]]          # sorted by betweenness (brokers first), then label
    communities: list[dict[str, Any]]
    modularity: float
    fragility: dict[str, Any]
    transitions: dict[str, Any]
    suggestions: list[dict[str, Any]]
    cut: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    change: dict[str, Any] | None = None  # only when the cut has both ``since`` and ``until``
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable: ISO dates, lists instead of sets and tuples, no numpy types, no NaN.

        ``timings`` (seconds per step) is left out so that equal data give equal output.
        """
        # Shallow: ``jsonable`` walks nested values itself; ``asdict`` would deep-copy the
        # whole result first (seconds for 20,000 actors).
        result: dict[str, Any] = jsonable({f.name: getattr(self, f.name) for f in fields(self) if f.name != "timings"})
        return result


def analyse(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord], cut: Cut | None = None, *,
            stage_order: Sequence[str] = (), resolution: float = 1.0, seed: int = 42, engine: str = "auto",
            area_level: int | None = None, stage_labels: Mapping[str, str] | None = None, top_n: int = 20,
            pivots: Pivots = "auto", weighted_paths: bool = False) -> AnalysisResult:
    """Everything for one cut of the landscape.

    * ``stage_order``: life-stage codes in biographical order (transitions, suggestions);
      ``stage_labels`` maps codes to display names for labels and reasons.
    * ``resolution``/``seed``: Louvain parameters (same seed, same groups).
    * ``engine``: ``"auto"`` (networkx up to 500 actors and 2,000 ties, igraph above), or forced.
    * ``area_level``: depth in the area path for transitions and local fragility
      (``None`` = leaf area, 0 = Stadt/Landkreis).
    * ``pivots``: ``"auto"`` (exact betweenness and closeness unless the network is very
      large, then a seeded estimate; ``network["betweenness_pivots"]`` and
      ``["closeness_pivots"]`` say which), ``None`` (always exact) or a number of pivots.
    * ``weighted_paths``: shortest paths with length 1/weight instead of 1 step per tie.
    """
    check_engine(engine)
    cut = cut or Cut()
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    kept_nodes, kept_edges = apply_cut(nodes, edges, cut)
    lap("cut")
    graph = build_graph(kept_nodes, kept_edges)
    directed = build_graph(kept_nodes, kept_edges, directed=True, lean=True)
    lap("build")
    metrics = compute_metrics(graph, directed, engine=engine, pivots=pivots, seed=seed,
                              weighted_paths=weighted_paths)
    lap("metrics")
    partition = communities(graph, resolution=resolution, seed=seed, engine=engine)
    lap("communities")
    fragile = fragility(graph, area_level=area_level)
    lap("fragility")
    transitions = transition_matrix(kept_nodes, kept_edges, stage_order, level=area_level, stage_labels=stage_labels)
    lap("transitions")
    suggestions = suggest_ties(graph, community_of=partition.membership, community_labels=partition.labels(),
                               gaps=transitions["gaps"], stage_order=stage_order, top_n=top_n,
                               stage_labels=stage_labels, area_level=area_level)
    lap("suggestions")
    changed = None
    if cut.since is not None and cut.until is not None:
        changed = change(nodes, edges, cut.since, cut.until, cut, engine=engine, pivots=pivots, seed=seed,
                         top_n=min(top_n, 10), actor_limit=CHANGE_ACTOR_ROWS)
        lap("change")

    actors = []
    for node_id, values in metrics.nodes.items():
        data = graph.nodes[node_id]
        actors.append({"id": node_id, "label": data["label"], "kind": data["kind"], "category": data["category"],
                       "area": data["area"], "area_at_level": node_area(data, area_level),
                       "community": partition.membership.get(node_id), **asdict(values)})
    actors.sort(key=lambda a: (-a["betweenness"], str(a["label"]), sort_key(a["id"])))
    network = dict(metrics.network)
    network["communities"] = sum(1 for c in partition.communities if c.size > 1)
    return AnalysisResult(
        network=network, actors=actors, communities=[asdict(c) for c in partition.communities],
        modularity=partition.modularity, fragility=fragile, transitions=transitions,
        suggestions=[asdict(s) for s in suggestions], cut=cut.to_dict(),
        parameters={"stage_order": list(stage_order), "resolution": resolution, "seed": seed, "engine": engine,
                    "engine_used": metrics.info["engine"], "community_engine": partition.engine,
                    "community_runs": partition.runs, "community_seed": partition.best_seed,
                    "area_level": area_level, "top_n": top_n, "weighted_paths": weighted_paths,
                    "betweenness_pivots": metrics.info["betweenness_pivots"],
                    "closeness_pivots": metrics.info["closeness_pivots"]},
        change=changed, timings=timings)
