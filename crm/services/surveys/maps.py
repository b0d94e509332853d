"""The map of a survey round: the actors named in it, their reported ties drawn by status (confirmed
solid, reported dashed) beside the cooperations the CRM records among them (``graph.maps.SURVEY_STYLES``).

Small by nature (the actors of one round), so it is drawn in the request like the initiative and
event maps; a round of thousands of actors would belong to the worker.
"""
from __future__ import annotations

from collections.abc import Hashable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from crm.models import SurveyRound
from crm.services.landscape import naming
from crm.services.network import records as network
from crm.services.network.maps import REQUEST_SPRING_LIMIT
from crm.services.surveys import review
from graph.maps import actor_map
from graph.records import EdgeRecord

MAX_ACTORS = 800


def survey_map(session: Session, survey: SurveyRound, today: date | None = None) -> dict[str, Any]:
    """The map spec (``graph.maps.actor_map``) with each edge's ``status``: confirmed, reported or recorded."""
    today = today or date.today()
    reports = review.pair_reports(session, survey)
    ids = sorted({i for pair in reports for i in pair})[:MAX_ACTORS]
    keep = set(ids)
    land = network.among(session, keep, ["cooperation"])
    nodes = naming.named(land.nodes, naming.hidden_individuals(session))
    edges = [e for e in land.edges if e.is_current(today)]
    status: dict[frozenset[Hashable], str] = {}
    for (low, high), report in reports.items():
        if low not in keep or high not in keep:
            continue
        edges.append(EdgeRecord(source=low, target=high, layer="survey", weight=float(report.intensity or 1),
                                type="bestätigt" if report.confirmed else "gemeldet", intensity=report.intensity))
        status[frozenset((low, high))] = "confirmed" if report.confirmed else "reported"
    if not nodes:
        return {"mode": "actors", "nodes": [], "edges": [], "legend": {"title": "", "entries": [], "ties": []},
                "settings": {}, "tie_types": [], "change": None, "counts": {"nodes": 0, "edges": 0}}
    return actor_map(nodes, edges, tie_status=status, spring_limit=REQUEST_SPRING_LIMIT)
