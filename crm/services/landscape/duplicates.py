"""Finding records that probably describe the same actor or person.

Coordinators type names the way they hear them: „Kita St. Anna e.V.“, „KiTa Sankt-Anna“,
„kita st anna“. A duplicate costs more than a warning (ties split over two records, a
person invited twice), so the create forms ask before saving, and the merge action
(``crm.services.landscape.merge``) repairs what slipped through.

What counts as "resembles":
* the same normalised name (``normalise_name``: case, umlauts/ß, accents, punctuation,
  legal-form words such as e.V. or gGmbH and spacing do not make a different name);
* the same e-mail address (case-insensitive);
* for actors, the same external reference (school number …).

The functions only read; callers decide what to do with the candidates. "Check, then create"
is only safe if nobody creates in between: the create forms call ``lock_creation`` first, so a
double-clicked "Speichern" finds the record of the first click instead of saving a twin.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Generic, TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from crm.models import Actor, Affiliation, Person
from crm.services.errors import N_, translated
from crm.services.folding import name_words
from crm.services.write_lock import begin_write

T = TypeVar("T")

# Legal forms and similar words that do not tell two organisations apart. Compared as whole
# words after folding and punctuation removal, so „e.V.“, „e. V.“ and „eV“ are all "e v"/"ev".
LEGAL_FORMS: tuple[tuple[str, ...], ...] = tuple(tuple(form.split()) for form in (
    "e v", "ev", "e g", "eg", "ggmbh", "gmbh", "mbh", "gug", "ug", "haftungsbeschraenkt", "gag", "ag",
    "kgaa", "kg", "ohg", "gbr", "co", "und co", "gmbh und co kg", "aoer", "a oe r", "koer", "k d oe r",
    "kdoer", "e k", "ek",
))
# "AG" at the start is an Arbeitsgemeinschaft (AG MINT), not a legal form: these words are
# dropped only where legal forms stand, at the end of a name …
# … while „e.V.“ and the (g)GmbH forms are dropped wherever they stand („Förderverein e.V. der …“).
# („Ev.“ alone is „evangelisch“ in the middle of a name, so "ev" is dropped only at the end.)
_ANYWHERE = [("e", "v"), ("ggmbh",), ("gmbh",), ("mbh",), ("gug",)]


# Advisory-lock keys (PostgreSQL) per kind of record whose creation is checked for duplicates.
_CREATION_LOCKS = {"actor": 7_301_001, "person": 7_301_002}


def lock_creation(session: Session, kind: str) -> None:
    """Serialise "look for duplicates, then create" for actors or persons until the transaction ends.

    SQLite: ``BEGIN IMMEDIATE`` (``write_lock.begin_write``), a second writer waits for our commit.
    PostgreSQL: a transaction-scoped advisory lock (there is no row to lock for a record that does
    not exist yet). Creating records is rare, so serialising all of one kind costs nothing.
    """
    if session.connection().dialect.name == "sqlite":
        begin_write(session)
    else:
        session.execute(select(func.pg_advisory_xact_lock(_CREATION_LOCKS[kind])))


@lru_cache(maxsize=65536)
def normalise_name(text: str) -> str:
    """The name as compared for duplicates: „Kita St. Anna e.V.“ and „KITA St Anna“ give "kita st anna".

    Folds case, umlauts/ß and accents, turns punctuation into spaces, drops legal-form
    words (e.V., gGmbH, GmbH & Co. KG …) and collapses whitespace.
    """
    words = name_words((text or "").replace("&", " und "))
    changed = True
    while changed and words:
        changed = False
        for form in sorted(LEGAL_FORMS, key=len, reverse=True):
            if len(words) > len(form) and tuple(words[-len(form):]) == form:
                del words[-len(form):]
                changed = True
                break
    result: list[str] = []
    index = 0
    while index < len(words):
        for form in _ANYWHERE:
            if tuple(words[index:index + len(form)]) == form and len(words) > len(form):
                index += len(form)
                break
        else:
            result.append(words[index])
            index += 1
    return " ".join(result) or " ".join(words)


def normalise_email(text: str | None) -> str:
    return (text or "").strip().lower()


@dataclass
class Candidate(Generic[T]):
    """An existing record that resembles the new one, and why (German, for the warning)."""

    record: T
    reasons: list[str] = field(default_factory=list)


def _collect(found: dict[int, Candidate], record, reason: str) -> None:
    candidate = found.setdefault(record.id, Candidate(record))
    if reason not in candidate.reasons:
        candidate.reasons.append(reason)


def actor_candidates(session: Session, name: str, *, email: str = "", external_ref: str | None = None,
                     exclude_id: int | None = None, limit: int = 10) -> list[Candidate[Actor]]:
    """Existing actors that resemble an actor with these values, best matches first.

    Reads all (id, name) pairs once and compares normalised names in Python: SQL cannot fold
    legal forms, and 10,000 names take a few milliseconds (measured in the tests' timing note).
    """
    found: dict[int, Candidate[Actor]] = {}
    key = normalise_name(name)
    if key:
        ids = [row.id for row in session.execute(select(Actor.id, Actor.name))
               if row.id != exclude_id and normalise_name(row.name) == key]
        for actor in _load(session, Actor, ids):
            _collect(found, actor, translated(N_("gleicher Name")))
    address = normalise_email(email)
    if address:
        query = select(Actor).where(func.lower(Actor.email) == address)
        for actor in session.scalars(query):
            if actor.id != exclude_id:
                _collect(found, actor, translated(N_("gleiche E-Mail-Adresse")))
    ref = (external_ref or "").strip().lower()
    if ref:
        for actor in session.scalars(select(Actor).where(func.lower(Actor.external_ref) == ref)):
            if actor.id != exclude_id:
                _collect(found, actor, translated(N_("gleiche externe Kennung")))
    return _ranked(found, limit)


def person_candidates(session: Session, first_name: str, last_name: str, *, email: str = "",
                      exclude_id: int | None = None, limit: int = 10) -> list[Candidate[Person]]:
    """Existing (not anonymised) persons with the same normalised full name or the same e-mail address,
    their own or a work address of one of their affiliations."""
    found: dict[int, Candidate[Person]] = {}
    key = normalise_name(f"{first_name} {last_name}")
    last_key = normalise_name(last_name)
    if last_key:
        rows = session.execute(select(Person.id, Person.first_name, Person.last_name)
                               .where(Person.is_anonymised.is_(False)))
        ids = [row.id for row in rows if row.id != exclude_id
               and normalise_name(f"{row.first_name} {row.last_name}") == key]
        for person in _load(session, Person, ids):
            _collect(found, person, translated(N_("gleicher Name")))
    address = normalise_email(email)
    if address:
        query = select(Person).where(Person.is_anonymised.is_(False), or_(
            func.lower(Person.email) == address,
            Person.affiliations.any(func.lower(Affiliation.email) == address)))
        for person in session.scalars(query):
            if person.id != exclude_id:
                _collect(found, person, translated(N_("gleiche E-Mail-Adresse")))
    return _ranked(found, limit)


def _load(session: Session, model, ids: Iterable[int]) -> list:
    ids = list(ids)
    if not ids:
        return []
    options = [selectinload(Actor.kind), selectinload(Actor.area)] if model is Actor else [
        selectinload(Person.affiliations).selectinload(Affiliation.actor)]
    return list(session.scalars(select(model).where(model.id.in_(ids)).options(*options)))


def _ranked(found: dict[int, Candidate], limit: int) -> list[Candidate]:
    """More reasons first, then by id (the older record is usually the one to keep)."""
    return sorted(found.values(), key=lambda c: (-len(c.reasons), c.record.id))[:limit]
