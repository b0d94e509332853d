"""Uploaded files between the steps of an import, and the import itself.

A batch keeps the file's bytes, the column mapping and the user's choices in the
database (not in the session cookie), is reachable only through a random token by the
user who uploaded it, and is deleted after a day (unfinished) or a week (finished).
"""
from __future__ import annotations

import io
import secrets
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.orm import Session

from crm.models import ImportBatch, ImportStatus, ImportTarget
from crm.models.base import utcnow
from crm.services.errors import N_, ServiceError
from crm.services.imports.engine import initial_mapping, mapping_of, run, sheet_plans
from crm.services.imports.lookups import Vocabulary
from crm.services.imports.mapping import TARGET_LABELS
from crm.services.imports.readers import ParsedFile, ReadError, read_file
from crm.services.imports.report import NEW_ACTOR, Report
from crm.services.privacy import audit

PENDING_LIFETIME = timedelta(hours=24)
FINISHED_LIFETIME = timedelta(days=7)


class AlreadyImported(ServiceError):
    def __init__(self) -> None:
        super().__init__(N_("Dieser Import wurde bereits ausgeführt (zum Beispiel durch doppeltes Klicken); "
                            "es wurde nichts doppelt gespeichert."))


def clean_filename(name: str) -> str:
    base = PurePath((name or "").replace("\\", "/")).name
    return "".join(ch for ch in base if ch.isprintable())[:255] or "Datei"


def bundle(files: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    """Two CSV files of a Kumu export (elements, connections) become one ZIP batch."""
    if len(files) == 1:
        return files[0]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        used: set[str] = set()
        for number, (name, data) in enumerate(files, start=1):
            member = clean_filename(name)
            if not member.lower().endswith((".csv", ".txt", ".tsv")):
                raise ReadError(N_("„%(file)s“: Mehrere Dateien zusammen müssen CSV-Dateien sein "
                                   "(Elemente und Verbindungen)."), {"file": member})
            if member in used:
                member = f"{number}-{member}"
            used.add(member)
            archive.writestr(member, data)
    return " + ".join(clean_filename(n) for n, _ in files), buffer.getvalue()


def create_batch(session: Session, *, user_id: int | None, target: ImportTarget, filename: str,
                 data: bytes) -> ImportBatch:
    """Read the file once (a file we cannot read is refused here, with a German ReadError)."""
    parsed = read_file(data, filename)
    cleanup(session)
    batch = ImportBatch(token=secrets.token_urlsafe(32), target=target, filename=clean_filename(filename),
                        content=data, size=len(data), mapping=initial_mapping(target, parsed),
                        options=_remembered_choices(session, user_id, target), created_by_id=user_id)
    session.add(batch)
    session.flush()
    return batch


def _remembered_choices(session: Session, user_id: int | None, target: ImportTarget) -> dict[str, Any]:
    """Value mappings and defaults of the user's previous import of the same kind: a list that
    comes every month with the same codes should not need the same choices every month."""
    previous = session.scalars(select(ImportBatch).where(
        ImportBatch.created_by_id == user_id, ImportBatch.target == target,
        ImportBatch.status != ImportStatus.DISCARDED)
        .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc()).limit(1)).first()
    if previous is None or user_id is None:
        return {}
    return {key: previous.options[key] for key in ("defaults", "values") if (previous.options or {}).get(key)}


def get_batch(session: Session, token: str, user_id: int) -> ImportBatch | None:
    return session.scalars(select(ImportBatch).where(
        ImportBatch.token == token, ImportBatch.created_by_id == user_id,
        ImportBatch.status != ImportStatus.DISCARDED)).first()


def recent_batches(session: Session, user_id: int, limit: int = 10) -> list[ImportBatch]:
    return list(session.scalars(select(ImportBatch).where(
        ImportBatch.created_by_id == user_id, ImportBatch.status != ImportStatus.DISCARDED)
        .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc()).limit(limit)))


def cleanup(session: Session) -> int:
    now = utcnow()
    result = cast("CursorResult[Any]", session.execute(delete(ImportBatch).where(or_(
        (ImportBatch.status == ImportStatus.PENDING) & (ImportBatch.created_at < now - PENDING_LIFETIME),
        (ImportBatch.status != ImportStatus.PENDING) & (ImportBatch.created_at < now - FINISHED_LIFETIME),
    )).execution_options(synchronize_session=False)))
    return result.rowcount or 0


def save_choices(batch: ImportBatch, mapping: dict[str, dict[str, str]], defaults: dict[str, Any],
                 values: dict[str, dict[str, str]]) -> None:
    batch.mapping = mapping
    batch.options = {"defaults": defaults, "values": values}


def save_decisions(batch: ImportBatch, report: Report, answers: dict[str, str]) -> int:
    """Keep the coordinator's answers to the report's probable matches: per row the id of the
    existing actor to link to, or ``NEW_ACTOR``. Answers that name no candidate of their row are
    ignored. Returns how many rows are decided."""
    decisions = dict((batch.options or {}).get("matches", {}))
    for match in report.matches:
        answer = answers.get(match.key)
        allowed = {str(c.actor_id) for c in match.candidates} | {NEW_ACTOR}
        if answer in allowed:
            decisions[match.key] = answer
    batch.options = {**(batch.options or {}), "matches": decisions}
    return sum(1 for match in report.matches if match.key in decisions)


def discard(batch: ImportBatch) -> None:
    batch.status = ImportStatus.DISCARDED
    batch.content = b""


def dry_run(session: Session, batch: ImportBatch) -> Report:
    """Everything an import does, flushed to the database; the caller rolls back."""
    return run(session, batch, write=True)


def commit(session: Session, batch: ImportBatch) -> Report:
    """Import all rows or none: the caller commits if the report is free of problems, else rolls back.

    The batch is claimed with a conditional UPDATE in the same transaction, so a double
    click cannot import the file twice.
    """
    report = run(session, batch, write=True)
    if not report.ready:
        return report
    claimed = cast("CursorResult[Any]", session.execute(
        update(ImportBatch).where(ImportBatch.id == batch.id, ImportBatch.status == ImportStatus.PENDING)
        .values(status=ImportStatus.COMMITTED, committed_at=utcnow(), result=report.as_dict(), content=b"")
        .execution_options(synchronize_session=False)))
    if claimed.rowcount != 1:
        raise AlreadyImported()
    counts = report.counts
    audit.record(session, "import", batch,
                 f"Import „{batch.filename}“ ({TARGET_LABELS[batch.target]}): {report.summary(shown=False)}",
                 {"filename": batch.filename, "target": batch.target.value, "rows": report.rows,
                  "created": counts["new"], "updated": counts["updated"], "unchanged": counts["unchanged"],
                  "by_kind": report.counts_by_kind()})
    return report


@dataclass
class MappingPage:
    """What the mapping page shows: the sheets with their columns, the vocabularies, and the
    values of the file that no vocabulary entry matches (from a check run with the current mapping)."""

    parsed: ParsedFile
    sections: list[tuple[int, str | None, Any, dict[int, str]]]
    choices: dict[str, list[tuple[str, str]]]
    defaults: dict[str, Any]
    value_rows: list[tuple[str, str, int, str]]
    report: Report


def mapping_page(session: Session, batch: ImportBatch) -> MappingPage:
    parsed = read_file(batch.content, batch.filename)
    report = run(session, batch, write=False, parsed=parsed)
    vocabulary = Vocabulary(session, Report())
    sections = [(plan.index, plan.kind, parsed.sheets[plan.index], mapping_of(batch, plan))
                for plan in sheet_plans(batch.target, parsed)]
    chosen_values: dict[str, dict[str, str]] = (batch.options or {}).get("values", {})
    rows: dict[tuple[str, str], tuple[int, str]] = {}
    for vocab, counter in report.unknown_values.items():
        for raw, count in counter.most_common():
            rows[(vocab, raw)] = (count, chosen_values.get(vocab, {}).get(raw, ""))
    for vocab, chosen in chosen_values.items():
        for raw, target in chosen.items():
            rows.setdefault((vocab, raw), (0, target))
    value_rows = [(vocab, raw, count, target) for (vocab, raw), (count, target) in rows.items()]
    choices = {v: vocabulary.choices(v) for v in ("kind", "cooperation_type", "area", "topics", "life_stages",
                                                    "target_groups")}
    return MappingPage(parsed, sections, choices, (batch.options or {}).get("defaults", {}), value_rows, report)
