"""Map specifications: what the browser draws, as plain JSON-ready data built with pyvis.

A *map spec* is a dict with ``nodes`` and ``edges`` (vis-network's own records, made by
``pyvis.network.Network``), the vis-network ``options`` pyvis produces, a ``legend`` and
``counts``. The CRM serves it as JSON and ``crm/static/js/network-map.js`` hands nodes,
edges and options to the vis-network copy the app ships.

Why pyvis, and how it is used. pyvis is the Python side of vis-network: its ``Network``
holds nodes and edges in exactly the shape vis-network reads, and its options API
(``toggle_physics``, ``toggle_stabilization``, …) writes vis-network's option object. We
use that: every map is a ``Network``; the spec is what ``Network.get_network_data()``
returns. We do *not* use pyvis's HTML (``generate_html``/``write_html``/``show``), because
in pyvis 0.3.2 (DESIGN.md, measured):

* ``cdn_resources='local'`` still loads vis-network from a CDN and ``'in_line'`` still loads
  Bootstrap from one; municipal intranets are offline and our CSP forbids other hosts;
* when any node ``title`` contains ``href`` its template renders titles with ``innerHTML``
  (script injection), and its ``heading`` is not escaped;
* its template is one inline ``<script>``, which our nonce-based CSP would have to allow.

So the data leave pyvis as JSON: the page embeds it with Jinja's ``|tojson`` in a
``<script type="application/json">`` block (``<``, ``>``, ``&`` and quotes escaped, so no
name can close the block) or serves it from the ``.json`` routes; our external script
draws it with textContent and the canvas only. Nodes never get a ``title`` (vis-network's
own HTML tooltip stays unused); hover cards are ``card`` records of plain strings. Every
string in a spec is *plain text*: nothing here escapes or formats HTML.

Two pyvis costs are avoided on purpose: ``Network.add_edge`` compares the new edge with
every edge already added (O(m²); measured here: 6,000 ties 1.1 s, 20,000 ties over 20 s) and
``add_node`` scans a list of ids (5,000 actors 0.14 s), so edges are appended to ``Network.edges``
as pyvis ``Edge`` records and nodes as pyvis ``Node`` records (the same records the two methods
build); pairs are unique already (one edge per pair, from the networkx graph). pyvis imports IPython (0.3 s), so it is
imported when the first map is drawn, not when the app starts.

Two modes:

* ``actors``: one node per actor, positions from :mod:`graph.layout` (computed once on
  the full network of the cut, so nodes keep their places between years). With a change
  window (``change_between``) every edge says whether its tie is new, ended, short-lived
  or kept between the two days, and is drawn accordingly (legend ``ties``).
* ``aggregate``: above ``AGGREGATE_THRESHOLD`` visible actors a browser tab would freeze;
  the map then shows groups (communities or areas) as nodes sized by member count, with
  ties weighted by the ties between the groups. Each group node carries ``drill``, the
  filter that opens that group's own map.

Labels: only the larger nodes get a large font, chosen so that these labels do not overlap;
the browser hides labels whose font would be drawn smaller than a few pixels (vis-network's
``scaling.label.drawThreshold``), so the overview names the main actors and zooming in names
the rest.
"""
from __future__ import annotations

import json
import math
import zlib
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import networkx as nx

from graph.build import build_graph
from graph.cut import tie_exists
from graph.layout import Positions, layout, radial
from graph.records import EdgeRecord, NodeRecord

AGGREGATE_THRESHOLD = 1500
LABEL_MAX = 32
# Label fonts (px at zoom 1): the browser skips labels drawn smaller than its threshold (7 px),
# so at the overview of a region only the large fonts of the main actors show. The large font
# grows with the map, so that it reads at about LABEL_OVERVIEW px when the whole map is fitted
# into a canvas of about VIEW_WIDTH px (the browser caps it at 18 px once zoomed in).
FONT_LARGE = 26
FONT_SMALL = 12
FONT_LARGE_MAX = 160
LABEL_OVERVIEW = 11.0
VIEW_WIDTH = 700.0
LABELLED_SHARE = 0.12
LABELLED_MIN = 12
TYPES_MAX = 4
TIE_COLOR = "#8a94a0"
LAYER_PREFIX = {"cooperation": "", "initiative": "Initiative: ", "event": "Veranstaltung: ", "survey": "Befragung: "}
# Ties of a network survey: named by both sides (confirmed) solid and blue, by one side (reported)
# dashed and orange, so they differ in grey print too; ties only the CRM records stay grey.
SURVEY_STYLES: dict[str, dict[str, Any]] = {
    "confirmed": {"label": "bestätigt (von beiden Seiten genannt)", "color": "#0072B2", "dashes": ()},
    "reported": {"label": "gemeldet (von einer Seite genannt)", "color": "#E69F00", "dashes": (8, 5)},
    "recorded": {"label": "nur im CRM erfasst", "color": "", "dashes": (2, 5)},
}
SURVEY_ORDER = ("confirmed", "reported", "recorded")
# The landscape map with a survey's ties switched on (``Cut.sources``): the CRM's ties stay as they
# always look (solid, grey); confirmed ties are long-dashed and blue, reported ones dotted and orange,
# so the three differ by their line pattern, not by colour alone (WCAG 1.4.1).
SOURCE_STYLES: dict[str, dict[str, Any]] = {
    "confirmed": {"label": "bestätigt (in der Befragung von beiden Seiten genannt)", "color": "#0072B2",
                  "dashes": (12, 6)},
    "reported": {"label": "gemeldet (von einer Seite genannt, nicht im CRM)", "color": "#E69F00",
                 "dashes": (2, 5)},
    "recorded": {"label": "im CRM erfasst", "color": "", "dashes": ()},
}
SOURCE_TITLE = "Quelle der Verbindungen"
# Change between two days: Okabe-Ito colours, and dashes that tell ended ties apart in grey print too.
CHANGE_STYLES: dict[str, dict[str, Any]] = {
    "new": {"label": "neu im Zeitraum", "color": "#009E73", "dashes": ()},
    "ended": {"label": "im Zeitraum beendet", "color": "#D55E00", "dashes": (8, 5)},
    "short": {"label": "im Zeitraum begonnen und beendet", "color": "#E69F00", "dashes": (2, 5)},
    "kept": {"label": "an beiden Tagen bestehend", "color": "", "dashes": ()},
}
CHANGE_ORDER = ("new", "ended", "short", "kept")

COLOR_BY = ("category", "community", "area")
SIZE_BY = ("degree", "strength", "betweenness", "pagerank", "eigenvector", "closeness")
WIDTH_BY = ("weight", "intensity")
GROUP_BY = ("community", "area")

COLOR_LABELS = {"category": "Akteursgruppe", "community": "Gruppe (Community)", "area": "Gebiet"}
METRIC_LABELS = {"degree": "Verbindungen (Grad)", "strength": "Stärke", "betweenness": "Vermittlung (Betweenness)",
                 "pagerank": "PageRank", "eigenvector": "Eigenvektor", "closeness": "Nähe (Closeness)"}
WIDTH_LABELS = {"weight": "Gewicht", "intensity": "Intensität"}

# Paul Tol's "muted" and "bright" schemes plus Okabe-Ito: distinguishable with the common
# colour-vision deficiencies and readable with white borders on a light background.
PALETTE = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255",
           "#AA4499", "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#4477AA",
           "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB")
OTHER_COLOR = "#BBBBBB"
# The categories of the seeded vocabulary get fixed colours, so "Schule" is the same blue on every map.
CATEGORY_COLORS = {"Kita": "#E69F00", "Schule": "#0072B2", "Hochschule": "#332288", "Weiterbildung": "#009E73",
                   "Wirtschaft": "#D55E00", "Zivilgesellschaft": "#CC79A7", "Kultur": "#56B4E9",
                   "Verwaltung": "#999933", "Einzelperson": "#882255", "Arbeitsmarkt": "#44AA99",
                   "Stiftung": "#DDCC77", "Jugendhilfe": "#117733"}


def stable_color(key: str) -> str:
    """A palette colour chosen by the text itself (CRC32, not Python's salted ``hash``): the same
    area has the same colour today, tomorrow and on every worker."""
    if key in CATEGORY_COLORS:
        return CATEGORY_COLORS[key]
    if not key:
        return OTHER_COLOR
    return PALETTE[zlib.crc32(key.encode("utf-8")) % (len(PALETTE) - 1)]


def community_color(community: int | None) -> str:
    if community is None or community < 0:
        return OTHER_COLOR
    return PALETTE[community % (len(PALETTE) - 1)]


def short_label(text: str, limit: int = LABEL_MAX) -> str:
    """Canvas labels are cut so a map stays readable; the hover card shows the full name."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def german_number(value: float | int | None, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 1:
        return f"{int(value):,}".replace(",", ".")
    return f"{value:.{digits}f}".replace(".", ",")


def _scale(values: Mapping[Hashable, float], low: float, high: float) -> dict[Hashable, float]:
    """Square-root scaling (area grows with the value, as the eye reads circles) into [low, high]."""
    if not values:
        return {}
    top = max(values.values())
    if top <= 0:
        return {k: low for k in values}
    return {k: round(low + (high - low) * math.sqrt(max(v, 0.0) / top), 2) for k, v in values.items()}


def _check(value: str, allowed: Sequence[str], name: str) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; expected one of {', '.join(allowed)}")
    return value


def years(edges: Iterable[EdgeRecord], today: date | None = None) -> list[int]:
    """The years a time slider offers: from the first dated tie to this year (or the last tie)."""
    starts = [e.start.year for e in edges if e.start is not None]
    if not starts:
        return []
    last = (today or date.today()).year
    last = max(last, max(starts)) if today is None else last
    return list(range(min(starts), max(last, min(starts)) + 1))


def ego_ids(graph: nx.Graph, centre: Hashable, steps: int = 1) -> set[Hashable]:
    """The actor and everyone within ``steps`` ties (1 or 2)."""
    if centre not in graph:
        return set()
    return set(nx.single_source_shortest_path_length(graph, centre, cutoff=steps))


def _legend(entries: Mapping[str, str], counts: Mapping[str, int]) -> list[dict[str, Any]]:
    return [{"label": label or "ohne Angabe", "color": color, "count": counts.get(label, 0)}
            for label, color in sorted(entries.items(), key=lambda kv: (-counts.get(kv[0], 0), kv[0]))]


def _label_fonts(sizes: Mapping[Hashable, float], positions: Mapping[Hashable, tuple[float, float]],
                 labels: Mapping[Hashable, str]) -> dict[Hashable, int]:
    """Font size per node: the largest nodes (a share, at least ``LABELLED_MIN``) get the large
    font, the rest the small one, which the browser only draws once the map is zoomed in.

    Large labels must not overlap: a node whose label box (drawn under the dot, about 0.55 em
    per character) would collide with one already chosen is skipped for the next largest, so
    the overview of a dense core names a few of its hubs legibly instead of all of them on top
    of each other. Small maps (up to ``LABELLED_MIN`` nodes) name every node at once.
    """
    if not sizes:
        return {}
    xs, ys = [positions[k][0] for k in sizes], [positions[k][1] for k in sizes]
    overview = LABEL_OVERVIEW * max(max(xs) - min(xs), max(ys) - min(ys), 1.0) / VIEW_WIDTH
    if len(sizes) <= LABELLED_MIN:
        font = int(min(FONT_LARGE_MAX, max(FONT_SMALL, overview)))
        return {k: font for k in sizes}
    large = int(min(FONT_LARGE_MAX, max(FONT_LARGE, overview)))
    count = max(LABELLED_MIN, math.ceil(len(sizes) * LABELLED_SHARE))
    boxes: list[tuple[float, float, float, float]] = []   # centre x, centre y, half width, half height
    big: set[Hashable] = set()
    floor = min(sizes.values()) if max(sizes.values()) > min(sizes.values()) else None
    for key in sorted(sizes, key=lambda k: (-sizes[k], str(k))):
        if len(big) == count or sizes[key] == floor:  # the smallest nodes are named when zoomed in
            break
        x, y = positions[key]
        box = (x, y + sizes[key] + large * 0.6, len(labels[key]) * large * 0.3, large * 0.6)
        if any(abs(box[0] - b[0]) < box[2] + b[2] and abs(box[1] - b[1]) < box[3] + b[3] for b in boxes):
            continue
        boxes.append(box)
        big.add(key)
    return {k: large if k in big else FONT_SMALL for k in sizes}


def pyvis_data(nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Nodes, edges and vis-network options through ``pyvis.network.Network`` (module docstring).

    ``nodes`` need ``id`` and ``label``; every other key is kept on the node record (vis-network
    reads what it knows, the CRM's script reads ``card``, ``url``, ``drill``; ``group`` is the
    legend entry, which the script does not hand to vis-network as a vis group). A ``title``
    is refused: vis-network would render it as HTML.
    """
    from pyvis.edge import Edge
    from pyvis.network import Network
    from pyvis.node import Node

    net = Network(directed=False, cdn_resources="local")  # never asked for HTML, see the module docstring
    net.toggle_physics(False)                # positions come from the server
    net.toggle_stabilization(False)
    net.toggle_hide_edges_on_drag(True)      # panning a large map stays smooth
    net.inherit_edge_colors(False)           # ties are grey, or coloured by their change
    net.options.edges.smooth.enabled = False  # straight ties; pyvis has no call that switches curves off
    for node in nodes:
        fields = dict(node)
        if "title" in fields:
            raise ValueError("map nodes carry no title: vis-network renders titles as HTML")
        node_id, label = fields.pop("id"), fields.pop("label")
        record = Node(node_id, fields.pop("shape", "dot"), label=label or str(node_id), **fields).options
        net.nodes.append(record)
        net.node_ids.append(node_id)
        net.node_map[node_id] = record
    for edge in edges:
        fields = dict(edge)
        if "title" in fields:
            raise ValueError("map edges carry no title: vis-network renders titles as HTML")
        net.edges.append(Edge(fields.pop("from"), fields.pop("to"), net.directed, **fields).options)
    vis_nodes, vis_edges, _heading, _height, _width, options = net.get_network_data()
    return {"nodes": vis_nodes, "edges": vis_edges, "options": json.loads(options)}


def tie_change(ties: Iterable[EdgeRecord], then: date, now: date) -> str:
    """How the ties between one pair of actors changed from ``then`` to ``now`` (as
    :mod:`graph.change` counts ties): ``kept`` when they were tied on both days, ``new`` when
    only on the later one, ``ended`` when only on the earlier one, ``short`` when their tie
    began and ended in between (tied on neither day)."""
    on_then = on_now = False
    for tie in ties:
        on_then = on_then or tie_exists(tie, then)
        on_now = on_now or tie_exists(tie, now)
    if on_then and on_now:
        return "kept"
    if on_now:
        return "new"
    return "ended" if on_then else "short"


def _tie_types(ties: Iterable[EdgeRecord], index: dict[str, int]) -> tuple[list[int], int]:
    """What a tie consists of, for its hover card (cooperation types, initiatives, events): at most
    ``TYPES_MAX`` positions in the spec's ``tie_types`` list, and how many more there are. Positions,
    not names: with the event layer a region has thousands of ties over the same few events."""
    names = sorted({LAYER_PREFIX.get(t.layer, "") + t.type for t in ties if t.type})
    return [index.setdefault(name, len(index)) for name in names[:TYPES_MAX]], max(0, len(names) - TYPES_MAX)


def _pattern(dashes: Sequence[int]) -> str:
    """How the legend draws a line: ``solid``, ``dashed`` (long dashes) or ``dotted`` (short ones)."""
    if not dashes:
        return "solid"
    return "dotted" if dashes[0] <= 3 else "dashed"


def tie_sources(edges: Iterable[EdgeRecord]) -> dict[frozenset[Hashable], str]:
    """Per pair of actors, where its ties come from: ``confirmed`` if a survey's confirmed tie is among
    them, else ``reported`` if a reported one is, else ``recorded`` (for ``actor_map``'s ``tie_status``)."""
    rank = {"confirmed": 0, "reported": 1, "recorded": 2}
    found: dict[frozenset[Hashable], str] = {}
    for edge in edges:
        pair = frozenset((edge.source, edge.target))
        origin = edge.origin if edge.origin in rank else "recorded"
        if pair not in found or rank[origin] < rank[found[pair]]:
            found[pair] = origin
    return found


def actor_map(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord], *,
              positions: Positions | None = None,
              metrics: Mapping[Hashable, Mapping[str, Any]] | None = None,
              community: Mapping[Hashable, int] | None = None,
              community_labels: Mapping[int, str] | None = None,
              color_by: str = "category", size_by: str = "degree", width_by: str = "weight",
              highlight: Iterable[Hashable] = (), seed: int = 42,
              extra_cards: Mapping[Hashable, Sequence[tuple[str, str]]] | None = None,
              change_between: tuple[date, date] | None = None, spring_limit: int | None = None,
              centre: Hashable | None = None,
              tie_status: Mapping[frozenset[Hashable], str] | None = None,
              tie_styles: Mapping[str, Mapping[str, Any]] | None = None,
              ties_title: str = "Befragung und CRM") -> dict[str, Any]:
    """One node per actor of ``nodes`` and one edge per pair with ties in ``edges`` (already cut).

    ``metrics`` per actor (the analysis' actor rows) set sizes and the numbers on hover cards;
    missing metrics fall back to the degree in this map. ``positions`` missing for a node
    (or not given at all) are computed here for the nodes in question only.
    ``highlight``: actors drawn with a thick border (the centre of an ego map).
    ``extra_cards``: further (label, value) lines for a hover card, e.g. "Teilnehmende: 3".
    ``change_between``: (then, now); each edge gets ``change`` (:func:`tie_change`), a colour
    and dashes, and the legend gets ``ties``. ``spring_limit``: see :func:`graph.layout.layout`.
    ``centre``: an ego map: without ``positions`` the actors are laid out in rings around it
    (:func:`graph.layout.radial`).
    ``tie_status``: per pair of actors, ``confirmed``, ``reported`` or ``recorded`` (a network
    survey's ties against the CRM's): each edge gets ``status``, the colour and dashes of
    :data:`SURVEY_STYLES` (or of ``tie_styles``, e.g. :data:`SOURCE_STYLES`), and the legend gets
    ``ties`` titled ``ties_title`` (used instead of ``change_between``).
    """
    _check(color_by, COLOR_BY, "color_by")
    _check(size_by, SIZE_BY, "size_by")
    _check(width_by, WIDTH_BY, "width_by")
    graph = build_graph(nodes, edges)
    metrics = metrics or {}
    community = community or {}
    community_labels = community_labels or {}
    highlight = set(highlight)

    positions = dict(positions or {})
    missing = [n for n in graph.nodes if n not in positions]
    if len(missing) == graph.number_of_nodes():
        if centre is not None and centre in graph:
            positions = radial(graph, centre)
        elif spring_limit is None:
            positions = layout(graph, seed=seed)
        else:
            positions = layout(graph, seed=seed, spring_limit=spring_limit)
    elif missing:
        # Actors the shared layout does not know (created since): on the rim, so the known picture stays.
        known = [positions[n] for n in graph.nodes if n in positions]
        radius = max((math.hypot(x, y) for x, y in known), default=0.0) + 150.0
        for i, node in enumerate(sorted(missing, key=str)):
            angle = 2 * math.pi * i / len(missing)
            positions[node] = (round(radius * math.cos(angle), 1), round(radius * math.sin(angle), 1))

    def metric(node: Hashable, name: str) -> float:
        row = metrics.get(node)
        if row is not None and row.get(name) is not None:
            return float(row[name])
        if name == "degree":
            return float(graph.degree(node))
        if name == "strength":
            return float(graph.degree(node, weight="weight"))
        return 0.0

    sizes = _scale({n: metric(n, size_by) for n in graph.nodes}, 10.0, 40.0)
    fonts = _label_fonts(sizes, positions, {n: short_label(d["label"]) for n, d in graph.nodes(data=True)})
    legend_colors: dict[str, str] = {}
    legend_counts: Counter[str] = Counter()
    out_nodes = []
    for node_id, data in graph.nodes(data=True):
        if color_by == "category":
            group = data["category"] or data["kind"] or ""
            color = stable_color(group)
        elif color_by == "area":
            group = data["area"] or ""
            color = stable_color(group)
        else:
            cid = community.get(node_id)
            group = community_labels.get(cid, f"Gruppe {cid + 1}") if cid is not None else ""
            color = community_color(cid)
        legend_colors[group] = color
        legend_counts[group] += 1
        lines = [("Art", data["kind"] or "–"), ("Gebiet", " › ".join(data["area_path"]) or "–")]
        if community.get(node_id) is not None:
            lines.append(("Gruppe", community_labels.get(community[node_id], str(community[node_id]))))
        for name in ("degree", "betweenness", "pagerank"):
            lines.append((METRIC_LABELS[name], german_number(metric(node_id, name))))
        if size_by not in ("degree", "betweenness", "pagerank"):
            lines.append((METRIC_LABELS[size_by], german_number(metric(node_id, size_by))))
        lines.extend((extra_cards or {}).get(node_id, ()))
        x, y = positions[node_id]
        strong = node_id in highlight
        out_nodes.append({
            "id": node_id, "label": short_label(data["label"]), "shape": "dot", "color": color,
            "borderWidth": 4 if strong else 1, "size": sizes[node_id], "font": {"size": fonts[node_id]},
            "x": x, "y": y, "kind": "actor", "group": group, "highlight": strong,
            "card": {"name": str(data["label"]), "lines": [[str(a), str(b)] for a, b in lines]},
        })
    out_nodes.sort(key=lambda n: str(n["id"]))

    ties_of: dict[frozenset[Hashable], list[EdgeRecord]] = defaultdict(list)
    for edge in edges:
        if edge.source != edge.target:
            ties_of[frozenset((edge.source, edge.target))].append(edge)
    raw_width: dict[Hashable, float] = {}
    for u, v, data in graph.edges(data=True):
        raw_width[(u, v)] = float(data["weight"] if width_by == "weight" else (data.get("intensity") or 1))
    widths = _scale(raw_width, 1.0, 8.0)
    styles = tie_styles or SURVEY_STYLES
    changes: Counter[str] = Counter()
    type_index: dict[str, int] = {}
    out_edges = []
    for u, v, data in graph.edges(data=True):
        ties = ties_of.get(frozenset((u, v)), [])
        # kept lean: with the event layer a small region has thousands of ties
        types, more = _tie_types(ties, type_index)
        record: dict[str, Any] = {"from": u, "to": v, "width": widths[(u, v)],
                                  "weight": round(float(data["weight"]), 2), "types": types}
        if more:
            record["more_types"] = more
        if tie_status is not None:
            status = tie_status.get(frozenset((u, v)), "recorded")
            status = status if status in styles else "recorded"
            changes[status] += 1
            record["status"] = status
            survey_style = styles[status]
            if survey_style["color"]:
                record["color"] = survey_style["color"]
            if survey_style["dashes"]:
                record["dashes"] = list(survey_style["dashes"])
        elif change_between is not None:
            state = tie_change(ties, *change_between)
            changes[state] += 1
            record["change"] = state
            style = CHANGE_STYLES[state]
            if style["color"]:
                record["color"] = style["color"]
            if style["dashes"]:
                record["dashes"] = list(style["dashes"])
        out_edges.append(record)
    out_edges.sort(key=lambda e: (str(e["from"]), str(e["to"])))
    legend: dict[str, Any] = {"title": COLOR_LABELS[color_by], "entries": _legend(legend_colors, legend_counts)}
    if tie_status is not None:
        legend["ties"] = [{"key": key, "label": styles[key]["label"], "color": styles[key]["color"] or TIE_COLOR,
                           "dashed": bool(styles[key]["dashes"]), "pattern": _pattern(styles[key]["dashes"]),
                           "count": changes[key]}
                          for key in SURVEY_ORDER if changes[key]]
        legend["ties_title"] = ties_title
    elif change_between is not None:
        legend["ties"] = [{"key": key, "label": CHANGE_STYLES[key]["label"],
                           "color": CHANGE_STYLES[key]["color"] or TIE_COLOR,
                           "dashed": bool(CHANGE_STYLES[key]["dashes"]), "count": changes[key]}
                          for key in CHANGE_ORDER if changes[key]]
    return {
        "mode": "actors", **pyvis_data(out_nodes, out_edges), "legend": legend,
        "settings": {"color_by": color_by, "size_by": size_by, "width_by": width_by,
                     "size_label": METRIC_LABELS[size_by], "width_label": WIDTH_LABELS[width_by]},
        "tie_types": sorted(type_index, key=type_index.__getitem__),
        "change": None if change_between is None else {"then": change_between[0].isoformat(),
                                                        "now": change_between[1].isoformat()},
        "counts": {"nodes": len(out_nodes), "edges": len(out_edges)},
    }


def group_membership(nodes: Sequence[NodeRecord], group_by: str, community: Mapping[Hashable, int] | None = None,
                     community_labels: Mapping[int, str] | None = None,
                     ) -> tuple[dict[Hashable, str], dict[str, dict[str, str]]]:
    """Which group each actor belongs to (key as text) and, per group, its label and drill-down filter."""
    _check(group_by, GROUP_BY, "group_by")
    member: dict[Hashable, str] = {}
    info: dict[str, dict[str, str]] = {}
    for node in nodes:
        if group_by == "area":
            area = node.area or ""
            key = f"area:{area}"
            info.setdefault(key, {"label": area or "ohne Gebiet", "param": "areas", "value": area})
        else:
            cid = (community or {}).get(node.id)
            key = f"community:{cid}"
            label = (community_labels or {}).get(cid, f"Gruppe {cid + 1}") if cid is not None else "ohne Gruppe"
            info.setdefault(key, {"label": label, "param": "community", "value": "" if cid is None else str(cid)})
        member[node.id] = key
    return member, info


def aggregate_map(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord], *, group_by: str = "community",
                  community: Mapping[Hashable, int] | None = None,
                  community_labels: Mapping[int, str] | None = None, seed: int = 42,
                  threshold: int = AGGREGATE_THRESHOLD) -> dict[str, Any]:
    """Groups as nodes (sized by member count) and ties between groups (width by the number of
    actor ties between them); ties inside a group are counted on the group's card."""
    member, info = group_membership(nodes, group_by, community, community_labels)
    size: Counter[str] = Counter(member.values())
    inner: Counter[str] = Counter()
    between: dict[tuple[str, str], float] = defaultdict(float)
    pair_seen: set[tuple[Hashable, Hashable]] = set()
    for edge in edges:
        a, b = member.get(edge.source), member.get(edge.target)
        if a is None or b is None or edge.source == edge.target:
            continue
        pair = (min(edge.source, edge.target, key=str), max(edge.source, edge.target, key=str))
        if pair in pair_seen:
            continue
        pair_seen.add(pair)
        if a == b:
            inner[a] += 1
        else:
            between[(min(a, b), max(a, b))] += 1.0
    g = nx.Graph()
    g.add_nodes_from(size)
    for (a, b), w in between.items():
        g.add_edge(a, b, weight=w)
    positions = layout(g, seed=seed, weight="weight", scale=2500.0)  # group circles are up to 120 px wide
    sizes = _scale({k: float(v) for k, v in size.items()}, 12.0, 60.0)
    fonts = _label_fonts(sizes, positions, {k: f"{short_label(info[k]['label'])} ({size[k]})" for k in size})
    outward: Counter[str] = Counter()
    for (a, b), w in between.items():
        outward[a] += int(w)
        outward[b] += int(w)
    out_nodes = []
    legend_colors, legend_counts = {}, {}
    for key in sorted(size, key=lambda k: (-size[k], k)):
        meta = info[key]
        color = (community_color(int(meta["value"])) if meta["param"] == "community" and meta["value"]
                 else stable_color(meta["value"]))
        legend_colors[meta["label"]] = color
        legend_counts[meta["label"]] = size[key]
        x, y = positions[key]
        out_nodes.append({
            "id": key, "label": f"{short_label(meta['label'])} ({size[key]})", "shape": "dot",
            "color": color, "borderWidth": 1, "size": sizes[key], "font": {"size": fonts[key]},
            "x": x, "y": y, "kind": "group", "group": meta["label"],
            "drill": {"param": meta["param"], "value": meta["value"]},
            "card": {"name": meta["label"], "lines": [["Akteure", german_number(size[key])],
                                                      ["Verbindungen innerhalb", german_number(inner[key])],
                                                      ["Verbindungen nach außen", german_number(outward[key])]]},
        })
    widths = _scale({pair: float(w) for pair, w in between.items()}, 1.0, 12.0)
    out_edges = [{"from": a, "to": b, "width": widths[(a, b)], "weight": w}
                 for (a, b), w in sorted(between.items())]
    return {
        "mode": "aggregate", "group_by": group_by, **pyvis_data(out_nodes, out_edges),
        "legend": {"title": "Gruppen" if group_by == "community" else "Gebiete",
                   "entries": _legend(legend_colors, legend_counts)},
        "settings": {"group_by": group_by, "threshold": threshold},
        "counts": {"nodes": len(out_nodes), "edges": len(out_edges), "actors": len(member)},
    }
