"""The hand-written iCalendar files: escaping, folding and time zones, checked with the
``icalendar`` parser and against RFC 5545's rules line by line."""
from __future__ import annotations

from datetime import UTC, datetime

import icalendar

from crm.models import Answer, Event
from crm.services.events import ical


def _event(**values) -> Event:
    data = dict(uid="0f3c9e5a6b7d4c1e8f2a3b4c5d6e7f80", title="Bildungsgespräch 3/2026", description="",
                starts_at=datetime(2026, 7, 2, 13, 0, tzinfo=UTC), ends_at=datetime(2026, 7, 2, 15, 30, tzinfo=UTC),
                place="Rathaus", online_url="", ical_sequence=3)
    data.update(values)
    return Event(**data)


def _build(event: Event, method: str = "REQUEST", **attendee) -> str:
    return ical.build(event, method=method, organizer_email="buero@trier.example",
                      organizer_name="Bildungsbüro Trier, Amt 40", description=event.description,
                      attendee=ical.Attendee(attendee.get("email", "gast@schule.example"),
                                             attendee.get("name", "Dr. Anna Muster"), attendee.get("answer",
                                                                                                     Answer.PENDING)))


def test_lines_end_with_crlf_and_are_folded_at_75_octets_without_splitting_characters() -> None:
    title = "Fachtag „Übergänge gestalten“ – Kita, Grundschule; Sekundarstufe: ÄÖÜäöüß " * 3
    text = _build(_event(title=title, description="Zeile 1\nZeile 2, mit Komma; und Semikolon \\ Backslash"))
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n")[:-1]:
        assert len(line.encode("utf-8")) <= 75, line
        line.encode("utf-8").decode("utf-8")  # every physical line is valid UTF-8 on its own
    vevent = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == title
    assert str(vevent["DESCRIPTION"]) == "Zeile 1\nZeile 2, mit Komma; und Semikolon \\ Backslash"


def test_escaping_of_text_and_parameter_values() -> None:
    assert ical.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    assert ical.param_value('Amt 40, "Bildung"') == '"Amt 40, Bildung"'
    assert ical.param_value("Anna Muster") == "Anna Muster"
    text = _build(_event(place="Europahalle, Saal 2; Eingang Nord"), name='Muster, Anna "Anni"')
    vevent = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(vevent["LOCATION"]) == "Europahalle, Saal 2; Eingang Nord"
    assert vevent["ATTENDEE"].params["CN"] == "Muster, Anna Anni"
    assert vevent["ORGANIZER"].params["CN"] == "Bildungsbüro Trier, Amt 40"


def test_times_are_local_with_a_vtimezone_in_summer_and_winter() -> None:
    summer = icalendar.Calendar.from_ical(_build(_event()))
    [vevent] = summer.walk("VEVENT")
    assert "DTSTART;TZID=Europe/Berlin:20260702T150000" in _build(_event())
    start = vevent.decoded("DTSTART")
    assert start.astimezone(UTC) == datetime(2026, 7, 2, 13, 0, tzinfo=UTC)
    winter = _event(starts_at=datetime(2026, 12, 3, 8, 0, tzinfo=UTC), ends_at=datetime(2026, 12, 3, 15, 0, tzinfo=UTC))
    assert "DTSTART;TZID=Europe/Berlin:20261203T090000" in _build(winter)
    [tz] = summer.walk("VTIMEZONE")
    assert tz["TZID"] == "Europe/Berlin"
    assert {c.name for c in tz.subcomponents} == {"DAYLIGHT", "STANDARD"}
    assert "DTSTAMP:" in _build(_event()) and _build(_event()).count("BEGIN:VEVENT") == 1


def test_request_and_cancel() -> None:
    request = icalendar.Calendar.from_ical(_build(_event(), answer=Answer.ACCEPTED))
    [vevent] = request.walk("VEVENT")
    assert str(request["METHOD"]) == "REQUEST" and str(vevent["STATUS"]) == "CONFIRMED"
    assert int(vevent["SEQUENCE"]) == 3 and str(vevent["UID"]) == "0f3c9e5a6b7d4c1e8f2a3b4c5d6e7f80"
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED" and vevent["ATTENDEE"].params["RSVP"] == "FALSE"
    cancel = icalendar.Calendar.from_ical(_build(_event(), method="CANCEL"))
    assert str(cancel["METHOD"]) == "CANCEL"
    assert str(cancel.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    online = icalendar.Calendar.from_ical(_build(_event(place="", online_url="https://meet.example/raum")))
    assert str(online.walk("VEVENT")[0]["URL"]) == "https://meet.example/raum"
