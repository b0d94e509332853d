"""A small thread-safe LRU cache for analysis results, keyed by a data-version token, bounded by
the number of entries and, optionally, by their total size (``max_cost``, e.g. bytes): a process
that serves the maps of a Land must not grow without limit as the data change.

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
    """LRU of at most ``maxsize`` results and, with ``max_cost``, at most that total cost (the newest
    entry is always kept, however costly). ``get`` returns ``None`` on a miss."""

    def __init__(self, maxsize: int = 32, max_cost: float | None = None) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self.max_cost = max_cost
        self.hits = 0
        self.misses = 0
        self.cost = 0.0
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._costs: dict[Hashable, float] = {}
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

    def put(self, key: Hashable, value: Any, cost: float = 0.0) -> None:
        with self._lock:
            self.cost -= self._costs.pop(key, 0.0)
            self._data[key] = value
            self._costs[key] = cost
            self.cost += cost
            self._data.move_to_end(key)
            while len(self._data) > 1 and (len(self._data) > self.maxsize or (
                    self.max_cost is not None and self.cost > self.max_cost)):
                old, _ = self._data.popitem(last=False)
                self.cost -= self._costs.pop(old, 0.0)

    def discard(self, stale: Callable[[Hashable], bool]) -> int:
        """Drop every entry whose key ``stale`` says is no longer needed; returns how many."""
        with self._lock:
            keys = [key for key in self._data if stale(key)]
            for key in keys:
                del self._data[key]
                self.cost -= self._costs.pop(key, 0.0)
            return len(keys)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._costs.clear()
            self.cost = 0.0

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any],
                       cost: Callable[[Any], float] | None = None) -> Any:
        """The cached value, or ``compute()`` stored under ``key`` (computed once per key even
        when several threads ask at the same time). Exceptions are not cached. ``cost(value)``
        gives the entry's size for ``max_cost``."""
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
                self.put(key, value, cost(value) if cost is not None else 0.0)
                return value
            finally:
                with self._lock:
                    self._computing.pop(key, None)
