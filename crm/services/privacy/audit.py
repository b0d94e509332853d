"""Audit trail written by a session listener, so no write can skip it.

Services, Flask-Admin and CLI commands all write through the SQLAlchemy session;
listening on ``after_flush`` records every insert, update and delete of the audited
models with the fields that changed, in the same transaction as the change.
"""
from __future__ import annotations

import contextvars
import enum
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import event, insert, inspect
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history

from crm.models import (
    Actor,
    ActorKind,
    Affiliation,
    Area,
    Attendance,
    AuditEntry,
    Consent,
    Cooperation,
    CooperationType,
    Event,
    EventKind,
    Initiative,
    Invitation,
    LifeStage,
    Membership,
    Offer,
    Person,
    TargetGroup,
    Topic,
    User,
    WorkshopGroup,
    WorkshopParticipant,
    WorkshopProposal,
)
from crm.models.base import utcnow
from crm.services.errors import N_

AUDITED: tuple[type, ...] = (
    Actor, Person, Affiliation, Consent, Cooperation, Initiative, Membership, Event, Invitation,
    Attendance, User, ActorKind, Area, CooperationType, EventKind, LifeStage, Topic,
    WorkshopGroup, WorkshopParticipant, WorkshopProposal,
    Attendance, User, ActorKind, Area, CooperationType, EventKind, LifeStage, Topic, Offer, TargetGroup,
)
# Never copied into the log: secrets, and bookkeeping that changes on every request.
HIDDEN_FIELDS = {"password_hash", "token_nonce", "token_hash"}
SKIPPED_FIELDS = {"version_id", "created_at", "updated_at", "failed_logins", "last_login_at", "locked_until",
                  "session_epoch", "search_text", "search_street",
                  # an area outline can be 100 kB of coordinates: its import writes one summary entry instead
                  "outline"}

_cli_actor: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_cli_actor", default=None)
_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_suppressed", default=False)


@contextmanager
def acting_as(label: str) -> Iterator[None]:
    """Name who acts outside a request (a CLI command, the mail worker)."""
    token = _cli_actor.set(label)
    try:
        yield
    finally:
        _cli_actor.reset(token)


@contextmanager
def suppressed() -> Iterator[None]:
    """Bulk loads of generated demo data: one summary entry instead of thousands."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def _who() -> tuple[int | None, str]:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.email
    label = _cli_actor.get()
    if label:
        return None, label
    if has_request_context():
        return None, "öffentlich"
    return None, "system"


def actor_identity() -> tuple[int | None, str]:
    """Who acts now, as the audit log names them: (user id or None, label)."""
    return _who()


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return sorted((_json_value(v) for v in value), key=str)
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return str(value)


def _changes(obj: Any, *, deleted: bool = False, created: bool = False) -> dict[str, Any]:
    state = inspect(obj)
    changes: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in SKIPPED_FIELDS or key == "id":
            continue
        current = getattr(obj, key, None) if not deleted else None
        if created or deleted:
            old, new = (getattr(obj, key, None), None) if deleted else (None, current)
            if old is None and new is None:
                continue
        else:
            hist = get_history(obj, key)
            if not hist.has_changes():
                continue
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old == new:
                continue
        if key in HIDDEN_FIELDS:
            changes[key] = ["***", "***"]
        else:
            changes[key] = [_json_value(old), _json_value(new)]
    for rel in state.mapper.relationships:
        if not rel.uselist or rel.secondary is None:
            continue  # many-to-one changes show up as their *_id column
        hist = get_history(obj, rel.key)
        if hist.has_changes():
            changes[rel.key] = {"added": [str(o) for o in hist.added], "removed": [str(o) for o in hist.deleted]}
    return changes


# What a record is called on screen (the start page, the log): never its class name.
ENTITY_LABELS = {
    "Actor": N_("Akteur"), "Person": N_("Person"), "Affiliation": N_("Zugehörigkeit"),
    "Consent": N_("Einwilligung"), "Cooperation": N_("Kooperation"), "Initiative": N_("Initiative"),
    "Membership": N_("Mitgliedschaft"), "Event": N_("Veranstaltung"), "Invitation": N_("Einladung"),
    "Attendance": N_("Teilnahme"), "User": N_("Benutzerkonto"), "ActorKind": N_("Akteursart"), "Area": N_("Gebiet"),
    "CooperationType": N_("Kooperationsart"), "EventKind": N_("Veranstaltungsart"),
    "LifeStage": N_("Bildungsphase"), "Topic": N_("Themenfeld"), "ImportBatch": N_("Import"),
    "ApiToken": N_("API-Token"), "MailTemplate": N_("E-Mail-Vorlage"),
    "WorkshopGroup": N_("Werkstatt-Gruppe"), "WorkshopParticipant": N_("Werkstatt-Teilnahme"),
    "WorkshopProposal": N_("Werkstatt-Vorschlag"),
    "Offer": N_("Bildungsangebot"), "TargetGroup": N_("Zielgruppe"),
}
# What was done, in words (every action this log records).
ACTION_LABELS = {"create": N_("angelegt"), "update": N_("geändert"), "delete": N_("gelöscht"),
                 "merge": N_("zusammengeführt"), "import": N_("importiert"), "send": N_("versendet"),
                 "anonymise": N_("anonymisiert"), "unlock": N_("entsperrt"), "export": N_("exportiert"),
                 "revoke": N_("widerrufen"), "withdraw": N_("widerrufen"),
                 "login_failed": N_("Anmeldung fehlgeschlagen"), "login_reset": N_("Anmeldesperre zurückgesetzt")}
_REPR = re.compile(r"^<([A-Za-z]+) (\d+)\b.*>$", re.DOTALL)


def _name(obj: Any) -> str:
    """A related record's name, if it is loaded or cheap to load; never a repr."""
    if obj is None:
        return "?"
    for attribute in ("name", "full_name", "title"):
        value = getattr(obj, attribute, None)
        if isinstance(value, str) and value:
            return value
    return ENTITY_LABELS.get(type(obj).__name__, "Datensatz")


def describe(obj: Any) -> str:
    """What the log and the start page call a record: „Kooperationsvertrag: Grundschule Olewig – Kita
    St. Anna“, „Grundschule Olewig in MINT-Lernen in Trier (Partner)“ — names, never ids or reprs."""
    kind = type(obj).__name__
    if kind == "Cooperation":
        type_name = obj.type.name if obj.type is not None else "Kooperation"
        return f"{type_name}: {_name(obj.source)} – {_name(obj.target)}"
    if kind == "Membership":
        role = getattr(obj.role, "value", obj.role)
        from crm.services.landscape.initiatives import ROLE_LABELS

        return f"{_name(obj.actor)} in {_name(obj.initiative)} ({ROLE_LABELS.get(obj.role, role)})"
    if kind == "Affiliation":
        function = f" ({obj.function})" if obj.function else ""
        return f"{_name(obj.person)} – {_name(obj.actor)}{function}"
    if kind == "Consent":
        return f"{_name(obj.person)}: {getattr(obj.purpose, 'value', obj.purpose)}"
    if kind == "WorkshopGroup":
        return f"{obj.name} ({_name(obj.event)})"
    if kind == "WorkshopParticipant":
        return f"{_name(obj.person)} – {_name(obj.group)}"
    if kind in ("Invitation", "Attendance"):
        return f"{_name(obj.person)} – {_name(obj.event)}"
    if kind == "User":
        return obj.email
    text = str(obj)
    return text if not _REPR.match(text) else ENTITY_LABELS.get(kind, "Datensatz")


def _summary(obj: Any) -> str:
    try:
        return describe(obj)[:300]
    except (AttributeError, InvalidRequestError):  # a related row gone in the same flush: the kind will do
        return ENTITY_LABELS.get(type(obj).__name__, "Datensatz")


def readable_summary(entry: AuditEntry) -> str:
    """An entry's summary as a person reads it. Entries written before ``describe`` may hold a
    repr (``<Cooperation 252 13->46 type=2>``): those read „Kooperation Nr. 252“."""
    found = _REPR.match(entry.summary or "")
    if found:
        return f"{ENTITY_LABELS.get(found.group(1), 'Datensatz')} Nr. {found.group(2)}"
    return entry.summary


def _after_flush(session: Session, flush_context: Any) -> None:
    if _suppressed.get():
        return
    rows: list[dict[str, Any]] = []
    user_id, label = None, None
    for action, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            if not isinstance(obj, AUDITED):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=True):
                continue
            changes = _changes(obj, created=action == "create", deleted=action == "delete")
            if action == "update" and not changes:
                continue
            if label is None:
                user_id, label = _who()
            rows.append({
                "created_at": utcnow(), "user_id": user_id, "actor_label": label, "action": action,
                "entity_type": type(obj).__name__, "entity_id": inspect(obj).identity[0]
                if inspect(obj).identity else getattr(obj, "id", None),
                "summary": _summary(obj), "changes": changes,
            })
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


def record(session: Session, action: str, entity: Any, summary: str, changes: dict[str, Any] | None = None) -> None:
    """Explicit entry for operations that are more than field changes (merge, import, send)."""
    user_id, label = _who()
    session.add(AuditEntry(user_id=user_id, actor_label=label, action=action,
                           entity_type=type(entity).__name__ if not isinstance(entity, str) else entity,
                           entity_id=getattr(entity, "id", None), summary=summary[:300],
                           changes=_json_value(changes or {})))


def install() -> None:
    """Idempotent: listens on every ORM session of the process."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
