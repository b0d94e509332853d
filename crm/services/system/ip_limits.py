"""A sliding-window limit per client IP address, kept in the app's memory (per worker process).

Shared by the login (``crm.services.accounts.login_throttle``) and the portal's registration
(``crm.services.events.registration_throttle``): each names its own counter, limit and window.
IP addresses are personal data, so they stay in memory and out of the database; with several
workers the effective limit is workers × limit. The table of addresses is bounded: under a spray
of addresses, the ones without a hit in the window are dropped.
"""
from __future__ import annotations

import threading
import time
from collections import deque

from flask import current_app

MAX_ADDRESSES = 10_000


class _Memory:
    """Per-app counters (tests get a fresh app, hence fresh counters)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_ip: dict[str, deque[float]] = {}


def allowed(counter: str, ip: str, limit: int, window_seconds: float, now: float | None = None) -> bool:
    """Count one hit of ``ip`` on ``counter``; False once ``limit`` hits lie within the window.
    A limit of 0 or less switches the counter off."""
    if limit <= 0:
        return True
    now = time.monotonic() if now is None else now
    memory: _Memory = current_app.extensions.setdefault(counter, _Memory())
    with memory.lock:
        hits = memory.by_ip.setdefault(ip or "?", deque())
        while hits and now - hits[0] > window_seconds:
            hits.popleft()
        if len(hits) >= limit:
            return False
        hits.append(now)
        if len(memory.by_ip) > MAX_ADDRESSES:
            memory.by_ip = {k: v for k, v in memory.by_ip.items() if v and now - v[-1] <= window_seconds}
        return True
