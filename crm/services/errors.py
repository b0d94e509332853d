"""Errors that services raise and views turn into German messages."""
from __future__ import annotations

from datetime import datetime
from typing import Any


class ServiceError(Exception):
    """A domain rule refused the operation; ``message`` is shown to the user as is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConcurrentEditError(ServiceError):
    """Someone saved the record after this user opened it.

    Carries who and when, and the record's current values, so the form can show
    both versions and the user decides; nothing of either edit is lost.
    """

    def __init__(self, entity_label: str, changed_by: str | None, changed_at: datetime | None,
                 current: dict[str, Any] | None = None) -> None:
        who = changed_by or "jemand anderes"
        message = (f"„{entity_label}“ wurde inzwischen von {who} geändert. Ihre Eingaben wurden nicht "
                   "gespeichert, sind aber unten erhalten. Bitte vergleichen Sie sie mit dem aktuellen "
                   "Stand und speichern Sie erneut.")
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.current = current or {}
