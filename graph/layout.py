"""Server-side node positions for the maps.

Why on the server: vis-network's physics does not settle beyond a few thousand nodes
(measured, DESIGN.md) and freezes the tab while it tries. Positions computed here are
deterministic (same graph, same seed, same picture), so a map can be bookmarked and
compared, and the "as of year" view can reuse the positions of the full network: a
node keeps its place while the network grows around it.

* up to ``SPRING_LIMIT`` nodes: networkx ``spring_layout`` (Fruchterman-Reingold) with a
  seed; small ego and initiative maps look best with it.
* above: igraph's Fruchterman-Reingold with a grid (``layout_fruchterman_reingold``), seeded through
  :func:`graph.engine.seeded_igraph`; tens of thousands of nodes in seconds.

Components are laid out one by one and packed in rows, largest first; isolated actors form
the last rows, visible at a glance ("who is not yet connected"). When one component holds at
least half of the actors it has the first row to itself and the rest line up below it.
"""
from __future__ import annotations

import math
from collections.abc import Hashable

import networkx as nx

from graph.engine import seeded_igraph, to_igraph

SPRING_LIMIT = 400
SPRING_K = 3.0  # optimal distance in networkx's spring_layout, times 1/sqrt(n)
SCALE = 1000.0  # 1000 = coordinates as computed (SPACING between neighbours); other values stretch

Positions = dict[Hashable, tuple[float, float]]


SPACING = 70.0  # pixel-like distance between neighbouring nodes; vis-network zooms the whole to fit
GAP = 80.0
MIN_EXTENT = 600.0  # the smallest width or height of a whole map with more than one node


def _sort_key(node: Hashable) -> tuple[str, str]:
    return (type(node).__name__, str(node))


def _component_layout(graph: nx.Graph, nodes: list[Hashable], seed: int, weight: str | None) -> Positions:
    """One connected component in a box whose side grows with the square root of its size
    (constant density: 1,000 actors are not squeezed into the box of 10), centred on 0,0."""
    n = len(nodes)
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    ordered = nx.Graph()
    ordered.add_nodes_from(nodes)
    sub = graph.subgraph(nodes)
    for u, v, data in sorted(sub.edges(data=True), key=lambda e: (_sort_key(e[0]), _sort_key(e[1]))):
        ordered.add_edge(u, v, weight=float(data.get(weight, 1.0)) if weight else 1.0)
    if n <= SPRING_LIMIT:
        k = SPRING_K / math.sqrt(n)  # more room than networkx's default (1/sqrt(n)): labels fit
        raw = nx.spring_layout(ordered, seed=seed, k=k, iterations=80, weight="weight" if weight else None)
        coords = {node: (float(p[0]), float(p[1])) for node, p in raw.items()}
    else:
        view = to_igraph(ordered)
        with seeded_igraph(seed):
            result = view.graph.layout_fruchterman_reingold(niter=300, grid="auto")
        coords = {node: (float(x), float(y)) for node, (x, y) in zip(view.order, result.coords)}
    xs = [p[0] for p in coords.values()]
    ys = [p[1] for p in coords.values()]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    side = SPACING * 1.6 * math.sqrt(n)
    return {node: ((x - cx) / span * side, (y - cy) / span * side) for node, (x, y) in coords.items()}


def layout(graph: nx.Graph, *, seed: int = 42, scale: float = SCALE, weight: str | None = "weight") -> Positions:
    """Deterministic positions for every node of ``graph`` (keys = node ids, values = x, y).

    Each connected component is laid out on its own and the boxes are packed in rows, largest
    first: a force layout of the whole would push isolated actors to the far rim and squeeze the
    connected landscape into a dot. Node order does not matter (nodes and components are sorted
    by a stable key), so the same network read in another order gives the same picture.
    ``scale`` multiplies all coordinates (1000 = the default spacing).
    """
    if graph.number_of_nodes() == 0:
        return {}
    components = [sorted(c, key=_sort_key) for c in nx.connected_components(graph)]
    components.sort(key=lambda c: (-len(c), _sort_key(c[0])))
    boxes = []
    for nodes in components:
        local = _component_layout(graph, nodes, seed, weight)
        xs = [p[0] for p in local.values()]
        ys = [p[1] for p in local.values()]
        boxes.append((local, max(xs) - min(xs), max(ys) - min(ys), min(xs), min(ys)))
    total = sum((w + GAP) * (h + GAP) for _, w, h, _, _ in boxes)
    if len(components[0]) * 2 >= graph.number_of_nodes():
        # one landscape with a few fragments (the usual case): it gets the first row alone and the
        # fragments line up below it, so the picture is as wide as the landscape and fills the canvas
        row_width = boxes[0][1]
    else:
        row_width = max(boxes[0][1] + GAP, math.sqrt(total) * 1.2)
    positions: Positions = {}
    x = y = row_height = 0.0
    for local, w, h, left, top in boxes:
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height + GAP, 0.0
        for node, (px, py) in local.items():
            positions[node] = (x + px - left, y + py - top)
        x += w + GAP
        row_height = max(row_height, h)
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    extent = max(max(xs) - min(xs), max(ys) - min(ys))
    # a small map is spread to MIN_EXTENT: the browser never zooms in beyond 1:1, and its nodes
    # (up to 40 px wide) would otherwise touch each other in a corner of the canvas
    factor = scale / SCALE * (MIN_EXTENT / extent if 0 < extent < MIN_EXTENT else 1.0)
    return {node: (round((px - cx) * factor, 1), round((py - cy) * factor, 1)) for node, (px, py) in positions.items()}
