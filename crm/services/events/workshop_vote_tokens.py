"""The personal vote link of a workshop participant: signed, unguessable, bound to one seat, closed
with the voting.

The same construction as the event answer link (``crm.services.events.rsvp_tokens``) and the
survey link (``crm.services.surveys.tokens``): a signed ``[participant id, nonce]``. The 96-bit
nonce lives on the participant, so a link cannot be derived from another, and replacing it
(``renew``) revokes every link sent so far. No time limit in the token itself: the voting ends
when the organiser closes it (checked on every use), not at a fixed age.
"""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from crm.models import WorkshopParticipant

SALT = "bildungsnetz-workshop-dots"


class TokenError(Exception):
    """The link does not lead to a ballot."""


class InvalidToken(TokenError):
    """Tampered, truncated, from another installation, revoked, or the seat is gone."""


@dataclass
class ClosedToken(TokenError):
    """Genuine, but the organiser has closed the voting."""

    participant: WorkshopParticipant


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def ensure_nonce(participant: WorkshopParticipant) -> str:
    if not participant.token_nonce:
        participant.token_nonce = secrets.token_urlsafe(12)
    return participant.token_nonce


def renew(participant: WorkshopParticipant) -> None:
    """Invalidate every vote link sent so far for this seat."""
    participant.token_nonce = secrets.token_urlsafe(12)


def make_token(participant: WorkshopParticipant) -> str:
    if participant.id is None:
        raise ValueError("participant must be flushed before a link can be made")
    return _serializer().dumps([participant.id, ensure_nonce(participant)])


def vote_path(participant: WorkshopParticipant) -> str:
    return f"/werkstatt-punkte/{make_token(participant)}"


def vote_url(participant: WorkshopParticipant) -> str:
    """Absolute link for mails (``BILDUNGSNETZ_BASE_URL``; works in the CLI and the worker too)."""
    base = str(current_app.config.get("BILDUNGSNETZ_BASE_URL", "")).rstrip("/")
    return base + vote_path(participant)


def read_token(session: Session, token: str) -> WorkshopParticipant:
    """The seat behind ``token``; raises InvalidToken or ClosedToken."""
    try:
        data = _serializer().loads(token)
    except BadSignature as error:  # also covers malformed payloads
        raise InvalidToken() from error
    if (not isinstance(data, list) or len(data) != 2 or not isinstance(data[0], int)
            or isinstance(data[0], bool) or not isinstance(data[1], str) or not data[1]):
        raise InvalidToken()
    if not -2**31 <= data[0] < 2**31:
        raise InvalidToken()
    participant = session.get(WorkshopParticipant, data[0])
    if participant is None or not participant.token_nonce or not hmac.compare_digest(
            participant.token_nonce.encode(), data[1].encode()):
        raise InvalidToken()
    event = participant.event
    if event.kind is None or not event.kind.is_workshop:
        raise InvalidToken()
    if event.workshop_voting_closed_at is not None:
        raise ClosedToken(participant)
    return participant
