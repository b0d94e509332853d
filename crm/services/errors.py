"""Errors that services raise and views turn into German messages.

Besides ``ServiceError`` (a rule refused the input) and ``ConcurrentEditError`` (someone saved
first), this module keeps the *unique rules*: a service that checks "no second initiative of
this name" also registers the database constraint behind it (``unique_rule``). Two requests
can both pass the check and race to the INSERT; the loser then gets an IntegrityError, which
``refusal_for`` turns back into the rule's own German message (``crm.transaction`` does that
for every request), so a lost race reads like the rule, never like a 500.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any


class ServiceError(Exception):
    """A domain rule refused the operation; ``message`` is shown to the user (German).

    ``params`` fill ``%(name)s`` placeholders of ``message``; the unfilled text stays in
    ``template``, so a page can show the refusal in the user's language
    (``crm.views.form_errors.shown``) where a translation of the template exists.
    """

    def __init__(self, message: str, field: str | None = None, params: dict[str, Any] | None = None) -> None:
        self.template = message
        self.params = dict(params or {})
        self.message = message % self.params if self.params else message
        super().__init__(self.message)
        self.field = field


class ConcurrentEditError(ServiceError):
    """Someone saved the record after this user opened it.

    Carries who and when, and the record's current values, so the form can show
    both versions and the user decides; nothing of either edit is lost. ``entity`` names the
    record (model name, id) when a service only noticed the race at the UPDATE (who and when
    are filled in after the rollback, ``crm.transaction``).
    """

    def __init__(self, entity_label: str, changed_by: str | None, changed_at: datetime | None,
                 current: dict[str, Any] | None = None, entity: tuple[str, int] | None = None) -> None:
        who = changed_by or "jemand anderes"
        message = (f"„{entity_label}“ wurde inzwischen von {who} geändert. Ihre Eingaben wurden nicht "
                   "gespeichert, sind aber unten erhalten. Bitte vergleichen Sie sie mit dem aktuellen "
                   "Stand und speichern Sie erneut.")
        super().__init__(message)
        self.entity_label = entity_label
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.current = current or {}
        self.entity = entity


class RaceLostError(ServiceError):
    """The database refused a write because another request changed the same data in the same
    moment, and no rule of ours names the constraint (a lost race we did not foresee)."""

    def __init__(self) -> None:
        super().__init__("Gleichzeitig wurde etwas gespeichert, das mit Ihren Eingaben nicht zusammenpasst; "
                         "es wurde nichts gespeichert. Bitte laden Sie die Seite neu, prüfen Sie die Angaben "
                         "und speichern Sie erneut.")


# --------------------------------------------------------------------------- unique rules

_UNIQUE_RULES: dict[tuple[str, tuple[str, ...]], tuple[str, str | None]] = {}


def unique_rule(table: str, columns: tuple[str, ...], message: str, field: str | None) -> None:
    """Register the German refusal of the rule that a unique constraint backs.

    ``message`` may contain ``{value}`` for the refused value as the database reports it.
    """
    _UNIQUE_RULES[(table, tuple(sorted(columns)))] = (message, field)


_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([\w., ]+)")
_PG_KEY = re.compile(r"Key \((.+?)\)=\((.*)\) already exists")


def _violated(error: Exception) -> tuple[str, tuple[str, ...], str] | None:
    """(table, columns, value) of the unique constraint a driver error reports, if it is one."""
    orig = getattr(error, "orig", error)
    text = str(orig)
    found = _SQLITE_UNIQUE.search(text)
    if found:
        pairs = [part.strip().split(".", 1) for part in found.group(1).split(",")]
        if all(len(pair) == 2 for pair in pairs):
            return pairs[0][0], tuple(sorted(column for _table, column in pairs)), ""
        return None
    diag = getattr(orig, "diag", None)
    table = getattr(diag, "table_name", None)
    detail = getattr(diag, "message_detail", None) or ""
    key = _PG_KEY.search(detail)
    if table and key:
        columns = tuple(sorted(c.strip().strip('"') for c in key.group(1).split(",")))
        return table, columns, key.group(2)
    return None


def refusal_for(error: Exception) -> ServiceError | None:
    """The registered rule's refusal for an IntegrityError from a unique constraint, else None."""
    violated = _violated(error)
    if violated is None:
        return None
    table, columns, value = violated
    rule = _UNIQUE_RULES.get((table, columns))
    if rule is None:
        return None
    message, field = rule
    return ServiceError(message.replace("{value}", value), field)
