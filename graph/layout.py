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


def _component_layout(graph: nx.Graph, nodes: list[Hashable], seed: int, weight: str | None,
                      spring_limit: int = SPRING_LIMIT) -> Positions:
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
    if n <= spring_limit:
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


def layout(graph: nx.Graph, *, seed: int = 42, scale: float = SCALE, weight: str | None = "weight",
           spring_limit: int = SPRING_LIMIT) -> Positions:
    """Deterministic positions for every node of ``graph`` (keys = node ids, values = x, y).

    Each connected component is laid out on its own and the boxes are packed in rows, largest
    first: a force layout of the whole would push isolated actors to the far rim and squeeze the
    connected landscape into a dot. Node order does not matter (nodes and components are sorted
    by a stable key), so the same network read in another order gives the same picture.
    ``scale`` multiplies all coordinates (1000 = the default spacing). ``spring_limit``: components
    up to this size use networkx's spring layout, larger ones igraph's (a map drawn while a page
    waits, the ego map of a hub, passes a small limit: igraph lays out 500 actors in milliseconds).
    """
    if graph.number_of_nodes() == 0:
        return {}
    components = [sorted(c, key=_sort_key) for c in nx.connected_components(graph)]
    components.sort(key=lambda c: (-len(c), _sort_key(c[0])))
    boxes = []
    for nodes in components:
        local = _component_layout(graph, nodes, seed, weight, spring_limit)
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


RING_GAP = 220.0  # distance between the rings of an ego map


def radial(graph: nx.Graph, centre: Hashable) -> Positions:
    """Concentric rings around ``centre`` for an ego map: the actor in the middle, its partners
    on the first ring, their partners on the second. Linear in the size of the map (an ego map of
    a hub with 600 partners is drawn while the page waits; a force layout takes a noticeable time
    there) and deterministic. On a ring, actors follow the angle of the partner that brought them
    in, then their id, so that whoever works together sits together; a ring's radius grows with its
    number of actors, so neighbours stay ``SPACING`` apart."""
    if centre not in graph:
        return layout(graph)
    depth = nx.single_source_shortest_path_length(graph, centre)
    angle: dict[Hashable, float] = {centre: 0.0}
    positions: Positions = {centre: (0.0, 0.0)}
    rings: dict[int, list[Hashable]] = {}
    for node, d in depth.items():
        if d:
            rings.setdefault(d, []).append(node)
    radius = 0.0
    for d in sorted(rings):
        def parent_angle(node: Hashable, d: int = d) -> tuple[float, tuple[str, str]]:
            inner = [angle[p] for p in graph.adj[node] if depth.get(p) == d - 1 and p in angle]
            return (min(inner) if inner else 0.0, _sort_key(node))

        members = sorted(rings[d], key=parent_angle)
        radius = max(radius + RING_GAP, len(members) * SPACING / (2 * math.pi))
        for i, node in enumerate(members):
            a = 2 * math.pi * i / len(members)
            angle[node] = a
            positions[node] = (round(radius * math.cos(a), 1), round(radius * math.sin(a), 1))
    rest = [n for n in graph if n not in positions]   # not connected to the centre (should not happen)
    for i, node in enumerate(sorted(rest, key=_sort_key)):
        positions[node] = (round(radius + RING_GAP + (i % 10) * SPACING, 1), round((i // 10) * SPACING, 1))
    return positions
