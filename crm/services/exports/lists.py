"""Export of filtered lists (CSV, Excel) and of the whole landscape in Kumu's layout.

CSV is written the way German Excel opens it without a wizard: UTF-8 with BOM,
semicolons, dates as TT.MM.JJJJ and decimal commas. Text cells that start with
= + - @ (or a tab or carriage return) get a leading apostrophe, so a spreadsheet
never runs them as formulas (CSV/formula injection); the importer removes that
apostrophe again. Column headers are the German names the importer recognises, so
every export can be imported again (Kumu export and import are each other's inverse).

"Export this list" means exactly the rows the list shows: each export reads the list's own
filter (``directory.actor_filter_from_args``, ``persons.person_filter_from_args``, …) and query,
on all pages at once, with the relations it writes loaded up front (a constant number of queries).

Large lists stream (issue 13: 40,000 actors once took 700 MB and 10-15 s, 371 statements):
``iter_actor_rows`` reads the actors in chunks (``yield_per``) with the vocabularies loaded once
and each chunk's topics, life stages, parents and people in one statement each; ``iter_csv``
writes the CSV as it goes, ``xlsx_file`` writes a write-only workbook into a temporary file. The
memory of an export no longer grows with the landscape.

An individual actor (a kind marked ``is_individual``) is a natural person: the view passes
``contact_visible`` (``crm.permissions.can_see_contact_of``), and the street, e-mail and phone
cells of those the user may not see stay empty.
"""
from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import IO, Any, cast

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from crm.collation import german, sort_key
from crm.models import (
    Actor,
    ActorKind,
    Affiliation,
    Area,
    Cooperation,
    Initiative,
    LifeStage,
    Membership,
    Person,
    Topic,
)
from crm.models.actors import actor_life_stages, actor_topics
from crm.services.imports.readers import FORMULA_PREFIXES
from crm.services.landscape import cooperations as cooperation_service
from crm.services.landscape import directory
from crm.services.landscape import initiatives as initiative_service
from crm.services.landscape import persons as person_service

LIST_SEPARATOR = " | "

ContactCheck = Callable[[Actor], bool]


def _everyone(actor: Actor) -> bool:
    return True


CHUNK = 1000   # rows read and written at a time

@dataclass
class Table:
    """A sheet: ``rows`` may be a generator, read once while the file is written."""

    title: str
    headers: list[str]
    rows: Iterable[list[Any]]


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


def iter_csv(table: Table, chunk: int = CHUNK) -> Iterator[bytes]:
    """The CSV file in pieces of ``chunk`` rows (BOM and header first), for a streamed response."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_cell(h) for h in table.headers])
    yield "\ufeff".encode() + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    pending = 0
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
        pending += 1
        if pending == chunk:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue().encode("utf-8")


def to_csv(table: Table) -> bytes:
    return b"".join(iter_csv(table))


def xlsx_file(*tables: Table) -> IO[bytes]:
    """The workbook in a temporary file (in memory up to 4 MB), positioned at its start.
    openpyxl's write-only mode keeps no cells: memory stays flat however many rows there are."""
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(title=table.title[:31])
        sheet.append([_xlsx_cell(h) for h in table.headers])
        for row in table.rows:
            sheet.append([_xlsx_cell(value) for value in row])
    target: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # the caller closes it (iter_file)
    workbook.save(target)
    target.seek(0)
    return target


def iter_file(target: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    """A file's bytes in pieces, closed at the end (or when the download is abandoned)."""
    try:
        while piece := target.read(size):
            yield piece
    finally:
        target.close()


def to_xlsx(*tables: Table) -> bytes:
    return b"".join(iter_file(xlsx_file(*tables)))


def _names(items: Iterable[Any]) -> str:
    return LIST_SEPARATOR.join(item.name for item in items)


# ---------------------------------------------------------------- filtered lists

def filtered_actors(session: Session, args: Mapping[str, str], *, with_contacts: bool = False,
                    search_private: bool | None = None) -> list[Actor]:
    """The actors of the directory with the filters in its URL (all pages, not just the shown one).

    ``with_contacts`` also loads their people (for the "Ansprechpersonen" column) up front;
    ``search_private`` (default: as ``with_contacts``) lets the words match individuals' streets.
    """
    actor_filter = directory.actor_filter_from_args(args, session)
    actor_filter.search_private = with_contacts if search_private is None else search_private
    query = directory.filtered_actors_query(actor_filter).options(
        selectinload(Actor.kind), selectinload(Actor.area), selectinload(Actor.topics),
        selectinload(Actor.life_stages), selectinload(Actor.parent))
    if with_contacts:
        query = query.options(selectinload(Actor.affiliations).selectinload(Affiliation.person))
    return list(session.scalars(query))


def _actor_export_filter(session: Session, args: Mapping[str, str], with_contacts: bool,
                         search_private: bool | None) -> directory.ActorFilter:
    actor_filter = directory.actor_filter_from_args(args, session)
    actor_filter.search_private = with_contacts if search_private is None else search_private
    return actor_filter


def count_actors(session: Session, args: Mapping[str, str], *, with_contacts: bool = False,
                 search_private: bool | None = None) -> int:
    """How many actors ``iter_actor_rows`` writes (one ``count``), for the audit entry."""
    query = directory.filtered_actors_query(_actor_export_filter(session, args, with_contacts, search_private))
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def actor_export(session: Session, args: Mapping[str, str], *, with_contacts: bool = False,
                 contact_visible: ContactCheck = _everyone, search_private: bool | None = None,
                 today: date | None = None, chunk: int = CHUNK) -> Table:
    """The directory's list as a streamed table: the same rows and cells as ``actor_table`` on
    ``filtered_actors``, read ``chunk`` actors at a time. Statements: the filter's checks, the four
    vocabularies once, then per chunk the actors, their topics, life stages, parents and (with
    contacts) people: constant for any list up to ``chunk`` actors, and a handful more per chunk."""
    actor_filter = _actor_export_filter(session, args, with_contacts, search_private)
    headers = list(ACTOR_HEADERS) + (["Ansprechpersonen"] if with_contacts else [])
    return Table("Akteure", headers, _actor_rows(session, actor_filter, with_contacts, contact_visible,
                                                 today or date.today(), chunk))


_ACTOR_COLUMNS = (Actor.id, Actor.name, Actor.short_name, Actor.kind_id, Actor.area_id, Actor.street, Actor.postcode,
                  Actor.city, Actor.email, Actor.phone, Actor.website, Actor.external_ref, Actor.parent_id,
                  Actor.latitude, Actor.longitude, Actor.is_active, Actor.active_from, Actor.active_until,
                  Actor.description)


def _actor_rows(session: Session, actor_filter: directory.ActorFilter, with_contacts: bool,
                contact_visible: ContactCheck, today: date, chunk: int) -> Iterator[list[Any]]:
    """Plain rows, no ORM objects per actor (creating 40,000 of them was most of an export's time).
    Whether contact details may be shown depends on the kind only: asked once per kind."""
    kinds = {k.id: k for k in session.scalars(select(ActorKind))}
    visible = {kind_id: contact_visible(cast(Actor, SimpleNamespace(kind=kind))) for kind_id, kind in kinds.items()}
    areas = {a.id: a for a in session.scalars(select(Area))}   # held: full names walk up the parents
    area_names = {area_id: area.full_name for area_id, area in areas.items()}
    query = directory.filtered_actors_query(actor_filter).with_only_columns(*_ACTOR_COLUMNS)
    for actors in session.execute(query.execution_options(yield_per=chunk)).partitions():
        ids = [a.id for a in actors]
        topics = _names_by_actor(session, actor_topics.c.actor_id, Topic, actor_topics.c.topic_id, ids)
        stages = _names_by_actor(session, actor_life_stages.c.actor_id, LifeStage, actor_life_stages.c.life_stage_id,
                                 ids)
        parent_ids = sorted({a.parent_id for a in actors if a.parent_id is not None})
        parents = {row.id: row.external_ref or row.name for row in session.execute(
            select(Actor.id, Actor.external_ref, Actor.name).where(Actor.id.in_(parent_ids)))}
        people: dict[int, list[str]] = {}
        if with_contacts:
            for af in session.execute(
                    select(Affiliation.actor_id, Affiliation.function, Affiliation.from_date, Affiliation.to_date,
                           Person.title, Person.first_name, Person.last_name)
                    .join(Person, Affiliation.person_id == Person.id)
                    .where(Affiliation.actor_id.in_(ids), Person.is_anonymised.is_(False))
                    .order_by(Affiliation.id)):
                # Affiliation.is_current, on plain values
                if (af.from_date is None or af.from_date <= today) and (af.to_date is None or af.to_date >= today):
                    name = " ".join(p for p in (af.title, af.first_name, af.last_name) if p)
                    people.setdefault(af.actor_id, []).append(f"{name} ({af.function})" if af.function else name)
        for a in actors:
            kind = kinds[a.kind_id]
            street, email, phone = (a.street, a.email, a.phone) if visible[a.kind_id] else ("", "", "")
            row: list[Any] = [a.name, a.short_name, kind.name, kind.category, area_names.get(a.area_id, ""),
                              street, a.postcode, a.city, email, phone, a.website, a.external_ref or "",
                              LIST_SEPARATOR.join(stages.get(a.id, [])), LIST_SEPARATOR.join(topics.get(a.id, [])),
                              parents.get(a.parent_id, "") if a.parent_id else "", a.latitude, a.longitude,
                              a.is_active, a.active_from, a.active_until, a.description]
            if with_contacts:
                row.append(LIST_SEPARATOR.join(people.get(a.id, [])))
            yield row


def _names_by_actor(session: Session, actor_column: Any, model: Any, link_column: Any,
                    ids: list[int]) -> dict[int, list[str]]:
    """{actor (or cooperation) id: names of its topics (or life stages) in their order} for one chunk."""
    names: dict[int, list[str]] = {}
    for actor_id, name in session.execute(select(actor_column, model.name).join(model, model.id == link_column)
                                          .where(actor_column.in_(ids)).order_by(actor_column, model.sort_order)):
        names.setdefault(actor_id, []).append(name)
    return names


def filtered_persons(session: Session, args: Mapping[str, str]) -> list[Person]:
    """The person list's rows (``/personen/?q=…&akteur=…``), never anonymised ones."""
    person_filter = person_service.person_filter_from_args(session, args)
    query = person_service.filtered_persons_query(person_filter).options(
        selectinload(Person.affiliations).selectinload(Affiliation.actor))
    return list(session.scalars(query))


def _cooperation_loads() -> tuple[Any, ...]:
    return (selectinload(Cooperation.source), selectinload(Cooperation.target), selectinload(Cooperation.type),
            selectinload(Cooperation.topics), selectinload(Cooperation.life_stages))


def filtered_cooperations(session: Session, args: Mapping[str, str], today: date | None = None) -> list[Cooperation]:
    """The cooperation list's rows (``akteur``, ``art``, ``thema``, ``status``, ``q``), in its order."""
    cooperation_filter = cooperation_service.cooperation_filter_from_args(session, args)
    query = cooperation_service.filtered_cooperations_query(cooperation_filter, today).options(*_cooperation_loads())
    return list(session.scalars(query))


def cooperation_export(session: Session, args: Mapping[str, str], today: date | None = None,
                       chunk: int = CHUNK) -> Table:
    """The cooperation list as a streamed table: the cells of ``cooperation_table`` on
    ``filtered_cooperations``, read as plain rows ``chunk`` at a time (partners and type joined,
    topics and life stages one statement each per chunk)."""
    cooperation_filter = cooperation_service.cooperation_filter_from_args(session, args)
    return Table("Kooperationen", list(COOPERATION_HEADERS), _cooperation_rows(session, cooperation_filter, today,
                                                                               chunk))


def _cooperation_rows(session: Session, cooperation_filter: Any, today: date | None,
                      chunk: int) -> Iterator[list[Any]]:
    from sqlalchemy.orm import aliased

    from crm.models import CooperationType
    from crm.models.cooperations import cooperation_life_stages, cooperation_topics

    source, target = aliased(Actor), aliased(Actor)
    query = (cooperation_service.filtered_cooperations_query(cooperation_filter, today)
             .with_only_columns(Cooperation.id, Cooperation.source_id, Cooperation.target_id, Cooperation.intensity,
                                Cooperation.start_date, Cooperation.end_date, Cooperation.description,
                                source.name.label("source_name"), target.name.label("target_name"),
                                CooperationType.name.label("type_name"))
             .join(source, source.id == Cooperation.source_id).join(target, target.id == Cooperation.target_id)
             .join(CooperationType, CooperationType.id == Cooperation.type_id))
    for cooperations in session.execute(query.execution_options(yield_per=chunk)).partitions():
        ids = [c.id for c in cooperations]
        topics = _names_by_actor(session, cooperation_topics.c.cooperation_id, Topic, cooperation_topics.c.topic_id,
                                 ids)
        stages = _names_by_actor(session, cooperation_life_stages.c.cooperation_id, LifeStage,
                                 cooperation_life_stages.c.life_stage_id, ids)
        for c in cooperations:
            yield [c.source_name, c.target_name, c.type_name, c.intensity, c.start_date, c.end_date, c.description,
                   LIST_SEPARATOR.join(topics.get(c.id, [])), LIST_SEPARATOR.join(stages.get(c.id, [])),
                   f"akteur-{c.source_id}", f"akteur-{c.target_id}"]


def filtered_initiatives(session: Session, args: Mapping[str, str], today: date | None = None) -> list[Initiative]:
    """The initiative list's rows (``q``, ``art``, ``thema``, ``status``), members loaded."""
    initiative_filter = initiative_service.initiative_filter_from_args(session, args)
    query = initiative_service.filtered_initiatives_query(initiative_filter, today).options(
        selectinload(Initiative.topics), selectinload(Initiative.life_stages),
        selectinload(Initiative.memberships).selectinload(Membership.actor))
    return list(session.scalars(query))


# ---------------------------------------------------------------- tables

ACTOR_HEADERS = ["Name", "Kurzname", "Art", "Kategorie", "Gebiet", "Straße", "PLZ", "Ort", "E-Mail", "Telefon",
                 "Website", "Kennung", "Bildungsphasen", "Themen", "Übergeordneter Akteur", "Breitengrad",
                 "Längengrad", "Aktiv", "Tätig seit", "Tätig bis", "Beschreibung"]


def _actor_ref(actor: Actor | None) -> str:
    if actor is None:
        return ""
    return actor.external_ref or actor.name


def _contact(actor: Actor, contact_visible: ContactCheck) -> tuple[str, str, str]:
    """Street, e-mail and phone, or three empty cells for an individual the user may not see."""
    if contact_visible(actor):
        return actor.street, actor.email, actor.phone
    return "", "", ""


def actor_table(actors: list[Actor], *, with_contacts: bool = False, today: date | None = None,
                contact_visible: ContactCheck = _everyone) -> Table:
    """One row per actor; ``with_contacts`` adds the names and functions of its current people
    (personal data: only for users who may see it). ``contact_visible`` decides per actor whether
    its street, e-mail and phone are written (``crm.permissions.can_see_contact_of``)."""
    today = today or date.today()
    headers = list(ACTOR_HEADERS) + (["Ansprechpersonen"] if with_contacts else [])
    rows = []
    for a in actors:
        street, email, phone = _contact(a, contact_visible)
        row: list[Any] = [a.name, a.short_name, a.kind.name, a.kind.category, a.area.full_name if a.area else "",
                          street, a.postcode, a.city, email, phone, a.website, a.external_ref or "",
                          _names(a.life_stages), _names(a.topics), _actor_ref(a.parent), a.latitude, a.longitude,
                          a.is_active, a.active_from, a.active_until, a.description]
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
    rows: list[list[Any]] = []
    for p in persons:
        base: list[Any] = [p.salutation, p.title, p.first_name, p.last_name, p.email, p.phone]
        if not p.affiliations:
            rows.append(base + ["", "", "", None, None])
        for af in p.affiliations:
            rows.append(base + [af.actor.name, _kumu_id(af.actor), af.function, af.from_date, af.to_date])
    return Table("Personen", list(PERSON_HEADERS), rows)


COOPERATION_HEADERS = ["Von", "Zu", "Art", "Intensität", "Beginn", "Ende", "Beschreibung", "Themen", "Bildungsphasen",
                       "Von-ID", "Zu-ID"]


def cooperation_table(cooperations: Iterable[Cooperation]) -> Table:
    """Names for people to read, and the actors' IDs (last) so that a re-import finds them exactly."""
    rows = ([c.source.name, c.target.name, c.type.name, c.intensity, c.start_date, c.end_date,
             c.description, _names(c.topics), _names(c.life_stages), _kumu_id(c.source), _kumu_id(c.target)]
            for c in cooperations)
    return Table("Kooperationen", list(COOPERATION_HEADERS), rows)


INITIATIVE_HEADERS = ["Name", "Kurzname", "Art", "Beginn", "Ende", "Status", "Website", "Themen", "Bildungsphasen",
                      "Mitglieder", "Anzahl Mitglieder", "Beschreibung"]


def initiative_table(initiatives: list[Initiative], today: date | None = None) -> Table:
    """One row per initiative; "Mitglieder" names the current members with their roles."""
    today = today or date.today()
    rows = []
    for i in initiatives:
        members = sorted(initiative_service.current_members(i, today), key=lambda m: sort_key(m.actor.name))
        status = "beendet" if i.end_date is not None and i.end_date < today else "laufend"
        rows.append([i.name, i.short_name, initiative_service.KIND_LABELS[i.kind], i.start_date, i.end_date, status,
                     i.website, _names(i.topics), _names(i.life_stages),
                     LIST_SEPARATOR.join(f"{m.actor.name} ({initiative_service.ROLE_LABELS[m.role]})" for m in members),
                     len(members), i.description])
    return Table("Initiativen", list(INITIATIVE_HEADERS), rows)


# ---------------------------------------------------------------- Kumu: the whole landscape

KUMU_ELEMENT_HEADERS = ["ID", "Label", "Type", "Description", "Tags", "Kategorie", "Gebiet", "Bildungsphasen",
                        "Kurzname", "Straße", "PLZ", "Ort", "E-Mail", "Telefon", "Website", "Kennung",
                        "Übergeordneter Akteur", "Breitengrad", "Längengrad", "Aktiv", "Tätig seit", "Tätig bis",
                        "Initiativart", "Beginn", "Ende"]
KUMU_CONNECTION_HEADERS = ["ID", "From", "To", "Type", "Direction", "Strength", "Description", "Tags",
                           "Bildungsphasen", "Beginn", "Ende", "Rolle"]
# Initiatives are elements of this type, memberships connections of this type (with a role);
# the importer (``crm.services.imports.engine.split_kumu``) recognises both.
KUMU_INITIATIVE_TYPE = "Initiative"
KUMU_MEMBERSHIP_TYPE = "Mitgliedschaft"


def _kumu_id(actor: Actor) -> str:
    # Kumu matches From/To against IDs when elements have them, so equal labels stay apart.
    return f"akteur-{actor.id}"


def _kumu_list(items: Iterable[Any]) -> str:
    return "|".join(item.name for item in items)


def kumu_tables(session: Session, contact_visible: ContactCheck = _everyone) -> tuple[Table, Table]:
    """Actors and initiatives as elements; cooperations and memberships (with their role) as connections."""
    actors = list(session.scalars(select(Actor).order_by(german(Actor.name), Actor.id).options(
        selectinload(Actor.kind), selectinload(Actor.area), selectinload(Actor.topics),
        selectinload(Actor.life_stages), selectinload(Actor.parent))))
    elements: list[list[Any]] = []
    for a in actors:
        street, email, phone = _contact(a, contact_visible)
        elements.append([_kumu_id(a), a.name, a.kind.name, a.description, _kumu_list(a.topics), a.kind.category,
                         a.area.full_name if a.area else "", _kumu_list(a.life_stages), a.short_name, street,
                         a.postcode, a.city, email, phone, a.website, a.external_ref or "",
                         _kumu_id(a.parent) if a.parent else "", a.latitude, a.longitude, a.is_active,
                         a.active_from, a.active_until, "", None, None])
    initiatives = list(session.scalars(select(Initiative).order_by(german(Initiative.name), Initiative.id).options(
        selectinload(Initiative.topics), selectinload(Initiative.life_stages))))
    for i in initiatives:
        elements.append([f"initiative-{i.id}", i.name, KUMU_INITIATIVE_TYPE, i.description, _kumu_list(i.topics), "",
                         "", _kumu_list(i.life_stages), i.short_name, "", "", "", "", "", i.website, "", "", None,
                         None, None, None, None, initiative_service.KIND_LABELS[i.kind], i.start_date, i.end_date])
    cooperations = session.scalars(select(Cooperation).options(*_cooperation_loads()).order_by(
        Cooperation.start_date.is_(None), Cooperation.start_date, Cooperation.id))
    connections: list[list[Any]] = [
        [f"kooperation-{c.id}", _kumu_id(c.source), _kumu_id(c.target), c.type.name,
         "directed" if c.is_directed else "undirected", c.intensity if c.weight is None else c.weight,
         c.description, _kumu_list(c.topics),
         _kumu_list(c.life_stages), c.start_date, c.end_date, ""] for c in cooperations]
    memberships = session.scalars(select(Membership).order_by(Membership.initiative_id, Membership.joined_on,
                                                              Membership.id))
    connections += [[f"mitgliedschaft-{m.id}", f"akteur-{m.actor_id}", f"initiative-{m.initiative_id}",
                     KUMU_MEMBERSHIP_TYPE, "directed", None, "", "", "", m.joined_on, m.left_on,
                     initiative_service.ROLE_LABELS[m.role]] for m in memberships]
    return (Table("Elements", list(KUMU_ELEMENT_HEADERS), elements),
            Table("Connections", list(KUMU_CONNECTION_HEADERS), connections))


def individual_actors(session: Session) -> list[Actor]:
    """Actors of a kind marked ``is_individual`` (natural persons), kinds loaded."""
    return list(session.scalars(select(Actor).join(ActorKind, Actor.kind_id == ActorKind.id)
                                .where(ActorKind.is_individual.is_(True)).options(selectinload(Actor.kind))))


def kumu_xlsx(session: Session, contact_visible: ContactCheck = _everyone) -> bytes:
    return to_xlsx(*kumu_tables(session, contact_visible))


def kumu_zip(session: Session, contact_visible: ContactCheck = _everyone) -> bytes:
    elements, connections = kumu_tables(session, contact_visible)
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


def kumu_json(session: Session, contact_visible: ContactCheck = _everyone) -> bytes:
    """A Kumu blueprint: standard keys in lower case (tags as lists), our own fields as they are."""
    elements, connections = kumu_tables(session, contact_visible)
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
