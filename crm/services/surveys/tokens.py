"""The personal survey link: signed, unguessable, bound to one recipient, closed with the round.

The same construction as the event answer link (``crm.services.events.rsvp_tokens``): a signed
``[recipient id, nonce]``; the 96-bit nonce lives on the recipient, so a link cannot be derived
from another, and replacing it (``renew``) revokes every link sent so far.
"""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from crm.models import SurveyRecipient, SurveyStatus

SALT = "bildungsnetz-survey-answer"


class TokenError(Exception):
    """The link does not lead to an answer form."""


class InvalidToken(TokenError):
    """Tampered, truncated, from another installation, or revoked."""


@dataclass
class ClosedToken(TokenError):
    """Genuine, but the round is closed."""

    recipient: SurveyRecipient


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def ensure_nonce(recipient: SurveyRecipient) -> str:
    if not recipient.token_nonce:
        recipient.token_nonce = secrets.token_urlsafe(12)
    return recipient.token_nonce


def renew(recipient: SurveyRecipient) -> None:
    recipient.token_nonce = secrets.token_urlsafe(12)


def make_token(recipient: SurveyRecipient) -> str:
    if recipient.id is None:
        raise ValueError("recipient must be flushed before a link can be made")
    return _serializer().dumps([recipient.id, ensure_nonce(recipient)])


def answer_url(recipient: SurveyRecipient) -> str:
    """Absolute link for mails (``BILDUNGSNETZ_BASE_URL``; works in the CLI and the worker too)."""
    base = str(current_app.config.get("BILDUNGSNETZ_BASE_URL", "")).rstrip("/")
    return f"{base}/befragung/{make_token(recipient)}"


def read_token(session: Session, token: str) -> SurveyRecipient:
    """The recipient behind ``token``; raises InvalidToken or ClosedToken."""
    try:
        data = _serializer().loads(token)
    except BadSignature as error:
        raise InvalidToken() from error
    if (not isinstance(data, list) or len(data) != 2 or not isinstance(data[0], int)
            or isinstance(data[0], bool) or not isinstance(data[1], str) or not data[1]):
        raise InvalidToken()
    if not -2**31 <= data[0] < 2**31:
        raise InvalidToken()
    recipient = session.get(SurveyRecipient, data[0])
    if recipient is None or not recipient.token_nonce or not hmac.compare_digest(
            recipient.token_nonce.encode(), data[1].encode()):
        raise InvalidToken()
    if recipient.round.status == SurveyStatus.CLOSED:
        raise ClosedToken(recipient)
    return recipient
