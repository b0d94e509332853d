"""Dot voting through personal links: each workshop participant gives their dots on a phone.

Rules, shared by every caller:

* every participant (a person seated at a table of the workshop) has ``DOTS_PER_PARTICIPANT``
  dots; they may put several on one proposal or spread them over proposals of any group, and
  need not use all of them;
* one bad number refuses the whole ballot (nothing half-saved), and so do more dots than the
  participant has;
* a participant can change their dots through the same link until the organiser closes the
  voting; after that the link only says so, and the organiser can open it again;
* the links go out through the outbox (``crm.services.mail.outbox``) under the rules of the
  invitations: only to people who may be written to for invitations
  (``crm.services.privacy.consent``: objections and withdrawn consent are honoured), at the work
  address for the actor they sat for, else their own; a second click sends nobody a second link;
* the ranking adds these dots to the ones typed in from the paper
  (``crm.services.events.workshops.ranking``), and says which is which.

Writes flush; the request commits.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from crm.models import ConsentPurpose, Event, Person, WorkshopDot, WorkshopGroup, WorkshopParticipant, WorkshopProposal
from crm.models.base import utcnow
from crm.services.errors import N_, ServiceError, unique_rule
from crm.services.events import workshop_vote_tokens as tokens
from crm.services.events import workshops
from crm.services.events.events import format_day
from crm.services.events.invitations import address_for, salutation
from crm.services.mail import outbox
from crm.services.mail import templates as mail_templates
from crm.services.mail.delivery import check_base_url
from crm.services.privacy import consent

DOTS_PER_PARTICIPANT = 3
"""Dots each participant has. Three, as on the paper sheets of a Strategiewerkstatt (three sticky
dots per person, the usual rule of thumb of about one dot per three or four options for the ten or
so proposals a workshop records), so a dot given through the link weighs exactly as much as one
stuck on the wall and both can be added up. A constant rather than a per-workshop setting: it
never changes under a ballot already cast, and every ballot of every workshop compares."""

CATEGORY = "workshop_votes"
unique_rule("workshop_dots", ("participant_id", "proposal_id"),
            N_("Ihre Punkte wurden gerade gleichzeitig ein zweites Mal gespeichert (zwei Fenster?). Bitte prüfen "
               "Sie sie und speichern Sie noch einmal."), None)
CLOSED = N_("Die Punktabfrage ist beendet. Punkte lassen sich nicht mehr vergeben oder ändern.")


def dot_field(proposal_id: int) -> str:
    return f"punkte-{proposal_id}"


class DotsRefused(ServiceError):
    """The ballot was not saved; ``errors`` maps each field to its marked German message."""

    def __init__(self, message: str, errors: dict[str, str], params: Mapping[str, int] | None = None) -> None:
        super().__init__(message, next(iter(errors), None), params)
        self.errors = errors


# --- the participant's ballot -----------------------------------------------------------------

def event_proposals(session: Session, event: Event) -> list[WorkshopProposal]:
    """All proposals of the workshop, by group and order of recording."""
    return workshops.proposals(session, event)


def ballot(session: Session, participant: WorkshopParticipant) -> dict[int, int]:
    """proposal id -> dots this participant gave."""
    rows = session.execute(select(WorkshopDot.proposal_id, WorkshopDot.dots)
                           .where(WorkshopDot.participant_id == participant.id))
    return {proposal_id: dots for proposal_id, dots in rows}


def parse_dots(proposals: Sequence[WorkshopProposal], form: Mapping[str, str]) -> dict[int, int]:
    """The ballot's numbers by proposal id (only proposals with dots); every problem at once."""
    chosen: dict[int, int] = {}
    errors: dict[str, str] = {}
    for proposal in proposals:
        key = dot_field(proposal.id)
        value, error = workshops.dot_count(
            form.get(key), DOTS_PER_PARTICIPANT,
            N_("Auf einen Vorschlag passen höchstens so viele Punkte, wie Sie insgesamt haben."))
        if error:
            errors[key] = error
        elif value:
            chosen[proposal.id] = value
    if errors:
        raise DotsRefused(N_("Ihre Punkte wurden nicht gespeichert: Bitte korrigieren Sie die markierten Zahlen."),
                          errors)
    given = sum(chosen.values())
    if given > DOTS_PER_PARTICIPANT:
        raise DotsRefused(
            N_("Sie haben %(given)s Punkte verteilt, aber nur %(dots)s Punkte zur Verfügung. Bitte verteilen Sie "
               "höchstens %(dots)s Punkte; gespeichert wurde nichts."),
            {dot_field(pid): N_("zusammen zu viele Punkte") for pid in chosen},
            {"given": given, "dots": DOTS_PER_PARTICIPANT})
    return chosen


def cast_dots(session: Session, participant: WorkshopParticipant, form: Mapping[str, str]) -> dict[int, int]:
    """Replace the participant's dots with the ballot in ``form`` (``punkte-<proposal id>``)."""
    event = participant.event
    workshops.check_workshop(event)
    if event.workshop_voting_closed_at is not None:
        raise ServiceError(CLOSED)
    chosen = parse_dots(event_proposals(session, event), form)
    current = {dot.proposal_id: dot for dot in participant.dots}
    for proposal_id, dot in current.items():
        if proposal_id not in chosen:
            participant.dots.remove(dot)
        elif dot.dots != chosen[proposal_id]:
            dot.dots = chosen[proposal_id]
    for proposal_id, dots in chosen.items():
        if proposal_id not in current:
            participant.dots.append(WorkshopDot(proposal_id=proposal_id, dots=dots))
    participant.voted_at = utcnow()
    session.flush()
    return chosen


# --- the organiser: open, close, send ----------------------------------------------------------

def close_voting(session: Session, event: Event) -> None:
    workshops.check_workshop(event)
    if event.workshop_voting_closed_at is not None:
        raise ServiceError(N_("Die Punktabfrage ist schon beendet."))
    event.workshop_voting_closed_at = utcnow()
    session.flush()


def reopen_voting(session: Session, event: Event) -> None:
    """Open the voting again (closed too early); the links sent before work again."""
    workshops.check_workshop(event)
    if event.workshop_voting_closed_at is None:
        raise ServiceError(N_("Die Punktabfrage läuft noch."))
    event.workshop_voting_closed_at = None
    session.flush()


def _participants(session: Session, event: Event) -> list[WorkshopParticipant]:
    return list(session.scalars(
        select(WorkshopParticipant).where(WorkshopParticipant.event_id == event.id)
        .options(selectinload(WorkshopParticipant.person).selectinload(Person.affiliations),
                 selectinload(WorkshopParticipant.actor), selectinload(WorkshopParticipant.group))
        .order_by(WorkshopParticipant.id)))


def _contactable(session: Session, person_ids: Sequence[int]) -> set[int]:
    ids = sorted(set(person_ids))
    if not ids:
        return set()
    return set(session.scalars(select(Person.id).where(
        Person.id.in_(ids), consent.contactable_clause(ConsentPurpose.INVITATIONS))))


def address_of(participant: WorkshopParticipant) -> str:
    """The work address at the actor the person sat for, else their own (as for invitations)."""
    return address_for(participant.person, participant.actor_id)


@dataclass
class VotingStatus:
    """What the workshop page shows about the link voting."""

    participants: int
    sent: int
    voted: int
    sendable: int  # not yet sent, contactable, with an address
    no_consent: int  # not yet sent: objected or withdrew consent
    no_address: int  # not yet sent: no address
    is_closed: bool
    dots: int = DOTS_PER_PARTICIPANT


def status(session: Session, event: Event) -> VotingStatus:
    people = _participants(session, event)
    unsent = [p for p in people if p.vote_link_sent_at is None]
    allowed = _contactable(session, [p.person_id for p in unsent])
    no_consent = sum(1 for p in unsent if p.person_id not in allowed)
    sendable = sum(1 for p in unsent if p.person_id in allowed and address_of(p))
    return VotingStatus(participants=len(people), sent=len(people) - len(unsent),
                        voted=sum(1 for p in people if p.voted_at is not None), sendable=sendable,
                        no_consent=no_consent, no_address=len(unsent) - no_consent - sendable,
                        is_closed=event.workshop_voting_closed_at is not None)


def _values(participant: WorkshopParticipant, link: str) -> dict[str, str]:
    event = participant.event
    organisation = str(current_app.config.get("BILDUNGSNETZ_ORGANISATION") or "Bildungsbüro")
    return {
        "anrede": salutation(participant.person),
        "veranstaltung": event.title,
        "datum": format_day(event.starts_at),
        "gruppe": participant.group.name,
        "punkte": str(DOTS_PER_PARTICIPANT),
        "link": link,
        "organisation": organisation,
        "kontakt": organisation,
        "kontakt_email": str(current_app.config.get("MAIL_DEFAULT_SENDER") or ""),
    }


def compose(session: Session, participant: WorkshopParticipant, text: mail_templates.Text | None = None) -> bool:
    """Queue the vote link to the participant; False (nothing queued) without an address."""
    address = address_of(participant)
    if not address:
        return False
    text = text or mail_templates.default(CATEGORY)
    link = tokens.vote_url(participant)
    values = _values(participant, link)
    body = re.sub(r"\n{3,}", "\n\n", mail_templates.render(text.body, values).rstrip())
    reason = f"als Teilnehmerin oder Teilnehmer der Werkstatt „{participant.event.title}“"
    body += "\n" + mail_templates.footer(dict(values, abmelde_link=consent.withdrawal_url(participant.person),
                                              grund=reason))
    subject = " ".join(mail_templates.render(text.subject, values).split())
    outbox.queue(session, recipient=address, subject=subject, body_text=body,
                 body_html=mail_templates.html(body, link), category=CATEGORY,
                 headers=consent.list_unsubscribe_headers(participant.person))
    return True


def send_links(session: Session, event: Event) -> int:
    """Queue the vote link for every participant who has none yet and may be written to. Returns how many."""
    workshops.check_workshop(event)
    if event.workshop_voting_closed_at is not None:
        raise ServiceError(CLOSED)
    if not session.scalar(select(func.count(WorkshopProposal.id)).join(WorkshopGroup)
                          .where(WorkshopGroup.event_id == event.id)):
        raise ServiceError(N_("Es gibt noch keine Vorschläge, auf die Punkte verteilt werden könnten."))
    people = [p for p in _participants(session, event) if p.vote_link_sent_at is None]
    if not people:
        return 0
    check_base_url()
    allowed = _contactable(session, [p.person_id for p in people])
    text = mail_templates.default(CATEGORY)
    now = utcnow()
    queued = 0
    for participant in people:
        if participant.person_id in allowed and compose(session, participant, text):
            participant.vote_link_sent_at = now
            queued += 1
    session.flush()
    return queued

