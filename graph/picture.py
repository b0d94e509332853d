"""A still picture of the network for reports, drawn from a map spec's server layout.

The Stadtrat report shows the same picture as the map page: positions, colours and sizes come
from the map spec (``graph.maps.actor_map``/``aggregate_map``, laid out by ``graph.layout`` in the
background worker), so no layout is computed while a report is rendered (a spring layout of a
Land's core took minutes). ``from_map`` turns a spec into plain coordinates in a box of width 1
and height ``aspect`` that a PDF writer can draw with its own primitives; ``to_svg`` renders the
same picture for the HTML report. Labels are user text: they are XML-escaped, never interpreted.
Only a few actors are labelled (the brokers, or the largest groups), and a label that would
overlap one already placed is left out, so the picture stays readable in print.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

# Colours of the topic chart (charts.py, pdf.py): Okabe-Ito and Tol, distinguishable with the
# common colour-vision deficiencies.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#882255", "#117733",
           "#332288", "#999933")
LABEL_TOP = 8
LEGEND_MAX = 12
MIN_ASPECT, MAX_ASPECT = 0.35, 1.3


@dataclass(frozen=True)
class PictureNode:
    id: Hashable
    x: float          # 0..1, left to right
    y: float          # 0..aspect, top to bottom
    size: float       # relative radius 0..1
    colour: str       # hex colour of the node's group
    label: str        # "" when not labelled


@dataclass(frozen=True)
class Picture:
    nodes: list[PictureNode]
    edges: list[tuple[float, float, float, float]]  # x1, y1, x2, y2 in the same box
    aspect: float = 1.0                               # height / width of the box
    legend: list[tuple[str, str, int]] = field(default_factory=list)   # label, colour, count
    legend_title: str = ""
    mode: str = "actors"                              # or "aggregate": nodes are groups

    def to_dict(self) -> dict[str, Any]:
        return {"nodes": [[n.id, n.x, n.y, n.size, n.colour, n.label] for n in self.nodes],
                "edges": [list(e) for e in self.edges], "aspect": self.aspect,
                "legend": [list(entry) for entry in self.legend], "legend_title": self.legend_title,
                "mode": self.mode}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Picture:
        return cls(nodes=[PictureNode(*row) for row in data.get("nodes", [])],
                   edges=[tuple(e) for e in data.get("edges", [])],
                   aspect=float(data.get("aspect", 1.0)),
                   legend=[(str(a), str(b), int(c)) for a, b, c in data.get("legend", [])],
                   legend_title=str(data.get("legend_title", "")), mode=str(data.get("mode", "actors")))


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary with "…" (never inside a word)."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:/–-(")
    return (cut or text[:limit - 1]) + "…"


def _overlaps(box: tuple[float, float, float, float], placed: list[tuple[float, float, float, float]]) -> bool:
    x0, y0, x1, y1 = box
    return any(not (x1 < a0 or x0 > a1 or y1 < b0 or y0 > b1) for a0, b0, a1, b1 in placed)


def from_map(spec: Mapping[str, Any], *, label_ids: Iterable[Hashable] = (), label_top: int = LABEL_TOP,
             char_width: float = 0.0085, label_height: float = 0.022) -> Picture:
    """The picture of a map spec. ``label_ids``: the actors to name (the report's brokers); without
    them the ``label_top`` largest nodes are named. ``char_width``/``label_height``: a label's size
    in box units, for leaving out labels that would overlap."""
    nodes = [n for n in spec.get("nodes", []) if "x" in n and "y" in n]
    if not nodes:
        return Picture([], [])
    xs, ys = [float(n["x"]) for n in nodes], [float(n["y"]) for n in nodes]
    x0, y0 = min(xs), min(ys)
    span_x, span_y = max(xs) - x0, max(ys) - y0
    aspect = min(MAX_ASPECT, max(MIN_ASPECT, (span_y / span_x) if span_x else 1.0))
    # as large as fits the box without distortion; the other side is centred
    factors = [f for f in ((1.0 / span_x) if span_x else None, (aspect / span_y) if span_y else None) if f]
    scale = min(factors) if factors else 1.0
    off_x = (1.0 - span_x * scale) / 2
    off_y = (aspect - span_y * scale) / 2
    sizes = [float(n.get("size", 10)) for n in nodes]
    low, high = min(sizes), max(sizes)
    wanted = list(label_ids)
    if not wanted:
        wanted = [n["id"] for n in sorted(nodes, key=lambda n: (-float(n.get("size", 0)), str(n.get("label", ""))))
                  [:label_top]]
    rank = {node_id: i for i, node_id in enumerate(wanted)}
    positions: dict[Hashable, tuple[float, float]] = {}
    result = []
    for node in nodes:
        x = off_x + (float(node["x"]) - x0) * scale
        y = off_y + (float(node["y"]) - y0) * scale
        positions[node["id"]] = (x, y)
        size = (float(node.get("size", 10)) - low) / (high - low) if high > low else 0.5
        name = (node.get("card") or {}).get("name") or node.get("label") or ""
        result.append(PictureNode(id=node["id"], x=round(x, 4), y=round(y, 4), size=round(size, 3),
                                  colour=str(node.get("color") or "#6c757d"), label=str(name)))
    # labels: in rank order, skipping those that would cover one already placed
    placed: list[tuple[float, float, float, float]] = []
    named: dict[Hashable, str] = {}
    for node in sorted((n for n in result if n.id in rank), key=lambda n: rank[n.id]):
        text = shorten(node.label, 40)
        box = (node.x + 0.012, node.y - label_height / 2, node.x + 0.012 + char_width * len(text),
               node.y + label_height / 2)
        if box[2] > 1.0:   # would run off the right edge: put it left of the dot
            box = (node.x - 0.012 - char_width * len(text), box[1], node.x - 0.012, box[3])
        if _overlaps(box, placed):
            continue
        placed.append(box)
        named[node.id] = text
    result = [PictureNode(n.id, n.x, n.y, n.size, n.colour, named.get(n.id, "")) for n in result]
    lines = []
    for edge in spec.get("edges", []):
        a, b = positions.get(edge.get("from")), positions.get(edge.get("to"))
        if a is not None and b is not None:
            lines.append((round(a[0], 4), round(a[1], 4), round(b[0], 4), round(b[1], 4)))
    legend_spec = spec.get("legend") or {}
    legend = [(str(e.get("label") or "–"), str(e.get("color") or "#6c757d"), int(e.get("count") or 0))
              for e in (legend_spec.get("entries") or [])[:LEGEND_MAX]]
    return Picture(result, lines, aspect=round(aspect, 4), legend=legend,
                   legend_title=str(legend_spec.get("title") or ""), mode=str(spec.get("mode") or "actors"))


def to_svg(pic: Picture, *, width: int = 800, title: str = "") -> str:
    """The picture as a standalone SVG element with its legend (no scripts, no styles: safe under
    a strict CSP)."""
    pad = 30
    inner = width - 2 * pad
    legend_rows = -(-len(pic.legend) // 2)
    height = int(pad * 2 + inner * pic.aspect + (40 + 20 * legend_rows if pic.legend else 0))

    def sx(x: float) -> float:
        return round(pad + x * inner, 1)

    def sy(y: float) -> float:
        return round(pad + y * inner, 1)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title, {chr(34): "&quot;"})}" class="network-picture">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    parts.append('<g stroke="#adb5bd" stroke-width="0.8">')
    parts.extend(f'<line x1="{sx(a)}" y1="{sy(b)}" x2="{sx(c)}" y2="{sy(d)}"/>' for a, b, c, d in pic.edges)
    parts.append("</g><g>")
    big = 14 if pic.mode == "aggregate" else 6
    for node in pic.nodes:
        parts.append(f'<circle cx="{sx(node.x)}" cy="{sy(node.y)}" r="{round(3 + big * node.size, 1)}" '
                     f'fill="{escape(node.colour)}" stroke="#fff" stroke-width="0.8"/>')
    parts.append('</g><g font-size="12" font-family="DejaVu Sans, sans-serif" fill="#212529">')
    for node in pic.nodes:
        if node.label:
            parts.append(f'<text x="{sx(node.x) + 8}" y="{sy(node.y) + 4}">{escape(node.label)}</text>')
    parts.append("</g>")
    if pic.legend:
        top = pad + inner * pic.aspect + 34
        parts.append(f'<g font-size="12" font-family="DejaVu Sans, sans-serif" fill="#212529">'
                     f'<text x="{pad}" y="{round(top, 1)}" font-weight="bold">{escape(pic.legend_title)}</text>')
        for i, (label, colour, count) in enumerate(pic.legend):
            x = pad + (i % 2) * inner / 2
            y = top + 20 * (i // 2 + 1)
            parts.append(f'<rect x="{round(x, 1)}" y="{round(y - 10, 1)}" width="12" height="12" '
                         f'fill="{escape(colour)}"/><text x="{round(x + 18, 1)}" y="{round(y, 1)}">'
                         f'{escape(shorten(label, 45))} ({count})</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
