"""Creating and changing actors."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm.models import Actor, AuditEntry
from crm.services.errors import ConcurrentEditError

EDITABLE_FIELDS = (
    "name", "short_name", "kind", "parent", "area", "street", "postcode", "city", "latitude", "longitude",
    "website", "email", "phone", "external_ref", "description", "notes", "is_active", "life_stages", "topics",
)


def _last_change(session: Session, entity_type: str, entity_id: int) -> AuditEntry | None:
    return session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id.desc()).limit(1)).first()


def check_version(session: Session, obj: Any, expected_version: int | None, label: str) -> None:
    """Refuse to save over a newer version than the one the user started from."""
    if expected_version is not None and obj.version_id != expected_version:
        last = _last_change(session, type(obj).__name__, obj.id)
        raise ConcurrentEditError(label, last.actor_label if last else None, last.created_at if last else None)


def create_actor(session: Session, values: dict[str, Any]) -> Actor:
    actor = Actor()
    _apply(actor, values)
    session.add(actor)
    session.flush()
    return actor


def update_actor(session: Session, actor: Actor, values: dict[str, Any], expected_version: int | None) -> Actor:
    """Apply ``values``; raises ConcurrentEditError if the actor changed since ``expected_version``."""
    check_version(session, actor, expected_version, actor.name)
    _apply(actor, values)
    try:
        session.flush()
    except StaleDataError:
        # Lost the race between our check and the UPDATE: same answer as above.
        session.rollback()
        fresh = session.get(Actor, actor.id)
        check_version(session, fresh, -1, fresh.name if fresh else values.get("name", ""))
        raise
    return actor


def _apply(actor: Actor, values: dict[str, Any]) -> None:
    for key in EDITABLE_FIELDS:
        if key in values:
            setattr(actor, key, values[key])
    if actor.external_ref == "":
        actor.external_ref = None


def search_actors(session: Session, text: str = "", *, page: int = 1, per_page: int = 50):
    """Actors matching ``text`` in name, short name, address or external reference, by name."""
    from sqlalchemy import or_

    query = select(Actor).order_by(Actor.name, Actor.id)
    text = text.strip()
    if text:
        like = f"%{text.lower()}%"
        query = query.where(or_(*(func.lower(col).like(like) for col in (
            Actor.name, Actor.short_name, Actor.street, Actor.city, Actor.postcode, Actor.external_ref))))
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.scalars(query.limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    return rows, total


def _display(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(sorted(str(v) for v in value))
    if value is None:
        return ""
    return str(value)


def differences(actor: Actor, values: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Fields where the saved actor differs from the user's input: (field, saved, submitted)."""
    result = []
    for key in EDITABLE_FIELDS:
        if key not in values:
            continue
        saved, mine = _display(getattr(actor, key)), _display(values[key])
        if key == "external_ref" and not mine:
            mine = ""
        if saved != mine:
            result.append((key, saved, mine))
    return result
