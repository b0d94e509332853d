"""The portal's event calendar over HTTP, without login: public events only, the .ics and JSON feeds,
registration for open events through the invitation and consent records (duplicates, bad input,
bots, full and closed events), and framing by the city's website (``PORTAL_FRAME_ANCESTORS``)."""
from __future__ import annotations

import re
from html import unescape

import icalendar
import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import (
    Answer,
    Consent,
    ConsentPurpose,
    Event,
    EventStatus,
    Invitation,
    LegalBasis,
    OutboxMessage,
    Person,
    Role,
)
from crm.models.base import utcnow
from tests import factories_events as f
from tests.test_api import token_for  # noqa: F401 - fixture


@pytest.fixture
def calendar(app) -> dict[str, int]:
    """Events in every state: open, public without registration, full, closed, draft, internal, cancelled."""
    with app.app_context():
        ids = {
            "open": f.event("Offene Lernwerkstatt Robotik", days_ahead=20, is_public=True, registration_open=True,
                            public_description="Für Eltern und Kinder ab 8 Jahren.",
                            description="Interne Notiz: Moderation Frau Geheim.",
                            online_url="https://meet.example/geheim-passwort").id,
            "public": f.event("Bildungskonferenz Trier", days_ahead=50, is_public=True,
                              public_description="Die jährliche Konferenz.").id,
            "full": f.event("Volle Fortbildung", days_ahead=25, capacity=1, is_public=True,
                            registration_open=True).id,
            "closed": f.event("Geschlossene Anmeldung", days_ahead=3, deadline_days_before=5, is_public=True,
                              registration_open=True).id,
            "draft": f.event("Entwurf im Kalender", days_ahead=30, is_public=True).id,
            "internal": f.event("Internes Netzwerktreffen", days_ahead=30).id,
            "cancelled": f.event("Abgesagter Vortrag", days_ahead=40, is_public=True).id,
        }
        for key in ("open", "public", "full", "closed", "internal", "cancelled"):
            db.session.get(Event, ids[key]).status = EventStatus.PUBLISHED
        db.session.get(Event, ids["cancelled"]).status = EventStatus.CANCELLED
        taken = f.person("Platz", "Paula", email="paula@schule.example")
        invitation = f.invite(db.session.get(Event, ids["full"]), taken)[0]
        invitation.answer, invitation.invited_at = Answer.ACCEPTED, utcnow()
        db.session.commit()
        return ids


def _register(client, event_id: int, **values):
    data = {"first_name": "Mia", "last_name": "Muster", "email": "mia.muster@familie.example", "consent": "y",
            "website": "", **values}
    return client.post_form(f"/portal/kalender/{event_id}", data)


def test_calendar_lists_upcoming_public_events_by_month(client, calendar) -> None:
    page = client.get("/portal/kalender")
    assert page.status_code == 200
    text = unescape(page.get_data(as_text=True))
    for title in ("Offene Lernwerkstatt Robotik", "Bildungskonferenz Trier", "Volle Fortbildung",
                  "Geschlossene Anmeldung", "Abgesagter Vortrag"):
        assert title in text, title
    assert "Entwurf im Kalender" not in text and "Internes Netzwerktreffen" not in text
    assert re.search(r'<h2 class="h4" id="monat-\d{4}-\d{2}"', text)
    assert "Moderation Frau Geheim" not in text and "geheim-passwort" not in text
    assert 'href="webcal://localhost/portal/kalender.ics"' in text
    assert 'href="http://localhost/portal/kalender.ics"' in text
    assert page.headers["Cache-Control"].startswith("public")
    embedded = client.get("/portal/kalender?eingebettet=1").get_data(as_text=True)
    assert f'href="/portal/kalender/{calendar["open"]}" target="_blank" rel="noopener"' in embedded
    # the nav link of the portal's layout
    assert 'href="/portal/kalender"' in client.get("/portal/").get_data(as_text=True)


def test_event_page_shows_only_the_public_text(client, calendar) -> None:
    page = client.get(f"/portal/kalender/{calendar['open']}")
    text = unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    assert "Für Eltern und Kinder ab 8 Jahren." in text
    assert "Moderation Frau Geheim" not in text and "geheim-passwort" not in text and "Otto Organisation" not in text
    assert 'data-testid="portal-registration-form"' in text
    assert page.headers["Cache-Control"] == "private, no-store"  # its CSRF token belongs to one session
    public_only = unescape(client.get(f"/portal/kalender/{calendar['public']}").get_data(as_text=True))
    assert "nur mit Einladung" in public_only and "portal-registration-form" not in public_only


@pytest.mark.parametrize("key", ["draft", "internal"])
def test_an_event_not_marked_public_is_404_everywhere(client, calendar, key) -> None:
    assert client.get(f"/portal/kalender/{calendar[key]}").status_code == 404
    assert client.get(f"/portal/kalender/{calendar[key]}.ics").status_code == 404
    assert _register(client, calendar[key]).status_code == 404
    assert client.get("/portal/kalender/999999").status_code == 404


def test_ics_feeds_parse_and_name_nobody(client, calendar, app) -> None:
    response = client.get("/portal/kalender.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    feed = icalendar.Calendar.from_ical(response.data)
    assert str(feed["METHOD"]) == "PUBLISH"
    events = {str(e["SUMMARY"]): e for e in feed.walk("VEVENT")}
    assert set(events) == {"Offene Lernwerkstatt Robotik", "Bildungskonferenz Trier", "Volle Fortbildung",
                           "Geschlossene Anmeldung", "Abgesagter Vortrag"}
    assert str(events["Abgesagter Vortrag"]["STATUS"]) == "CANCELLED"
    robotics = events["Offene Lernwerkstatt Robotik"]
    assert "Für Eltern und Kinder ab 8 Jahren." in str(robotics["DESCRIPTION"])
    assert str(robotics["URL"]).endswith(f"/portal/kalender/{calendar['open']}")
    assert robotics["DTSTART"].dt.tzinfo is not None and feed.walk("VTIMEZONE")
    raw = response.get_data(as_text=True)
    for secret in ("ORGANIZER", "ATTENDEE", "otto@", "Geheim", "geheim-passwort", "paula@"):
        assert secret not in raw, secret
    with app.app_context():
        uid = db.session.get(Event, calendar["open"]).uid
    single = client.get(f"/portal/kalender/{calendar['open']}.ics")
    assert single.status_code == 200
    (only,) = icalendar.Calendar.from_ical(single.data).walk("VEVENT")
    assert str(only["UID"]) == uid


def test_json_feed(client, calendar) -> None:
    response = client.get("/portal/veranstaltungen.json")
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    rows = {row["title"]: row for row in response.get_json()["events"]}
    assert "Internes Netzwerktreffen" not in rows and "Entwurf im Kalender" not in rows
    assert rows["Offene Lernwerkstatt Robotik"]["registration"] == "open"
    assert rows["Volle Fortbildung"]["registration"] == "waitlist"
    assert rows["Geschlossene Anmeldung"]["registration"] == "closed"
    assert rows["Bildungskonferenz Trier"]["registration"] == "none"
    assert rows["Abgesagter Vortrag"]["cancelled"] is True
    assert "geheim" not in response.get_data(as_text=True).lower()


def test_registration_round_trip(client, calendar, app, login_as) -> None:
    event_id = calendar["open"]
    response = _register(client, event_id)
    assert response.status_code == 303
    assert "anmeldung=bestaetigt" in response.headers["Location"]
    shown = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Sie sind angemeldet" in shown
    with app.app_context():
        person = db.session.scalars(select(Person).where(Person.email == "mia.muster@familie.example")).one()
        assert person.legal_basis == LegalBasis.CONSENT and (person.first_name, person.last_name) == ("Mia", "Muster")
        (invitation,) = db.session.scalars(select(Invitation).where(Invitation.person_id == person.id)).all()
        assert invitation.event_id == event_id and invitation.answer == Answer.ACCEPTED
        assert invitation.invited_at is not None  # counted as a guest; "Einladungen versenden" skips it
        (consent,) = db.session.scalars(select(Consent).where(Consent.person_id == person.id)).all()
        assert consent.purpose == ConsentPurpose.INVITATIONS and consent.method == "Anmeldung im Bildungsportal"
        (mail,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.invitation_id == invitation.id)).all()
        assert mail.category == "registration" and mail.recipient == "mia.muster@familie.example"
        assert "Anmeldung bestätigt" in mail.subject
        assert "weil Sie sich im Bildungsportal angemeldet haben" in mail.body_text
        links = f.answer_links(mail.body_text)
        assert links and any(a["filename"] == "einladung.ics" for a in mail.attachments)
    # the personal link cancels, like any guest's answer
    answer_page = client.get(f.path_of(links[0]))
    assert answer_page.status_code == 200
    assert "Offene Lernwerkstatt Robotik" in unescape(answer_page.get_data(as_text=True))
    assert client.post_form(f.path_of(links[0]), {"answer": "declined"}).status_code == 303
    with app.app_context():
        assert db.session.get(Invitation, invitation.id).answer == Answer.DECLINED
    # registering again after cancelling: the same invitation says yes again
    assert _register(client, event_id).status_code == 303
    # the organiser sees the registrant on the event's list, and at the door
    organiser = login_as(Role.ORGANISER)
    listed = unescape(organiser.get(f"/veranstaltungen/{event_id}").get_data(as_text=True))
    assert "Muster" in listed
    door = unescape(organiser.get(f"/veranstaltungen/{event_id}/einlass").get_data(as_text=True))
    assert "Mia Muster" in door or "Muster, Mia" in door
    with app.app_context():
        assert db.session.get(Invitation, invitation.id).answer == Answer.ACCEPTED


def test_the_same_address_twice_makes_one_registration_and_one_mail(client, calendar, app) -> None:
    event_id = calendar["open"]
    first = _register(client, event_id)
    second = _register(client, event_id, email="MIA.Muster@familie.example", first_name="Mia Maria")
    assert first.status_code == second.status_code == 303
    assert "anmeldung=danke" in second.headers["Location"]  # tells nobody whether the address was known
    with app.app_context():
        people = db.session.scalars(select(Person).where(func.lower(Person.email) == "mia.muster@familie.example"))
        (person,) = people.all()
        assert person.first_name == "Mia"
        assert db.session.scalar(select(func.count()).select_from(Invitation)
                                 .where(Invitation.person_id == person.id)) == 1
        assert db.session.scalar(select(func.count()).select_from(Consent).where(Consent.person_id == person.id)) == 1
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.recipient == "mia.muster@familie.example")) == 1


def test_a_known_contact_registers_on_their_own_record(client, calendar, app) -> None:
    with app.app_context():
        known = f.person("Bekannt", "Berta", email="berta@schule.example")
        db.session.commit()
        known_id = known.id
    assert _register(client, calendar["open"], first_name="B.", last_name="Bekannt",
                     email="Berta@Schule.example").status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person)
                                 .where(func.lower(Person.email) == "berta@schule.example")) == 1
        invitation = db.session.scalars(select(Invitation).where(Invitation.person_id == known_id)).one()
        assert invitation.answer == Answer.ACCEPTED
        assert db.session.get(Person, known_id).first_name == "Berta"  # a visitor cannot rename a record


@pytest.mark.parametrize("values, message", [
    ({"consent": ""}, "Ohne Ihre Einwilligung können wir Sie nicht anmelden."),
    ({"email": "keine-adresse"}, "Bitte geben Sie eine gültige E-Mail-Adresse ein."),
    ({"last_name": "  "}, "Bitte geben Sie Ihren Nachnamen ein."),
    ({"first_name": ""}, "Bitte geben Sie Ihren Vornamen ein."),
    ({"first_name": "x" * 101}, "Höchstens 100 Zeichen."),
])
def test_bad_input_rerenders_in_german_and_creates_nothing(client, calendar, app, values, message) -> None:
    response = _register(client, calendar["open"], **values)
    assert response.status_code == 422
    text = unescape(response.get_data(as_text=True))
    assert message in text and "Bitte prüfen Sie die markierten Felder." in text
    assert 'aria-invalid="true"' in text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)
                                 .where(Invitation.event_id == calendar["open"])) == 0


def test_a_form_without_csrf_token_is_refused(client, calendar, app) -> None:
    response = client.post(f"/portal/kalender/{calendar['open']}",
                           data={"first_name": "Bot", "last_name": "Bot", "email": "b@b.example", "consent": "y"})
    assert response.status_code == 400  # the app-wide CSRF check, before the view
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)
                                 .where(Invitation.event_id == calendar["open"])) == 0


def test_honeypot_and_rate_limit_stop_bots(client, calendar, app) -> None:
    trapped = _register(client, calendar["open"], website="https://spam.example")
    assert trapped.status_code == 303 and "anmeldung=danke" in trapped.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    app.config["PORTAL_REGISTRATION_RATE_LIMIT"] = 2
    assert _register(client, calendar["open"], email="a@familie.example").status_code == 303
    assert _register(client, calendar["open"], email="b@familie.example").status_code == 303
    limited = _register(client, calendar["open"], email="c@familie.example")
    assert limited.status_code == 429
    assert "sehr viele Anmeldungen" in unescape(limited.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person)
                                 .where(Person.email == "c@familie.example")) == 0


def test_full_event_puts_the_visitor_on_the_waiting_list(client, calendar, app) -> None:
    page = unescape(client.get(f"/portal/kalender/{calendar['full']}").get_data(as_text=True))
    assert "Alle Plätze sind vergeben" in page and "Auf die Warteliste setzen" in page
    response = _register(client, calendar["full"])
    assert "anmeldung=warteliste" in response.headers["Location"]
    with app.app_context():
        invitation = db.session.scalars(select(Invitation).join(Person)
                                        .where(Person.email == "mia.muster@familie.example")).one()
        assert invitation.answer == Answer.WAITLISTED and invitation.waitlist_position == 1
        mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.invitation_id == invitation.id)).one()
        assert mail.category == "registration_waitlist" and not mail.attachments


@pytest.mark.parametrize("key, text", [("closed", "Die Anmeldefrist ist abgelaufen."),
                                       ("public", "Für diese Veranstaltung ist keine Anmeldung"),
                                       ("cancelled", "Die Veranstaltung wurde abgesagt.")])
def test_closed_events_say_so_and_refuse(client, calendar, app, key, text) -> None:
    page = unescape(client.get(f"/portal/kalender/{calendar[key]}").get_data(as_text=True))
    assert "portal-registration-form" not in page and 'data-testid="portal-registration-state"' in page
    refused = _register(client, calendar[key])
    assert refused.status_code == 422
    assert text in unescape(refused.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person)
                                 .where(Person.email == "mia.muster@familie.example")) == 0


def test_organiser_marks_an_event_public_in_the_form(login_as, app, calendar) -> None:
    client = login_as(Role.ORGANISER)
    event_id = calendar["internal"]
    form = client.get(f"/veranstaltungen/{event_id}/bearbeiten").get_data(as_text=True)
    assert 'name="is_public"' in form and 'name="registration_open"' in form and 'name="public_description"' in form
    with app.app_context():
        event = db.session.get(Event, event_id)
        base = {"kind": str(event.kind_id), "title": event.title, "start_date": str(event.starts_at.date()),
                "start_time": "15:00", "end_time": "17:00", "version_id": str(event.version_id)}
    refused = client.post_form(f"/veranstaltungen/{event_id}/bearbeiten", {**base, "registration_open": "y"})
    assert refused.status_code == 422
    assert "nur für Veranstaltungen, die dort erscheinen" in unescape(refused.get_data(as_text=True))
    saved = client.post_form(f"/veranstaltungen/{event_id}/bearbeiten",
                             {**base, "is_public": "y", "registration_open": "y",
                              "public_description": "Offen für alle Interessierten."})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert event.is_public and event.registration_open
        assert event.public_description == "Offen für alle Interessierten."
    shown = client.get(f"/veranstaltungen/{event_id}").get_data(as_text=True)
    assert f'href="/portal/kalender/{event_id}"' in shown and "Anmeldung ohne Einladung möglich" in unescape(shown)
    visitor = app.test_client()
    assert "Offen für alle Interessierten." in unescape(visitor.get(f"/portal/kalender/{event_id}")
                                                         .get_data(as_text=True))


# --- embedding -----------------------------------------------------------------------------------

def _frame_ancestors(response) -> str:
    csp = response.headers["Content-Security-Policy"]
    return next(part.strip() for part in csp.split(";") if part.strip().startswith("frame-ancestors"))


def test_portal_is_framed_only_by_self_by_default(client, calendar) -> None:
    for url in ("/portal/", "/portal/kalender", f"/portal/kalender/{calendar['open']}"):
        response = client.get(url)
        assert _frame_ancestors(response) == "frame-ancestors 'self'", url
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_portal_frame_ancestors_setting(database_url, _migrated) -> None:
    from tests.conftest import make_app

    app = make_app(database_url, PORTAL_FRAME_ANCESTORS="https://www.trier.example https://*.trier-saarburg.example")
    client = app.test_client()
    for url in ("/portal/", "/portal/kalender"):
        response = client.get(url)
        assert _frame_ancestors(response) == \
            "frame-ancestors 'self' https://www.trier.example https://*.trier-saarburg.example", url
        assert "X-Frame-Options" not in response.headers  # it cannot name the city's site; it must not contradict
    for url in ("/anmelden", "/antwort/kein-gueltiger-link"):
        response = client.get(url)
        assert _frame_ancestors(response) == "frame-ancestors 'self'", url
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("value", ["https://a.example; script-src *", "'unsafe-inline'", "https://a.example/pfad",
                                   "javascript:alert(1)", "*"])
def test_a_bad_frame_ancestors_value_stops_the_start(tmp_path, value) -> None:
    from crm import config

    with pytest.raises(ValueError, match="PORTAL_FRAME_ANCESTORS"):
        config.load(tmp_path, {"PORTAL_FRAME_ANCESTORS": value, "SECRET_KEY": "x"})
    loaded = config.load(tmp_path, {"PORTAL_FRAME_ANCESTORS": "https://www.trier.example/, http://localhost:8080",
                                    "SECRET_KEY": "x"})
    assert loaded["PORTAL_FRAME_ANCESTORS"] == "https://www.trier.example http://localhost:8080"


def test_past_public_events_stay_in_the_feed_for_a_while(client, app) -> None:
    with app.app_context():
        past = f.event("Vergangene Lesung", days_ahead=-10, is_public=True, deadline_days_before=None)
        old = f.event("Sehr alte Lesung", days_ahead=-200, is_public=True, deadline_days_before=None)
        for item in (past, old):
            item.status = EventStatus.DONE
        db.session.commit()
        past_id = past.id
    assert "Vergangene Lesung" not in client.get("/portal/kalender").get_data(as_text=True)
    feed = client.get("/portal/kalender.ics").get_data(as_text=True)
    assert "Vergangene Lesung" in feed and "Sehr alte Lesung" not in feed
    page = unescape(client.get(f"/portal/kalender/{past_id}").get_data(as_text=True))
    assert "Die Veranstaltung hat bereits stattgefunden." in page


def test_five_identical_registrations_at_the_same_moment_make_one(client, calendar, app) -> None:
    """The same form sent five times at once (an impatient double tap, a flaky phone connection)."""
    import threading

    from tests.conftest import CSRF_RE

    page = client.get(f"/portal/kalender/{calendar['open']}").get_data(as_text=True)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    data = {"csrf_token": CSRF_RE.search(page).group(1), "first_name": "Mia", "last_name": "Muster",
            "email": "mia.muster@familie.example", "consent": "y", "website": ""}
    start = threading.Barrier(5)
    answers: list[int] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            other = app.test_client()
            other.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie.value)
            start.wait(timeout=10)
            answers.append(other.post(f"/portal/kalender/{calendar['open']}", data=data).status_code)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and answers == [303] * 5
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person)
                                 .where(Person.email == "mia.muster@familie.example")) == 1
        assert db.session.scalar(select(func.count()).select_from(Invitation)
                                 .where(Invitation.event_id == calendar["open"])) == 1
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_a_partial_change_cannot_hide_an_event_that_takes_registrations(app, calendar) -> None:
    """The API and other callers change some fields only: the rule looks at the values the event keeps."""
    from crm.services.errors import ServiceError
    from crm.services.events import events as event_service

    with app.app_context():
        event = db.session.get(Event, calendar["open"])
        values = {"starts_at": event.starts_at, "ends_at": event.ends_at, "is_public": False}
        with pytest.raises(ServiceError, match="nur für Veranstaltungen, die dort erscheinen"):
            event_service.update_event(db.session, event, values, event.version_id)
        db.session.rollback()
        event = db.session.get(Event, calendar["open"])
        values.update(registration_open=False)
        event_service.update_event(db.session, event, values, event.version_id)
        assert not event.is_public and not event.registration_open


def test_the_api_sets_and_shows_the_portal_fields(app, client, token_for) -> None:  # noqa: F811
    from tests.test_api import _problem
    from tests.test_api_initiatives_events import _event_body

    headers = token_for(Role.ORGANISER)
    refused = _problem(client.post("/api/v1/events", headers=headers,
                                   json=_event_body(app, registration_open=True)), 422)
    assert "registration_open" in refused["errors"]
    created = client.post("/api/v1/events", headers=headers, json=_event_body(
        app, is_public=True, registration_open=True, public_description="Für alle."))
    assert created.status_code == 201, created.get_json()
    event = created.get_json()
    assert (event["is_public"], event["registration_open"], event["public_description"]) == (True, True, "Für alle.")
    hidden = client.patch(f"/api/v1/events/{event['id']}", headers=headers,
                          json={"is_public": False, "registration_open": False, "version_id": event["version_id"]})
    assert hidden.status_code == 200 and hidden.get_json()["is_public"] is False
