"""Reading uploaded files into sheets of text cells.

Offices get their lists from everywhere: Excel on Windows saves CSV as Windows-1252
with semicolons, LibreOffice as UTF-8 with commas, geoportals hand out GeoJSON, Kumu
wants two sheets. We recognise the format from the bytes (not the file name, which
users rename), decode text as UTF-8 (with or without BOM) or fall back to
Windows-1252, sniff the delimiter, and report which we used. Cells become stripped
strings; interpretation (dates, numbers, vocabularies) happens later, per field.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from crm.services.errors import N_, LocalizedError, translated

MAX_ROWS = 50_000
MAX_UNZIPPED_BYTES = 250 * 1024 * 1024
DELIMITERS = (";", ",", "\t")
# A cell written by our export (or another careful tool) to stop spreadsheet formulas.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ReadError(LocalizedError):
    """The file cannot be read at all; ``message`` is shown in the reader's language."""


@dataclass
class Row:
    line: int                 # row number as in the file: header = 1, first data row = 2
    values: list[str]

    def get(self, index: int) -> str:
        return self.values[index] if index < len(self.values) else ""

    @property
    def is_blank(self) -> bool:
        return not any(self.values)


@dataclass
class Sheet:
    name: str
    columns: list[str]
    rows: list[Row]
    header_line: int = 1
    has_letters: bool = True  # spreadsheet-like: columns also have letters A, B, …
    header_width: int | None = None  # columns the header names; rows may not be wider
    row_noun: str = N_("Zeile")  # how problems name a record: "Zeile 7", or "Objekt 1" for GeoJSON features

    def row_name(self, line: int) -> str:
        return f"{translated(self.row_noun)} {line}"

    def overflow(self, row: Row) -> int:
        """How many non-empty cells a row has beyond the header (a delimiter inside an unquoted cell)."""
        width = self.header_width if self.header_width is not None else len(self.columns)
        return sum(1 for v in row.values[width:] if v)

    def column_label(self, index: int) -> str:
        """How a problem names a column: its header, and its letter where the user sees letters."""
        header = self.columns[index] if index < len(self.columns) and self.columns[index] else ""
        letter = column_letter(index)
        if not header:
            return translated(N_("Spalte %(column)s"), {"column": letter if self.has_letters else index + 1})
        return f"{header} ({letter})" if self.has_letters else header

    def samples(self, index: int, limit: int = 3) -> list[str]:
        found: list[str] = []
        for row in self.rows:
            value = row.get(index)
            if value and value not in found:
                found.append(value)
                if len(found) >= limit:
                    break
        return found

    @property
    def data_rows(self) -> list[Row]:
        return [r for r in self.rows if not r.is_blank]


@dataclass
class ParsedFile:
    format: str                      # csv, xlsx, geojson, kumu-json, zip
    sheets: list[Sheet]
    encoding: str | None = None      # for text formats: which decoding was used
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def format_label(self) -> str:
        return translated({"csv": "CSV", "xlsx": "Excel (.xlsx)", "geojson": "GeoJSON", "kumu-json": "Kumu-JSON",
                           "zip": N_("ZIP mit CSV-Dateien"), "gexf": "GEXF (Gephi)",
                           "graphml": "GraphML"}.get(self.format, self.format))

    @property
    def delimiter_label(self) -> str | None:
        label = {";": N_("Semikolon"), ",": N_("Komma"), "\t": N_("Tabulator")}.get(self.delimiter or "")
        return translated(label) if label else None


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def clean_cell(value: str) -> str:
    """Trim (also non-breaking spaces) and undo a formula-neutralising apostrophe."""
    value = value.replace("\xa0", " ").strip()
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_PREFIXES:
        value = value[1:]
    return value


def cell_text(value: Any) -> str:
    """A spreadsheet or JSON value as the text a user would have typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "|".join(cell_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return clean_cell(str(value))


# ---------------------------------------------------------------- entry point

def read_file(data: bytes, filename: str = "") -> ParsedFile:
    """Recognise the format from the content and read all sheets."""
    if not data or not data.strip():
        raise ReadError(N_("Die Datei ist leer."))
    head = data[:8]
    if head.startswith(b"PK\x03\x04"):
        return _read_zip(data)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(N_("Das ist eine Datei im alten Excel-Format (.xls). Bitte speichern Sie sie in Excel "
                           "als „Excel-Arbeitsmappe (.xlsx)“ oder als „CSV UTF-8“ und laden Sie sie erneut hoch."))
    if head.startswith(b"%PDF"):
        raise ReadError(N_("Das ist eine PDF-Datei. Importieren lassen sich CSV-, Excel- (.xlsx), GeoJSON- "
                           "und Kumu-Dateien."))
    text, encoding = decode_text(data)
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return _read_json(stripped, encoding)
    if stripped.startswith("<"):
        return _read_graph_xml(data)
    sheet, delimiter = read_csv_text(text, name="")
    return ParsedFile("csv", [sheet], encoding=encoding, delimiter=delimiter)


def _unreadable() -> ReadError:
    return ReadError(N_("Die Datei lässt sich nicht lesen: Sie ist weder eine Textdatei (CSV) noch eine "
                        "Excel-Arbeitsmappe (.xlsx) noch GeoJSON. Bitte speichern Sie die Liste als "
                        "„CSV UTF-8“ oder als .xlsx und laden Sie sie erneut hoch."))


def decode_text(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252; garbage is refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise _unreadable() from None
    if b"\x00" in data[:65536]:
        raise _unreadable()
    if data.startswith(codecs.BOM_UTF8):
        try:
            text, label = data[len(codecs.BOM_UTF8):].decode("utf-8"), translated(N_("UTF-8 mit BOM"))
        except UnicodeDecodeError:
            raise ReadError(N_("Die Datei ist als UTF-8 gekennzeichnet, enthält aber ungültige Zeichen. "
                               "Bitte speichern Sie sie erneut als „CSV UTF-8“.")) from None
    else:
        try:
            text, label = data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            try:
                text, label = data.decode("cp1252"), "Windows-1252"
            except UnicodeDecodeError:
                raise _unreadable() from None
    sample = text[:65536]
    controls = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\r\n") or 0x7F <= ord(ch) < 0xA0)
    if controls > max(2, len(sample) // 200):
        raise _unreadable()
    return text, label


# ---------------------------------------------------------------- CSV

def sniff_delimiter(text: str) -> str:
    """Pick the delimiter that gives the most columns, consistently, over the first records."""
    sample = "\n".join(text.splitlines()[:50])
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            records = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        # A cut-off last record (sample ends mid-quote) must not count against a delimiter;
        # a title line above the header has a single cell and says nothing either.
        judged = [r for r in (records[:-1] if len(records) > 2 else records) if len(r) > 1]
        if not judged:
            continue
        width, count = Counter(len(r) for r in judged).most_common(1)[0]
        score = (count / len(judged), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv_text(text: str, name: str) -> tuple[Sheet, str]:
    hint = re.match(r"sep=(.)\r?\n", text)  # Excel's own hint line: "sep=;"
    delimiter = hint.group(1) if hint else sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(_limited(reader))
        if hint:
            records[0] = []  # keep the row numbers as the user sees them
    except csv.Error as error:
        raise ReadError(N_("Die CSV-Datei ist fehlerhaft aufgebaut (Zeile %(line)s): %(error)s. "
                           "Oft fehlt ein schließendes Anführungszeichen."),
                        {"line": reader.line_num, "error": error}) from None
    sheet = _sheet_from_records(name, ([clean_cell(c) for c in record] for record in records))
    if sheet is None:
        raise ReadError(N_("%(sheet)sDie Datei enthält keine Kopfzeile und keine Daten."),
                        {"sheet": _sheet_prefix(name)})
    return sheet, delimiter


def _limited(records: Iterable[Any]) -> Iterable[Any]:
    for count, record in enumerate(records, start=1):
        if count > MAX_ROWS + 1:
            raise ReadError(N_("Die Datei hat mehr als %(max)s Zeilen. Bitte teilen Sie sie in kleinere "
                               "Dateien auf."), {"max": f"{MAX_ROWS:,}".replace(",", ".")})
        yield record


def _sheet_from_records(name: str, records: Iterable[list[str]], has_letters: bool = True) -> Sheet | None:
    """The first non-empty record is the header; row numbers count every record, as a spreadsheet shows them."""
    records = list(records)
    header_index = _header_index(records)
    if header_index is None:
        return None
    columns = list(records[header_index])
    while columns and not columns[-1]:
        columns.pop()
    header_line = header_index + 1
    rows = [Row(line, list(values)) for line, values in enumerate(records[header_index + 1:], start=header_line + 1)]
    header_width = len(columns)
    width = max([len(columns)] + [len(r.values) for r in rows if not r.is_blank] or [0])
    columns += [""] * (width - len(columns))
    while rows and rows[-1].is_blank:
        rows.pop()
    return Sheet(name=name, columns=columns, rows=rows, header_line=header_line, has_letters=has_letters,
                 header_width=header_width)


def _header_index(records: list[list[str]]) -> int | None:
    """The header is the first row that looks like one: a title line above it („Schulliste
    2024“) has a single cell, the header has about as many cells as the widest row below."""
    candidates = [(i, sum(1 for v in r if v)) for i, r in enumerate(records[:30]) if any(r)]
    if not candidates:
        return None
    widest = max(filled for _, filled in candidates)
    for index, filled in candidates:
        if filled >= max(2, (widest + 1) // 2) or filled == widest:
            return index
    return candidates[0][0]


def _sheet_prefix(name: str) -> str:
    return translated(N_("Blatt „%(sheet)s“: "), {"sheet": name}) if name else ""


# ---------------------------------------------------------------- ZIP: XLSX or CSV files

def _read_zip(data: bytes) -> ParsedFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _unreadable() from None
    if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
        raise ReadError(N_("Die Datei ist entpackt zu groß (über 250 MB)."))
    names = {i.filename for i in infos}
    if "xl/workbook.xml" in names or "[Content_Types].xml" in names:
        return _read_xlsx(data)
    sheets: list[Sheet] = []
    encodings: set[str] = set()
    delimiters: set[str] = set()
    for info in infos:
        base = info.filename.rsplit("/", 1)[-1]
        if info.is_dir() or info.filename.startswith("__MACOSX") or base.startswith("."):
            continue
        if not base.lower().endswith((".csv", ".txt", ".tsv")):
            continue
        try:
            text, encoding = decode_text(archive.read(info))
        except ReadError as error:
            raise ReadError(N_("„%(file)s“ im ZIP-Archiv: %(error)s"), {"file": base, "error": error.message}) from None
        sheet, delimiter = read_csv_text(text, name=base)
        sheets.append(sheet)
        encodings.add(encoding)
        delimiters.add(delimiter)
    if not sheets:
        raise ReadError(N_("Das ZIP-Archiv enthält keine CSV-Dateien."))
    return ParsedFile("zip", sheets, encoding=", ".join(sorted(encodings)),
                      delimiter=delimiters.pop() if len(delimiters) == 1 else None)


def _read_xlsx(data: bytes) -> ParsedFile:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles other tools write
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
        raise ReadError(N_("Die Excel-Datei ist beschädigt oder kein gültiges .xlsx. Bitte in Excel öffnen und "
                           "erneut als „Excel-Arbeitsmappe (.xlsx)“ speichern.")) from None
    sheets: list[Sheet] = []
    notes: list[str] = []
    try:
        for worksheet in workbook.worksheets:
            title = worksheet.title
            if "(ignore)" in title.lower() or getattr(worksheet, "sheet_state", "visible") != "visible":
                notes.append(translated(N_("Blatt „%(sheet)s“ übersprungen."), {"sheet": title}))
                continue
            worksheet.reset_dimensions()  # some writers store wrong dimensions; read until the end
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                records = (_xlsx_record(r) for r in worksheet.iter_rows(min_row=1, values_only=True))
                sheet = _sheet_from_records(title, _limited(records))
            if sheet is not None:  # an empty sheet in a workbook is normal
                sheets.append(sheet)
    finally:
        workbook.close()
    if not sheets:
        raise ReadError(N_("Die Excel-Datei enthält kein Blatt mit Daten."))
    return ParsedFile("xlsx", sheets, notes=notes)


def _xlsx_record(values: tuple[Any, ...]) -> list[str]:
    record = [cell_text(v) for v in values]
    while record and not record[-1]:
        record.pop()
    return record


# ---------------------------------------------------------------- JSON: GeoJSON and Kumu blueprints

def _read_json(text: str, encoding: str) -> ParsedFile:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReadError(N_("Die JSON-Datei ist fehlerhaft (Zeile %(line)s, Spalte %(column)s)."),
                        {"line": error.lineno, "column": error.colno}) from None
    if isinstance(document, dict) and document.get("type") == "FeatureCollection":
        return ParsedFile("geojson", [_geojson_sheet(document)], encoding=encoding)
    if isinstance(document, dict) and document.get("type") == "Feature":
        return ParsedFile("geojson", [_geojson_sheet({"features": [document]})], encoding=encoding)
    if isinstance(document, dict) and ("elements" in document or "connections" in document):
        sheets = []
        for key, name in (("elements", "Elements"), ("connections", "Connections")):
            items = document.get(key) or []
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise ReadError(N_("Kumu-JSON: „%(key)s“ muss eine Liste von Objekten sein."), {"key": key})
            if items:
                sheets.append(_objects_sheet(name, items))
        if not sheets:
            raise ReadError(N_("Die Kumu-Datei enthält weder Elemente noch Verbindungen."))
        return ParsedFile("kumu-json", sheets, encoding=encoding)
    raise ReadError(N_("Diese JSON-Datei hat kein bekanntes Format. Erwartet wird GeoJSON (FeatureCollection) "
                       "oder eine Kumu-Datei mit „elements“ und „connections“."))


def _objects_sheet(name: str, items: list[dict[str, Any]], row_noun: str | None = None) -> Sheet:
    """Objects as rows. With ``row_noun`` the rows count from 1 as the file's objects do
    („Objekt 1“ is the first feature); without, they count like a sheet whose header is row 1."""
    columns: list[str] = []
    for item in items:
        for key in item:
            if key not in columns:
                columns.append(key)
    if len(items) > MAX_ROWS:
        raise ReadError(N_("Die Datei hat mehr als %(max)s Einträge."), {"max": f"{MAX_ROWS:,}".replace(",", ".")})
    first = 1 if row_noun else 2
    rows = [Row(n, [cell_text(item.get(c)) for c in columns]) for n, item in enumerate(items, start=first)]
    return Sheet(name=name, columns=columns, rows=rows, has_letters=False, row_noun=row_noun or N_("Zeile"))


def _geojson_sheet(document: dict[str, Any]) -> Sheet:
    """Properties become columns; a point geometry adds latitude and longitude."""
    features = document.get("features")
    if not isinstance(features, list):
        raise ReadError(N_("GeoJSON: „features“ fehlt oder ist keine Liste."))
    items: list[dict[str, Any]] = []
    with_points = False
    for feature in features:
        if not isinstance(feature, dict):
            raise ReadError(N_("GeoJSON: ein Eintrag in „features“ ist kein Objekt."))
        properties = dict(feature.get("properties") or {})
        point = _point(feature.get("geometry"))
        if point is not None:
            with_points = True
            properties["__lat"], properties["__lon"] = point[1], point[0]
        items.append(properties)
    sheet = _objects_sheet("", items, N_("Objekt")) if items else Sheet("", [], [], has_letters=False)
    if with_points:
        taken = set(sheet.columns)
        sheet.columns = [("latitude" if c == "__lat" and "latitude" not in taken else
                          "longitude" if c == "__lon" and "longitude" not in taken else c)
                         for c in sheet.columns]
    if not sheet.rows:
        raise ReadError(N_("Die GeoJSON-Datei enthält keine Einträge."))
    return sheet


def _point(geometry: Any) -> tuple[float, float] | None:
    if not isinstance(geometry, dict):
        return None
    coords: Any = geometry.get("coordinates")
    try:
        if geometry.get("type") == "Point":
            return float(coords[0]), float(coords[1])
        if geometry.get("type") == "MultiPoint" and coords:
            return float(coords[0][0]), float(coords[0][1])
    except (TypeError, ValueError, IndexError):
        return None
    return None


# ---------------------------------------------------------------- XML: GEXF (Gephi) and GraphML

_GRAPH_LAYER_NAMES = {"initiative": N_("gemeinsame Initiative"), "event": N_("gemeinsame Veranstaltung")}


def _cooperation_edges_only(edges: Iterable[Any]) -> tuple[list[Any], Counter[str]]:
    """The edges of the cooperation layer, and how many of each other layer were left out.

    Bildungsnetz's own export carries the layer of every tie. Ties of the initiative and event
    layers are derived (from memberships and attendance), not cooperations: imported as
    cooperations they would invent a Kooperation for every pair of members. Files of other
    tools have no layer, which means cooperation.
    """
    kept: list[Any] = []
    skipped: Counter[str] = Counter()
    for edge in edges:
        layer = (edge.layer or "cooperation").strip() or "cooperation"
        if layer == "cooperation":
            kept.append(edge)
        else:
            skipped[layer] += 1
    return kept, skipped


def _skipped_layers_note(skipped: Counter[str]) -> str:
    parts = ", ".join(translated(N_("%(count)s × Ebene „%(layer)s“"),
                                 {"count": count, "layer": translated(_GRAPH_LAYER_NAMES.get(layer, layer))})
                      for layer, count in sorted(skipped.items()))
    total = sum(skipped.values())
    if total == 1:
        message = N_("%(total)s Verbindung wurde nicht übernommen (%(parts)s): Nur Kooperationen werden eingelesen. "
                     "Verbindungen über gemeinsame Initiativen oder Veranstaltungen entstehen in Bildungsnetz aus "
                     "Mitgliedschaften und Teilnahmen.")
    else:
        message = N_("%(total)s Verbindungen wurden nicht übernommen (%(parts)s): Nur Kooperationen werden "
                     "eingelesen. Verbindungen über gemeinsame Initiativen oder Veranstaltungen entstehen in "
                     "Bildungsnetz aus Mitgliedschaften und Teilnahmen.")
    return translated(message, {"total": total, "parts": parts})


def _read_graph_xml(data: bytes) -> ParsedFile:
    """A Gephi or GraphML file becomes the two sheets of a Kumu landscape (elements, connections).

    ``graph.importers`` reads the XML (tolerating Gephi's malformed viz namespace); from here on the
    file runs through the same mapping, preview, dry run and single-transaction import as a Kumu
    workbook, so node ids match connections within the file and re-importing changes nothing.
    Only ties of the cooperation layer become cooperations (``_cooperation_edges_only``); the
    others are counted in a note.
    """
    from graph.importers import GraphImportError, read_gexf, read_graphml

    head = data[:2000].decode("utf-8", "replace").lower()
    reader, kind = (read_gexf, "gexf") if "<gexf" in head else (read_graphml, "graphml")
    if kind == "graphml" and "<graphml" not in head:
        raise ReadError(N_("Diese XML-Datei ist weder GEXF (Gephi) noch GraphML."))
    try:
        landscape = reader(data)
    except GraphImportError as error:
        raise ReadError(str(error)) from None
    notes = list(landscape.warnings)
    elements = [{"ID": n.key, "Label": n.label, "Type": n.kind, "Tags": list(n.topics),
                 "Bildungsphasen": list(n.life_stages), "Gebiet": n.area,
                 "Aktiv": "ja" if n.active else "nein"} for n in landscape.nodes]
    beyond = 0
    connections = []
    edges, skipped = _cooperation_edges_only(landscape.edges)
    if skipped:
        notes.append(_skipped_layers_note(skipped))
    # A file that weights some ties weights all: GEXF's default weight of a tie without one is 1.
    weighted = any(edge.weight_given for edge in edges)
    for edge in edges:
        connection: dict[str, Any] = {"From": edge.source_key, "To": edge.target_key, "Type": edge.type,
                                      "Start": edge.start, "End": edge.end, "Tags": list(edge.topics),
                                      "Direction": "directed" if edge.directed else ""}
        if weighted:  # kept exactly: weighted measures reproduce the file
            connection["Weight"] = edge.weight
            beyond += edge.intensity is None and not (float(edge.weight).is_integer() and 1 <= edge.weight <= 3)
        if edge.intensity is not None:
            connection["Intensität"] = edge.intensity
        connections.append(connection)
    if beyond:
        notes.append(translated(N_("%(count)s Gewichte liegen nicht zwischen 1 und 3: Sie werden unverändert als "
                                   "Gewicht übernommen (die Analyse rechnet mit ihnen); die Intensität dieser "
                                   "Kooperationen ist „2 – regelmäßig“, bis Sie sie ändern."), {"count": beyond}))
    sheets = [_objects_sheet("Elements", elements)] if elements else []
    if connections:
        sheets.append(_objects_sheet("Connections", connections))
    if not sheets:
        raise ReadError(N_("Die Datei enthält keine Knoten."))
    for sheet in sheets:  # drop columns the file has no value for, so the mapping shows only what is there
        keep = [i for i, _ in enumerate(sheet.columns) if any(i < len(r.values) and r.values[i] for r in sheet.rows)]
        sheet.columns = [sheet.columns[i] for i in keep]
        for row in sheet.rows:
            row.values = [row.values[i] if i < len(row.values) else "" for i in keep]
    return ParsedFile(kind, sheets, encoding="utf-8", notes=notes)
