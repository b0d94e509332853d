"""The landscape's data version: a counter raised in the same transaction as every write of its records.

Stored results (``crm.services.computed.store``) are keyed by it, so a result is current exactly
while no actor, cooperation, initiative, membership, event, attendance or vocabulary entry has
changed since. Reads never raise it: an export, a login, a sent mail or an audit entry of those
leaves every result current (the former version, the last audit id plus two ``count(*)``, went
stale on every export and cost 20-70 ms per page at Land and Bund scale).

How: ``after_flush`` notes that an ORM write touched a landscape model; ``do_orm_execute`` notes
bulk ``UPDATE``/``DELETE``/``INSERT`` statements on a landscape table (a merge moves ties that
way); ``before_commit`` then raises the counter once per transaction. Raising it at commit, not at
the first write, keeps the row lock short (PostgreSQL holds it until the commit), and because the
counter and the data commit together, a worker that reads the version first and the data after
can only ever label a result older than its data, never newer.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session

from crm.models import (
    Actor,
    ActorKind,
    Area,
    Attendance,
    Cooperation,
    CooperationType,
    DataVersion,
    Event,
    EventKind,
    Initiative,
    LifeStage,
    Membership,
    Offer,
    TargetGroup,
    Topic,
)
from crm.models.base import utcnow

LANDSCAPE = "landscape"
# What the network, the dashboard and the report are built from. Persons, affiliations, consents and
# invitations are not: a changed phone number must not recompute the analysis of a Land.
LANDSCAPE_MODELS: tuple[type, ...] = (Actor, ActorKind, Area, Attendance, Cooperation, CooperationType, Event,
                                      EventKind, Initiative, LifeStage, Membership, Topic)
_FLAG = "bildungsnetz.landscape_changed"
# A second, separate counter for the offers (Bildungsangebote): the Bestandsaufnahme
# (``crm.services.offers.inventory``) keys its counts by it. Offers are not part of the landscape
# version: a provider confirming its offers must not recompute the network analysis of a Land.
OFFERS = "offers"
OFFER_MODELS: tuple[type, ...] = (Offer, TargetGroup)
_OFFERS_FLAG = "bildungsnetz.offers_changed"


def _tables(models: tuple[type, ...] = LANDSCAPE_MODELS) -> frozenset[str]:
    names: set[str] = set()
    for model in models:
        mapper = model.__mapper__  # type: ignore[attr-defined]
        names.update(t.name for t in mapper.tables)
        names.update(rel.secondary.name for rel in mapper.relationships if rel.secondary is not None)
    return frozenset(names)


LANDSCAPE_TABLES = _tables()
OFFER_TABLES = _tables(OFFER_MODELS) - LANDSCAPE_TABLES


def current(session: Session, name: str = LANDSCAPE) -> int:
    """The version now (0 before the first write)."""
    return session.scalar(select(DataVersion.version).where(DataVersion.name == name)) or 0


def state(session: Session, name: str = LANDSCAPE) -> tuple[int, datetime | None]:
    """(version, time of the last change)."""
    row = session.execute(select(DataVersion.version, DataVersion.changed_at).where(DataVersion.name == name)).first()
    return (row[0], row[1]) if row else (0, None)


def bump(session: Session, name: str = LANDSCAPE) -> None:
    """Raise the counter by one in the session's transaction (one statement, safe under concurrency)."""
    now = utcnow()
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        from sqlalchemy.dialects import postgresql, sqlite
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(DataVersion).values(name=name, version=1, changed_at=now)
        session.execute(statement.on_conflict_do_update(
            index_elements=[DataVersion.name], set_={"version": DataVersion.version + 1, "changed_at": now}))
        return
    row = session.get(DataVersion, name, with_for_update=True)  # pragma: no cover - other databases
    if row is None:
        session.add(DataVersion(name=name, version=1, changed_at=now))
    else:
        row.version += 1
        row.changed_at = now
    session.flush()


def mark_changed(session: Session) -> None:
    """Say that this transaction changed the landscape (for writes the listeners cannot see)."""
    session.info[_FLAG] = True


def _touches(session: Session, models: tuple[type, ...]) -> bool:
    return any(isinstance(o, models) for o in session.new) or any(
        isinstance(o, models) for o in session.deleted) or any(
        isinstance(o, models) and session.is_modified(o, include_collections=True) for o in session.dirty)


def _after_flush(session: Session, flush_context: Any) -> None:
    if not session.info.get(_FLAG) and _touches(session, LANDSCAPE_MODELS):
        session.info[_FLAG] = True
    if not session.info.get(_OFFERS_FLAG) and _touches(session, OFFER_MODELS):
        session.info[_OFFERS_FLAG] = True


def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and getattr(table, "name", None) in LANDSCAPE_TABLES:
        state.session.info[_FLAG] = True
    if table is not None and getattr(table, "name", None) in OFFER_TABLES:
        state.session.info[_OFFERS_FLAG] = True


def _before_commit(session: Session) -> None:
    if not session.info.get(_FLAG) and not session.info.get(_OFFERS_FLAG) and not (
            session.new or session.dirty or session.deleted):
        return
    session.flush()  # commit flushes only after this hook; the last changes must count too
    if session.info.pop(_FLAG, False):
        bump(session)
    if session.info.pop(_OFFERS_FLAG, False):
        bump(session, OFFERS)


def _after_rollback(session: Session) -> None:
    session.info.pop(_FLAG, None)
    session.info.pop(_OFFERS_FLAG, None)


def install() -> None:
    """Idempotent: listens on every ORM session of the process."""
    for name, listener in (("after_flush", _after_flush), ("do_orm_execute", _on_execute),
                           ("before_commit", _before_commit), ("after_rollback", _after_rollback)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
