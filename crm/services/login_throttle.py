"""Login rate limiting (per client IP) and lock-out (per account) after failed logins.

Two layers, because they stop different attacks:

* Lock-out per account (``User.failed_logins``/``locked_until`` in the database, so it holds
  across gunicorn workers and restarts): after ``LOGIN_MAX_FAILURES`` wrong passwords the account
  refuses every password, the right one included, for ``LOGIN_LOCKOUT_MINUTES``. Unknown e-mail
  addresses are counted the same way in memory, so the lock message does not reveal whether an
  account exists.
* Rate limit per IP (in memory, per worker process): at most ``LOGIN_RATE_LIMIT`` attempts in
  five minutes, against one client spraying many accounts. Behind a proxy, set ``PROXY_FIX`` so
  the client's address is used rather than the proxy's.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from datetime import datetime, timedelta

from flask import current_app

from crm.models import User
from crm.models.base import utcnow

WINDOW_SECONDS = 300


class _Memory:
    """Per-app in-memory counters (tests get a fresh app, hence fresh counters)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_ip: dict[str, deque[float]] = {}
        self.unknown: dict[str, tuple[int, float]] = {}  # e-mail -> (failures, locked until epoch)


def _memory() -> _Memory:
    return current_app.extensions.setdefault("crm_login_throttle", _Memory())


def _settings() -> tuple[int, int]:
    config = current_app.config
    return max(int(config.get("LOGIN_MAX_FAILURES", 5)), 1), max(int(config.get("LOGIN_LOCKOUT_MINUTES", 15)), 1)


def ip_allowed(ip: str, now: float | None = None) -> bool:
    """Count one attempt from ``ip``; False once it exceeds the limit within the window."""
    limit = int(current_app.config.get("LOGIN_RATE_LIMIT", 20))
    if limit <= 0:
        return True
    now = time.monotonic() if now is None else now
    memory = _memory()
    with memory.lock:
        hits = memory.by_ip.setdefault(ip or "?", deque())
        while hits and now - hits[0] > WINDOW_SECONDS:
            hits.popleft()
        if len(hits) >= limit:
            return False
        hits.append(now)
        if len(memory.by_ip) > 10_000:  # bounded memory under a spray of addresses
            memory.by_ip = {k: v for k, v in memory.by_ip.items() if v and now - v[-1] <= WINDOW_SECONDS}
        return True


def is_locked(user: User, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return user.locked_until is not None and user.locked_until > now


def register_failure(user: User, now: datetime | None = None) -> bool:
    """Count a wrong password; returns True when this failure locks the account."""
    now = now or utcnow()
    max_failures, minutes = _settings()
    if user.locked_until is not None and user.locked_until <= now:
        user.failed_logins = 0  # the previous lock ran out: a fresh count
        user.locked_until = None
    user.failed_logins += 1
    if user.failed_logins >= max_failures:
        user.locked_until = now + timedelta(minutes=minutes)
        current_app.logger.warning("Account %s locked for %d minutes after %d failed logins.",
                                   user.id, minutes, user.failed_logins)
        return True
    return False


def register_success(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None


def unknown_email_locked(email: str) -> bool:
    memory = _memory()
    with memory.lock:
        _failures, until = memory.unknown.get(email, (0, 0.0))
        return until > time.time()


def register_unknown_failure(email: str) -> None:
    max_failures, minutes = _settings()
    memory = _memory()
    with memory.lock:
        failures, until = memory.unknown.get(email, (0, 0.0))
        if until and until <= time.time():
            failures = 0
        failures += 1
        memory.unknown[email] = (failures, time.time() + minutes * 60 if failures >= max_failures else 0.0)
        if len(memory.unknown) > 10_000:
            memory.unknown.clear()
