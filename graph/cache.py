"""A small thread-safe LRU cache for analysis results, keyed by a data-version token.

The app passes a token that changes whenever the landscape changes (e.g. the id of the
last audit entry), so a key never serves stale data: old entries simply stop being asked
for and fall out of the LRU. ``get_or_compute`` also makes concurrent requests for the same
key wait for one computation instead of all running it (an analysis of a large region
takes seconds and gunicorn runs threads).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any

_MISSING = object()


def cache_key(token: Hashable, cut: Hashable, params: Mapping[str, Any] | None = None) -> tuple[Any, ...]:
    """A hashable key from the data version, the cut and the analysis parameters.

    Parameters are sorted by name; list values become tuples so they can be hashed.
    """
    frozen = tuple(sorted((name, tuple(value) if isinstance(value, list) else value)
                          for name, value in (params or {}).items()))
    return (token, cut, frozen)


class AnalysisCache:
    """LRU of at most ``maxsize`` results. ``get`` returns ``None`` on a miss."""

    def __init__(self, maxsize: int = 32) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._data

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            value = self._data.get(key, _MISSING)
            if value is _MISSING:
                self.misses += 1
                return default
            self.hits += 1
            self._data.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached value, or ``compute()`` stored under ``key`` (computed once per key even
        when several threads ask at the same time). Exceptions are not cached."""
        value = self.get(key, _MISSING)
        if value is not _MISSING:
            return value
        with self._lock:
            key_lock = self._computing.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                value = self._data.get(key, _MISSING)
                if value is not _MISSING:
                    self._data.move_to_end(key)
                    return value
            try:
                value = compute()
                self.put(key, value)
                return value
            finally:
                with self._lock:
                    self._computing.pop(key, None)
