"""Login rate limiting (per client IP) and lock-out (per e-mail address) after failed logins.

Two layers, because they stop different attacks:

* Lock-out per e-mail address: after ``LOGIN_MAX_FAILURES`` failed logins within a day the address
  refuses every password, the right one included, for ``LOGIN_LOCKOUT_MINUTES``. Known and
  unknown addresses are counted in the *same* place, the database, so the lock never tells an
  attacker whether an account exists: before, unknown addresses were counted in each worker's
  memory and locked later (or never, across several gunicorn workers) than real accounts.
  Each failure is an audit entry (action ``login_failed``, entity "Anmeldung") that names the
  address only by a keyed hash (HMAC with ``SECRET_KEY``), never the address itself, so typos of
  other people's addresses are not stored. A successful login after failures, a new password and
  an administrator's "Sperre aufheben" write ``login_reset``. For known accounts the result is
  mirrored into ``User.failed_logins``/``locked_until``, which the user list of the administration shows.
* Rate limit per IP (in memory, per worker process): at most ``LOGIN_RATE_LIMIT`` attempts in five
  minutes, against one client spraying many addresses. It looks at the client's address only, never
  at the e-mail address, so it reveals nothing about accounts either. Behind a proxy, set
  ``PROXY_FIX`` so the client's address is used rather than the proxy's. With several workers the
  effective limit is workers × ``LOGIN_RATE_LIMIT`` (IP addresses are personal data; we keep them
  out of the database).
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.models import AuditEntry, User
from crm.models.base import utcnow
from crm.services.system import ip_limits

WINDOW_SECONDS = 300
FAILED = "login_failed"
RESET = "login_reset"
ENTITY = "Anmeldung"
# Failures older than this are forgotten (a typo last month does not count towards today's lock).
HORIZON = timedelta(hours=24)


def _settings() -> tuple[int, int]:
    config = current_app.config
    return max(int(config.get("LOGIN_MAX_FAILURES", 5)), 1), max(int(config.get("LOGIN_LOCKOUT_MINUTES", 15)), 1)


def lockout_minutes() -> int:
    return _settings()[1]


def ip_allowed(ip: str, now: float | None = None) -> bool:
    """Count one attempt from ``ip``; False once it exceeds the limit within the window."""
    return ip_limits.allowed("crm_login_throttle", ip, int(current_app.config.get("LOGIN_RATE_LIMIT", 20)),
                             WINDOW_SECONDS, now)


# --- lock-out per address -------------------------------------------------------------------------

def address_key(email: str) -> str:
    """A keyed hash of the normalised address: the same address always gives the same key, and the
    key cannot be turned back into the address without the ``SECRET_KEY``."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, email.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()[:24]


def _summary(action: str, key: str) -> str:
    text = "Fehlgeschlagene Anmeldung" if action == FAILED else "Anmeldesperre zurückgesetzt"
    return f"{text} (Adresskennung {key})"


@dataclass(frozen=True)
class AddressState:
    failures: int
    locked_until: datetime | None

    def is_locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())


def state(session: Session, email: str, now: datetime | None = None) -> AddressState:
    """Failures and lock of ``email`` from the recorded events (see the module docstring)."""
    now = now or utcnow()
    key = address_key(email)
    max_failures, minutes = _settings()
    rows = session.execute(
        select(AuditEntry.action, AuditEntry.created_at)
        .where(AuditEntry.entity_type == ENTITY, AuditEntry.action.in_((FAILED, RESET)),
               AuditEntry.created_at >= now - HORIZON,
               AuditEntry.summary.in_((_summary(FAILED, key), _summary(RESET, key))))
        .order_by(AuditEntry.created_at, AuditEntry.id)).all()
    failures, until = 0, None
    for action, at in rows:
        if action == RESET:
            failures, until = 0, None
            continue
        if until is not None:
            if at < until:
                continue  # not recorded while locked; tolerate it anyway
            failures, until = 0, None  # the previous lock ran out: a fresh count
        failures += 1
        if failures >= max_failures:
            until = at + timedelta(minutes=minutes)
    if until is not None and until <= now:
        failures, until = 0, None
    return AddressState(failures, until)


def _record(session: Session, action: str, email: str, now: datetime) -> None:
    from crm.services.privacy.audit import actor_identity

    user_id, label = actor_identity()
    session.add(AuditEntry(created_at=now, user_id=user_id, actor_label=label, action=action, entity_type=ENTITY,
                           entity_id=None, summary=_summary(action, address_key(email)), changes={}))


def _mirror(user: User | None, current: AddressState) -> None:
    if user is not None:
        user.failed_logins = current.failures
        user.locked_until = current.locked_until


def register_failure(session: Session, email: str, user: User | None = None,
                     now: datetime | None = None) -> AddressState:
    """Count a failed login for ``email`` (known or not); returns the new state. Flushes."""
    now = now or utcnow()
    _record(session, FAILED, email, now)
    session.flush()
    current = state(session, email, now)
    _mirror(user, current)
    if current.is_locked(now):
        minutes = _settings()[1]
        current_app.logger.warning("Login address %s locked for %d minutes after %d failed logins.",
                                   address_key(email), minutes, current.failures)
    session.flush()
    return current


def reset(session: Session, email: str, user: User | None = None, now: datetime | None = None) -> None:
    """Forget the failures of ``email``: a successful login, a new password, an administrator's unlock."""
    _record(session, RESET, email, now or utcnow())
    _mirror(user, AddressState(0, None))
    session.flush()


def is_locked(user: User, now: datetime | None = None) -> bool:
    """For the administration's user list (the mirrored columns)."""
    now = now or utcnow()
    return user.locked_until is not None and user.locked_until > now
