"""Map specifications: what the browser draws, as plain JSON-ready data.

A *map spec* is a dict with ``nodes`` (id, label, group, color, size, x, y and a hover
``card`` of plain strings), ``edges`` (from, to, width), a ``legend`` and ``counts``. The
CRM serves it as JSON and ``crm/static/js/network-map.js`` hands it to vis-network.

Why our own spec and not pyvis's HTML: pyvis loads vis-network and Bootstrap from CDNs
(municipal intranets are offline), renders titles with ``innerHTML`` when they contain
``href`` (script injection) and does not escape its heading. Every string in a spec is
*plain text*: nothing here escapes or formats HTML, and the browser side only ever puts
these strings into the page with ``textContent`` or draws them on the canvas. There is
deliberately no ``title`` key on nodes, so vis-network's own tooltip never renders them.

Two modes:

* ``actors``: one node per actor, positions from :mod:`graph.layout` (computed once on
  the full network of the cut, so nodes keep their places between years).
* ``aggregate``: above ``AGGREGATE_THRESHOLD`` visible actors a browser tab would freeze;
  the map then shows groups (communities or areas) as nodes sized by member count, with
  ties weighted by the ties between the groups. Each group node carries ``drill``, the
  filter that opens that group's own map.
"""
from __future__ import annotations

import math
import zlib
from collections import Counter, defaultdict
from datetime import date
from typing import Any, Hashable, Iterable, Mapping, Sequence

import networkx as nx

from graph.build import build_graph
from graph.layout import Positions, layout
from graph.records import EdgeRecord, NodeRecord

AGGREGATE_THRESHOLD = 1500
LABEL_MAX = 32

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


def actor_map(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord], *,
              positions: Positions | None = None,
              metrics: Mapping[Hashable, Mapping[str, Any]] | None = None,
              community: Mapping[Hashable, int] | None = None,
              community_labels: Mapping[int, str] | None = None,
              color_by: str = "category", size_by: str = "degree", width_by: str = "weight",
              highlight: Iterable[Hashable] = (), seed: int = 42,
              extra_cards: Mapping[Hashable, Sequence[tuple[str, str]]] | None = None) -> dict[str, Any]:
    """One node per actor of ``nodes`` and one edge per pair with ties in ``edges`` (already cut).

    ``metrics`` per actor (the analysis' actor rows) set sizes and the numbers on hover cards;
    missing metrics fall back to the degree in this map. ``positions`` missing for a node
    (or not given at all) are computed here for the nodes in question only.
    ``highlight``: actors drawn with a thick border (the centre of an ego map).
    ``extra_cards``: further (label, value) lines for a hover card, e.g. "Teilnehmende: 3".
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
        positions = layout(graph, seed=seed)
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
        out_nodes.append({
            "id": node_id, "label": short_label(data["label"]), "group": group, "color": color,
            "size": sizes[node_id], "x": x, "y": y, "kind": "actor", "highlight": node_id in highlight,
            "card": {"name": str(data["label"]), "lines": [[str(a), str(b)] for a, b in lines]},
        })
    out_nodes.sort(key=lambda n: str(n["id"]))

    raw_width = {}
    for u, v, data in graph.edges(data=True):
        raw_width[(u, v)] = float(data["weight"] if width_by == "weight" else (data.get("intensity") or 1))
    widths = _scale(raw_width, 1.0, 8.0)
    out_edges = []
    for u, v, data in graph.edges(data=True):
        # kept lean: with the event layer a small region has thousands of ties
        out_edges.append({"from": u, "to": v, "width": widths[(u, v)], "weight": round(float(data["weight"]), 2)})
    out_edges.sort(key=lambda e: (str(e["from"]), str(e["to"])))
    return {
        "mode": "actors", "nodes": out_nodes, "edges": out_edges,
        "legend": {"title": COLOR_LABELS[color_by], "entries": _legend(legend_colors, legend_counts)},
        "settings": {"color_by": color_by, "size_by": size_by, "width_by": width_by,
                     "size_label": METRIC_LABELS[size_by], "width_label": WIDTH_LABELS[width_by]},
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
            "id": key, "label": f"{short_label(meta['label'])} ({size[key]})", "group": meta["label"], "color": color,
            "size": sizes[key], "x": x, "y": y, "kind": "group",
            "drill": {"param": meta["param"], "value": meta["value"]},
            "card": {"name": meta["label"], "lines": [["Akteure", german_number(size[key])],
                                                      ["Verbindungen innerhalb", german_number(inner[key])],
                                                      ["Verbindungen nach außen", german_number(outward[key])]]},
        })
    widths = _scale(dict(between), 1.0, 12.0)
    out_edges = [{"from": a, "to": b, "width": widths[(a, b)], "weight": w}
                 for (a, b), w in sorted(between.items())]
    return {
        "mode": "aggregate", "group_by": group_by, "nodes": out_nodes, "edges": out_edges,
        "legend": {"title": "Gruppen" if group_by == "community" else "Gebiete",
                   "entries": _legend(legend_colors, legend_counts)},
        "settings": {"group_by": group_by, "threshold": threshold},
        "counts": {"nodes": len(out_nodes), "edges": len(out_edges), "actors": len(member)},
    }
