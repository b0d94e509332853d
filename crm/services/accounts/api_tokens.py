"""Personal API tokens: creation (shown once), lookup by hash, revocation.

Tokens are 256-bit random strings, so a fast hash (SHA-256) is enough: unlike passwords
they cannot be guessed from a dictionary, and the lookup by hash needs no per-row salt.
The prefix ``bn_`` lets secret scanners recognise a leaked Bildungsnetz token.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.models import ApiToken, User
from crm.models.base import utcnow
from crm.services.errors import N_, ServiceError
from crm.services.privacy import audit

TOKEN_PREFIX = "bn_"
# Writing ``last_used_at`` on every request would turn every API read into a write.
LAST_USED_PRECISION = timedelta(minutes=5)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the only time the plain token exists outside the client


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(session: Session, user: User, name: str, *, read_only: bool = False,
                 days: int | None = 365) -> NewToken:
    name = (name or "").strip()
    if not name:
        raise ServiceError(N_("Bitte geben Sie dem Token einen Namen (wofür wird es verwendet?)."), "name")
    if len(name) > 120:
        raise ServiceError(N_("Der Name darf höchstens 120 Zeichen lang sein."), "name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(secret), prefix=secret[:10],
                     is_read_only=read_only, created_at=utcnow(),
                     expires_at=utcnow() + timedelta(days=days) if days else None)
    session.add(token)
    session.flush()
    audit.record(session, "create", token, f"API-Token „{name}“ für {user.email}",
                 {"name": [None, name], "is_read_only": [None, read_only]})
    return NewToken(token, secret)


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())))


def revoke(session: Session, user: User, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise ServiceError(N_("Dieses Token gibt es nicht."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        audit.record(session, "revoke", token, f"API-Token „{token.name}“ von {user.email} widerrufen")
    return token


def authenticate(session: Session, secret: str, now: datetime | None = None) -> ApiToken | None:
    """The usable token for ``secret`` (its user enabled), or None. Updates ``last_used_at`` sparingly."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    now = now or utcnow()
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(secret))).first()
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        token.last_used_at = now
        session.flush()
    return token
