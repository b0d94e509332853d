"""Which column holds which field: header recognition in German and English.

Headers are compared after folding case, umlauts and punctuation, so „E-Mail“,
„Email“ and „e_mail“ are the same, and „Straße“ equals „Strasse“. Each field is
taken by the first column that names it; the user corrects the rest on the
mapping page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from crm.models import ImportTarget
from crm.services.errors import N_
from crm.services.folding import fold


def header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(header))


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str                 # how cells are read: text, kind, area, topics, date, …
    aliases: tuple[str, ...] = ()
    required: bool = False
    max_length: int | None = None
    help: str = ""


ACTOR_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", N_("Name"), "text", ("Name", "Bezeichnung", "Label", "Akteur", "Organisation", "Organization",
                                       "organization_name", "organisation_name", "Einrichtung", "Schulname",
                                       "Name der Einrichtung"), required=True, max_length=255),
    FieldSpec("short_name", N_("Kurzname"), "text", ("Kurzname", "Kürzel", "Abkürzung", "short_name", "Short Name"),
              max_length=80),
    FieldSpec("kind", N_("Art"), "kind", ("Art", "Typ", "Type", "Schulart", "Schulform", "Schultyp", "kind",
                                      "Akteursart", "Art des Akteurs", "Element Type", "Einrichtungsart"),
              required=True, help=N_("Name einer Akteursart oder ein Schulart-Kürzel (GS, RS+, IGS, GY …)")),
    FieldSpec("area", N_("Gebiet"), "area", ("Gebiet", "Stadtteil", "area", "Bezirk", "Sozialraum", "Ortsteil",
                                         "Verbandsgemeinde", "Region")),
    FieldSpec("street", N_("Straße"), "text", ("Straße", "Strasse", "Str", "street", "Adresse", "Anschrift",
                                           "address", "Street Address", "Straße und Hausnummer"), max_length=200),
    FieldSpec("postcode", N_("PLZ"), "postcode", ("PLZ", "Postleitzahl", "postcode", "zip", "zipcode", "zip code",
                                              "postal code", "postal_code", "postalcode")),
    FieldSpec("city", N_("Ort"), "text", ("Ort", "Schulort", "Stadt", "city", "town", "Wohnort", "Gemeinde"),
              max_length=120),
    FieldSpec("email", N_("E-Mail"), "email", ("E-Mail", "Email", "Mail", "e_mail", "E-Mail-Adresse", "email address")),
    FieldSpec("phone", N_("Telefon"), "text", ("Telefon", "Tel", "Telefonnummer", "phone", "telephone", "Phone Number"),
              max_length=60),
    FieldSpec("website", N_("Website"), "url", ("Homepage", "Website", "URL", "Webseite", "Internet", "Web",
                                            "Internetseite", "Internetadresse")),
    FieldSpec("external_ref", N_("Kennung"), "text", ("Kennung", "Schulnummer", "identifikator", "external_ref",
                                                  "Externe Kennung", "Dienststellennummer", "Schul-Nr",
                                                  "Schulnr", "Referenz", "external reference"), max_length=80),
    FieldSpec("topics", N_("Themen"), "topics", ("Themen", "Themenfelder", "Themenfeld", "Tags", "topics", "Thema")),
    FieldSpec("life_stages", N_("Bildungsphasen"), "life_stages", ("Bildungsphasen", "Bildungsphase", "life_stages",
                                                               "Lebensphasen", "life stages")),
    FieldSpec("description", N_("Beschreibung"), "longtext", ("Beschreibung", "Description", "Profil")),
    FieldSpec("notes", N_("Notizen"), "longtext", ("Notizen", "Notiz", "Bemerkung", "Bemerkungen", "Anmerkungen",
                                               "notes", "Kommentar")),
    FieldSpec("latitude", N_("Breitengrad"), "latitude", ("latitude", "lat", "Breitengrad", "Breite")),
    FieldSpec("longitude", N_("Längengrad"), "longitude", ("longitude", "lon", "lng", "long", "Längengrad", "Länge")),
    FieldSpec("parent", N_("Übergeordneter Akteur"), "actor", ("Übergeordneter Akteur", "Übergeordnet", "parent",
                                                           "Träger der Einrichtung", "Dachorganisation")),
    FieldSpec("is_active", N_("Aktiv"), "bool", ("Aktiv", "active", "is_active")),
    FieldSpec("active_from", N_("Tätig seit"), "date", ("Tätig seit", "Aktiv seit", "active_from", "active from",
                                                    "active since", "Gründungsdatum")),
    FieldSpec("active_until", N_("Tätig bis"), "date", ("Tätig bis", "Aktiv bis", "active_until", "active until",
                                                    "Schließungsdatum")),
    FieldSpec("kumu_id", N_("Kumu-ID (nur für Verbindungen in derselben Datei)"), "ref", ("ID", "Kumu ID")),
)

PERSON_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("salutation", N_("Anrede"), "text", ("Anrede", "salutation", "Prefix"), max_length=20),
    FieldSpec("title", N_("Titel"), "text", ("Titel", "title", "Akademischer Titel"), max_length=40),
    FieldSpec("first_name", N_("Vorname"), "text", ("Vorname", "First Name", "first_name", "firstname", "given name",
                                                "Vornamen"), max_length=120),
    FieldSpec("last_name", N_("Nachname"), "text", ("Nachname", "Last Name", "last_name", "lastname", "surname",
                                                "family name", "Familienname", "Name"),
              required=True, max_length=120),
    FieldSpec("email", N_("E-Mail"), "email", ("E-Mail", "Email", "Mail", "e_mail", "E-Mail-Adresse", "email address")),
    FieldSpec("phone", N_("Telefon"), "text", ("Telefon", "Tel", "Telefonnummer", "phone", "telephone", "Phone Number",
                                           "Mobil"), max_length=60),
    FieldSpec("actor", N_("Akteur"), "actor", ("Akteur", "Organisation", "Organization", "Einrichtung", "Arbeitgeber",
                                           "employer", "current employer", "organization_name", "Schule")),
    FieldSpec("actor_key", N_("Akteur-ID oder Kennung des Akteurs"), "actor",
              ("Akteur-ID", "Akteur-Kennung", "Kennung des Akteurs", "actor_id", "actor_ref")),
    FieldSpec("function", N_("Funktion"), "text", ("Funktion", "Rolle", "Position", "function", "job title", "role",
                                               "Aufgabe"), max_length=120),
    FieldSpec("from_date", N_("Seit"), "date", ("Seit", "Von", "Beginn", "from", "start", "start date")),
    FieldSpec("to_date", N_("Bis"), "date", ("Bis", "Ende", "to", "end", "end date")),
    FieldSpec("notes", N_("Notizen"), "longtext", ("Notizen", "Bemerkung", "Bemerkungen", "notes", "Kommentar")),
)

COOPERATION_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("source", N_("Von (Akteur)"), "actor", ("Von", "From", "Akteur 1", "Akteur A", "Quelle", "source",
                                                  "Partner 1"), required=True,
              help=N_("Name oder Kennung; genauer ist eine Spalte „Von-ID“.")),
    FieldSpec("target", N_("Zu (Akteur)"), "actor", ("Zu", "To", "Nach", "Akteur 2", "Akteur B", "Ziel", "target",
                                                 "Partner 2", "Partner"), required=True),
    FieldSpec("source_key", N_("Von (Akteur-ID oder Kennung)"), "actor", ("Von-ID", "From ID", "source_id")),
    FieldSpec("target_key", N_("Zu (Akteur-ID oder Kennung)"), "actor", ("Zu-ID", "To ID", "target_id")),
    FieldSpec("type", N_("Art der Kooperation"), "cooperation_type", ("Art", "Typ", "Type", "Kooperationsart",
                                                                  "Connection Type", "kind"), required=True),
    FieldSpec("intensity", N_("Intensität (1–3)"), "intensity", ("Intensität", "Intensitaet", "intensity")),
    FieldSpec("weight", N_("Gewicht (Stärke, beliebige Zahl)"), "weight", ("Weight", "Gewicht", "Strength", "Stärke",
                                                                     "weight"),
              help=N_("Wird unverändert gespeichert; ganze Zahlen 1 bis 3 gelten zugleich als Intensität.")),
    FieldSpec("start_date", N_("Beginn"), "date", ("Beginn", "Start", "Seit", "start_date", "Start Date",
                                               "Startdatum", "Anfang")),
    FieldSpec("end_date", N_("Ende"), "date", ("Ende", "End", "Bis", "end_date", "End Date", "Enddatum")),
    FieldSpec("description", N_("Beschreibung"), "longtext", ("Beschreibung", "Description", "Label", "Notiz")),
    FieldSpec("topics", N_("Themen"), "topics", ("Themen", "Themenfelder", "Tags", "topics")),
    FieldSpec("life_stages", N_("Bildungsphasen"), "life_stages", ("Bildungsphasen", "life_stages")),
    FieldSpec("direction", N_("Richtung"), "direction", ("Direction", "Richtung", "gerichtet")),
)

# Kumu only: elements of Type „Initiative“ are initiatives, connections to them memberships.
# Their sheets are the elements and connections sheets (``engine.split_kumu``): the columns the
# user mapped there carry over, the fields below that only initiatives have are recognised by header.
INITIATIVE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", N_("Name"), "text", ("Label", "Name", "Bezeichnung", "Initiative"), required=True,
              max_length=255),
    FieldSpec("short_name", N_("Kurzname"), "text", ("Kurzname", "Kürzel", "short_name"), max_length=80),
    FieldSpec("initiative_kind", N_("Art der Initiative"), "initiative_kind", ("Initiativart", "Art der Initiative",
                                                                           "initiative_kind", "Initiative Type")),
    FieldSpec("description", N_("Beschreibung"), "longtext", ("Description", "Beschreibung")),
    FieldSpec("website", N_("Website"), "url", ("Website", "Homepage", "URL")),
    FieldSpec("start_date", N_("Beginn"), "date", ("Beginn", "Start", "start_date", "Start Date")),
    FieldSpec("end_date", N_("Ende"), "date", ("Ende", "End", "end_date", "End Date")),
    FieldSpec("topics", N_("Themen"), "topics", ("Tags", "Themen", "Themenfelder", "topics")),
    FieldSpec("life_stages", N_("Bildungsphasen"), "life_stages", ("Bildungsphasen", "life_stages")),
    FieldSpec("kumu_id", N_("Kumu-ID"), "ref", ("ID", "Kumu ID")),
)
MEMBERSHIP_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("source", N_("Von"), "actor", ("From", "Von"), required=True),
    FieldSpec("target", N_("Zu"), "actor", ("To", "Zu"), required=True),
    FieldSpec("source_key", N_("Von (ID)"), "actor", ("Von-ID", "From ID", "source_id")),
    FieldSpec("target_key", N_("Zu (ID)"), "actor", ("Zu-ID", "To ID", "target_id")),
    FieldSpec("type", N_("Art"), "text", ("Type", "Art"), max_length=255),
    FieldSpec("start_date", N_("Beigetreten am"), "date", ("Beginn", "Start", "Seit", "joined_on", "Beigetreten am")),
    FieldSpec("end_date", N_("Ausgetreten am"), "date", ("Ende", "End", "Bis", "left_on", "Ausgetreten am")),
    FieldSpec("role", N_("Rolle"), "role", ("Rolle", "Role", "membership_role")),
)

# Offers (Bildungsangebote); matched to saved offers by title and provider (``crm.services.imports.offers``).
OFFER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("title", N_("Titel"), "text", ("Titel", "Title", "Angebot", "Name des Angebots", "Bezeichnung",
                                         "Angebotstitel"), required=True, max_length=255),
    FieldSpec("description", N_("Beschreibung"), "longtext", ("Beschreibung", "Description", "Inhalt")),
    FieldSpec("providers", N_("Anbieter"), "actor", ("Anbieter", "Provider", "Träger", "Akteur", "Anbietende",
                                                 "Veranstalter", "Organisation"), required=True),
    FieldSpec("life_stages", N_("Bildungsphasen"), "life_stages", ("Bildungsphasen", "Bildungsphase", "life_stages",
                                                               "Lebensphasen", "life stages")),
    FieldSpec("topics", N_("Themen"), "topics", ("Themen", "Themenfelder", "Themenfeld", "topics", "Thema")),
    FieldSpec("target_groups", N_("Zielgruppen"), "target_groups", ("Zielgruppen", "Zielgruppe", "target_groups",
                                                                "target groups", "Für wen")),
    FieldSpec("area", N_("Gebiet"), "area", ("Gebiet", "Stadtteil", "area", "Bezirk", "Sozialraum", "Ortsteil",
                                         "Verbandsgemeinde")),
    FieldSpec("format", N_("Format"), "text", ("Format", "Angebotsform", "Art des Angebots", "format"),
              max_length=80),
    FieldSpec("place", N_("Ort"), "text", ("Ort", "Veranstaltungsort", "Place", "Adresse", "place"), max_length=300),
    FieldSpec("starts_on", N_("Beginn"), "offer_start", ("Beginn", "Start", "starts_on", "Startdatum", "Von", "ab")),
    FieldSpec("ends_on", N_("Ende"), "date", ("Ende", "End", "ends_on", "Enddatum", "Bis")),
    FieldSpec("is_ongoing", N_("laufend (ohne festes Ende)"), "bool", ("laufend", "ongoing", "is_ongoing",
                                                                     "fortlaufend")),
    FieldSpec("schedule", N_("Zeiten"), "text", ("Zeiten", "Termine", "Wann", "schedule"), max_length=200),
    FieldSpec("is_free", N_("kostenlos"), "bool", ("kostenlos", "kostenfrei", "free", "is_free", "gratis")),
    FieldSpec("cost", N_("Kosten"), "text", ("Kosten", "Preis", "Gebühr", "cost", "Teilnahmebeitrag"),
              max_length=200),
    FieldSpec("entry_requirements", N_("Zugangsvoraussetzungen"), "longtext", ("Voraussetzungen",
                                                                           "Zugangsvoraussetzungen",
                                                                           "entry_requirements")),
    FieldSpec("languages", N_("Sprachen"), "languages", ("Sprachen", "Sprache", "languages", "language")),
    FieldSpec("is_accessible", N_("barrierefreier Ort"), "bool", ("barrierefrei", "accessible", "is_accessible",
                                                              "rollstuhlgerecht")),
    FieldSpec("url", N_("Link"), "url", ("Link", "URL", "Website", "Webseite", "url", "Homepage")),
    FieldSpec("contact_email", N_("Kontakt-E-Mail (Funktionsadresse)"), "email", (
        "Kontakt-E-Mail", "Kontakt", "E-Mail", "Email", "contact_email", "Anmeldung")),
    FieldSpec("contact_phone", N_("Kontakt-Telefon"), "text", ("Telefon", "Tel", "phone", "contact_phone"),
              max_length=60),
    FieldSpec("status", N_("Status"), "offer_status", ("Status", "Stand", "status")),
)

# A required field is also given by its more precise twin (an ID column instead of a name column).
ALTERNATIVES = {"source": "source_key", "target": "target_key"}

FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "actors": ACTOR_FIELDS, "persons": PERSON_FIELDS, "cooperations": COOPERATION_FIELDS,
    "initiatives": INITIATIVE_FIELDS, "memberships": MEMBERSHIP_FIELDS, "offers": OFFER_FIELDS,
}

TARGET_LABELS = {
    ImportTarget.ACTORS: N_("Akteure"),
    ImportTarget.PERSONS: N_("Personen mit Zugehörigkeiten"),
    ImportTarget.COOPERATIONS: N_("Kooperationen"),
    ImportTarget.KUMU: N_("Kumu-Landschaft (Elemente und Verbindungen)"),
    ImportTarget.OFFERS: N_("Bildungsangebote"),
}
SHEET_LABELS = {"actors": N_("Akteure"), "persons": N_("Personen"), "cooperations": N_("Kooperationen"),
                "initiatives": N_("Initiativen"), "memberships": N_("Mitgliedschaften"),
                "offers": N_("Bildungsangebote")}


def field_spec(kind: str, key: str) -> FieldSpec | None:
    return next((f for f in FIELDS[kind] if f.key == key), None)


def auto_mapping(columns: list[str], kind: str) -> dict[int, str]:
    """Column index -> field key for every recognised header; a field goes to its first column."""
    by_alias: dict[str, str] = {}
    for spec in FIELDS[kind]:
        for alias in (spec.key, spec.label, *spec.aliases):
            by_alias.setdefault(header_key(alias), spec.key)
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(columns):
        key = by_alias.get(header_key(header))
        if key and key not in taken:
            mapping[index] = key
            taken.add(key)
    return mapping


def missing_required(mapping: dict[int, str], kind: str, defaults: dict[str, object]) -> list[FieldSpec]:
    """Required fields without a column (a default value on the mapping page counts as a column)."""
    mapped = set(mapping.values())
    return [f for f in FIELDS[kind] if f.required and f.key not in mapped and not defaults.get(f.key)
            and ALTERNATIVES.get(f.key) not in mapped]


def sheet_kind_for_kumu(columns: list[str]) -> str | None:
    """In a Kumu workbook: a sheet with From and To is connections, one with Label (or Name) elements."""
    keys = {header_key(c) for c in columns}
    if keys & {"from", "von", "source"} and keys & {"to", "zu", "nach", "target"}:
        return "cooperations"
    if keys & {"label", "name", "bezeichnung"}:
        return "actors"
    return None
