"""Transition coverage: which Übergänge of the Bildungsbiographie are served where.

For consecutive life stages (s_i, s_i+1) of ``stage_order`` a *cooperation* covers the
transition when one actor serves s_i and the other s_i+1 (either way round). If the
cooperation itself names life stages, they must touch {s_i, s_i+1}: a Kita–Grundschule
cooperation tagged only "Sprache für Eltern / Weiterbildung" is not transition work.
Initiative and event ties never count: sharing a working group is not a transition
arrangement.

A cooperation counts for the area of each of its two actors (once if they share it),
read at ``level`` of the area path (0 = Stadt/Landkreis, ``None`` = the leaf area), so
a Kita in Olewig cooperating with a school in Heiligkreuz covers the transition in both
Stadtteile. Empty cells of areas that have actors are the ``gaps``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graph._util import area_at
from graph.records import EdgeRecord, NodeRecord

ARROW = "→"


def transition_keys(stage_order: Sequence[str]) -> list[tuple[str, str]]:
    return [(stage_order[i], stage_order[i + 1]) for i in range(len(stage_order) - 1)]


def transition_matrix(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord], stage_order: Sequence[str],
                      *, level: int | None = None, stage_labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The coverage matrix.

    Returns ``{"transitions": ["a→b", ...], "labels": {"a→b": "A → B"}, "areas": [...],
    "cells": {area: {"a→b": {"count": n, "refs": [...]}}}, "gaps": [{"area", "transition"}],
    "level": level}``; ``labels`` use ``stage_labels`` (code → display name) when given.
    """
    stage_labels = stage_labels or {}
    by_id = {n.id: n for n in nodes}
    pairs = transition_keys(stage_order)
    keys = [f"{x}{ARROW}{y}" for x, y in pairs]
    area_of = {n.id: area_at(n.path, n.area, level) for n in nodes}
    areas = sorted({a for a in area_of.values() if a})
    cells: dict[str, dict[str, dict[str, Any]]] = {a: {k: {"count": 0, "refs": []} for k in keys} for a in areas}
    for edge in edges:
        if edge.layer != "cooperation" or edge.source == edge.target:
            continue
        a, b = by_id.get(edge.source), by_id.get(edge.target)
        if a is None or b is None:
            continue
        a_stages, b_stages, e_stages = set(a.life_stages), set(b.life_stages), set(edge.life_stages)
        tie_areas = sorted({area_of[a.id], area_of[b.id]} - {""})
        if not tie_areas:
            continue
        for (x, y), key in zip(pairs, keys):
            if e_stages and not ({x, y} & e_stages):
                continue
            if not ((x in a_stages and y in b_stages) or (y in a_stages and x in b_stages)):
                continue
            for area in tie_areas:
                cell = cells[area][key]
                cell["count"] += 1
                cell["refs"].append(edge.ref)
    gaps = [{"area": area, "transition": key} for area in areas for key in keys if cells[area][key]["count"] == 0]
    labels = {key: f"{stage_labels.get(x, x)} {ARROW} {stage_labels.get(y, y)}" for (x, y), key in zip(pairs, keys)}
    return {"transitions": keys, "labels": labels, "areas": areas, "cells": cells, "gaps": gaps, "level": level}
