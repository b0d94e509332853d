"""Data subject rights: access (Art. 15 DSGVO, JSON and PDF) and erasure (Art. 17, anonymisation).

Erasure keeps statistics true and removes the person:

* The person row stays as an anonymous placeholder ("Anonymisierte Person", no name, e-mail,
  phone, notes), so attendance rows (event, actor) and invitation rows (event, actor, answer)
  still count for the actor. Affiliations and consents are deleted (they are personal data:
  "Schulleitung at school X" names the person).
* Invitation comments, outbox messages to the person (recipient, subject, bodies, headers,
  attachments, SMTP errors) and their delivery attempts are blanked.
* Audit entries about the person or any of their rows keep who/when/what-kind but lose their
  values ("anonymisierte Person", values "***"); entries about other records that mention the
  person's name or address get those words replaced.
* Every other text and JSON column of every table (also tables added later) is scanned for the
  person's identifiers (e-mail addresses, name, phone numbers) and those are replaced; uploaded
  import files that contain them are deleted. User accounts (staff, not data subjects here) are
  left alone.
* The erasure itself is audited without personal data, and the audit listener is suppressed
  while it runs (its entry would otherwise copy the old name into the log).
* The surname alone is not replaced (it may be someone else's: another Frau Haas, the Haas GmbH);
  ``surname_mentions`` lists where it still occurs, whole-word, for the coordinator to review.

A hard delete of a person entered by mistake (``crm.services.landscape.persons.delete_person``) uses the
same cleaning (``traces_of`` before, ``forget_deleted`` after the rows are gone): the audit entries
of the deletion itself would otherwise keep name, e-mail and phone.
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import JSON, CursorResult, Delete, LargeBinary, String, Text, delete, func, or_, select, update
from sqlalchemy.orm import Session

from crm.models import (
    Affiliation,
    Attendance,
    AuditEntry,
    Base,
    Consent,
    DeliveryAttempt,
    ImportBatch,
    Invitation,
    LegalBasis,
    OutboxMessage,
    Person,
    WorkshopParticipant,
)
from crm.models.base import utcnow
from crm.services.errors import N_, ServiceError
from crm.services.privacy import audit

PLACEHOLDER = "Anonymisierte Person"
REDACTED = "***"
# Staff accounts and bookkeeping: not data about the persons of the landscape.
SKIPPED_TABLES = frozenset({"users", "alembic_version", "api_tokens"})
RELATED_ENTITY_TYPES = ("Person", "Affiliation", "Consent", "Invitation", "Attendance")
FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"


# --- who is this person, as text ---------------------------------------------------------------

def identifiers(session: Session, person: Person) -> list[str]:
    """Strings that identify ``person``: e-mail addresses, name variants, phone numbers (lower case)."""
    found: list[str] = []
    first, last = person.first_name.strip(), person.last_name.strip()
    if first and last:
        found += [f"{first} {last}", f"{last}, {first}", f"{last} {first}"]
    elif last and len(last) >= 4:
        found.append(last)
    if person.full_name.strip() and person.title:
        found.append(person.full_name)
    emails = [person.email] + [a.email for a in session.scalars(
        select(Affiliation).where(Affiliation.person_id == person.id))]
    found += [e for e in emails if e and "@" in e]
    phones = [person.phone] + [a.phone for a in session.scalars(
        select(Affiliation).where(Affiliation.person_id == person.id))]
    found += [p for p in phones if p and sum(c.isdigit() for c in p) >= 6]
    unique: list[str] = []
    for item in found:
        item = item.strip().lower()
        if len(item) >= 3 and item not in unique and item != PLACEHOLDER.lower():
            unique.append(item)
    return sorted(unique, key=len, reverse=True)  # longest first: "Dr. Anna Muster" before "Anna Muster"


def _mentions(text: str, needles: Iterable[str]) -> bool:
    lowered = text.lower()
    return any(n in lowered for n in needles)


def _ascii_anchor(needle: str) -> str:
    """The longest run of ASCII letters, digits and e-mail characters in a (lower-case) needle, if it
    has three or more: the part of it that SQL's ``lower()`` folds alike on every database."""
    best = max(re.findall(r"[a-z0-9@._+-]+", needle), key=len, default="")
    return best if len(best) >= 3 else ""


def may_mention(column: Any, needles: Iterable[str]) -> Any:
    """A SQL pre-filter that keeps every row whose ``column`` might mention one of ``needles`` in any
    case, or None when only reading every row will do.

    SQLite's ``lower()`` (and PostgreSQL's in a C locale) folds ASCII only: ``lower('ERIKA MÜLLER')``
    is ``'erika mÜller'``, which does not contain ``'erika müller'``. So SQL only narrows the rows by a
    pure-ASCII part of each needle ("erika", "ller"); the real comparison is ``_mentions`` in Python,
    which folds every letter. A needle without such a part (a Greek name) reads every row."""
    anchors = {_ascii_anchor(n) for n in needles}
    if not anchors or "" in anchors:
        return None
    return or_(*(func.lower(column).contains(anchor, autoescape=True) for anchor in sorted(anchors)))


def _replace(text: str, needles: Iterable[str], replacement: str = PLACEHOLDER) -> str:
    for needle in needles:
        text = re.sub(re.escape(needle), replacement, text, flags=re.IGNORECASE)
    return text


def _replace_json(value: Any, needles: list[str]) -> Any:
    if isinstance(value, str):
        return _replace(value, needles)
    if isinstance(value, list):
        return [_replace_json(v, needles) for v in value]
    if isinstance(value, dict):
        return {_replace(str(k), needles): _replace_json(v, needles) for k, v in value.items()}
    return value


def _redact_json(value: Any) -> Any:
    """Keep the shape of an audit ``changes`` mapping (which fields changed), drop every value."""
    if isinstance(value, dict):
        return {str(k): _redact_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [REDACTED if v is not None else None for v in value]
    return REDACTED if value is not None else None


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


# --- what belongs to the person ----------------------------------------------------------------

@dataclass
class Related:
    affiliation_ids: set[int] = field(default_factory=set)
    consent_ids: set[int] = field(default_factory=set)
    invitation_ids: set[int] = field(default_factory=set)
    attendance_ids: set[int] = field(default_factory=set)

    def ids_for(self, entity_type: str) -> set[int]:
        return {"Affiliation": self.affiliation_ids, "Consent": self.consent_ids,
                "Invitation": self.invitation_ids, "Attendance": self.attendance_ids}.get(entity_type, set())


def _related(session: Session, person: Person) -> Related:
    ids = lambda model: set(session.scalars(select(model.id).where(model.person_id == person.id)))  # noqa: E731
    return Related(ids(Affiliation), ids(Consent), ids(Invitation), ids(Attendance))


def _is_about(entry: AuditEntry, person_id: int, related: Related) -> bool:
    if entry.entity_type == "Person" and entry.entity_id == person_id:
        return True
    if entry.entity_type not in RELATED_ENTITY_TYPES:
        return False
    if entry.entity_id in related.ids_for(entry.entity_type):
        return True
    value = (entry.changes or {}).get("person_id")
    return isinstance(value, list) and person_id in value  # rows of the person deleted earlier


def audit_entries_about(session: Session, person: Person, needles: list[str] | None = None) -> list[AuditEntry]:
    """Audit entries about the person or their rows, and entries whose text mentions them."""
    needles = identifiers(session, person) if needles is None else needles
    return _audit_entries(session, person.id, needles, _related(session, person))


def _audit_entries(session: Session, person_id: int, needles: list[str], related: Related) -> list[AuditEntry]:
    found = []
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000)):
        if _is_about(entry, person_id, related) or _mentions(entry.summary + _json_text(entry.changes), needles):
            found.append(entry)
    return found


def _messages_to(session: Session, invitation_ids: set[int], needles: list[str]) -> list[OutboxMessage]:
    emails = [n for n in needles if "@" in n]
    conditions = []
    if invitation_ids:
        conditions.append(OutboxMessage.invitation_id.in_(invitation_ids))
    if emails:
        conditions.append(func.lower(OutboxMessage.recipient).in_(emails))
    if not conditions:
        return []
    return list(session.scalars(select(OutboxMessage).where(or_(*conditions)).order_by(OutboxMessage.id)))


# --- Art. 15: access ---------------------------------------------------------------------------

def _value(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, (int, float, str)):
        return value.value
    return value


def _row(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _value(getattr(obj, name)) for name in fields}


LEGAL_BASIS_TEXT = {
    LegalBasis.PUBLIC_TASK: "Art. 6 Abs. 1 lit. e DSGVO (Wahrnehmung einer Aufgabe im öffentlichen Interesse: "
                            "kommunales Bildungsmanagement)",
    LegalBasis.CONSENT: "Art. 6 Abs. 1 lit. a DSGVO (Einwilligung)",
    LegalBasis.LEGITIMATE_INTEREST: "Art. 6 Abs. 1 lit. f DSGVO (berechtigtes Interesse)",
}


def information(person: Person, retention_years: int = 3, mail_server: str = "") -> dict[str, Any]:
    """The information Art. 15 Abs. 1 lit. a–h DSGVO requires besides the data: purposes, legal basis,
    recipients, storage period, rights and source (German, for the person to read)."""
    from crm.permissions import ROLE_LABELS, ROLE_PERMISSIONS, Permission

    roles = ", ".join(ROLE_LABELS[role] for role, perms in ROLE_PERMISSIONS.items()
                      if Permission.VIEW_PERSONAL_DATA in perms)
    return {
        "purposes": [
            "Pflege der Bildungslandschaft: Sie sind als Ansprechperson eines Akteurs (z. B. Kita, Schule, "
            "Träger, Kammer) oder als Einzelperson der Bildungslandschaft erfasst.",
            "Einladungen zu Veranstaltungen (Bildungskonferenz, Bildungsgespräche, Fortbildungen, "
            "Netzwerktreffen), Ihre Antworten und der Nachweis der Teilnahme gegenüber Fördermittelgebern.",
            "Newsletter, nur mit Ihrer Einwilligung.",
            "Statistiken über die Zusammenarbeit in der Bildungslandschaft, nur in zusammengefasster Form "
            "je Akteur, ohne Namen.",
        ],
        "legal_basis": LEGAL_BASIS_TEXT.get(person.legal_basis, str(person.legal_basis)),
        "recipients": [
            f"Mitarbeitende der verantwortlichen Stelle mit den Rollen {roles}; Konten mit Lesezugriff "
            "(Ämter, Leitung) sehen keine personenbezogenen Daten.",
            "E-Mails an Sie werden über den Mailserver der verantwortlichen Stelle versandt"
            + (f" ({mail_server})." if mail_server else "."),
            "Keine Übermittlung an Dritte und keine Übermittlung in Drittländer.",
        ],
        "retention": (f"Die Daten werden gespeichert, solange Sie als Ansprechperson tätig sind. Gibt es "
                      f"{retention_years} Jahre lang keine Aktivität (Einladung, Antwort, Teilnahme, Änderung), "
                      "wird geprüft, ob sie gelöscht werden. Auf Ihren Wunsch werden sie jederzeit gelöscht "
                      "(anonymisiert), soweit keine Pflicht zur Aufbewahrung besteht."),
        "rights": [
            "Berichtigung unrichtiger Daten (Art. 16 DSGVO)", "Löschung (Art. 17 DSGVO)",
            "Einschränkung der Verarbeitung (Art. 18 DSGVO)", "Datenübertragbarkeit (Art. 20 DSGVO)",
            "Widerspruch (Art. 21 DSGVO) und Widerruf einer Einwilligung mit Wirkung für die Zukunft "
            "(Art. 7 Abs. 3 DSGVO), auch über den Link am Ende jeder E-Mail",
            "Beschwerde bei einer Datenschutz-Aufsichtsbehörde (Art. 77 DSGVO)",
        ],
        "source": "Ihre eigenen Angaben oder die Ihres Akteurs (Anmeldungen, Listen, Importe).",
    }


def export_person(session: Session, person: Person, organisation: str = "", retention_years: int = 3,
                  mail_server: str = "") -> dict[str, Any]:
    """Everything stored about ``person``, as plain JSON-ready data (Art. 15 DSGVO), with the
    information about purposes, recipients and storage period (``information``)."""
    needles = identifiers(session, person)
    related = _related(session, person)
    affiliations = session.scalars(select(Affiliation).where(Affiliation.person_id == person.id)
                                   .order_by(Affiliation.id)).all()
    consents = session.scalars(select(Consent).where(Consent.person_id == person.id).order_by(Consent.given_at)).all()
    invitations = session.scalars(select(Invitation).where(Invitation.person_id == person.id)
                                  .order_by(Invitation.id)).all()
    attendances = session.scalars(select(Attendance).where(Attendance.person_id == person.id)
                                  .order_by(Attendance.id)).all()
    seats = session.scalars(select(WorkshopParticipant).where(WorkshopParticipant.person_id == person.id)
                            .order_by(WorkshopParticipant.id)).all()
    messages = _messages_to(session, related.invitation_ids, needles)
    entries = audit_entries_about(session, person, needles)
    return {
        "created_at": utcnow().isoformat(),
        "controller": organisation,
        "legal_note": "Auskunft nach Art. 15 DSGVO: alle zu dieser Person gespeicherten Daten.",
        "information": information(person, retention_years, mail_server),
        "person": _row(person, ("id", "salutation", "title", "first_name", "last_name", "email", "phone", "notes",
                                "legal_basis", "is_opted_out", "is_anonymised", "last_activity_at", "created_at",
                                "updated_at")),
        "affiliations": [dict(_row(a, ("id", "function", "email", "phone", "from_date", "to_date", "is_primary")),
                              actor=a.actor.name) for a in affiliations],
        "consents": [_row(c, ("id", "purpose", "given_at", "method", "withdrawn_at")) for c in consents],
        "invitations": [dict(_row(i, ("id", "answer", "comment", "waitlist_position", "invited_at", "answered_at",
                                      "created_at")),
                             event=i.event.title, event_starts_at=_value(i.event.starts_at),
                             actor=i.actor.name if i.actor else None) for i in invitations],
        "attendances": [dict(_row(a, ("id", "source", "checked_in_at")), event=a.event.title,
                             event_starts_at=_value(a.event.starts_at), actor=a.actor.name if a.actor else None)
                        for a in attendances],
        "workshops": [{"event": w.group.event.title, "event_starts_at": _value(w.group.event.starts_at),
                       "group": w.group.name, "actor": w.actor.name if w.actor else None,
                       "proposals": "; ".join(p.title for p in w.proposed),
                       "dots": "; ".join(f"{d.proposal.title}: {d.dots}" for d in w.dots)} for w in seats],
        "messages": [dict(_row(m, ("id", "recipient", "subject", "body_text", "category", "state", "created_at",
                                   "sent_at", "last_error")),
                          attempts=[_row(t, ("started_at", "is_success", "error")) for t in m.attempts])
                     for m in messages],
        "audit_entries": [dict(_row(e, ("id", "created_at", "actor_label", "action", "entity_type", "entity_id",
                                        "summary")), changes=e.changes) for e in entries],
    }


INFORMATION_TITLES = {
    "purposes": "Zwecke der Verarbeitung", "legal_basis": "Rechtsgrundlage", "recipients": "Empfänger",
    "retention": "Speicherdauer", "rights": "Ihre Rechte", "source": "Herkunft der Daten",
}
SECTION_TITLES = {
    "person": "Stammdaten", "affiliations": "Zugehörigkeiten zu Akteuren", "consents": "Einwilligungen",
    "invitations": "Einladungen", "attendances": "Teilnahmen",
    "workshops": "Werkstatt-Gruppen, Vorschläge und Punkte", "messages": "E-Mails an die Person",
    "audit_entries": "Änderungsprotokoll",
}


def export_pdf(data: dict[str, Any]) -> bytes:
    """The same export as a PDF (DejaVu Sans, so umlauts and ß print)."""
    from fpdf import FPDF
    from fpdf.enums import WrapMode

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title("Auskunft nach Art. 15 DSGVO")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(text: str, size: int = 9, style: str = "") -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(width, size * 0.5, text, new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)

    line("Auskunft nach Art. 15 DSGVO", 16, "B")
    line(f"Verantwortliche Stelle: {data.get('controller') or '–'}")
    line(f"Erstellt am: {data['created_at']}")
    pdf.ln(3)
    info = data.get("information") or {}
    if info:
        line("Informationen nach Art. 15 Abs. 1 DSGVO", 12, "B")
        for key, title in INFORMATION_TITLES.items():
            value = info.get(key)
            if not value:
                continue
            line(title, 9, "B")
            for item in value if isinstance(value, list) else [value]:
                line(f"– {item}" if isinstance(value, list) else str(item))
        pdf.ln(3)
    for key, title in SECTION_TITLES.items():
        value = data.get(key)
        line(title, 12, "B")
        rows = [value] if isinstance(value, dict) else list(value or [])
        if not rows:
            line("– keine –")
        for row in rows:
            for name, item in row.items():
                if isinstance(item, (dict, list)):
                    item = _json_text(item)
                line(f"{name}: {'' if item is None else item}")
            pdf.ln(2)
        pdf.ln(2)
    return bytes(pdf.output())


# --- Art. 17: erasure --------------------------------------------------------------------------

@dataclass
class ErasureReport:
    person_id: int
    affiliations: int = 0
    consents: int = 0
    invitations: int = 0
    attendances: int = 0
    messages: int = 0
    audit_entries: int = 0
    import_batches: int = 0
    other_fields: dict[str, int] = field(default_factory=dict)
    review: list[Mention] = field(default_factory=list)


def _binary_mentions(data: bytes, needles: list[str]) -> bool:
    """Uploaded files: raw CSV bytes, or the XML inside an .xlsx (a zip)."""
    chunks = [data]
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                chunks += [archive.read(name) for name in archive.namelist() if name.endswith(".xml")]
        except (zipfile.BadZipFile, OSError, ValueError):
            pass
    for chunk in chunks:
        text = chunk.decode("utf-8", errors="ignore").lower()
        if any(n in text or n.replace("&", "&amp;") in text for n in needles):
            return True
        text = chunk.decode("cp1252", errors="ignore").lower()
        if any(n in text for n in needles):
            return True
    return False


def _scan_other_tables(session: Session, needles: list[str], report: ErasureReport) -> None:
    handled = {"audit_entries", "import_batches", "outbox_messages", "delivery_attempts"}
    for table in Base.metadata.sorted_tables:
        if table.name in SKIPPED_TABLES or table.name in handled:
            continue
        pk = list(table.primary_key.columns)
        text_cols = [c for c in table.columns if isinstance(c.type, (String, Text)) and not c.primary_key
                     and not c.foreign_keys]
        json_cols = [c for c in table.columns if isinstance(c.type, JSON)]
        if not pk or not (text_cols or json_cols):
            continue
        for column in text_cols:
            query = select(*pk, column).where(column.is_not(None), column != "")
            condition = may_mention(column, needles)
            if condition is not None:
                query = query.where(condition)
            for row in session.execute(query).all():
                if not _mentions(row[-1], needles):
                    continue
                new = _replace(row[-1], needles)
                length = getattr(column.type, "length", None)  # String and Text columns: their limit
                if length:
                    new = new[:length]
                session.execute(update(table).where(*(c == v for c, v in zip(pk, row[:-1]))).values({column.name: new}))
                key = f"{table.name}.{column.name}"
                report.other_fields[key] = report.other_fields.get(key, 0) + 1
        for column in json_cols:
            for row in session.execute(select(*pk, column)).all():
                if row[-1] is None or not _mentions(_json_text(row[-1]), needles):
                    continue
                session.execute(update(table).where(*(c == v for c, v in zip(pk, row[:-1])))
                                .values({column.name: _replace_json(row[-1], needles)}))
                key = f"{table.name}.{column.name}"
                report.other_fields[key] = report.other_fields.get(key, 0) + 1


@dataclass
class Traces:
    """What identifies a person and which rows are theirs, taken before anything is changed: once the
    rows are gone (a hard delete) the identifiers and ids could no longer be found."""

    person_id: int
    surname: str
    needles: list[str]
    related: Related
    message_ids: list[int]


def traces_of(session: Session, person: Person) -> Traces:
    needles = identifiers(session, person)
    related = _related(session, person)
    messages = _messages_to(session, related.invitation_ids, needles)
    return Traces(person.id, person.last_name.strip(), needles, related, [m.id for m in messages])


def _scrub(session: Session, traces: Traces, report: ErasureReport) -> None:
    """Remove the person from everything that is not their own row: mails to and about them, audit
    entries, uploaded import files, and every other text and JSON column (see the module docstring).
    The same code serves the anonymisation and the hard delete (``persons.delete_person``)."""
    needles, related = traces.needles, traces.related
    entries = _audit_entries(session, traces.person_id, needles, related)
    messages = list(session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(traces.message_ids))
                                    .order_by(OutboxMessage.id))) if traces.message_ids else []
    for message in messages:
        message.recipient, message.subject = "", PLACEHOLDER
        message.body_text = message.body_html = message.last_error = ""
        message.headers, message.attachments = {}, []
        for attempt in message.attempts:
            attempt.error = ""
    report.messages = len(messages)
    # Messages about others that mention the person (e.g. a colleague's mail naming them).
    for message in session.scalars(select(OutboxMessage)):
        if message in messages:
            continue
        text = " ".join((message.recipient, message.subject, message.body_text, message.body_html,
                         message.last_error, _json_text(message.headers), _json_text(message.attachments)))
        if _mentions(text, needles):
            message.subject = _replace(message.subject, needles)[:300]
            message.body_text = _replace(message.body_text, needles)
            message.body_html = _replace(message.body_html, needles)
            message.last_error = _replace(message.last_error, needles)
            message.headers = _replace_json(message.headers, needles)
            message.attachments = []  # calendar files hold attendee addresses; not worth parsing
            report.messages += 1
    for attempt in session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.error != "")):
        if _mentions(attempt.error, needles):
            attempt.error = _replace(attempt.error, needles)
    for entry in entries:
        if _is_about(entry, traces.person_id, related):
            entry.summary = PLACEHOLDER
            entry.changes = _redact_json(entry.changes or {})
        else:
            entry.summary = _replace(entry.summary, needles)[:300]
            entry.changes = _replace_json(entry.changes or {}, needles)
    report.audit_entries = len(entries)
    for batch in session.scalars(select(ImportBatch)):
        if _binary_mentions(batch.content or b"", needles) or _mentions(
                batch.filename + _json_text(batch.result) + _json_text(batch.mapping) + _json_text(batch.options),
                needles):
            session.delete(batch)
            report.import_batches += 1
    session.flush()
    _scan_other_tables(session, needles, report)
    session.flush()


def _deleted(session: Session, statement: Delete) -> int:
    """Rows a DELETE removed (``Session.execute`` is typed to return a plain ``Result``)."""
    return cast("CursorResult[Any]", session.execute(statement)).rowcount


def anonymise(session: Session, person: Person) -> ErasureReport:
    """Erase ``person`` as described in the module docstring. Flushes; the caller commits.

    ``report.review`` lists the places where the surname alone still occurs (``surname_mentions``),
    for the coordinator to check by hand."""
    if person.is_anonymised:
        raise ServiceError(N_("Diese Person ist bereits anonymisiert."))
    traces = traces_of(session, person)
    related = traces.related
    report = ErasureReport(person_id=person.id)
    with audit.suppressed():
        report.affiliations = _deleted(session, delete(Affiliation).where(Affiliation.person_id == person.id))
        report.consents = _deleted(session, delete(Consent).where(Consent.person_id == person.id))
        report.invitations = len(related.invitation_ids)
        report.attendances = len(related.attendance_ids)
        if related.invitation_ids:
            values: dict[str, Any] = {"comment": ""}
            if hasattr(Invitation, "token_nonce"):  # issue 4: a new nonce voids every answer link sent
                values["token_nonce"] = ""
            session.execute(update(Invitation).where(Invitation.id.in_(related.invitation_ids)).values(values))
        person.salutation = person.title = person.first_name = ""
        person.last_name = PLACEHOLDER
        person.email = person.phone = person.notes = ""
        person.is_anonymised = True
        person.is_opted_out = True
        person.last_activity_at = None
        session.flush()
        _scrub(session, traces, report)
    audit.record(session, "anonymise", person, f"{PLACEHOLDER} (Art. 17 DSGVO)",
                 {"affiliations": report.affiliations, "consents": report.consents,
                  "messages": report.messages, "audit_entries": report.audit_entries})
    session.flush()
    report.review = surname_mentions(session, traces.surname)
    return report


def forget_deleted(session: Session, traces: Traces) -> ErasureReport:
    """After a hard delete of the person (``persons.delete_person``, flushed): the audit entries the
    deletion just wrote (with every old value) and all other traces are cleaned like an anonymisation,
    so a deleted person is not kept in the log either. Flushes; the caller commits."""
    report = ErasureReport(person_id=traces.person_id)
    with audit.suppressed():
        _scrub(session, traces, report)
    return report


# --- after erasure: the surname alone, for a human to judge -----------------------------------------

# Pages that show a row of these tables, so the coordinator can open and correct it.
REVIEW_PAGES = {"actors": ("actors.show", "actor_id"), "persons": ("persons.show", "person_id"),
                "cooperations": ("cooperations.show", "cooperation_id"),
                "initiatives": ("initiatives.show", "initiative_id"), "events": ("events.show", "event_id")}
# Where a row of these tables is shown: the page of the record it belongs to.
REVIEW_PARENTS = {"affiliations": ("persons", "person_id"), "memberships": ("initiatives", "initiative_id"),
                  "invitations": ("events", "event_id"), "attendances": ("events", "event_id")}
TABLE_LABELS = {"actors": "Akteur", "persons": "Person", "cooperations": "Kooperation", "initiatives": "Initiative",
                "events": "Veranstaltung", "affiliations": "Zugehörigkeit", "memberships": "Mitgliedschaft",
                "invitations": "Einladung", "outbox_messages": "E-Mail im Postausgang", "consents": "Einwilligung",
                "mail_templates": "E-Mail-Vorlage"}
# Not data a coordinator can correct (the log is read-only; files and bookkeeping).
REVIEW_SKIPPED = SKIPPED_TABLES | {"audit_entries", "import_batches", "delivery_attempts"}


@dataclass(frozen=True)
class Mention:
    table: str
    column: str
    row_id: int | None
    label: str
    snippet: str
    endpoint: str | None = None
    endpoint_args: dict[str, int] = field(default_factory=dict)


def _snippet(text: str, match: re.Match[str], width: int = 60) -> str:
    start, end = max(0, match.start() - width), min(len(text), match.end() + width)
    return ("…" if start else "") + " ".join(text[start:end].split()) + ("…" if end < len(text) else "")


def surname_mentions(session: Session, surname: str) -> list[Mention]:
    """Free-text places where ``surname`` still occurs as a whole word (any case) after an erasure.

    The full name, e-mail and phone are replaced automatically; the surname alone ("Ansprechpartnerin
    Fr. Haas") is not, because it may belong to someone else (another Frau Haas, the Haas GmbH).
    The coordinator reviews these hits by hand."""
    surname = (surname or "").strip()
    if len(surname) < 3 or surname == PLACEHOLDER:
        return []
    pattern = re.compile(rf"(?<!\w){re.escape(surname)}(?!\w)", re.IGNORECASE)
    found: list[Mention] = []
    for table in Base.metadata.sorted_tables:
        if table.name in REVIEW_SKIPPED:
            continue
        pk = list(table.primary_key.columns)
        columns = [c for c in table.columns if isinstance(c.type, (String, Text)) and not c.primary_key
                   and not c.foreign_keys]
        if len(pk) != 1 or not columns:
            continue
        parent = REVIEW_PARENTS.get(table.name)
        extra = [table.c[parent[1]]] if parent else []
        for column in columns:
            # A cheap SQL pre-filter on the ASCII part of the name (``may_mention``), then the
            # case-insensitive word-boundary check in Python.
            query = select(pk[0], column, *extra).where(column.is_not(None), column != "")
            condition = may_mention(column, [surname.lower()])
            if condition is not None:
                query = query.where(condition)
            for row in session.execute(query.order_by(pk[0])):
                text = row[1] or ""
                match = pattern.search(text)
                if match is None:
                    continue
                page = REVIEW_PAGES.get(table.name)
                endpoint, args = (page[0], {page[1]: row[0]}) if page else (None, {})
                if parent and row[2] is not None:
                    target = REVIEW_PAGES[parent[0]]
                    endpoint, args = target[0], {target[1]: row[2]}
                found.append(Mention(table.name, column.name, row[0],
                                     f"{TABLE_LABELS.get(table.name, table.name)} Nr. {row[0]}",
                                     _snippet(text, match), endpoint, args))
    return found


def remaining_mentions(session: Session, needles: list[str]) -> dict[str, int]:
    """Where the identifiers still occur (table.column → rows), for the confirmation after erasure."""
    found: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        if table.name in SKIPPED_TABLES:
            continue
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON, LargeBinary))]
        if not columns:
            continue
        for row in session.execute(select(*columns)).all():
            for column, value in zip(columns, row):
                if value is None:
                    continue
                if isinstance(value, bytes):
                    hit = _binary_mentions(value, needles)
                else:
                    hit = _mentions(value if isinstance(value, str) else _json_text(value), needles)
                if hit:
                    key = f"{table.name}.{column.name}"
                    found[key] = found.get(key, 0) + 1
    return found
