"""The API's resources: actors, persons with their affiliations, cooperations, initiatives with their
memberships, and events: list, read, create, change; delete for mistakes.

Reads go straight to the models; every write goes through the same service as the page
(``crm.services.landscape.actors``, ``persons``, ``cooperations``, ``initiatives``, ``events``), so the audit
log, optimistic locking (``version_id`` → 409) and the rules (German 422 per field) are shared.

Deleting: ``DELETE`` exists for actors, persons, cooperations and initiatives, with the pages'
permission (``DELETE_RECORDS``; persons also ``VIEW_PERSONAL_DATA``), and like there it is for
records entered by mistake: ties, memberships and affiliations that ended are ended (``end_date``,
``left_on``, ``to_date``) and stay as history; a real person who asks to be forgotten is anonymised
on the privacy page (Art. 17). Events are cancelled (``POST /events/{id}/cancel``), never deleted:
invitations and attendance are the office's record.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from crm.api import schemas as s
from crm.api.core import ApiProblem, no_content, operation, page, paginate_links
from crm.collation import german
from crm.extensions import db
from crm.models import (
    Actor,
    ActorKind,
    Affiliation,
    Answer,
    Area,
    Attendance,
    Consent,
    Cooperation,
    CooperationType,
    Event,
    EventKind,
    Initiative,
    InitiativeKind,
    Invitation,
    LifeStage,
    Membership,
    MembershipRole,
    Person,
    Topic,
)
from crm.models.actors import actor_life_stages, actor_topics
from crm.models.cooperations import cooperation_life_stages, cooperation_topics
from crm.models.events import event_topics
from crm.models.initiatives import initiative_topics
from crm.models.persons import LegalBasis
from crm.permissions import Permission, can, can_see_contact_of
from crm.services.errors import ConcurrentEditError, ServiceError
from crm.services.landscape import actors as actor_service
from crm.services.landscape import initiatives as initiative_service
from crm.services.landscape import persons as person_service

COMMON_READ = (401, 403, 422)
NOT_FOUND = "Diesen Datensatz gibt es nicht."
DELETE_ERRORS = (401, 403, 404)


def _link(operation_id: str, **parameters: str) -> dict[str, Any]:
    """An OpenAPI link: the named operation takes these path parameters from this answer."""
    return {"operationId": operation_id, "parameters": parameters}


def _links(path_param: str, source: str, *operations: str) -> dict[str, dict[str, Any]]:
    """Links from one id in the answer (``source``, e.g. ``$response.body#/id``) to operations on it,
    named like the operation (``update_actor`` → ``UpdateActor``)."""
    return {op.title().replace("_", ""): _link(op, **{path_param: source}) for op in operations}


def _item_links(*operations: str, param: str) -> dict[str, dict[str, Any]]:
    """From a list answer: its first item."""
    return _links(param, "$response.body#/items/0/id", *operations)


def _own_links(*operations: str, param: str) -> dict[str, dict[str, Any]]:
    """From an answer that is the record itself."""
    return _links(param, "$response.body#/id", *operations)


def _like(text: str) -> str:
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _get(model: Any, object_id: int) -> Any:
    obj = db.session.get(model, object_id)
    if obj is None:
        raise ApiProblem(404, NOT_FOUND)
    return obj


def _ref(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.id, "name": str(getattr(obj, "name", obj))}


def _stages(stages: list[LifeStage]) -> list[dict[str, Any]]:
    return [{"id": st.id, "code": st.code, "name": st.name} for st in stages]


def _page_result(rows: list[Any], total: int, query: s.PageQuery, dump) -> tuple[dict[str, Any], int, dict]:
    return ({"items": [dump(r) for r in rows], "total": total, "limit": query.limit, "offset": query.offset},
            200, paginate_links(total, query.limit, query.offset))


# --- actors -------------------------------------------------------------------------------------

def actor_json(actor: Actor) -> dict[str, Any]:
    """An actor as JSON. An individual actor's (a volunteer's) street, e-mail, phone and notes are
    personal data: empty for roles without it (``can_see_contact_of``), as on the actor page."""
    private = can_see_contact_of(actor)
    return {
        "id": actor.id, "name": actor.name, "short_name": actor.short_name, "kind": _ref(actor.kind),
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
        "life_stages": _stages(actor.life_stages),
        "topics": [_ref(t) for t in actor.topics], "created_at": actor.created_at.isoformat(),
        "updated_at": actor.updated_at.isoformat(), "version_id": actor.version_id,
    }


@operation("GET", "/actors", summary="Akteure auflisten", tag="Akteure", permissions=[Permission.VIEW_LANDSCAPE],
           query=s.ActorQuery, response=s.Page[s.ActorOut], errors=COMMON_READ,
           links=_item_links("get_actor", "update_actor", param="actor_id"))
def list_actors(query: s.ActorQuery):
    """Akteure nach Name sortiert, gefiltert und seitenweise (``limit``/``offset``, Kopf ``Link``)."""
    stmt = select(Actor).options(selectinload(Actor.kind), selectinload(Actor.area), selectinload(Actor.topics),
                                 selectinload(Actor.life_stages)).order_by(german(Actor.name), Actor.id)
    if query.q.strip():
        like = _like(query.q)
        matches = [func.lower(col).like(like, escape="\\") for col in (
            Actor.name, Actor.short_name, Actor.street, Actor.city, Actor.postcode, Actor.external_ref)]
        if not can(Permission.VIEW_PERSONAL_DATA):   # an individual's street is personal data: not searchable
            individual_kinds = select(ActorKind.id).where(ActorKind.is_individual.is_(True))
            matches[2] = and_(matches[2], Actor.kind_id.not_in(individual_kinds))
        stmt = stmt.where(or_(*matches))
    if query.kind_id:
        stmt = stmt.where(Actor.kind_id == query.kind_id)
    if query.category.strip():
        stmt = stmt.where(Actor.kind_id.in_(select(ActorKind.id).where(ActorKind.category == query.category.strip())))
    if query.area_id:
        stmt = stmt.where(Actor.area_id == query.area_id)
    if query.topic_id:
        stmt = stmt.where(Actor.id.in_(select(actor_topics.c.actor_id).where(actor_topics.c.topic_id == query.topic_id)))
    if query.life_stage_id:
        stmt = stmt.where(Actor.id.in_(select(actor_life_stages.c.actor_id)
                                       .where(actor_life_stages.c.life_stage_id == query.life_stage_id)))
    if query.is_active is not None:
        stmt = stmt.where(Actor.is_active.is_(query.is_active))
    rows, total = page(stmt, db.session, query.limit, query.offset)
    return _page_result(rows, total, query, actor_json)


@operation("GET", "/actors/<int:actor_id>", summary="Einen Akteur lesen", tag="Akteure",
           permissions=[Permission.VIEW_LANDSCAPE], response=s.ActorOut, errors=(401, 403, 404),
           links=_own_links("update_actor", "delete_actor", param="actor_id"))
def get_actor(actor_id: int):
    """Ein Akteur mit Art, Gebiet, Bildungsphasen und Themenfeldern."""
    return actor_json(_get(Actor, actor_id))


def _resolve(model: Any, ids: list[int], field: str, errors: dict[str, list[str]]) -> list[Any]:
    unique = list(dict.fromkeys(ids))
    found = {o.id: o for o in db.session.scalars(select(model).where(model.id.in_(unique)))} if unique else {}
    missing = [i for i in unique if i not in found]
    if missing:
        errors.setdefault(field, []).append("Unbekannte Nummer: " + ", ".join(map(str, missing)) + ".")
    return [found[i] for i in unique if i in found]


def _actor_values(data: dict[str, Any], actor: Actor | None) -> dict[str, Any]:
    """Turn validated API fields into the service's values (model objects); unknown ids are a 422."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for key in ("name", "short_name", "street", "postcode", "city", "website", "email", "phone",
                "description", "notes", "is_active", "latitude", "longitude", "active_from", "active_until"):
        if key in data:
            values[key] = data[key]
    if "external_ref" in data:
        ref = (data["external_ref"] or "").strip()
        values["external_ref"] = ref or None
        if ref:
            query = select(Actor).where(func.lower(Actor.external_ref) == ref.lower())
            if actor is not None:
                query = query.where(Actor.id != actor.id)
            other = db.session.scalars(query).first()
            if other is not None:
                errors.setdefault("external_ref", []).append(f"Diese Kennung hat bereits „{other.name}“.")
    if "kind_id" in data:
        if data["kind_id"] is None:
            errors.setdefault("kind_id", []).append("Dieses Feld ist erforderlich.")
        else:
            kind = db.session.get(ActorKind, data["kind_id"])
            if kind is None:
                errors.setdefault("kind_id", []).append("Diese Akteursart gibt es nicht.")
            values["kind"] = kind
    if "area_id" in data:
        area = db.session.get(Area, data["area_id"]) if data["area_id"] else None
        if data["area_id"] and area is None:
            errors.setdefault("area_id", []).append("Dieses Gebiet gibt es nicht.")
        values["area"] = area
    if "parent_id" in data:
        parent = db.session.get(Actor, data["parent_id"]) if data["parent_id"] else None
        if data["parent_id"] and parent is None:
            errors.setdefault("parent_id", []).append("Diesen Akteur gibt es nicht.")
        node = parent
        while actor is not None and node is not None:
            if node.id == actor.id:
                errors.setdefault("parent_id", []).append(
                    "Ein Akteur kann nicht sich selbst oder einem eigenen untergeordneten Akteur "
                    "untergeordnet werden.")
                break
            node = node.parent
        values["parent"] = parent
    if "life_stage_ids" in data:
        values["life_stages"] = _resolve(LifeStage, data["life_stage_ids"] or [], "life_stage_ids", errors)
    if "topic_ids" in data:
        values["topics"] = _resolve(Topic, data["topic_ids"] or [], "topic_ids", errors)
    if errors:
        raise ApiProblem(422, "Die Eingaben enthalten Fehler.", errors)
    return values


@operation("POST", "/actors", summary="Einen Akteur anlegen", tag="Akteure", permissions=[Permission.EDIT_LANDSCAPE],
           body=s.ActorCreate, response=s.ActorOut, status=201, errors=(401, 403, 415, 422),
           links=_own_links("get_actor", "update_actor", "delete_actor", param="actor_id"))
def create_actor(body: s.ActorCreate):
    """Legt einen Akteur an (wie das Formular; die Änderung steht im Protokoll). Antwort 201 mit ``Location``."""
    values = _actor_values(body.model_dump(), None)
    with _writing():
        actor = actor_service.create_actor(db.session, values)
    from flask import url_for

    return actor_json(actor), 201, {"Location": url_for("api.get_actor", actor_id=actor.id)}


@operation("PATCH", "/actors/<int:actor_id>", summary="Einen Akteur ändern", tag="Akteure",
           permissions=[Permission.EDIT_LANDSCAPE], body=s.ActorUpdate, response=s.ActorOut,
           errors=(401, 403, 404, 409, 415, 422))
def update_actor(actor_id: int, body: s.ActorUpdate):
    """Ändert nur die gesendeten Felder. Mit ``version_id`` antwortet die API 409, wenn der Akteur
    inzwischen von jemand anderem geändert wurde (nichts wird überschrieben)."""
    actor = _get(Actor, actor_id)
    data = body.model_dump(exclude_unset=True)
    expected = data.pop("version_id", None)
    values = _actor_values(data, actor)
    with _writing():
        actor_service.update_actor(db.session, actor, values, expected)
    return actor_json(actor)


@operation("DELETE", "/actors/<int:actor_id>", summary="Einen irrtümlich angelegten Akteur löschen", tag="Akteure",
           permissions=[Permission.DELETE_RECORDS], status=204, errors=DELETE_ERRORS)
def delete_actor(actor_id: int):
    """Wie „Löschen“ auf der Seite, für Fehleingaben: seine Kooperationen, Mitgliedschaften und
    Zugehörigkeiten gehen mit (jede im Protokoll), Einladungen und Teilnahmen bleiben ohne Akteur.
    Ein Akteur, der nicht mehr tätig ist, wird besser auf ``is_active: false`` gesetzt."""
    actor_service.delete_actor(db.session, _get(Actor, actor_id))
    db.session.commit()
    return no_content()


# --- persons ------------------------------------------------------------------------------------

def person_json(person: Person) -> dict[str, Any]:
    consents = db.session.scalars(select(Consent).where(Consent.person_id == person.id).order_by(Consent.given_at))
    return {
        "id": person.id, "salutation": person.salutation, "title": person.title, "first_name": person.first_name,
        "last_name": person.last_name, "email": person.email, "phone": person.phone, "notes": person.notes,
        "legal_basis": person.legal_basis.value, "is_opted_out": person.is_opted_out,
        "is_anonymised": person.is_anonymised,
        "last_activity_at": person.last_activity_at.isoformat() if person.last_activity_at else None,
        "affiliations": [{"id": a.id, "actor": _ref(a.actor), "function": a.function, "email": a.email,
                          "phone": a.phone, "from_date": a.from_date.isoformat() if a.from_date else None,
                          "to_date": a.to_date.isoformat() if a.to_date else None, "is_primary": a.is_primary}
                         for a in person.affiliations],
        "consents": [{"id": c.id, "purpose": c.purpose.value, "given_at": c.given_at.isoformat(), "method": c.method,
                      "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None} for c in consents],
        "created_at": person.created_at.isoformat(), "updated_at": person.updated_at.isoformat(),
        "version_id": person.version_id,
    }


@operation("GET", "/persons", summary="Personen auflisten", tag="Personen",
           permissions=[Permission.VIEW_PERSONAL_DATA], query=s.PersonQuery, response=s.Page[s.PersonOut],
           errors=COMMON_READ, links=_item_links("get_person", "update_person", param="person_id"))
def list_persons(query: s.PersonQuery):
    """Ansprechpersonen (personenbezogene Daten: nur mit der Berechtigung dafür)."""
    stmt = (select(Person).options(selectinload(Person.affiliations).selectinload(Affiliation.actor))
            .order_by(german(Person.last_name), german(Person.first_name), Person.id))
    if not query.include_anonymised:
        stmt = stmt.where(Person.is_anonymised.is_(False))
    if query.q.strip():
        like = _like(query.q)
        stmt = stmt.where(or_(*(func.lower(col).like(like, escape="\\")
                                for col in (Person.first_name, Person.last_name, Person.email))))
    if query.actor_id:
        stmt = stmt.where(Person.id.in_(select(Affiliation.person_id).where(Affiliation.actor_id == query.actor_id)))
    rows, total = page(stmt, db.session, query.limit, query.offset)
    return _page_result(rows, total, query, person_json)


@operation("GET", "/persons/<int:person_id>", summary="Eine Person lesen", tag="Personen",
           permissions=[Permission.VIEW_PERSONAL_DATA], response=s.PersonOut, errors=(401, 403, 404),
           links={**_own_links("update_person", "create_affiliation", param="person_id"),
                  "UpdateAffiliation": _link("update_affiliation", affiliation_id="$response.body#/affiliations/0/id")})
def get_person(person_id: int):
    """Eine Person mit Zugehörigkeiten und Einwilligungen."""
    return person_json(_get(Person, person_id))


def _person_values(data: dict[str, Any]) -> dict[str, Any]:
    """Validated API fields to the service's values; the legal basis becomes the model's enum."""
    values = {k: v for k, v in data.items() if k in person_service.EDITABLE_FIELDS}
    if "legal_basis" in values:
        values["legal_basis"] = LegalBasis(values["legal_basis"])
    return values


def _rule_error(error: ServiceError) -> ApiProblem:
    """A service rule violation as 422 problem details, keyed by the field the service names."""
    return ApiProblem(422, error.message, {error.field or "body": [error.message]})


@contextmanager
def _writing(rule_error: Callable[[ServiceError], ApiProblem] = _rule_error) -> Iterator[None]:
    """One write through a service, committed once: a stale ``version_id`` becomes 409, a broken
    rule 422 (via ``rule_error``, which names the API's field), and either leaves nothing behind."""
    try:
        yield
        db.session.commit()
    except ConcurrentEditError as error:
        db.session.rollback()
        raise ApiProblem(409, error.message, title="Konflikt") from None
    except ServiceError as error:
        db.session.rollback()
        raise rule_error(error) from None


@operation("POST", "/persons", summary="Eine Person anlegen", tag="Personen",
           permissions=[Permission.VIEW_PERSONAL_DATA, Permission.EDIT_LANDSCAPE], body=s.PersonCreate,
           response=s.PersonOut, status=201, errors=(401, 403, 415, 422),
           links=_own_links("get_person", "update_person", "delete_person", "create_affiliation", param="person_id"))
def create_person(body: s.PersonCreate):
    """Legt eine Person an (über denselben Dienst wie das Formular). Antwort 201 mit ``Location``."""
    with _writing():
        person = person_service.create_person(db.session, _person_values(body.model_dump()))
    from flask import url_for

    return person_json(person), 201, {"Location": url_for("api.get_person", person_id=person.id)}


@operation("PATCH", "/persons/<int:person_id>", summary="Eine Person ändern", tag="Personen",
           permissions=[Permission.VIEW_PERSONAL_DATA, Permission.EDIT_LANDSCAPE], body=s.PersonUpdate,
           response=s.PersonOut, errors=(401, 403, 404, 409, 415, 422))
def update_person(person_id: int, body: s.PersonUpdate):
    """Ändert nur die gesendeten Felder; mit ``version_id`` 409, wenn jemand anderes inzwischen gespeichert hat."""
    person = _get(Person, person_id)
    data = body.model_dump(exclude_unset=True)
    expected = data.pop("version_id", None)
    with _writing():
        person_service.update_person(db.session, person, _person_values(data), expected)
    return person_json(person)


@operation("DELETE", "/persons/<int:person_id>", summary="Eine irrtümlich angelegte Person löschen", tag="Personen",
           permissions=[Permission.VIEW_PERSONAL_DATA, Permission.DELETE_RECORDS], status=204, errors=DELETE_ERRORS)
def delete_person(person_id: int):
    """Wie „Löschen“ auf der Seite, für Fehleingaben: mit Zugehörigkeiten, Einwilligungen, Einladungen und
    Teilnahmen; Protokoll und E-Mails werden von ihren Daten bereinigt. Für eine Person, die gelöscht werden
    möchte (Art. 17 DSGVO), ist die Anonymisierung auf der Datenschutzseite da: sie hält die Zahlen je Akteur."""
    person_service.delete_person(db.session, _get(Person, person_id))
    db.session.commit()
    return no_content()


def _affiliation_values(data: dict[str, Any]) -> dict[str, Any]:
    """API fields to the service's values; an unknown actor is a 422 on ``actor_id``."""
    values = {k: v for k, v in data.items() if k != "actor_id"}
    if "actor_id" in data:
        actor = db.session.get(Actor, data["actor_id"])
        if actor is None:
            raise ApiProblem(422, "Die Eingaben enthalten Fehler.", {"actor_id": ["Diesen Akteur gibt es nicht."]})
        values["actor"] = actor
    return values


def _affiliation_rule_error(error: ServiceError) -> ApiProblem:
    field = "actor_id" if error.field == "actor" else error.field
    return ApiProblem(422, error.message, {field or "body": [error.message]})


@operation("POST", "/persons/<int:person_id>/affiliations", summary="Eine Zugehörigkeit anlegen", tag="Personen",
           permissions=[Permission.VIEW_PERSONAL_DATA, Permission.EDIT_LANDSCAPE], body=s.AffiliationCreate,
           response=s.PersonOut, status=201, errors=(401, 403, 404, 415, 422),
           links={"UpdateAffiliation": _link("update_affiliation",
                                             affiliation_id="$response.body#/affiliations/0/id")})
def create_affiliation(person_id: int, body: s.AffiliationCreate):
    """Verbindet die Person mit einem Akteur (Regeln wie im Formular); Antwort ist die Person."""
    person = _get(Person, person_id)
    with _writing(_affiliation_rule_error):
        person_service.add_affiliation(db.session, person, _affiliation_values(body.model_dump()))
    from flask import url_for

    return person_json(person), 201, {"Location": url_for("api.get_person", person_id=person.id)}


@operation("PATCH", "/affiliations/<int:affiliation_id>", summary="Eine Zugehörigkeit ändern oder beenden",
           tag="Personen", permissions=[Permission.VIEW_PERSONAL_DATA, Permission.EDIT_LANDSCAPE],
           body=s.AffiliationUpdate, response=s.PersonOut, errors=(401, 403, 404, 415, 422))
def update_affiliation(affiliation_id: int, body: s.AffiliationUpdate):
    """Ändert die gesendeten Felder; Beenden heißt ``to_date`` setzen (die Zeile bleibt als Verlauf)."""
    affiliation = _get(Affiliation, affiliation_id)
    with _writing(_affiliation_rule_error):
        person_service.update_affiliation(db.session, affiliation,
                                          _affiliation_values(body.model_dump(exclude_unset=True)), None)
    return person_json(affiliation.person)


# --- cooperations -------------------------------------------------------------------------------

def cooperation_json(c: Cooperation) -> dict[str, Any]:
    return {
        "id": c.id, "source": _ref(c.source), "target": _ref(c.target), "type": _ref(c.type),
        "is_directed": c.is_directed, "intensity": c.intensity,
        "start_date": c.start_date.isoformat() if c.start_date else None,
        "end_date": c.end_date.isoformat() if c.end_date else None, "description": c.description,
        "initiative_id": c.initiative_id, "topics": [_ref(t) for t in c.topics],
        "life_stages": _stages(c.life_stages), "version_id": c.version_id,
    }


@operation("GET", "/cooperations", summary="Kooperationen auflisten", tag="Kooperationen",
           permissions=[Permission.VIEW_LANDSCAPE], query=s.CooperationQuery, response=s.Page[s.CooperationOut],
           errors=COMMON_READ, links=_item_links("get_cooperation", "update_cooperation", param="cooperation_id"))
def list_cooperations(query: s.CooperationQuery):
    """Kooperationen (auch beendete: Beziehungen haben Geschichte), gefiltert nach Akteur, Art, Tag …"""
    stmt = select(Cooperation).options(
        selectinload(Cooperation.source), selectinload(Cooperation.target), selectinload(Cooperation.type),
        selectinload(Cooperation.topics), selectinload(Cooperation.life_stages)).order_by(Cooperation.id)
    if query.actor_id:
        stmt = stmt.where(or_(Cooperation.source_id == query.actor_id, Cooperation.target_id == query.actor_id))
    if query.type_id:
        stmt = stmt.where(Cooperation.type_id == query.type_id)
    if query.initiative_id:
        stmt = stmt.where(Cooperation.initiative_id == query.initiative_id)
    if query.topic_id:
        stmt = stmt.where(Cooperation.id.in_(select(cooperation_topics.c.cooperation_id)
                                             .where(cooperation_topics.c.topic_id == query.topic_id)))
    if query.life_stage_id:
        stmt = stmt.where(Cooperation.id.in_(select(cooperation_life_stages.c.cooperation_id)
                                             .where(cooperation_life_stages.c.life_stage_id == query.life_stage_id)))
    if query.current_on:
        day = query.current_on
        stmt = stmt.where(or_(Cooperation.start_date.is_(None), Cooperation.start_date <= day),
                          or_(Cooperation.end_date.is_(None), Cooperation.end_date >= day))
    rows, total = page(stmt, db.session, query.limit, query.offset)
    return _page_result(rows, total, query, cooperation_json)


@operation("GET", "/cooperations/<int:cooperation_id>", summary="Eine Kooperation lesen", tag="Kooperationen",
           permissions=[Permission.VIEW_LANDSCAPE], response=s.CooperationOut, errors=(401, 403, 404),
           links=_own_links("update_cooperation", "delete_cooperation", param="cooperation_id"))
def get_cooperation(cooperation_id: int):
    """Eine Kooperation zwischen zwei Akteuren."""
    return cooperation_json(_get(Cooperation, cooperation_id))


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
            obj = db.session.get(model, data[field]) if data[field] else None
            if data[field] and obj is None:
                errors.setdefault(field, []).append(message)
            values[key] = obj
    if "topic_ids" in data:
        values["topics"] = _resolve(Topic, data["topic_ids"] or [], "topic_ids", errors)
    if "life_stage_ids" in data:
        values["life_stages"] = _resolve(LifeStage, data["life_stage_ids"] or [], "life_stage_ids", errors)
    if errors:
        raise ApiProblem(422, "Die Eingaben enthalten Fehler.", errors)
    return values


def _cooperation_rule_error(error: ServiceError) -> ApiProblem:
    field = {"source": "source_id", "target": "target_id", "type": "type_id"}.get(error.field or "", error.field)
    return ApiProblem(422, error.message, {field or "body": [error.message]})


@operation("POST", "/cooperations", summary="Eine Kooperation anlegen", tag="Kooperationen",
           permissions=[Permission.EDIT_LANDSCAPE], body=s.CooperationCreate, response=s.CooperationOut, status=201,
           errors=(401, 403, 415, 422),
           links=_own_links("get_cooperation", "update_cooperation", "delete_cooperation", param="cooperation_id"))
def create_cooperation(body: s.CooperationCreate):
    """Legt eine Kooperation an, mit denselben Regeln wie das Formular (zwei verschiedene Akteure, Ende nicht
    vor Beginn, keine zweite gleichartige Kooperation im selben Zeitraum). Antwort 201 mit ``Location``."""
    from flask import url_for

    from crm.services.landscape import cooperations as cooperation_service

    values = _cooperation_values(body.model_dump())
    with _writing(_cooperation_rule_error):
        cooperation = cooperation_service.create_cooperation(db.session, values)
    return (cooperation_json(cooperation), 201,
            {"Location": url_for("api.get_cooperation", cooperation_id=cooperation.id)})


@operation("PATCH", "/cooperations/<int:cooperation_id>", summary="Eine Kooperation ändern oder beenden",
           tag="Kooperationen", permissions=[Permission.EDIT_LANDSCAPE], body=s.CooperationUpdate,
           response=s.CooperationOut, errors=(401, 403, 404, 409, 415, 422))
def update_cooperation(cooperation_id: int, body: s.CooperationUpdate):
    """Ändert nur die gesendeten Felder; mit ``version_id`` 409 bei zwischenzeitlicher Änderung."""
    from crm.services.landscape import cooperations as cooperation_service

    cooperation = _get(Cooperation, cooperation_id)
    data = body.model_dump(exclude_unset=True)
    expected = data.pop("version_id", None)
    values = _cooperation_values(data)
    with _writing(_cooperation_rule_error):
        cooperation_service.update_cooperation(db.session, cooperation, values, expected)
    return cooperation_json(cooperation)


@operation("DELETE", "/cooperations/<int:cooperation_id>", summary="Eine irrtümlich angelegte Kooperation löschen",
           tag="Kooperationen", permissions=[Permission.DELETE_RECORDS], status=204, errors=DELETE_ERRORS)
def delete_cooperation(cooperation_id: int):
    """Für Fehleingaben. Eine Kooperation, die endet, bekommt ihr ``end_date`` (PATCH) und bleibt als Verlauf."""
    from crm.services.landscape import cooperations as cooperation_service

    cooperation_service.delete_cooperation(db.session, _get(Cooperation, cooperation_id))
    db.session.commit()
    return no_content()


# --- initiatives --------------------------------------------------------------------------------

def initiative_json(i: Initiative) -> dict[str, Any]:
    return {
        "id": i.id, "name": i.name, "short_name": i.short_name, "kind": i.kind.value, "description": i.description,
        "website": i.website, "start_date": i.start_date.isoformat() if i.start_date else None,
        "end_date": i.end_date.isoformat() if i.end_date else None, "topics": [_ref(t) for t in i.topics],
        "life_stages": _stages(i.life_stages),
        "memberships": [{"id": m.id, "actor": _ref(m.actor), "role": m.role.value,
                         "joined_on": m.joined_on.isoformat() if m.joined_on else None,
                         "left_on": m.left_on.isoformat() if m.left_on else None} for m in i.memberships],
        "version_id": i.version_id,
    }


@operation("GET", "/initiatives", summary="Initiativen auflisten", tag="Initiativen",
           permissions=[Permission.VIEW_LANDSCAPE], query=s.InitiativeQuery, response=s.Page[s.InitiativeOut],
           errors=COMMON_READ, links=_item_links("get_initiative", "update_initiative", param="initiative_id"))
def list_initiatives(query: s.InitiativeQuery):
    """Projekte, Bündnisse, Arbeitskreise und Programme mit ihren Mitgliedern."""
    stmt = select(Initiative).options(
        selectinload(Initiative.topics), selectinload(Initiative.life_stages),
        selectinload(Initiative.memberships).selectinload(Membership.actor)).order_by(
        german(Initiative.name), Initiative.id)
    if query.q.strip():
        like = _like(query.q)
        stmt = stmt.where(or_(func.lower(Initiative.name).like(like, escape="\\"),
                              func.lower(Initiative.short_name).like(like, escape="\\")))
    if query.kind:
        stmt = stmt.where(Initiative.kind == query.kind)
    if query.topic_id:
        stmt = stmt.where(Initiative.id.in_(select(initiative_topics.c.initiative_id)
                                            .where(initiative_topics.c.topic_id == query.topic_id)))
    if query.actor_id:
        stmt = stmt.where(Initiative.id.in_(select(Membership.initiative_id).where(Membership.actor_id == query.actor_id)))
    if query.active_on:
        day = query.active_on
        stmt = stmt.where(or_(Initiative.start_date.is_(None), Initiative.start_date <= day),
                          or_(Initiative.end_date.is_(None), Initiative.end_date >= day))
    rows, total = page(stmt, db.session, query.limit, query.offset)
    return _page_result(rows, total, query, initiative_json)


@operation("GET", "/initiatives/<int:initiative_id>", summary="Eine Initiative lesen", tag="Initiativen",
           permissions=[Permission.VIEW_LANDSCAPE], response=s.InitiativeOut, errors=(401, 403, 404),
           links={**_own_links("update_initiative", "create_membership", param="initiative_id"),
                  "UpdateMembership": _link("update_membership", membership_id="$response.body#/memberships/0/id")})
def get_initiative(initiative_id: int):
    """Eine Initiative mit ihren Mitgliedern und deren Rollen."""
    return initiative_json(_get(Initiative, initiative_id))


def _initiative_values(data: dict[str, Any]) -> dict[str, Any]:
    """Validated API fields to the service's values; unknown topic or stage ids are a 422."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {k: data[k] for k in ("name", "short_name", "description", "website", "start_date",
                                                  "end_date") if k in data}
    if "kind" in data:
        values["kind"] = InitiativeKind(data["kind"])
    if "topic_ids" in data:
        values["topics"] = _resolve(Topic, data["topic_ids"] or [], "topic_ids", errors)
    if "life_stage_ids" in data:
        values["life_stages"] = _resolve(LifeStage, data["life_stage_ids"] or [], "life_stage_ids", errors)
    if errors:
        raise ApiProblem(422, "Die Eingaben enthalten Fehler.", errors)
    return values


@operation("POST", "/initiatives", summary="Eine Initiative anlegen", tag="Initiativen",
           permissions=[Permission.EDIT_LANDSCAPE], body=s.InitiativeCreate, response=s.InitiativeOut, status=201,
           errors=(401, 403, 415, 422),
           links=_own_links("get_initiative", "update_initiative", "delete_initiative", "create_membership",
                            param="initiative_id"))
def create_initiative(body: s.InitiativeCreate):
    """Legt ein Projekt, Bündnis, einen Arbeitskreis oder ein Programm an (Regeln wie im Formular: der Name
    ist eindeutig, das Ende nicht vor dem Beginn). Antwort 201 mit ``Location``."""
    from flask import url_for

    with _writing():
        initiative = initiative_service.create_initiative(db.session, _initiative_values(body.model_dump()))
    return (initiative_json(initiative), 201,
            {"Location": url_for("api.get_initiative", initiative_id=initiative.id)})


@operation("PATCH", "/initiatives/<int:initiative_id>", summary="Eine Initiative ändern oder beenden",
           tag="Initiativen", permissions=[Permission.EDIT_LANDSCAPE], body=s.InitiativeUpdate,
           response=s.InitiativeOut, errors=(401, 403, 404, 409, 415, 422))
def update_initiative(initiative_id: int, body: s.InitiativeUpdate):
    """Ändert nur die gesendeten Felder; mit ``version_id`` 409, wenn jemand anderes inzwischen gespeichert
    hat. Eine abgeschlossene Initiative bekommt ihr ``end_date`` (sie bleibt im Verlauf)."""
    initiative = _get(Initiative, initiative_id)
    data = body.model_dump(exclude_unset=True)
    expected = data.pop("version_id", None)
    values = _initiative_values(data)
    with _writing():
        initiative_service.update_initiative(db.session, initiative, values, expected)
    return initiative_json(initiative)


@operation("DELETE", "/initiatives/<int:initiative_id>", summary="Eine irrtümlich angelegte Initiative löschen",
           tag="Initiativen", permissions=[Permission.DELETE_RECORDS], status=204, errors=DELETE_ERRORS)
def delete_initiative(initiative_id: int):
    """Für Fehleingaben, mit ihren Mitgliedschaften (jede im Protokoll); Kooperationen und Veranstaltungen,
    die sie nannten, bleiben ohne sie. Eine beendete Initiative bekommt besser ihr ``end_date``."""
    initiative_service.delete_initiative(db.session, _get(Initiative, initiative_id))
    db.session.commit()
    return no_content()


def _membership_values(data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {k: data[k] for k in ("joined_on", "left_on") if k in data}
    if "role" in data:
        values["role"] = MembershipRole(data["role"])
    if "actor_id" in data:
        actor = db.session.get(Actor, data["actor_id"])
        if actor is None:
            raise ApiProblem(422, "Die Eingaben enthalten Fehler.", {"actor_id": ["Diesen Akteur gibt es nicht."]})
        values["actor"] = actor
    return values


def _membership_rule_error(error: ServiceError) -> ApiProblem:
    field = "actor_id" if error.field == "actor" else error.field
    return ApiProblem(422, error.message, {field or "body": [error.message]})


@operation("POST", "/initiatives/<int:initiative_id>/memberships", summary="Ein Mitglied aufnehmen",
           tag="Initiativen", permissions=[Permission.EDIT_LANDSCAPE], body=s.MembershipCreate,
           response=s.InitiativeOut, status=201, errors=(401, 403, 404, 415, 422),
           links={"UpdateMembership": _link("update_membership", membership_id="$response.body#/memberships/0/id")})
def create_membership(initiative_id: int, body: s.MembershipCreate):
    """Ein Akteur wird Mitglied (Leitung, Partner, Mitglied, Förderer) ab ``joined_on``. Ein Akteur ist
    höchstens einmal zur selben Zeit Mitglied derselben Initiative. Antwort ist die Initiative."""
    from flask import url_for

    initiative = _get(Initiative, initiative_id)
    with _writing(_membership_rule_error):
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
    membership = _get(Membership, membership_id)
    data = body.model_dump(exclude_unset=True)
    with _writing(_membership_rule_error):
        initiative_service.update_membership(db.session, membership, _membership_values(data), None)
    initiative = membership.initiative
    db.session.refresh(initiative)
    return initiative_json(initiative)


# --- events -------------------------------------------------------------------------------------

def _event_counts(event_ids: list[int]) -> dict[int, dict[str, int]]:
    counts = {i: {"invited": 0, "accepted": 0, "declined": 0, "attended": 0} for i in event_ids}
    if not event_ids:
        return counts
    for event_id, answer, n in db.session.execute(
            select(Invitation.event_id, Invitation.answer, func.count()).where(Invitation.event_id.in_(event_ids))
            .group_by(Invitation.event_id, Invitation.answer)):
        counts[event_id]["invited"] += n
        if answer == Answer.ACCEPTED:
            counts[event_id]["accepted"] += n
        elif answer == Answer.DECLINED:
            counts[event_id]["declined"] += n
    for event_id, n in db.session.execute(
            select(Attendance.event_id, func.count()).where(Attendance.event_id.in_(event_ids))
            .group_by(Attendance.event_id)):
        counts[event_id]["attended"] = n
    return counts


def event_json(e: Event, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": e.id, "uid": e.uid, "kind": _ref(e.kind), "title": e.title, "description": e.description,
        "starts_at": e.starts_at.isoformat(), "ends_at": e.ends_at.isoformat(), "place": e.place,
        "online_url": e.online_url, "capacity": e.capacity,
        "answer_deadline": e.answer_deadline.isoformat() if e.answer_deadline else None,
        "initiative_id": e.initiative_id, "status": e.status.value, "topics": [_ref(t) for t in e.topics],
        "contact_name": e.contact_name if can(Permission.VIEW_PERSONAL_DATA) else None,
        "contact_email": e.contact_email if can(Permission.VIEW_PERSONAL_DATA) else None,
        "counts": counts, "version_id": e.version_id,
    }


@operation("GET", "/events", summary="Veranstaltungen auflisten", tag="Veranstaltungen",
           permissions=[Permission.VIEW_EVENTS], query=s.EventQuery, response=s.Page[s.EventOut], errors=COMMON_READ,
           links=_item_links("get_event", "update_event", param="event_id"))
def list_events(query: s.EventQuery):
    """Veranstaltungen nach Beginn, mit Zahlen zu Einladungen, Zusagen und Teilnahme (ohne Namen)."""
    from datetime import date, datetime, time, timedelta

    stmt = select(Event).options(selectinload(Event.kind), selectinload(Event.topics)).order_by(Event.starts_at, Event.id)
    if query.since:
        stmt = stmt.where(Event.starts_at >= datetime.combine(query.since, time.min, tzinfo=UTC))
    if query.until and query.until < date.max:
        stmt = stmt.where(Event.starts_at < datetime.combine(query.until + timedelta(days=1), time.min,
                                                             tzinfo=UTC))
    if query.status:
        stmt = stmt.where(Event.status == query.status)
    if query.kind_id:
        stmt = stmt.where(Event.kind_id == query.kind_id)
    if query.topic_id:
        stmt = stmt.where(Event.id.in_(select(event_topics.c.event_id).where(event_topics.c.topic_id == query.topic_id)))
    rows, total = page(stmt, db.session, query.limit, query.offset)
    counts = _event_counts([e.id for e in rows])
    return _page_result(rows, total, query, lambda e: event_json(e, counts[e.id]))


@operation("GET", "/events/<int:event_id>", summary="Eine Veranstaltung lesen", tag="Veranstaltungen",
           permissions=[Permission.VIEW_EVENTS], response=s.EventOut, errors=(401, 403, 404),
           links=_own_links("update_event", param="event_id"))
def get_event(event_id: int):
    """Eine Veranstaltung mit Zahlen zu Einladungen, Zusagen und Teilnahme."""
    event = _get(Event, event_id)
    return event_json(event, _event_counts([event.id])[event.id])


EVENT_FIELDS = {"end_time": "ends_at", "deadline_date": "answer_deadline"}  # the form's names → the API's


def _event_values(data: dict[str, Any], event: Event | None) -> dict[str, Any]:
    """Validated API fields to the service's values. For a PATCH the times not sent are the saved
    ones, so the service checks the order of start, end and deadline as a whole."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {k: data[k] for k in ("title", "description", "starts_at", "ends_at", "place",
                                                  "online_url", "capacity", "answer_deadline", "contact_name",
                                                  "contact_email") if k in data}
    for key in ("title", "description", "place", "online_url", "contact_name", "contact_email"):
        if isinstance(values.get(key), str):
            values[key] = values[key].strip()
    for field, key, model, message in (("kind_id", "kind", EventKind, "Diese Veranstaltungsart gibt es nicht."),
                                       ("initiative_id", "initiative", Initiative,
                                        "Diese Initiative gibt es nicht.")):
        if field in data:
            obj = db.session.get(model, data[field]) if data[field] else None
            if data[field] and obj is None:
                errors.setdefault(field, []).append(message)
            values[key] = obj
    if "topic_ids" in data:
        values["topics"] = _resolve(Topic, data["topic_ids"] or [], "topic_ids", errors)
    if errors:
        raise ApiProblem(422, "Die Eingaben enthalten Fehler.", errors)
    if event is not None:
        for key in ("starts_at", "ends_at", "answer_deadline"):
            values.setdefault(key, getattr(event, key))
    return values


def _event_rule_error(error: ServiceError) -> ApiProblem:
    field = EVENT_FIELDS.get(error.field or "", error.field)
    return ApiProblem(422, error.message, {field or "body": [error.message]})


def _event_answer(event: Event) -> dict[str, Any]:
    return event_json(event, _event_counts([event.id])[event.id])


@operation("POST", "/events", summary="Eine Veranstaltung anlegen", tag="Veranstaltungen",
           permissions=[Permission.MANAGE_EVENTS], body=s.EventCreate, response=s.EventOut, status=201,
           errors=(401, 403, 415, 422),
           links=_own_links("get_event", "update_event", "cancel_event", param="event_id"))
def create_event(body: s.EventCreate):
    """Legt eine Veranstaltung als Entwurf an (wie das Formular: das Ende nach dem Beginn, die Antwortfrist
    nicht nach dem Ende). Einladungen folgen über die Einladungsliste der Seite. Antwort 201 mit ``Location``."""
    from flask import url_for

    from crm.services.events import events as event_service

    with _writing(_event_rule_error):
        event = event_service.create_event(db.session, _event_values(body.model_dump(), None))
    return _event_answer(event), 201, {"Location": url_for("api.get_event", event_id=event.id)}


@operation("PATCH", "/events/<int:event_id>", summary="Eine Veranstaltung ändern", tag="Veranstaltungen",
           permissions=[Permission.MANAGE_EVENTS], body=s.EventUpdate, response=s.EventOut,
           errors=(401, 403, 404, 409, 415, 422))
def update_event(event_id: int, body: s.EventUpdate):
    """Ändert nur die gesendeten Felder; mit ``version_id`` 409 bei zwischenzeitlicher Änderung. Ändern sich
    Zeit, Ort oder Titel und sind Einladungen verschickt, erhalten die Gäste eine Änderungsmitteilung mit
    neuem Kalendereintrag (``notify: false`` unterdrückt sie). Abgesagte Veranstaltungen sind nicht änderbar."""
    from crm.services.events import events as event_service
    from crm.services.privacy import audit

    event = _get(Event, event_id)
    data = body.model_dump(exclude_unset=True)
    expected = data.pop("version_id", None)
    notify = data.pop("notify", True)
    values = _event_values(data, event)
    with _writing(_event_rule_error):
        _event, queued = event_service.update_event(db.session, event, values, expected, notify=notify)
        if queued:
            audit.record(db.session, "send", event, f"Änderung an {queued} Eingeladene versendet",
                         {"sequence": event.ical_sequence, "queued": queued})
    return _event_answer(event)


@operation("POST", "/events/<int:event_id>/cancel", summary="Eine Veranstaltung absagen", tag="Veranstaltungen",
           permissions=[Permission.MANAGE_EVENTS], response=s.EventOut, errors=(401, 403, 404, 422))
def cancel_event(event_id: int):
    """Sagt ab (wie auf der Seite): alle Eingeladenen erhalten die Absage mit Kalender-Löschung. Die
    Veranstaltung bleibt mit Einladungen und Teilnahmen erhalten; gelöscht werden Veranstaltungen nie."""
    from crm.services.events import events as event_service
    from crm.services.privacy import audit

    event = _get(Event, event_id)
    with _writing(_event_rule_error):
        queued = event_service.cancel_event(db.session, event)
        audit.record(db.session, "send", event, f"Veranstaltung abgesagt, {queued} Absagen versendet",
                     {"sequence": event.ical_sequence, "queued": queued})
    return _event_answer(event)
