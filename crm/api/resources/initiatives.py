"""``/initiatives`` and their memberships. The list is the initiative page's query
(``crm.services.landscape.initiatives.filtered_initiatives_query``)."""
from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy.orm import selectinload

from crm.api import schemas as s
from crm.api.core import ApiProblem, no_content, operation
from crm.api.resources.common import (
    COMMON_READ,
    DELETE_ERRORS,
    INVALID,
    get_or_404,
    item_links,
    link,
    list_page,
    own_links,
    ref,
    refuse_if,
    resolve_ids,
    stages,
)
from crm.extensions import db
from crm.models import Actor, Initiative, InitiativeKind, LifeStage, Membership, MembershipRole, Topic
from crm.permissions import Permission
from crm.services.landscape import initiatives as initiative_service
from crm.transaction import api_saving

FIELDS = {"topics": "topic_ids", "life_stages": "life_stage_ids"}
MEMBERSHIP_FIELDS = {"actor": "actor_id"}


def initiative_json(i: Initiative) -> dict[str, Any]:
    return {
        "id": i.id, "name": i.name, "short_name": i.short_name, "kind": i.kind.value, "description": i.description,
        "website": i.website, "start_date": i.start_date.isoformat() if i.start_date else None,
        "end_date": i.end_date.isoformat() if i.end_date else None, "topics": [ref(t) for t in i.topics],
        "life_stages": stages(i.life_stages),
        "memberships": [{"id": m.id, "actor": ref(m.actor), "role": m.role.value,
                         "joined_on": m.joined_on.isoformat() if m.joined_on else None,
                         "left_on": m.left_on.isoformat() if m.left_on else None} for m in i.memberships],
        "version_id": i.version_id,
    }


@operation("GET", "/initiatives", summary="Initiativen auflisten", tag="Initiativen",
           permissions=[Permission.VIEW_LANDSCAPE], query=s.InitiativeQuery, response=s.Page[s.InitiativeOut],
           errors=COMMON_READ, links=item_links("get_initiative", "update_initiative", param="initiative_id"))
def list_initiatives(query: s.InitiativeQuery):
    """Projekte, Bündnisse, Arbeitskreise und Programme mit ihren Mitgliedern. Suche wie auf der Seite:
    jedes Wort in Name, Kurzname oder Beschreibung; Umlaute und ß zählen nicht."""
    initiative_filter = initiative_service.InitiativeFilter(
        q=" ".join(query.q.split())[:200], kind=query.kind or "", topic_id=query.topic_id, actor_id=query.actor_id,
        active_on=query.active_on)
    stmt = initiative_service.filtered_initiatives_query(initiative_filter).options(
        selectinload(Initiative.topics), selectinload(Initiative.life_stages),
        selectinload(Initiative.memberships).selectinload(Membership.actor))
    return list_page(query, stmt, lambda rows: [initiative_json(i) for i in rows])


@operation("GET", "/initiatives/<int:initiative_id>", summary="Eine Initiative lesen", tag="Initiativen",
           permissions=[Permission.VIEW_LANDSCAPE], response=s.InitiativeOut, errors=(401, 403, 404),
           links={**own_links("update_initiative", "create_membership", param="initiative_id"),
                  "UpdateMembership": link("update_membership", membership_id="$response.body#/memberships/0/id")})
def get_initiative(initiative_id: int):
    """Eine Initiative mit ihren Mitgliedern und deren Rollen."""
    return initiative_json(get_or_404(Initiative, initiative_id))


def _initiative_values(data: dict[str, Any]) -> dict[str, Any]:
    """Validated API fields to the service's values; unknown topic or stage ids are a 422."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {k: data[k] for k in ("name", "short_name", "description", "website", "start_date",
                                                  "end_date") if k in data}
    if "kind" in data:
        values["kind"] = InitiativeKind(data["kind"])
    if "topic_ids" in data:
        values["topics"] = resolve_ids(Topic, data["topic_ids"] or [], "topic_ids", errors)
    if "life_stage_ids" in data:
        values["life_stages"] = resolve_ids(LifeStage, data["life_stage_ids"] or [], "life_stage_ids", errors)
    refuse_if(errors)
    return values


@operation("POST", "/initiatives", summary="Eine Initiative anlegen", tag="Initiativen",
           permissions=[Permission.EDIT_LANDSCAPE], body=s.InitiativeCreate, response=s.InitiativeOut, status=201,
           errors=(401, 403, 415, 422),
           links=own_links("get_initiative", "update_initiative", "delete_initiative", "create_membership",
                           param="initiative_id"))
def create_initiative(body: s.InitiativeCreate):
    """Legt ein Projekt, Bündnis, einen Arbeitskreis oder ein Programm an (Regeln wie im Formular: der Name
    ist eindeutig, das Ende nicht vor dem Beginn). Antwort 201 mit ``Location``."""
    values = _initiative_values(body.model_dump())
    with api_saving(FIELDS):
        initiative = initiative_service.create_initiative(db.session, values)
    return (initiative_json(initiative), 201,
            {"Location": url_for("api.get_initiative", initiative_id=initiative.id)})


@operation("PATCH", "/initiatives/<int:initiative_id>", summary="Eine Initiative ändern oder beenden",
           tag="Initiativen", permissions=[Permission.EDIT_LANDSCAPE], body=s.InitiativeUpdate,
           response=s.InitiativeOut, errors=(401, 403, 404, 409, 415, 422))
def update_initiative(initiative_id: int, body: s.InitiativeUpdate):
    """Ändert nur die gesendeten Felder; mit ``version_id`` 409, wenn jemand anderes inzwischen gespeichert
    hat. Eine abgeschlossene Initiative bekommt ihr ``end_date`` (sie bleibt im Verlauf)."""
    initiative = get_or_404(Initiative, initiative_id)
    data = body.model_dump(exclude_unset=True)
    expected = data.pop("version_id", None)
    values = _initiative_values(data)
    with api_saving(FIELDS):
        initiative_service.update_initiative(db.session, initiative, values, expected)
    return initiative_json(initiative)


@operation("DELETE", "/initiatives/<int:initiative_id>", summary="Eine irrtümlich angelegte Initiative löschen",
           tag="Initiativen", permissions=[Permission.DELETE_RECORDS], status=204, errors=DELETE_ERRORS)
def delete_initiative(initiative_id: int):
    """Für Fehleingaben, mit ihren Mitgliedschaften (jede im Protokoll); Kooperationen und Veranstaltungen,
    die sie nannten, bleiben ohne sie. Eine beendete Initiative bekommt besser ihr ``end_date``."""
    initiative = get_or_404(Initiative, initiative_id)
    with api_saving():
        initiative_service.delete_initiative(db.session, initiative)
    return no_content()


def _membership_values(data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {k: data[k] for k in ("joined_on", "left_on") if k in data}
    if "role" in data:
        values["role"] = MembershipRole(data["role"])
    if "actor_id" in data:
        actor = db.session.get(Actor, data["actor_id"])
        if actor is None:
            raise ApiProblem(422, INVALID, {"actor_id": ["Diesen Akteur gibt es nicht."]})
        values["actor"] = actor
    return values


@operation("POST", "/initiatives/<int:initiative_id>/memberships", summary="Ein Mitglied aufnehmen",
           tag="Initiativen", permissions=[Permission.EDIT_LANDSCAPE], body=s.MembershipCreate,
           response=s.InitiativeOut, status=201, errors=(401, 403, 404, 415, 422),
           links={"UpdateMembership": link("update_membership", membership_id="$response.body#/memberships/0/id")})
def create_membership(initiative_id: int, body: s.MembershipCreate):
    """Ein Akteur wird Mitglied (Leitung, Partner, Mitglied, Förderer) ab ``joined_on``. Ein Akteur ist
    höchstens einmal zur selben Zeit Mitglied derselben Initiative. Antwort ist die Initiative."""
    initiative = get_or_404(Initiative, initiative_id)
    with api_saving(MEMBERSHIP_FIELDS):
        initiative_service.add_membership(db.session, initiative, _membership_values(body.model_dump()))
    db.session.refresh(initiative)
    return (initiative_json(initiative), 201,
            {"Location": url_for("api.get_initiative", initiative_id=initiative.id)})


@operation("PATCH", "/memberships/<int:membership_id>", summary="Eine Mitgliedschaft ändern oder beenden",
           tag="Initiativen", permissions=[Permission.EDIT_LANDSCAPE], body=s.MembershipUpdate,
           response=s.InitiativeOut, errors=(401, 403, 404, 415, 422))
def update_membership(membership_id: int, body: s.MembershipUpdate):
    """Ändert die gesendeten Felder. Austreten heißt ``left_on`` setzen: die Mitgliedschaft bleibt als
    Verlauf (für das Netzwerk zu früheren Stichtagen). Eine neue Rolle ab einem Datum: die alte
    Mitgliedschaft beenden und eine neue anlegen."""
    membership = get_or_404(Membership, membership_id)
    data = body.model_dump(exclude_unset=True)
    with api_saving(MEMBERSHIP_FIELDS):
        initiative_service.update_membership(db.session, membership, _membership_values(data), None)
    initiative = membership.initiative
    db.session.refresh(initiative)
    return initiative_json(initiative)
