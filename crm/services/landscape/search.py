"""The actors' stored search columns: folded once when an actor is written, compared with ``LIKE``.

The directory's rule (``crm.services.landscape.directory``): every word of the search must occur in
the name, short name, street, PLZ, place or external reference, with case, umlauts, ß and accents
folded. Folding in SQL (``lower()`` and eight nested ``replace()``) made PostgreSQL read every actor
twice per search (232 ms of SQL at 40,000 actors) and SQLite's ``lower()`` folds ASCII only. So
the folded text is stored:

* ``actors.search_text``: name, short name, PLZ, place and reference, each as ``search_folds``
  (``crm.services.folding``): the German spelling (ü → ue, ß → ss) and, where different, the
  plain one (ü → u). "Mueller", "Müller" and "Muller" all find „Müller“; "strasse" finds „Straße“.
* ``actors.search_street``: the street, apart, because an individual's street is personal data:
  a role without that right must not find a volunteer by their home address
  (``ActorFilter.search_private``). The rule asks the actor's kind at search time, so changing
  whether a kind is "Einzelperson" needs no rewrite of the columns.

A search word is folded with ``fold`` (ü → ue) and must occur in one of the two columns. On
PostgreSQL both columns carry a pg_trgm GIN index (migration ``d41e7c0a9b52``), which answers
``LIKE '%wort%'`` without reading the table.

The columns are filled on every insert and update of an actor through the ORM: mapper events on
``Actor`` (``crm/models/actors.py``, so they hold wherever the model is used, the demo loader and
scripts included) call ``fill_search_columns``; the actor service, form, API, import, merge and
Flask-Admin all write through the ORM. Bulk writes that bypass the ORM (the benchmark's ``COPY``)
call ``refresh_search_columns`` afterwards.
"""
from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session

from crm.models import Actor, ActorKind
from crm.services.folding import fold, search_folds

SEARCHED = ("name", "short_name", "postcode", "city", "external_ref")


def search_values(name: str | None, short_name: str | None, street: str | None, postcode: str | None,
                  city: str | None, external_ref: str | None) -> tuple[str, str]:
    """(search_text, search_street) of an actor with these fields."""
    parts = [search_folds(value) for value in (name, short_name, postcode, city, external_ref) if value]
    return " ".join(parts), search_folds(street or "")


def fill_search_columns(actor: Any) -> None:
    """Set the actor's search columns from its fields (called on every ORM write)."""
    text, street = search_values(actor.name, actor.short_name, actor.street, actor.postcode, actor.city,
                                 actor.external_ref)
    if actor.search_text != text:
        actor.search_text = text
    if actor.search_street != street:
        actor.search_street = street


def refresh_search_columns(session: Session, batch: int = 2000) -> int:
    """Recompute the search columns of every actor (after bulk writes outside the ORM); rows in
    batches by id, one UPDATE per batch. Returns the number of actors."""
    fields = (Actor.id, Actor.name, Actor.short_name, Actor.street, Actor.postcode, Actor.city, Actor.external_ref)
    table = cast(Table, Actor.__table__)   # Core UPDATE by id: the row versions stay as they are
    statement = (update(table).where(table.c.id == bindparam("row_id"))
                 .values(search_text=bindparam("new_text"), search_street=bindparam("new_street")))
    last, done = 0, 0
    while True:
        rows = session.execute(select(*fields).where(Actor.id > last).order_by(Actor.id).limit(batch)).all()
        if not rows:
            return done
        params = []
        for row in rows:
            text, street = search_values(*row[1:])
            params.append({"row_id": row[0], "new_text": text, "new_street": street})
        session.execute(statement, params)
        last, done = rows[-1][0], done + len(rows)


def like_pattern(word: str) -> str:
    """``%word%`` with LIKE's wildcards escaped (use with ``escape='\\\\'``)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def word_condition(word: str, search_private: bool = True) -> ColumnElement[bool]:
    """Actors in which ``word`` occurs (folded); without ``search_private`` an individual's street
    does not count."""
    pattern = like_pattern(fold(word))
    in_text = Actor.search_text.like(pattern, escape="\\")
    in_street = Actor.search_street.like(pattern, escape="\\")
    if search_private:
        return or_(in_text, in_street)
    individual_kinds = select(ActorKind.id).where(ActorKind.is_individual.is_(True))
    return or_(in_text, and_(in_street, Actor.kind_id.not_in(individual_kinds)))


def name_starts_with(word: str) -> ColumnElement[bool]:
    """The actor's name begins with ``word`` (folded): ``search_text`` starts with the folded name."""
    return Actor.search_text.like(like_pattern(fold(word))[1:], escape="\\")
