"""Search that forgives umlauts, case, word forms and compound words, answered from a full-text index.

Words are folded (``crm.services.folding``: „Mädchen“, „MAEDCHEN“ and „maedchen“ are one word) and
cut to a rough German stem (``stem``: „Kindern“, „Kinder“ and „Kind“ all become „kind“). An offer
keeps these stems of its title, description, providers, topics and target groups in
``Offer.search_text``, and of a long word also its tails (``word_parts``: „grundschul“ keeps
„dschul“, „schul“, „chul“), because German glues words together: „Schule“ must find the
„Grundschule“, „Kurs“ the „Deutschkurs“.

A query matches when every query stem begins a word of that text (so „Robot“ also finds „Robotik“).
The database answers that from its full-text index (``crm.models.fulltext``): PostgreSQL's
``to_tsquery('simple', 'kind:* & mint:*')``, SQLite's FTS5 ``"kind"* AND "mint"*``. A tail starts
only after ``MIN_STEM`` letters and keeps ``MIN_STEM``, so „MINT“ never finds „Termin“ and
„rund“ never the „Grundschule“.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Boolean, and_, bindparam, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement

from crm.models import Offer
from crm.models.fulltext import FTS_TABLE
from crm.services.folding import name_words

# Longest first: „kindern“ loses „ern“, not just „n“.
_SUFFIXES = ("ern", "en", "er", "es", "em", "st", "e", "n", "s", "t")
# A stem keeps four letters: with three, „MINT“ became „min“ and found every „Termin“ and „Seminar“.
MIN_STEM = 4
MAX_WORDS = 8


def stem(word: str) -> str:
    """A rough stem of a folded word: common German inflection endings cut off, at least three letters kept."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def stems(text: str) -> list[str]:
    """The stems of every word of ``text``, in order (duplicates kept)."""
    return [stem(word) for word in name_words(text)]


def word_parts(word: str) -> list[str]:
    """The tails of a compound-length stem that a query may begin with: each starts after at least
    ``MIN_STEM`` letters and keeps at least ``MIN_STEM`` („grundschul“: „dschul“, „schul“, „chul“)."""
    return [word[start:] for start in range(MIN_STEM, len(word) - MIN_STEM + 1)]


def search_text(parts: Iterable[str]) -> str:
    """What ``Offer.search_text`` holds: the distinct stems and their tails, space-separated and space-framed."""
    seen = dict.fromkeys(piece for part in parts for s in stems(part or "") for piece in (s, *word_parts(s)))
    return " " + " ".join(seen) + " " if seen else ""


def query_stems(query: str) -> list[str]:
    """The stems of a query, without duplicates, at most ``MAX_WORDS``."""
    return list(dict.fromkeys(stems(query)))[:MAX_WORDS]


class _Matches(ColumnElement[bool]):
    """„Every one of these stems begins a word of ``offers.search_text``“, compiled for the database
    at hand (``_postgresql``, ``_sqlite``). Not cached: the query text is part of the SQL's binding."""

    inherit_cache = False
    type = Boolean()

    def __init__(self, words: list[str]) -> None:
        self.words = words


@compiles(_Matches, "postgresql")
def _postgresql(element: _Matches, compiler: SQLCompiler, **kw: Any) -> str:
    query = " & ".join(f"'{word}':*" for word in element.words)
    column = compiler.process(Offer.__table__.c.search_text, **kw)
    return (f"to_tsvector('simple'::regconfig, {column}) @@ "
            f"to_tsquery('simple'::regconfig, {compiler.process(bindparam('fulltext_query', query), **kw)})")


@compiles(_Matches, "sqlite")
def _sqlite(element: _Matches, compiler: SQLCompiler, **kw: Any) -> str:
    query = " AND ".join(f'"{word}"*' for word in element.words)
    column = compiler.process(Offer.__table__.c.id, **kw)
    return (f"{column} IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH "
            f"{compiler.process(bindparam('fulltext_query', query), **kw)})")


def matches(query: str) -> Any:
    """An SQL condition on ``Offer``: every stem of ``query`` begins a word of its search text.

    The stems hold letters, marks and digits only (``name_words``), so neither quoting nor query
    syntax of either database can sneak in."""
    words = query_stems(query)
    if not words:
        return true()
    return _Matches(words)


def word_starts(query: str) -> Any:
    """The same test as ``matches`` without the index: ``search_text`` is space-framed, so „a word
    begins with robot“ is „contains ' robot'“. Cheap per row where rows are walked anyway (a page of
    newest offers out of thousands of matches); ``matches`` would parse each row's text again."""
    words = query_stems(query)
    if not words:
        return true()
    return and_(*(Offer.search_text.contains(" " + word, autoescape=True) for word in words))


def offer_text(offer: Offer) -> str:
    """The search text of ``offer`` as it stands now: title, description, providers' names, and its
    topics and target groups (a citizen types „MINT“ or „Eltern“ rather than open the filters)."""
    names = [name for actor in offer.providers for name in (actor.name, actor.short_name)]
    vocabulary = [topic.name for topic in offer.topics] + [group.name for group in offer.target_groups]
    return search_text([offer.title, offer.description, *names, *vocabulary])
