"""Shared machinery of the sheet importers: the run context and reading a row into field values."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from crm.services.errors import N_, translated
from crm.services.imports import cells
from crm.services.imports.cells import CellError
from crm.services.imports.lookups import ActorIndex, Vocabulary, name_key
from crm.services.imports.mapping import FieldSpec, field_spec
from crm.services.imports.readers import Row, Sheet
from crm.services.imports.report import Report

LONG_TEXT_LIMIT = 10_000


@dataclass
class Context:
    """One run over a file. ``write`` False: check and compute only (preview); True: change the session."""

    session: Session
    write: bool
    report: Report
    vocabulary: Vocabulary
    actors: ActorIndex
    defaults: dict[str, Any] = field(default_factory=dict)
    today: date = field(default_factory=date.today)
    initiatives: Any = None   # imports.initiatives.InitiativeIndex, for Kumu landscapes
    # The coordinator's answers to probable matches: "<sheet>:<line>" -> actor id or "new".
    decisions: dict[str, str] = field(default_factory=dict)

    @property
    def writing(self) -> bool:
        """Write only while nothing has gone wrong and nothing waits for a decision: the caller rolls
        back anyway then, and stand-ins (drafts) for such rows must never reach the session."""
        return self.write and self.report.ready


@dataclass
class SheetJob:
    sheet: Sheet
    kind: str                 # actors, persons, cooperations
    mapping: dict[int, str]   # column index -> field key
    label: str = ""           # sheet name in problems; empty when the file has one sheet

    def column_of(self, key: str) -> int | None:
        return next((i for i, k in self.mapping.items() if k == key), None)

    def column_label(self, key: str) -> str | None:
        index = self.column_of(key)
        return self.sheet.column_label(index) if index is not None else None

    def spec(self, key: str) -> FieldSpec:
        spec = field_spec(self.kind, key)
        assert spec is not None, key
        return spec


@dataclass
class Record:
    """A data row read into field values; ``ok`` False if any cell had a problem."""

    line: int
    values: dict[str, Any]
    ok: bool = True
    failed: set[str] = field(default_factory=set)  # fields whose cell could not be read


def convert(ctx: Context, spec: FieldSpec, text: str) -> Any:
    v = ctx.vocabulary
    kind = spec.kind
    if kind == "text" or kind == "ref":
        return cells.check_length(text, spec.max_length)
    if kind == "longtext":
        return cells.check_length(text, LONG_TEXT_LIMIT)
    if kind == "kind":
        return v.kind(text)
    if kind == "cooperation_type":
        return v.cooperation_type(text)
    if kind == "area":
        return v.area(text)
    if kind == "topics":
        return v.topics_of(text)
    if kind == "life_stages":
        return v.life_stages_of(text)
    if kind == "target_groups":
        return v.target_groups_of(text)
    if kind == "offer_start":
        return cells.parse_offer_start(text)
    if kind == "offer_status":
        return cells.parse_offer_status(text)
    if kind == "languages":
        return cells.check_length(", ".join(cells.split_multi(text.replace(",", ";"))), 200)
    if kind == "date":
        return cells.parse_date(text)
    if kind == "intensity":
        return cells.parse_intensity(text)
    if kind == "weight":
        return cells.parse_weight(text)
    if kind == "latitude":
        return cells.parse_decimal(text, -90, 90, N_("Breitengrad"))
    if kind == "longitude":
        return cells.parse_decimal(text, -180, 180, N_("Längengrad"))
    if kind == "bool":
        return cells.parse_bool(text)
    if kind == "email":
        return cells.parse_email(text)
    if kind == "url":
        return cells.parse_url(text)
    if kind == "postcode":
        return cells.parse_postcode(text)
    if kind == "direction":
        return cells.parse_direction(text)
    if kind == "role":
        return cells.parse_role(text)
    if kind == "initiative_kind":
        return cells.parse_initiative_kind(text)
    if kind == "actor":
        return cells.check_length(text, 255)  # resolved later, when this file's actors are known
    raise AssertionError(kind)


def read_row(ctx: Context, job: SheetJob, row: Row) -> Record:
    values: dict[str, Any] = {}
    failed: set[str] = set()
    extra = job.sheet.overflow(row)
    if extra:
        ctx.report.problem(translated(N_("Die Zeile hat %(extra)s Wert(e) mehr, als die Kopfzeile Spalten hat. "
                                         "Steht ein Trennzeichen (Komma oder Semikolon) in einem Wert ohne "
                                         "Anführungszeichen?"), {"extra": extra}),
                           row.line, None, job.label, job.sheet.row_noun)
        failed.add("*")
    for index, key in job.mapping.items():
        text = row.get(index)
        if not text:
            continue
        try:
            value = convert(ctx, job.spec(key), text)
        except CellError as error:
            ctx.report.problem(error.message, row.line, job.sheet.column_label(index), job.label, job.sheet.row_noun)
            failed.add(key)
            continue
        if value is not None:  # None: a value the user chose to leave out
            values[key] = value
    return Record(row.line, values, not failed, failed)


def require(ctx: Context, job: SheetJob, record: Record, key: str, hint: str = "") -> bool:
    """A required value is missing in this row: say which column is empty."""
    if key in record.values:
        return True
    if key in record.failed:  # its cell already has a problem; do not report the row twice
        record.ok = False
        return False
    spec = job.spec(key)
    column = job.column_label(key)
    message = translated(N_("„%(field)s“ fehlt; das ist eine Pflichtangabe."), {"field": translated(spec.label)})
    ctx.report.problem(f"{message} {hint}" if hint else message, record.line, column, job.label, job.sheet.row_noun)
    record.ok = False
    return False


def problem(ctx: Context, job: SheetJob, line: int, key: str | None, message: str,
            params: Mapping[str, Any] | None = None) -> None:
    """A problem of this row (in the column of ``key``): ``message`` is a marked German template
    filled from ``params`` and shown in the reader's language, or a text already translated."""
    text = translated(message, params) if params is not None else translated(message)
    ctx.report.problem(text, line, job.column_label(key) if key else None, job.label, job.sheet.row_noun)


def ids(objects: Any) -> set[int]:
    return {o.id for o in objects or []}


def resolve_actor(ctx: Context, job: SheetJob, record: Record, name_field: str, key_field: str) -> Any:
    """The actor a row names, by its ID/reference column if filled, else by its name column.

    When both are filled they must agree: an ID from another installation's export would
    otherwise attach the row to whichever actor happens to have that number here.
    """
    values = record.values
    column = key_field if key_field in values else name_field
    try:
        actor = ctx.actors.resolve(values[column])
    except CellError as error:
        problem(ctx, job, record.line, column, error.message)
        record.ok = False
        return None
    if column == key_field and name_field in values and name_key(values[name_field]) != name_key(actor.name):
        problem(ctx, job, record.line, key_field,
                N_("„%(key)s“ ist „%(actor)s“, in der Spalte „%(column)s“ steht aber „%(name)s“. Stammt die Datei "
                   "aus einer anderen Installation? Dann ordnen Sie diese Spalte bitte nicht zu."),
                {"key": values[key_field], "actor": actor.name, "column": translated(job.spec(name_field).label),
                 "name": values[name_field]})
        record.ok = False
        return None
    return actor
