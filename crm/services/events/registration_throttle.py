"""Rate limit of portal registrations per client IP (in memory, per worker process).

Why a limit at all: the registration form is public and every accepted registration mails the
address typed into it. Without a limit a script could make our outbox send confirmations to any
mailbox (and fill the organiser's list with invented guests). The honeypot field of the form stops
bots that fill in every field; this limit stops the ones that do not. No CAPTCHA: it would shut out
people with screen readers or little practice (WCAG), the very visitors the portal is for.

At most ``PORTAL_REGISTRATION_RATE_LIMIT`` registrations in ten minutes per IP address and worker;
a family or a school class behind one address stays well below it. Like the login limit it keeps IP
addresses out of the database (they are personal data); behind a proxy set ``PROXY_FIX``.
"""
from __future__ import annotations

import threading
import time
from collections import deque

from flask import current_app

WINDOW_SECONDS = 600


class _Memory:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_ip: dict[str, deque[float]] = {}


def _memory() -> _Memory:
    return current_app.extensions.setdefault("crm_registration_throttle", _Memory())


def allowed(ip: str, now: float | None = None) -> bool:
    """Count one registration from ``ip``; False once the limit is reached within the window."""
    limit = int(current_app.config.get("PORTAL_REGISTRATION_RATE_LIMIT", 20))
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
