"""The app's one in-process cache, owned by the Flask app (``app.extensions``) and bounded in size.

Before, three module-level caches (the view cache, the analysis cache and the maps' cache) lived
for the whole process, keyed by a data version that a read could change, and grew with every
change of the data (a gunicorn worker reached 2.9 GB over six edit cycles). Now results live in
the database (``crm.services.computed.store``) and this cache only keeps what a process has
already read or loaded: decoded results (keyed by their row and computation time, so a newer
result is a new key) and, in the worker, the loaded landscape of the current data version.
Entries are bounded by number (``VIEW_CACHE_ENTRIES``) and by estimated size
(``VIEW_CACHE_MB``); the least recently used go first.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask, current_app, has_app_context

from graph.cache import AnalysisCache

EXTENSION = "bildungsnetz.cache"


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = AnalysisCache(maxsize=int(app.config.get("VIEW_CACHE_ENTRIES") or 64),
                                              max_cost=float(app.config.get("VIEW_CACHE_MB") or 256) * 1_000_000)


def app_cache() -> AnalysisCache | None:
    if not has_app_context():
        return None
    return current_app.extensions.get(EXTENSION)


def cached(key: Hashable, compute: Callable[[], Any], cost: Callable[[Any], float] | None = None) -> Any:
    """``compute()`` once per key in this process (concurrent callers wait for one computation);
    without an app (scripts, ``graph`` benchmarks) it simply computes. Values are shared: callers
    must not change them."""
    cache = app_cache()
    if cache is None:
        return compute()
    return cache.get_or_compute(key, compute, cost)


VERSIONED = ("landscape", "partition", "positions", "group-metrics")


def forget_versions_before(version: int) -> int:
    """Drop what was loaded or laid out for older data versions: nothing asks for them again once
    the worker computes for a newer one (so a worker holds one version's landscape, not one per edit)."""
    cache = app_cache()
    if cache is None:
        return 0
    return cache.discard(lambda key: isinstance(key, tuple) and len(key) > 1 and key[0] in VERSIONED
                         and isinstance(key[1], int) and key[1] < version)


def clear() -> None:
    cache = app_cache()
    if cache is not None:
        cache.clear()
