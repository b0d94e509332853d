"""Transition coverage: which Übergänge of the Bildungsbiographie are served where.

A tie covers the transition (s_i, s_i+1) when one actor serves s_i and the other s_i+1;
if the tie itself names life stages, they must touch the pair. It counts for the areas
of both actors (once per distinct area). Empty cells are the gaps.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Sequence

from graph.records import EdgeRecord, NodeRecord


def transition_matrix(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord], stage_order: Sequence[str],
                      *, level: int | None = None) -> dict[str, Any]:
    """Cells ``{area: {"a→b": {"count": n, "refs": [...]}}}`` and the list of gaps.

    ``level`` picks the depth in the area path (0 = Stadt/Landkreis); ``None`` is the leaf.
    """
    by_id = {n.id: n for n in nodes}

    def area_of(node: NodeRecord) -> str:
        path = node.area_path or ((node.area,) if node.area else ())
        if not path:
            return ""
        return path[min(level, len(path) - 1)] if level is not None else path[-1]

    pairs = [(stage_order[i], stage_order[i + 1]) for i in range(len(stage_order) - 1)]
    areas = sorted({area_of(n) for n in nodes if area_of(n)})
    cells: dict[str, dict[str, dict[str, Any]]] = {a: {f"{x}→{y}": {"count": 0, "refs": []} for x, y in pairs}
                                                   for a in areas}
    for edge in edges:
        if edge.layer != "cooperation":
            continue
        a, b = by_id.get(edge.source), by_id.get(edge.target)
        if a is None or b is None:
            continue
        for x, y in pairs:
            if edge.life_stages and not ({x, y} & set(edge.life_stages)):
                continue
            if not ((x in a.life_stages and y in b.life_stages) or (y in a.life_stages and x in b.life_stages)):
                continue
            for area in {area_of(a), area_of(b)} - {""}:
                cell = cells[area][f"{x}→{y}"]
                cell["count"] += 1
                cell["refs"].append(edge.ref)
    gaps = [{"area": area, "transition": key} for area in areas for key, cell in cells[area].items()
            if cell["count"] == 0]
    return {"transitions": [f"{x}→{y}" for x, y in pairs], "areas": areas, "cells": cells, "gaps": gaps}
