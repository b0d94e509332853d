"""A static picture of the network for reports: seeded positions, then SVG or any other canvas.

The Stadtrat report needs one still image of "who works with whom" that looks the same
every time it is printed, so positions come from a seeded spring layout and are scaled
into a unit square. ``picture`` returns plain coordinates that a PDF writer can draw with
its own primitives; ``to_svg`` renders the same picture for the HTML report. Labels are
user text: they are XML-escaped, never interpreted. Only the ``label_top`` most central
actors are labelled, so the picture stays readable in print.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import networkx as nx

from graph.build import build_graph
from graph.records import EdgeRecord, NodeRecord

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")


@dataclass(frozen=True)
class PictureNode:
    id: Hashable
    x: float          # 0..1, left to right
    y: float          # 0..1, top to bottom
    size: float       # relative radius 0..1 (by degree)
    colour: str       # hex colour of the node's group
    label: str        # "" when not labelled


@dataclass(frozen=True)
class Picture:
    nodes: list[PictureNode]
    edges: list[tuple[float, float, float, float]]  # x1, y1, x2, y2 in the unit square


def picture(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord], *, groups: dict[Hashable, int] | None = None,
            label_ids: Sequence[Hashable] = (), seed: int = 42, iterations: int = 80) -> Picture:
    """Positions for ``nodes`` tied by ``edges`` (already cut). ``groups`` colours nodes by
    community; ``label_ids`` are the actors whose names are printed next to them."""
    graph = build_graph(nodes, edges)
    if graph.number_of_nodes() == 0:
        return Picture([], [])
    pos = _positions(graph, seed, iterations)
    max_degree = max((d for _, d in graph.degree()), default=0) or 1
    labelled = set(label_ids)
    groups = groups or {}
    result = [PictureNode(id=n, x=pos[n][0], y=pos[n][1], size=0.35 + 0.65 * graph.degree(n) / max_degree,
                          colour=PALETTE[groups[n] % len(PALETTE)] if groups.get(n) is not None else "#6c757d",
                          label=str(graph.nodes[n].get("label", n)) if n in labelled else "")
              for n in graph.nodes]
    lines = [(pos[u][0], pos[u][1], pos[v][0], pos[v][1]) for u, v in graph.edges()]
    return Picture(result, lines)


def _fit(raw: dict[Hashable, Any], box: tuple[float, float, float, float]) -> dict[Hashable, tuple[float, float]]:
    """Stretch positions to fill ``box`` (x, y, width, height); a single point sits in its middle."""
    xs, ys = [p[0] for p in raw.values()], [p[1] for p in raw.values()]
    x0, y0 = min(xs), min(ys)
    span_x, span_y = max(xs) - x0, max(ys) - y0
    bx, by, bw, bh = box
    return {n: (bx + ((p[0] - x0) / span_x * bw if span_x else bw / 2),
                by + ((p[1] - y0) / span_y * bh if span_y else bh / 2)) for n, p in raw.items()}


def _positions(graph: nx.Graph, seed: int, iterations: int) -> dict[Hashable, tuple[float, float]]:
    """The largest component fills the upper part; smaller groups and isolated actors sit in a
    grid of small cells along the bottom, so the core is not squeezed by far-flung fragments."""
    parts = sorted((sorted(c, key=str) for c in nx.connected_components(graph)), key=lambda c: (-len(c), str(c[0])))
    core, rest = parts[0], parts[1:]
    core_height = 1.0 if not rest else 0.78
    sub = graph.subgraph(core)
    k = 1.4 / max(len(core), 1) ** 0.5
    raw = (nx.spring_layout(sub, seed=seed, iterations=iterations, k=k, weight=None) if len(core) > 1
           else {core[0]: (0.0, 0.0)})
    pos = _fit(raw, (0.0, 0.0, 1.0, core_height))
    if rest:
        columns = max(8, int(len(rest) ** 0.5 * 2.5))
        rows = -(-len(rest) // columns)
        cell_w, cell_h = 1.0 / columns, (1.0 - core_height - 0.04) / rows
        for index, part in enumerate(rest):
            cx, cy = (index % columns) * cell_w, core_height + 0.04 + (index // columns) * cell_h
            if len(part) == 1:
                pos[part[0]] = (cx + cell_w / 2, cy + cell_h / 2)
                continue
            small = nx.spring_layout(graph.subgraph(part), seed=seed, iterations=iterations)
            pos.update(_fit(small, (cx + cell_w * 0.15, cy + cell_h * 0.15, cell_w * 0.7, cell_h * 0.7)))
    return pos


def to_svg(pic: Picture, *, width: int = 800, height: int = 560, title: str = "") -> str:
    """The picture as a standalone SVG element (no scripts, no styles: safe under a strict CSP)."""
    pad = 40

    def sx(x: float) -> float:
        return round(pad + x * (width - 2 * pad), 1)

    def sy(y: float) -> float:
        return round(pad + y * (height - 2 * pad), 1)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title, {chr(34): "&quot;"})}" class="network-picture">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    parts.append('<g stroke="#adb5bd" stroke-width="0.8">')
    parts.extend(f'<line x1="{sx(a)}" y1="{sy(b)}" x2="{sx(c)}" y2="{sy(d)}"/>' for a, b, c, d in pic.edges)
    parts.append("</g><g>")
    for node in pic.nodes:
        parts.append(f'<circle cx="{sx(node.x)}" cy="{sy(node.y)}" r="{round(3 + 6 * node.size, 1)}" '
                     f'fill="{node.colour}" stroke="#fff" stroke-width="0.8"/>')
    parts.append('</g><g font-size="11" font-family="DejaVu Sans, sans-serif" fill="#212529">')
    for node in pic.nodes:
        if node.label:
            parts.append(f'<text x="{sx(node.x) + 8}" y="{sy(node.y) + 4}">{escape(node.label[:40])}</text>')
    parts.append("</g></svg>")
    return "".join(parts)
