"""Export of filtered lists (CSV, Excel) and of the whole landscape in Kumu's layout.

CSV is written the way German Excel opens it without a wizard: UTF-8 with BOM,
semicolons, dates as TT.MM.JJJJ and decimal commas. Text cells that start with
= + - @ (or a tab or carriage return) get a leading apostrophe, so a spreadsheet
never runs them as formulas (CSV/formula injection); the importer removes that
apostrophe again. Column headers are the German names the importer recognises, so
every export can be imported again (Kumu export and import are each other's inverse).
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable, Mapping

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from crm.models import Actor, Affiliation, Cooperation, Person
from crm.services.imports.readers import FORMULA_PREFIXES

LIST_SEPARATOR = " | "


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]]


# ---------------------------------------------------------------- cell values

def neutralise(value: str) -> str:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, (int, Decimal, float)):
        return str(value).replace(".", ",")
    return neutralise(str(value))


def _xlsx_cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, (int, float, date)):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", neutralise(str(value)))


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_cell(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def to_xlsx(*tables: Table) -> bytes:
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(title=table.title[:31])
        sheet.append([_xlsx_cell(h) for h in table.headers])
        for row in table.rows:
            cells = []
            for value in row:
                cells.append(_xlsx_cell(value))
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _names(items: Iterable[Any]) -> str:
    return LIST_SEPARATOR.join(item.name for item in items)


# ---------------------------------------------------------------- filtered lists

def filtered_actors(session: Session, args: Mapping[str, str]) -> list[Actor]:
    """The actors of the directory with the filters in its URL (all pages, not just the shown one)."""
    query = _actor_query(args).options(
        selectinload(Actor.kind), selectinload(Actor.area), selectinload(Actor.topics),
        selectinload(Actor.life_stages), selectinload(Actor.parent))
    return list(session.scalars(query))


def _actor_query(args: Mapping[str, str]):
    try:  # the directory's own filters, once they exist, so the export lists what the page lists
        from crm.services import directory
    except ImportError:
        directory = None
    if directory is not None and hasattr(directory, "filtered_actors_query"):
        return directory.filtered_actors_query(directory.actor_filter_from_args(args))
    query = select(Actor).order_by(Actor.name, Actor.id)
    text = (args.get("q") or "").strip()
    if text:
        like = f"%{text.lower()}%"
        query = query.where(or_(*(func.lower(col).like(like) for col in (
            Actor.name, Actor.short_name, Actor.street, Actor.city, Actor.postcode, Actor.external_ref))))
    return query


def _int_arg(args: Mapping[str, str], key: str) -> int | None:
    try:
        return int(args.get(key) or "")
    except ValueError:
        return None


def filtered_persons(session: Session, args: Mapping[str, str]) -> list[Person]:
    """Persons (never anonymised ones) by text (name, e-mail) and actor (``akteur=<id>``)."""
    query = (select(Person).where(Person.is_anonymised.is_(False))
             .options(selectinload(Person.affiliations).selectinload(Affiliation.actor))
             .order_by(Person.last_name, Person.first_name, Person.id))
    text = (args.get("q") or "").strip()
    if text:
        like = f"%{text.lower()}%"
        query = query.where(or_(*(func.lower(col).like(like) for col in (
            Person.first_name, Person.last_name, Person.email))))
    actor_id = _int_arg(args, "akteur")
    if actor_id is not None:
        query = query.where(Person.affiliations.any(Affiliation.actor_id == actor_id))
    return list(session.scalars(query))


def filtered_cooperations(session: Session, args: Mapping[str, str], today: date | None = None) -> list[Cooperation]:
    """Cooperations by actor (``akteur``), type (``art``), status (``status=laufend|beendet``) and text."""
    today = today or date.today()
    query = (select(Cooperation).options(
        selectinload(Cooperation.source), selectinload(Cooperation.target), selectinload(Cooperation.type),
        selectinload(Cooperation.topics), selectinload(Cooperation.life_stages))
        .order_by(Cooperation.start_date.is_(None), Cooperation.start_date, Cooperation.id))
    actor_id = _int_arg(args, "akteur")
    if actor_id is not None:
        query = query.where(or_(Cooperation.source_id == actor_id, Cooperation.target_id == actor_id))
    type_id = _int_arg(args, "art")
    if type_id is not None:
        query = query.where(Cooperation.type_id == type_id)
    status = args.get("status")
    if status == "laufend":
        query = query.where(or_(Cooperation.end_date.is_(None), Cooperation.end_date >= today))
    elif status == "beendet":
        query = query.where(Cooperation.end_date < today)
    text = (args.get("q") or "").strip()
    if text:
        like = f"%{text.lower()}%"
        matching = select(Actor.id).where(func.lower(Actor.name).like(like))
        query = query.where(or_(Cooperation.source_id.in_(matching), Cooperation.target_id.in_(matching),
                                func.lower(Cooperation.description).like(like)))
    return list(session.scalars(query))


# ---------------------------------------------------------------- tables

ACTOR_HEADERS = ["Name", "Kurzname", "Art", "Kategorie", "Gebiet", "Straße", "PLZ", "Ort", "E-Mail", "Telefon",
                 "Website", "Kennung", "Bildungsphasen", "Themen", "Übergeordneter Akteur", "Breitengrad",
                 "Längengrad", "Aktiv", "Beschreibung"]


def _actor_ref(actor: Actor | None) -> str:
    if actor is None:
        return ""
    return actor.external_ref or actor.name


def actor_table(actors: list[Actor], *, with_contacts: bool = False, today: date | None = None) -> Table:
    """One row per actor; ``with_contacts`` adds the names and functions of its current people
    (personal data: only for users who may see it)."""
    today = today or date.today()
    headers = list(ACTOR_HEADERS) + (["Ansprechpersonen"] if with_contacts else [])
    rows = []
    for a in actors:
        row: list[Any] = [a.name, a.short_name, a.kind.name, a.kind.category, a.area.full_name if a.area else "",
                          a.street, a.postcode, a.city, a.email, a.phone, a.website, a.external_ref or "",
                          _names(a.life_stages), _names(a.topics), _actor_ref(a.parent), a.latitude, a.longitude,
                          a.is_active, a.description]
        if with_contacts:
            people = [f"{af.person.full_name} ({af.function})" if af.function else af.person.full_name
                      for af in a.affiliations if af.is_current(today) and not af.person.is_anonymised]
            row.append(LIST_SEPARATOR.join(people))
        rows.append(row)
    return Table("Akteure", headers, rows)


PERSON_HEADERS = ["Anrede", "Titel", "Vorname", "Nachname", "E-Mail", "Telefon", "Akteur", "Akteur-ID", "Funktion",
                  "Seit", "Bis"]


def person_table(persons: list[Person]) -> Table:
    """Contact data of persons: the caller has checked VIEW_PERSONAL_DATA. One row per affiliation."""
    rows = []
    for p in persons:
        base = [p.salutation, p.title, p.first_name, p.last_name, p.email, p.phone]
        if not p.affiliations:
            rows.append(base + ["", "", "", None, None])
        for af in p.affiliations:
            rows.append(base + [af.actor.name, _kumu_id(af.actor), af.function, af.from_date, af.to_date])
    return Table("Personen", list(PERSON_HEADERS), rows)


COOPERATION_HEADERS = ["Von", "Zu", "Art", "Intensität", "Beginn", "Ende", "Beschreibung", "Themen", "Bildungsphasen",
                       "Von-ID", "Zu-ID"]


def cooperation_table(cooperations: list[Cooperation]) -> Table:
    """Names for people to read, and the actors' IDs (last) so that a re-import finds them exactly."""
    rows = [[c.source.name, c.target.name, c.type.name, c.intensity, c.start_date, c.end_date,
             c.description, _names(c.topics), _names(c.life_stages), _kumu_id(c.source), _kumu_id(c.target)]
            for c in cooperations]
    return Table("Kooperationen", list(COOPERATION_HEADERS), rows)


# ---------------------------------------------------------------- Kumu: the whole landscape

KUMU_ELEMENT_HEADERS = ["ID", "Label", "Type", "Description", "Tags", "Kategorie", "Gebiet", "Bildungsphasen",
                        "Kurzname", "Straße", "PLZ", "Ort", "E-Mail", "Telefon", "Website", "Kennung",
                        "Übergeordneter Akteur", "Breitengrad", "Längengrad", "Aktiv"]
KUMU_CONNECTION_HEADERS = ["ID", "From", "To", "Type", "Direction", "Strength", "Description", "Tags",
                           "Bildungsphasen", "Beginn", "Ende"]


def _kumu_id(actor: Actor) -> str:
    # Kumu matches From/To against IDs when elements have them, so equal labels stay apart.
    return f"akteur-{actor.id}"


def kumu_tables(session: Session) -> tuple[Table, Table]:
    actors = list(session.scalars(select(Actor).order_by(Actor.name, Actor.id).options(
        selectinload(Actor.kind), selectinload(Actor.area), selectinload(Actor.topics),
        selectinload(Actor.life_stages), selectinload(Actor.parent))))
    elements = [[_kumu_id(a), a.name, a.kind.name, a.description, _names(a.topics).replace(LIST_SEPARATOR, "|"),
                 a.kind.category, a.area.full_name if a.area else "", _names(a.life_stages).replace(LIST_SEPARATOR, "|"),
                 a.short_name, a.street, a.postcode, a.city, a.email, a.phone, a.website, a.external_ref or "",
                 _kumu_id(a.parent) if a.parent else "", a.latitude, a.longitude, a.is_active] for a in actors]
    cooperations = filtered_cooperations(session, {})
    connections = [[f"kooperation-{c.id}", _kumu_id(c.source), _kumu_id(c.target), c.type.name,
                    "directed" if c.is_directed else "undirected", c.intensity, c.description,
                    "|".join(t.name for t in c.topics), "|".join(s.name for s in c.life_stages),
                    c.start_date, c.end_date] for c in cooperations]
    return (Table("Elements", list(KUMU_ELEMENT_HEADERS), elements),
            Table("Connections", list(KUMU_CONNECTION_HEADERS), connections))


def kumu_xlsx(session: Session) -> bytes:
    return to_xlsx(*kumu_tables(session))


def kumu_zip(session: Session) -> bytes:
    elements, connections = kumu_tables(session)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("elements.csv", to_csv(elements))
        archive.writestr("connections.csv", to_csv(connections))
    return buffer.getvalue()


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def kumu_json(session: Session) -> bytes:
    """A Kumu blueprint: standard keys in lower case (tags as lists), our own fields as they are."""
    elements, connections = kumu_tables(session)
    standard = {"ID": "id", "Label": "label", "Type": "type", "Description": "description", "Tags": "tags",
                "From": "from", "To": "to", "Direction": "direction", "Strength": "strength"}

    def objects(table: Table) -> list[dict[str, Any]]:
        result = []
        for row in table.rows:
            item: dict[str, Any] = {}
            for header, value in zip(table.headers, row):
                key = standard.get(header, header)
                if key == "tags" or header == "Bildungsphasen":
                    value = [v for v in (value or "").split("|") if v]
                if value in (None, "", []):
                    continue
                item[key] = _json_value(value)
            result.append(item)
        return result

    blueprint = {"elements": objects(elements), "connections": objects(connections)}
    return json.dumps(blueprint, ensure_ascii=False, indent=1).encode("utf-8")
