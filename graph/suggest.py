"""Whom to bring together: pairs not yet tied, ranked, each with its reason in German words.

Score = Adamic–Adar over common partners (how well the two are already "introduced")
+ 1.0 if they share a topic, + 1.5 if they sit in different groups (bridging value),
+ 2.0 if the pair would close an empty cell of the transition matrix in their area.
Candidates are pairs two steps apart, plus pairs across groups among each group's most
central members, so the work stays near-linear on large networks.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Sequence

import networkx as nx


@dataclass
class Suggestion:
    source: Any
    target: Any
    score: float
    reasons: list[str]


def suggest_ties(graph: nx.Graph, *, community_of: dict[Any, int] | None = None,
                 community_labels: dict[int, str] | None = None, gaps: Sequence[dict[str, str]] = (),
                 stage_order: Sequence[str] = (), top_n: int = 20, per_group: int = 3) -> list[Suggestion]:
    community_of = community_of or {}
    community_labels = community_labels or {}
    gap_set = {(g["area"], g["transition"]) for g in gaps}
    candidates: set[tuple[Any, Any]] = set()
    for node in graph:
        for partner in graph[node]:
            for second in graph[partner]:
                if second != node and not graph.has_edge(node, second):
                    candidates.add((min(node, second, key=str), max(node, second, key=str)))
    leaders: dict[int, list[Any]] = {}
    for node in sorted(graph, key=lambda v: (-graph.degree(v), str(v))):
        group = community_of.get(node)
        if group is not None and len(leaders.setdefault(group, [])) < per_group:
            leaders[group].append(node)
    for a_group, b_group in combinations(sorted(leaders), 2):
        for a in leaders[a_group]:
            for b in leaders[b_group]:
                if not graph.has_edge(a, b):
                    candidates.add((min(a, b, key=str), max(a, b, key=str)))
    transitions = [(stage_order[i], stage_order[i + 1]) for i in range(len(stage_order) - 1)]
    result = []
    for u, v in candidates:
        du, dv = graph.nodes[u], graph.nodes[v]
        common = list(nx.common_neighbors(graph, u, v))
        score = sum(1 / math.log(graph.degree(w)) for w in common if graph.degree(w) > 1)
        reasons = []
        if common:
            reasons.append(f"{len(common)} gemeinsame Partner" if len(common) > 1 else "1 gemeinsamer Partner")
        shared_topics = sorted(set(du.get("topics", ())) & set(dv.get("topics", ())))
        if shared_topics:
            score += 1.0
            reasons.append(f"gemeinsames Themenfeld {shared_topics[0]}")
        cu, cv = community_of.get(u), community_of.get(v)
        if cu is not None and cv is not None and cu != cv:
            score += 1.5
            reasons.append(f"verbindet die Gruppen »{community_labels.get(cu, cu)}« und »{community_labels.get(cv, cv)}«")
        for x, y in transitions:
            serves = (x in du.get("life_stages", ()) and y in dv.get("life_stages", ())) or (
                y in du.get("life_stages", ()) and x in dv.get("life_stages", ()))
            areas = {du.get("area"), dv.get("area")} - {None, ""}
            hit = next((a for a in sorted(areas) if (a, f"{x}→{y}") in gap_set), None)
            if serves and hit:
                score += 2.0
                reasons.append(f"schließt die Lücke {x} → {y} in {hit}")
                break
        if reasons:
            result.append(Suggestion(u, v, round(score, 6), reasons))
    result.sort(key=lambda s: (-s.score, str(s.source), str(s.target)))
    return result[:top_n]
