"""``/actors``: the landscape's actors. The list is the directory's query
(``crm.services.landscape.directory``): the same words, filters and privacy rule as the page."""
from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy.orm import selectinload

from crm.api import schemas as s
from crm.api.core import no_content, operation
from crm.api.resources.common import (
    COMMON_READ,
    DELETE_ERRORS,
    all_areas,
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
from crm.models import Actor, ActorKind, Area, LifeStage, Topic
from crm.permissions import Permission, can, can_see_contact_of
from crm.services.landscape import actors as actor_service
from crm.services.landscape import directory
from crm.transaction import api_saving

# The service's names of the values it refuses → the API's field names.
FIELDS = {"kind": "kind_id", "area": "area_id", "parent": "parent_id", "life_stages": "life_stage_ids",
          "topics": "topic_ids"}


def actor_json(actor: Actor) -> dict[str, Any]:
    """An actor as JSON. An individual actor's (a volunteer's) street, e-mail, phone and notes are
    personal data: empty for roles without it (``can_see_contact_of``), as on the actor page."""
    private = can_see_contact_of(actor)
    return {
        "id": actor.id, "name": actor.name, "short_name": actor.short_name, "kind": ref(actor.kind),
        "category": actor.kind.category, "parent_id": actor.parent_id,
        "area": {"id": actor.area.id, "name": actor.area.full_name} if actor.area else None,
        "street": actor.street if private else "", "postcode": actor.postcode, "city": actor.city,
        "latitude": float(actor.latitude) if actor.latitude is not None else None,
        "longitude": float(actor.longitude) if actor.longitude is not None else None,
        "website": actor.website, "email": actor.email if private else "", "phone": actor.phone if private else "",
        "external_ref": actor.external_ref, "description": actor.description,
        "notes": actor.notes if private and can(Permission.VIEW_PERSONAL_DATA) else None,
        "is_active": actor.is_active,
        "active_from": actor.active_from.isoformat() if actor.active_from else None,
        "active_until": actor.active_until.isoformat() if actor.active_until else None,
        "life_stages": stages(actor.life_stages),
        "topics": [ref(t) for t in actor.topics], "created_at": actor.created_at.isoformat(),
        "updated_at": actor.updated_at.isoformat(), "version_id": actor.version_id,
    }


def actor_filter(query: s.ActorQuery) -> directory.ActorFilter:
    """The API's query parameters as the directory's filter (the page's ``q``, ``art``, ``gebiet`` …)."""
    return directory.ActorFilter(
        q=" ".join(query.q.split())[:200], kind_ids=[query.kind_id] if query.kind_id else [],
        category=query.category.strip(), area_id=query.area_id,
        life_stage_ids=[query.life_stage_id] if query.life_stage_id else [],
        topic_ids=[query.topic_id] if query.topic_id else [], active=query.is_active,
        search_private=can(Permission.VIEW_PERSONAL_DATA))


@operation("GET", "/actors", summary="Akteure auflisten", tag="Akteure", permissions=[Permission.VIEW_LANDSCAPE],
           query=s.ActorQuery, response=s.Page[s.ActorOut], errors=COMMON_READ,
           links=item_links("get_actor", "update_actor", param="actor_id"))
def list_actors(query: s.ActorQuery):
    """Akteure nach Name sortiert, gefiltert und seitenweise (``limit``/``offset``, Kopf ``Link``).
    Suche und Filter wie im Akteursverzeichnis: jedes Wort muss vorkommen, Groß-/Kleinschreibung,
    Umlaute und ß zählen nicht („strasse“ findet „Straße“); ein Gebiet schließt seine Teilgebiete ein."""
    stmt = directory.filtered_actors_query(actor_filter(query)).options(
        selectinload(Actor.kind), selectinload(Actor.area), selectinload(Actor.topics),
        selectinload(Actor.life_stages))
    _areas = all_areas()  # held while dumping: area names walk up their parents
    return list_page(query, stmt, lambda rows: [actor_json(a) for a in rows])


@operation("GET", "/actors/<int:actor_id>", summary="Einen Akteur lesen", tag="Akteure",
           permissions=[Permission.VIEW_LANDSCAPE], response=s.ActorOut, errors=(401, 403, 404),
           links=own_links("update_actor", "delete_actor", param="actor_id"))
def get_actor(actor_id: int):
    """Ein Akteur mit Art, Gebiet, Bildungsphasen und Themenfeldern."""
    return actor_json(get_or_404(Actor, actor_id))


def _actor_values(data: dict[str, Any]) -> dict[str, Any]:
    """Validated API fields to the service's values (model objects); unknown ids are a 422.
    The rules (parent, reference, period) are the service's."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for key in ("name", "short_name", "street", "postcode", "city", "website", "email", "phone",
                "description", "notes", "is_active", "latitude", "longitude", "active_from", "active_until"):
        if key in data:
            values[key] = data[key]
    if "external_ref" in data:
        values["external_ref"] = (data["external_ref"] or "").strip() or None
    if "kind_id" in data:
        values["kind"] = lookup(ActorKind, data["kind_id"], "kind_id", "Diese Akteursart gibt es nicht.", errors)
    if "area_id" in data:
        values["area"] = lookup(Area, data["area_id"], "area_id", "Dieses Gebiet gibt es nicht.", errors)
    if "parent_id" in data:
        values["parent"] = lookup(Actor, data["parent_id"], "parent_id", "Diesen Akteur gibt es nicht.", errors)
    if "life_stage_ids" in data:
        values["life_stages"] = resolve_ids(LifeStage, data["life_stage_ids"] or [], "life_stage_ids", errors)
    if "topic_ids" in data:
        values["topics"] = resolve_ids(Topic, data["topic_ids"] or [], "topic_ids", errors)
    refuse_if(errors)
    return values


@operation("POST", "/actors", summary="Einen Akteur anlegen", tag="Akteure", permissions=[Permission.EDIT_LANDSCAPE],
           body=s.ActorCreate, response=s.ActorOut, status=201, errors=(401, 403, 415, 422),
           links=own_links("get_actor", "update_actor", "delete_actor", param="actor_id"))
def create_actor(body: s.ActorCreate):
    """Legt einen Akteur an (wie das Formular; die Änderung steht im Protokoll). Antwort 201 mit ``Location``."""
    values = _actor_values(body.model_dump())
    with api_saving(FIELDS):
        actor = actor_service.create_actor(db.session, values)
    return actor_json(actor), 201, {"Location": url_for("api.get_actor", actor_id=actor.id)}


@operation("PATCH", "/actors/<int:actor_id>", summary="Einen Akteur ändern", tag="Akteure",
           permissions=[Permission.EDIT_LANDSCAPE], body=s.ActorUpdate, response=s.ActorOut,
           errors=(401, 403, 404, 409, 415, 422))
def update_actor(actor_id: int, body: s.ActorUpdate):
    """Ändert nur die gesendeten Felder. Mit ``version_id`` antwortet die API 409, wenn der Akteur
    inzwischen von jemand anderem geändert wurde (nichts wird überschrieben)."""
    actor = get_or_404(Actor, actor_id)
    data = body.model_dump(exclude_unset=True)
    expected = data.pop("version_id", None)
    values = _actor_values(data)
    with api_saving(FIELDS):
        actor_service.update_actor(db.session, actor, values, expected)
    return actor_json(actor)


@operation("DELETE", "/actors/<int:actor_id>", summary="Einen irrtümlich angelegten Akteur löschen", tag="Akteure",
           permissions=[Permission.DELETE_RECORDS], status=204, errors=DELETE_ERRORS)
def delete_actor(actor_id: int):
    """Wie „Löschen“ auf der Seite, für Fehleingaben: seine Kooperationen, Mitgliedschaften und
    Zugehörigkeiten gehen mit (jede im Protokoll), Einladungen und Teilnahmen bleiben ohne Akteur.
    Ein Akteur, der nicht mehr tätig ist, wird besser auf ``is_active: false`` gesetzt."""
    actor = get_or_404(Actor, actor_id)
    with api_saving():
        actor_service.delete_actor(db.session, actor)
    return no_content()
