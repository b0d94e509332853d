"""Creating, changing and deleting actors; what the actor page shows besides its own fields.

``check_version`` and ``differences`` are the optimistic-locking helpers every edit form uses
(actors, persons, cooperations, initiatives, events, mail templates).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from crm.collation import sort_key
from crm.models import (
    Actor,
    ActorKind,
    Affiliation,
    Area,
    Attendance,
    AuditEntry,
    Cooperation,
    CooperationType,
    Event,
    Initiative,
    Invitation,
    Membership,
    Person,
)
from crm.services.errors import N_, ConcurrentEditError, ServiceError, translated, unique_rule
from crm.services.privacy.audit import ACTION_LABELS

EDITABLE_FIELDS = (
    "name", "short_name", "kind", "parent", "area", "street", "postcode", "city", "latitude", "longitude",
    "website", "email", "phone", "external_ref", "description", "notes", "is_active", "active_from", "active_until",
    "life_stages", "topics", "listing_agreed_on", "listing_recorded_by",
)


def last_change(session: Session, entity_type: str, entity_id: int) -> AuditEntry | None:
    """The newest audit entry of a record: who saved it last, and when."""
    return session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id.desc()).limit(1)).first()


def check_version(session: Session, obj: Any, expected_version: int | None, label: str) -> None:
    """Refuse to save over a newer version than the one the user started from."""
    if expected_version is not None and obj.version_id != expected_version:
        last = last_change(session, type(obj).__name__, obj.id)
        raise ConcurrentEditError(label, last.actor_label if last else None, last.created_at if last else None)


def flush_versioned(session: Session, obj: Any, label: str) -> None:
    """Flush an edit of a versioned record. If someone else's UPDATE won the race between
    ``check_version`` and ours, that is the same conflict: ConcurrentEditError. The caller's
    transaction is left to the caller (``crm.transaction`` rolls back and names who saved first)."""
    try:
        session.flush()
    except StaleDataError:
        raise ConcurrentEditError(label, None, None, entity=(type(obj).__name__, obj.id)) from None


# --------------------------------------------------------------------------- the actor's rules
# One place for them: the page form, the API, the import and Flask-Admin all call ``check_actor``
# (through ``create_actor`` and ``update_actor``) and show its refusal under their own field.

NAME_REQUIRED = N_("Bitte geben Sie einen Namen ein.")
KIND_REQUIRED = N_("Bitte wählen Sie die Art des Akteurs.")
PARENT_CYCLE = N_("Ein Akteur kann nicht sich selbst oder einem eigenen untergeordneten Akteur "
                  "untergeordnet werden.")
REF_TAKEN = N_("Diese Kennung hat bereits „%(name)s“.")
PERIOD_REVERSED = N_("„Tätig bis“ darf nicht vor „Tätig seit“ liegen.")
ACTIVE_IN_THE_PAST = N_("Ein Akteur, der nur bis zu einem vergangenen Tag tätig war, ist nicht mehr aktiv: "
                        "entfernen Sie „Tätig bis“ oder entfernen Sie den Haken bei „Aktiv“.")

# Two requests that pass ``check_external_ref`` in the same moment race to the unique index.
unique_rule("actors", ("external_ref",), N_("Die Kennung „%(value)s“ hat bereits ein anderer Akteur."), "external_ref")


def check_parent(actor: Any, parent: Any, parent_of: Callable[[Any], Any] | None = None) -> None:
    """An actor may not sit below itself: not its own parent, nor below one of its sub-actors.

    ``parent_of`` gives a node's parent (default: the saved ``parent``); the import passes the
    parents its file is about to set, so a cycle within one file is refused before it is written.
    """
    if actor is None or parent is None:
        return
    parent_of = parent_of or (lambda node: getattr(node, "parent", None))
    node, seen = parent, set()
    while node is not None and id(node) not in seen:
        if node is actor or (getattr(node, "id", None) is not None and node.id == getattr(actor, "id", None)):
            raise ServiceError(PARENT_CYCLE, "parent")
        seen.add(id(node))
        node = parent_of(node)


def check_external_ref(session: Session, ref: str | None, exclude: Any = None,
                       known: Mapping[str, Any] | None = None) -> None:
    """An external reference (school number …) names one actor; case does not make another one.

    ``known``: every actor by lower-cased reference, when the caller holds them anyway (the
    import), instead of one query.
    """
    ref = (ref or "").strip()
    if not ref:
        return
    if known is not None:
        other = known.get(ref.lower())
        other = None if other is None or other is exclude else other
    else:
        query = select(Actor).where(func.lower(Actor.external_ref) == ref.lower())
        if exclude is not None and getattr(exclude, "id", None) is not None:
            query = query.where(Actor.id != exclude.id)
        other = session.scalars(query.limit(1)).first()
    if other is not None:
        raise ServiceError(REF_TAKEN, "external_ref", {"name": other.name})


def check_period(values: Mapping[str, Any], today: date | None = None) -> None:
    """"Tätig bis" not before "Tätig seit"; an actor said to be active is not active only until
    a past day (checked only when ``is_active`` is given)."""
    start, end = values.get("active_from"), values.get("active_until")
    if start and end and end < start:
        raise ServiceError(PERIOD_REVERSED, "active_until")
    if end and values.get("is_active") is True and end < (today or date.today()):
        raise ServiceError(ACTIVE_IN_THE_PAST, "active_until")


def check_actor(session: Session, values: Mapping[str, Any], actor: Actor | None = None, *,
                known_refs: Mapping[str, Any] | None = None,
                parent_of: Callable[[Any], Any] | None = None) -> None:
    """Raise ServiceError (with the field it concerns) for the first rule ``values`` break.

    ``actor`` is the saved actor being changed (None: a new one); only the fields in ``values``
    are checked, so a partial change (the API's PATCH, an import row) is checked as far as it goes.
    """
    if "name" in values or actor is None:
        if not (values.get("name") or "").strip():
            raise ServiceError(NAME_REQUIRED, "name")
    if ("kind" in values or actor is None) and values.get("kind") is None:
        raise ServiceError(KIND_REQUIRED, "kind")
    if "parent" in values:
        check_parent(actor, values["parent"], parent_of)
    if "external_ref" in values:
        check_external_ref(session, values["external_ref"], actor, known_refs)


def create_actor(session: Session, values: dict[str, Any], *, known_refs: Mapping[str, Any] | None = None
                 ) -> Actor:
    """A new actor from ``values`` (EDITABLE_FIELDS; kind, area and parent as objects).

    Raises ServiceError for a broken rule. Flushes; the caller commits.
    """
    check_actor(session, values, None, known_refs=known_refs)
    check_period(values)
    values = _with_listing(values)
    actor = Actor()
    _apply(actor, values)
    session.add(actor)
    session.flush()
    return actor


def closing_date(was_active: bool, values: dict[str, Any], today: date | None = None) -> date | None:
    """The "Tätig bis" day to fill in when an active actor is switched to "nicht mehr aktiv"
    without one: today (the network as of an earlier day keeps it, a later one leaves it out).
    None when nothing needs filling: still active, already inactive before, or a day was given.

    A record *entered* as inactive says nothing about when it closed, so creating one fills
    nothing in.
    """
    if was_active and values.get("is_active") is False and not values.get("active_until"):
        return today or date.today()
    return None


def update_actor(session: Session, actor: Actor, values: dict[str, Any], expected_version: int | None, *,
                 known_refs: Mapping[str, Any] | None = None, parent_of: Callable[[Any], Any] | None = None
                 ) -> Actor:
    """Apply ``values``; raises ConcurrentEditError if the actor changed since ``expected_version``,
    ServiceError for a broken rule (``check_actor``).

    Switching the actor to inactive without "Tätig bis" sets it to today (``closing_date``).
    """
    check_version(session, actor, expected_version, actor.name)
    check_actor(session, values, actor, known_refs=known_refs, parent_of=parent_of)
    values = dict(values)
    if "is_active" in values and "active_until" not in values:
        values["active_until"] = actor.active_until
    closing = closing_date(actor.is_active, values)
    if closing is not None:
        start = values.get("active_from", actor.active_from)
        values["active_until"] = max(closing, start) if start else closing  # one that starts later closes then
    check_period({"active_from": values.get("active_from", actor.active_from),
                  "active_until": values.get("active_until", actor.active_until),
                  "is_active": values.get("is_active")})
    values = _with_listing(values)
    label, name = actor.name, actor.name
    _apply(actor, values)
    flush_versioned(session, actor, label)
    if actor.name != name:
        from crm.services.offers.offers import refresh_search_text

        refresh_search_text(session, actor)
    return actor


def _with_listing(values: dict[str, Any]) -> dict[str, Any]:
    """The agreement to be listed in the public portal, with who recorded it (``crm.services.offers.listing``)."""
    from crm.services.offers.listing import listing_values
    from crm.services.privacy.audit import actor_identity

    return listing_values(values, actor_identity()[1])


def _apply(actor: Actor, values: dict[str, Any]) -> None:
    for key in EDITABLE_FIELDS:
        if key in values:
            setattr(actor, key, values[key])
    if actor.external_ref == "":
        actor.external_ref = None


def search_actors(session: Session, text: str = "", *, page: int = 1, per_page: int = 50):
    """Actors matching ``text`` in name, short name, address or external reference, by name.

    Kept for callers that only search; the directory (``crm.services.landscape.directory``) adds the
    filters. Returns ``(rows, total)``.
    """
    from crm.services.landscape.directory import ActorFilter, directory_page

    result = directory_page(session, ActorFilter(q=" ".join(text.split())[:200], page=page, per_page=per_page))
    return list(result.items), result.total


def _display(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(sorted(str(v) for v in value))
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if hasattr(value, "strftime") and not isinstance(value, datetime):
        return value.strftime("%d.%m.%Y")
    return str(value)


def differences(actor: Any, values: dict[str, Any], fields: Iterable[str] = EDITABLE_FIELDS
                ) -> list[tuple[str, str, str]]:
    """Fields where the saved record differs from the user's input: (field, saved, submitted).

    Works for any model: pass its editable ``fields`` (default: the actor's).
    """
    result = []
    for key in fields:
        if key not in values:
            continue
        saved, mine = _display(getattr(actor, key)), _display(values[key])
        if key == "external_ref" and not mine:
            mine = ""
        if saved != mine:
            result.append((key, saved, mine))
    return result


def delete_actor(session: Session, actor: Actor) -> dict[str, int]:
    """Remove an actor entered by mistake; returns what went with it.

    Its cooperations, memberships and affiliations are deleted one by one (so the audit log
    keeps each of them), sub-actors lose their parent, and invitations and attendance keep
    the person but no longer name the actor (the event numbers stay right).
    """
    removed = {"cooperations": 0, "memberships": 0, "affiliations": 0, "children": 0, "invitations": 0,
               "attendances": 0}
    for cooperation in session.scalars(select(Cooperation).where(
            or_(Cooperation.source_id == actor.id, Cooperation.target_id == actor.id))):
        session.delete(cooperation)
        removed["cooperations"] += 1
    for model, key in ((Membership, "memberships"), (Affiliation, "affiliations")):
        for row in session.scalars(select(model).where(model.actor_id == actor.id)):
            session.delete(row)
            removed[key] += 1
    for child in session.scalars(select(Actor).where(Actor.parent_id == actor.id)):
        child.parent_id = actor.parent_id if actor.parent_id != child.id else None
        removed["children"] += 1
    for invitation in session.scalars(select(Invitation).where(Invitation.actor_id == actor.id)):
        invitation.actor_id = None
        removed["invitations"] += 1
    for attendance in session.scalars(select(Attendance).where(Attendance.actor_id == actor.id)):
        attendance.actor_id = None
        removed["attendances"] += 1
    session.flush()
    session.expire(actor, ["affiliations", "children"])
    session.delete(actor)
    session.flush()
    return removed


def tie_counts(session: Session, actor: Actor) -> dict[str, int]:
    """How much hangs on an actor (for the delete and merge confirmation pages)."""
    def count(query: Any) -> int:
        return session.scalar(select(func.count()).select_from(query.subquery())) or 0

    return {
        "cooperations": count(select(Cooperation.id).where(
            or_(Cooperation.source_id == actor.id, Cooperation.target_id == actor.id))),
        "memberships": count(select(Membership.id).where(Membership.actor_id == actor.id)),
        "affiliations": count(select(Affiliation.id).where(Affiliation.actor_id == actor.id)),
        "children": count(select(Actor.id).where(Actor.parent_id == actor.id)),
        "invitations": count(select(Invitation.id).where(Invitation.actor_id == actor.id)),
        "attendances": count(select(Attendance.id).where(Attendance.actor_id == actor.id)),
    }


@dataclass
class AttendedEvent:
    event: Event
    persons: list[Person]


def events_attended(session: Session, actor_id: int) -> list[AttendedEvent]:
    """Events at which people were present for this actor (attendance rows naming it), newest first."""
    rows = session.scalars(select(Attendance).where(Attendance.actor_id == actor_id)
                           .options(selectinload(Attendance.event), selectinload(Attendance.person)))
    by_event: dict[int, AttendedEvent] = {}
    for row in rows:
        entry = by_event.setdefault(row.event_id, AttendedEvent(row.event, []))
        entry.persons.append(row.person)
    result = sorted(by_event.values(), key=lambda e: e.event.starts_at, reverse=True)
    for entry in result:
        entry.persons.sort(key=lambda p: (sort_key(p.last_name), sort_key(p.first_name)))
    return result


# --------------------------------------------------------------------------- readable history

FIELD_LABELS = {
    "name": N_("Name"), "short_name": N_("Kurzname"), "kind_id": N_("Art"), "parent_id": N_("Übergeordneter Akteur"),
    "area_id": N_("Gebiet"), "street": N_("Straße"), "postcode": N_("PLZ"), "city": N_("Ort"),
    "latitude": N_("Breitengrad"), "longitude": N_("Längengrad"), "website": N_("Website"), "email": N_("E-Mail"),
    "phone": N_("Telefon"), "external_ref": N_("Externe Kennung"), "description": N_("Beschreibung"),
    "notes": N_("Notizen"), "is_active": N_("Aktiv"), "active_from": N_("Tätig seit"),
    "active_until": N_("Tätig bis"), "life_stages": N_("Bildungsphasen"), "topics": N_("Themenfelder"),
    "salutation": N_("Anrede"), "title": N_("Titel"), "first_name": N_("Vorname"), "last_name": N_("Nachname"),
    "legal_basis": N_("Rechtsgrundlage"), "is_opted_out": N_("Widerspruch"), "source_id": N_("Akteur"),
    "target_id": N_("Partner"), "type_id": N_("Art"), "intensity": N_("Intensität"), "start_date": N_("Beginn"),
    "end_date": N_("Ende"), "initiative_id": N_("Initiative"), "kind": N_("Art"), "role": N_("Rolle"),
    "joined_on": N_("Beigetreten am"), "left_on": N_("Ausgetreten am"), "function": N_("Funktion"),
    "from_date": N_("Von"), "to_date": N_("Bis"), "person_id": N_("Person"), "actor_id": N_("Akteur"),
    "is_primary": N_("Hauptzugehörigkeit"), "is_directed": N_("Gerichtet"),
}

_REFERENCES = {"kind_id": ActorKind, "area_id": Area, "parent_id": Actor, "source_id": Actor, "target_id": Actor,
               "actor_id": Actor, "type_id": CooperationType, "initiative_id": Initiative}
# Names that only make sense on some entities (``kind_id`` is an actor kind on an actor).
_ENTITY_REFERENCES = {"Cooperation": {"type_id": CooperationType}}
HISTORY_HIDDEN = {"latitude", "longitude"}


@dataclass
class HistoryRow:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    created_at: datetime
    who: str
    action: str
    summary: str
    rows: list[HistoryRow] = field(default_factory=list)


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if value is True:
        return "ja"
    if value is False:
        return "nein"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return f"{value[8:10]}.{value[5:7]}.{value[0:4]}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value) or "–"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    text = str(value)
    return text if len(text) <= 300 else text[:300] + " …"


def history(session: Session, entity_type: str, entity_id: int, limit: int = 50) -> list[HistoryEntry]:
    """The audit entries of one record, newest first, with field names in German and ids as names.

    ``changes`` holds ``field: [old, new]`` (or ``{"added": […], "removed": […]}`` for topics and
    life stages); foreign keys are shown by the name of what they point to, if it still exists.
    """
    entries = list(session.scalars(select(AuditEntry).where(
        AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id.desc()).limit(limit)))
    wanted: dict[Any, set[int]] = {}
    references = dict(_REFERENCES, **_ENTITY_REFERENCES.get(entity_type, {}))
    for entry in entries:
        for key, change in (entry.changes or {}).items():
            model = references.get(key)
            if model is not None and isinstance(change, list):
                wanted.setdefault(model, set()).update(v for v in change if isinstance(v, int))
    names: dict[Any, dict[int, str]] = {}
    for model, ids in wanted.items():
        names[model] = {obj.id: str(obj) for obj in session.scalars(select(model).where(model.id.in_(ids)))}
    result = []
    for entry in entries:
        item = HistoryEntry(entry.created_at, entry.actor_label or "–",
                            translated(ACTION_LABELS.get(entry.action, entry.action)), entry.summary)
        for key, change in (entry.changes or {}).items():
            if key in HISTORY_HIDDEN:
                continue
            label = translated(FIELD_LABELS.get(key, key))
            if isinstance(change, dict) and ("added" in change or "removed" in change):
                removed = "" if entry.action == "create" else _plain(change.get("removed") or [])
                item.rows.append(HistoryRow(label, removed, _plain(change.get("added") or [])))
            elif isinstance(change, list) and len(change) == 2:
                model = references.get(key)
                old, new = change
                if model is not None:
                    old = names.get(model, {}).get(old, f"Nr. {old}") if isinstance(old, int) else old
                    new = names.get(model, {}).get(new, f"Nr. {new}") if isinstance(new, int) else new
                if entry.action == "create":
                    if _plain(new) != "–":
                        item.rows.append(HistoryRow(label, "", _plain(new)))
                elif entry.action == "delete":
                    item.rows.append(HistoryRow(label, "", _plain(old)))
                else:
                    item.rows.append(HistoryRow(label, _plain(old), _plain(new)))
            elif entry.action not in ("create", "update", "delete"):
                item.rows.append(HistoryRow(label, "", _plain(change)))
        result.append(item)
    return result
