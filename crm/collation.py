"""German sort order for names, on both databases and in Python.

German readers look for "Bäckerei Jakobs" among the B's before "Brauerei", and for "Öko-Institut"
under O: DIN 5007-1 sorts ä as a, ö as o, ü as u and ß as ss, and lets accents and case decide only
between otherwise equal words. Byte or code-point order (SQLite's BINARY, PostgreSQL's "C") puts
every umlaut after z.

* **PostgreSQL**: the migration ``c6b0d4e1a7f2`` creates the collation ``german`` from ICU's "de"
  (DIN 5007-1) where the server has ICU, else from a German libc locale, else from the database's
  own locale (the order is then only as good as that locale).
* **SQLite**: the same name is registered on every connection as a Python function (``compare``),
  so ``ORDER BY name COLLATE german`` is the same SQL on both.
* **Python**: ``sort_key`` for lists sorted after loading (pick lists, report rows).

``german(Actor.name)`` in an ``order_by`` is all a query needs.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

GERMAN = "german"


@lru_cache(maxsize=65536)
def sort_key(text: object) -> tuple[str, str, str]:
    """(letters, letters with accents, original with lower case first): compare by the first item,
    then the next. ``casefold`` turns ß into ss; the accents are dropped for the first item only."""
    original = "" if text is None else str(text)
    folded = original.casefold()
    if folded.isascii():  # most names: nothing to fold (and ten times faster than normalising)
        return folded, folded, original.swapcase()
    letters = "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))
    return letters, folded, original.swapcase()


def compare(left: str | None, right: str | None) -> int:
    """SQLite collation function: negative, zero or positive like ``cmp``. SQLite calls it once per
    comparison (about 22,000 times for the first page of 20,000 names), so it stays this small."""
    a, b = sort_key(left), sort_key(right)
    return -1 if a < b else (1 if a > b else 0)


def german(expression: Any) -> ColumnElement[Any]:
    """``expression COLLATE german``: for ``order_by`` of names."""
    return expression.collate(GERMAN)


def _register(dbapi_connection: Any, connection_record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.create_collation(GERMAN, compare)


def install() -> None:
    """Register the collation on every new SQLite connection (once per process)."""
    if not event.contains(Engine, "connect", _register):
        event.listen(Engine, "connect", _register)
