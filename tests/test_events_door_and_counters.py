"""Door and counters: answers count however they were recorded (by phone before the mail went
out, too), on the event page, the statistics, the list of events, the door list and the
attendance list."""
from __future__ import annotations

import re

from sqlalchemy import select

from crm.extensions import db
from crm.models import Answer, Event, EventStatus, Invitation, Role
from crm.services.events import attendance, attendance_lists, invitations, stats
from crm.services.events import events as event_service
from tests import factories_events as f


def _phoned_event(app) -> tuple[int, dict[str, int]]:
    """Six guests on the list, no mail sent; the organiser phoned round: 3 yes, 2 no, and with a
    capacity of 3 the fourth yes went to the waiting list."""
    with app.app_context():
        school = f.actor("Grundschule Olewig", kind="Grundschule")
        people = [f.person(name, "Test", at=school) for name in ("Adler", "Bauer", "Conrad", "Dorn", "Ernst", "Fuchs")]
        event = f.event("Fachtag Übergänge", capacity=3)
        event.status = EventStatus.PUBLISHED
        rows = f.invite(event, *people, f.person("Gross", "Greta", at=school))
        db.session.commit()
        for row, answer in zip(rows, [Answer.ACCEPTED] * 4 + [Answer.DECLINED] * 2):
            invitations.record_answer_for_guest(db.session, row, answer, recorded_by="otto@bildungsbuero.example")
        db.session.commit()
        assert all(i.invited_at is None for i in db.session.scalars(select(Invitation)))
        return event.id, {r.person.last_name: r.person_id for r in rows}


def _figures(page: str) -> dict[str, int]:
    block = page.split('data-testid="event-figures"', 1)[1].split("</div>\n  </div>", 1)[0]
    pairs = re.findall(r'fs-4 fw-semibold">(\d+)</div><div class="small text-body-secondary">([^<]+)<', block)
    return {label: int(value) for value, label in pairs}


def test_answers_taken_by_phone_before_the_mail_count_on_the_event_page(app, login_as) -> None:
    client = login_as(Role.ORGANISER)
    event_id, _people = _phoned_event(app)
    page = client.get(f"/veranstaltungen/{event_id}").get_data(as_text=True)
    assert _figures(page) == {"eingeladen": 6, "zugesagt": 3, "Warteliste": 1, "abgesagt": 2, "teilgenommen": 0}
    with app.app_context():
        event = db.session.get(Event, event_id)
        total = stats.for_event(db.session, event).total
        assert (total.invited, total.answered, total.accepted, total.waitlisted, total.declined) == (6, 6, 3, 1, 2)
        assert stats.summary(db.session, event) == total
        [row] = [r for r in event_service.list_events(db.session) if r.event.id == event_id]
        assert (row.invited, row.accepted, row.waitlisted) == (6, 3, 1)
    listing = client.get("/veranstaltungen/").get_data(as_text=True)
    assert "Fachtag Übergänge" in listing


def test_the_door_list_and_the_attendance_list_know_guests_who_answered_by_phone(app, login_as) -> None:
    client = login_as(Role.ORGANISER)
    event_id, people = _phoned_event(app)
    page = client.get(f"/veranstaltungen/{event_id}/einlass").get_data(as_text=True)
    names = re.findall(r'class="fw-semibold guest-name">([^<]+)<', page)
    assert names == ["Test Adler", "Test Bauer", "Test Conrad", "Test Dorn", "Test Ernst", "Test Fuchs"]
    assert "Greta Gross" not in page  # on the list, not sent, no answer: not (yet) a guest
    assert "6 von 6 Gästen" in page
    # Checking in a phoned guest counts them as a guest, not as a walk-in.
    assert client.post(f"/veranstaltungen/{event_id}/einlass/{people['Adler']}",
                       headers={"Accept": "application/json", "X-CSRFToken": client.csrf_token()}).json["count"] == 1
    with app.app_context():
        event = db.session.get(Event, event_id)
        figures = stats.summary(db.session, event)
        assert (figures.attended, figures.walk_ins, figures.no_shows) == (1, 0, 2)
        assert [line.name for line in attendance_lists.lines(db.session, event)] == [
            "Test Adler", "Test Bauer", "Test Conrad"]
        [adler] = [g for g in attendance.guests(db.session, event) if g.person_id == people["Adler"]]
        assert adler.answer == Answer.ACCEPTED and adler.is_present


def test_the_door_rows_carry_no_display_utility_that_would_beat_hidden(app, login_as) -> None:
    """The search hides rows with the ``hidden`` attribute; Bootstrap's ``d-flex`` (display:flex
    !important, later in the file than ``[hidden]``) on the row itself kept all 79 rows visible."""
    client = login_as(Role.ORGANISER)
    event_id, _people = _phoned_event(app)
    page = client.get(f"/veranstaltungen/{event_id}/einlass").get_data(as_text=True)
    rows = re.findall(r"<li [^>]*data-guest[^>]*>", page)
    assert len(rows) == 6
    assert all(not re.search(r'class="[^"]*\bd-(flex|block|grid|inline)', row) for row in rows)
    no_match = re.search(r'<li [^>]*id="no-match"[^>]*>', page).group(0)
    assert "hidden" in no_match and "d-flex" not in no_match
    # The walk-in form is above the list, not after 79 rows.
    assert page.index('data-testid="walk-in"') < page.index('id="guest-list"')
