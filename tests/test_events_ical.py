"""The iCalendar files, built with the ``icalendar`` package: parsed back with it, line rules of
RFC 5545 checked on the wire, and the VTIMEZONE compared with the system's zoneinfo."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from crm.models import Answer, Event
from crm.services.events import ical

BERLIN = ZoneInfo("Europe/Berlin")


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


def _offset_at(zone: icalendar.Timezone, local: datetime) -> timedelta | None:
    """The UTC offset that the VTIMEZONE, read back by the parser as a tzinfo, gives a local wall time
    (built from the file's STANDARD/DAYLIGHT parts, not looked up by its TZID)."""
    return local.replace(tzinfo=zone.to_tz(lookup_tzid=False)).utcoffset()  # from the file, not by name


def test_calendar_lines_are_crlf_folded_at_75_octets_and_text_survives_a_round_trip() -> None:
    title = "Fachtag „Übergänge gestalten“ – Kita, Grundschule; Sekundarstufe: ÄÖÜäöüß " * 3
    description = "Zeile 1\nZeile 2, mit Komma; und Semikolon \\ Backslash"
    text = _build(_event(title=title, description=description))
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n")[:-1]:
        assert len(line.encode("utf-8")) <= 75, line
        line.encode("utf-8").decode("utf-8")  # every physical line is valid UTF-8 on its own
    vevent = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == title
    assert str(vevent["DESCRIPTION"]) == description


def test_names_with_commas_and_quotes_stay_readable_parameters() -> None:
    text = _build(_event(place="Europahalle, Saal 2; Eingang Nord"), name='Muster, Anna "Anni"\r\nX')
    vevent = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(vevent["LOCATION"]) == "Europahalle, Saal 2; Eingang Nord"
    assert vevent["ATTENDEE"].params["CN"] == "Muster, Anna AnniX"
    assert vevent["ORGANIZER"].params["CN"] == "Bildungsbüro Trier, Amt 40"
    assert "\r\nX" not in text.replace("\r\n ", "")  # no injected line


def test_times_are_berlin_wall_clock_with_a_vtimezone_from_zoneinfo_in_summer_and_winter() -> None:
    summer_text = _build(_event())
    assert "DTSTART;TZID=Europe/Berlin:20260702T150000" in summer_text
    winter_event = _event(starts_at=datetime(2026, 12, 3, 8, 0, tzinfo=UTC),
                          ends_at=datetime(2026, 12, 3, 15, 0, tzinfo=UTC))
    assert "DTSTART;TZID=Europe/Berlin:20261203T090000" in _build(winter_event)
    calendar = icalendar.Calendar.from_ical(summer_text)
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Berlin"
    assert {c.name for c in zone.subcomponents} >= {"DAYLIGHT", "STANDARD"}
    assert "COMMENT" not in zone
    # The VTIMEZONE agrees with zoneinfo on both sides of both changes of the event's year ...
    for local in (datetime(2026, 3, 29, 1, 0), datetime(2026, 3, 29, 4, 0), datetime(2026, 7, 2, 15, 0),
                  datetime(2026, 10, 25, 1, 0), datetime(2026, 10, 25, 4, 0), datetime(2026, 12, 3, 9, 0)):
        assert _offset_at(zone, local) == local.replace(tzinfo=BERLIN).utcoffset(), local
    # ... and a parser resolves the event's start to the right instant with it.
    [vevent] = calendar.walk("VEVENT")
    assert vevent.decoded("DTSTART").astimezone(UTC) == datetime(2026, 7, 2, 13, 0, tzinfo=UTC)
    assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert summer_text.count("BEGIN:VEVENT") == 1 and "DTSTAMP:" in summer_text


def test_an_event_over_new_year_carries_the_rules_of_both_years() -> None:
    text = _build(_event(starts_at=datetime(2026, 12, 31, 20, 0, tzinfo=UTC),
                         ends_at=datetime(2027, 1, 1, 2, 0, tzinfo=UTC)))
    [zone] = icalendar.Calendar.from_ical(text).walk("VTIMEZONE")
    assert _offset_at(zone, datetime(2027, 7, 1, 12, 0)) == timedelta(hours=2)
    assert "DTEND;TZID=Europe/Berlin:20270101T030000" in text


def test_request_and_cancel_keep_uid_sequence_organizer_and_attendee() -> None:
    request = icalendar.Calendar.from_ical(_build(_event(), answer=Answer.ACCEPTED))
    [vevent] = request.walk("VEVENT")
    assert str(request["METHOD"]) == "REQUEST" and str(vevent["STATUS"]) == "CONFIRMED"
    assert int(vevent["SEQUENCE"]) == 3 and str(vevent["UID"]) == "0f3c9e5a6b7d4c1e8f2a3b4c5d6e7f80"
    assert str(vevent["ORGANIZER"]) == "mailto:buero@trier.example"
    assert str(vevent["ATTENDEE"]) == "mailto:gast@schule.example"
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED" and vevent["ATTENDEE"].params["RSVP"] == "FALSE"
    assert vevent["ATTENDEE"].params["ROLE"] == "REQ-PARTICIPANT"
    cancel = icalendar.Calendar.from_ical(_build(_event(ical_sequence=4), method="CANCEL"))
    assert str(cancel["METHOD"]) == "CANCEL"
    [cancelled] = cancel.walk("VEVENT")
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 4
    assert str(cancelled["UID"]) == "0f3c9e5a6b7d4c1e8f2a3b4c5d6e7f80"
    online = icalendar.Calendar.from_ical(_build(_event(place="", online_url="https://meet.example/raum")))
    assert str(online.walk("VEVENT")[0]["URL"]) == "https://meet.example/raum"
    assert str(online.walk("VEVENT")[0]["LOCATION"]) == "https://meet.example/raum"
