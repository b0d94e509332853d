"""Reported ties and the review queue that compares them with the CRM's cooperations.

Only sent-off answers count. Ties are compared per pair of actors:

* a tie named by both sides is **bestätigt** (confirmed), by one side **gemeldet** (reported);
* the reported intensity of a pair is the highest either side gave (a side that says "eng" knows);
* **neu**: reported, and the pair has no current cooperation in the CRM;
* **Intensität weicht ab**: reported with an intensity other than the current cooperation's;
* **evtl. beendet**: a current cooperation of an actor who answered, which neither side named.

The coordinator accepts or rejects each item once (``SurveyDecision``). Accepting goes through the
cooperation service (``crm.services.landscape.cooperations``), so every rule of a hand-entered
tie holds: a new tie is created with the reported intensity, topics and life stages and names its
round in the description, a different intensity updates the cooperation, an ended tie gets today
as its end date. The decision keeps the cooperation it made or changed (the tie's source).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from crm.models import (
    Actor,
    Cooperation,
    CooperationType,
    Decision,
    LifeStage,
    ReportedTie,
    ReviewKind,
    SurveyDecision,
    SurveyQuestion,
    SurveyRecipient,
    SurveyRound,
    Topic,
)
from crm.models.base import utcnow
from crm.services.errors import N_, ServiceError, translated
from crm.services.landscape import cooperations as cooperation_service

KIND_LABELS = {ReviewKind.NEW: N_("neu"), ReviewKind.INTENSITY: N_("Intensität weicht ab"),
               ReviewKind.ENDED: N_("evtl. beendet")}
DECISION_LABELS = {Decision.ACCEPTED: N_("übernommen"), Decision.REJECTED: N_("abgelehnt")}
CONFIRMED, REPORTED = N_("bestätigt"), N_("gemeldet")
DEFAULT_TYPE = "Informeller Austausch"


@dataclass
class PairReport:
    low_id: int
    high_id: int
    reporters: set[int] = field(default_factory=set)
    intensities: list[int] = field(default_factory=list)
    topics: dict[int, Topic] = field(default_factory=dict)
    life_stages: dict[int, LifeStage] = field(default_factory=dict)

    @property
    def confirmed(self) -> bool:
        return {self.low_id, self.high_id} <= self.reporters

    @property
    def status(self) -> str:
        return translated(CONFIRMED if self.confirmed else REPORTED)

    @property
    def intensity(self) -> int | None:
        return max(self.intensities) if self.intensities else None


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def answered_ties(session: Session, survey: SurveyRound) -> list[ReportedTie]:
    """Every tie of the round's sent-off answers (drafts do not count)."""
    return list(session.scalars(
        select(ReportedTie).join(SurveyRecipient, SurveyRecipient.id == ReportedTie.recipient_id)
        .where(ReportedTie.round_id == survey.id, SurveyRecipient.answered_at.is_not(None))
        .options(selectinload(ReportedTie.topics), selectinload(ReportedTie.life_stages),
                 selectinload(ReportedTie.partner), selectinload(ReportedTie.reporter))
        .order_by(ReportedTie.id)))


def pair_reports(session: Session, survey: SurveyRound) -> dict[tuple[int, int], PairReport]:
    """The round's ties between actors of the roster, per pair."""
    result: dict[tuple[int, int], PairReport] = {}
    for tie in answered_ties(session, survey):
        if tie.partner_id is None or tie.partner_id == tie.reporter_id:
            continue
        key = _pair(tie.reporter_id, tie.partner_id)
        report = result.setdefault(key, PairReport(*key))
        report.reporters.add(tie.reporter_id)
        if tie.intensity:
            report.intensities.append(tie.intensity)
        report.topics.update({t.id: t for t in tie.topics})
        report.life_stages.update({s.id: s for s in tie.life_stages})
    return result


def free_text_ties(session: Session, survey: SurveyRound) -> list[ReportedTie]:
    """Partners named that are not in the roster (the coordinator may add them as actors)."""
    return [t for t in answered_ties(session, survey) if t.partner_id is None]


@dataclass
class ReviewItem:
    kind: ReviewKind
    low: Actor
    high: Actor
    report: PairReport | None
    cooperation: Cooperation | None
    decision: SurveyDecision | None = None

    @property
    def key(self) -> str:
        return f"{self.low.id}-{self.high.id}"

    @property
    def kind_label(self) -> str:
        return translated(KIND_LABELS[self.kind])


@dataclass
class Review:
    pending: list[ReviewItem]
    decided: list[ReviewItem]
    free_text: list[ReportedTie]
    confirmed: int
    reported: int


def _current_cooperations(session: Session, actor_ids: set[int], today: date) -> list[Cooperation]:
    if not actor_ids:
        return []
    ids = sorted(actor_ids)
    return list(session.scalars(
        select(Cooperation).where(or_(Cooperation.source_id.in_(ids), Cooperation.target_id.in_(ids)),
                                  cooperation_service.overlapping(today, today))
        .options(selectinload(Cooperation.type)).order_by(Cooperation.id)))


def review(session: Session, survey: SurveyRound, today: date | None = None) -> Review:
    """The review queue of a round: items still to decide, decided ones, free-text partners."""
    today = today or date.today()
    reports = pair_reports(session, survey) if survey.asks(SurveyQuestion.PARTNERS) else {}
    answered = set(session.scalars(select(SurveyRecipient.actor_id).where(
        SurveyRecipient.round_id == survey.id, SurveyRecipient.answered_at.is_not(None))))
    current: dict[tuple[int, int], Cooperation] = {}
    if survey.asks(SurveyQuestion.PARTNERS):
        for cooperation in _current_cooperations(session, answered, today):
            current.setdefault(_pair(cooperation.source_id, cooperation.target_id), cooperation)
    candidates: list[tuple[ReviewKind, tuple[int, int], PairReport | None, Cooperation | None]] = []
    for key, pair_report in reports.items():
        known = current.get(key)
        if known is None:
            candidates.append((ReviewKind.NEW, key, pair_report, None))
        elif pair_report.intensity is not None and pair_report.intensity != known.intensity:
            candidates.append((ReviewKind.INTENSITY, key, pair_report, known))
    for key, crm_tie in current.items():
        if key not in reports:
            candidates.append((ReviewKind.ENDED, key, None, crm_tie))
    decisions = {(d.low_id, d.high_id): d for d in session.scalars(
        select(SurveyDecision).where(SurveyDecision.round_id == survey.id)
        .options(selectinload(SurveyDecision.cooperation)))}
    actor_ids = {i for _, key, _, _ in candidates for i in key} | {i for key in decisions for i in key}
    actors = {a.id: a for a in session.scalars(select(Actor).where(Actor.id.in_(sorted(actor_ids))))} \
        if actor_ids else {}
    pending: list[ReviewItem] = []
    decided: list[ReviewItem] = []
    for kind, key, found, tie in candidates:
        decision = decisions.pop(key, None)
        item = ReviewItem(kind, actors[key[0]], actors[key[1]], found, tie, decision)
        (decided if decision else pending).append(item)
    for key, decision in decisions.items():  # decided, and since then no longer a difference (e.g. accepted)
        decided.append(ReviewItem(decision.kind, actors[key[0]], actors[key[1]], reports.get(key),
                                  decision.cooperation, decision))
    order = {ReviewKind.NEW: 0, ReviewKind.INTENSITY: 1, ReviewKind.ENDED: 2}
    pending.sort(key=lambda i: (order[i.kind], not (i.report and i.report.confirmed), i.low.name, i.high.name))
    decided.sort(key=lambda i: i.decision.decided_at if i.decision else utcnow(), reverse=True)
    return Review(pending=pending, decided=decided, free_text=free_text_ties(session, survey),
                  confirmed=sum(r.confirmed for r in reports.values()),
                  reported=sum(not r.confirmed for r in reports.values()))


def default_type(session: Session) -> CooperationType | None:
    found = session.scalars(select(CooperationType).where(CooperationType.name == DEFAULT_TYPE)).first()
    return found or session.scalars(select(CooperationType).order_by(CooperationType.id)).first()


def decide(session: Session, survey: SurveyRound, key: str, accept: bool, *, type_id: int | None = None,
           user_id: int | None = None, today: date | None = None) -> SurveyDecision:
    """Accept or reject the review item ``key`` ("low-high"); accepting changes the CRM (module docstring)."""
    today = today or date.today()
    item = next((i for i in review(session, survey, today).pending if i.key == key), None)
    if item is None:
        raise ServiceError(N_("Dieser Eintrag steht nicht (mehr) in der Prüfliste."))
    cooperation: Cooperation | None = item.cooperation
    if accept:
        if item.kind == ReviewKind.NEW:
            assert item.report is not None
            ctype = session.get(CooperationType, type_id) if type_id else default_type(session)
            if ctype is None:
                raise ServiceError(N_("Bitte wählen Sie die Art der Kooperation."), "type")
            report = item.report
            reporter = item.low if item.low.id in report.reporters else item.high
            partner = item.high if reporter is item.low else item.low
            status = translated(CONFIRMED if report.confirmed else REPORTED)
            cooperation = cooperation_service.create_cooperation(session, {
                "source": reporter, "target": partner, "type": ctype,
                "intensity": report.intensity or cooperation_service.DEFAULT_INTENSITY,
                "start_date": today, "topics": list(report.topics.values()),
                "life_stages": list(report.life_stages.values()),
                "description": f"Quelle: Netzwerkbefragung „{survey.title}“ ({status}).",
            })
        elif item.kind == ReviewKind.INTENSITY:
            assert cooperation is not None and item.report is not None
            cooperation_service.update_cooperation(session, cooperation, {"intensity": item.report.intensity}, None)
        else:
            assert cooperation is not None
            cooperation_service.end_cooperation(session, cooperation, today)
    decision = SurveyDecision(round_id=survey.id, low_id=item.low.id, high_id=item.high.id, kind=item.kind,
                              decision=Decision.ACCEPTED if accept else Decision.REJECTED,
                              cooperation_id=cooperation.id if cooperation is not None else None,
                              decided_by_id=user_id, decided_at=utcnow())
    session.add(decision)
    session.flush()
    return decision


def source_of(session: Session, cooperation: Cooperation) -> SurveyDecision | None:
    """The accepted survey decision behind a cooperation, if it came from (or was changed by) a round."""
    return session.scalars(select(SurveyDecision).where(
        SurveyDecision.cooperation_id == cooperation.id, SurveyDecision.decision == Decision.ACCEPTED)
        .options(selectinload(SurveyDecision.round)).order_by(SurveyDecision.decided_at.desc())).first()


def ties_by_round(session: Session, survey: SurveyRound) -> defaultdict[int, list[ReportedTie]]:
    result: defaultdict[int, list[ReportedTie]] = defaultdict(list)
    for tie in answered_ties(session, survey):
        result[tie.reporter_id].append(tie)
    return result


@dataclass
class PairChange:
    low: Actor
    high: Actor
    before: PairReport | None
    after: PairReport | None


@dataclass
class Comparison:
    earlier: SurveyRound
    later: SurveyRound
    new: list[PairChange]        # named in the later round, not in the earlier one
    dropped: list[PairChange]    # named in the earlier round, not in the later one (both sides asked again)
    kept: list[PairChange]       # named in both
    confirmed_before: int
    confirmed_after: int


def compare_rounds(session: Session, earlier: SurveyRound, later: SurveyRound) -> Comparison:
    """Ties of two rounds side by side. A tie counts as dropped only if at least one of its actors
    answered the later round (an actor who did not answer again cannot have dropped it)."""
    before, after = pair_reports(session, earlier), pair_reports(session, later)
    answered_later = set(session.scalars(select(SurveyRecipient.actor_id).where(
        SurveyRecipient.round_id == later.id, SurveyRecipient.answered_at.is_not(None))))
    ids = sorted({i for key in [*before, *after] for i in key})
    actors = {a.id: a for a in session.scalars(select(Actor).where(Actor.id.in_(ids)))} if ids else {}

    def change(key: tuple[int, int]) -> PairChange:
        return PairChange(actors[key[0]], actors[key[1]], before.get(key), after.get(key))

    def order(items: list[PairChange]) -> list[PairChange]:
        return sorted(items, key=lambda c: (c.low.name, c.high.name))

    return Comparison(
        earlier=earlier, later=later,
        new=order([change(k) for k in after if k not in before]),
        dropped=order([change(k) for k in before if k not in after and (set(k) & answered_later)]),
        kept=order([change(k) for k in after if k in before]),
        confirmed_before=sum(r.confirmed for r in before.values()),
        confirmed_after=sum(r.confirmed for r in after.values()))
