"""Persons (Ansprechpersonen) and their affiliations: create, change, end, delete, list.

Personal data: callers check ``Permission.VIEW_PERSONAL_DATA`` before showing anything from
here. Affiliations have no version column; their edit form carries a ``fingerprint`` of the
values it started from instead, so two coordinators cannot silently overwrite each other
there either.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, not_, or_, select
from sqlalchemy.orm import Session, selectinload

from crm.collation import german
from crm.models import Actor, Affiliation, Attendance, Event, Invitation, Person
from crm.services.errors import N_, ConcurrentEditError, ServiceError, translated
from crm.services.landscape.actors import check_version, flush_versioned
from crm.services.landscape.directory import Page, fold_sql, fold_text, like_pattern, paginate, parse_id, parse_page

EDITABLE_FIELDS = ("salutation", "title", "first_name", "last_name", "email", "phone", "notes", "legal_basis")
AFFILIATION_FIELDS = ("actor", "function", "email", "phone", "from_date", "to_date", "is_primary")


def _apply(obj: Any, fields: tuple[str, ...], values: Mapping[str, Any]) -> None:
    for key in fields:
        if key in values:
            value = values[key]
            setattr(obj, key, value.strip() if type(value) is str and key != "notes" else value)


def create_person(session: Session, values: Mapping[str, Any]) -> Person:
    """A new person; ``values`` holds EDITABLE_FIELDS. Flushes, the caller commits."""
    if not (values.get("last_name") or "").strip():
        raise ServiceError(N_("Bitte geben Sie den Nachnamen ein."), "last_name")
    person = Person()
    _apply(person, EDITABLE_FIELDS, values)
    session.add(person)
    session.flush()
    return person


def update_person(session: Session, person: Person, values: Mapping[str, Any],
                  expected_version: int | None) -> Person:
    """Change a person; ConcurrentEditError if someone saved it since ``expected_version``."""
    if person.is_anonymised:
        raise ServiceError(N_("Diese Person ist anonymisiert und kann nicht mehr bearbeitet werden."))
    name = person.full_name
    check_version(session, person, expected_version, name)
    _apply(person, EDITABLE_FIELDS, values)
    flush_versioned(session, person, name)
    return person


def delete_person(session: Session, person: Person) -> None:
    """Remove a person entered by mistake, with affiliations, consents, invitations and attendance.

    No trace stays behind: the audit entries of the deletion (which hold the old values) and of the
    person's earlier changes, mails to them and mentions elsewhere are cleaned with the code of the
    anonymisation (``crm.services.privacy.subject_rights.forget_deleted``). For a real person who asks to be
    forgotten use the anonymisation itself, which keeps the numbers per actor right.
    """
    from crm.services.privacy import subject_rights as privacy

    traces = privacy.traces_of(session, person)  # before the rows that name them are gone
    for model in (Invitation, Attendance):  # affiliations go with the person (cascade), each one audited
        for row in session.scalars(select(model).where(model.person_id == person.id)):
            session.delete(row)
    session.delete(person)
    session.flush()
    privacy.forget_deleted(session, traces)


# --------------------------------------------------------------------------- affiliations

def check_affiliation(values: Mapping[str, Any]) -> None:
    if values.get("actor") is None:
        raise ServiceError(N_("Bitte wählen Sie den Akteur."), "actor")
    start, end = values.get("from_date"), values.get("to_date")
    if start and end and end < start:
        raise ServiceError(N_("„Bis“ darf nicht vor „Von“ liegen."), "to_date")


def add_affiliation(session: Session, person: Person, values: Mapping[str, Any]) -> Affiliation:
    """Link a person to an actor with a function (Schulleitung …), work address and dates."""
    check_affiliation(values)
    affiliation = Affiliation(person=person, function="", email="", phone="", is_primary=True)
    _apply(affiliation, AFFILIATION_FIELDS, values)
    session.add(affiliation)
    session.flush()
    return affiliation


def fingerprint(affiliation: Affiliation) -> str:
    """A short hash of the saved values: the edit form's stand-in for a version number."""
    data = {key: str(getattr(affiliation, f"{key}_id" if key == "actor" else key)) for key in AFFILIATION_FIELDS}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def update_affiliation(session: Session, affiliation: Affiliation, values: Mapping[str, Any],
                       expected_fingerprint: str | None) -> Affiliation:
    merged = {key: getattr(affiliation, key) for key in AFFILIATION_FIELDS}
    merged.update(values)
    check_affiliation(merged)
    if expected_fingerprint and expected_fingerprint != fingerprint(affiliation):
        raise ConcurrentEditError(translated(N_("Zugehörigkeit von %(person)s"),
                                             {"person": affiliation.person.full_name}), None, None)
    _apply(affiliation, AFFILIATION_FIELDS, values)
    session.flush()
    return affiliation


def end_affiliation(session: Session, affiliation: Affiliation, to_date: date | None = None) -> Affiliation:
    """The person left this function on ``to_date`` (default today); the row stays as history."""
    to_date = to_date or date.today()
    if affiliation.from_date and to_date < affiliation.from_date:
        raise ServiceError(N_("„Bis“ darf nicht vor „Von“ liegen."), "to_date")
    affiliation.to_date = to_date
    session.flush()
    return affiliation


def delete_affiliation(session: Session, affiliation: Affiliation) -> None:
    session.delete(affiliation)
    session.flush()


# --------------------------------------------------------------------------- reading

@dataclass
class PersonFilter:
    q: str = ""
    actor_id: int | None = None
    page: int = 1
    hints: list[str] | None = None
    # The anonymised placeholders (Art. 17) are never listed on the page; the API may ask for them.
    include_anonymised: bool = False

    def to_args(self, **overrides: Any) -> dict[str, Any]:
        args: dict[str, Any] = {"q": self.q or None, "akteur": self.actor_id,
                                "seite": None if self.page == 1 else self.page}
        args.update(overrides)
        return {k: v for k, v in args.items() if v not in (None, "")}


def person_filter_from_args(session: Session, args: Mapping[str, Any]) -> PersonFilter:
    """``q`` (words in name, e-mail or function), ``akteur`` (affiliated, now or before), ``seite``."""
    hints: list[str] = []
    result = PersonFilter(hints=hints, q=" ".join(str(args.get("q") or "").split())[:200])
    raw = str(args.get("akteur") or "").strip()
    if raw:
        actor_id = parse_id(raw)
        if actor_id is None or session.get(Actor, actor_id) is None:
            hints.append(translated(N_("Den Akteur „%(value)s“ gibt es nicht (mehr); dieser Filter wurde ignoriert."),
                                    {"value": raw[:40]}))
        else:
            result.actor_id = actor_id
    result.page = parse_page(args.get("seite"))
    return result


def filtered_persons_query(f: PersonFilter) -> Select:
    """Persons (anonymised ones only if asked for) by name, e-mail or function words and by actor.

    Each word must occur in the first or last name, the e-mail or an affiliation's function or
    work e-mail; case, umlauts and ß do not matter (``fold_text``).
    """
    query = select(Person)
    if not f.include_anonymised:
        query = query.where(Person.is_anonymised.is_(False))
    for word in f.q.split():
        pattern = like_pattern(fold_text(word))
        haystack = fold_sql(Person.first_name + " " + Person.last_name + " " + Person.email)
        query = query.where(or_(haystack.like(pattern, escape="\\"), Person.affiliations.any(
            fold_sql(Affiliation.function + " " + Affiliation.email).like(pattern, escape="\\"))))
    if f.actor_id is not None:
        query = query.where(Person.affiliations.any(Affiliation.actor_id == f.actor_id))
    return query.order_by(german(Person.last_name), german(Person.first_name), Person.id)


def person_page(session: Session, f: PersonFilter) -> Page:
    query = filtered_persons_query(f).options(
        selectinload(Person.affiliations).selectinload(Affiliation.actor))
    page = paginate(session, query, f.page)
    f.page = page.page
    return page


def suggest_persons(session: Session, text: str, limit: int = 15) -> list[Person]:
    if not text.split():
        return []
    query = filtered_persons_query(PersonFilter(q=text)).options(
        selectinload(Person.affiliations).selectinload(Affiliation.actor))
    return list(session.scalars(query.limit(limit)))


def affiliations_of_actor(session: Session, actor_id: int) -> list[Affiliation]:
    """People of an actor (anonymised ones left out), current first, then by name."""
    query = (select(Affiliation).join(Person).where(Affiliation.actor_id == actor_id,
                                                    Person.is_anonymised.is_(False))
             .options(selectinload(Affiliation.person))
             .order_by(german(Person.last_name), german(Person.first_name), Affiliation.from_date))
    return list(session.scalars(query))


PEOPLE_SHOWN = 50


@dataclass
class ActorPeople:
    """The first ``PEOPLE_SHOWN`` current and former people of an actor, and how many there are."""

    current: list[Affiliation]
    current_total: int
    former: list[Affiliation]
    former_total: int


def people_of_actor(session: Session, actor_id: int, today: date | None = None,
                    limit: int = PEOPLE_SHOWN) -> ActorPeople:
    """``affiliations_of_actor`` split into current and former (``Affiliation.is_current``), each
    cut at ``limit`` (the person list, filtered by the actor, has them all): five statements however
    many people an actor has."""
    today = today or date.today()
    current = and_(or_(Affiliation.from_date.is_(None), Affiliation.from_date <= today),
                   or_(Affiliation.to_date.is_(None), Affiliation.to_date >= today))
    base = (select(Affiliation).join(Person).where(Affiliation.actor_id == actor_id, Person.is_anonymised.is_(False))
            .options(selectinload(Affiliation.person))
            .order_by(german(Person.last_name), german(Person.first_name), Affiliation.from_date, Affiliation.id))
    total, current_total = session.execute(
        select(func.count(), func.coalesce(func.sum(case((current, 1), else_=0)), 0))
        .select_from(Affiliation).join(Person)
        .where(Affiliation.actor_id == actor_id, Person.is_anonymised.is_(False))).one()
    return ActorPeople(list(session.scalars(base.where(current).limit(limit))), int(current_total),
                       list(session.scalars(base.where(not_(current)).limit(limit))),
                       int(total) - int(current_total))


def events_of_person(session: Session, person_id: int) -> list[tuple[Event, Invitation | None, Attendance | None]]:
    """Events the person was invited to or attended, newest first, with answer and attendance."""
    invitations = {i.event_id: i for i in session.scalars(select(Invitation).where(Invitation.person_id == person_id))}
    attended = {a.event_id: a for a in session.scalars(select(Attendance).where(Attendance.person_id == person_id))}
    ids = set(invitations) | set(attended)
    if not ids:
        return []
    events = session.scalars(select(Event).where(Event.id.in_(ids)).order_by(Event.starts_at.desc()))
    return [(e, invitations.get(e.id), attended.get(e.id)) for e in events]


def count_persons(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Person).where(Person.is_anonymised.is_(False))) or 0
