"""Events end to end through HTTP: the form in local time, the invitation list with filters and
reasons, permissions, updates and cancellations with calendar files, reminders, mail texts,
opting out, the door, the paper list, the attendance list as PDF and XLSX, and statistics."""
from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import (
    Answer,
    Attendance,
    AttendanceSource,
    Event,
    EventKind,
    EventStatus,
    Invitation,
    LegalBasis,
    OutboxMessage,
    Person,
    Role,
)
from crm.models.base import utcnow
from crm.services.events import invitation_lists, invitations
from crm.services.mail import delivery, outbox
from tests import factories_events as f
from tests.smtp import smtp_server


def _deliver(app, server) -> list:
    app.extensions["mail"].port = server.port
    before = len(server.received)
    with app.app_context():
        report = f.worker().run_until_idle()
    return server.wait_for(before + report.sent)[before:]


# --- the event form ---------------------------------------------------------------------------

def _form(app, **values) -> dict:
    with app.app_context():
        kind = f.vocabulary(EventKind, "Bildungskonferenz").id
    data = {"kind": str(kind), "title": "Bildungskonferenz Trier 2026", "description": "Thema: Übergänge",
            "start_date": "2026-12-03", "start_time": "09:00", "end_time": "16:00", "place": "Europahalle Trier",
            "capacity": "150", "deadline_date": "2026-11-19", "deadline_time": "",
            "contact_name": "Otto Organisation", "contact_email": "otto@bildungsbuero.example"}
    data.update(values)
    return data


def test_organiser_creates_an_event_in_local_time(app, login_as) -> None:
    client = login_as(Role.ORGANISER)
    response = client.post_form("/veranstaltungen/neu", _form(app))
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalars(select(Event)).one()
        assert event.starts_at == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)    # CET: UTC+1
        assert event.ends_at == datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
        assert event.answer_deadline == datetime(2026, 11, 19, 22, 59, tzinfo=UTC)  # 23:59 local
        assert event.status == EventStatus.DRAFT and event.capacity == 150
        event_id = event.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Donnerstag, 3. Dezember 2026, 09:00–16:00 Uhr" in page
    # Summer time: the same wall-clock time is two hours ahead of UTC.
    response = client.post_form("/veranstaltungen/neu", _form(app, title="Sommer", start_date="2027-06-10",
                                                              deadline_date=""))
    with app.app_context():
        summer = db.session.scalars(select(Event).where(Event.title == "Sommer")).one()
        assert summer.starts_at == datetime(2027, 6, 10, 7, 0, tzinfo=UTC)
    edit = client.get(f"/veranstaltungen/{event_id}/bearbeiten").get_data(as_text=True)
    assert 'value="09:00"' in edit and 'value="2026-12-03"' in edit


def test_form_errors_are_german_and_keep_the_input(app, login_as) -> None:
    client = login_as(Role.ORGANISER)
    response = client.post_form("/veranstaltungen/neu", _form(app, end_time="08:00", title="Mein Titel"))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Das Ende muss nach dem Beginn liegen." in text and 'value="Mein Titel"' in text
    response = client.post_form("/veranstaltungen/neu", _form(app, deadline_date="2026-12-24"))
    assert response.status_code == 422
    assert "Die Antwortfrist muss vor dem Ende der Veranstaltung liegen." in response.get_data(as_text=True)
    response = client.post_form("/veranstaltungen/neu", _form(app, capacity="0", online_url="meet"))
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "Bitte eine Zahl ab 1 angeben." in text and "https://" in text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Event)) == 0


# --- the invitation list ----------------------------------------------------------------------

@pytest.fixture
def landscape(app):
    """Stadt Trier > Olewig; a Grundschule there (MINT, Primarstufe), a Gymnasium in the city
    (member of an initiative), a Kita in the district; persons with every reason to be left out."""
    with app.app_context():
        city = f.area("Stadt Trier")
        olewig = f.area("Olewig", parent=city)
        district = f.area("Landkreis Trier-Saarburg")
        school = f.actor("Grundschule Olewig", kind="Grundschule", area=olewig, topics=["MINT"],
                         life_stages=["Primarstufe"])
        gym = f.actor("Max-Planck-Gymnasium", kind="Gymnasium", area=city, topics=["Digitale Bildung"],
                      life_stages=["Sekundarstufe"])
        kita = f.actor("Kita St. Anna", kind="Kita", area=district, life_stages=["Frühkindliche Bildung"])
        initiative = f.initiative("MINT-Lernen in Trier", [gym])
        people = {
            "anna": f.person("Adler", "Anna", email="anna@gs-olewig.example", at=school),
            "no_mail": f.person("Bauer", "Bea", email="", at=school),
            "no_consent": f.person("Conrad", "Cem", at=school, legal_basis=LegalBasis.CONSENT),
            "opted_out": f.person("Dorn", "Dana", at=school, is_opted_out=True),
            "duplicate": f.person("Ernst", "Emil", email="anna@gs-olewig.example", at=school),
            "former": f.person("Fuchs", "Frida", at=school, to_date=date.today() - timedelta(days=1)),
            "with_consent": f.person("Gross", "Greta", at=school, legal_basis=LegalBasis.CONSENT),
            "gym": f.person("Hahn", "Hugo", at=gym, work_email="h.hahn@mpg.example"),
            "kita": f.person("Iske", "Ida", at=kita),
        }
        f.consent_for(people["with_consent"])
        earlier = f.event("Bildungsgespräch 1/2026", days_ahead=-60, deadline_days_before=None)
        earlier.status = EventStatus.DONE
        db.session.add(Attendance(event_id=earlier.id, person_id=people["gym"].id, actor_id=gym.id))
        event = f.event("Bildungsgespräch 2/2026")
        db.session.commit()
        return {"event": event.id, "earlier": earlier.id, "city": city.id, "olewig": olewig.id, "school": school.id,
                "gym": gym.id, "kita": kita.id, "initiative": initiative.id,
                "people": {k: v.id for k, v in people.items()}, "kinds": {"Grundschule": school.kind_id},
                "topic_mint": school.topics[0].id, "stage_primary": school.life_stages[0].id}


def _names(candidates) -> list[str]:
    return [c.person.last_name for c in candidates]


def test_list_builder_filters_and_reasons(app, landscape) -> None:
    L = landscape
    with app.app_context():
        event = db.session.get(Event, L["event"])
        flt = invitation_lists.ListFilter
        preview = invitation_lists.preview(db.session, event, flt(area_ids=[L["city"]]))
        assert _names(preview.included) == ["Adler", "Gross", "Hahn"]  # Olewig is inside Stadt Trier
        assert {c.person.last_name: c.reason for c in preview.excluded} == {
            "Bauer": "no_email", "Conrad": "no_consent", "Dorn": "opted_out", "Ernst": "duplicate"}
        duplicate = next(c for c in preview.excluded if c.reason == "duplicate")
        assert duplicate.reason_text == "E-Mail-Adresse doppelt (wie Anna Adler)"
        assert next(c for c in preview.included if c.person.last_name == "Hahn").email == "h.hahn@mpg.example"
        assert "Fuchs" not in _names(preview.included + preview.excluded)  # affiliation ended: not reached
        by = lambda **kw: _names(invitation_lists.preview(db.session, event, flt(**kw)).included)  # noqa: E731
        assert by(area_ids=[L["olewig"]]) == ["Adler", "Gross"]
        assert by(actor_kind_ids=[L["kinds"]["Grundschule"]]) == ["Adler", "Gross"]
        assert by(topic_ids=[L["topic_mint"]]) == ["Adler", "Gross"]
        assert by(life_stage_ids=[L["stage_primary"]]) == ["Adler", "Gross"]
        assert by(initiative_ids=[L["initiative"]]) == ["Hahn"]
        assert by(attended_event_ids=[L["earlier"]]) == ["Hahn"]
        assert by(area_ids=[L["city"]], not_attended_event_ids=[L["earlier"]]) == ["Adler", "Gross"]
        assert by() == ["Adler", "Gross", "Hahn", "Iske"]  # no criterion: everyone reachable
        added = invitation_lists.add_to_list(db.session, event, flt(area_ids=[L["olewig"]]))
        db.session.commit()
        assert added == 2
        again = invitation_lists.preview(db.session, event, flt(area_ids=[L["city"]]))
        assert _names(again.included) == ["Hahn"]
        assert {c.person.last_name: c.reason for c in again.excluded}["Adler"] == "invited"
        assert {c.person.last_name: c.reason for c in again.excluded}["Ernst"] == "duplicate"
        invitation = db.session.scalars(select(Invitation).where(
            Invitation.person_id == L["people"]["anna"])).one()
        assert invitation.actor_id == L["school"] and invitation.invited_at is None


def test_list_builder_over_http_shows_reasons_and_adds(app, login_as, landscape) -> None:
    L = landscape
    client = login_as(Role.ORGANISER)
    url = f"/veranstaltungen/{L['event']}/einladungsliste"
    page = client.get(f"{url}?areas={L['city']}&use_filters=1")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "3 Personen werden eingeladen" in text
    for reason in ("keine E-Mail-Adresse", "keine Einwilligung für Einladungen", "hat widersprochen",
                   "E-Mail-Adresse doppelt (wie Anna Adler)"):
        assert reason in text
    response = client.post_form(url, {"areas": str(L["city"]), "use_filters": "1"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 3
    assert client.get(f"{url}?areas=999999").status_code == 422  # not a choice: a validation error, not a 500
    # Hand-picked: search, then add; someone who objected is refused with the reason.
    found = client.get(f"{url}?q=iske").get_data(as_text=True)
    assert "Ida Iske" in found and "Kita St. Anna" in found
    response = client.post_form(f"{url}/person", {"person_id": str(L["people"]["kita"])})
    assert response.status_code == 302
    response = client.post_form(f"{url}/person", {"person_id": str(L["people"]["opted_out"])},
                                follow_redirects=True)
    assert "Dana Dorn wurde nicht aufgenommen: hat widersprochen" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 4
        unsent = db.session.scalars(select(Invitation).where(Invitation.person_id == L["people"]["kita"])).one()
        unsent_id = unsent.id
    assert client.post_form(f"/veranstaltungen/{L['event']}/einladungen/{unsent_id}/entfernen").status_code == 302
    with app.app_context():
        assert db.session.get(Invitation, unsent_id) is None


# --- permissions ------------------------------------------------------------------------------

def test_viewers_see_events_and_statistics_but_no_personal_data(app, create_user, client, landscape) -> None:
    L = landscape
    with app.app_context():
        event = db.session.get(Event, L["event"])
        invitation_lists.add_to_list(db.session, event, invitation_lists.ListFilter(area_ids=[L["city"]]))
        invitations.send_invitations(db.session, event)
        db.session.commit()
    base = f"/veranstaltungen/{L['event']}"
    routes = ["/veranstaltungen/", base, f"{base}/statistik", f"{base}/einladungsliste", f"{base}/einlass",
              f"{base}/teilnahme", f"{base}/teilnehmerliste.pdf", f"{base}/teilnehmerliste.xlsx", f"{base}/erinnerung",
              "/veranstaltungen/postausgang", "/veranstaltungen/neu", f"{base}/bearbeiten",
              "/veranstaltungen/vorlagen/", "/veranstaltungen/vorlagen/invitation"]
    expected = {
        "anonymous": [302] * len(routes),
        Role.VIEWER: [200, 200, 200] + [403] * (len(routes) - 3),
        Role.ORGANISER: [200] * len(routes),
        Role.COORDINATOR: [200] * len(routes),
    }
    for role, statuses in expected.items():
        if role != "anonymous":
            client.login(create_user(role).email)
        got = [client.get(route).status_code for route in routes]
        assert got == statuses, (role, list(zip(routes, got)))
        if role == Role.VIEWER:
            for route in routes[:3]:
                text = client.get(route).get_data(as_text=True)
                assert "Adler" not in text and "anna@gs-olewig.example" not in text, route
            assert client.post_form(f"{base}/versenden").status_code == 403
            assert client.post_form(f"{base}/einlass/{L['people']['anna']}").status_code == 403
        client.post_form("/abmelden") if role != "anonymous" else None


# --- updates, cancellations, reminders --------------------------------------------------------

def _sent_event(app, guests=("anna", "gym"), landscape=None):
    with app.app_context():
        event = db.session.get(Event, landscape["event"])
        invitation_lists.add_to_list(db.session, event, invitation_lists.ListFilter(),
                                     [landscape["people"][g] for g in guests], use_filters=False)
        invitations.send_invitations(db.session, event)
        db.session.commit()
        return event.id


def test_changing_and_cancelling_send_calendar_updates(app, login_as, landscape) -> None:
    client = login_as(Role.ORGANISER)
    event_id = _sent_event(app, landscape=landscape)
    with smtp_server() as server:
        first = _deliver(app, server)
        assert len(first) == 2
        with app.app_context():
            event = db.session.get(Event, event_id)
            data = _form(app, title=event.title, start_date=(date.today() + timedelta(days=31)).isoformat(),
                         start_time="10:00", end_time="12:30", place="VHS Trier, Raum 3",
                         deadline_date="", capacity="", notify="y", version_id=str(event.version_id))
        response = client.post_form(f"/veranstaltungen/{event_id}/bearbeiten", data)
        assert response.status_code == 302
        assert "2 Eingeladene erhalten eine Änderungsmitteilung" in client.get(
            response.headers["Location"]).get_data(as_text=True)
        updates = _deliver(app, server)
        assert sorted(m.rcpt_tos[0] for m in updates) == ["anna@gs-olewig.example", "h.hahn@mpg.example"]
        update = updates[0]
        assert update.subject.startswith("Geändert: Bildungsgespräch 2/2026")
        assert "VHS Trier, Raum 3" in update.text
        vevent = icalendar.Calendar.from_ical(update.calendar).walk("VEVENT")[0]
        assert int(vevent["SEQUENCE"]) == 1 and str(vevent["LOCATION"]) == "VHS Trier, Raum 3"
        assert vevent.decoded("DTSTART").strftime("%H:%M") == "10:00"
        # Saving without a calendar change sends nothing.
        with app.app_context():
            version = db.session.get(Event, event_id).version_id
        data.update(contact_name="Olga Organisation", version_id=str(version))
        assert client.post_form(f"/veranstaltungen/{event_id}/bearbeiten", data).status_code == 302
        assert _deliver(app, server) == []
        # A stale form (someone else saved meanwhile) is refused with 409 and kept.
        data.update(title="Veraltet", version_id=str(version))
        response = client.post_form(f"/veranstaltungen/{event_id}/bearbeiten", data)
        assert response.status_code == 409 and 'value="Veraltet"' in response.get_data(as_text=True)
        # Cancel: METHOD:CANCEL with the same UID and a higher SEQUENCE.
        assert client.post_form(f"/veranstaltungen/{event_id}/absagen", {}).status_code == 302  # no tick: nothing
        with app.app_context():
            assert db.session.get(Event, event_id).status == EventStatus.PUBLISHED
        assert client.post_form(f"/veranstaltungen/{event_id}/absagen", {"confirm": "y"}).status_code == 302
        cancels = _deliver(app, server)
    assert len(cancels) == 2
    cancel = cancels[0]
    assert cancel.subject.startswith("Abgesagt: Bildungsgespräch 2/2026")
    assert cancel.calendar_parts()[0].get_param("method") == "CANCEL"
    calendar = icalendar.Calendar.from_ical(cancel.calendar)
    assert str(calendar["METHOD"]) == "CANCEL"
    vevent = calendar.walk("VEVENT")[0]
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert str(vevent["UID"]) == event.uid and int(vevent["SEQUENCE"]) == event.ical_sequence == 2
        assert event.status == EventStatus.CANCELLED
    assert str(vevent["STATUS"]) == "CANCELLED"


def test_reminders_go_only_to_the_chosen_group(app, login_as, landscape) -> None:
    client = login_as(Role.ORGANISER)
    event_id = _sent_event(app, guests=("anna", "gym", "kita", "with_consent"), landscape=landscape)
    with app.app_context():
        rows = {i.person.last_name: i for i in db.session.scalars(select(Invitation))}
        rows["Adler"].answer = Answer.ACCEPTED
        rows["Hahn"].answer = Answer.DECLINED
        db.session.commit()
    with smtp_server() as server:
        _deliver(app, server)
        page = client.get(f"/veranstaltungen/{event_id}/erinnerung").get_data(as_text=True)
        assert "alle, die noch nicht geantwortet haben (2 Personen)" in page
        assert client.post_form(f"/veranstaltungen/{event_id}/erinnerung", {}).status_code == 422
        assert client.post_form(f"/veranstaltungen/{event_id}/erinnerung", {"audience": "pending"}).status_code == 302
        pending = _deliver(app, server)
        assert client.post_form(f"/veranstaltungen/{event_id}/erinnerung", {"audience": "accepted"}).status_code == 302
        accepted = _deliver(app, server)
    assert sorted(m.rcpt_tos[0] for m in pending) == ["greta.gross@schule.example", "ida.iske@schule.example"]
    assert all(m.subject.startswith("Erinnerung: ") for m in pending)
    assert "noch keine Antwort von Ihnen erhalten" in pending[0].text and f.answer_links(pending[0].text)
    assert [m.rcpt_tos[0] for m in accepted] == ["anna@gs-olewig.example"]
    assert "vielen Dank für Ihre Zusage" in accepted[0].text


# --- mail texts and opting out ----------------------------------------------------------------

def test_mail_texts_are_editable_and_unknown_placeholders_are_refused(app, login_as, landscape) -> None:
    client = login_as(Role.ORGANISER)
    url = "/veranstaltungen/vorlagen/invitation"
    page = client.get(url).get_data(as_text=True)
    assert "Einladung: {veranstaltung} am {datum}" in page
    for bad, message in (("Hallo {gruss}", "Unbekannter Platzhalter {gruss}"),
                         ("Hallo {name.__class__}", "Unbekannter Platzhalter {name.__class__}"),
                         ("Hallo {name!r}", "darf keine Formatangaben enthalten"),
                         ("Hallo {name", "Eine geschweifte Klammer ist nicht geschlossen"),
                         ("Hallo {}", "Leere Klammern")):
        response = client.post_form(url, {"subject": "Einladung", "body": bad})
        assert response.status_code == 422, bad
        text = response.get_data(as_text=True)
        assert message in text, (bad, text[:3000])
    response = client.post_form(url, {"subject": "Herzliche Einladung: {veranstaltung}",
                                      "body": "{anrede},\nkommen Sie zu {veranstaltung} ({ort}).\n{link}\n{{Klammer}}"})
    assert response.status_code == 302
    assert "angepasst" in client.get("/veranstaltungen/vorlagen/").get_data(as_text=True)
    _sent_event(app, guests=("anna",), landscape=landscape)
    with smtp_server() as server:
        [mail] = _deliver(app, server)
    assert mail.subject == "Herzliche Einladung: Bildungsgespräch 2/2026"
    assert "Sehr geehrte Frau Adler,\nkommen Sie zu Bildungsgespräch 2/2026 (Rathaus Trier, Großer Saal)." in mail.text
    assert "{Klammer}" in mail.text and f.OPT_OUT_RE.search(mail.text)  # the footer cannot be edited away
    assert client.post_form(f"{url}/zuruecksetzen").status_code == 302
    assert "Standard" in client.get("/veranstaltungen/vorlagen/").get_data(as_text=True)


def test_the_opt_out_link_in_every_mail_works(app, client, landscape) -> None:
    _sent_event(app, guests=("anna",), landscape=landscape)
    with smtp_server() as server:
        [mail] = _deliver(app, server)
    link = f.OPT_OUT_RE.search(mail.text).group(0)
    page = client.get(f.path_of(link))
    assert page.status_code == 200
    assert client.post_form(f.path_of(link)).status_code == 200
    with app.app_context():
        assert db.session.get(Person, landscape["people"]["anna"]).is_opted_out
        event = db.session.get(Event, landscape["event"])
        preview = invitation_lists.preview(db.session, event, invitation_lists.ListFilter(area_ids=[landscape["city"]]))
        assert {c.person.last_name: c.reason for c in preview.excluded}["Adler"] == "invited"
        reminder_to = [i.person.last_name for i in invitations.reminder_recipients(db.session, event, "pending")]
        assert reminder_to == []


# --- the door, the paper list, the lists ------------------------------------------------------

def _shown_present(client, event_id: int) -> list[str]:
    """What the paper-list page tells its form about who was present when it was loaded."""
    page = client.get(f"/veranstaltungen/{event_id}/teilnahme").get_data(as_text=True)
    return re.findall(r'name="shown_present" value="(\d+)"', page)


def test_check_in_with_one_click_walk_ins_and_the_paper_list(app, login_as, landscape) -> None:
    L = landscape
    client = login_as(Role.ORGANISER)
    event_id = _sent_event(app, guests=("anna", "gym", "kita"), landscape=L)
    page = client.get(f"/veranstaltungen/{event_id}/einlass")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Anna Adler" in text and "Max-Planck-Gymnasium" in text and "js/checkin.js" in text
    token = client.csrf_token()
    url = f"/veranstaltungen/{event_id}/einlass/{L['people']['anna']}"
    response = client.post(url, headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert response.status_code == 200 and response.json == {
        "person_id": L["people"]["anna"], "present": True, "count": 1, "message": "Anna Adler ist eingecheckt."}
    again = client.post(url, headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert again.json["count"] == 1  # a second click is harmless
    assert client.post(url, headers={"Accept": "application/json"}).status_code == 400  # no CSRF token
    gym_url = f"/veranstaltungen/{event_id}/einlass/{L['people']['gym']}"
    assert client.post(gym_url, headers={"X-CSRFToken": token, "Accept": "application/json"}).json["count"] == 2
    undo = client.post(gym_url + "/zuruecknehmen", headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert undo.json == {"person_id": L["people"]["gym"], "present": False, "count": 1,
                         "message": "Einlass von Hugo Hahn zurückgenommen."}
    # Walk-ins: a new person with an actor, and someone known by address.
    response = client.post_form(f"/veranstaltungen/{event_id}/einlass/neu",
                                {"first_name": "Wanda", "last_name": "Walk", "actor": "Kita St. Anna",
                                 "actor_id": str(L["kita"]), "email": ""})
    assert response.status_code == 302
    response = client.post_form(f"/veranstaltungen/{event_id}/einlass/neu",
                                {"first_name": "I.", "last_name": "Iske", "email": "IDA.ISKE@schule.example"})
    assert response.status_code == 302
    assert client.post_form(f"/veranstaltungen/{event_id}/einlass/neu", {"last_name": ""}).status_code == 422
    with app.app_context():
        rows = {a.person.last_name: a for a in db.session.scalars(
            select(Attendance).where(Attendance.event_id == event_id))}
        assert set(rows) == {"Adler", "Walk", "Iske"}
        assert rows["Walk"].source == AttendanceSource.WALK_IN and rows["Walk"].actor_id == L["kita"]
        assert rows["Walk"].person.affiliations[0].actor_id == L["kita"]
        assert rows["Iske"].person_id == L["people"]["kita"] and rows["Iske"].source == AttendanceSource.DOOR
        assert rows["Adler"].source == AttendanceSource.DOOR and rows["Adler"].actor_id == L["school"]
        assert db.session.scalar(select(func.count()).select_from(Person).where(Person.last_name == "Iske")) == 1
    # Afterwards from the paper list: Hahn was there after all, Iske was not.
    present = [L["people"]["anna"], L["people"]["gym"]]
    with app.app_context():
        present.append(db.session.scalars(select(Person.id).where(Person.last_name == "Walk")).one())
    shown = _shown_present(client, event_id)
    assert len(shown) == 3  # Adler, Walk and Iske were shown as present
    response = client.post_form(f"/veranstaltungen/{event_id}/teilnahme", {"present": [str(i) for i in present],
                                                                          "shown_present": shown})
    assert response.status_code == 302
    with app.app_context():
        rows = {a.person.last_name: a for a in db.session.scalars(
            select(Attendance).where(Attendance.event_id == event_id))}
        assert set(rows) == {"Adler", "Hahn", "Walk"} and rows["Hahn"].source == AttendanceSource.LIST
        # Attendance feeds the network: people of two actors at one event form a tie.
        from crm.services.network.records import event_edges

        ties = {(e.source, e.target) for e in event_edges(db.session)}
        assert tuple(sorted((L["school"], L["gym"]))) in ties


def test_attendance_list_as_pdf_and_xlsx(app, login_as, landscape) -> None:
    L = landscape
    client = login_as(Role.ORGANISER)
    event_id = _sent_event(app, guests=("anna", "gym", "kita"), landscape=L)
    with app.app_context():
        for invitation in db.session.scalars(select(Invitation)):
            invitation.answer = Answer.DECLINED if invitation.person.last_name == "Iske" else Answer.ACCEPTED
        many = [f.person(f"Teilnehmerin{i:03d}", "Paula") for i in range(40)]
        for p in many:
            db.session.add(Invitation(event_id=event_id, person_id=p.id, answer=Answer.ACCEPTED, invited_at=utcnow()))
        db.session.commit()
    response = client.get(f"/veranstaltungen/{event_id}/teilnehmerliste.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) >= 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Teilnehmerliste" in text and "Bildungsgespräch 2/2026" in text
    assert "Anna Adler" in text and "Hugo Hahn" in text and "Grundschule Olewig" in text
    assert "Paula Teilnehmerin039" in text and "Ida Iske" not in text  # declined: not on the list
    assert "Unterschrift" in text and f"Seite 1 von {len(reader.pages)}" in text
    assert "Rathaus Trier, Großer Saal" in text
    response = client.get(f"/veranstaltungen/{event_id}/teilnehmerliste.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "Anna Adler" in values and "Max-Planck-Gymnasium" in values and "Unterschrift" in values
    assert sheet.oddFooter.center.text == "Seite &P von &N"


def test_statistics_by_actor_kind_and_area(app, login_as, landscape) -> None:
    L = landscape
    event_id = _sent_event(app, guests=("anna", "with_consent", "gym", "kita"), landscape=L)
    with app.app_context():
        rows = {i.person.last_name: i for i in db.session.scalars(select(Invitation))}
        rows["Adler"].answer = Answer.ACCEPTED
        rows["Gross"].answer = Answer.ACCEPTED
        rows["Hahn"].answer = Answer.DECLINED
        db.session.add(Attendance(event_id=event_id, person_id=L["people"]["anna"], actor_id=L["school"]))
        walk = f.person("Walk", "Wanda")
        db.session.add(Attendance(event_id=event_id, person_id=walk.id, actor_id=L["kita"],
                                  source=AttendanceSource.WALK_IN))
        db.session.commit()
    client = login_as(Role.VIEWER)
    page = client.get(f"/veranstaltungen/{event_id}/statistik")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Adler" not in text and "Walk" not in text
    from crm.services.events import stats as event_stats

    with app.app_context():
        stats = event_stats.for_event(db.session, db.session.get(Event, event_id))
        total = stats.total
        assert (total.invited, total.answered, total.accepted, total.declined, total.attended, total.no_shows,
                total.walk_ins) == (4, 3, 2, 1, 2, 1, 1)
        kinds = dict(stats.by_kind)
        assert (kinds["Grundschule"].invited, kinds["Grundschule"].attended, kinds["Grundschule"].no_shows) == (2, 1, 1)
        assert (kinds["Kita"].invited, kinds["Kita"].walk_ins, kinds["Kita"].attended) == (1, 1, 1)
        areas = dict(stats.by_area)
        assert areas["Stadt Trier › Olewig"].accepted == 2 and areas["Stadt Trier"].declined == 1
    assert "Stadt Trier › Olewig" in text and "nicht erschienen" in text


def test_sending_skips_persons_who_objected_since_the_list_was_built(app, login_as, landscape) -> None:
    L = landscape
    client = login_as(Role.ORGANISER)
    with app.app_context():
        event = db.session.get(Event, L["event"])
        invitation_lists.add_to_list(db.session, event, invitation_lists.ListFilter(),
                                     [L["people"]["anna"], L["people"]["gym"]], use_filters=False)
        db.session.get(Person, L["people"]["gym"]).is_opted_out = True
        db.session.commit()
    response = client.post_form(f"/veranstaltungen/{L['event']}/versenden", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "1 Einladungen sind im Postausgang" in text and "Nicht versendet an Hugo Hahn" in text
    with app.app_context():
        assert [m.recipient for m in db.session.scalars(select(OutboxMessage))] == ["anna@gs-olewig.example"]
        assert db.session.get(Event, L["event"]).status == EventStatus.PUBLISHED
        assert outbox.counts(db.session)[outbox.MessageState.QUEUED] == 1


# --- sending twice, reminders twice -------------------------------------------------------------

def _at_once(app, work, count: int = 2) -> tuple[list, list[BaseException]]:
    """Run ``work(session)`` in ``count`` threads that start together, each with its own session
    and connection (as two requests of two gunicorn workers would), committing at the end."""
    import threading

    start = threading.Barrier(count)
    results: list = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context():
                db.session.connection()  # the connection is open before the race starts
                start.wait(timeout=10)
                results.append(work(db.session))
                db.session.commit()
                db.session.remove()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def _slow(monkeypatch, module, name: str, seconds: float = 0.3) -> None:
    """Slow a step down so that, without the event lock, two requests would both pass it."""
    import time

    original = getattr(module, name)

    def slowed(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(seconds)
        return result

    monkeypatch.setattr(module, name, slowed)


@pytest.mark.parametrize("status", [EventStatus.DRAFT, EventStatus.PUBLISHED])
def test_two_clicks_on_send_at_the_same_moment_send_every_invitation_once(app, landscape, monkeypatch,
                                                                           status) -> None:
    """Before the lock, two parallel requests queued 100 mails for 50 invitations (published), and
    on a draft the second failed with StaleDataError (500). Now the second waits and finds nothing."""
    L = landscape
    guests = [L["people"][g] for g in ("anna", "gym", "kita", "with_consent")]
    with app.app_context():
        event = db.session.get(Event, L["event"])
        invitation_lists.add_to_list(db.session, event, invitation_lists.ListFilter(), guests, use_filters=False)
        event.status = status
        db.session.commit()
    _slow(monkeypatch, invitations, "_texts")

    def click(session):
        return invitations.send_invitations(session, session.get(Event, L["event"])).queued

    queued, errors = _at_once(app, click)
    assert errors == []
    assert sorted(queued) == [0, 4]
    with app.app_context():
        recipients = sorted(db.session.scalars(select(OutboxMessage.recipient)
                                               .where(OutboxMessage.category == "invitation")))
        assert recipients == sorted(["anna@gs-olewig.example", "h.hahn@mpg.example", "ida.iske@schule.example",
                                     "greta.gross@schule.example"])
        assert db.session.get(Event, L["event"]).status == EventStatus.PUBLISHED
        assert all(i.invited_at is not None for i in db.session.scalars(select(Invitation)))


def test_sending_again_over_http_says_that_everything_went_out(app, login_as, landscape) -> None:
    client = login_as(Role.ORGANISER)
    _sent_event(app, guests=("anna",), landscape=landscape)
    response = client.post_form(f"/veranstaltungen/{landscape['event']}/versenden", follow_redirects=True)
    assert response.status_code == 200
    assert "Es gibt keine unversendeten Einladungen mehr" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_two_reminders_at_the_same_moment_remind_once(app, login_as, landscape, monkeypatch) -> None:
    L = landscape
    event_id = _sent_event(app, guests=("anna", "gym", "kita"), landscape=L)
    _slow(monkeypatch, invitations, "_texts")

    def click(session):
        return invitations.send_reminders(session, session.get(Event, event_id), "pending")

    queued, errors = _at_once(app, click)
    assert errors == [] and sorted(queued) == [0, 3]
    monkeypatch.undo()
    # A third click a minute later (over HTTP) does not remind them again either.
    client = login_as(Role.ORGANISER)
    assert "(0 Personen)" in client.get(f"/veranstaltungen/{event_id}/erinnerung").get_data(as_text=True)
    response = client.post_form(f"/veranstaltungen/{event_id}/erinnerung", {"audience": "pending"},
                                follow_redirects=True)
    assert "Erinnerung an 0 Personen" in response.get_data(as_text=True)
    with app.app_context():
        reminders = list(db.session.scalars(select(OutboxMessage.recipient)
                                            .where(OutboxMessage.category == "reminder_pending")))
        assert sorted(reminders) == ["anna@gs-olewig.example", "h.hahn@mpg.example", "ida.iske@schule.example"]
        # After the hour has passed, a new reminder is possible again.
        event = db.session.get(Event, event_id)
        later = utcnow() + invitations.REMINDER_REPEAT + timedelta(minutes=1)
        assert len(invitations.reminder_recipients(db.session, event, "pending", now=later)) == 3


def test_two_sessions_adding_the_same_people_at_once_add_them_once(app, landscape, monkeypatch) -> None:
    """Without the event lock both found the persons "not yet invited" and the second insert hit the
    unique constraint (500)."""
    L = landscape
    _slow(monkeypatch, invitation_lists, "preview")

    def add(session):
        event = session.get(Event, L["event"])
        return invitation_lists.add_to_list(session, event, invitation_lists.ListFilter(area_ids=[L["city"]]))

    added, errors = _at_once(app, add)
    assert errors == [] and sorted(added) == [0, 3]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 3


# --- the public address in links --------------------------------------------------------------

def test_links_to_this_machine_are_refused_outside_development_and_the_organiser_is_told_whom_to_ask(
        app, login_as, landscape) -> None:
    L = landscape
    client = login_as(Role.ORGANISER)
    with app.app_context():
        event = db.session.get(Event, L["event"])
        invitation_lists.add_to_list(db.session, event, invitation_lists.ListFilter(), [L["people"]["anna"]],
                                     use_filters=False)
        db.session.commit()
        for base, loopback in (("http://127.0.0.1:5000", True), ("http://localhost:8000/", True),
                               ("http://[::1]/", True), ("http://0.0.0.0", True), ("", True),
                               ("https://bildungsnetz.trier.de", False), ("http://10.1.2.3", False)):
            app.config["BILDUNGSNETZ_BASE_URL"] = base
            assert (delivery.base_url_problem() is not None) is loopback, base
    url = f"/veranstaltungen/{L['event']}"
    app.config["BILDUNGSNETZ_BASE_URL"] = "http://127.0.0.1:5000"
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="base-url-warning"' in page and "Im Entwicklungs- und Testbetrieb wird trotzdem" in page
    app.config["TESTING"] = False  # as in production
    try:
        page = client.get(url).get_data(as_text=True)
        assert "Deshalb wird nichts versendet" in page and "technische Betreuung der Anwendung (IT)" in page
        assert "BILDUNGSNETZ_BASE_URL" not in page, "the organiser cannot change settings: no names of them"
        send_button = re.search(r'<button[^>]*data-testid="send"[^>]*>', page).group(0)
        assert "disabled" in send_button
        response = client.post_form(f"{url}/versenden", follow_redirects=True)
        text = response.get_data(as_text=True)
        assert "Das ist der Server selbst" in text and "Es wurde nichts versendet" in text
        assert "BILDUNGSNETZ_BASE_URL" not in text
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
            assert db.session.get(Event, L["event"]).status == EventStatus.DRAFT
            event = db.session.get(Event, L["event"])
            event.status = EventStatus.PUBLISHED
            db.session.commit()
            with pytest.raises(invitations.ServiceError, match="Server selbst"):
                invitations.send_reminders(db.session, db.session.get(Event, L["event"]), "pending")
            db.session.rollback()
            event = db.session.get(Event, L["event"])
            event.status = EventStatus.DRAFT
            db.session.commit()
        # The development mailbox: the links are opened on this machine, so they work there.
        app.config["MAIL_BACKEND"] = "mailbox"
        page = client.get(url).get_data(as_text=True)
        assert 'data-testid="base-url-warning"' not in page and 'data-testid="mailbox-note"' in page
        app.config["MAIL_BACKEND"] = "smtp"
        app.config["BILDUNGSNETZ_BASE_URL"] = "https://bildungsnetz.trier.example"
        assert 'data-testid="base-url-warning"' not in client.get(url).get_data(as_text=True)
        assert client.post_form(f"{url}/versenden").status_code == 302
        with app.app_context():
            [message] = db.session.scalars(select(OutboxMessage)).all()
            assert "https://bildungsnetz.trier.example/antwort/" in message.body_text
    finally:
        app.config["TESTING"] = True
        app.config["MAIL_BACKEND"] = "smtp"


# --- status: publishing without invitations, finished events ------------------------------------

def test_a_training_without_invitations_is_published_and_records_attendance(app, login_as, landscape) -> None:
    L = landscape
    client = login_as(Role.ORGANISER)
    url = f"/veranstaltungen/{L['event']}"
    walk_in = {"first_name": "Wanda", "last_name": "Walk", "actor": "Kita St. Anna"}
    response = client.post_form(f"{url}/einlass/neu", walk_in)
    assert response.status_code == 422 and "noch ein Entwurf" in response.get_data(as_text=True)
    assert 'data-testid="publish"' in client.get(url).get_data(as_text=True)
    response = client.post_form(f"{url}/veroeffentlichen", follow_redirects=True)
    assert "Die Veranstaltung ist veröffentlicht" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Event, L["event"]).status == EventStatus.PUBLISHED
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    again = client.post_form(f"{url}/veroeffentlichen", follow_redirects=True)
    assert "Nur ein Entwurf kann veröffentlicht werden" in again.get_data(as_text=True)
    assert client.post_form(f"{url}/einlass/neu", walk_in).status_code == 302
    assert client.post_form(f"{url}/abschliessen").status_code == 302
    with app.app_context():
        assert db.session.get(Event, L["event"]).status == EventStatus.DONE
    # After the event: attendance from the paper list (a walk-in added afterwards) still works.
    assert client.post_form(f"{url}/einlass/neu", {"last_name": "Später", "actor": ""}).status_code == 302
    with app.app_context():
        names = sorted(a.person.last_name for a in db.session.scalars(select(Attendance)
                                                                      .where(Attendance.event_id == L["event"])))
        assert names == ["Später", "Walk"]


def test_editing_a_finished_event_sends_no_update(app, login_as, landscape) -> None:
    client = login_as(Role.ORGANISER)
    event_id = _sent_event(app, landscape=landscape)
    assert client.post_form(f"/veranstaltungen/{event_id}/abschliessen").status_code == 302
    page = client.get(f"/veranstaltungen/{event_id}/bearbeiten").get_data(as_text=True)
    assert 'data-testid="done-note"' in page and 'name="notify"' not in page
    with app.app_context():
        event = db.session.get(Event, event_id)
        sequence = event.ical_sequence
        data = _form(app, title="Bildungsgespräch 2/2026 (Protokoll)", start_date=(date.today() + timedelta(days=30))
                     .isoformat(), start_time="14:00", end_time="17:00", place="Rathaus, Raum 2", deadline_date="",
                     capacity="", notify="y", version_id=str(event.version_id))
    response = client.post_form(f"/veranstaltungen/{event_id}/bearbeiten", data)
    assert response.status_code == 302
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert event.title == "Bildungsgespräch 2/2026 (Protokoll)" and event.place == "Rathaus, Raum 2"
        assert event.ical_sequence == sequence
        assert list(db.session.scalars(select(OutboxMessage.category).distinct())) == ["invitation"]


# --- cancellations reach decliners --------------------------------------------------------------

def test_a_cancellation_reaches_those_who_declined_but_an_update_does_not(app, login_as, landscape) -> None:
    client = login_as(Role.ORGANISER)
    event_id = _sent_event(app, landscape=landscape)
    with app.app_context():
        gym = db.session.scalars(select(Invitation).where(Invitation.person_id == landscape["people"]["gym"])).one()
        gym.answer = Answer.DECLINED
        db.session.commit()
    with smtp_server() as server:
        assert len(_deliver(app, server)) == 2
        with app.app_context():
            event = db.session.get(Event, event_id)
            data = _form(app, title=event.title, start_date=(date.today() + timedelta(days=30)).isoformat(),
                         start_time="15:00", end_time="17:00", place="VHS Trier, Raum 3", deadline_date="",
                         capacity="", notify="y", version_id=str(event.version_id))
        assert client.post_form(f"/veranstaltungen/{event_id}/bearbeiten", data).status_code == 302
        updates = _deliver(app, server)
        assert [m.rcpt_tos for m in updates] == [["anna@gs-olewig.example"]]  # a REQUEST would re-add it for Hahn
        assert client.post_form(f"/veranstaltungen/{event_id}/absagen", {"confirm": "y"}).status_code == 302
        cancels = _deliver(app, server)
    assert sorted(m.rcpt_tos[0] for m in cancels) == ["anna@gs-olewig.example", "h.hahn@mpg.example"]
    for mail in cancels:
        calendar = icalendar.Calendar.from_ical(mail.calendar)
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


# --- walk-ins, the paper list, the form ---------------------------------------------------------

def test_walk_ins_without_address_are_recognised_by_name_and_actor(app, login_as, landscape) -> None:
    L = landscape
    client = login_as(Role.ORGANISER)
    event_id = _sent_event(app, guests=("anna",), landscape=L)
    url = f"/veranstaltungen/{event_id}/einlass/neu"
    page = client.get(f"/veranstaltungen/{event_id}/einlass").get_data(as_text=True)
    assert 'role="combobox"' in page and "js/autocomplete.js" in page and "<select" not in page.split("walk-in")[1]
    # Ida Iske (Kita St. Anna) comes without invitation and gives no address; typed a little differently.
    response = client.post_form(url, {"first_name": "ida", "last_name": "ISKE", "actor": "Kita St. Anna"})
    assert response.status_code == 302
    # Her namesake from another actor is someone else.
    assert client.post_form(url, {"first_name": "Ida", "last_name": "Iske",
                                  "actor": "Max-Planck-Gymnasium"}).status_code == 302
    response = client.post_form(url, {"last_name": "Neu", "actor": "Gibt es nicht"})
    assert response.status_code == 422 and "Keinen Akteur „Gibt es nicht“ gefunden." in response.get_data(as_text=True)
    with app.app_context():
        present = {a.person_id: a for a in db.session.scalars(
            select(Attendance).where(Attendance.event_id == event_id))}
        assert L["people"]["kita"] in present and present[L["people"]["kita"]].actor_id == L["kita"]
        idas = list(db.session.scalars(select(Person).where(Person.last_name == "Iske").order_by(Person.id)))
        assert len(idas) == 2 and idas[1].affiliations[0].actor_id == L["gym"]
    # At the next event, the walk-in from the Gymnasium is recognised, too.
    with app.app_context():
        second = f.event("Bildungsgespräch 3/2026", days_ahead=90)
        second.status = EventStatus.PUBLISHED
        db.session.commit()
        second_id = second.id
    response = client.post_form(f"/veranstaltungen/{second_id}/einlass/neu",
                                {"first_name": "Ida", "last_name": "Iske", "actor": "Max-Planck-Gymnasium"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person).where(Person.last_name == "Iske")) == 2
        [attendance] = db.session.scalars(select(Attendance).where(Attendance.event_id == second_id)).all()
        assert attendance.person_id == idas[1].id


def test_the_paper_list_keeps_door_check_ins_made_after_it_was_loaded(app, login_as, landscape) -> None:
    L = landscape
    client = login_as(Role.ORGANISER)
    event_id = _sent_event(app, guests=("anna", "gym", "kita"), landscape=L)
    token = client.csrf_token()
    door = f"/veranstaltungen/{event_id}/einlass/"
    client.post(door + str(L["people"]["gym"]), headers={"X-CSRFToken": token, "Accept": "application/json"})
    shown = _shown_present(client, event_id)
    assert shown == [str(L["people"]["gym"])]
    # While the list is being typed in, Anna Adler arrives at the door.
    client.post(door + str(L["people"]["anna"]), headers={"X-CSRFToken": token, "Accept": "application/json"})
    # The paper list as loaded: Hahn did not sign after all (unticked), Iske did.
    response = client.post_form(f"/veranstaltungen/{event_id}/teilnahme",
                                {"present": [str(L["people"]["kita"])], "shown_present": shown},
                                follow_redirects=True)
    assert "1 ergänzt, 1 entfernt" in response.get_data(as_text=True)
    with app.app_context():
        rows = {a.person.last_name: a.source for a in db.session.scalars(
            select(Attendance).where(Attendance.event_id == event_id))}
    assert rows == {"Adler": AttendanceSource.DOOR, "Iske": AttendanceSource.LIST}


@pytest.mark.parametrize("values", [{"start_date": "0001-01-01"}, {"start_date": "9999-12-31"},
                                    {"end_date": "0001-01-02"}, {"deadline_date": "0001-01-01"}])
def test_impossible_years_are_a_german_message_not_an_error(app, login_as, values) -> None:
    client = login_as(Role.ORGANISER)
    response = client.post_form("/veranstaltungen/neu", _form(app, **values))
    assert response.status_code == 422
    assert "Bitte ein Datum zwischen 1900 und 2100 angeben." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_the_attendance_list_wraps_long_names_instead_of_cutting_them(app, login_as, landscape) -> None:
    long_name = ("Förderverein der Grundschule Trier-Olewig und der Kindertagesstätte St. Anna "
                 "zur Förderung der frühkindlichen und schulischen Bildung e.V.")
    client = login_as(Role.ORGANISER)
    event_id = _sent_event(app, guests=("anna",), landscape=landscape)
    with app.app_context():
        club = f.actor(long_name)
        guest = f.person("Langenfeld-Oberhausen", "Maria-Magdalena", at=club)
        db.session.add(Invitation(event_id=event_id, person_id=guest.id, actor_id=club.id, answer=Answer.ACCEPTED,
                                  invited_at=utcnow()))
        db.session.commit()
    response = client.get(f"/veranstaltungen/{event_id}/teilnehmerliste.pdf")
    assert response.status_code == 200
    text = " ".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).split())
    assert "…" not in text
    assert long_name in text  # every word, in order, over several lines of its cell
    assert "Maria-Magdalena Langenfeld-Oberhausen" in text
