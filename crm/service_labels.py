"""The German labels that ``crm.services`` keeps in plain tables, shown in the user's language.

The services stay free of translation (they also run in the CLI and the outbox worker): they mark
their labels and messages with ``N_`` (``crm.services.errors``; a pybabel keyword in babel.cfg), and
the forms and views that show one of their labels — a pick list, a status badge, an import field —
pass it through ``label()`` / ``labels()`` at request time.

The tables below are the labels of services not yet marked that way: pybabel only finds a message
id written out as a literal at a keyword, so they are listed once more here.
``tests/test_english_locale.py`` checks that every label the service tables hold has an English
translation, so a label added without a mark fails a test instead of silently showing German.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as pgettext  # lazy; named so that pybabel's default keywords find it
from flask_babel import pgettext as _pgettext

K = TypeVar("K")

#: The status of an event: „abgesagt“ is a cancelled event here, but a guest's answer elsewhere.
EVENT_STATUS = "Veranstaltungsstatus"


def label(text: str, context: str | None = None) -> str:
    """``text`` in the user's language; the German text itself where no translation exists."""
    if not text:
        return text
    return _pgettext(context, text) if context else gettext(text)


def labels(mapping: Mapping[K, str], context: str | None = None) -> dict[K, str]:
    """A label table (key -> German label) with each label in the user's language."""
    return {key: label(text, context) for key, text in mapping.items()}


MARKED = (
    # crm.services.events.invitations.ANSWER_LABELS
    _l("keine Antwort"), _l("Zusage"), _l("vielleicht"), _l("Absage"), _l("Warteliste"),
    # crm.services.mail.outbox.STATE_LABELS
    _l("wartet"), _l("wird gesendet"), _l("gesendet"), _l("fehlgeschlagen"),
    # crm.services.events.stats.LABELS (the guests' answers and attendance)
    _l("eingeladen"), _l("geantwortet"), _l("zugesagt"), _l("abgesagt"), _l("teilgenommen"),
    _l("nicht erschienen"), _l("ohne Einladung"),
    # crm.services.events.invitation_lists.REASONS
    _l("bereits eingeladen"), _l("keine E-Mail-Adresse"), _l("hat widersprochen (keine E-Mails)"),
    _l("keine Einwilligung für Einladungen (Rechtsgrundlage Einwilligung)"), _l("E-Mail-Adresse doppelt"),
    # crm.services.network.records.LAYER_LABELS
    _l("Kooperationen"), _l("Gemeinsame Initiativen"), _l("Gemeinsame Veranstaltungen"),
    # crm.services.landscape.directory.SORTS
    _l("Name (A–Z)"), _l("Name (Z–A)"), _l("Art"), _l("Gebiet"), _l("Zuletzt geändert"),
    # crm.services.landscape.directory.ACTIVE_CHOICES
    _l("alle"), _l("nur aktive"), _l("nur inaktive"),
)

MARKED_EVENT_STATUS = (
    # crm.services.events.events.STATUS_LABELS, shown with label(..., EVENT_STATUS); the context is
    # written out because pybabel reads only literals
    pgettext("Veranstaltungsstatus", "Entwurf"), pgettext("Veranstaltungsstatus", "veröffentlicht"),
    pgettext("Veranstaltungsstatus", "abgeschlossen"), pgettext("Veranstaltungsstatus", "abgesagt"),
)
