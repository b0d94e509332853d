"""Invitations: sending, answers with the waiting list, reminders, updates and cancellations.

Every mail is queued in the outbox in the caller's transaction (``crm.services.mail.outbox``): an
invitation counts as sent exactly when its mail is committed to the outbox.

Waiting list: with a capacity, an acceptance beyond it is put on the waiting list with the next
position. When a place frees up (a decline, a change to "vielleicht", a larger capacity), the
first on the list moves up, is accepted, and is told by mail. Answers of one event are
serialised by ``events.lock_event`` so two guests never take the same last place.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import ColumnElement, CursorResult, and_, func, not_, or_, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from crm.collation import german
from crm.models import Actor, Affiliation, Answer, ConsentPurpose, Event, EventStatus, Invitation, OutboxMessage, Person
from crm.models.base import utcnow
from crm.services.errors import ServiceError
from crm.services.events import events, ical, rsvp_tokens
from crm.services.landscape.directory import Page, fold_sql, fold_text, like_pattern
from crm.services.mail import outbox
from crm.services.mail import templates as mail_templates
from crm.services.mail.delivery import check_base_url
from crm.services.privacy import audit, consent

ANSWER_LABELS = {
    Answer.PENDING: "keine Antwort",
    Answer.ACCEPTED: "Zusage",
    Answer.TENTATIVE: "vielleicht",
    Answer.DECLINED: "Absage",
    Answer.WAITLISTED: "Warteliste",
}
GUEST_ANSWERS = (Answer.ACCEPTED, Answer.TENTATIVE, Answer.DECLINED)
# What an organiser may enter for a guest (phone, e-mail); "keine Antwort" undoes a wrong entry.
ORGANISER_ANSWERS = (Answer.PENDING, Answer.ACCEPTED, Answer.TENTATIVE, Answer.DECLINED)
REMINDER_AUDIENCES = {"pending": "reminder_pending", "accepted": "reminder_accepted"}
# A reminder of the same kind queued for a guest within this time is not queued again: a second
# click (or a second organiser) on "Erinnerung senden" must not remind everyone twice.
REMINDER_REPEAT = timedelta(hours=1)
SKIP_NO_CONSENT = "kein Kontakt erlaubt (Widerspruch oder fehlende Einwilligung)"
SKIP_NO_ADDRESS = "keine E-Mail-Adresse"


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


@dataclass
class Draft:
    """One mail for one guest, as it will be queued (and as the send page previews it)."""

    recipient: str
    subject: str
    body_text: str
    body_html: str
    attachments: list[dict[str, Any]]
    headers: dict[str, str]


def sample_links() -> tuple[str, str]:
    """Answer and opt-out links for previews and test mails: they show where the guest's personal
    links go, but belong to no one (a click on them changes nothing, and a test mail to the
    organiser must not carry a guest's real opt-out link)."""
    base = str(current_app.config.get("BILDUNGSNETZ_BASE_URL", "")).rstrip("/")
    return f"{base}/antwort/beispiel-link", f"{base}/einwilligung/widerruf/beispiel-link"


def draft(session: Session, invitation: Invitation, key: str, *, calendar: str | None = None,
          texts: dict[str, mail_templates.Text] | None = None, sample: bool = False) -> Draft | None:
    """The mail ``key`` for ``invitation``; ``calendar`` is REQUEST, CANCEL or None.

    ``sample``: with example links instead of the guest's personal ones (preview, test mail);
    nothing about the invitation changes. Returns None if the person has no address.
    """
    address = recipient_address(invitation)
    if not address:
        return None
    text = (texts or {}).get(key) or mail_templates.get(session, key)
    if sample:
        link, withdrawal = sample_links()
    else:
        link, withdrawal = rsvp_tokens.answer_url(invitation), consent.withdrawal_url(invitation.person)
    values = mail_values(invitation, link)
    reason = ("weil Sie sich im Bildungsportal angemeldet haben" if key.startswith("registration")
              else f"als Ansprechperson für {values['akteur']}" if values["akteur"]
              else f"als Kontakt des {values['organisation']}")
    footer_values = dict(values, abmelde_link=withdrawal, grund=reason)
    # An empty placeholder (no description) leaves no hole of blank lines in the mail.
    body = re.sub(r"\n{3,}", "\n\n", mail_templates.render(text.body, values).rstrip())
    body += "\n" + mail_templates.footer(footer_values)
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
    headers = {} if sample else consent.list_unsubscribe_headers(invitation.person)
    contact_email = events.contact(invitation.event).email
    if contact_email:
        headers["Reply-To"] = contact_email
    return Draft(recipient=address, subject=subject, body_text=body, body_html=mail_templates.html(body, link),
                 attachments=attachments, headers=headers)


def compose(session: Session, invitation: Invitation, key: str, *, calendar: str | None = None,
            texts: dict[str, mail_templates.Text] | None = None) -> OutboxMessage | None:
    """Queue the mail ``key`` for ``invitation``; ``calendar`` is REQUEST, CANCEL or None.

    Returns None (and queues nothing) if the person has no address.
    """
    mail = draft(session, invitation, key, calendar=calendar, texts=texts)
    if mail is None:
        return None
    return outbox.queue(session, recipient=mail.recipient, subject=mail.subject, body_text=mail.body_text,
                        body_html=mail.body_html, category=key, invitation_id=invitation.id,
                        attachments=mail.attachments, headers=mail.headers)


def _texts(session: Session, *keys: str) -> dict[str, mail_templates.Text]:
    return {key: mail_templates.get(session, key) for key in keys}


def _contactable_ids(session: Session, person_ids: Iterable[int]) -> set[int]:
    ids = list(set(person_ids))
    if not ids:
        return set()
    return set(session.scalars(select(Person.id).where(
        Person.id.in_(ids), consent.contactable_clause(ConsentPurpose.INVITATIONS))))


def _load_invitations(session: Session, event: Event, *where, fresh: bool = False) -> list[Invitation]:
    """``fresh``: overwrite what the session already holds (after taking the event lock, the
    rows another transaction committed meanwhile are what counts)."""
    query = (select(Invitation).where(Invitation.event_id == event.id, *where)
             .options(selectinload(Invitation.person).selectinload(Person.affiliations),
                      selectinload(Invitation.actor))
             .order_by(Invitation.id))
    if fresh:
        query = query.execution_options(populate_existing=True)
    return list(session.scalars(query))


def _locked(session: Session, event: Event) -> Event:
    locked = events.lock_event(session, event.id)
    if locked is None:
        raise ServiceError("Diese Veranstaltung gibt es nicht mehr.")
    return locked


def _mark_invited(session: Session, invitation: Invitation, now: datetime) -> bool:
    """Set ``invited_at`` only if it is still empty; False if another transaction sent it already.

    The event lock already serialises senders; this conditional UPDATE is the second line: the
    row count, not what this session believes, decides whether the mail is queued.
    """
    changed = cast("CursorResult[Any]", session.execute(
        update(Invitation).where(Invitation.id == invitation.id, Invitation.invited_at.is_(None))
        .values(invited_at=now).execution_options(synchronize_session=False))).rowcount
    if changed != 1:
        return False
    set_committed_value(invitation, "invited_at", now)
    return True


# --- sending ----------------------------------------------------------------------------------

@dataclass
class SendResult:
    queued: int = 0
    skipped: list[tuple[Invitation, str]] = field(default_factory=list)


def send_invitations(session: Session, event: Event) -> SendResult:
    """Queue the invitation mail for every invitation on the list that has not been sent yet.

    Persons who objected or lost their address since the list was built are skipped (and named).
    Two clicks on "Einladungen versenden" (or two organisers at once) send each invitation once:
    the event row is locked first, the unsent invitations are read after the lock, and each is
    marked sent by a conditional UPDATE before its mail is queued. The second request waits for
    the first to commit and then finds nothing left to send.
    """
    event = _locked(session, event)
    if event.status in (EventStatus.CANCELLED, EventStatus.DONE):
        raise ServiceError("Für eine abgesagte oder abgeschlossene Veranstaltung werden keine Einladungen versendet.")
    check_base_url()
    pending = _load_invitations(session, event, Invitation.invited_at.is_(None), fresh=True)
    result = SendResult()
    allowed = _contactable_ids(session, (i.person_id for i in pending))
    texts = _texts(session, "invitation")
    now = utcnow()
    for invitation in pending:
        rsvp_tokens.ensure_nonce(invitation)
    session.flush()
    for invitation in pending:
        if invitation.person_id not in allowed:
            result.skipped.append((invitation, SKIP_NO_CONSENT))
            continue
        if not recipient_address(invitation):
            result.skipped.append((invitation, SKIP_NO_ADDRESS))
            continue
        if not _mark_invited(session, invitation, now):
            continue
        compose(session, invitation, "invitation", calendar="REQUEST", texts=texts)
        result.queued += 1
    if result.queued and event.status == EventStatus.DRAFT:
        event.status = EventStatus.PUBLISHED
    session.flush()
    return result


# --- before sending: how many go out, who is skipped, what a guest gets ---------------------------

@dataclass
class SendPlan:
    """The unsent invitations of an event by what sending would do with them."""

    sendable: int = 0
    no_consent: int = 0
    no_address: int = 0

    @property
    def unsent(self) -> int:
        return self.sendable + self.no_consent + self.no_address

    @property
    def skipped(self) -> int:
        return self.no_consent + self.no_address


def _has_address(today: date) -> Any:
    """SQL twin of ``address_for``: a current work address at the invitation's actor, or the person's own."""
    work_address = (select(Affiliation.id).where(
        Affiliation.person_id == Invitation.person_id, Affiliation.actor_id == Invitation.actor_id,
        or_(Affiliation.from_date.is_(None), Affiliation.from_date <= today),
        or_(Affiliation.to_date.is_(None), Affiliation.to_date >= today),
        func.trim(Affiliation.email) != "").exists())
    return or_(func.trim(Person.email) != "", work_address)


def _unsent(event: Event, *where: Any) -> Any:
    return (select(func.count()).select_from(Invitation).join(Person, Person.id == Invitation.person_id)
            .where(Invitation.event_id == event.id, Invitation.invited_at.is_(None), *where))


def send_plan(session: Session, event: Event, today: date | None = None, unsent: int | None = None) -> SendPlan:
    """How many invitations "send" would queue now, and how many it would skip.

    Three counts with the rules in their WHERE clauses (not one query with a CASE per row: that
    made PostgreSQL's planner expect enough work to compile the query first, 40 ms of JIT on
    every page view at 50,000 invitations)."""
    today = today or date.today()
    contactable = consent.contactable_clause(ConsentPurpose.INVITATIONS)
    if unsent is None:  # the event page knows it already (``stats.tally``)
        unsent = session.scalar(select(func.count()).select_from(Invitation).where(
            Invitation.event_id == event.id, Invitation.invited_at.is_(None))) or 0
    if not unsent:
        return SendPlan()
    allowed = session.scalar(_unsent(event, contactable)) or 0
    sendable = session.scalar(_unsent(event, contactable, _has_address(today))) or 0
    return SendPlan(sendable=sendable, no_consent=unsent - allowed, no_address=allowed - sendable)


def skipped_invitations(session: Session, event: Event, limit: int = 100,
                        today: date | None = None) -> list[tuple[Invitation, str]]:
    """Who sending would skip, and why (the first ``limit``, by name), for the send page."""
    today = today or date.today()
    skipped = list(session.scalars(
        select(Invitation).join(Person, Person.id == Invitation.person_id)
        .where(Invitation.event_id == event.id, Invitation.invited_at.is_(None),
               not_(and_(consent.contactable_clause(ConsentPurpose.INVITATIONS), _has_address(today))))
        .options(selectinload(Invitation.person), selectinload(Invitation.actor))
        .order_by(Person.last_name, Person.first_name, Invitation.id).limit(limit)))
    allowed = _contactable_ids(session, (i.person_id for i in skipped))
    return [(i, SKIP_NO_ADDRESS if i.person_id in allowed else SKIP_NO_CONSENT) for i in skipped]


def sample_invitation(session: Session, event: Event, position: int = 1,
                      today: date | None = None) -> Invitation | None:
    """The ``position``-th guest (by name) who would get the invitation now: whose mail the send page shows."""
    today = today or date.today()
    return session.scalars(
        select(Invitation).join(Person, Person.id == Invitation.person_id)
        .where(Invitation.event_id == event.id, Invitation.invited_at.is_(None),
               consent.contactable_clause(ConsentPurpose.INVITATIONS), _has_address(today))
        .options(selectinload(Invitation.person).selectinload(Person.affiliations), selectinload(Invitation.actor))
        .order_by(Person.last_name, Person.first_name, Invitation.id)
        .offset(max(position, 1) - 1).limit(1)).first()


def queue_test_mail(session: Session, invitation: Invitation, recipient: str) -> OutboxMessage:
    """The invitation exactly as ``invitation``'s guest gets it, sent to ``recipient`` (the organiser),
    with example links and a note on top. Goes through the outbox like every mail, so it also
    tests the delivery; it is not part of the event's mail counts."""
    mail = draft(session, invitation, "invitation", calendar="REQUEST", sample=True)
    if mail is None:
        raise ServiceError("Für diese Person gibt es keine E-Mail-Adresse.")
    note = (f"TESTMAIL – so erhält {invitation.person.full_name} die Einladung. "
            "Antwort- und Abmelde-Link sind in dieser Testmail nur Beispiele.\n\n")
    return outbox.queue(session, recipient=recipient, subject=f"[Test] {mail.subject}",
                        body_text=note + mail.body_text,
                        body_html=mail_templates.html(note + mail.body_text, sample_links()[0]),
                        category="test", attachments=mail.attachments, headers=mail.headers)


def _recently_reminded(session: Session, event: Event, key: str, now: datetime) -> set[int]:
    """Invitations of ``event`` that got the reminder ``key`` within ``REMINDER_REPEAT``."""
    return set(session.scalars(
        select(OutboxMessage.invitation_id).join(Invitation, Invitation.id == OutboxMessage.invitation_id)
        .where(Invitation.event_id == event.id, OutboxMessage.category == key,
               OutboxMessage.created_at >= now - REMINDER_REPEAT)))


def reminder_recipients(session: Session, event: Event, audience: str, *, fresh: bool = False,
                        now: datetime | None = None) -> list[Invitation]:
    """Who would get the reminder now: sent, the chosen answer, contactable, with an address,
    and not reminded of the same kind within the last hour."""
    if audience not in REMINDER_AUDIENCES:
        raise ServiceError("Bitte wählen Sie, wer erinnert werden soll.", "audience")
    answer = Answer.PENDING if audience == "pending" else Answer.ACCEPTED
    invitations = _load_invitations(session, event, Invitation.invited_at.is_not(None), Invitation.answer == answer,
                                    fresh=fresh)
    allowed = _contactable_ids(session, (i.person_id for i in invitations))
    reminded = _recently_reminded(session, event, REMINDER_AUDIENCES[audience], now or utcnow())
    return [i for i in invitations if i.person_id in allowed and i.id not in reminded and recipient_address(i)]


def send_reminders(session: Session, event: Event, audience: str) -> int:
    """Queue the reminder; serialised per event like sending, so a double click reminds once."""
    if audience not in REMINDER_AUDIENCES:
        raise ServiceError("Bitte wählen Sie, wer erinnert werden soll.", "audience")
    event = _locked(session, event)
    if event.status != EventStatus.PUBLISHED:
        raise ServiceError("Erinnerungen gibt es nur für veröffentlichte Veranstaltungen.")
    check_base_url("audience")
    key = REMINDER_AUDIENCES[audience]
    recipients = reminder_recipients(session, event, audience, fresh=True)
    texts = _texts(session, key)
    queued = sum(compose(session, i, key, calendar=None, texts=texts) is not None for i in recipients)
    session.flush()
    return queued


def _informed(session: Session, event: Event, *, include_declined: bool = False) -> list[Invitation]:
    """Who may have the event in their calendar: sent, still contactable, and (unless
    ``include_declined``) not declined."""
    where: list[ColumnElement[bool]] = [Invitation.invited_at.is_not(None)]
    if not include_declined:
        where.append(Invitation.answer != Answer.DECLINED)
    invitations = _load_invitations(session, event, *where)
    allowed = _contactable_ids(session, (i.person_id for i in invitations))
    return [i for i in invitations if i.person_id in allowed]


def send_updates(session: Session, event: Event) -> int:
    """Changed time, place or title: a new calendar version (the caller raised the SEQUENCE).

    Not to those who declined: a REQUEST would put the event back into their calendar.
    """
    check_base_url("notify")
    texts = _texts(session, "update")
    return sum(compose(session, i, "update", calendar="REQUEST", texts=texts) is not None
               for i in _informed(session, event))


def send_cancellations(session: Session, event: Event) -> int:
    """METHOD:CANCEL to everyone who got the invitation, those who declined included.

    Outlook puts an invitation into the calendar as "tentative" the moment it arrives, whatever
    the guest later answers through the link; without the CANCEL a decliner would keep a
    stale entry for an event that no longer takes place.
    """
    check_base_url()
    texts = _texts(session, "cancellation")
    return sum(compose(session, i, "cancellation", calendar="CANCEL", texts=texts) is not None
               for i in _informed(session, event, include_declined=True))


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
    """Move waiting guests up while places are free; each gets the "promoted" mail.

    Only while the event is published: after it took place (or in a draft) nobody moves up.
    """
    if event.status != EventStatus.PUBLISHED:
        return []
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
    invitation.comment = (comment or "").strip()[:2000]
    result = _apply_answer(session, event, invitation, answer, now)
    invitation.person.last_activity_at = now
    session.flush()
    return result


def _apply_answer(session: Session, event: Event, invitation: Invitation, answer: Answer,
                  now: datetime) -> AnswerResult:
    """The waiting-list rules, shared by the guest's link and the organiser's entry.

    The caller holds the event lock. An acceptance beyond capacity goes to the end of the
    waiting list; accepting again keeps the place (or the list position); leaving a place
    (any other answer) moves the first waiting guest up.
    """
    previous = invitation.answer
    invitation.answered_at = None if answer == Answer.PENDING else now
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
    return result


def record_answer_for_guest(session: Session, invitation: Invitation, answer: Answer, *, recorded_by: str,
                            now: datetime | None = None) -> AnswerResult:
    """An answer the guest gave by phone or e-mail, entered by an organiser.

    Unlike the guest's own link this also works after the answer deadline and for a finished
    event (a late call still counts, and the statistics should be right); not for a cancelled
    one. The same waiting-list rules apply, including the "promoted" mail. The entry is
    audited with who made it (``recorded_by``), since the guest did not answer themselves.
    """
    now = now or utcnow()
    if answer not in ORGANISER_ANSWERS:
        raise ServiceError("Bitte wählen Sie Zusage, Absage, vielleicht oder keine Antwort.", "answer")
    event = events.lock_event(session, invitation.event_id)
    assert event is not None
    session.refresh(invitation)
    if event.status == EventStatus.CANCELLED:
        raise ServiceError("Die Veranstaltung wurde abgesagt; Antworten werden nicht mehr eingetragen.")
    previous = invitation.answer
    result = _apply_answer(session, event, invitation, answer, now)
    session.flush()
    name = invitation.person.full_name
    summary = f"Antwort für {name} eingetragen: {ANSWER_LABELS[result.answer]} (eingetragen von {recorded_by})"
    audit.record(session, "update", invitation, summary, {
        "answer": [previous.value, result.answer.value], "recorded_by": recorded_by,
        "promoted": [i.person.full_name for i in result.promoted]})
    session.flush()
    return result


# --- the list ---------------------------------------------------------------------------------

def remove_invitation(session: Session, invitation: Invitation) -> None:
    if invitation.invited_at is not None:
        raise ServiceError("Diese Einladung ist schon versendet und bleibt in der Liste. "
                           "Bei einer Absage tragen Sie bitte die Antwort ein.")
    session.delete(invitation)
    session.flush()


INVITATIONS_PER_PAGE = 50
ANSWER_FILTERS = ("pending", "accepted", "tentative", "declined", "waitlisted", "unsent")


def invitation_page(session: Session, event: Event, q: str = "", answer: str = "", page: int = 1,
                    per_page: int = INVITATIONS_PER_PAGE, counts: dict[tuple[Answer, bool], int] | None = None) -> Page:
    """One page of the event's invitation table, by name; ``q`` finds each word in name, e-mail or
    actor (case and umlauts folded), ``answer`` is an answer or "unsent".

    Built for 50,000 invitations (``bench/event_page_bench.py``): the page's ids come from a narrow
    query ordered by the persons' names (PostgreSQL walks the name index and stops after the page),
    the total from a count on the invitations alone, and only the page's 50 rows are loaded, with
    their persons and actors. A search folds every row once and takes the total from the same
    query (``count(*) OVER ()``); without a search, ``counts`` (``stats.tally``) gives the total
    without a query. Five statements at most, however long the list.
    """
    where: list[Any] = [Invitation.event_id == event.id]
    if answer == "unsent":
        where.append(Invitation.invited_at.is_(None))
    elif answer in {a.value for a in Answer}:
        where.append(Invitation.answer == Answer(answer))
    words = q.split()[:8]
    if words:
        haystack = fold_sql(Person.first_name + " " + Person.last_name + " " + Person.email + " "
                            + func.coalesce(Actor.name, ""))
        where += [haystack.like(like_pattern(fold_text(word)), escape="\\") for word in words]
    order = (german(Person.last_name), german(Person.first_name), Invitation.id)

    def ids_on(number: int, with_total: bool) -> list[Any]:
        columns = (Invitation.id, func.count().over()) if with_total else (Invitation.id,)
        query = select(*columns).join(Person, Person.id == Invitation.person_id)
        if words:
            query = query.outerjoin(Actor, Actor.id == Invitation.actor_id)
        return list(session.execute(query.where(*where).order_by(*order)
                                    .limit(per_page).offset((number - 1) * per_page)).all())

    page = max(1, page)
    rows: list[Any] = []
    total: int | None = None
    if words:
        rows = ids_on(page, with_total=True)
        total = rows[0][1] if rows else None
    elif counts is not None:
        total = sum(number for (value, is_sent), number in counts.items()
                    if not answer or (answer == "unsent" and not is_sent) or value.value == answer)
    if total is None:
        counting = select(func.count()).select_from(Invitation)
        if words:
            counting = counting.join(Person, Person.id == Invitation.person_id).outerjoin(
                Actor, Actor.id == Invitation.actor_id)
        total = session.scalar(counting.where(*where)) or 0
    if not rows:
        page = min(page, max(1, (total + per_page - 1) // per_page))
        rows = ids_on(page, with_total=False)
    ids = [row[0] for row in rows]
    loaded = {i.id: i for i in session.scalars(
        select(Invitation).where(Invitation.id.in_(ids))
        .options(selectinload(Invitation.person), selectinload(Invitation.actor)))} if ids else {}
    return Page(items=[loaded[i] for i in ids if i in loaded], total=total, page=page, per_page=per_page)
