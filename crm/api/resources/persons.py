"""``/persons`` and their affiliations: personal data, only with the permission for it.
The list is the person page's query (``crm.services.landscape.persons.filtered_persons_query``)."""
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
)
from crm.extensions import db
from crm.models import Actor, Affiliation, Consent, Person
from crm.models.persons import LegalBasis
from crm.permissions import Permission
from crm.services.landscape import persons as person_service
from crm.services.privacy import consent as consent_service
from crm.transaction import api_saving

AFFILIATION_FIELDS = {"actor": "actor_id"}


def person_json(person: Person, consents: list[Consent] | None = None) -> dict[str, Any]:
    """A person as JSON; ``consents`` when the caller loaded them for a whole page, else one query."""
    if consents is None:
        consents = consent_service.consents_by_person(db.session, [person.id])[person.id]
    return {
        "id": person.id, "salutation": person.salutation, "title": person.title, "first_name": person.first_name,
        "last_name": person.last_name, "email": person.email, "phone": person.phone, "notes": person.notes,
        "legal_basis": person.legal_basis.value, "is_opted_out": person.is_opted_out,
        "is_anonymised": person.is_anonymised,
        "last_activity_at": person.last_activity_at.isoformat() if person.last_activity_at else None,
        "affiliations": [{"id": a.id, "actor": ref(a.actor), "function": a.function, "email": a.email,
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
           errors=COMMON_READ, links=item_links("get_person", "update_person", param="person_id"))
def list_persons(query: s.PersonQuery):
    """Ansprechpersonen (personenbezogene Daten: nur mit der Berechtigung dafür). Suche wie auf der
    Personenseite: jedes Wort in Vor- oder Nachname, E-Mail oder Funktion; Umlaute und ß zählen nicht."""
    person_filter = person_service.PersonFilter(q=" ".join(query.q.split())[:200], actor_id=query.actor_id,
                                                include_anonymised=query.include_anonymised)
    stmt = person_service.filtered_persons_query(person_filter).options(
        selectinload(Person.affiliations).selectinload(Affiliation.actor))

    def dump(rows: list[Person]) -> list[dict[str, Any]]:
        consents = consent_service.consents_by_person(db.session, [p.id for p in rows])
        return [person_json(p, consents[p.id]) for p in rows]

    return list_page(query, stmt, dump)


@operation("GET", "/persons/<int:person_id>", summary="Eine Person lesen", tag="Personen",
           permissions=[Permission.VIEW_PERSONAL_DATA], response=s.PersonOut, errors=(401, 403, 404),
           links={**own_links("update_person", "create_affiliation", param="person_id"),
                  "UpdateAffiliation": link("update_affiliation", affiliation_id="$response.body#/affiliations/0/id")})
def get_person(person_id: int):
    """Eine Person mit Zugehörigkeiten und Einwilligungen."""
    return person_json(get_or_404(Person, person_id))


def _person_values(data: dict[str, Any]) -> dict[str, Any]:
    """Validated API fields to the service's values; the legal basis becomes the model's enum."""
    values = {k: v for k, v in data.items() if k in person_service.EDITABLE_FIELDS}
    if "legal_basis" in values:
        values["legal_basis"] = LegalBasis(values["legal_basis"])
    return values


@operation("POST", "/persons", summary="Eine Person anlegen", tag="Personen",
           permissions=[Permission.VIEW_PERSONAL_DATA, Permission.EDIT_LANDSCAPE], body=s.PersonCreate,
           response=s.PersonOut, status=201, errors=(401, 403, 415, 422),
           links=own_links("get_person", "update_person", "delete_person", "create_affiliation", param="person_id"))
def create_person(body: s.PersonCreate):
    """Legt eine Person an (über denselben Dienst wie das Formular). Antwort 201 mit ``Location``."""
    with api_saving():
        person = person_service.create_person(db.session, _person_values(body.model_dump()))
    return person_json(person), 201, {"Location": url_for("api.get_person", person_id=person.id)}


@operation("PATCH", "/persons/<int:person_id>", summary="Eine Person ändern", tag="Personen",
           permissions=[Permission.VIEW_PERSONAL_DATA, Permission.EDIT_LANDSCAPE], body=s.PersonUpdate,
           response=s.PersonOut, errors=(401, 403, 404, 409, 415, 422))
def update_person(person_id: int, body: s.PersonUpdate):
    """Ändert nur die gesendeten Felder; mit ``version_id`` 409, wenn jemand anderes inzwischen gespeichert hat."""
    person = get_or_404(Person, person_id)
    data = body.model_dump(exclude_unset=True)
    expected = data.pop("version_id", None)
    with api_saving():
        person_service.update_person(db.session, person, _person_values(data), expected)
    return person_json(person)


@operation("DELETE", "/persons/<int:person_id>", summary="Eine irrtümlich angelegte Person löschen", tag="Personen",
           permissions=[Permission.VIEW_PERSONAL_DATA, Permission.DELETE_RECORDS], status=204, errors=DELETE_ERRORS)
def delete_person(person_id: int):
    """Wie „Löschen“ auf der Seite, für Fehleingaben: mit Zugehörigkeiten, Einwilligungen, Einladungen und
    Teilnahmen; Protokoll und E-Mails werden von ihren Daten bereinigt. Für eine Person, die gelöscht werden
    möchte (Art. 17 DSGVO), ist die Anonymisierung auf der Datenschutzseite da: sie hält die Zahlen je Akteur."""
    person = get_or_404(Person, person_id)
    with api_saving():
        person_service.delete_person(db.session, person)
    return no_content()


def _affiliation_values(data: dict[str, Any]) -> dict[str, Any]:
    """API fields to the service's values; an unknown actor is a 422 on ``actor_id``."""
    values = {k: v for k, v in data.items() if k != "actor_id"}
    if "actor_id" in data:
        actor = db.session.get(Actor, data["actor_id"])
        if actor is None:
            raise ApiProblem(422, INVALID, {"actor_id": ["Diesen Akteur gibt es nicht."]})
        values["actor"] = actor
    return values


@operation("POST", "/persons/<int:person_id>/affiliations", summary="Eine Zugehörigkeit anlegen", tag="Personen",
           permissions=[Permission.VIEW_PERSONAL_DATA, Permission.EDIT_LANDSCAPE], body=s.AffiliationCreate,
           response=s.PersonOut, status=201, errors=(401, 403, 404, 415, 422),
           links={"UpdateAffiliation": link("update_affiliation",
                                            affiliation_id="$response.body#/affiliations/0/id")})
def create_affiliation(person_id: int, body: s.AffiliationCreate):
    """Verbindet die Person mit einem Akteur (Regeln wie im Formular); Antwort ist die Person."""
    person = get_or_404(Person, person_id)
    with api_saving(AFFILIATION_FIELDS):
        person_service.add_affiliation(db.session, person, _affiliation_values(body.model_dump()))
    return person_json(person), 201, {"Location": url_for("api.get_person", person_id=person.id)}


@operation("PATCH", "/affiliations/<int:affiliation_id>", summary="Eine Zugehörigkeit ändern oder beenden",
           tag="Personen", permissions=[Permission.VIEW_PERSONAL_DATA, Permission.EDIT_LANDSCAPE],
           body=s.AffiliationUpdate, response=s.PersonOut, errors=(401, 403, 404, 415, 422))
def update_affiliation(affiliation_id: int, body: s.AffiliationUpdate):
    """Ändert die gesendeten Felder; Beenden heißt ``to_date`` setzen (die Zeile bleibt als Verlauf)."""
    affiliation = get_or_404(Affiliation, affiliation_id)
    with api_saving(AFFILIATION_FIELDS):
        person_service.update_affiliation(db.session, affiliation,
                                          _affiliation_values(body.model_dump(exclude_unset=True)), None)
    return person_json(affiliation.person)
