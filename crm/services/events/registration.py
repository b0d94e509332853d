"""Registration for an open public event by a visitor without an account (the Bildungsportal).

A registration is an invitation with a yes-answer, made by the visitor instead of the organiser, so it
appears wherever invitations do — the organiser's list, the counters, the door list, the waiting
list — and the visitor answers, cancels or moves up through the same personal link and mails as an
invited guest (``invitations``, ``rsvp_tokens``). What the portal adds:

* the person: found by e-mail address (case folded), else created with the legal basis "consent"
  (nothing else would allow us to keep a stranger's data) and a note where they came from;
* the consent: the visitor ticks a box; it is recorded as a ``Consent`` for ``INVITATIONS`` with the
  method "Anmeldung im Bildungsportal" (unless one is valid already), and the link at the end of every
  mail withdraws it, as for everyone;
* the confirmation mail through the outbox: "registration" (with the calendar entry) or
  "registration_waitlist", carrying the personal answer link so the visitor can cancel.

Twice the same address for the same event (a double click, the back button, a second tab) makes one
invitation: the event is locked first (``events.lock_event``), then the person and their invitation
are looked up, and an existing yes or waiting-list answer is left as it is. Such a repeat does not
queue another mail within ``CONFIRMATION_REPEAT``: otherwise the form could be used to flood
someone's mailbox with our confirmations.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.models import Answer, Consent, ConsentPurpose, Invitation, LegalBasis, OutboxMessage, Person
from crm.models.base import utcnow
from crm.services.errors import N_, ServiceError
from crm.services.events import events, invitations, public, rsvp_tokens
from crm.services.privacy import consent

CONSENT_METHOD = "Anmeldung im Bildungsportal"
PERSON_NOTE = "Über das Bildungsportal zu einer Veranstaltung angemeldet."
MAIL_KEYS = ("registration", "registration_waitlist")
CONFIRMATION_REPEAT = timedelta(hours=1)

REFUSALS = {
    public.Registration.NONE: N_("Für diese Veranstaltung ist keine Anmeldung über das Bildungsportal möglich."),
    public.Registration.CLOSED: N_("Die Anmeldefrist ist abgelaufen."),
    public.Registration.CANCELLED: N_("Die Veranstaltung wurde abgesagt."),
    public.Registration.PAST: N_("Die Veranstaltung hat bereits stattgefunden."),
}


@dataclass
class RegistrationResult:
    invitation: Invitation
    answer: Answer       # ACCEPTED or WAITLISTED
    is_new: bool         # False: this address was registered already; nothing was doubled
    mailed: bool         # a confirmation mail was queued now


def _clean(first_name: str, last_name: str, email: str) -> tuple[str, str, str]:
    first, last, address = " ".join(first_name.split()), " ".join(last_name.split()), email.strip()
    if not first:
        raise ServiceError(N_("Bitte geben Sie Ihren Vornamen ein."), "first_name")
    if not last:
        raise ServiceError(N_("Bitte geben Sie Ihren Nachnamen ein."), "last_name")
    if len(first) > 100 or len(last) > 100:
        raise ServiceError(N_("Höchstens 100 Zeichen."), "last_name" if len(last) > 100 else "first_name")
    local, at, domain = address.rpartition("@")
    if not (at and local and "." in domain) or len(address) > 254 or any(c.isspace() for c in address):
        raise ServiceError(N_("Bitte geben Sie eine gültige E-Mail-Adresse ein."), "email")
    return first, last, address


def find_person(session: Session, email: str) -> Person | None:
    """The (oldest) person with this address, not anonymised. Lower-cased on both sides: addresses
    are ASCII in practice, where SQLite's ``lower()`` folds like Python's."""
    return session.scalars(select(Person).where(func.lower(Person.email) == email.lower(),
                                                Person.is_anonymised.is_(False))
                           .order_by(Person.id).limit(1)).first()


def _ensure_consent(session: Session, person: Person, now: datetime) -> None:
    valid = session.scalar(select(Consent.id).where(
        Consent.person_id == person.id, Consent.purpose == ConsentPurpose.INVITATIONS,
        Consent.withdrawn_at.is_(None)).limit(1))
    if valid is None:
        consent.give(session, person, ConsentPurpose.INVITATIONS, CONSENT_METHOD, None, given_at=now)


def _recently_confirmed(session: Session, invitation: Invitation, now: datetime) -> bool:
    return session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.invitation_id == invitation.id, OutboxMessage.category.in_(MAIL_KEYS),
        OutboxMessage.created_at >= now - CONFIRMATION_REPEAT).limit(1)) is not None


def register(session: Session, event_id: int, first_name: str, last_name: str, email: str,
             now: datetime | None = None) -> RegistrationResult:
    """Register the visitor for the event: a yes-answer, or a place on the waiting list when full.

    Raises ``ServiceError`` (German, with the field) for bad input and for an event that takes no
    registration now. The caller commits.
    """
    now = now or utcnow()
    first, last, address = _clean(first_name, last_name, email)
    event = events.lock_event(session, event_id)
    if event is None or not public.is_public(event):
        raise ServiceError(N_("Diese Veranstaltung gibt es nicht."))
    state = public.registration_state(session, event, now)
    if not state.accepts:
        raise ServiceError(REFUSALS[state.state])
    person = find_person(session, address)
    if person is None:
        person = Person(first_name=first, last_name=last, email=address, legal_basis=LegalBasis.CONSENT,
                        notes=PERSON_NOTE)
        session.add(person)
        session.flush()
    _ensure_consent(session, person, now)
    invitation = session.scalars(select(Invitation).where(Invitation.event_id == event.id,
                                                          Invitation.person_id == person.id)).first()
    is_new = invitation is None or invitation.answer not in (Answer.ACCEPTED, Answer.WAITLISTED)
    if invitation is None:
        invitation = Invitation(event_id=event.id, person_id=person.id, actor_id=None, answer=Answer.PENDING)
        session.add(invitation)
        session.flush()
    if is_new:
        invitations._apply_answer(session, event, invitation, Answer.ACCEPTED, now)
        # Counted as sent: the organiser's "Einladungen versenden" must not invite them afterwards.
        invitation.invited_at = invitation.invited_at or now
    person.last_activity_at = now
    rsvp_tokens.ensure_nonce(invitation)
    session.flush()
    answer = invitation.answer
    mailed = False
    if is_new or not _recently_confirmed(session, invitation, now):
        accepted = answer == Answer.ACCEPTED
        mailed = invitations.compose(session, invitation, MAIL_KEYS[0] if accepted else MAIL_KEYS[1],
                                     calendar="REQUEST" if accepted else None) is not None
    session.flush()
    return RegistrationResult(invitation, answer, is_new, mailed)
