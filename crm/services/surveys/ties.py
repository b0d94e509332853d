"""A network survey's ties as ties of the landscape, for the maps, the table and the analysis.

The landscape's cooperation layer has three sources (``graph.records.ORIGINS``), chosen by the
filter ``sources`` of the cut (``graph.cut.Cut``):

* **recorded**: the cooperations the CRM records (the default: what every view showed before);
* **confirmed**: a pair named by both sides in the survey round;
* **reported**: a pair named by one side only that has no current cooperation in the CRM (not yet
  accepted in the review, or rejected).

The round is the one chosen in the filter (``survey_round``), else the latest closed round. Only
sent-off answers count (``review.pair_reports``). A sent-off answer and the closing of a round
raise the landscape's data version (``crm.services.computed.versions.mark_changed``), so the stored
maps and analyses that show survey ties are computed again like after any other change.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crm.models import Cooperation, SurveyRound, SurveyStatus
from crm.services.errors import ServiceError
from crm.services.surveys import review
from graph.records import EdgeRecord

SURVEY_PREFIX = "Befragung: "


def latest_closed(session: Session) -> SurveyRound | None:
    """The round the filter means when none is chosen."""
    return session.scalars(select(SurveyRound).where(SurveyRound.status == SurveyStatus.CLOSED)
                           .order_by(SurveyRound.closed_at.desc(), SurveyRound.id.desc()).limit(1)).first()


def chosen_round(session: Session, round_id: int | None) -> SurveyRound | None:
    """The round ``round_id`` (a German ServiceError if there is none), else the latest closed one."""
    if round_id is None:
        return latest_closed(session)
    survey = session.get(SurveyRound, round_id)
    if survey is None:
        raise ServiceError(f"Die Befragungsrunde {round_id} gibt es nicht.", "survey_round")
    return survey


def round_choices(session: Session) -> list[tuple[int, str]]:
    """Rounds that have been sent (open or closed), newest first, for the filter panel."""
    return [(s.id, s.title) for s in session.scalars(
        select(SurveyRound).where(SurveyRound.status != SurveyStatus.DRAFT)
        .order_by(SurveyRound.created_at.desc(), SurveyRound.id.desc()))]


def _current_pairs(session: Session, today: date) -> set[tuple[int, int]]:
    rows = session.execute(select(Cooperation.source_id, Cooperation.target_id).where(
        or_(Cooperation.start_date.is_(None), Cooperation.start_date <= today),
        or_(Cooperation.end_date.is_(None), Cooperation.end_date >= today)))
    return {(a, b) if a < b else (b, a) for a, b in rows}


def survey_edges(session: Session, round_id: int | None, today: date | None = None) -> list[EdgeRecord]:
    """The confirmed and reported ties of the round as cooperation-layer records (``origin`` says which).

    A tie starts on the day the round was sent (a view of an earlier day leaves it out) and has no
    end; its weight is the reported intensity (1 when none was asked), its topics and life stages
    those the reporters gave."""
    today = today or date.today()
    survey = latest_closed(session) if round_id is None else session.get(SurveyRound, round_id)
    if survey is None:  # none closed yet, or deleted since the job was queued: no survey ties
        return []
    reports = review.pair_reports(session, survey)
    if not reports:
        return []
    recorded = _current_pairs(session, today)
    start = (survey.sent_at or survey.created_at).date()
    label = SURVEY_PREFIX + survey.title
    edges = []
    for (low, high), report in sorted(reports.items()):
        origin = "confirmed" if report.confirmed else "reported"
        if origin == "reported" and (low, high) in recorded:
            continue
        edges.append(EdgeRecord(
            source=low, target=high, layer="cooperation", weight=float(report.intensity or 1), type=label,
            start=start, end=None, topics=tuple(t.name for t in report.topics.values()),
            life_stages=tuple(s.code for s in report.life_stages.values()), intensity=report.intensity,
            ref=f"survey:{survey.id}:{low}-{high}", origin=origin))
    return edges
