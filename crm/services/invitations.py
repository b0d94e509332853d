"""Invitations: sending, answers with the waiting list, reminders, updates and cancellations.

Every mail is queued in the outbox in the caller's transaction (``crm.services.outbox``): an
invitation counts as sent exactly when its mail is committed to the outbox.

Waiting list: with a capacity, an acceptance beyond it is put on the waiting list with the next
position. When a place frees up (a decline, a change to "vielleicht", a larger capacity), the
first on the list moves up, is accepted, and is told by mail. Answers of one event are
serialised by ``events.lock_event`` so two guests never take the same last place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from crm.models import Affiliation, Answer, ConsentPurpose, Event, EventStatus, Invitation, OutboxMessage, Person
from crm.models.base import utcnow
from crm.services import consent, events, ical, mail_templates, outbox, rsvp_tokens
from crm.services.errors import ServiceError

ANSWER_LABELS = {
    Answer.PENDING: "keine Antwort",
    Answer.ACCEPTED: "Zusage",
    Answer.TENTATIVE: "vielleicht",
    Answer.DECLINED: "Absage",
    Answer.WAITLISTED: "Warteliste",
}
GUEST_ANSWERS = (Answer.ACCEPTED, Answer.TENTATIVE, Answer.DECLINED)
REMINDER_AUDIENCES = {"pending": "reminder_pending", "accepted": "reminder_accepted"}


class DeadlinePassed(ServiceError):
    def __init__(self, deadline: datetime) -> None:
        super().__init__("Die Antwortfrist ist abgelaufen.")
        self.deadline = deadline


# --- addresses and mail text ------------------------------------------------------------------

def current_affiliation(person: Person, actor_id: int | None, on: date | None = None) -> Affiliation | None:
    on = on or date.today()
    for affiliation in person.affiliations:
        if affiliation.actor_id == actor_id and affiliation.is_current(on):
            return affiliation
    return None


def address_for(person: Person, actor_id: int | None) -> str:
    """The work address at the actor the person is invited for, else the person's own address."""
    affiliation = current_affiliation(person, actor_id)
    if affiliation is not None and affiliation.email.strip():
        return affiliation.email.strip()
    return (person.email or "").strip()


def recipient_address(invitation: Invitation) -> str:
    return address_for(invitation.person, invitation.actor_id)


def salutation(person: Person) -> str:
    """'Sehr geehrte Frau Dr. Muster' / 'Sehr geehrter Herr Muster' / 'Guten Tag Kim Muster'."""
    title = f"{person.title} " if person.title else ""
    word = person.salutation.strip().lower()
    if word in ("frau", "fr."):
        return f"Sehr geehrte Frau {title}{person.last_name}"
    if word in ("herr", "hr."):
        return f"Sehr geehrter Herr {title}{person.last_name}"
    return f"Guten Tag {person.full_name}".strip()


def mail_values(invitation: Invitation, link: str) -> dict[str, str]:
    event, person = invitation.event, invitation.person
    contact = events.contact(event)
    deadline = events.answer_deadline(event)
    start, end = events.to_local(event.starts_at), events.to_local(event.ends_at)
    hours = (f"{events.format_clock(start)}–{events.format_clock(end)} Uhr" if start.date() == end.date()
             else f"{events.format_clock(start)} Uhr bis {events.format_day(end)}, {events.format_clock(end)} Uhr")
    return {
        "anrede": salutation(person),
        "name": person.full_name,
        "vorname": person.first_name,
        "nachname": person.last_name,
        "akteur": invitation.actor.name if invitation.actor else "",
        "veranstaltung": event.title,
        "beschreibung": event.description.strip(),
        "datum": events.format_day(event.starts_at),
        "uhrzeit": hours,
        "ort": events.where(event),
        "frist": events.format_moment(deadline),
        "link": link,
        "organisation": str(current_app.config.get("BILDUNGSNETZ_ORGANISATION") or "Bildungsbüro"),
        "kontakt": contact.name,
        "kontakt_email": contact.email,
    }


def compose(session: Session, invitation: Invitation, key: str, *, calendar: str | None = None,
            texts: dict[str, mail_templates.Text] | None = None) -> OutboxMessage | None:
    """Queue the mail ``key`` for ``invitation``; ``calendar`` is REQUEST, CANCEL or None.

    Returns None (and queues nothing) if the person has no address.
    """
    address = recipient_address(invitation)
    if not address:
        return None
    text = (texts or {}).get(key) or mail_templates.get(session, key)
    link = rsvp_tokens.answer_url(invitation)
    values = mail_values(invitation, link)
    withdrawal = consent.withdrawal_url(invitation.person)
    footer_values = dict(values, abmelde_link=withdrawal,
                         grund=(f"als Ansprechperson für {values['akteur']}" if values["akteur"]
                                else f"als Kontakt des {values['organisation']}"))
    body = mail_templates.render(text.body, values).rstrip() + "\n" + mail_templates.footer(footer_values)
    subject = " ".join(mail_templates.render(text.subject, values).split())
    attachments = []
    if calendar:
        contact = events.contact(invitation.event)
        attachments.append({
            "filename": "absage.ics" if calendar == "CANCEL" else "einladung.ics",
            "content_type": "text/calendar", "method": calendar,
            "data": ical.build(invitation.event, method=calendar, organizer_email=contact.email,
                               organizer_name=contact.name,
                               attendee=ical.Attendee(address, invitation.person.full_name, invitation.answer),
                               description=f"{invitation.event.description.strip()}\n\nIhre Antwort: {link}".strip()),
        })
    headers = consent.list_unsubscribe_headers(invitation.person)
    contact_email = events.contact(invitation.event).email
    if contact_email:
        headers["Reply-To"] = contact_email
    return outbox.queue(session, recipient=address, subject=subject, body_text=body, category=key,
                        invitation_id=invitation.id, attachments=attachments, headers=headers)


def _texts(session: Session, *keys: str) -> dict[str, mail_templates.Text]:
    return {key: mail_templates.get(session, key) for key in keys}


def _contactable_ids(session: Session, person_ids: Iterable[int]) -> set[int]:
    ids = list(set(person_ids))
    if not ids:
        return set()
    return set(session.scalars(select(Person.id).where(
        Person.id.in_(ids), consent.contactable_clause(ConsentPurpose.INVITATIONS))))


def _load_invitations(session: Session, event: Event, *where) -> list[Invitation]:
    return list(session.scalars(
        select(Invitation).where(Invitation.event_id == event.id, *where)
        .options(selectinload(Invitation.person).selectinload(Person.affiliations), selectinload(Invitation.actor))
        .order_by(Invitation.id)))


# --- sending ----------------------------------------------------------------------------------

@dataclass
class SendResult:
    queued: int = 0
    skipped: list[tuple[Invitation, str]] = field(default_factory=list)


def send_invitations(session: Session, event: Event) -> SendResult:
    """Queue the invitation mail for every invitation on the list that has not been sent yet.

    Persons who objected or lost their address since the list was built are skipped (and named).
    """
    if event.status in (EventStatus.CANCELLED, EventStatus.DONE):
        raise ServiceError("Für eine abgesagte oder abgeschlossene Veranstaltung werden keine Einladungen versendet.")
    pending = _load_invitations(session, event, Invitation.invited_at.is_(None))
    result = SendResult()
    allowed = _contactable_ids(session, (i.person_id for i in pending))
    texts = _texts(session, "invitation")
    now = utcnow()
    for invitation in pending:
        rsvp_tokens.ensure_nonce(invitation)
    session.flush()
    for invitation in pending:
        if invitation.person_id not in allowed:
            result.skipped.append((invitation, "kein Kontakt erlaubt (Widerspruch oder fehlende Einwilligung)"))
            continue
        if compose(session, invitation, "invitation", calendar="REQUEST", texts=texts) is None:
            result.skipped.append((invitation, "keine E-Mail-Adresse"))
            continue
        invitation.invited_at = now
        result.queued += 1
    if result.queued and event.status == EventStatus.DRAFT:
        event.status = EventStatus.PUBLISHED
    session.flush()
    return result


def reminder_recipients(session: Session, event: Event, audience: str) -> list[Invitation]:
    if audience not in REMINDER_AUDIENCES:
        raise ServiceError("Bitte wählen Sie, wer erinnert werden soll.", "audience")
    answer = Answer.PENDING if audience == "pending" else Answer.ACCEPTED
    invitations = _load_invitations(session, event, Invitation.invited_at.is_not(None), Invitation.answer == answer)
    allowed = _contactable_ids(session, (i.person_id for i in invitations))
    return [i for i in invitations if i.person_id in allowed and recipient_address(i)]


def send_reminders(session: Session, event: Event, audience: str) -> int:
    if event.status != EventStatus.PUBLISHED:
        raise ServiceError("Erinnerungen gibt es nur für veröffentlichte Veranstaltungen.")
    key = REMINDER_AUDIENCES.get(audience, "")
    recipients = reminder_recipients(session, event, audience)
    texts = _texts(session, key)
    queued = sum(compose(session, i, key, calendar=None, texts=texts) is not None for i in recipients)
    session.flush()
    return queued


def _informed(session: Session, event: Event) -> list[Invitation]:
    """Who has the event in their calendar: sent, not declined, still contactable."""
    invitations = _load_invitations(session, event, Invitation.invited_at.is_not(None),
                                    Invitation.answer != Answer.DECLINED)
    allowed = _contactable_ids(session, (i.person_id for i in invitations))
    return [i for i in invitations if i.person_id in allowed]


def send_updates(session: Session, event: Event) -> int:
    """Changed time, place or title: a new calendar version (the caller raised the SEQUENCE)."""
    texts = _texts(session, "update")
    return sum(compose(session, i, "update", calendar="REQUEST", texts=texts) is not None
               for i in _informed(session, event))


def send_cancellations(session: Session, event: Event) -> int:
    texts = _texts(session, "cancellation")
    return sum(compose(session, i, "cancellation", calendar="CANCEL", texts=texts) is not None
               for i in _informed(session, event))


# --- answers and the waiting list -------------------------------------------------------------

@dataclass
class AnswerResult:
    invitation: Invitation
    answer: Answer
    promoted: list[Invitation] = field(default_factory=list)


def accepted_count(session: Session, event: Event) -> int:
    return session.scalar(select(func.count()).select_from(Invitation).where(
        Invitation.event_id == event.id, Invitation.answer == Answer.ACCEPTED)) or 0


def _waiting(session: Session, event: Event) -> list[Invitation]:
    return list(session.scalars(select(Invitation).where(
        Invitation.event_id == event.id, Invitation.answer == Answer.WAITLISTED)
        .order_by(Invitation.waitlist_position, Invitation.answered_at, Invitation.id)))


def _renumber(session: Session, event: Event) -> None:
    for position, invitation in enumerate(_waiting(session, event), 1):
        invitation.waitlist_position = position


def fill_free_places(session: Session, event: Event) -> list[Invitation]:
    """Move waiting guests up while places are free; each gets the "promoted" mail."""
    if event.capacity is None and not _waiting(session, event):
        return []
    session.flush()
    free = None if event.capacity is None else event.capacity - accepted_count(session, event)
    promoted: list[Invitation] = []
    for invitation in _waiting(session, event):
        if free is not None and free <= 0:
            break
        invitation.answer = Answer.ACCEPTED
        invitation.waitlist_position = None
        promoted.append(invitation)
        if free is not None:
            free -= 1
    if promoted:
        session.flush()
        _renumber(session, event)
        allowed = _contactable_ids(session, (i.person_id for i in promoted))
        for invitation in promoted:
            if invitation.person_id in allowed:
                compose(session, invitation, "promoted", calendar="REQUEST")
        session.flush()
    return promoted


def can_answer(event: Event, now: datetime | None = None) -> bool:
    return event.status == EventStatus.PUBLISHED and (now or utcnow()) <= events.answer_deadline(event)


def record_answer(session: Session, invitation: Invitation, answer: Answer, comment: str = "",
                  now: datetime | None = None) -> AnswerResult:
    """A guest's answer through the personal link; recorded at once, changeable until the deadline."""
    now = now or utcnow()
    if answer not in GUEST_ANSWERS:
        raise ServiceError("Bitte wählen Sie Zusage, Absage oder vielleicht.", "answer")
    event = events.lock_event(session, invitation.event_id)
    assert event is not None
    session.refresh(invitation)
    if event.status == EventStatus.CANCELLED:
        raise ServiceError("Die Veranstaltung wurde abgesagt.")
    if event.status != EventStatus.PUBLISHED or now > events.answer_deadline(event):
        raise DeadlinePassed(events.answer_deadline(event))
    previous = invitation.answer
    invitation.comment = (comment or "").strip()[:2000]
    invitation.answered_at = now
    result = AnswerResult(invitation, answer)
    if answer == Answer.ACCEPTED:
        if previous in (Answer.ACCEPTED, Answer.WAITLISTED):
            result.answer = previous
        elif event.capacity is not None and accepted_count(session, event) >= event.capacity:
            last = session.scalar(select(func.max(Invitation.waitlist_position)).where(
                Invitation.event_id == event.id, Invitation.answer == Answer.WAITLISTED)) or 0
            invitation.answer, invitation.waitlist_position = Answer.WAITLISTED, last + 1
            result.answer = Answer.WAITLISTED
        else:
            invitation.answer, invitation.waitlist_position = Answer.ACCEPTED, None
    else:
        invitation.answer, invitation.waitlist_position = answer, None
        session.flush()
        if previous == Answer.WAITLISTED:
            _renumber(session, event)
        if previous == Answer.ACCEPTED:
            result.promoted = fill_free_places(session, event)
    invitation.person.last_activity_at = now
    session.flush()
    return result


# --- the list ---------------------------------------------------------------------------------

def remove_invitation(session: Session, invitation: Invitation) -> None:
    if invitation.invited_at is not None:
        raise ServiceError("Diese Einladung ist schon versendet und bleibt in der Liste. "
                           "Bei einer Absage tragen Sie bitte die Antwort ein.")
    session.delete(invitation)
    session.flush()


def invitation_rows(session: Session, event: Event) -> list[Invitation]:
    rows = _load_invitations(session, event)
    return sorted(rows, key=lambda i: (i.person.last_name.lower(), i.person.first_name.lower(), i.id))
