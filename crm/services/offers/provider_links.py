"""The provider's personal link: who gets it, how it is signed and read, and the mails that carry it.

The token is ``URLSafeTimedSerializer(SECRET_KEY, salt)`` over ``[link id, nonce]``, the same
construction as the survey and event answer links (``crm.services.surveys.tokens``):

* signed: one changed character gives a bad signature (the page says the link is invalid);
* unguessable and revocable: the 96-bit nonce lives on the ``ProviderLink``; replacing it
  (``renew``) invalidates every link sent so far for that contact;
* expiring: a link is valid for ``PROVIDER_LINK_DAYS`` (default 90) days after it was made, so an
  old mail forwarded around the office stops working; each mail carries a fresh token.

The contact is the actor's first current, contactable person (``crm.services.surveys.rounds.contact_for``:
affiliation address first, consent for invitations checked), else the actor's role address; an
individual actor's own address is personal data, so without a contactable person it gets no mail.

Once a year (``request_confirmations``, the worker task ``confirmations``) every provider whose
offers were last confirmed more than a year ago gets one mail asking to confirm or update them.
"""
from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from crm.models import Actor, Offer, OfferStatus, OutboxMessage, Person, ProviderLink
from crm.models.base import utcnow
from crm.models.offers import offer_providers
from crm.services.errors import N_, ServiceError
from crm.services.mail import outbox
from crm.services.mail import templates as mail_templates
from crm.services.mail.delivery import check_base_url
from crm.services.privacy import audit, consent

SALT = "bildungsnetz-provider-link"
DEFAULT_DAYS = 90
CONFIRM_AFTER_DAYS = 365
CATEGORY_LINK = "provider_link"
CATEGORY_CONFIRMATION = "provider_confirmation"
NO_CONTACT = N_("Für „%(name)s“ ist niemand hinterlegt, dem wir schreiben dürfen: weder eine Ansprechperson "
                "mit Einwilligung noch eine Funktionsadresse des Akteurs.")


class TokenError(Exception):
    """The link does not lead to the provider's page."""


class InvalidToken(TokenError):
    """Tampered, truncated, from another installation, or revoked."""


class ExpiredToken(TokenError):
    """Genuine, but older than ``PROVIDER_LINK_DAYS``."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def max_age_days() -> int:
    return int(current_app.config.get("PROVIDER_LINK_DAYS") or DEFAULT_DAYS)


def renew(link: ProviderLink) -> None:
    """Invalidate every link sent so far to this contact."""
    link.token_nonce = secrets.token_urlsafe(12)


def make_token(link: ProviderLink) -> str:
    if link.id is None:
        raise ValueError("link must be flushed before a token can be made")
    return _serializer().dumps([link.id, link.token_nonce])


def link_url(link: ProviderLink) -> str:
    """Absolute link for mails (``BILDUNGSNETZ_BASE_URL``; works in the CLI and the worker too)."""
    base = str(current_app.config.get("BILDUNGSNETZ_BASE_URL", "")).rstrip("/")
    return f"{base}/anbieter/{make_token(link)}"


def read_token(session: Session, token: str) -> ProviderLink:
    """The link behind ``token``; raises InvalidToken or ExpiredToken."""
    if len(token) > 500:
        raise InvalidToken()
    try:
        data = _serializer().loads(token, max_age=max_age_days() * 86400)
    except SignatureExpired as error:
        raise ExpiredToken() from error
    except BadSignature as error:  # also malformed payloads and bad timestamps
        raise InvalidToken() from error
    if (not isinstance(data, list) or len(data) != 2 or not isinstance(data[0], int) or isinstance(data[0], bool)
            or not isinstance(data[1], str) or not data[1] or not -2**31 <= data[0] < 2**31):
        raise InvalidToken()
    link = session.get(ProviderLink, data[0])
    if link is None or not hmac.compare_digest(link.token_nonce.encode(), data[1].encode()):
        raise InvalidToken()
    return link


# --- who gets the link ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Contact:
    person: Person | None
    email: str


def contact_of(session: Session, actor: Actor, allowed: set[int] | None = None) -> Contact | None:
    """The contact who gets the provider's link; None if nobody may be written to."""
    from crm.services.surveys.rounds import contact_for

    found = contact_for(session, actor, allowed=allowed)
    if found is not None:
        return Contact(found[0], found[1])
    if not actor.kind.is_individual and (actor.email or "").strip():
        return Contact(None, actor.email.strip())
    return None


def link_for(session: Session, actor: Actor, contact: Contact) -> ProviderLink:
    """The contact's link row for the actor (made on first use)."""
    link = session.scalars(select(ProviderLink).where(
        ProviderLink.actor_id == actor.id, func.lower(ProviderLink.email) == contact.email.lower())).first()
    if link is None:
        link = ProviderLink(actor=actor, email=contact.email[:254], token_nonce=secrets.token_urlsafe(12))
        session.add(link)
    link.person = contact.person
    session.flush()
    return link


# --- the mails ------------------------------------------------------------------------------------

def _compose(session: Session, actor: Actor, contact: Contact, link: ProviderLink, key: str) -> OutboxMessage:
    from crm.services.events.invitations import salutation

    organisation = str(current_app.config.get("BILDUNGSNETZ_ORGANISATION") or "Bildungsbüro")
    sender = str(current_app.config.get("MAIL_DEFAULT_SENDER") or "")
    count = len(offers_to_confirm(session, actor.id))
    values = {"anrede": salutation(contact.person) if contact.person is not None else "Guten Tag",
              "akteur": actor.name, "link": link_url(link), "organisation": organisation,
              "kontakt": organisation, "kontakt_email": sender, "anzahl": str(count),
              "tage": str(max_age_days())}
    text = mail_templates.default(key)
    body = re.sub(r"\n{3,}", "\n\n", mail_templates.render(text.body, values).rstrip())
    headers: dict[str, str] = {}
    if contact.person is not None:
        body += "\n" + mail_templates.footer(dict(values, abmelde_link=consent.withdrawal_url(contact.person),
                                                  grund=f"als Ansprechperson für {actor.name}"))
        headers = consent.list_unsubscribe_headers(contact.person)
    else:
        body += f"\n\n-- \n{organisation} · Fragen: {sender}\n" \
                f"Sie erhalten diese E-Mail an die Adresse von {actor.name}, die im Bildungsnetz eingetragen ist.\n"
    subject = " ".join(mail_templates.render(text.subject, values).split())
    return outbox.queue(session, recipient=contact.email, subject=subject, body_text=body,
                        body_html=mail_templates.html(body), category=key, headers=headers)


def send_link(session: Session, actor: Actor, key: str = CATEGORY_LINK) -> ProviderLink:
    """Queue the provider's link to its contact (a coordinator's button, or the yearly request).
    Raises ServiceError when nobody may be written to. Flushes; the caller commits."""
    check_base_url()
    contact = contact_of(session, actor)
    if contact is None:
        raise ServiceError(NO_CONTACT, None, {"name": actor.name})
    link = link_for(session, actor, contact)
    _compose(session, actor, contact, link, key)
    link.sent_at = utcnow()
    if key == CATEGORY_CONFIRMATION:
        link.confirmation_requested_at = link.sent_at
    audit.record(session, "send", "ProviderLink", f"Anbieter-Link für „{actor.name}“ an {contact.email} "
                 + ("(jährliche Bestätigung)" if key == CATEGORY_CONFIRMATION else "gesendet"),
                 {"actor_id": actor.id, "email": contact.email, "category": key})
    session.flush()
    return link


# --- the yearly request ---------------------------------------------------------------------------

def _cutoff(today: date) -> date:
    return today - timedelta(days=CONFIRM_AFTER_DAYS)


def _unconfirmed_clause(today: date) -> Any:
    """An offer that still runs and was confirmed more than a year ago; a never confirmed one counts
    from the day it was entered (a new offer does not trigger a mail the day after)."""
    cutoff = _cutoff(today)
    cutoff_at = datetime.combine(cutoff, datetime.min.time()).replace(tzinfo=utcnow().tzinfo)
    return and_(Offer.status != OfferStatus.ENDED,
                or_(Offer.confirmed_on < cutoff, and_(Offer.confirmed_on.is_(None), Offer.created_at < cutoff_at)))


def offers_to_confirm(session: Session, actor_id: int) -> list[Offer]:
    """The actor's offers that still run (drafts and published), for its page and its mail."""
    return list(session.scalars(
        select(Offer).join(offer_providers, offer_providers.c.offer_id == Offer.id)
        .where(offer_providers.c.actor_id == actor_id, Offer.status != OfferStatus.ENDED).order_by(Offer.id)))


def due_providers(session: Session, today: date | None = None, after_id: int = 0, limit: int = 100) -> list[Actor]:
    """Active providers with an offer last confirmed over a year ago that were not asked within the
    year, by id from ``after_id`` (the worker walks them in batches)."""
    today = today or date.today()
    asked_at = datetime.combine(_cutoff(today), datetime.min.time()).replace(tzinfo=utcnow().tzinfo)
    stale = select(offer_providers.c.actor_id).join(Offer, Offer.id == offer_providers.c.offer_id) \
        .where(_unconfirmed_clause(today))
    asked = select(ProviderLink.actor_id).where(ProviderLink.confirmation_requested_at >= asked_at)
    return list(session.scalars(
        select(Actor).where(Actor.id > after_id, Actor.is_active.is_(True), Actor.id.in_(stale),
                            Actor.id.not_in(asked)).order_by(Actor.id).limit(limit)))


@dataclass
class RequestReport:
    asked: int = 0
    without_contact: int = 0
    last_actor_id: int = 0
    more: bool = False


def request_confirmations(session: Session, today: date | None = None, after_id: int = 0,
                          limit: int = 100) -> RequestReport:
    """One batch of the yearly request: a mail with the link to each due provider. Flushes."""
    report = RequestReport(last_actor_id=after_id)
    actors = due_providers(session, today, after_id, limit)
    for actor in actors:
        report.last_actor_id = actor.id
        try:
            send_link(session, actor, CATEGORY_CONFIRMATION)
        except ServiceError:
            report.without_contact += 1
            continue
        report.asked += 1
    report.more = len(actors) == limit
    return report


def confirm_all(session: Session, link: ProviderLink, today: date | None = None) -> list[Offer]:
    """The provider says every running offer still stands as described: confirmed today.
    No review needed; the audit log records it under the link's address (the caller's ``acting_as``)."""
    from crm.services.offers.offers import confirm_offer

    offers = offers_to_confirm(session, link.actor_id)
    for offer in offers:
        confirm_offer(session, offer, today)
    link.used_at = utcnow()
    session.flush()
    return offers


class ConfirmationTask:
    """The worker task ``confirmations``: walks the due providers in batches, then rests for
    ``interval`` seconds (an hour by default): the question is yearly, the check need not be frequent."""

    def __init__(self, session: Session, interval: float = 3600.0, batch: int = 100) -> None:
        self.session = session
        self.interval = interval
        self.batch = batch
        self.after_id = 0
        self.resting_until = 0.0

    def step(self, now: float | None = None) -> bool:
        import time

        now = time.monotonic() if now is None else now
        if now < self.resting_until:
            return False
        with audit.acting_as("worker:jährliche Bestätigung"):
            report = request_confirmations(self.session, after_id=self.after_id, limit=self.batch)
            self.session.commit()
        if report.more:
            self.after_id = report.last_actor_id
            return True
        self.after_id = 0
        self.resting_until = now + self.interval
        return report.asked > 0
