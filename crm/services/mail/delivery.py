"""Whether mail queued now will reach the guests: where it goes, whether anyone delivers it, and
whether the links in it work from outside.

The organiser who clicks "send" cannot change the server's settings, so what they are told
names no setting: it says what happens to the mail and whom to ask (the IT that runs the
application). The settings themselves are documented for that IT in the README.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy.orm import Session

from crm.models.base import utcnow
from crm.services.errors import ServiceError
from crm.services.mail.mailer import backend
from crm.services.system import heartbeat

LOOPBACK_HOSTS = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
TASK = "outbox"


def _is_loopback(host: str) -> bool:
    host = host.lower().rstrip(".")
    if not host or host in LOOPBACK_HOSTS or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def base_url() -> str:
    return str(current_app.config.get("BILDUNGSNETZ_BASE_URL") or "").strip()


def uses_mailbox() -> bool:
    """Development: mail goes to the mailbox inside the application and never leaves the machine."""
    return backend(current_app) == "mailbox"


def base_url_is_local() -> bool:
    """The address in links is this machine (127.0.0.1, localhost, ::1, 0.0.0.0) or empty."""
    return _is_loopback(urlsplit(base_url()).hostname or "")


def base_url_problem() -> str | None:
    """Why answer and opt-out links in mails would not work for guests, or None.

    A production installation that kept the development address would send 150 invitations
    whose every link points at each guest's own computer. In the development mailbox the links
    are opened on this machine, so there they work.
    """
    if uses_mailbox() or not base_url_is_local():
        return None
    return (f"Die Links in den E-Mails (Antwort und Abmeldung) führen auf „{base_url() or 'keine Adresse'}“. "
            "Das ist der Server selbst: Gäste erreichen diese Adresse von außen nicht.")


def sending_blocked() -> bool:
    """Outside development and tests, mails with links to this machine are refused."""
    return base_url_problem() is not None and not (current_app.testing or current_app.debug)


WHOM_TO_ASK = ("Bitte bitten Sie die technische Betreuung der Anwendung (IT), die öffentliche Adresse der "
               "Anwendung einzutragen; danach können Sie hier versenden.")


def check_base_url(field: str | None = None) -> None:
    """Raise a German ServiceError before queueing mails whose links could not work."""
    problem = base_url_problem()
    if problem and sending_blocked():
        raise ServiceError(f"{problem} Es wurde nichts versendet. {WHOM_TO_ASK}", field)


@dataclass(frozen=True)
class Status:
    """What the event page and the send page show about delivery."""

    uses_mailbox: bool
    worker_running: bool
    last_beat: datetime | None
    base_url: str
    base_url_unreachable: bool  # links would point at this machine (and mail leaves it)
    sending_blocked: bool


def status(session: Session) -> Status:
    last = heartbeat.last_beat(session, TASK)
    running = last is not None and last >= utcnow() - heartbeat.STALE_AFTER
    return Status(uses_mailbox=uses_mailbox(), worker_running=running,
                  last_beat=last, base_url=base_url(), base_url_unreachable=base_url_problem() is not None,
                  sending_blocked=sending_blocked())
