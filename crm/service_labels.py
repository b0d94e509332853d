"""The German labels that ``crm.services`` keeps in plain tables, shown in the user's language.

The services stay free of Flask-Babel (they also run in the CLI and the outbox worker, and their
messages are German for now). The forms and views that show one of their labels — a pick list,
a status badge, an import field — pass it through ``label()`` / ``labels()`` at request time.

pybabel only finds a message id that is written out as a literal, so every label of those tables
is listed once more below. ``tests/test_english_locale.py`` checks that the list names every
label the tables hold, so a label added to a service without an entry here fails a test instead
of silently showing German in the English interface.
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
    # crm.services.landscape.cooperations.INTENSITY_LABELS
    _l("loser Austausch"), _l("regelmäßige Zusammenarbeit"), _l("enge, vertraglich geregelte Zusammenarbeit"),
    # crm.services.landscape.initiatives.KIND_LABELS
    _l("Projekt"), _l("Bündnis"), _l("Arbeitskreis"), _l("Programm"),
    # crm.services.landscape.initiatives.ROLE_LABELS
    _l("Leitung"), _l("Partner"), _l("Mitglied"), _l("Förderer"),
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
    # crm.services.imports.mapping.TARGET_LABELS
    _l("Akteure"), _l("Personen mit Zugehörigkeiten"), _l("Kumu-Landschaft (Elemente und Verbindungen)"),
    # crm.services.imports.mapping.FIELDS (the labels on the mapping page)
    _l("Name"), _l("Kurzname"), _l("Straße"), _l("PLZ"), _l("Ort"), _l("E-Mail"), _l("Telefon"),
    _l("Website"), _l("Kennung"), _l("Themen"), _l("Bildungsphasen"), _l("Beschreibung"), _l("Notizen"),
    _l("Breitengrad"), _l("Längengrad"), _l("Übergeordneter Akteur"), _l("Aktiv"), _l("Tätig seit"),
    _l("Tätig bis"), _l("Kumu-ID (nur für Verbindungen in derselben Datei)"), _l("Anrede"), _l("Titel"),
    _l("Vorname"), _l("Nachname"), _l("Akteur"), _l("Akteur-ID oder Kennung des Akteurs"), _l("Funktion"),
    _l("Seit"), _l("Bis"), _l("Von (Akteur)"), _l("Zu (Akteur)"), _l("Von (Akteur-ID oder Kennung)"),
    _l("Zu (Akteur-ID oder Kennung)"), _l("Art der Kooperation"), _l("Intensität (1–3)"),
    _l("Gewicht (Stärke, beliebige Zahl)"),
    _l("Wird unverändert gespeichert; ganze Zahlen 1 bis 3 gelten zugleich als Intensität."), _l("Beginn"),
    _l("Ende"), _l("Richtung"), _l("Art der Initiative"), _l("Kumu-ID"), _l("Von"), _l("Zu"), _l("Von (ID)"),
    _l("Zu (ID)"), _l("Beigetreten am"), _l("Ausgetreten am"), _l("Rolle"),
    # crm.services.imports.mapping.FIELDS (the hints)
    _l("Name einer Akteursart oder ein Schulart-Kürzel (GS, RS+, IGS, GY …)"),
    _l("Name oder Kennung; genauer ist eine Spalte „Von-ID“."),
)

MARKED_AUDIT = (
    # crm.services.privacy.audit.ACTION_LABELS and ENTITY_LABELS (the start page's "Letzte Änderungen")
    _l("angelegt"), _l("geändert"), _l("gelöscht"), _l("zusammengeführt"), _l("importiert"), _l("versendet"),
    _l("anonymisiert"), _l("entsperrt"), _l("exportiert"), _l("widerrufen"), _l("Anmeldung fehlgeschlagen"),
    _l("Anmeldesperre zurückgesetzt"),
    _l("Akteur"), _l("Person"), _l("Zugehörigkeit"), _l("Einwilligung"), _l("Kooperation"), _l("Initiative"),
    _l("Mitgliedschaft"), _l("Veranstaltung"), _l("Einladung"), _l("Teilnahme"), _l("Benutzerkonto"),
    _l("Akteursart"), _l("Gebiet"), _l("Kooperationsart"), _l("Veranstaltungsart"), _l("Bildungsphase"),
    _l("Themenfeld"), _l("Import"), _l("API-Token"), _l("E-Mail-Vorlage"),
)

MARKED_RULES = (
    # The refusals of the landscape services' rules, shown under their form field in the user's
    # language (crm.views.form_errors.shown); the API and the import show the German text.
    _l("Bitte geben Sie einen Namen ein."), _l("Bitte wählen Sie die Art des Akteurs."),
    _l("Ein Akteur kann nicht sich selbst oder einem eigenen untergeordneten Akteur untergeordnet werden."),
    _l("Diese Kennung hat bereits „%(name)s“."), _l("„Tätig bis“ darf nicht vor „Tätig seit“ liegen."),
    _l("Ein Akteur, der nur bis zu einem vergangenen Tag tätig war, ist nicht mehr aktiv: entfernen Sie "
       "„Tätig bis“ oder entfernen Sie den Haken bei „Aktiv“."),
    _l("Bitte wählen Sie den ersten Akteur."), _l("Bitte wählen Sie den Partner."),
    _l("Bitte wählen Sie die Art der Kooperation."), _l("Eine Kooperation verbindet zwei verschiedene Akteure."),
    _l("Das Ende darf nicht vor dem Beginn liegen."), _l("Die Intensität liegt zwischen 1 und 3."),
    _l("Eine Initiative mit diesem Namen gibt es bereits."), _l("Bitte wählen Sie den Akteur."),
    _l("„Ausgetreten am“ darf nicht vor „Beigetreten am“ liegen."), _l("„Bis“ darf nicht vor „Von“ liegen."),
    _l("Bitte geben Sie den Nachnamen ein."),
)

MARKED_EVENT_STATUS = (
    # crm.services.events.events.STATUS_LABELS, shown with label(..., EVENT_STATUS); the context is
    # written out because pybabel reads only literals
    pgettext("Veranstaltungsstatus", "Entwurf"), pgettext("Veranstaltungsstatus", "veröffentlicht"),
    pgettext("Veranstaltungsstatus", "abgeschlossen"), pgettext("Veranstaltungsstatus", "abgesagt"),
)
