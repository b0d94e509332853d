"""What the event handlers share: loaders that answer 404, the permission pair, messages."""
from __future__ import annotations

from flask import abort, flash
from flask_babel import gettext as _

from crm.extensions import db
from crm.models import Event, Invitation, Person
from crm.permissions import Permission
from crm.services.errors import ServiceError

MANAGE = (Permission.MANAGE_EVENTS, Permission.VIEW_PERSONAL_DATA)


def load_event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    return event


def load_person(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    return person


def load_invitation(event: Event, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.event_id != event.id:
        abort(404)
    return invitation


def flash_error(error: ServiceError) -> None:
    flash(error.message, "danger")


def concurrent_message() -> str:
    """Two sessions changed the same rows at the same moment; the database refused the second."""
    return _("Jemand anderes hat diese Veranstaltung im selben Moment geändert. Bitte prüfen Sie den Stand und "
             "versuchen Sie es gegebenenfalls erneut.")
