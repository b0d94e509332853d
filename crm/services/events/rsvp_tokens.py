"""The personal answer link: signed, unguessable, bound to one invitation, expiring with the event.

The token is ``URLSafeTimedSerializer(SECRET_KEY, salt)`` over ``[invitation id, nonce]``:

* signed: changing one character gives a bad signature (the page says the link is invalid);
* unguessable: the nonce is 96 random bits stored on the invitation, so even someone who
  knows the SECRET_KEY's output for one invitation cannot derive another's link, and
  replacing the nonce (``renew``) invalidates every link sent for that invitation;
* expiring: after the event has ended the link only says so (checked against the event's
  end, not a fixed age, because an event may be moved after the mail went out).
"""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from crm.models import Invitation
from crm.models.base import utcnow

SALT = "bildungsnetz-rsvp-answer"


class TokenError(Exception):
    """Base: the link does not lead to an answer form."""


class InvalidToken(TokenError):
    """Tampered, truncated, from another installation, or revoked."""


@dataclass
class ExpiredToken(TokenError):
    """Genuine, but the event is over."""

    invitation: Invitation


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def ensure_nonce(invitation: Invitation) -> str:
    if not invitation.token_nonce:
        invitation.token_nonce = secrets.token_urlsafe(12)
    return invitation.token_nonce


def renew(invitation: Invitation) -> None:
    """Invalidate every answer link sent so far for this invitation."""
    invitation.token_nonce = secrets.token_urlsafe(12)


def make_token(invitation: Invitation) -> str:
    if invitation.id is None:
        raise ValueError("invitation must be flushed before a link can be made")
    return _serializer().dumps([invitation.id, ensure_nonce(invitation)])


def answer_url(invitation: Invitation) -> str:
    """Absolute link for mails (``BILDUNGSNETZ_BASE_URL``; works in the CLI and the worker too)."""
    base = str(current_app.config.get("BILDUNGSNETZ_BASE_URL", "")).rstrip("/")
    return f"{base}/antwort/{make_token(invitation)}"


def read_token(session: Session, token: str, now: datetime | None = None) -> Invitation:
    """The invitation behind ``token``; raises InvalidToken or ExpiredToken."""
    try:
        data = _serializer().loads(token)
    except BadSignature as error:  # also covers malformed payloads and bad timestamps
        raise InvalidToken() from error
    if (not isinstance(data, list) or len(data) != 2 or not isinstance(data[0], int)
            or not isinstance(data[1], str) or not data[1]):
        raise InvalidToken()
    invitation = session.get(Invitation, data[0])
    if invitation is None or not invitation.token_nonce or not hmac.compare_digest(
            invitation.token_nonce.encode(), data[1].encode()):
        raise InvalidToken()
    if (now or utcnow()) > invitation.event.ends_at:
        raise ExpiredToken(invitation)
    return invitation
