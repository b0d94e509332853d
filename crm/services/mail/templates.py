"""Editable German mail texts with placeholders such as {anrede}, {veranstaltung} and {link}.

Defaults live in ``templates/mail/<key>.txt`` (first line ``Betreff: …``); an organiser's edited
version is a ``MailTemplate`` row that replaces the default until it is reset. Placeholders use
``str.format`` syntax, but only plain names from ``PLACEHOLDERS`` are accepted: no attribute or
index access (``{name.__class__}``), no format specs, no positional ``{}``. That check runs when
the form is saved, so rendering can never fail or reach into Python objects.

The footer (``templates/mail/footer.txt``) with the opt-out link is added by the code to every
mail and is not editable: no edit can remove the way out.
"""
from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.models import MailTemplate
from crm.services.errors import ServiceError

MAIL_DIR = Path(__file__).resolve().parents[3] / "templates" / "mail"


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    purpose: str


DEFINITIONS: tuple[Definition, ...] = (
    Definition("invitation", "Einladung", "mit Antwort-Link und Kalendereintrag"),
    Definition("reminder_pending", "Erinnerung an alle ohne Antwort",
               "an Eingeladene, die noch nicht geantwortet haben"),
    Definition("reminder_accepted", "Erinnerung an alle mit Zusage", "kurz vor der Veranstaltung"),
    Definition("update", "Änderung der Veranstaltung", "mit aktualisiertem Kalendereintrag"),
    Definition("cancellation", "Absage der Veranstaltung", "entfernt den Termin aus dem Kalender"),
    Definition("promoted", "Nachgerückt von der Warteliste", "wenn ein Platz frei wird"),
    Definition("registration", "Anmeldung im Bildungsportal bestätigt",
               "an Besucher, die sich selbst angemeldet haben, mit Antwort-Link und Kalendereintrag"),
    Definition("registration_waitlist", "Anmeldung im Bildungsportal: Warteliste",
               "an Besucher, die sich angemeldet haben, als alle Plätze vergeben waren"),
)
BY_KEY = {d.key: d for d in DEFINITIONS}

PLACEHOLDERS: dict[str, str] = {
    "anrede": "Anrede mit Namen, z. B. „Sehr geehrte Frau Dr. Muster“",
    "name": "voller Name",
    "vorname": "Vorname",
    "nachname": "Nachname",
    "akteur": "Akteur, für den die Person eingeladen ist",
    "veranstaltung": "Titel der Veranstaltung",
    "beschreibung": "Beschreibung der Veranstaltung",
    "datum": "Tag, z. B. „Donnerstag, 1. Oktober 2026“",
    "uhrzeit": "Uhrzeit, z. B. „09:00–16:00 Uhr“",
    "ort": "Ort und/oder Online-Link",
    "frist": "Antwortfrist",
    "link": "persönlicher Antwort-Link",
    "organisation": "Name des Bildungsbüros",
    "kontakt": "Ansprechperson für die Veranstaltung",
    "kontakt_email": "E-Mail-Adresse der Ansprechperson",
}
FOOTER_PLACEHOLDERS = frozenset(PLACEHOLDERS) | {"abmelde_link", "grund"}


@dataclass
class Text:
    key: str
    subject: str
    body: str
    is_custom: bool
    version_id: int | None = None


def _read_default(key: str) -> tuple[str, str]:
    raw = (MAIL_DIR / f"{key}.txt").read_text(encoding="utf-8")
    first, _, rest = raw.partition("\n")
    if not first.startswith("Betreff:"):
        raise RuntimeError(f"templates/mail/{key}.txt must start with 'Betreff:'")
    return first.removeprefix("Betreff:").strip(), rest.lstrip("\n")


def default(key: str) -> Text:
    subject, body = _read_default(key)
    return Text(key, subject, body, is_custom=False)


def get(session: Session, key: str) -> Text:
    if key not in BY_KEY:
        raise KeyError(key)
    row = session.scalars(select(MailTemplate).where(MailTemplate.key == key)).first()
    if row is None:
        return default(key)
    return Text(key, row.subject, row.body, is_custom=True, version_id=row.version_id)


def all_texts(session: Session) -> list[tuple[Definition, Text]]:
    return [(d, get(session, d.key)) for d in DEFINITIONS]


# --- validation -------------------------------------------------------------------------------

def placeholder_errors(text: str, allowed: frozenset[str] | set[str] | None = None) -> list[str]:
    """German messages for everything in ``text`` that is not a known, plain placeholder."""
    allowed = set(PLACEHOLDERS) if allowed is None else set(allowed)
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return ["Eine geschweifte Klammer ist nicht geschlossen oder steht allein. "
                "Platzhalter schreiben Sie als {name}; eine Klammer als Text schreiben Sie doppelt: {{ oder }}."]
    errors: list[str] = []
    for _literal, field_name, format_spec, conversion in parsed:
        if field_name is None:
            continue
        shown = ("{" + field_name + (f"!{conversion}" if conversion else "")
                 + (f":{format_spec}" if format_spec else "") + "}")
        if field_name == "":
            errors.append("Leere Klammern {} sind kein Platzhalter. Bitte einen Namen eintragen, z. B. {name}.")
        elif field_name not in allowed:
            errors.append(f"Unbekannter Platzhalter {shown}. Erlaubt sind: "
                          + ", ".join("{" + p + "}" for p in sorted(allowed)) + ".")
        elif format_spec or conversion:
            errors.append(f"Der Platzhalter {shown} darf keine Formatangaben enthalten; bitte nur {{{field_name}}}.")
    return list(dict.fromkeys(errors))


def save(session: Session, key: str, subject: str, body: str, expected_version: int | None = None) -> MailTemplate:
    from crm.services.landscape.actors import check_version

    if key not in BY_KEY:
        raise ServiceError("Unbekannte Vorlage.")
    for field, text in (("subject", subject), ("body", body)):
        errors = placeholder_errors(text)
        if errors:
            raise ServiceError(errors[0], field)
    row = session.scalars(select(MailTemplate).where(MailTemplate.key == key)).first()
    if row is None:
        row = MailTemplate(key=key, subject=subject, body=body)
        session.add(row)
    else:
        check_version(session, row, expected_version, BY_KEY[key].label)
        row.subject, row.body = subject, body
    session.flush()
    return row


def reset(session: Session, key: str) -> bool:
    row = session.scalars(select(MailTemplate).where(MailTemplate.key == key)).first()
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


# --- rendering --------------------------------------------------------------------------------

def render(text: str, values: Mapping[str, str]) -> str:
    """Fill a validated text; a placeholder without a value becomes empty rather than failing."""
    return text.format_map(_Values(values))


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return ""


def footer(values: Mapping[str, str]) -> str:
    return render((MAIL_DIR / "footer.txt").read_text(encoding="utf-8"), values)


# --- the HTML alternative ---------------------------------------------------------------------

URL_RE = re.compile(r"https?://[^\s<>\"']+")
_STYLE_BODY = ("font-family: Arial, Helvetica, sans-serif; font-size: 16px; line-height: 1.5; color: #1f2328; "
               "overflow-wrap: anywhere;")  # a long personal link breaks instead of widening a phone's screen
_STYLE_BUTTON = ("display: inline-block; padding: 10px 18px; background: #0b5ed7; color: #ffffff; "
                 "text-decoration: none; border-radius: 6px; font-weight: bold;")
_STYLE_FOOTER = "font-size: 13px; color: #57606a;"


def _linked(line: str, answer_link: str) -> Markup:
    """One escaped line with its links clickable; the personal answer link as a button."""
    def link(match: re.Match[str]) -> str:
        url = match.group(0)
        trail = ""
        while url and url[-1] in ".,;:)":  # the full stop after a link is not part of it
            url, trail = url[:-1], url[-1] + trail
        if answer_link and url == str(escape(answer_link)):
            return (f'<a href="{url}" style="{_STYLE_BUTTON}" target="_blank" rel="noopener">'
                    f'Zusagen oder absagen</a><br>'
                    f'<span style="{_STYLE_FOOTER} word-break: break-all;">{url}</span>{trail}')
        return f'<a href="{url}" target="_blank" rel="noopener">{url}</a>{trail}'
    return Markup(URL_RE.sub(link, str(escape(line))))


def html(text: str, answer_link: str = "") -> str:
    """The HTML part of a mail, made from its plain text: the same words, paragraphs kept, links
    clickable and the answer link as a button. Built from the escaped text, so an edited mail
    text (or a guest's name) can never add markup; styles are inline, as mail programs want."""
    body, _sep, footer = text.partition("\n-- \n")
    paragraphs = [p for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
    parts = ["<p>" + "<br>".join(_linked(line, answer_link) for line in paragraph.split("\n")) + "</p>"
             for paragraph in paragraphs]
    if footer.strip():
        lines = "<br>".join(_linked(line, "") for line in footer.strip().split("\n"))
        parts.append(f'<hr style="border: 0; border-top: 1px solid #d0d7de;"><p style="{_STYLE_FOOTER}">{lines}</p>')
    return ('<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
            f'<body style="{_STYLE_BODY}">' + "\n".join(parts) + "</body></html>")
