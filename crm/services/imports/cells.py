"""Reading one cell as a date, a number, a yes/no, an address part.

Each function takes the stripped text of a non-empty cell and returns the value or
raises ``CellError`` with a German sentence that says what was expected; the caller
adds row and column.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlparse

from email_validator import EmailNotValidError, validate_email

from crm.models import InitiativeKind, MembershipRole, OfferStatus
from crm.services.errors import N_, LocalizedError, translated

COORDINATE = Decimal("0.000001")
MULTI_SEPARATORS = re.compile(r"\s*[|;]\s*")


class CellError(LocalizedError, ValueError):
    """A cell cannot be read; ``message`` (shown in the reader's language) says what was expected."""


def parse_date(text: str) -> date:
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d.%m.%Y %H:%M"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(N_("„%(text)s“ ist kein gültiges Datum (erwartet TT.MM.JJJJ oder JJJJ-MM-TT)."), {"text": text})


ONGOING = "laufend"  # an offer's start cell may say so instead of a date
_ONGOING_WORDS = {"laufend", "fortlaufend", "ongoing", "dauerhaft", "regelmaessig", "regelmäßig"}


def parse_offer_start(text: str) -> date | str:
    """An offer's start: a date, or „laufend“ (``ONGOING``)."""
    if text.strip().lower() in _ONGOING_WORDS:
        return ONGOING
    try:
        return parse_date(text)
    except CellError:
        raise CellError(N_("„%(text)s“ ist weder ein Datum (TT.MM.JJJJ oder JJJJ-MM-TT) noch „laufend“."),
                        {"text": text}) from None


_OFFER_STATUS = {"entwurf": OfferStatus.DRAFT, "draft": OfferStatus.DRAFT,
                 "veröffentlicht": OfferStatus.PUBLISHED, "veroeffentlicht": OfferStatus.PUBLISHED,
                 "published": OfferStatus.PUBLISHED, "öffentlich": OfferStatus.PUBLISHED,
                 "beendet": OfferStatus.ENDED, "ended": OfferStatus.ENDED, "abgeschlossen": OfferStatus.ENDED}


def parse_offer_status(text: str) -> OfferStatus:
    found = _OFFER_STATUS.get(text.strip().lower())
    if found is None:
        raise CellError(N_("„%(text)s“ ist kein Status eines Angebots (möglich: Entwurf, veröffentlicht, beendet)."),
                        {"text": text})
    return found


def parse_decimal(text: str, low: int, high: int, what: str) -> Decimal:
    raw = text.replace(" ", "")
    if "," in raw and "." not in raw:
        raw = raw.replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise CellError(N_("„%(text)s“ ist keine Zahl."), {"text": text}) from None
    if not value.is_finite() or not low <= value <= high:
        raise CellError(N_("Der %(what)s „%(text)s“ liegt nicht zwischen %(low)s und %(high)s."),
                        {"what": translated(what), "text": text, "low": low, "high": high})
    return value.quantize(COORDINATE)


_TRUE = {"ja", "j", "x", "1", "true", "wahr", "yes", "y", "aktiv", "active"}
_FALSE = {"nein", "n", "0", "false", "falsch", "no", "inaktiv", "inactive", "-"}


def parse_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise CellError(N_("„%(text)s“ ist weder ja noch nein."), {"text": text})


_INTENSITY_WORDS = {
    "1": 1, "niedrig": 1, "gering": 1, "schwach": 1, "lose": 1, "locker": 1, "weak": 1, "low": 1,
    "2": 2, "mittel": 2, "regelmäßig": 2, "regelmaessig": 2, "medium": 2,
    "3": 3, "hoch": 3, "stark": 3, "eng": 3, "strong": 3, "high": 3,
}


def parse_intensity(text: str) -> int:
    lowered = text.lower()
    if re.fullmatch(r"[123](?:[.,]0+)?", lowered):
        return int(lowered[0])
    if lowered in _INTENSITY_WORDS:
        return _INTENSITY_WORDS[lowered]
    raise CellError(N_("„%(text)s“ ist keine gültige Intensität (1 = lose, 2 = regelmäßig, 3 = eng; "
                       "auch „niedrig“, „mittel“, „hoch“)."), {"text": text})


def parse_weight(text: str) -> float:
    """A tie's weight as a file gives it (Kumu "Strength", GEXF/GraphML "weight"): any positive
    number (German or English decimals), or the intensity words."""
    lowered = text.strip().lower()
    if lowered in _INTENSITY_WORDS:
        return float(_INTENSITY_WORDS[lowered])
    raw = lowered.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+,\d+|\d+,\d+", raw):
        raw = raw.replace(".", "").replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        raise CellError(f"„{text}“ ist kein Gewicht (eine positive Zahl, z. B. 5 oder 0,5).") from None
    if not (value > 0 and value < 1e9):
        raise CellError(f"„{text}“: Ein Gewicht ist eine positive Zahl.")
    return value


def parse_direction(text: str) -> bool:
    lowered = text.lower()
    if lowered in {"directed", "gerichtet", "ja", "1", "true"}:
        return True
    if lowered in {"undirected", "mutual", "ungerichtet", "gegenseitig", "nein", "0", "false"}:
        return False
    raise CellError(N_("„%(text)s“ ist keine Richtung (directed/undirected bzw. gerichtet/ungerichtet)."),
                    {"text": text})


def parse_postcode(text: str) -> str:
    raw = re.sub(r"^(?:D|DE)\s*-\s*", "", text.strip(), flags=re.IGNORECASE).replace(" ", "")
    if re.fullmatch(r"\d{4}", raw):
        raw = "0" + raw  # Excel drops the leading zero of 01067 Dresden
    if not re.fullmatch(r"\d{5}", raw):
        raise CellError(N_("„%(text)s“ ist keine PLZ (fünf Ziffern)."), {"text": text})
    return raw


def parse_email(text: str) -> str:
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise CellError(N_("„%(text)s“ ist keine gültige E-Mail-Adresse."), {"text": text}) from None
    if len(text) > 254:
        raise CellError(N_("Die E-Mail-Adresse ist zu lang (höchstens 254 Zeichen)."))
    return text


def parse_url(text: str) -> str:
    raw = text.strip()
    if not re.match(r"^[a-z][a-z0-9+.-]*://", raw, flags=re.IGNORECASE):
        raw = "https://" + raw
    parsed = urlparse(raw)
    if parsed.scheme.lower() not in ("http", "https") or "." not in parsed.netloc or " " in raw:
        raise CellError(N_("„%(text)s“ ist keine gültige Web-Adresse."), {"text": text})
    if len(raw) > 300:
        raise CellError(N_("Die Web-Adresse ist zu lang (höchstens 300 Zeichen)."))
    return raw


_ROLES = {"leitung": "lead", "lead": "lead", "federfuehrung": "lead", "partner": "partner", "partnerin": "partner",
          "mitglied": "member", "member": "member", "foerderer": "funder", "foerderin": "funder",
          "funder": "funder", "geldgeber": "funder"}
_INITIATIVE_KINDS = {"projekt": "project", "project": "project", "buendnis": "alliance", "alliance": "alliance",
                     "arbeitskreis": "working_group", "working group": "working_group",
                     "working_group": "working_group", "programm": "programme", "programme": "programme",
                     "program": "programme"}


def _folded(text: str) -> str:
    return text.strip().lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")


def parse_role(text: str) -> MembershipRole:
    """A member's role in an initiative: Leitung, Partner, Mitglied, Förderer (or the English names)."""
    value = _ROLES.get(_folded(text))
    if value is None:
        raise CellError(N_("„%(text)s“ ist keine Rolle in einer Initiative (Leitung, Partner, Mitglied, Förderer)."),
                        {"text": text})
    return MembershipRole(value)


def parse_initiative_kind(text: str) -> InitiativeKind:
    value = _INITIATIVE_KINDS.get(_folded(text))
    if value is None:
        raise CellError(N_("„%(text)s“ ist keine Art von Initiative (Projekt, Bündnis, Arbeitskreis, Programm)."),
                        {"text": text})
    return InitiativeKind(value)


def split_multi(text: str) -> list[str]:
    """Several values in one cell, separated by | (Kumu) or ;."""
    return [part for part in MULTI_SEPARATORS.split(text) if part]


def check_length(text: str, limit: int | None) -> str:
    if limit is not None and len(text) > limit:
        raise CellError(N_("Der Wert ist zu lang (%(length)s Zeichen, höchstens %(limit)s)."),
                        {"length": len(text), "limit": limit})
    return text
