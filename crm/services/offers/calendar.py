"""A provider's public calendar as an iCalendar feed (RFC 5545): what a citizen subscribes to on the
provider's portal page, so the next dates of the Musikschule or the Stadtbibliothek appear in the
phone's calendar and stay current.

Offers carry days, not times (``starts_on``, ``ends_on``; the hours are words in ``schedule``), so
each dated offer is an all-day VEVENT from its first to its last day, with the schedule in the
description. Ongoing offers without dates („laufend“) have no day to show and are left out; the
portal page lists them. The UID is stable per offer and host (``offer-<id>@<host>``), so a
subscribed calendar replaces the entry when the offer changes instead of adding a second one.
Only what ``crm.services.offers.portal`` releases is in the feed.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import icalendar
from sqlalchemy.orm import Session

from crm.models import Actor, Offer
from crm.models.base import utcnow
from crm.services.offers import portal

PRODID = "-//Bildungsnetz//Bildungsportal//DE"


def _offer_event(offer: Offer, host: str, base_url: str, stamp: datetime) -> icalendar.Event:
    assert offer.starts_on is not None
    last = offer.ends_on if offer.ends_on and offer.ends_on >= offer.starts_on else offer.starts_on
    vevent = icalendar.Event()
    vevent.add("uid", f"offer-{offer.id}@{host}")
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", offer.starts_on)
    vevent.add("dtend", last + timedelta(days=1))  # DTEND of an all-day event is the day after (exclusive)
    vevent.add("summary", offer.title)
    description = "\n\n".join(part for part in (offer.schedule, offer.description) if part)
    if description:
        vevent.add("description", description.replace("\r\n", "\n").replace("\r", "\n"))
    place = portal.place_of(offer)
    if place:
        vevent.add("location", place)
    vevent.add("url", f"{base_url}/portal/angebote/{offer.id}")
    vevent.add("transp", "TRANSPARENT")  # a course over weeks does not make the subscriber busy all day
    return vevent


def provider_calendar(session: Session, actor: Actor, base_url: str, today: date | None = None,
                      stamp: datetime | None = None) -> bytes:
    """The provider's dated public offers that have not ended before ``today``, as one VCALENDAR."""
    today = today or date.today()
    stamp = stamp or utcnow()
    host = base_url.split("://", 1)[-1].split("/", 1)[0] or "bildungsnetz"
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", actor.name)
    for offer in portal.public_offers_of(session, actor):
        if offer.is_ongoing or offer.starts_on is None or (offer.ends_on or offer.starts_on) < today:
            continue
        calendar.add_component(_offer_event(offer, host, base_url, stamp))
    return calendar.to_ical()
