"""What the event handlers share: loaders that answer 404, the permission pair, messages."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.wrappers import Response

from crm.extensions import db
from crm.models import Event, Invitation, Person
from crm.permissions import Permission
from crm.services.errors import ServiceError
from crm.services.mail import delivery

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


def back_to_list(event: Event) -> Response:
    """Back to the event's invitation table, on the page and with the search the form came from."""
    args: dict[str, Any] = {key: request.form[key] for key in ("q", "antwort", "seite") if request.form.get(key)}
    return redirect(url_for("events.show", event_id=event.id, **args) + "#einladungen")


def flash_queued(text: str) -> None:
    """``text`` says what went into the outbox; this adds what happens to it next, truthfully:
    no "werden jetzt zugestellt" when no delivery process has reported recently."""
    status = delivery.status(db.session)
    if not status.worker_running:
        flash(text + " " + _("Zurzeit läuft aber kein Zustelldienst: Die E-Mails warten im Postausgang und gehen "
                             "hinaus, sobald er wieder läuft. Bitte informieren Sie die technische Betreuung der "
                             "Anwendung (IT)."), "warning")
    elif status.uses_mailbox:
        link = url_for("events.mailbox_index")
        flash(Markup("{} {} <a href=\"{}\">{}</a>.").format(
            text, _("Im Entwicklungsbetrieb landen sie gleich im"), link, _("Entwicklungs-Postfach")), "success")
    else:
        flash(text + " " + _("Sie werden jetzt zugestellt."), "success")
