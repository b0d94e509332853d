"""Errors that services raise and views, the API and the import show in the reader's language.

Messages are German message ids marked with ``N_`` (a pybabel keyword, see babel.cfg) and filled
from ``params`` (``%(name)s``); ``translated`` renders them when they are shown, in the request's
language (German outside a request: CLI, worker, logs).

Besides ``ServiceError`` (a rule refused the input) and ``ConcurrentEditError`` (someone saved
first), this module keeps the *unique rules*: a service that checks "no second initiative of
this name" also registers the database constraint behind it (``unique_rule``). Two requests
can both pass the check and race to the INSERT; the loser then gets an IntegrityError, which
``refusal_for`` turns back into the rule's own German message (``crm.transaction`` does that
for every request), so a lost race reads like the rule, never like a 500.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import has_request_context
from flask_babel import gettext


def N_(message: str) -> str:
    """Mark a German message id for the catalogue without translating it (yet): services also run
    outside requests, so their texts are translated where they are shown (``translated``)."""
    return message


def translated(template: str, params: Mapping[str, Any] | None = None) -> str:
    """``template`` (a German message id) in the request's language, ``%(name)s`` filled from ``params``.

    German outside a request and where the catalogue has no translation; a translation whose
    placeholders do not fit falls back to the German text rather than failing the page.
    """
    if not template:
        return template  # gettext("") would be the catalogue's header
    text = gettext(template) if has_request_context() else template
    if not params:
        return text
    try:
        return text % params
    except (KeyError, ValueError, TypeError):
        return template % params


class LocalizedError(Exception):
    """An error whose ``message`` is a marked German template with ``params``, shown translated."""

    def __init__(self, message: str, params: Mapping[str, Any] | None = None) -> None:
        self.template = message
        self.params = dict(params or {})
        super().__init__(message % self.params if self.params else message)  # German: logs and tracebacks

    @property
    def message(self) -> str:
        """The text in the request's language (German outside a request)."""
        return translated(self.template, self.params)


class ServiceError(LocalizedError):
    """A domain rule refused the operation; ``message`` is shown to the user in their language.

    ``params`` fill ``%(name)s`` placeholders of the marked German ``template``; ``field`` names
    the refused value, so a form can show the refusal under it (``crm.views.form_errors.attach``).
    """

    def __init__(self, message: str, field: str | None = None, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(message, params)
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
        if changed_by:
            message = N_("„%(label)s“ wurde inzwischen von %(who)s geändert. Ihre Eingaben wurden nicht "
                         "gespeichert, sind aber unten erhalten. Bitte vergleichen Sie sie mit dem aktuellen "
                         "Stand und speichern Sie erneut.")
        else:
            message = N_("„%(label)s“ wurde inzwischen von jemand anderes geändert. Ihre Eingaben wurden nicht "
                         "gespeichert, sind aber unten erhalten. Bitte vergleichen Sie sie mit dem aktuellen "
                         "Stand und speichern Sie erneut.")
        super().__init__(message, params={"label": entity_label, "who": changed_by})
        self.entity_label = entity_label
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.current = current or {}
        self.entity = entity


class RaceLostError(ServiceError):
    """The database refused a write because another request changed the same data in the same
    moment, and no rule of ours names the constraint (a lost race we did not foresee)."""

    def __init__(self) -> None:
        super().__init__(N_("Gleichzeitig wurde etwas gespeichert, das mit Ihren Eingaben nicht zusammenpasst; "
                            "es wurde nichts gespeichert. Bitte laden Sie die Seite neu, prüfen Sie die Angaben "
                            "und speichern Sie erneut."))


# --------------------------------------------------------------------------- unique rules

_UNIQUE_RULES: dict[tuple[str, tuple[str, ...]], tuple[str, str | None]] = {}


def unique_rule(table: str, columns: tuple[str, ...], message: str, field: str | None) -> None:
    """Register the German refusal (marked with ``N_``) of the rule that a unique constraint backs.

    ``message`` may contain ``%(value)s`` for the refused value as the database reports it.
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
    return ServiceError(message, field, {"value": value} if "%(value)s" in message else None)
