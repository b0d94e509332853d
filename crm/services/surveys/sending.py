"""Sending a survey round's personal links: the request records the intent, the background worker
writes the mails into the outbox in batches, and the outbox delivers them at its own rate.

Why not in the request: a round to 5,000 actors took about 18 s to queue (a signed link, the German
text and the opt-out headers per recipient), longer than a coordinator should wait and close to the
30 s after which gunicorn kills the request (DESIGN.md rule 8).

* ``request_send`` (the request): checks the round, opens it and sets ``send_requested_at``; the page
  answers at once with a progress page (``/befragungen/<id>/versand``, 202).
* ``Sender.step`` (task ``outbox`` of ``flask crm worker``): one batch of at most ``BATCH`` recipients
  not yet invited, in id order. Each recipient is claimed with a conditional ``UPDATE … WHERE
  invited_at IS NULL`` in the batch's transaction, so two workers never write the same link twice and
  a worker that dies mid-batch leaves nothing half done (the batch rolls back, the next worker redoes
  it). Recipients who may no longer be written to (consent withdrawn, no address) are skipped and stay
  uninvited, as before. When no recipient is left, the intent is cleared; ``send_queued`` says how many
  links this sending queued.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from crm.models import Person, SurveyRecipient, SurveyRound, SurveyStatus
from crm.models.base import utcnow
from crm.services.errors import N_, ServiceError
from crm.services.mail import templates as mail_templates
from crm.services.mail.delivery import check_base_url
from crm.services.surveys import rounds

log = logging.getLogger(__name__)
BATCH = 250   # links per transaction: about 1 s of work, short enough to keep the outbox moving beside it


def request_send(session: Session, survey: SurveyRound) -> int:
    """Record that the round's links shall be sent, and open the round. Returns how many recipients
    are not invited yet (the worker queues those it may write to). A second click while the worker is
    still at it changes nothing; a click after it finished sends nothing twice."""
    if survey.status == SurveyStatus.CLOSED:
        raise ServiceError(N_("Die Befragung ist abgeschlossen."))
    has_recipients = session.scalar(select(SurveyRecipient.id).where(SurveyRecipient.round_id == survey.id).limit(1))
    if has_recipients is None:   # a query, not ``survey.recipients``: 5,000 rows are not loaded for this
        raise ServiceError(N_("Bitte wählen Sie zuerst Empfänger."))
    check_base_url()
    now = utcnow()
    if survey.send_requested_at is None:
        survey.send_requested_at = now
        survey.send_queued = 0
    survey.status = SurveyStatus.OPEN
    survey.sent_at = survey.sent_at or now
    session.flush()
    return pending_count(session, survey.id)


def pending_count(session: Session, round_id: int) -> int:
    """Recipients of the round without their link yet."""
    return int(session.scalar(select(func.count()).select_from(SurveyRecipient).where(
        SurveyRecipient.round_id == round_id, SurveyRecipient.invited_at.is_(None))) or 0)


@dataclass
class Progress:
    """What the progress page shows."""

    sending: bool
    queued: int
    pending: int
    total: int

    def to_dict(self) -> dict[str, Any]:
        return {"status": "running" if self.sending else "done", "queued": self.queued, "pending": self.pending,
                "total": self.total}


def progress(session: Session, survey: SurveyRound) -> Progress:
    total = int(session.scalar(select(func.count()).select_from(SurveyRecipient)
                               .where(SurveyRecipient.round_id == survey.id)) or 0)
    return Progress(sending=survey.send_requested_at is not None, queued=survey.send_queued,
                    pending=pending_count(session, survey.id), total=total)


def _claim(session: Session, recipient_ids: list[int], now: datetime) -> set[int]:
    """Mark these recipients invited, in one statement; returns those this transaction got (another
    worker may have been faster with some: on PostgreSQL it waits for that one's commit and then
    finds them invited)."""
    if not recipient_ids:
        return set()
    return set(session.scalars(
        update(SurveyRecipient).where(SurveyRecipient.id.in_(recipient_ids), SurveyRecipient.invited_at.is_(None))
        .values(invited_at=now).returning(SurveyRecipient.id).execution_options(synchronize_session=False)))


def queue_batch(session: Session, survey_id: int, after_id: int, batch: int = BATCH) -> tuple[int, int | None]:
    """Queue the links of up to ``batch`` uninvited recipients with an id above ``after_id``. Returns
    (links queued, last recipient id looked at; ``None`` when none was left). The caller commits."""
    people = list(session.scalars(
        select(SurveyRecipient).where(SurveyRecipient.round_id == survey_id, SurveyRecipient.invited_at.is_(None),
                                      SurveyRecipient.id > after_id)
        .options(selectinload(SurveyRecipient.actor), selectinload(SurveyRecipient.round),
                 selectinload(SurveyRecipient.person).selectinload(Person.affiliations))
        .order_by(SurveyRecipient.id).limit(batch)))
    if not people:
        return 0, None
    allowed = rounds.contactable_ids(session, (r.person_id for r in people if r.person_id))
    text = mail_templates.default(rounds.CATEGORY_INVITATION)
    now = utcnow()
    reachable = [r for r in people if r.person_id in allowed and rounds.address_of(r)]
    mine = _claim(session, [r.id for r in reachable], now)
    queued = 0
    for recipient in reachable:
        if recipient.id in mine:
            rounds.compose(session, recipient, rounds.CATEGORY_INVITATION, text)
            queued += 1
    if queued:
        session.execute(update(SurveyRound).where(SurveyRound.id == survey_id)
                        .values(send_queued=SurveyRound.send_queued + queued)
                        .execution_options(synchronize_session=False))
    session.flush()
    return queued, people[-1].id


@dataclass
class Sender:
    """The worker's side: one batch per step, round after round (oldest request first)."""

    session: Session
    batch: int = BATCH
    cursors: dict[tuple[int, datetime], int] = field(default_factory=dict)
    queued: int = 0

    def step(self) -> bool:
        """One batch; True if there was something to do (the worker loop comes back at once)."""
        row = self.session.execute(
            select(SurveyRound.id, SurveyRound.send_requested_at).where(SurveyRound.send_requested_at.is_not(None))
            .order_by(SurveyRound.send_requested_at, SurveyRound.id).limit(1)).first()
        if row is None:
            return False
        round_id, requested_at = row
        key = (int(round_id), cast(datetime, requested_at))
        try:
            queued, last = queue_batch(self.session, round_id, self.cursors.get(key, 0), self.batch)
            if last is None:
                # every link is in the outbox: the intent is done (unless the coordinator asked again meanwhile)
                self.session.execute(update(SurveyRound).where(SurveyRound.id == round_id,
                                                               SurveyRound.send_requested_at == requested_at)
                                     .values(send_requested_at=None).execution_options(synchronize_session=False))
                self.cursors.pop(key, None)
            else:
                self.cursors[key] = last
            self.session.commit()
        except Exception:
            self.session.rollback()
            raise
        self.queued += queued
        if queued:
            log.info("Survey round %s: %s personal links queued", round_id, queued)
        return True

    def run_until_idle(self, limit: int = 100_000) -> int:
        """Every pending round to the end (tests, ``flask crm worker --once``); returns how many steps
        did something (``queued`` counts the links)."""
        steps = 0
        while steps < limit and self.step():
            steps += 1
        return steps
