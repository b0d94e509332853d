"""Search that forgives umlauts, case and word forms.

Words are folded (``crm.services.folding``: „Mädchen“, „MAEDCHEN“ and „maedchen“ are one word) and
cut to a rough German stem (``stem``: „Kindern“, „Kinder“ and „Kind“ all become „kind“). An offer
keeps these stems of its title, description, providers, topics and target groups in
``Offer.search_text``; a query matches when every query stem occurs in it (as a substring, so
„Robot“ also finds „Robotik“). The same on SQLite
and PostgreSQL, with no ``lower()`` on the database (SQLite folds ASCII only).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, true

from crm.models import Offer
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


def search_text(parts: Iterable[str]) -> str:
    """What ``Offer.search_text`` holds: the distinct stems, space-separated and space-framed."""
    seen = dict.fromkeys(s for part in parts for s in stems(part or ""))
    return " " + " ".join(seen) + " " if seen else ""


def query_stems(query: str) -> list[str]:
    """The stems of a query, without duplicates, at most ``MAX_WORDS``."""
    return list(dict.fromkeys(stems(query)))[:MAX_WORDS]


def matches(query: str) -> Any:
    """An SQL condition on ``Offer``: every stem of ``query`` occurs in its search text.

    The stems hold letters, marks and digits only (``name_words``), so no LIKE wildcard can sneak in."""
    words = query_stems(query)
    if not words:
        return true()
    return and_(*(Offer.search_text.contains(word, autoescape=True) for word in words))


def offer_text(offer: Offer) -> str:
    """The search text of ``offer`` as it stands now: title, description, providers' names, and its
    topics and target groups (a citizen types „MINT“ or „Eltern“ rather than open the filters)."""
    names = [name for actor in offer.providers for name in (actor.name, actor.short_name)]
    vocabulary = [topic.name for topic in offer.topics] + [group.name for group in offer.target_groups]
    return search_text([offer.title, offer.description, *names, *vocabulary])
