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
from crm.services.imports import actors, cooperations, persons
from crm.services.imports.lookups import ActorIndex, Vocabulary
from crm.services.imports.mapping import FIELDS, SHEET_LABELS, auto_mapping, missing_required, sheet_kind_for_kumu
from crm.services.imports.readers import ParsedFile, ReadError, read_file
from crm.services.imports.report import Report
from crm.services.imports.rows import Context, SheetJob, read_row

PROCESSORS = {"actors": actors.process, "persons": persons.process, "cooperations": cooperations.process}
ORDER = ("actors", "persons", "cooperations")
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
        job = SheetJob(sheet, plan.kind, mapping_of(batch, plan), sheet.name if several else "")
        _check_columns(job, defaults, report)
        jobs.append(job)
    if batch.target == ImportTarget.KUMU and not plans:
        report.problem("In der Datei ist weder ein Blatt mit Elementen (Spalte „Label“) noch eines mit "
                       "Verbindungen (Spalten „From“ und „To“).")
    columns_ok = report.ok
    with_vocab = any(j.kind == "actors" and {"topics", "life_stages"} & set(j.mapping.values()) for j in jobs)
    ctx = Context(session, write, report, vocabulary, ActorIndex(session, with_vocabularies=with_vocab), defaults)
    records = {id(job): [read_row(ctx, job, row) for row in job.sheet.data_rows] for job in jobs}
    if not columns_ok:
        return report  # cells are checked, rows are not matched: a missing column would repeat on every row
    try:
        for kind in ORDER:
            for job in (j for j in jobs if j.kind == kind):
                PROCESSORS[kind](ctx, job, records[id(job)])
        if ctx.writing:
            session.flush()
    except (IntegrityError, DataError) as error:
        # The checks above should have caught it; if not, the caller rolls back all rows.
        report.problem("Die Datenbank hat die Änderungen abgelehnt; es wurde nichts gespeichert. "
                       f"Technische Meldung: {str(error.orig)[:300]}")
    rank = {job.label: number for number, job in enumerate(jobs)}
    report.problems.sort(key=lambda p: (rank.get(p.sheet, -1), p.line or 0))
    return report


def _check_columns(job: SheetJob, defaults: dict[str, Any], report: Report) -> None:
    mapped = list(job.mapping.values())
    default_values = {"kind": defaults.get("kind"), "type": defaults.get("cooperation_type")}
    for spec in missing_required(job.mapping, job.kind, default_values):
        hint = ""
        if spec.key == "kind":
            hint = " Oder wählen Sie auf der Zuordnungsseite eine Standard-Art für alle Zeilen."
        elif spec.key == "type":
            hint = " Oder wählen Sie auf der Zuordnungsseite eine Standard-Kooperationsart."
        report.problem(f"Die Pflichtspalte „{spec.label}“ fehlt: keine Spalte ist ihr zugeordnet.{hint}",
                       sheet=job.label)
    for key in set(mapped):
        if mapped.count(key) > 1:
            columns = ", ".join(f"„{job.sheet.column_label(i)}“" for i, k in job.mapping.items() if k == key)
            report.problem(f"„{job.spec(key).label}“ ist mehreren Spalten zugeordnet ({columns}).", sheet=job.label)
    if not job.sheet.data_rows:
        report.problem("Die Datei enthält nur eine Kopfzeile und keine Daten.", sheet=job.label)


def describe_file(parsed: ParsedFile, report: Report) -> None:
    parts = [f"Format: {parsed.format_label}"]
    if parsed.encoding:
        parts.append(f"Zeichenkodierung: {parsed.encoding}")
    if parsed.delimiter_label:
        parts.append(f"Trennzeichen: {parsed.delimiter_label}")
    report.notes.append(", ".join(parts) + ".")
    report.notes.extend(parsed.notes)


def sheet_label(kind: str | None) -> str:
    return SHEET_LABELS.get(kind or "", "wird nicht importiert")
