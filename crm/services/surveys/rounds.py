"""Survey rounds: composing, choosing recipients, sending the personal links, reminding, closing, response rates.

Rules:

* A round has a title and at least one question type; asking how often, or on which topics,
  needs the partner question (those are asked per partner).
* A recipient is an actor with a contact person: the first current affiliation (primary first)
  whose person may be written to for invitations (``crm.services.privacy.consent.may_contact``:
  objections and withdrawn consent are honoured) and has an address. An actor without one is
  not added; the page says how many were left out and why.
* Sending queues one mail per recipient not yet invited through the outbox
  (``crm.services.mail.outbox.queue``); a second click sends nothing twice. The page only records
  the intent and the background worker writes the mails in batches (``crm.services.surveys.sending``);
  ``send_round`` does it all in one transaction (the CLI, the bench's comparison). Reminders go to
  recipients who have not sent their answer, who are still contactable and were not reminded within
  the last hour.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from crm.collation import german
from crm.models import (
    Actor,
    Affiliation,
    ConsentPurpose,
    Person,
    SurveyQuestion,
    SurveyRecipient,
    SurveyRound,
    SurveyStatus,
)
from crm.models.base import utcnow
from crm.services.computed import versions
from crm.services.errors import N_, ServiceError
from crm.services.mail import outbox
from crm.services.mail import templates as mail_templates
from crm.services.mail.delivery import check_base_url
from crm.services.privacy import consent
from crm.services.surveys import tokens

QUESTION_LABELS = {
    SurveyQuestion.PARTNERS: N_("Partner aus dem Verzeichnis (mit „nicht in der Liste“)"),
    SurveyQuestion.FREQUENCY: N_("Wie oft arbeiten Sie zusammen?"),
    SurveyQuestion.TOPICS: N_("Themenfelder und Bildungsphasen der Zusammenarbeit"),
    SurveyQuestion.GROUPS: N_("Arbeitskreise und Initiativen, in denen der Akteur mitarbeitet"),
    SurveyQuestion.FREE_TEXT: N_("Freitext"),
}
STATUS_LABELS = {SurveyStatus.DRAFT: N_("Entwurf"), SurveyStatus.OPEN: N_("läuft"),
                 SurveyStatus.CLOSED: N_("abgeschlossen")}
REMINDER_REPEAT = timedelta(hours=1)
CATEGORY_INVITATION = "survey_invitation"
CATEGORY_REMINDER = "survey_reminder"
MAX_TITLE = 255


# --- composing ------------------------------------------------------------------------------------

def _check(values: Mapping[str, Any]) -> tuple[str, str, list[str]]:
    title = " ".join(str(values.get("title") or "").split())
    if not title:
        raise ServiceError(N_("Bitte geben Sie der Befragung einen Titel."), "title")
    if len(title) > MAX_TITLE:
        raise ServiceError(N_("Der Titel darf höchstens 255 Zeichen lang sein."), "title")
    chosen = [str(q) for q in values.get("questions") or []]
    known = {q.value for q in SurveyQuestion}
    if any(q not in known for q in chosen):
        raise ServiceError(N_("Unbekannte Frageart."), "questions")
    if not chosen:
        raise ServiceError(N_("Bitte wählen Sie mindestens eine Frage."), "questions")
    per_partner = {SurveyQuestion.FREQUENCY.value, SurveyQuestion.TOPICS.value}
    if per_partner & set(chosen) and SurveyQuestion.PARTNERS.value not in chosen:
        raise ServiceError(N_("Häufigkeit, Themenfelder und Bildungsphasen werden je Partner gefragt: "
                              "bitte auch die Frage nach den Partnern wählen."), "questions")
    ordered: list[str] = [str(q.value) for q in SurveyQuestion if q.value in chosen]
    intro = str(values.get("intro") or "").strip()
    if len(intro) > 5000:
        raise ServiceError(N_("Die Einleitung darf höchstens 5000 Zeichen lang sein."), "intro")
    return title, intro, ordered


def create_round(session: Session, values: Mapping[str, Any]) -> SurveyRound:
    """A new round (draft). ``values``: title, intro, questions (values of ``SurveyQuestion``)."""
    title, intro, questions = _check(values)
    survey = SurveyRound(title=title, intro=intro, questions=questions, status=SurveyStatus.DRAFT)
    session.add(survey)
    session.flush()
    return survey


def update_round(session: Session, survey: SurveyRound, values: Mapping[str, Any]) -> SurveyRound:
    """Change title, introduction and questions; the questions only before the links went out."""
    title, intro, questions = _check(values)
    if survey.status != SurveyStatus.DRAFT and questions != list(survey.questions):
        raise ServiceError(N_("Die Fragen sind mit den Links verschickt und lassen sich nicht mehr ändern."),
                           "questions")
    survey.title, survey.intro, survey.questions = title, intro, questions
    session.flush()
    return survey


def rounds(session: Session) -> list[SurveyRound]:
    return list(session.scalars(select(SurveyRound).order_by(SurveyRound.created_at.desc(), SurveyRound.id.desc())))


# --- recipients -----------------------------------------------------------------------------------

def contactable_ids(session: Session, person_ids: Iterable[int]) -> set[int]:
    """Persons of ``person_ids`` who may be written to for invitations (one query per 5,000 ids)."""
    ids = sorted(set(person_ids))
    allowed: set[int] = set()
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        allowed.update(session.scalars(select(Person.id).where(
            Person.id.in_(chunk), consent.contactable_clause(ConsentPurpose.INVITATIONS))))
    return allowed


def contact_for(session: Session, actor: Actor, today: date | None = None,
                allowed: set[int] | None = None) -> tuple[Person, str] | None:
    """The contact person who gets the link, with the address to write to; None if nobody may be written to.
    ``allowed``: the contactable person ids, if the caller knows them already (``contactable_ids``)."""
    today = today or date.today()
    affiliations = sorted((a for a in actor.affiliations if a.is_current(today)),
                          key=lambda a: (not a.is_primary, a.id))
    for affiliation in affiliations:
        person = affiliation.person
        address = (affiliation.email or "").strip() or (person.email or "").strip()
        if not address:
            continue
        if allowed is not None:
            if person.id in allowed:
                return person, address
        elif consent.may_contact(session, person, ConsentPurpose.INVITATIONS):
            return person, address
    return None


def address_of(recipient: SurveyRecipient) -> str:
    person = recipient.person
    if person is None:
        return ""
    for affiliation in person.affiliations:
        if affiliation.actor_id == recipient.actor_id and affiliation.is_current(date.today()) and affiliation.email:
            return affiliation.email.strip()
    return (person.email or "").strip()


def candidates(session: Session, kind_id: int | None = None, area_id: int | None = None,
               q: str = "", limit: int = 500) -> list[Actor]:
    """Active actors to choose recipients from, by kind, area (with its sub-areas) and name."""
    query = select(Actor).where(Actor.is_active.is_(True))
    if kind_id:
        query = query.where(Actor.kind_id == kind_id)
    if area_id:
        from crm.models import Area

        ids = {area_id}
        frontier = [area_id]
        while frontier:
            frontier = list(session.scalars(select(Area.id).where(Area.parent_id.in_(frontier))))
            ids.update(frontier)
        query = query.where(Actor.area_id.in_(ids))
    actors = list(session.scalars(query.order_by(german(Actor.name), Actor.id).limit(5000)))
    if q.strip():
        from crm.services.folding import fold

        needle = fold(q.strip())
        actors = [a for a in actors if needle in fold(a.name)]
    return actors[:limit]


@dataclass
class AddResult:
    added: int = 0
    already: int = 0
    without_contact: list[str] = field(default_factory=list)


def add_recipients(session: Session, survey: SurveyRound, actor_ids: Iterable[int]) -> AddResult:
    """Add these actors with their contact person; actors already in the round are kept as they are."""
    if survey.status == SurveyStatus.CLOSED:
        raise ServiceError(N_("Die Befragung ist abgeschlossen."))
    ids = sorted({int(i) for i in actor_ids})
    if not ids:
        raise ServiceError(N_("Bitte wählen Sie mindestens einen Akteur."), "actor_ids")
    present = set(session.scalars(select(SurveyRecipient.actor_id).where(SurveyRecipient.round_id == survey.id)))
    actors = list(session.scalars(select(Actor).where(Actor.id.in_(ids)).options(
        selectinload(Actor.affiliations).selectinload(Affiliation.person)).order_by(german(Actor.name))))
    if len(actors) != len(ids):
        raise ServiceError(N_("Ein gewählter Akteur existiert nicht mehr."), "actor_ids")
    result = AddResult()
    allowed = contactable_ids(session, (a.person_id for actor in actors for a in actor.affiliations))
    for actor in actors:
        if actor.id in present:
            result.already += 1
            continue
        contact = contact_for(session, actor, allowed=allowed)
        if contact is None:
            result.without_contact.append(actor.name)
            continue
        session.add(SurveyRecipient(round_id=survey.id, actor_id=actor.id, person_id=contact[0].id, answers={}))
        result.added += 1
    session.flush()
    return result


def remove_recipient(session: Session, survey: SurveyRound, recipient: SurveyRecipient) -> None:
    if recipient.round_id != survey.id:
        raise ServiceError(N_("Dieser Empfänger gehört zu einer anderen Befragung."))
    if recipient.answered_at is not None or recipient.ties:
        raise ServiceError(N_("Dieser Akteur hat schon geantwortet; seine Antwort bleibt in der Befragung."))
    session.delete(recipient)
    session.flush()


def recipients(session: Session, survey: SurveyRound) -> list[SurveyRecipient]:
    return list(session.scalars(
        select(SurveyRecipient).join(Actor, Actor.id == SurveyRecipient.actor_id)
        .where(SurveyRecipient.round_id == survey.id)
        .options(selectinload(SurveyRecipient.actor).selectinload(Actor.kind),
                 selectinload(SurveyRecipient.actor).selectinload(Actor.area),
                 selectinload(SurveyRecipient.person).selectinload(Person.affiliations))
        .order_by(german(Actor.name), SurveyRecipient.id)))


# --- mail -----------------------------------------------------------------------------------------

def _values(recipient: SurveyRecipient, link: str) -> dict[str, str]:
    person, survey = recipient.person, recipient.round
    from crm.services.events.invitations import salutation

    organisation = str(current_app.config.get("BILDUNGSNETZ_ORGANISATION") or "Bildungsbüro")
    return {
        "anrede": salutation(person) if person is not None else "Guten Tag",
        "akteur": recipient.actor.name,
        "befragung": survey.title,
        "einleitung": survey.intro.strip(),
        "link": link,
        "organisation": organisation,
        "kontakt": organisation,
        "kontakt_email": str(current_app.config.get("MAIL_DEFAULT_SENDER") or ""),
    }


def compose(session: Session, recipient: SurveyRecipient, key: str,
            text: mail_templates.Text | None = None) -> Any:
    """Queue the mail ``key`` (survey_invitation or survey_reminder) to the recipient's contact."""
    address = address_of(recipient)
    person = recipient.person
    if not address or person is None:
        return None
    text = text or mail_templates.default(key)
    link = tokens.answer_url(recipient)
    values = _values(recipient, link)
    body = re.sub(r"\n{3,}", "\n\n", mail_templates.render(text.body, values).rstrip())
    body += "\n" + mail_templates.footer(dict(values, abmelde_link=consent.withdrawal_url(person),
                                              grund=f"als Ansprechperson für {recipient.actor.name}"))
    subject = " ".join(mail_templates.render(text.subject, values).split())
    return outbox.queue(session, recipient=address, subject=subject, body_text=body,
                        body_html=mail_templates.html(body), category=key,
                        headers=consent.list_unsubscribe_headers(person))


def send_round(session: Session, survey: SurveyRound) -> int:
    """Queue the personal link for every recipient not yet invited; opens the round. Returns how many."""
    if survey.status == SurveyStatus.CLOSED:
        raise ServiceError(N_("Die Befragung ist abgeschlossen."))
    if not survey.recipients:
        raise ServiceError(N_("Bitte wählen Sie zuerst Empfänger."))
    check_base_url()
    now = utcnow()
    queued = 0
    people = [r for r in recipients(session, survey) if r.invited_at is None]
    allowed = contactable_ids(session, (r.person_id for r in people if r.person_id))
    text = mail_templates.default(CATEGORY_INVITATION)
    for recipient in people:
        if recipient.person_id not in allowed:
            continue
        if compose(session, recipient, CATEGORY_INVITATION, text) is not None:
            recipient.invited_at = now
            queued += 1
    survey.status = SurveyStatus.OPEN
    survey.sent_at = survey.sent_at or now
    session.flush()
    return queued


def reminder_recipients(session: Session, survey: SurveyRound) -> list[SurveyRecipient]:
    """Invited, not answered, not reminded within the hour, still contactable, with an address."""
    now = utcnow()
    due = [r for r in recipients(session, survey)
           if r.invited_at is not None and r.answered_at is None
           and (r.reminded_at is None or r.reminded_at < now - REMINDER_REPEAT)]
    allowed = contactable_ids(session, (r.person_id for r in due if r.person_id))
    return [r for r in due if r.person_id in allowed and address_of(r)]


def send_reminders(session: Session, survey: SurveyRound) -> int:
    """Remind everyone who has not sent an answer (a second click within an hour reminds nobody twice)."""
    if survey.status != SurveyStatus.OPEN:
        raise ServiceError(N_("Erinnerungen gibt es nur für laufende Befragungen."))
    check_base_url()
    now = utcnow()
    queued = 0
    text = mail_templates.default(CATEGORY_REMINDER)
    for recipient in reminder_recipients(session, survey):
        if compose(session, recipient, CATEGORY_REMINDER, text) is not None:
            recipient.reminded_at = now
            queued += 1
    session.flush()
    return queued


def close_round(session: Session, survey: SurveyRound) -> None:
    if survey.status != SurveyStatus.OPEN:
        raise ServiceError(N_("Nur eine laufende Befragung kann abgeschlossen werden."))
    survey.status = SurveyStatus.CLOSED
    survey.closed_at = utcnow()
    versions.mark_changed(session)  # the maps' default survey round ("latest closed") may be this one now
    session.flush()


# --- response rates -------------------------------------------------------------------------------

@dataclass
class Rate:
    label: str
    invited: int = 0
    answered: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.invited) if self.invited else 0


@dataclass
class Rates:
    total: Rate
    by_area: list[Rate]
    by_kind: list[Rate]
    saved_only: int  # started (saved) but not yet sent off


def response_rates(session: Session, survey: SurveyRound) -> Rates:
    """Answered of invited, overall, by area and by actor kind (one query)."""
    from crm.models import ActorKind, Area

    rows = session.execute(
        select(Area.name, ActorKind.name, SurveyRecipient.answered_at.is_not(None),
               SurveyRecipient.saved_at.is_not(None), func.count())
        .select_from(SurveyRecipient).join(Actor, Actor.id == SurveyRecipient.actor_id)
        .join(ActorKind, ActorKind.id == Actor.kind_id).outerjoin(Area, Area.id == Actor.area_id)
        .where(SurveyRecipient.round_id == survey.id, SurveyRecipient.invited_at.is_not(None))
        .group_by(Area.name, ActorKind.name, SurveyRecipient.answered_at.is_not(None),
                  SurveyRecipient.saved_at.is_not(None))).all()
    total = Rate("")
    areas: dict[str, Rate] = defaultdict(lambda: Rate(""))
    kinds: dict[str, Rate] = defaultdict(lambda: Rate(""))
    saved_only = 0
    for area, kind, answered, saved, count in rows:
        area = area or "ohne Gebiet"
        for rate, label in ((total, ""), (areas[area], area), (kinds[kind], kind)):
            rate.label = label
            rate.invited += count
            rate.answered += count if answered else 0
        if saved and not answered:
            saved_only += count
    from crm.collation import sort_key

    return Rates(total=total, by_area=sorted(areas.values(), key=lambda r: sort_key(r.label)),
                 by_kind=sorted(kinds.values(), key=lambda r: sort_key(r.label)), saved_only=saved_only)
