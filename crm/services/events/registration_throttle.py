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

from flask import current_app

from crm.services.system import ip_limits

WINDOW_SECONDS = 600


def allowed(ip: str, now: float | None = None) -> bool:
    """Count one registration from ``ip``; False once the limit is reached within the window."""
    return ip_limits.allowed("crm_registration_throttle", ip,
                             int(current_app.config.get("PORTAL_REGISTRATION_RATE_LIMIT", 20)), WINDOW_SECONDS, now)
