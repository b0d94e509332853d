"""iCalendar (RFC 5545) invitations, written by hand: METHOD:REQUEST and METHOD:CANCEL (RFC 5546).

Why by hand: one event with one attendee is a few dozen lines, and writing them here keeps
every detail that Outlook and Thunderbird care about in view:

* ``UID`` is the event's ``uid`` and stays the same for the event's whole life; ``SEQUENCE``
  is ``event.ical_sequence`` and grows with every update we send, so calendars replace the
  entry instead of adding a second one. ``METHOD:CANCEL`` with ``STATUS:CANCELLED`` and the
  same UID removes it.
* Times are local wall-clock times with ``TZID=Europe/Berlin`` and a ``VTIMEZONE`` that
  describes CET/CEST (Outlook needs the VTIMEZONE; without it, it guesses).
* ``ORGANIZER`` is the office's sender address, ``ATTENDEE`` the guest's address with
  ``RSVP=FALSE``: guests answer through their personal link, not by calendar reply mails that
  nobody would process.
* TEXT values are escaped (backslash, semicolon, comma, newline), parameter values with
  ``:;,`` are quoted (and may not contain a double quote), and lines are folded at 75 octets
  without splitting a UTF-8 character; lines end with CRLF.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from crm.models import Answer, Event
from crm.models.base import utcnow
from crm.services.events.events import BERLIN

PRODID = "-//Bildungsnetz//Veranstaltungen//DE"

VTIMEZONE_BERLIN = (
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Berlin",
    "X-LIC-LOCATION:Europe/Berlin",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)

PARTSTAT = {
    Answer.PENDING: "NEEDS-ACTION",
    Answer.ACCEPTED: "ACCEPTED",
    Answer.TENTATIVE: "TENTATIVE",
    Answer.DECLINED: "DECLINED",
    Answer.WAITLISTED: "NEEDS-ACTION",
}


def escape_text(value: str) -> str:
    """RFC 5545 3.3.11: backslash, semicolon, comma and newlines in TEXT values."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n"))


def param_value(value: str) -> str:
    """RFC 5545 3.2: a parameter value with ``:;,`` is quoted; DQUOTE and controls are not allowed."""
    value = "".join(ch for ch in value if ch >= " " and ch != '"' and ch != "\x7f")
    if any(ch in value for ch in ":;,"):
        return f'"{value}"'
    return value


def safe_uri(value: str) -> str:
    """A URI value (not TEXT): no escaping, but no line breaks or control characters either."""
    return "".join(ch for ch in value if ch >= " " and ch != "\x7f")


def fold(line: str) -> str:
    """RFC 5545 3.1: at most 75 octets per line; continuation lines start with one space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    limit = 75
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = ch, width, 74  # the leading space counts on continuation lines
        else:
            current += ch
            size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _local(value: datetime) -> str:
    return value.astimezone(BERLIN).strftime("%Y%m%dT%H%M%S")


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str
    answer: Answer = Answer.PENDING


def build(event: Event, *, method: str, organizer_email: str, organizer_name: str,
          attendee: Attendee, description: str = "", stamp: datetime | None = None) -> str:
    """One VCALENDAR with one VEVENT for ``attendee``; ``method`` is REQUEST or CANCEL."""
    method = method.upper()
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported METHOD {method!r}")
    cancelled = method == "CANCEL"
    location = event.place.strip() or event.online_url.strip()
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        *VTIMEZONE_BERLIN,
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"SEQUENCE:{event.ical_sequence}",
        f"DTSTAMP:{_utc(stamp or utcnow())}",
        f"DTSTART;TZID=Europe/Berlin:{_local(event.starts_at)}",
        f"DTEND;TZID=Europe/Berlin:{_local(event.ends_at)}",
        f"SUMMARY:{escape_text(event.title)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    if event.online_url.strip().lower().startswith(("https://", "http://")):
        lines.append(f"URL:{safe_uri(event.online_url.strip())}")
    lines += [
        f"ORGANIZER;CN={param_value(organizer_name)}:mailto:{safe_uri(organizer_email)}",
        f"ATTENDEE;CN={param_value(attendee.name or attendee.email)};CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;"
        f"PARTSTAT={PARTSTAT[attendee.answer]};RSVP=FALSE:mailto:{safe_uri(attendee.email)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)
