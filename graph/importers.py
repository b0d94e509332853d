"""Imports of network files from Gephi (GEXF 1.1/1.2draft/1.3), GraphML tools and Kumu
(CSV pair, JSON blueprint, XLSX workbook) into plain records with string keys.

Imported ids are strings and mean nothing in the CRM, so the result is
``ImportedLandscape(nodes=[ImportedNode], edges=[ImportedEdge])``; the CRM import service
maps keys to actors (matching or creating) and shows a preview.

Files are untrusted:

* XML is parsed with ``defusedxml`` (no entity expansion, no external references, no
  DTD tricks) and elements are matched by *local name*, so unknown or malformed
  namespace URIs (Gephi Lite writes ``http:///www.gexf.net/1.1draft/viz``) do not matter.
* Files above ``MAX_BYTES`` are refused before parsing.
* Every problem raises ``GraphImportError`` with a German message that names the
  element or row, e.g. "GEXF, Kante „e7“: Ziel „42“ ist kein Knoten der Datei."

Our own exports (``graph.export``) read back without loss: actors, ties, weights,
dates, types, layers, topics, life stages, intensity and refs.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

MAX_BYTES = 50 * 1024 * 1024
SEPARATOR = "|"

Source = bytes | bytearray | memoryview | str | os.PathLike[str] | IO[bytes]


class GraphImportError(ValueError):
    """A file that cannot be imported; ``str(error)`` is a German sentence for the user."""

    def __init__(self, message: str, *, where: str = "") -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.where = where


@dataclass(frozen=True, slots=True)
class ImportedNode:
    key: str
    label: str
    kind: str = ""
    attrs: Mapping[str, Any] = field(default_factory=dict)
    topics: tuple[str, ...] = ()
    category: str = ""
    area: str = ""
    area_path: tuple[str, ...] = ()
    life_stages: tuple[str, ...] = ()
    active: bool = True


@dataclass(frozen=True, slots=True)
class ImportedEdge:
    source_key: str
    target_key: str
    type: str = ""
    weight: float = 1.0
    start: date | None = None
    end: date | None = None
    directed: bool = False
    attrs: Mapping[str, Any] = field(default_factory=dict)
    layer: str = "cooperation"
    topics: tuple[str, ...] = ()
    life_stages: tuple[str, ...] = ()
    intensity: int | None = None
    key: str = ""                    # the tie's id in the file (GEXF/GraphML edge id, Kumu ID)
    weight_given: bool = False       # the file stated the weight (else ``weight`` is the default 1)


@dataclass
class ImportedLandscape:
    nodes: list[ImportedNode]
    edges: list[ImportedEdge]
    format: str
    warnings: list[str] = field(default_factory=list)


# --- common helpers ---------------------------------------------------------------------------

def _read(source: Source, what: str) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise GraphImportError(f"Die Datei ist größer als {MAX_BYTES // (1024 * 1024)} MB.", where=what)
            data = path.read_bytes()
        except OSError as error:
            raise GraphImportError(f"Die Datei kann nicht gelesen werden ({error.strerror}).", where=what) from None
    elif hasattr(source, "read"):
        data = source.read(MAX_BYTES + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    else:
        raise TypeError(f"unsupported source {type(source).__name__}")
    if len(data) > MAX_BYTES:
        raise GraphImportError(f"Die Datei ist größer als {MAX_BYTES // (1024 * 1024)} MB.", where=what)
    if not data.strip():
        raise GraphImportError("Die Datei ist leer.", where=what)
    return data


def _text(data: bytes, what: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise GraphImportError("Die Datei ist weder UTF-8 noch Windows-1252 kodiert.", where=what)


def _split(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        items: Iterable[Any] = value
    else:
        items = str(value).split(SEPARATOR)
    return tuple(s for s in (str(v).strip() for v in items) if s)


def _bool(value: Any, where: str, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "ja", "yes", "wahr", "x"}:
        return True
    if text in {"false", "0", "nein", "no", "falsch", ""}:
        return False
    raise GraphImportError(f"„{value}“ ist kein Wahrheitswert (Feld „{name}“).", where=where)


_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def _date(value: Any, where: str, name: str) -> date | None:
    """ISO dates (also the date part of an ISO date-time), German dd.mm.yyyy, spreadsheet dates."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    match = _GERMAN_DATE.match(text)
    try:
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        if len(text) >= 10 and text[4] == "-" and text[7] == "-":
            return date.fromisoformat(text[:10])
        if re.fullmatch(r"\d{4}", text):
            return date(int(text), 1, 1)
    except ValueError:
        pass
    raise GraphImportError(f"„{text}“ ist kein Datum (Feld „{name}“, erwartet JJJJ-MM-TT).", where=where)


def _float(value: Any, where: str, name: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        text = str(value).strip().replace(",", ".") if value is not None else ""
        try:
            number = float(text)
        except ValueError:
            raise GraphImportError(f"„{value}“ ist keine Zahl (Feld „{name}“).", where=where) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise GraphImportError(f"„{value}“ ist keine endliche Zahl (Feld „{name}“).", where=where)
    return number


def _int(value: Any, where: str, name: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = _float(value, where, name)
    if number != int(number):
        raise GraphImportError(f"„{value}“ ist keine ganze Zahl (Feld „{name}“).", where=where)
    return int(number)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Any, name: str) -> Iterator[Any]:
    return (child for child in element if _local(child.tag) == name)


def _child(element: Any, name: str) -> Any:
    return next(_children(element, name), None)


def _parse_xml(data: bytes, what: str) -> Any:
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    try:
        return SafeET.fromstring(data)
    except DefusedXmlException:
        raise GraphImportError("Die Datei enthält DTD- oder Entitätsdefinitionen; solche Dateien werden aus "
                               "Sicherheitsgründen nicht gelesen.", where=what) from None
    except ParseError as error:
        raise GraphImportError(f"Die Datei ist kein gültiges XML ({error}).", where=what) from None


# Field names our exports write, and common synonyms, mapped to record fields.
_NODE_KEYS = {"kind": "kind", "type": "kind", "art": "kind", "akteursart": "kind", "element type": "kind",
              "category": "category", "kategorie": "category", "area": "area", "gebiet": "area",
              "area_path": "area_path", "gebietspfad": "area_path", "topics": "topics", "themenfelder": "topics",
              "tags": "topics", "life_stages": "life_stages", "bildungsphasen": "life_stages", "active": "active",
              "aktiv": "active", "label": "label", "description": "description", "beschreibung": "description"}
_EDGE_KEYS = {"layer": "layer", "ebene": "layer", "type": "type", "connection type": "type", "art": "type",
              "topics": "topics", "tags": "topics", "themenfelder": "topics", "life_stages": "life_stages",
              "bildungsphasen": "life_stages", "intensity": "intensity", "intensität": "intensity",
              "ref": "ref", "referenz": "ref", "weight": "weight", "strength": "weight", "gewicht": "weight",
              "start": "start", "beginn": "start", "start date": "start", "end": "end", "ende": "end",
              "end date": "end", "direction": "direction", "richtung": "direction", "directed": "directed"}


def _make_node(key: str, label: str, values: Mapping[str, Any], where: str) -> ImportedNode:
    fields: dict[str, Any] = {}
    attrs: dict[str, Any] = {}
    for name, value in values.items():
        target = _NODE_KEYS.get(str(name).strip().lower())
        if target is None or target in fields:
            if value is not None and value != "":
                attrs[str(name)] = value
        else:
            fields[target] = value
    if "description" in fields and fields["description"] not in (None, ""):
        attrs["description"] = fields["description"]
    path = _split(fields.get("area_path"))
    area = str(fields.get("area") or "").strip() or (path[-1] if path else "")
    return ImportedNode(
        key=key, label=label, kind=str(fields.get("kind") or "").strip(), attrs=attrs,
        topics=_split(fields.get("topics")), category=str(fields.get("category") or "").strip(), area=area,
        area_path=path, life_stages=_split(fields.get("life_stages")),
        active=_bool(fields["active"], where, "active") if fields.get("active") not in (None, "") else True)


def _make_edge(source: str, target: str, values: Mapping[str, Any], where: str, *, directed: bool,
               key: str = "", dates_ok: bool = True, text_weight: list[str] | None = None) -> ImportedEdge:
    """``text_weight``: Kumu allows words as strength ("Strong"); when a list is given, such
    a value keeps weight 1, is stored in ``attrs`` and noted in the list (else: error)."""
    fields: dict[str, Any] = {}
    names: dict[str, str] = {}
    attrs: dict[str, Any] = {}
    for name, value in values.items():
        target_name = _EDGE_KEYS.get(str(name).strip().lower())
        if target_name is None or target_name in fields:
            if value is not None and value != "":
                attrs[str(name)] = value
        else:
            fields[target_name] = value
            names[target_name] = str(name)
    if fields.get("direction") not in (None, ""):
        direction = str(fields["direction"]).strip().lower()
        if direction not in {"directed", "undirected", "mutual", "gerichtet", "ungerichtet"}:
            raise GraphImportError(f"„{fields['direction']}“ ist keine Richtung (directed, undirected, mutual).",
                                   where=where)
        directed = direction in {"directed", "gerichtet"}
    if fields.get("directed") not in (None, ""):
        directed = _bool(fields["directed"], where, names["directed"])
    weight = 1.0
    weight_given = False
    if fields.get("weight") not in (None, ""):
        try:
            weight = _float(fields["weight"], where, names["weight"])
            weight_given = True
        except GraphImportError:
            if text_weight is None:
                raise
            attrs[names["weight"]] = fields["weight"]
            text_weight.append(str(fields["weight"]))
    start = _date(fields.get("start"), where, names.get("start", "start")) if dates_ok else None
    end = _date(fields.get("end"), where, names.get("end", "end")) if dates_ok else None
    if start is not None and end is not None and end < start:
        raise GraphImportError(f"Das Ende ({end.isoformat()}) liegt vor dem Beginn ({start.isoformat()}).",
                               where=where)
    if fields.get("ref") not in (None, ""):
        attrs["ref"] = str(fields["ref"])
    return ImportedEdge(
        source_key=source, target_key=target, type=str(fields.get("type") or "").strip(), weight=weight,
        start=start, end=end, directed=directed, attrs=attrs,
        layer=str(fields.get("layer") or "cooperation").strip() or "cooperation", topics=_split(fields.get("topics")),
        life_stages=_split(fields.get("life_stages")),
        intensity=_int(fields.get("intensity"), where, names.get("intensity", "intensity")), key=key,
        weight_given=weight_given)


# --- GEXF ----------------------------------------------------------------------------------

def _gexf_declarations(graph: Any, kind: str) -> dict[str, tuple[str, str, Any]]:
    """attribute id -> (title, type, default) for class ``kind`` (node/edge)."""
    result = {}
    for block in _children(graph, "attributes"):
        if (block.get("class") or "node").lower() != kind:
            continue
        for attribute in _children(block, "attribute"):
            attr_id = attribute.get("id")
            if attr_id is None:
                continue
            default = _child(attribute, "default")
            result[attr_id] = (attribute.get("title") or attr_id, (attribute.get("type") or "string").lower(),
                               default.text if default is not None else None)
    return result


def _gexf_values(element: Any, declared: Mapping[str, tuple[str, str, Any]]) -> dict[str, Any]:
    values = {title: default for title, _, default in declared.values() if default is not None}
    block = _child(element, "attvalues")
    if block is not None:
        for value in _children(block, "attvalue"):
            ref = value.get("for") or value.get("id")
            if ref is None:
                continue
            title = declared.get(ref, (ref, "string", None))[0]
            values[title] = value.get("value")
    return values


def _gexf_interval(element: Any) -> tuple[Any, Any]:
    if element.get("timestamp"):
        return element.get("timestamp"), element.get("timestamp")
    start = element.get("start") or element.get("startopen")
    end = element.get("end") or element.get("endopen")
    spells = _child(element, "spells")
    if spells is not None and start is None and end is None:
        items = list(_children(spells, "spell"))
        starts = [s.get("start") or s.get("startopen") for s in items]
        ends = [s.get("end") or s.get("endopen") for s in items]
        start = None if not starts or any(s is None for s in starts) else min(starts)
        end = None if not ends or any(e is None for e in ends) else max(ends)
    return start, end


def read_gexf(source: Source) -> ImportedLandscape:
    """GEXF 1.1, 1.2draft and 1.3 (Gephi, Gephi Lite, networkx). Nested (hierarchical)
    nodes and viz data are ignored; node spells are ignored (actors have no dates);
    edge ``start``/``end`` or spells become the tie's dates."""
    what = "GEXF"
    root = _parse_xml(_read(source, what), what)
    if _local(root.tag) != "gexf":
        raise GraphImportError(f"Das Wurzelelement ist <{_local(root.tag)}>, nicht <gexf>.", where=what)
    graph = _child(root, "graph")
    if graph is None:
        raise GraphImportError("Die Datei enthält kein <graph>-Element.", where=what)
    warnings_: list[str] = []
    default_type = (graph.get("defaultedgetype") or "undirected").lower()
    # GEXF's default time format is "double"; Gephi writes ISO dates with "date"/"dateTime".
    # Dates are taken when they parse as dates; numeric time axes are skipped with a warning.
    timeformat = (graph.get("timeformat") or "double").lower()
    strict_dates = timeformat in {"date", "datetime"}
    node_decl, edge_decl = _gexf_declarations(graph, "node"), _gexf_declarations(graph, "edge")
    nodes: list[ImportedNode] = []
    seen: set[str] = set()
    container = _child(graph, "nodes")
    for number, element in enumerate(_children(container, "node") if container is not None else (), start=1):
        key = element.get("id")
        where = f"{what}, Knoten Nr. {number}"
        if key is None or not key.strip():
            raise GraphImportError("Der Knoten hat keine id.", where=where)
        where = f"{what}, Knoten „{key}“"
        if key in seen:
            raise GraphImportError("Die id kommt mehrfach vor.", where=where)
        seen.add(key)
        if _child(element, "nodes") is not None and "verschachtelt" not in " ".join(warnings_):
            warnings_.append("Verschachtelte Knoten (Hierarchien) werden nicht übernommen.")
        label = element.get("label")
        nodes.append(_make_node(key, label if label is not None else key, _gexf_values(element, node_decl), where))
    edges: list[ImportedEdge] = []
    container = _child(graph, "edges")
    time_warned = False
    for number, element in enumerate(_children(container, "edge") if container is not None else (), start=1):
        edge_id = element.get("id") or ""
        where = f"{what}, Kante „{edge_id}“" if edge_id else f"{what}, Kante Nr. {number}"
        source_key, target_key = element.get("source"), element.get("target")
        for role, key in (("Quelle", source_key), ("Ziel", target_key)):
            if key is None:
                raise GraphImportError(f"{role} fehlt.", where=where)
            if key not in seen:
                raise GraphImportError(f"{role} „{key}“ ist kein Knoten der Datei.", where=where)
        values = _gexf_values(element, edge_decl)
        if element.get("weight") is not None:
            values["weight"] = element.get("weight")
        if element.get("label") and not values.get("type"):
            values["type"] = element.get("label")
        start, end = _gexf_interval(element)
        dates_ok = True
        if not strict_dates and (start is not None or end is not None):
            try:
                for value in (start, end):
                    _date(value, where, "start/end")
            except GraphImportError:
                dates_ok = False
                if not time_warned:
                    warnings_.append(f"Zeitangaben im Format „{timeformat}“ sind keine Kalenderdaten und werden "
                                     "nicht übernommen.")
                    time_warned = True
        if element.get("intervals") or element.get("timestamps"):
            if not any("Mehrfach" in w for w in warnings_):
                warnings_.append("Mehrfache Zeitintervalle (intervals/timestamps) werden nicht übernommen.")
        values["start"], values["end"] = start, end
        edge_type = (element.get("type") or default_type).lower()
        edges.append(_make_edge(source_key, target_key, values, where, directed=edge_type == "directed",
                                key=edge_id, dates_ok=dates_ok))
    return ImportedLandscape(nodes, edges, "gexf", warnings_)


# --- GraphML ----------------------------------------------------------------------------------

def read_graphml(source: Source) -> ImportedLandscape:
    """GraphML (yEd, Cytoscape, networkx, our export): typed ``<key>`` declarations with
    defaults, ``edgedefault`` and per-edge ``directed``. Only the first graph is read;
    nested graphs and hyperedges are ignored with a warning."""
    what = "GraphML"
    root = _parse_xml(_read(source, what), what)
    if _local(root.tag) != "graphml":
        raise GraphImportError(f"Das Wurzelelement ist <{_local(root.tag)}>, nicht <graphml>.", where=what)
    keys: dict[str, tuple[str, str, Any]] = {}
    for key in _children(root, "key"):
        key_id = key.get("id")
        if key_id is None:
            continue
        default = _child(key, "default")
        keys[key_id] = (key.get("attr.name") or key_id, key.get("for") or "all",
                        default.text if default is not None else None)
    graph = _child(root, "graph")
    if graph is None:
        raise GraphImportError("Die Datei enthält kein <graph>-Element.", where=what)
    warnings_: list[str] = []
    directed_default = (graph.get("edgedefault") or "directed").lower() == "directed"

    def values_of(element: Any, kind: str) -> dict[str, Any]:
        values = {name: default for name, scope, default in keys.values()
                  if default is not None and scope in (kind, "all")}
        for item in _children(element, "data"):
            name = keys.get(item.get("key") or "", (item.get("key") or "", kind, None))[0]
            values[name] = item.text or ""
        return values

    nodes: list[ImportedNode] = []
    seen: set[str] = set()
    for number, element in enumerate(_children(graph, "node"), start=1):
        key = element.get("id")
        if key is None or not key.strip():
            raise GraphImportError("Der Knoten hat keine id.", where=f"{what}, Knoten Nr. {number}")
        where = f"{what}, Knoten „{key}“"
        if key in seen:
            raise GraphImportError("Die id kommt mehrfach vor.", where=where)
        seen.add(key)
        if _child(element, "graph") is not None and not warnings_:
            warnings_.append("Verschachtelte Graphen werden nicht übernommen.")
        values = values_of(element, "node")
        label = values.pop("label", None) or values.pop("name", None) or key
        nodes.append(_make_node(key, str(label), values, where))
    if any(True for _ in _children(graph, "hyperedge")):
        warnings_.append("Hyperkanten werden nicht übernommen.")
    edges: list[ImportedEdge] = []
    for number, element in enumerate(_children(graph, "edge"), start=1):
        edge_id = element.get("id") or ""
        where = f"{what}, Kante „{edge_id}“" if edge_id else f"{what}, Kante Nr. {number}"
        source_key, target_key = element.get("source"), element.get("target")
        for role, key in (("Quelle", source_key), ("Ziel", target_key)):
            if key is None:
                raise GraphImportError(f"{role} fehlt.", where=where)
            if key not in seen:
                raise GraphImportError(f"{role} „{key}“ ist kein Knoten der Datei.", where=where)
        directed = directed_default
        if element.get("directed") is not None:
            directed = _bool(element.get("directed"), where, "directed")
        edges.append(_make_edge(source_key, target_key, values_of(element, "edge"), where, directed=directed,
                                key=edge_id))
    return ImportedLandscape(nodes, edges, "graphml", warnings_)


# --- Kumu ----------------------------------------------------------------------------------------

_QUOTED_FORMULA = ("=", "+", "-", "@", "\t", "\r", "'")


def unquote_cell(value: Any) -> Any:
    """Undo ``graph.export.spreadsheet_text``: a leading quote before a formula character."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in _QUOTED_FORMULA:
        return value[1:]
    return value


def _kumu_rows(rows: Iterable[Sequence[Any]], what: str) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    iterator = iter(rows)
    header: list[str] = []
    for row in iterator:
        if any(c not in (None, "") for c in row):
            header = [str(unquote_cell(c) or "").strip() for c in row]
            break
    if not header:
        raise GraphImportError("Es fehlt die Kopfzeile.", where=what)
    records = []
    for number, row in enumerate(iterator, start=2):
        if not any(c not in (None, "") for c in row):
            continue
        records.append((number, {header[i]: unquote_cell(value) for i, value in enumerate(row)
                                 if i < len(header) and header[i]}))
    return header, records


def _column(header: Sequence[str], *names: str) -> str | None:
    lowered = {h.strip().lower(): h for h in header}
    return next((lowered[n] for n in names if n in lowered), None)


def _kumu_build(elements: Sequence[tuple[int, dict[str, Any]]], element_header: Sequence[str],
                connections: Sequence[tuple[int, dict[str, Any]]], connection_header: Sequence[str],
                fmt: str, element_where: str, connection_where: str) -> ImportedLandscape:
    label_col = _column(element_header, "label", "name", "bezeichnung")
    id_col = _column(element_header, "id")
    if label_col is None:
        raise GraphImportError("Die Spalte „Label“ fehlt.", where=element_where)
    nodes: list[ImportedNode] = []
    by_key: dict[str, str] = {}
    by_label: dict[str, list[str]] = {}
    for number, row in elements:
        where = f"{element_where}, Zeile {number}"
        raw_label = row.get(label_col)
        label = "" if raw_label is None else str(raw_label)
        if not label.strip():
            raise GraphImportError("Das Label ist leer.", where=where)
        key = str(row.get(id_col) or "").strip() if id_col else ""
        key = key or label.strip()
        if key in by_key:
            if id_col:
                raise GraphImportError(f"Die ID „{key}“ kommt mehrfach vor.", where=where)
            raise GraphImportError(f"Das Label „{label}“ kommt mehrfach vor; Kumu würde beide Zeilen zu einem "
                                   "Element zusammenlegen. Eine Spalte „ID“ unterscheidet sie.", where=where)
        by_key[key] = key
        by_label.setdefault(label.strip().casefold(), []).append(key)
        values = {k: v for k, v in row.items() if k not in (label_col, id_col)}
        nodes.append(_make_node(key, label, values, where))
    from_col = _column(connection_header, "from", "von")
    to_col = _column(connection_header, "to", "an", "nach")
    conn_id_col = _column(connection_header, "id")
    if connections and (from_col is None or to_col is None):
        raise GraphImportError("Die Spalten „From“ und „To“ fehlen.", where=connection_where)

    def resolve(value: str, where: str, column: str) -> str:
        value = value.strip()
        if value in by_key:
            return value
        candidates = by_label.get(value.casefold(), [])
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            raise GraphImportError(f"„{value}“ (Spalte „{column}“) passt auf mehrere Elemente; bitte IDs "
                                   "verwenden.", where=where)
        raise GraphImportError(f"Element „{value}“ (Spalte „{column}“) gibt es nicht.", where=where)

    edges: list[ImportedEdge] = []
    text_weights: list[str] = []
    for number, row in connections:
        where = f"{connection_where}, Zeile {number}"
        raw_from = row.get(from_col) if from_col is not None else None
        raw_to = row.get(to_col) if to_col is not None else None
        if raw_from in (None, "") or raw_to in (None, ""):
            raise GraphImportError("„From“ und „To“ müssen gefüllt sein.", where=where)
        source = resolve(str(raw_from), where, from_col or "From")
        targets = raw_to if isinstance(raw_to, list) else (
            [str(raw_to)] if str(raw_to).strip() in by_key else str(raw_to).split(SEPARATOR))
        values = {k: v for k, v in row.items() if k not in (from_col, to_col, conn_id_col)}
        key = str(row.get(conn_id_col) or "").strip() if conn_id_col else ""
        for target_text in targets:
            if not str(target_text).strip():
                continue
            target = resolve(str(target_text), where, to_col or "To")
            edges.append(_make_edge(source, target, values, where, directed=False, key=key,
                                    text_weight=text_weights))
    notes = []
    if text_weights:
        examples = ", ".join(f"„{w}“" for w in sorted(set(text_weights))[:3])
        notes.append(f"{len(text_weights)} Verbindungen haben eine Stärke in Worten ({examples}); sie erhalten "
                     "das Gewicht 1, der Text bleibt als Merkmal erhalten.")
    return ImportedLandscape(nodes, edges, fmt, notes)


def _csv_rows(data: bytes, what: str) -> list[list[str]]:
    text = _text(data, what)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as error:
        raise GraphImportError(f"Die CSV-Datei ist fehlerhaft ({error}).", where=what) from None


def read_kumu_csv(elements: Source, connections: Source | None = None) -> ImportedLandscape:
    """Kumu's two-sheet layout saved as CSV: elements (Label first, or ID then Label) and
    connections (From, To, …); "|" separates multiple values, several To targets make
    several connections (Kumu's rule). Comma or semicolon separated, UTF-8 or Windows-1252."""
    element_header, element_rows = _kumu_rows(_csv_rows(_read(elements, "Kumu-Elemente"), "Kumu-Elemente"),
                                              "Kumu-Elemente")
    connection_header: list[str] = []
    connection_rows: list[tuple[int, dict[str, Any]]] = []
    if connections is not None:
        connection_header, connection_rows = _kumu_rows(
            _csv_rows(_read(connections, "Kumu-Verbindungen"), "Kumu-Verbindungen"), "Kumu-Verbindungen")
    return _kumu_build(element_rows, element_header, connection_rows, connection_header, "kumu-csv",
                       "Kumu-Elemente", "Kumu-Verbindungen")


def read_kumu_json(source: Source) -> ImportedLandscape:
    """Kumu blueprints: the import layout (``{"elements": [{"label", "type", …}],
    "connections": [{"from", "to", …}]}``, optional ``id``s) and Kumu's own project export
    (elements with ``_id`` and an ``attributes`` object, connections by ``_id``)."""
    what = "Kumu-JSON"
    try:
        data = json.loads(_text(_read(source, what), what))
    except json.JSONDecodeError as error:
        raise GraphImportError(f"Die Datei ist kein gültiges JSON ({error.msg}, Zeile {error.lineno}).",
                               where=what) from None
    if not isinstance(data, dict) or not isinstance(data.get("elements", []), list) \
            or not isinstance(data.get("connections", []), list):
        raise GraphImportError("Erwartet wird ein Objekt mit den Listen „elements“ und „connections“.", where=what)

    def flatten(item: Any, where: str) -> dict[str, Any]:
        if not isinstance(item, dict):
            raise GraphImportError("Der Eintrag ist kein Objekt.", where=where)
        flat = {k: v for k, v in item.items() if k != "attributes"}
        attributes = item.get("attributes")
        if isinstance(attributes, dict):
            for name, value in attributes.items():
                flat.setdefault(name, value)
        if "_id" in flat and "id" not in flat:
            flat["id"] = flat.pop("_id")
        flat.pop("_id", None)
        return {k: (v if isinstance(v, (list, str, int, float, bool)) or v is None else json.dumps(v))
                for k, v in flat.items()}

    elements = [(i, flatten(item, f"{what}, Element Nr. {i}"))
                for i, item in enumerate(data.get("elements", []), start=1)]
    connections = [(i, flatten(item, f"{what}, Verbindung Nr. {i}"))
                   for i, item in enumerate(data.get("connections", []), start=1)]
    element_header = list(dict.fromkeys(k for _, row in elements for k in row)) or ["label"]
    connection_header = list(dict.fromkeys(k for _, row in connections for k in row))
    if elements and not any(k.lower() == "label" for k in element_header):
        raise GraphImportError("Den Elementen fehlt das Feld „label“.", where=what)
    result = _kumu_build(elements, element_header, connections, connection_header, "kumu-json",
                         f"{what}, Elemente", f"{what}, Verbindungen")
    return result


def read_kumu_xlsx(source: Source) -> ImportedLandscape:
    """Kumu's workbook layout: a sheet of elements and one of connections, found by name
    ("Elements"/"Elemente", "Connections"/"Verbindungen") or by their headers (Label / From,
    To); sheets named "… (ignore)" are skipped as in Kumu."""
    what = "Kumu-XLSX"
    data = _read(source, what)
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")       # openpyxl warns about styles/extensions it ignores
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zipfile/KeyError/InvalidFileException variants
        raise GraphImportError(f"Die Datei ist keine lesbare XLSX-Arbeitsmappe ({type(error).__name__}).",
                               where=what) from None
    try:
        sheets = {}
        for sheet in workbook.worksheets:
            if "(ignore)" in sheet.title.lower():
                continue
            sheets[sheet.title] = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    element_sheet = connection_sheet = None
    for title, rows in sheets.items():
        lowered = title.strip().lower()
        header = next(([str(c or "").strip().lower() for c in row] for row in rows if any(row)), [])
        if lowered in {"elements", "elemente", "akteure"} or (element_sheet is None and "label" in header[:2]):
            element_sheet = element_sheet or title
        elif lowered in {"connections", "verbindungen", "kooperationen"} or (
                connection_sheet is None and "from" in header[:2]):
            connection_sheet = connection_sheet or title
    if element_sheet is None:
        raise GraphImportError("Kein Tabellenblatt mit Elementen (Spalte „Label“) gefunden.", where=what)
    element_header, element_rows = _kumu_rows(sheets[element_sheet], f"{what}, Blatt „{element_sheet}“")
    connection_header: list[str] = []
    connection_rows: list[tuple[int, dict[str, Any]]] = []
    if connection_sheet is not None:
        connection_header, connection_rows = _kumu_rows(sheets[connection_sheet],
                                                        f"{what}, Blatt „{connection_sheet}“")
    return _kumu_build(element_rows, element_header, connection_rows, connection_header, "kumu-xlsx",
                       f"{what}, Blatt „{element_sheet}“", f"{what}, Blatt „{connection_sheet}“")


def read_file(filename: str, data: bytes) -> ImportedLandscape:
    """Dispatch on the file name's extension (.gexf, .graphml, .json, .xlsx)."""
    name = filename.lower()
    if name.endswith(".gexf"):
        return read_gexf(data)
    if name.endswith((".graphml", ".xml")):
        return read_graphml(data)
    if name.endswith(".json"):
        return read_kumu_json(data)
    if name.endswith(".xlsx"):
        return read_kumu_xlsx(data)
    raise GraphImportError("Unbekanntes Dateiformat; möglich sind GEXF, GraphML, Kumu-JSON und Kumu-XLSX "
                           "(Kumu-CSV als Paar aus Elementen und Verbindungen).", where=filename)
