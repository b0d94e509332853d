"""iCalendar (RFC 5545) invitations built with the ``icalendar`` package: METHOD:REQUEST and
METHOD:CANCEL (RFC 5546), one VEVENT for one attendee.

The library does the escaping, quoting and line folding; this module decides what the guests'
calendars need to see, which is what Outlook and Thunderbird care about:

* ``UID`` is the event's ``uid`` and stays the same for the event's whole life; ``SEQUENCE``
  is ``event.ical_sequence`` and grows with every update we send, so calendars replace the
  entry instead of adding a second one. ``METHOD:CANCEL`` with ``STATUS:CANCELLED`` and the
  same UID removes it.
* Times are local wall-clock times with ``TZID=Europe/Berlin`` and a ``VTIMEZONE`` built from
  the system's zoneinfo for the years the event touches (Outlook needs the VTIMEZONE; without it,
  it guesses). A change of the German rules reaches the files with the next tzdata update.
* ``ORGANIZER`` is the event's contact address, ``ATTENDEE`` the guest's address with
  ``RSVP=FALSE``: guests answer through their personal link, not by calendar reply mails that
  nobody would process.
* Names and addresses come from people's records: control characters and double quotes (which
  no parameter value may contain) are dropped before they reach the file.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import icalendar

from crm.models import Answer, Event, EventStatus
from crm.models.base import utcnow
from crm.services.events.events import BERLIN

PRODID = "-//Bildungsnetz//Veranstaltungen//DE"
TZID = "Europe/Berlin"

PARTSTAT = {
    Answer.PENDING: "NEEDS-ACTION",
    Answer.ACCEPTED: "ACCEPTED",
    Answer.TENTATIVE: "TENTATIVE",
    Answer.DECLINED: "DECLINED",
    Answer.WAITLISTED: "NEEDS-ACTION",
}


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str
    answer: Answer = Answer.PENDING


def _plain(value: str) -> str:
    """A parameter value or URI from a record: no control characters, no double quote."""
    return "".join(ch for ch in value if ch >= " " and ch not in '"\x7f').strip()


def _address(email: str, name: str, **params: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{_plain(email)}")
    if _plain(name):
        address.params["CN"] = _plain(name)
    for key, value in params.items():
        address.params[key] = value
    return address


def timezone(first: date, last: date) -> icalendar.Timezone:
    """The VTIMEZONE of Europe/Berlin from zoneinfo, covering ``first`` to ``last`` (whole years,
    so the onsets of summer and winter time around the event are in it)."""
    zone = icalendar.Timezone.from_tzinfo(BERLIN, tzid=TZID, first_date=date(first.year, 1, 1),
                                          last_date=date(last.year + 1, 1, 1))
    zone.pop("COMMENT", None)  # the library's English note on the covered years is nothing for guests
    return zone


def build(event: Event, *, method: str, organizer_email: str, organizer_name: str,
          attendee: Attendee, description: str = "", stamp: datetime | None = None) -> str:
    """One VCALENDAR with one VEVENT for ``attendee``; ``method`` is REQUEST or CANCEL."""
    method = method.upper()
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported METHOD {method!r}")
    start, end = event.starts_at.astimezone(BERLIN), event.ends_at.astimezone(BERLIN)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(timezone(start.date(), end.date()))

    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.ical_sequence)
    vevent.add("dtstamp", stamp or utcnow())
    vevent.add("dtstart", start)
    vevent.add("dtend", end)
    vevent.add("summary", event.title)
    if description:
        vevent.add("description", description.replace("\r\n", "\n").replace("\r", "\n"))
    location = event.place.strip() or event.online_url.strip()
    if location:
        vevent.add("location", location)
    online = _plain(event.online_url)
    if online.lower().startswith(("https://", "http://")):
        vevent.add("url", online)
    vevent.add("organizer", _address(organizer_email, organizer_name))
    vevent.add("attendee", _address(attendee.email, attendee.name or attendee.email, CUTYPE="INDIVIDUAL",
                                    ROLE="REQ-PARTICIPANT", PARTSTAT=PARTSTAT[attendee.answer], RSVP="FALSE"))
    vevent.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    calendar.add_component(vevent)
    return calendar.to_ical().decode("utf-8")


# --- the portal's public feeds (METHOD:PUBLISH) ---------------------------------------------------

@dataclass(frozen=True)
class FeedEntry:
    """One public event as the feed shows it: only what the portal page shows too."""

    event: Event
    url: str            # the event's page in the portal
    description: str    # the public text (never the internal description)


def build_feed(entries: list[FeedEntry], *, name: str, stamp: datetime | None = None,
               refresh_hours: int = 6) -> str:
    """A subscribable VCALENDAR (METHOD:PUBLISH, RFC 5546) of public events, no ORGANIZER or ATTENDEE:
    a feed names nobody. Same ``UID`` and ``SEQUENCE`` as the invitations, so a guest who also
    subscribed sees one event updated, not two; a cancelled event stays in the feed with
    ``STATUS:CANCELLED`` so subscribed calendars strike it instead of keeping a stale entry.
    ``REFRESH-INTERVAL`` (RFC 7986) and ``X-PUBLISHED-TTL`` (Outlook) ask for an update every few hours."""
    stamp = stamp or utcnow()
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TZID)
    calendar.add("refresh-interval", timedelta(hours=refresh_hours), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", timedelta(hours=refresh_hours))
    if entries:
        first = min(e.event.starts_at for e in entries).astimezone(BERLIN).date()
        last = max(e.event.ends_at for e in entries).astimezone(BERLIN).date()
        calendar.add_component(timezone(first, last))
    for entry in entries:
        event = entry.event
        vevent = icalendar.Event()
        vevent.add("uid", event.uid)
        vevent.add("sequence", event.ical_sequence)
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", event.starts_at.astimezone(BERLIN))
        vevent.add("dtend", event.ends_at.astimezone(BERLIN))
        vevent.add("summary", event.title)
        text = "\n\n".join(part for part in (entry.description.replace("\r\n", "\n").replace("\r", "\n").strip(),
                                             entry.url) if part)
        if text:
            vevent.add("description", text)
        if event.place.strip():
            vevent.add("location", event.place.strip())
        if _plain(entry.url).lower().startswith(("https://", "http://")):
            vevent.add("url", _plain(entry.url))
        vevent.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
        vevent.add("transp", "OPAQUE")
        calendar.add_component(vevent)
    return calendar.to_ical().decode("utf-8")
