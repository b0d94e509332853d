"""One entry point: the whole analysis of a landscape under a cut, as JSON-ready data."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Sequence

from graph.build import build_graph
from graph.communities import communities
from graph.cut import Cut, apply_cut
from graph.fragility import fragility
from graph.metrics import network_metrics, node_metrics
from graph.records import EdgeRecord, NodeRecord
from graph.suggest import suggest_ties
from graph.transitions import transition_matrix


@dataclass
class AnalysisResult:
    network: dict[str, Any]
    actors: list[dict[str, Any]]
    communities: list[dict[str, Any]]
    modularity: float
    fragility: dict[str, Any]
    transitions: dict[str, Any]
    suggestions: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def analyse(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord], cut: Cut | None = None, *,
            stage_order: Sequence[str] = (), resolution: float = 1.0, seed: int = 42,
            engine: str = "auto") -> AnalysisResult:
    cut = cut or Cut()
    nodes, edges = apply_cut(nodes, edges, cut)
    graph = build_graph(nodes, edges)
    directed = build_graph(nodes, edges, directed=True)
    per_node = node_metrics(graph, engine)
    groups, modularity = communities(graph, resolution=resolution, seed=seed)
    group_of = {member: c.id for c in groups for member in c.members}
    labels = {n.id: n for n in nodes}
    actors = []
    for node_id, metrics in per_node.items():
        record = labels[node_id]
        actors.append({"id": node_id, "label": record.label, "kind": record.kind, "category": record.category,
                       "area": record.area, "community": group_of.get(node_id), **asdict(metrics)})
    actors.sort(key=lambda a: (-a["betweenness"], str(a["label"])))
    transitions = transition_matrix(nodes, edges, stage_order)
    suggestions = suggest_ties(graph, community_of=group_of, community_labels={c.id: c.label for c in groups},
                               gaps=transitions["gaps"], stage_order=stage_order)
    return AnalysisResult(
        network=network_metrics(graph, directed), actors=actors,
        communities=[asdict(c) for c in groups], modularity=modularity,
        fragility=fragility(graph), transitions=transitions,
        suggestions=[{**asdict(s), "source_label": labels[s.source].label,
                      "target_label": labels[s.target].label} for s in suggestions])
