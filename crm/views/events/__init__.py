"""Events: list, form, invitation list, sending, reminders, mail texts, outbox, door, attendance, statistics.

Viewers (VIEW_EVENTS) see the list, the event page and the statistics without personal data;
names, addresses, the door and the attendance list need VIEW_PERSONAL_DATA as well, and every
change needs MANAGE_EVENTS.

One blueprint (``events``), its handlers split by what the organiser is doing: ``pages``,
``invitations``, ``sending`` (preview, test mail, send), ``mail`` (texts, outbox), ``mailbox`` (the
development mailbox), ``door`` and ``workshops`` (groups, proposals, dot votes); ``common`` holds the
loaders they share.
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/veranstaltungen")

from crm.views.events import door, invitations, mail, mailbox, pages, sending, workshops  # noqa: E402,F401  (register the routes)
