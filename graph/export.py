"""Exports of a landscape (actors and their ties) for Gephi, yEd/Cytoscape and Kumu.

Every record is written as it is: one GEXF/GraphML edge or Kumu connection per tie
record (parallel ties are kept, not collapsed), with weight, dates, layer, type, topics,
life stages, intensity and ref, so ``graph.importers`` reads back every actor, tie,
weight and date (tested round trips).

User text is hostile. XML is written with ``xml.etree`` (which escapes markup in text
and attributes); characters that XML 1.0 cannot carry at all (most control characters)
are removed rather than written as invalid XML. In XLSX, text that a spreadsheet would
run as a formula (starting with = + - @, tab or carriage return) is prefixed with a single
quote ``'`` (OWASP "CSV injection"); a leading quote is doubled so the importer can undo
exactly this prefix. JSON needs no more than the json module's escaping.

We write GEXF ourselves instead of networkx's ``write_gexf`` (bugs with time attributes
and list values, DESIGN.md) and GraphML ourselves to keep per-edge ``directed`` and
typed keys. Lists are joined with "|" (Kumu's convention for multi-value cells).
"""
from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from graph.records import EdgeRecord, NodeRecord

GEXF_NS = "http://gexf.net/1.3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
SEPARATOR = "|"

NODE_FIELDS: tuple[tuple[str, str], ...] = (
    ("kind", "string"), ("category", "string"), ("area", "string"), ("area_path", "string"),
    ("topics", "string"), ("life_stages", "string"), ("active", "boolean"))
EDGE_FIELDS: tuple[tuple[str, str], ...] = (
    ("layer", "string"), ("type", "string"), ("topics", "string"), ("life_stages", "string"),
    ("intensity", "integer"), ("ref", "string"))
RESERVED = {"label", "id", "weight", "start", "end", "directed"} | {n for n, _ in NODE_FIELDS} | {
    n for n, _ in EDGE_FIELDS}

# Kumu field names (German: Kumu shows custom field names as they are to the office).
KUMU_ELEMENT_FIELDS = {"category": "Kategorie", "area": "Gebiet", "area_path": "Gebietspfad",
                       "life_stages": "Bildungsphasen", "active": "Aktiv"}
KUMU_CONNECTION_FIELDS = {"layer": "Ebene", "start": "Beginn", "end": "Ende", "life_stages": "Bildungsphasen",
                          "intensity": "Intensität", "ref": "Referenz"}

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def xml_text(value: Any) -> str:
    """Text XML 1.0 can carry: invalid control characters and lone surrogates removed."""
    return _INVALID_XML.sub("", str(value))


def join(values: Iterable[Any]) -> str:
    return SEPARATOR.join(str(v) for v in values)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _extra_attrs(nodes: Sequence[NodeRecord]) -> list[str]:
    names: dict[str, None] = {}
    for node in nodes:
        for key, value in node.attrs.items():
            if value is not None and str(key) not in RESERVED:
                names.setdefault(str(key), None)
    return list(names)


def _node_values(node: NodeRecord) -> dict[str, str]:
    return {"kind": node.kind, "category": node.category, "area": node.area, "area_path": join(node.path),
            "topics": join(node.topics), "life_stages": join(node.life_stages),
            "active": "true" if node.active else "false"}


def _edge_values(edge: EdgeRecord) -> dict[str, str]:
    values = {"layer": edge.layer, "type": edge.type, "topics": join(edge.topics),
              "life_stages": join(edge.life_stages), "ref": edge.ref}
    if edge.intensity is not None:
        values["intensity"] = str(int(edge.intensity))
    return values


_NMTOKEN = re.compile(r"^[\w.:-]+$")


def _edge_ids(edges: Sequence[EdgeRecord]) -> list[str]:
    """The refs when they are unique XML name tokens ("cooperation:17"), else e0, e1, …"""
    refs = [e.ref for e in edges]
    usable = len(set(refs)) == len(refs) and all(_NMTOKEN.match(r) for r in refs)
    return [e.ref if usable else f"e{i}" for i, e in enumerate(edges)]


def _number(value: float) -> str:
    return repr(float(value))


def _check(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord]) -> None:
    ids = [n.id for n in nodes]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate actor ids")
    known = set(ids)
    for edge in edges:
        if edge.source not in known or edge.target not in known:
            raise ValueError(f"tie {edge.ref or (edge.source, edge.target)} refers to an actor not exported")


def _xml_bytes(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    data: bytes = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    return data


# --- GEXF ----------------------------------------------------------------------------------

def to_gexf(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord], *, title: str = "Bildungsnetz",
            last_modified: date | None = None) -> bytes:
    """GEXF 1.3, ``mode="dynamic"``, ``timeformat="date"``: each tie carries ``start``/``end``
    (open ends omitted), its weight, ``type="directed"`` for directed ties, its type as label
    and layer/type/topics/life stages/intensity/ref as declared attributes."""
    _check(nodes, edges)
    ET.register_namespace("", GEXF_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(f"{{{GEXF_NS}}}gexf", {"version": "1.3",
                                             f"{{{XSI_NS}}}schemaLocation": f"{GEXF_NS} {GEXF_NS}/gexf.xsd"})
    meta = ET.SubElement(root, f"{{{GEXF_NS}}}meta")
    if last_modified is not None:
        meta.set("lastmodifieddate", last_modified.isoformat())
    ET.SubElement(meta, f"{{{GEXF_NS}}}creator").text = "Bildungsnetz"
    ET.SubElement(meta, f"{{{GEXF_NS}}}description").text = xml_text(title)
    graph = ET.SubElement(root, f"{{{GEXF_NS}}}graph", {"mode": "dynamic", "defaultedgetype": "undirected",
                                                        "timeformat": "date"})
    extra = _extra_attrs(nodes)
    node_attrs = ET.SubElement(graph, f"{{{GEXF_NS}}}attributes", {"class": "node"})
    for name, kind in NODE_FIELDS:
        ET.SubElement(node_attrs, f"{{{GEXF_NS}}}attribute", {"id": name, "title": name, "type": kind})
    for i, name in enumerate(extra):
        ET.SubElement(node_attrs, f"{{{GEXF_NS}}}attribute", {"id": f"x{i}", "title": xml_text(name),
                                                              "type": "string"})
    edge_attrs = ET.SubElement(graph, f"{{{GEXF_NS}}}attributes", {"class": "edge"})
    for name, kind in EDGE_FIELDS:
        ET.SubElement(edge_attrs, f"{{{GEXF_NS}}}attribute", {"id": name, "title": name, "type": kind})
    node_list = ET.SubElement(graph, f"{{{GEXF_NS}}}nodes")
    for node in nodes:
        element = ET.SubElement(node_list, f"{{{GEXF_NS}}}node", {"id": str(node.id), "label": xml_text(node.label)})
        values = ET.SubElement(element, f"{{{GEXF_NS}}}attvalues")
        for name, value in _node_values(node).items():
            if value != "":
                ET.SubElement(values, f"{{{GEXF_NS}}}attvalue", {"for": name, "value": xml_text(value)})
        for i, name in enumerate(extra):
            extra_value = node.attrs.get(name)
            if extra_value is not None:
                ET.SubElement(values, f"{{{GEXF_NS}}}attvalue", {"for": f"x{i}", "value": xml_text(extra_value)})
    edge_list = ET.SubElement(graph, f"{{{GEXF_NS}}}edges")
    for edge, edge_id in zip(edges, _edge_ids(edges)):
        attrs = {"id": edge_id, "source": str(edge.source), "target": str(edge.target),
                 "weight": _number(edge.weight)}
        if edge.directed:
            attrs["type"] = "directed"
        if edge.type:
            attrs["label"] = xml_text(edge.type)
        if edge.start is not None:
            attrs["start"] = edge.start.isoformat()
        if edge.end is not None:
            attrs["end"] = edge.end.isoformat()
        element = ET.SubElement(edge_list, f"{{{GEXF_NS}}}edge", attrs)
        values = ET.SubElement(element, f"{{{GEXF_NS}}}attvalues")
        for name, value in _edge_values(edge).items():
            if value != "":
                ET.SubElement(values, f"{{{GEXF_NS}}}attvalue", {"for": name, "value": xml_text(value)})
    return _xml_bytes(root)


# --- GraphML -------------------------------------------------------------------------------

_GRAPHML_TYPES = {"string": "string", "boolean": "boolean", "integer": "int", "double": "double"}


def to_graphml(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord]) -> bytes:
    """GraphML with typed keys; ``edgedefault="undirected"`` and ``directed="true"`` on
    directed ties (GraphML's per-edge override); dates as ISO strings ``start``/``end``."""
    _check(nodes, edges)
    ET.register_namespace("", GRAPHML_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(f"{{{GRAPHML_NS}}}graphml", {
        f"{{{XSI_NS}}}schemaLocation": f"{GRAPHML_NS} {GRAPHML_NS}/1.0/graphml.xsd"})
    extra = _extra_attrs(nodes)
    node_keys = [("label", "string"), *NODE_FIELDS]
    for name, kind in node_keys:
        ET.SubElement(root, f"{{{GRAPHML_NS}}}key", {"id": f"n_{name}", "for": "node", "attr.name": name,
                                                     "attr.type": _GRAPHML_TYPES[kind]})
    for i, name in enumerate(extra):
        ET.SubElement(root, f"{{{GRAPHML_NS}}}key", {"id": f"n_x{i}", "for": "node", "attr.name": xml_text(name),
                                                     "attr.type": "string"})
    edge_keys = [("weight", "double"), ("start", "string"), ("end", "string"), *EDGE_FIELDS]
    for name, kind in edge_keys:
        ET.SubElement(root, f"{{{GRAPHML_NS}}}key", {"id": f"e_{name}", "for": "edge", "attr.name": name,
                                                     "attr.type": _GRAPHML_TYPES[kind]})
    graph = ET.SubElement(root, f"{{{GRAPHML_NS}}}graph", {"id": "Bildungsnetz", "edgedefault": "undirected"})

    def data(parent: ET.Element, key: str, value: str) -> None:
        ET.SubElement(parent, f"{{{GRAPHML_NS}}}data", {"key": key}).text = xml_text(value)

    for node in nodes:
        element = ET.SubElement(graph, f"{{{GRAPHML_NS}}}node", {"id": str(node.id)})
        data(element, "n_label", node.label)
        for name, value in _node_values(node).items():
            if value != "":
                data(element, f"n_{name}", value)
        for i, name in enumerate(extra):
            if node.attrs.get(name) is not None:
                data(element, f"n_x{i}", str(node.attrs[name]))
    for edge, edge_id in zip(edges, _edge_ids(edges)):
        attrs = {"id": edge_id, "source": str(edge.source), "target": str(edge.target)}
        if edge.directed:
            attrs["directed"] = "true"
        element = ET.SubElement(graph, f"{{{GRAPHML_NS}}}edge", attrs)
        data(element, "e_weight", _number(edge.weight))
        if edge.start is not None:
            data(element, "e_start", edge.start.isoformat())
        if edge.end is not None:
            data(element, "e_end", edge.end.isoformat())
        for name, value in _edge_values(edge).items():
            if value != "":
                data(element, f"e_{name}", value)
    return _xml_bytes(root)


# --- Kumu ----------------------------------------------------------------------------------

def _kumu_uses_ids(nodes: Sequence[NodeRecord]) -> bool:
    """Kumu matches connections to elements by label unless elements have ids. Labels are
    used when that is unambiguous (unique ignoring case and surrounding spaces, no "|",
    which Kumu reads as a list separator in From/To); otherwise every element gets its
    actor id and connections refer to ids (Kumu docs, "How do I avoid duplicating data?")."""
    seen: set[str] = set()
    for node in nodes:
        label = node.label
        key = label.strip().casefold()
        if not key or key in seen or SEPARATOR in label or label != label.strip():
            return True
        seen.add(key)
    return False


def _connection_ids(edges: Sequence[EdgeRecord]) -> list[str]:
    refs = [e.ref for e in edges]
    unique = len(set(refs)) == len(refs) and all(refs)
    return [e.ref if unique else f"c{i}" for i, e in enumerate(edges)]


def to_kumu_blueprint(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord]) -> dict[str, Any]:
    """Kumu's JSON import layout ("blueprint"): ``{"elements": [...], "connections": [...]}``
    with ``label``, ``type``, ``description``, ``tags`` (topics) and German custom fields;
    connections with ``from``/``to``, ``type``, ``direction``, ``strength`` (weight),
    ``tags``, ``Beginn``/``Ende`` (ISO dates) and ``id`` (the tie's ref)."""
    _check(nodes, edges)
    use_ids = _kumu_uses_ids(nodes)
    extra = _extra_attrs(nodes)
    elements = []
    ref_of = {}
    for node in nodes:
        element: dict[str, Any] = {}
        if use_ids:
            element["id"] = str(node.id)
        element.update({"label": node.label, "type": node.kind,
                        "description": str(node.attrs.get("description") or ""), "tags": list(node.topics),
                        "Kategorie": node.category, "Gebiet": node.area, "Gebietspfad": list(node.path),
                        "Bildungsphasen": list(node.life_stages), "Aktiv": node.active})
        for name in extra:
            if name != "description" and node.attrs.get(name) is not None:
                element[name] = str(node.attrs[name])
        elements.append(element)
        ref_of[node.id] = str(node.id) if use_ids else node.label
    connections = []
    for edge, edge_id in zip(edges, _connection_ids(edges)):
        connection: dict[str, Any] = {"id": edge_id, "from": ref_of[edge.source], "to": ref_of[edge.target],
                                      "type": edge.type, "direction": "directed" if edge.directed else "undirected",
                                      "strength": float(edge.weight), "tags": list(edge.topics),
                                      "Ebene": edge.layer, "Bildungsphasen": list(edge.life_stages),
                                      "Referenz": edge.ref}
        if edge.start is not None:
            connection["Beginn"] = edge.start.isoformat()
        if edge.end is not None:
            connection["Ende"] = edge.end.isoformat()
        if edge.intensity is not None:
            connection["Intensität"] = int(edge.intensity)
        connections.append(connection)
    return {"elements": elements, "connections": connections}


def to_kumu_json(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord]) -> bytes:
    """The blueprint as UTF-8 JSON."""
    return json.dumps(to_kumu_blueprint(nodes, edges), ensure_ascii=False, indent=1).encode("utf-8")


def spreadsheet_text(value: Any) -> str:
    """Cell text that no spreadsheet runs as a formula (see module docstring)."""
    text = xml_text(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (list, tuple)):
        value = join(value)
    return spreadsheet_text(value)


def to_kumu_xlsx(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord]) -> bytes:
    """Kumu's spreadsheet layout: sheet "Elements" (Label, Type, Description, Tags, …) and
    sheet "Connections" (ID, From, To, Type, Direction, Strength, Tags, Beginn, Ende, …);
    multi-values joined with "|"; every text cell neutralised against formula injection."""
    from openpyxl import Workbook

    blueprint = to_kumu_blueprint(nodes, edges)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Elements"
    element_columns = (["ID"] if blueprint["elements"] and "id" in blueprint["elements"][0] else []) + [
        "Label", "Type", "Description", "Tags", *KUMU_ELEMENT_FIELDS.values()]
    extra = [k for k in dict.fromkeys(k for e in blueprint["elements"] for k in e)
             if k not in {"id", "label", "type", "description", "tags", *KUMU_ELEMENT_FIELDS.values()}]
    element_columns += extra
    keys = {"ID": "id", "Label": "label", "Type": "type", "Description": "description", "Tags": "tags"}
    sheet.append([spreadsheet_text(c) for c in element_columns])
    for element in blueprint["elements"]:
        sheet.append([_cell(element.get(keys.get(column, column))) for column in element_columns])
    sheet = workbook.create_sheet("Connections")
    connection_columns = ["ID", "From", "To", "Type", "Direction", "Strength", "Tags",
                          *KUMU_CONNECTION_FIELDS.values()]
    keys = {"ID": "id", "From": "from", "To": "to", "Type": "type", "Direction": "direction",
            "Strength": "strength", "Tags": "tags"}
    sheet.append(connection_columns)
    for connection in blueprint["connections"]:
        sheet.append([_cell(connection.get(keys.get(column, column))) for column in connection_columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


EXPORTERS: Mapping[str, Any] = {"gexf": to_gexf, "graphml": to_graphml, "kumu.json": to_kumu_json,
                                "kumu.xlsx": to_kumu_xlsx}
