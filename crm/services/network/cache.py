"""What the read-only views (maps, dashboard, report) keep between requests, keyed by data version.

Loading 20,000 actors and 100,000 cooperations from the database takes seconds, and the
dashboard's snapshots and topic counts as much again, while the data change a few times a
day. Every key starts with ``network.data_version`` (it changes with every write, because
every write leaves an audit entry) and today's date (who is active changes at midnight), so
nothing is ever served stale: old entries are simply never asked for again and fall out of
the LRU. ``AnalysisCache.get_or_compute`` makes concurrent requests for the same key wait
for one computation (gunicorn runs threads).

Keys also hold a token of the Flask app: tests build many apps on databases whose ids (and
so data versions) start again, and an app must never see another app's entries.

Values are shared between requests and must not be changed by callers (copy first).
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Iterable
from datetime import date
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from crm.services.network import records as network
from graph.cache import AnalysisCache

CACHE = AnalysisCache(maxsize=64)


def _app_token() -> str:
    if not has_app_context():
        return ""
    return current_app.extensions.setdefault("bildungsnetz.view_cache", uuid.uuid4().hex)


def cached(key: Hashable, compute: Callable[[], Any]) -> Any:
    return CACHE.get_or_compute((_app_token(), key), compute)


def landscape(session: Session, layers: Iterable[str], version: str | None = None) -> network.Landscape:
    """The landscape records of ``layers`` (``network.landscape``), loaded once per data version."""
    layers = frozenset(layers)
    version = version or network.data_version(session)
    return cached(("landscape", version, date.today(), layers), lambda: network.landscape(session, sorted(layers)))


def clear() -> None:
    CACHE.clear()
