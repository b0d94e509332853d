"""Helpers for the import and export tests: vocabulary entries, the real fixture files, and a
client that fills in the mapping page the way a browser would (every select keeps its choice)."""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Actor, ActorKind, Affiliation, Area, AuditEntry, Cooperation, CooperationType, Person, Topic
from tests.real_files import REAL

RLP = REAL / "schools" / "rlp_geoportal_schulstandorte_fixture.geojson"
SAARLAND = REAL / "schools" / "saarland_geoportal_schulen_fixture.geojson"
KUMU_ELEMENTS = REAL / "kumu" / "florentine_kumu_elements.csv"
KUMU_CONNECTIONS = REAL / "kumu" / "florentine_kumu_connections.csv"
KUMU_JSON = REAL / "kumu" / "florentine_kumu_blueprint.json"
CIVICRM_ORGANISATIONS = REAL / "civicrm" / "organization_multiple_duplicates_invalid.csv"
CIVICRM_INDIVIDUALS = REAL / "civicrm" / "individual_locations_with_related.csv"
TOKEN_RE = re.compile(r"/import/([A-Za-z0-9_-]+)/zuordnung")


def ensure(app: Flask, model: type, name: str, **values: Any) -> int:
    """A vocabulary entry by name (created if the seed does not have it); returns its id."""
    with app.app_context():
        entry = db.session.scalars(select(model).where(model.name == name)).first()
        if entry is None:
            entry = model(name=name, **values)
            db.session.add(entry)
            db.session.commit()
        return entry.id


def ensure_kind(app: Flask, name: str, category: str = "Schule") -> int:
    return ensure(app, ActorKind, name, category=category)


def ensure_cooperation_type(app: Flask, name: str, directed: bool = False) -> int:
    return ensure(app, CooperationType, name, is_directed=directed)


def ensure_topic(app: Flask, name: str) -> int:
    return ensure(app, Topic, name)


def ensure_area(app: Flask, name: str, parent: str | None = None) -> int:
    with app.app_context():
        parent_id = None
        if parent:
            parent_id = db.session.scalars(select(Area.id).where(Area.name == parent)).first()
            if parent_id is None:
                area = Area(name=parent)
                db.session.add(area)
                db.session.flush()
                parent_id = area.id
        area = db.session.scalars(select(Area).where(Area.name == name, Area.parent_id == parent_id)).first()
        if area is None:
            area = Area(name=name, parent_id=parent_id)
            db.session.add(area)
        db.session.commit()
        return area.id


def counts(app: Flask) -> dict[str, int]:
    """Rows per table, to show that a refused import left nothing behind."""
    with app.app_context():
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) or 0
                for model in (Actor, Person, Affiliation, Cooperation, AuditEntry)}


class _Selects(HTMLParser):
    """The selects of a form with their selected option, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._current: str | None = None
        self._first: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "select":
            self._current, self._first = attributes.get("name"), None
        elif tag == "option" and self._current:
            value = attributes.get("value") or ""
            if self._first is None:
                self._first = value
                self.values.setdefault(self._current, value)
            if "selected" in attributes:
                self.values[self._current] = value

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._current = None


def form_selects(page: str) -> dict[str, str]:
    parser = _Selects()
    parser.feed(page)
    return parser.values


def upload(client: Any, target: str, *files: Path | tuple[str, bytes]):
    data: dict[str, Any] = {"target": target, "csrf_token": client.csrf_token(), "files": []}
    for item in files:
        name, content = (item.name, item.read_bytes()) if isinstance(item, Path) else item
        data["files"].append((io.BytesIO(content), name))
    return client.post("/import/", data=data, content_type="multipart/form-data")


def start(client: Any, target: str, *files: Path | tuple[str, bytes]) -> str:
    """Upload; returns the batch token (the upload must succeed)."""
    response = upload(client, target, *files)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    match = TOKEN_RE.search(response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def field_name(page: str, header: str) -> str:
    """The select on the mapping page for the column whose label starts with ``header``."""
    match = re.search(r'<label for="(s\d+_c\d+)">' + re.escape(header), page)
    assert match, f"no column {header!r} on the mapping page"
    return match.group(1)


def value_field(page: str, raw: str) -> str:
    match = re.search(r'<label for="(value_\d+)">' + re.escape(raw) + "</label>", page)
    assert match, f"no value {raw!r} to map on the mapping page"
    return match.group(1)


def map_columns(client: Any, token: str, columns: dict[str, str] | None = None,
                values: dict[str, str] | None = None, **extra: str):
    """Open the mapping page, change the given selects (by column label or value), and submit."""
    page = client.get(f"/import/{token}/zuordnung").get_data(as_text=True)
    data = form_selects(page)
    for header, key in (columns or {}).items():
        data[field_name(page, header)] = key
    for raw, target in (values or {}).items():
        data[value_field(page, raw)] = target
    data.update(extra)
    return client.post_form(f"/import/{token}/zuordnung", data)


def preview(client: Any, token: str) -> tuple[int, str]:
    response = client.get(f"/import/{token}/vorschau")
    return response.status_code, response.get_data(as_text=True)


def dry_run(client: Any, token: str) -> tuple[int, str]:
    response = client.post_form(f"/import/{token}/probelauf")
    return response.status_code, response.get_data(as_text=True)


def commit(client: Any, token: str) -> tuple[int, str]:
    response = client.post_form(f"/import/{token}/ausfuehren", follow_redirects=True)
    return response.status_code, response.get_data(as_text=True)


def text_of(page: str) -> str:
    """Page text without tags and with entities undone, for asserting German sentences."""
    import html

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
