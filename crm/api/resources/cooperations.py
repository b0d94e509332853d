"""``/cooperations``: ties between two actors, with history. The list is the cooperation page's
query (``crm.services.landscape.cooperations.filtered_cooperations_query``)."""
from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy.orm import selectinload

from crm.api import schemas as s
from crm.api.core import no_content, operation
from crm.api.resources.common import (
    COMMON_READ,
    DELETE_ERRORS,
    get_or_404,
    item_links,
    list_page,
    lookup,
    own_links,
    ref,
    refuse_if,
    resolve_ids,
    stages,
)
from crm.extensions import db
from crm.models import Actor, Cooperation, CooperationType, Initiative, LifeStage, Topic
from crm.permissions import Permission
from crm.services.landscape import cooperations as cooperation_service
from crm.transaction import api_saving

FIELDS = {"source": "source_id", "target": "target_id", "type": "type_id", "initiative": "initiative_id",
          "topics": "topic_ids", "life_stages": "life_stage_ids"}


def cooperation_json(c: Cooperation) -> dict[str, Any]:
    return {
        "id": c.id, "source": ref(c.source), "target": ref(c.target), "type": ref(c.type),
        "is_directed": c.is_directed, "intensity": c.intensity,
        "start_date": c.start_date.isoformat() if c.start_date else None,
        "end_date": c.end_date.isoformat() if c.end_date else None, "description": c.description,
        "initiative_id": c.initiative_id, "topics": [ref(t) for t in c.topics],
        "life_stages": stages(c.life_stages), "version_id": c.version_id,
    }


@operation("GET", "/cooperations", summary="Kooperationen auflisten", tag="Kooperationen",
           permissions=[Permission.VIEW_LANDSCAPE], query=s.CooperationQuery, response=s.Page[s.CooperationOut],
           errors=COMMON_READ, links=item_links("get_cooperation", "update_cooperation", param="cooperation_id"))
def list_cooperations(query: s.CooperationQuery):
    """Kooperationen (auch beendete: Beziehungen haben Geschichte), gefiltert nach Akteur, Art, Tag …,
    in der Reihenfolge der Kooperationsliste: neuester Beginn zuerst."""
    cooperation_filter = cooperation_service.CooperationFilter(
        actor_id=query.actor_id, type_id=query.type_id, topic_id=query.topic_id, initiative_id=query.initiative_id,
        life_stage_id=query.life_stage_id, running_on=query.current_on)
    stmt = cooperation_service.filtered_cooperations_query(cooperation_filter).options(
        selectinload(Cooperation.source), selectinload(Cooperation.target), selectinload(Cooperation.type),
        selectinload(Cooperation.topics), selectinload(Cooperation.life_stages))
    return list_page(query, stmt, lambda rows: [cooperation_json(c) for c in rows])


@operation("GET", "/cooperations/<int:cooperation_id>", summary="Eine Kooperation lesen", tag="Kooperationen",
           permissions=[Permission.VIEW_LANDSCAPE], response=s.CooperationOut, errors=(401, 403, 404),
           links=own_links("update_cooperation", "delete_cooperation", param="cooperation_id"))
def get_cooperation(cooperation_id: int):
    """Eine Kooperation zwischen zwei Akteuren."""
    return cooperation_json(get_or_404(Cooperation, cooperation_id))


def _cooperation_values(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for key in ("intensity", "start_date", "end_date", "description"):
        if key in data:
            values[key] = data[key]
    for field, key, model, message in (("source_id", "source", Actor, "Diesen Akteur gibt es nicht."),
                                       ("target_id", "target", Actor, "Diesen Akteur gibt es nicht."),
                                       ("type_id", "type", CooperationType, "Diese Kooperationsart gibt es nicht."),
                                       ("initiative_id", "initiative", Initiative, "Diese Initiative gibt es nicht.")):
        if field in data:
            values[key] = lookup(model, data[field], field, message, errors)
    if "topic_ids" in data:
        values["topics"] = resolve_ids(Topic, data["topic_ids"] or [], "topic_ids", errors)
    if "life_stage_ids" in data:
        values["life_stages"] = resolve_ids(LifeStage, data["life_stage_ids"] or [], "life_stage_ids", errors)
    refuse_if(errors)
    return values


@operation("POST", "/cooperations", summary="Eine Kooperation anlegen", tag="Kooperationen",
           permissions=[Permission.EDIT_LANDSCAPE], body=s.CooperationCreate, response=s.CooperationOut, status=201,
           errors=(401, 403, 415, 422),
           links=own_links("get_cooperation", "update_cooperation", "delete_cooperation", param="cooperation_id"))
def create_cooperation(body: s.CooperationCreate):
    """Legt eine Kooperation an, mit denselben Regeln wie das Formular (zwei verschiedene Akteure, Ende nicht
    vor Beginn, keine zweite gleichartige Kooperation im selben Zeitraum). Antwort 201 mit ``Location``."""
    values = _cooperation_values(body.model_dump())
    with api_saving(FIELDS):
        cooperation = cooperation_service.create_cooperation(db.session, values)
    return (cooperation_json(cooperation), 201,
            {"Location": url_for("api.get_cooperation", cooperation_id=cooperation.id)})


@operation("PATCH", "/cooperations/<int:cooperation_id>", summary="Eine Kooperation ändern oder beenden",
           tag="Kooperationen", permissions=[Permission.EDIT_LANDSCAPE], body=s.CooperationUpdate,
           response=s.CooperationOut, errors=(401, 403, 404, 409, 415, 422))
def update_cooperation(cooperation_id: int, body: s.CooperationUpdate):
    """Ändert nur die gesendeten Felder; mit ``version_id`` 409 bei zwischenzeitlicher Änderung."""
    cooperation = get_or_404(Cooperation, cooperation_id)
    data = body.model_dump(exclude_unset=True)
    expected = data.pop("version_id", None)
    values = _cooperation_values(data)
    with api_saving(FIELDS):
        cooperation_service.update_cooperation(db.session, cooperation, values, expected)
    return cooperation_json(cooperation)


@operation("DELETE", "/cooperations/<int:cooperation_id>", summary="Eine irrtümlich angelegte Kooperation löschen",
           tag="Kooperationen", permissions=[Permission.DELETE_RECORDS], status=204, errors=DELETE_ERRORS)
def delete_cooperation(cooperation_id: int):
    """Für Fehleingaben. Eine Kooperation, die endet, bekommt ihr ``end_date`` (PATCH) und bleibt als Verlauf."""
    cooperation = get_or_404(Cooperation, cooperation_id)
    with api_saving():
        cooperation_service.delete_cooperation(db.session, cooperation)
    return no_content()
