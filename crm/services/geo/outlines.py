"""Area outlines from a GeoJSON file: the shapes of Stadtteile and Verbandsgemeinden under the map.

A coordinator uploads a GeoJSON ``FeatureCollection`` (as a geoportal or QGIS exports it); each
feature is matched to an ``Area`` by a name property (``name``, ``GEN``, ``Stadtteil`` … or the
one the coordinator names) and its Polygon/MultiPolygon geometry is stored on the area.

Nothing in the file is trusted: a broken file, a feature without a usable geometry, coordinates
that are not longitude/latitude (a UTM export: „332000, 5516000“) or a name that fits no area (or
two) are reported in German with the feature's number („Objekt 3“), never a 500. The areas are
changed only by ``apply=True``; the report of a preview is the same without writing.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.models import Area
from crm.services.errors import N_, ServiceError, translated
from crm.services.folding import fold

MAX_BYTES = 20 * 1024 * 1024
MAX_FEATURES = 2000
MAX_POSITIONS = 50_000  # per feature: more would make every map page heavy; simplify in QGIS first
PRECISION = 6  # decimal places kept (about 10 cm)
# Properties that usually hold an area's name in official and OpenStreetMap exports, tried in this order.
NAME_PROPERTIES = ("name", "Name", "NAME", "GEN", "gen", "bezeichnung", "Bezeichnung", "stadtteil", "Stadtteil",
                   "STADTTEIL", "gemeinde", "Gemeinde", "GEMEINDE", "vg_name", "VG_NAME", "ortsteil", "Ortsteil")
GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
WGS84_CRS = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "urn:ogc:def:crs:EPSG::4326",
             "EPSG:4326", "CRS84")

NOT_JSON = N_("Die Datei ist kein gültiges JSON (Zeile %(line)s, Spalte %(column)s).")
NOT_UTF8 = N_("Die Datei ist nicht UTF-8-kodiert. Bitte als GeoJSON (UTF-8) speichern.")
TOO_LARGE = N_("Die Datei ist größer als %(max)s MB.")
EMPTY_FILE = N_("Bitte eine GeoJSON-Datei auswählen.")
NOT_COLLECTION = N_("Die Datei ist keine GeoJSON-FeatureCollection (erwartet: „type“: „FeatureCollection“ "
                    "mit einer Liste „features“).")
NO_FEATURES = N_("Die GeoJSON-Datei enthält keine Objekte.")
TOO_MANY = N_("Die Datei hat mehr als %(max)s Objekte.")
OTHER_CRS = N_("Die Datei verwendet das Koordinatensystem „%(crs)s“. Bitte in WGS 84 (EPSG:4326, Längen- und "
               "Breitengrad) exportieren.")
NOT_A_FEATURE = N_("Objekt %(number)s: kein GeoJSON-Feature.")
NO_NAME = N_("Objekt %(number)s: keine Eigenschaft „%(property)s“ mit einem Namen.")
NO_GEOMETRY = N_("Objekt %(number)s („%(name)s“): keine Fläche (Polygon oder MultiPolygon), sondern „%(type)s“.")
BAD_COORDINATES = N_("Objekt %(number)s („%(name)s“): die Koordinaten sind unvollständig oder keine Zahlen.")
NOT_DEGREES = N_("Objekt %(number)s („%(name)s“): die Koordinaten sind keine Längen- und Breitengrade "
                 "(WGS 84). Bitte die Datei in EPSG:4326 exportieren.")
TOO_DETAILED = N_("Objekt %(number)s („%(name)s“): mehr als %(max)s Punkte. Bitte den Umriss vereinfachen.")
UNKNOWN_AREA = N_("Objekt %(number)s: kein Gebiet „%(name)s“ gefunden.")
AMBIGUOUS_AREA = N_("Objekt %(number)s: „%(name)s“ passt zu mehreren Gebieten (%(areas)s).")
TWICE = N_("Objekt %(number)s: das Gebiet „%(name)s“ kam schon in Objekt %(first)s vor; der erste Umriss gilt.")
BAD_PROPERTY = N_("Die Eigenschaft „%(property)s“ kommt in keinem Objekt vor. Vorhanden: %(found)s.")


class _BadGeometry(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Problem:
    """One feature that was not taken, with its number in the file (1 = the first feature)."""

    number: int
    template: str
    params: dict[str, Any]

    @property
    def message(self) -> str:
        return translated(self.template, self.params)


@dataclass
class OutlineReport:
    """What an import did (or, as a preview, would do)."""

    name_property: str = ""
    features: int = 0
    matched: list[tuple[int, Area]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    applied: bool = False

    @property
    def unmatched(self) -> list[Problem]:
        return [p for p in self.problems if p.template in (UNKNOWN_AREA, AMBIGUOUS_AREA)]


def read_features(data: bytes) -> tuple[list[Any], str | None]:
    """The features of a GeoJSON FeatureCollection, and a CRS name if the file declares one.
    Raises ServiceError (German, for the form) for anything else."""
    if not data:
        raise ServiceError(EMPTY_FILE, "file")
    if len(data) > MAX_BYTES:
        raise ServiceError(TOO_LARGE, "file", {"max": MAX_BYTES // (1024 * 1024)})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceError(NOT_UTF8, "file") from None
    try:
        document = json.loads(text, parse_constant=lambda name: None)  # NaN/Infinity are no coordinates
    except json.JSONDecodeError as error:
        raise ServiceError(NOT_JSON, "file", {"line": error.lineno, "column": error.colno}) from None
    except RecursionError:
        raise ServiceError(NOT_JSON, "file", {"line": 1, "column": 1}) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" \
            or not isinstance(document.get("features"), list):
        raise ServiceError(NOT_COLLECTION, "file")
    features = document["features"]
    if not features:
        raise ServiceError(NO_FEATURES, "file")
    if len(features) > MAX_FEATURES:
        raise ServiceError(TOO_MANY, "file", {"max": MAX_FEATURES})
    crs = document.get("crs")
    crs_name = None
    if isinstance(crs, dict) and isinstance(crs.get("properties"), dict):
        crs_name = str(crs["properties"].get("name") or "") or None
    if crs_name is not None and not any(crs_name.upper().endswith(w.upper()) or crs_name.upper() == w.upper()
                                        for w in WGS84_CRS):
        raise ServiceError(OTHER_CRS, "file", {"crs": crs_name[:80]})
    return features, crs_name


def _properties(feature: Any) -> dict[str, Any]:
    if isinstance(feature, dict) and isinstance(feature.get("properties"), dict):
        return feature["properties"]
    return {}


def _name_of(feature: Any, key: str) -> str:
    value = _properties(feature).get(key)
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return " ".join(str(value).split())[:200]
    return ""


def _area_index(session: Session) -> dict[str, list[Area]]:
    """Areas by folded name, and by folded full path („Stadt Trier › Nord“) for names used twice."""
    index: dict[str, list[Area]] = {}
    for area in session.scalars(select(Area).order_by(Area.id)):
        index.setdefault(fold(area.name), []).append(area)
        if area.parent_id is not None:
            index.setdefault(fold(area.full_name), []).append(area)
            index.setdefault(fold(f"{area.parent.name} {area.name}" if area.parent else area.name), []).append(area)
    return index


def guess_name_property(features: list[Any], index: dict[str, list[Area]]) -> str:
    """The property whose values name the most areas; else the first usual name property present."""
    keys: list[str] = []
    for feature in features:
        for key, value in _properties(feature).items():
            if key not in keys and isinstance(value, str):
                keys.append(key)
    best, best_hits = "", 0
    for key in keys:
        hits = sum(1 for f in features if fold(_name_of(f, key)) in index)
        if hits > best_hits:
            best, best_hits = key, hits
    if best:
        return best
    return next((key for key in NAME_PROPERTIES if key in keys), keys[0] if keys else "name")


def _ring(ring: Any) -> list[list[float]]:
    if not isinstance(ring, list) or len(ring) < 4:
        raise _BadGeometry(BAD_COORDINATES)
    positions = []
    for position in ring:
        if not isinstance(position, list) or len(position) < 2:
            raise _BadGeometry(BAD_COORDINATES)
        lon, lat = position[0], position[1]
        if isinstance(lon, bool) or isinstance(lat, bool) or not isinstance(lon, (int, float)) \
                or not isinstance(lat, (int, float)) or not math.isfinite(lon) or not math.isfinite(lat):
            raise _BadGeometry(BAD_COORDINATES)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise _BadGeometry(NOT_DEGREES)
        positions.append([round(float(lon), PRECISION), round(float(lat), PRECISION)])
    return positions


def _polygon(rings: Any) -> list[list[list[float]]]:
    if not isinstance(rings, list) or not rings:
        raise _BadGeometry(BAD_COORDINATES)
    return [_ring(ring) for ring in rings]


def clean_geometry(geometry: Any) -> dict[str, Any]:
    """A Polygon or MultiPolygon with only numbers in range, rounded; raises _BadGeometry."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in GEOMETRY_TYPES:
        raise _BadGeometry(NO_GEOMETRY)
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        cleaned: Any = _polygon(coordinates)
    else:
        if not isinstance(coordinates, list) or not coordinates:
            raise _BadGeometry(BAD_COORDINATES)
        cleaned = [_polygon(polygon) for polygon in coordinates]
    return {"type": kind, "coordinates": cleaned}


def _positions(geometry: dict[str, Any]) -> int:
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return sum(len(ring) for polygon in polygons for ring in polygon)


def import_outlines(session: Session, data: bytes, name_property: str = "", *, apply: bool = True,
                    record_audit: bool = True) -> OutlineReport:
    """Match the file's features to areas and (with ``apply``) store their outlines.

    Raises ServiceError for a file that cannot be read at all; a feature that cannot be used is a
    ``Problem`` in the report and the others are still imported. The caller commits."""
    features, _crs = read_features(data)
    index = _area_index(session)
    key = (name_property or "").strip()[:100]
    if key and not any(key in _properties(f) for f in features):
        found = sorted({k for f in features for k in _properties(f)})[:12]
        raise ServiceError(BAD_PROPERTY, "name_property", {"property": key, "found": ", ".join(found) or "–"})
    key = key or guess_name_property(features, index)
    report = OutlineReport(name_property=key, features=len(features))
    first_seen: dict[int, int] = {}
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            report.problems.append(Problem(number, NOT_A_FEATURE, {"number": number}))
            continue
        name = _name_of(feature, key)
        if not name:
            report.problems.append(Problem(number, NO_NAME, {"number": number, "property": key}))
            continue
        candidates = list({a.id: a for a in index.get(fold(name), [])}.values())
        if not candidates:
            report.problems.append(Problem(number, UNKNOWN_AREA, {"number": number, "name": name}))
            continue
        if len(candidates) > 1:
            report.problems.append(Problem(number, AMBIGUOUS_AREA, {
                "number": number, "name": name, "areas": "; ".join(a.full_name for a in candidates[:5])}))
            continue
        area = candidates[0]
        try:
            geometry = clean_geometry(feature.get("geometry"))
        except _BadGeometry as bad:
            kind = feature.get("geometry", {}).get("type") if isinstance(feature.get("geometry"), dict) else None
            report.problems.append(Problem(number, bad.message, {"number": number, "name": name,
                                                                 "type": str(kind or "keine")[:40]}))
            continue
        if _positions(geometry) > MAX_POSITIONS:
            report.problems.append(Problem(number, TOO_DETAILED, {"number": number, "name": name,
                                                                  "max": f"{MAX_POSITIONS:,}".replace(",", ".")}))
            continue
        if area.id in first_seen:
            report.problems.append(Problem(number, TWICE, {"number": number, "name": area.name,
                                                           "first": first_seen[area.id]}))
            continue
        first_seen[area.id] = number
        report.matched.append((number, area))
        if apply:
            area.outline = json.dumps(geometry, separators=(",", ":"))
    if apply and report.matched and record_audit:
        from crm.services.privacy import audit

        audit.record(session, "import", "Area",
                     f"Umrisse importiert: {len(report.matched)} Gebiete, "
                     f"{len(report.problems)} Objekte nicht übernommen",
                     {"areas": [area.full_name for _n, area in report.matched],
                      "skipped": [p.number for p in report.problems]})
    report.applied = apply and bool(report.matched)
    session.flush()
    return report


def count_with_outline(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Area).where(Area.outline.is_not(None))) or 0


def clear_outlines(session: Session, area_ids: Iterable[int] | None = None) -> int:
    """Remove stored outlines (all, or of ``area_ids``); returns how many were removed."""
    query = select(Area).where(Area.outline.is_not(None))
    if area_ids is not None:
        query = query.where(Area.id.in_(list(area_ids)))
    removed = 0
    for area in session.scalars(query):
        area.outline = None
        removed += 1
    session.flush()
    return removed


def outline_of(area: Area) -> dict[str, Any] | None:
    """The stored geometry as a dict (None when there is none or it cannot be read)."""
    if not area.outline:
        return None
    try:
        geometry = json.loads(area.outline)
    except ValueError:
        return None
    return geometry if isinstance(geometry, dict) else None
