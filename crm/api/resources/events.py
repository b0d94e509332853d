"""``/events``: Veranstaltungen with their figures; created, changed and cancelled through the
same service as the event pages (``crm.services.events.events``), never deleted."""
from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy.orm import selectinload

from crm.api import schemas as s
from crm.api.core import operation
from crm.api.resources.common import (
    COMMON_READ,
    get_or_404,
    item_links,
    list_page,
    lookup,
    own_links,
    ref,
    refuse_if,
    resolve_ids,
)
from crm.extensions import db
from crm.models import Event, EventKind, Initiative, Topic
from crm.permissions import Permission, can
from crm.services.events import events as event_service
from crm.services.events import listing
from crm.services.privacy import audit
from crm.transaction import api_saving

# The service's (the form's) names → the API's.
FIELDS = {"end_time": "ends_at", "deadline_date": "answer_deadline", "kind": "kind_id",
          "initiative": "initiative_id", "topics": "topic_ids"}


def event_json(e: Event, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": e.id, "uid": e.uid, "kind": ref(e.kind), "title": e.title, "description": e.description,
        "starts_at": e.starts_at.isoformat(), "ends_at": e.ends_at.isoformat(), "place": e.place,
        "online_url": e.online_url, "capacity": e.capacity,
        "answer_deadline": e.answer_deadline.isoformat() if e.answer_deadline else None,
        "initiative_id": e.initiative_id, "status": e.status.value, "topics": [ref(t) for t in e.topics],
        "contact_name": e.contact_name if can(Permission.VIEW_PERSONAL_DATA) else None,
        "contact_email": e.contact_email if can(Permission.VIEW_PERSONAL_DATA) else None,
        "is_public": e.is_public, "registration_open": e.registration_open,
        "public_description": e.public_description, "counts": counts, "version_id": e.version_id,
    }


def _dump(rows: list[Event]) -> list[dict[str, Any]]:
    counts = listing.event_counts(db.session, [e.id for e in rows])
    return [event_json(e, counts[e.id]) for e in rows]


@operation("GET", "/events", summary="Veranstaltungen auflisten", tag="Veranstaltungen",
           permissions=[Permission.VIEW_EVENTS], query=s.EventQuery, response=s.Page[s.EventOut], errors=COMMON_READ,
           links=item_links("get_event", "update_event", param="event_id"))
def list_events(query: s.EventQuery):
    """Veranstaltungen nach Beginn, mit Zahlen zu Einladungen, Zusagen und Teilnahme (ohne Namen)."""
    event_filter = listing.EventFilter(since=query.since, until=query.until, status=query.status,
                                       kind_id=query.kind_id, topic_id=query.topic_id)
    stmt = listing.filtered_events_query(event_filter).options(selectinload(Event.kind), selectinload(Event.topics))
    return list_page(query, stmt, _dump)


@operation("GET", "/events/<int:event_id>", summary="Eine Veranstaltung lesen", tag="Veranstaltungen",
           permissions=[Permission.VIEW_EVENTS], response=s.EventOut, errors=(401, 403, 404),
           links=own_links("update_event", param="event_id"))
def get_event(event_id: int):
    """Eine Veranstaltung mit Zahlen zu Einladungen, Zusagen und Teilnahme."""
    return _dump([get_or_404(Event, event_id)])[0]


def _event_values(data: dict[str, Any], event: Event | None) -> dict[str, Any]:
    """Validated API fields to the service's values. For a PATCH the times not sent are the saved
    ones, so the service checks the order of start, end and deadline as a whole."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {k: data[k] for k in ("title", "description", "starts_at", "ends_at", "place",
                                                  "online_url", "capacity", "answer_deadline", "contact_name",
                                                  "contact_email", "is_public", "registration_open",
                                                  "public_description") if k in data}
    for key in ("title", "description", "place", "online_url", "contact_name", "contact_email",
                "public_description"):
        if isinstance(values.get(key), str):
            values[key] = values[key].strip()
    if "kind_id" in data:
        values["kind"] = lookup(EventKind, data["kind_id"], "kind_id", "Diese Veranstaltungsart gibt es nicht.", errors)
    if "initiative_id" in data:
        values["initiative"] = lookup(Initiative, data["initiative_id"], "initiative_id",
                                      "Diese Initiative gibt es nicht.", errors)
    if "topic_ids" in data:
        values["topics"] = resolve_ids(Topic, data["topic_ids"] or [], "topic_ids", errors)
    refuse_if(errors)
    if event is not None:
        for key in ("starts_at", "ends_at", "answer_deadline"):
            values.setdefault(key, getattr(event, key))
    return values


@operation("POST", "/events", summary="Eine Veranstaltung anlegen", tag="Veranstaltungen",
           permissions=[Permission.MANAGE_EVENTS], body=s.EventCreate, response=s.EventOut, status=201,
           errors=(401, 403, 415, 422),
           links=own_links("get_event", "update_event", "cancel_event", param="event_id"))
def create_event(body: s.EventCreate):
    """Legt eine Veranstaltung als Entwurf an (wie das Formular: das Ende nach dem Beginn, die Antwortfrist
    nicht nach dem Ende). Einladungen folgen über die Einladungsliste der Seite. Antwort 201 mit ``Location``."""
    with api_saving(FIELDS):
        event = event_service.create_event(db.session, _event_values(body.model_dump(), None))
    return get_event(event.id), 201, {"Location": url_for("api.get_event", event_id=event.id)}


@operation("PATCH", "/events/<int:event_id>", summary="Eine Veranstaltung ändern", tag="Veranstaltungen",
           permissions=[Permission.MANAGE_EVENTS], body=s.EventUpdate, response=s.EventOut,
           errors=(401, 403, 404, 409, 415, 422))
def update_event(event_id: int, body: s.EventUpdate):
    """Ändert nur die gesendeten Felder; mit ``version_id`` 409 bei zwischenzeitlicher Änderung. Ändern sich
    Zeit, Ort oder Titel und sind Einladungen verschickt, erhalten die Gäste eine Änderungsmitteilung mit
    neuem Kalendereintrag (``notify: false`` unterdrückt sie). Abgesagte Veranstaltungen sind nicht änderbar."""
    event = get_or_404(Event, event_id)
    data = body.model_dump(exclude_unset=True)
    expected = data.pop("version_id", None)
    notify = data.pop("notify", True)
    values = _event_values(data, event)
    with api_saving(FIELDS):
        _event, queued = event_service.update_event(db.session, event, values, expected, notify=notify)
        if queued:
            audit.record(db.session, "send", event, f"Änderung an {queued} Eingeladene versendet",
                         {"sequence": event.ical_sequence, "queued": queued})
    return get_event(event.id)


@operation("POST", "/events/<int:event_id>/cancel", summary="Eine Veranstaltung absagen", tag="Veranstaltungen",
           permissions=[Permission.MANAGE_EVENTS], response=s.EventOut, errors=(401, 403, 404, 422))
def cancel_event(event_id: int):
    """Sagt ab (wie auf der Seite): alle Eingeladenen erhalten die Absage mit Kalender-Löschung. Die
    Veranstaltung bleibt mit Einladungen und Teilnahmen erhalten; gelöscht werden Veranstaltungen nie."""
    event = get_or_404(Event, event_id)
    with api_saving(FIELDS):
        queued = event_service.cancel_event(db.session, event)
        audit.record(db.session, "send", event, f"Veranstaltung abgesagt, {queued} Absagen versendet",
                     {"sequence": event.ical_sequence, "queued": queued})
    return get_event(event.id)
