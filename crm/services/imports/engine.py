"""Running an import: read the file, apply the mapping, check every row, then write.

One function serves the three steps the user sees:
``run(..., write=False)`` is the preview (reads the database, writes nothing);
``run(..., write=True)`` changes the session and flushes, and the caller either rolls
back (dry run) or commits (import). Rows are written only if the whole file is free
of problems, and any problem found while writing leaves the caller to roll back, so a
file is imported completely or not at all.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from crm.models import ImportBatch, ImportTarget
from crm.services.errors import N_, ServiceError, refusal_for, translated
from crm.services.imports import actors, cooperations, initiatives, offers, persons
from crm.services.imports.lookups import ActorIndex, Vocabulary, name_key
from crm.services.imports.mapping import FIELDS, SHEET_LABELS, auto_mapping, missing_required, sheet_kind_for_kumu
from crm.services.imports.readers import ParsedFile, ReadError, Sheet, read_file
from crm.services.imports.report import Report
from crm.services.imports.rows import Context, SheetJob, read_row

PROCESSORS = {"actors": actors.process, "persons": persons.process, "cooperations": cooperations.process,
              "initiatives": initiatives.process_initiatives, "memberships": initiatives.process_memberships,
              "offers": offers.process}
ORDER = ("actors", "initiatives", "persons", "cooperations", "memberships", "offers")
# Kumu: the element Type that makes an initiative, the connection Types that make a membership.
INITIATIVE_TYPES = {"initiative"}
MEMBERSHIP_TYPES = {"mitgliedschaft", "membership", "mitglied", "member"}
# The fields an initiative / membership takes over from the columns mapped on the elements /
# connections sheet (the mapping page shows those two sheets only).
_INITIATIVE_FROM_ACTOR = {"name": "name", "short_name": "short_name", "description": "description",
                          "website": "website", "topics": "topics", "life_stages": "life_stages", "kumu_id": "kumu_id"}
_MEMBERSHIP_FROM_COOPERATION = {key: key for key in ("source", "target", "source_key", "target_key", "type",
                                                    "start_date", "end_date")}
# Defaults the mapping page offers, per sheet kind: option key -> (field, vocabulary)
DEFAULTABLE = {"actors": ("kind", "kind"), "cooperations": ("type", "cooperation_type")}


@dataclass
class SheetPlan:
    """A sheet of the file and what it is imported as (None: ignored)."""

    index: int
    kind: str | None


def sheet_plans(target: ImportTarget, parsed: ParsedFile) -> list[SheetPlan]:
    if target != ImportTarget.KUMU:
        return [SheetPlan(0, target.value)] + [SheetPlan(i, None) for i in range(1, len(parsed.sheets))]
    plans = [SheetPlan(i, sheet_kind_for_kumu(s.columns)) for i, s in enumerate(parsed.sheets)]
    return plans


def initial_mapping(target: ImportTarget, parsed: ParsedFile) -> dict[str, dict[str, str]]:
    """The automatic mapping stored with a new batch: sheet index -> column index -> field."""
    mapping: dict[str, dict[str, str]] = {}
    for plan in sheet_plans(target, parsed):
        if plan.kind:
            auto = auto_mapping(parsed.sheets[plan.index].columns, plan.kind)
            mapping[str(plan.index)] = {str(c): f for c, f in auto.items()}
    return mapping


def mapping_of(batch: ImportBatch, plan: SheetPlan) -> dict[int, str]:
    stored = (batch.mapping or {}).get(str(plan.index), {})
    valid = {f.key for f in FIELDS[plan.kind]} if plan.kind else set()
    return {int(c): f for c, f in stored.items() if f in valid}


def defaults_of(batch: ImportBatch, vocabulary: Vocabulary) -> dict[str, Any]:
    chosen = (batch.options or {}).get("defaults", {})
    return {"kind": vocabulary.by_id("kind", chosen.get("kind")),
            "cooperation_type": vocabulary.by_id("cooperation_type", chosen.get("cooperation_type"))}


def parse(batch: ImportBatch) -> ParsedFile:
    return read_file(batch.content, batch.filename)


def run(session: Session, batch: ImportBatch, *, write: bool, parsed: ParsedFile | None = None) -> Report:
    report = Report()
    try:
        parsed = parsed or parse(batch)
    except ReadError as error:
        report.problem(error.message)
        return report
    describe_file(parsed, report)
    vocabulary = Vocabulary(session, report, (batch.options or {}).get("values"))
    defaults = defaults_of(batch, vocabulary)
    plans = [p for p in sheet_plans(batch.target, parsed) if p.kind]
    several = len(parsed.sheets) > 1
    jobs: list[SheetJob] = []
    for plan in plans:
        sheet = parsed.sheets[plan.index]
        job = SheetJob(sheet, plan.kind or "", mapping_of(batch, plan), sheet.name if several else "")
        _check_columns(job, defaults, report)
        jobs.append(job)
    if batch.target == ImportTarget.KUMU and not plans:
        report.problem(translated(N_("In der Datei ist weder ein Blatt mit Elementen (Spalte „Label“) noch eines "
                                     "mit Verbindungen (Spalten „From“ und „To“).")))
    columns_ok = report.ok
    if batch.target == ImportTarget.KUMU:
        jobs = split_kumu(jobs)
    with_vocab = any(j.kind == "actors" and {"topics", "life_stages"} & set(j.mapping.values()) for j in jobs)
    ctx = Context(session, write, report, vocabulary, ActorIndex(session, with_vocabularies=with_vocab), defaults,
                  decisions=dict((batch.options or {}).get("matches", {})))
    if any(j.kind in ("initiatives", "memberships") for j in jobs):
        ctx.initiatives = initiatives.InitiativeIndex(session)
    records = {id(job): [read_row(ctx, job, row) for row in job.sheet.data_rows] for job in jobs}
    if not columns_ok:
        return report  # cells are checked, rows are not matched: a missing column would repeat on every row
    try:
        for kind in ORDER:
            for job in (j for j in jobs if j.kind == kind):
                PROCESSORS[kind](ctx, job, records[id(job)])
        if ctx.writing:
            session.flush()
    except ServiceError as error:
        # A rule the row checks above did not foresee (they ask the same services): nothing is kept.
        report.problem(translated(N_("%(refusal)s Es wurde nichts gespeichert."), {"refusal": error.message}))
    except (IntegrityError, DataError) as error:
        # The checks above should have caught it; if not, the caller rolls back all rows.
        refusal = refusal_for(error)
        report.problem(translated(N_("%(refusal)s Es wurde nichts gespeichert."), {"refusal": refusal.message})
                       if refusal is not None else
                       translated(N_("Die Datenbank hat die Änderungen abgelehnt; es wurde nichts gespeichert. "
                                     "Technische Meldung: %(detail)s"), {"detail": str(error.orig)[:300]}))
    rank = {job.label: number for number, job in enumerate(jobs)}
    report.problems.sort(key=lambda p: (rank.get(p.sheet, -1), p.line or 0))
    return report


def _derived_mapping(job: SheetJob, kind: str, carried: dict[str, str]) -> dict[int, str]:
    """The user's mapping of ``job`` for the fields ``kind`` shares with it, plus the columns
    only ``kind`` knows, recognised by their headers."""
    mapping = {column: carried[key] for column, key in job.mapping.items() if key in carried}
    for column, key in auto_mapping(job.sheet.columns, kind).items():
        if column not in mapping and key not in mapping.values() and column not in job.mapping:
            mapping[column] = key
    return mapping


def _part(job: SheetJob, rows: list[Any], kind: str, mapping: dict[int, str]) -> SheetJob:
    sheet = job.sheet
    part = Sheet(sheet.name, sheet.columns, rows, sheet.header_line, sheet.has_letters, sheet.header_width,
                 sheet.row_noun)
    return SheetJob(part, kind, mapping, job.label)


def split_kumu(jobs: list[SheetJob]) -> list[SheetJob]:
    """In a Kumu landscape, elements of Type „Initiative“ are initiatives, and connections that
    join an actor to an initiative (or have Type „Mitgliedschaft“) are memberships.

    The rows stay where they are in the file (problems name their rows as the user sees them);
    they are only handed to the importer of what they describe.
    """
    result: list[SheetJob] = []
    initiative_ids: set[str] = set()
    initiative_names: set[str] = set()
    actor_names: set[str] = set()
    for job in jobs:
        if job.kind != "actors":
            continue
        type_column, name_column, id_column = job.column_of("kind"), job.column_of("name"), job.column_of("kumu_id")
        chosen, rest = _partition(job.sheet.rows, lambda r, column=type_column: column is not None
                                  and name_key(r.get(column)) in INITIATIVE_TYPES)
        if name_column is not None:
            initiative_names.update(name_key(r.get(name_column)) for r in chosen if r.get(name_column))
            actor_names.update(name_key(r.get(name_column)) for r in rest if r.get(name_column))
        if id_column is not None:
            initiative_ids.update(r.get(id_column).lower() for r in chosen if r.get(id_column))
        if not chosen:
            result.append(job)
            continue
        if any(not r.is_blank for r in rest):
            result.append(_part(job, rest, "actors", job.mapping))
        result.append(_part(job, chosen, "initiatives", _derived_mapping(job, "initiatives", _INITIATIVE_FROM_ACTOR)))
    only_initiatives = initiative_names - actor_names

    def names_initiative(text: str) -> bool:
        lowered = text.strip().lower()
        return bool(lowered) and (lowered in initiative_ids or initiatives.INTERNAL_ID.fullmatch(lowered) is not None
                                  or name_key(text) in only_initiatives)

    for job in jobs:
        if job.kind == "actors":
            continue
        if job.kind != "cooperations":
            result.append(job)
            continue
        end_columns = [job.column_of(k) for k in ("source", "source_key", "target", "target_key")]
        type_column = job.column_of("type")
        chosen, rest = _partition(job.sheet.rows, lambda r, ends=end_columns, column=type_column: any(
            c is not None and names_initiative(r.get(c)) for c in ends)
            or (column is not None and name_key(r.get(column)) in MEMBERSHIP_TYPES))
        if not chosen:
            result.append(job)
            continue
        if any(not r.is_blank for r in rest):
            result.append(_part(job, rest, "cooperations", job.mapping))
        result.append(_part(job, chosen, "memberships",
                            _derived_mapping(job, "memberships", _MEMBERSHIP_FROM_COOPERATION)))
    return result


def _partition(rows: list[Any], wanted: Any) -> tuple[list[Any], list[Any]]:
    chosen: list[Any] = []
    rest: list[Any] = []
    for row in rows:
        (chosen if wanted(row) else rest).append(row)
    return chosen, rest


def _check_columns(job: SheetJob, defaults: dict[str, Any], report: Report) -> None:
    mapped = list(job.mapping.values())
    default_values = {"kind": defaults.get("kind"), "type": defaults.get("cooperation_type")}
    for spec in missing_required(job.mapping, job.kind, default_values):
        message = translated(N_("Die Pflichtspalte „%(field)s“ fehlt: keine Spalte ist ihr zugeordnet."),
                             {"field": translated(spec.label)})
        if spec.key == "kind":
            message += " " + translated(
                N_("Oder wählen Sie auf der Zuordnungsseite eine Standard-Art für alle Zeilen."))
        elif spec.key == "type":
            message += " " + translated(N_("Oder wählen Sie auf der Zuordnungsseite eine Standard-Kooperationsart."))
        report.problem(message, sheet=job.label)
    for key in set(mapped):
        if mapped.count(key) > 1:
            columns = ", ".join(f"„{job.sheet.column_label(i)}“" for i, k in job.mapping.items() if k == key)
            report.problem(translated(N_("„%(field)s“ ist mehreren Spalten zugeordnet (%(columns)s)."),
                                      {"field": translated(job.spec(key).label), "columns": columns}), sheet=job.label)
    if not job.sheet.data_rows:
        report.problem(translated(N_("Die Datei enthält nur eine Kopfzeile und keine Daten.")), sheet=job.label)


def describe_file(parsed: ParsedFile, report: Report) -> None:
    parts = [translated(N_("Format: %(format)s"), {"format": parsed.format_label})]
    if parsed.encoding:
        parts.append(translated(N_("Zeichenkodierung: %(encoding)s"), {"encoding": parsed.encoding}))
    if parsed.delimiter_label:
        parts.append(translated(N_("Trennzeichen: %(delimiter)s"), {"delimiter": parsed.delimiter_label}))
    report.notes.append(", ".join(parts) + ".")
    report.notes.extend(parsed.notes)


def sheet_label(kind: str | None) -> str:
    return translated(SHEET_LABELS.get(kind or "", N_("wird nicht importiert")))
