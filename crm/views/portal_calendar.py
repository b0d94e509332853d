"""The portal's event calendar (routes on the portal blueprint): the months of upcoming public events,
an event's page with the registration form for open events, and the iCalendar and JSON feeds.

What is public is decided by ``crm.services.events.public``; a registration is made by
``crm.services.events.registration``. An event that is not public answers 404 on every route.

Caching: the calendar and the feeds may sit in shared caches for a minute or a few; an event page
with the registration form never does (its CSRF token belongs to one visitor's session).
"""
from __future__ import annotations

from flask import abort, current_app, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale

from crm.extensions import db
from crm.forms.portal import RegistrationForm
from crm.models import Answer
from crm.permissions import public
from crm.services.errors import ServiceError
from crm.services.events import events, registration, registration_throttle
from crm.services.events import public as calendar
from crm.services.privacy import audit
from crm.views.portal import bp as portal_bp

FEED_NAME = "Veranstaltungen im Bildungsportal"
# Shown after a registration (the redirect's ``?anmeldung=``): a repeat of a known address gets the
# neutral text, so the page never tells a stranger whether someone else is registered.
REGISTERED = ("bestaetigt", "warteliste", "danke")


def _base() -> str:
    return request.host_url.rstrip("/")


def _feed_urls() -> dict[str, str]:
    https = url_for("portal.calendar_ics", _external=True)
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1], "json": url_for("portal.events_feed")}


@portal_bp.route("/kalender")
@public
def calendar_page():
    months = calendar.by_month(calendar.upcoming(db.session), str(get_locale() or "de"))
    response = make_response(render_template(
        "portal/calendar.html", months=months, feeds=_feed_urls(), embedded=request.args.get("eingebettet") == "1",
        format_when=events.format_when))
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


def _event_page(event, form: RegistrationForm, status: int = 200, limited: bool = False):
    state = calendar.registration_state(db.session, event)
    done = request.args.get("anmeldung") if request.method == "GET" else None
    response = make_response(render_template(
        "portal/event.html", event=event, form=form, state=state, states=calendar.Registration,
        when=events.format_when(event), deadline=events.format_moment(state.deadline),
        registered=done if done in REGISTERED else None, limited=limited, feeds=_feed_urls()), status)
    response.headers["Cache-Control"] = "private, no-store" if state.accepts else "public, max-age=60"
    return response


@portal_bp.route("/kalender/<int:event_id>", methods=["GET", "POST"])
@public
def event(event_id: int):
    found = calendar.public_event(db.session, event_id)
    if found is None:
        abort(404)
    form = RegistrationForm()
    if request.method == "GET" or not form.validate_on_submit():
        return _event_page(found, form, 422 if form.errors else 200)
    if form.is_bot:  # the honeypot: answered like a success, so the bot learns nothing
        current_app.logger.info("Portal registration for event %s dropped: honeypot filled.", event_id)
        return redirect(url_for("portal.event", event_id=event_id, anmeldung="danke", _anchor="anmeldung"), 303)
    if not registration_throttle.allowed(request.remote_addr or ""):
        return _event_page(found, form, 429, limited=True)
    try:
        with audit.acting_as("Bildungsportal (Anmeldung)"):
            result = registration.register(db.session, event_id, form.first_name.data or "",
                                           form.last_name.data or "", form.email.data or "")
    except ServiceError as error:
        db.session.rollback()
        found = calendar.public_event(db.session, event_id)
        if found is None:
            abort(404)
        if error.field and error.field in form:
            form[error.field].errors = [*form[error.field].errors, error.message]
        else:  # the event closed meanwhile: said above the form (the portal shows no flash messages)
            form.form_errors = [*form.form_errors, error.message]
        return _event_page(found, form, 422)
    db.session.commit()
    shown = ("danke" if not result.is_new else "warteliste" if result.answer == Answer.WAITLISTED
             else "bestaetigt")
    return redirect(url_for("portal.event", event_id=event_id, anmeldung=shown, _anchor="anmeldung"), 303)


def _ics(text: str, filename: str):
    response = make_response(text)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@portal_bp.route("/kalender.ics")
@public
def calendar_ics():
    return _ics(calendar.ical_feed(calendar.for_feed(db.session), _base(), FEED_NAME), "veranstaltungen.ics")


@portal_bp.route("/kalender/<int:event_id>.ics")
@public
def event_ics(event_id: int):
    found = calendar.public_event(db.session, event_id)
    if found is None:
        abort(404)
    return _ics(calendar.ical_feed([found], _base(), found.title), f"veranstaltung-{found.id}.ics")


@portal_bp.route("/veranstaltungen.json")
@public
def events_feed():
    response = jsonify({"events": calendar.json_feed(db.session, calendar.for_feed(db.session), _base())})
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"  # for the city's own website
    return response
