"""Settings from environment variables, each with a documented default.

The table in README.md is generated from ``SETTINGS`` (``flask crm settings``),
so the documentation and the code cannot drift apart.
"""
from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


def _mail_backend(value: str) -> str:
    backend = value.strip().lower()
    if backend not in ("smtp", "mailbox"):
        raise ValueError(f"MAIL_BACKEND must be 'smtp' or 'mailbox', not {value!r}")
    return backend


_ORIGIN = re.compile(r"https?://(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?",
                     re.IGNORECASE)


def _origins(value: str) -> str:
    """Origins for CSP ``frame-ancestors``: ``https://host[:port]``, ``*.`` allowed at the front of
    the host, nothing else. Anything else (a path, a quote, a semicolon that would end the directive
    and add another) stops the start with a message instead of weakening the policy."""
    origins = value.replace(",", " ").split()
    for origin in origins:
        if not _ORIGIN.fullmatch(origin.rstrip("/")):
            raise ValueError(f"PORTAL_FRAME_ANCESTORS: {origin!r} is not an origin like https://www.example.de")
    return " ".join(origin.rstrip("/").lower() for origin in origins)


def _tile_url(value: str) -> str:
    """A tile URL template: http(s), with the {z}/{x}/{y} placeholders Leaflet fills."""
    url = value.strip()
    if not re.fullmatch(r"https?://[^\s\"'<>]+", url) or not all(p in url for p in ("{z}", "{x}", "{y}")):
        raise ValueError(f"MAP_TILE_URL must be an http(s) URL with {{z}}, {{x}} and {{y}}, not {value!r}")
    return url


def tile_source(url: str) -> str:
    """The CSP source of a tile URL template: its scheme and host („https://{s}.tile.example/…“
    allows „https://*.tile.example“); empty without tiles."""
    match = re.match(r"(https?://)([^/?#]+)", url or "")
    if not match:
        return ""
    return match.group(1) + re.sub(r"^\{s\}\.", "*.", match.group(2))


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", None,
            "SQLAlchemy-URL der Datenbank. Standard: SQLite-Datei `instance/bildungsnetz.sqlite3`. "
            "PostgreSQL: `postgresql+psycopg://user:pass@host:5432/db`."),
    Setting("SECRET_KEY", None,
            "Schlüssel für Sitzungen, CSRF und Antwort-Links. Fehlt er, wird beim ersten Start "
            "`instance/secret_key` erzeugt (nie ins Repository)."),
    Setting("BILDUNGSNETZ_BASE_URL", "http://127.0.0.1:5000",
            "Öffentliche Adresse, für Links in E-Mails (Antwort-Links, Abmeldung)."),
    Setting("BILDUNGSNETZ_ORGANISATION", "Bildungsbüro",
            "Name der Stelle, der in E-Mails und Berichten erscheint."),
    Setting("MAIL_BACKEND", "smtp",
            "Wohin der Hintergrundprozess E-Mails zustellt: `smtp` (Betrieb) oder `mailbox` (Entwicklung: ins "
            "Entwicklungs-Postfach der Anwendung, nichts verlässt den Rechner; `make run` setzt es).", _mail_backend),
    Setting("MAIL_SERVER", "localhost", "SMTP-Server für den Versand."),
    Setting("MAIL_PORT", 25, "SMTP-Port.", int),
    Setting("MAIL_USE_TLS", False, "STARTTLS verwenden.", _bool),
    Setting("MAIL_USE_SSL", False, "SMTP über TLS (Port 465).", _bool),
    Setting("MAIL_USERNAME", None, "SMTP-Benutzername (leer: ohne Anmeldung)."),
    Setting("MAIL_PASSWORD", None, "SMTP-Passwort."),
    Setting("MAIL_DEFAULT_SENDER", "bildungsbuero@localhost", "Absenderadresse."),
    Setting("MAIL_TIMEOUT", 30, "Zeitlimit einer SMTP-Verbindung in Sekunden.", int),
    Setting("OUTBOX_MAX_ATTEMPTS", 8,
            "Zustellversuche je E-Mail im Postausgang, danach gilt sie als fehlgeschlagen.", int),
    Setting("OUTBOX_RETRY_SECONDS", 60,
            "Wartezeit vor dem zweiten Zustellversuch in Sekunden; jede weitere verdoppelt sich.", int),
    Setting("MAIL_SUPPRESS_SEND", False,
            "Nichts versenden (nur zum Ausprobieren). flask-mail setzt sonst in Tests `True`.", _bool),
    Setting("BABEL_DEFAULT_LOCALE", "de", "Sprache der Oberfläche, wenn der Browser nichts Passendes wünscht."),
    Setting("BABEL_DEFAULT_TIMEZONE", "Europe/Berlin", "Zeitzone für Anzeige und Kalenderdateien."),
    Setting("SESSION_COOKIE_SECURE", False,
            "Sitzungs-Cookie nur über HTTPS senden. Über HTTPS ist es immer so, und mit `PROXY_FIX` oder "
            "`HSTS_ENABLED` wird es automatisch eingeschaltet.", _bool),
    Setting("PERMANENT_SESSION_LIFETIME", 8 * 3600,
            "Sekunden, nach denen eine Anmeldung endet.", int),
    Setting("SESSION_IDLE_TIMEOUT", 3600,
            "Sekunden ohne Aktivität, nach denen eine Anmeldung endet (0: keine Leerlaufgrenze).", int),
    Setting("HSTS_ENABLED", False,
            "`Strict-Transport-Security` auch senden, wenn die Anfrage nicht als HTTPS erkannt wird "
            "(z. B. TLS endet am Proxy ohne `X-Forwarded-Proto`). Über HTTPS wird HSTS immer gesendet.", _bool),
    Setting("HSTS_MAX_AGE", 31536000, "Gültigkeit von HSTS in Sekunden (Standard: ein Jahr).", int),
    Setting("PROXY_FIX", False,
            "Hinter einem Reverse-Proxy: `X-Forwarded-For`/`-Proto` (je ein Proxy) auswerten, damit HTTPS "
            "und die Absender-IP der Anmeldesperre stimmen.", _bool),
    Setting("CSP_IMG_SOURCES", "",
            "Zusätzliche erlaubte Bildquellen der Content-Security-Policy, durch Leerzeichen getrennt "
            "(z. B. ein Kachelserver für Karten im Intranet).", str),
    Setting("PORTAL_FRAME_ANCESTORS", "",
            "Websites, die die Seiten des Bildungsportals (/portal) in einem iframe einbetten dürfen, durch "
            "Leerzeichen getrennt (z. B. `https://www.trier.de`; auch `https://*.trier.de`). Leer: nur die "
            "Anwendung selbst. Gilt nur für /portal, nie für die übrigen Seiten.", _origins),
    Setting("PORTAL_REGISTRATION_RATE_LIMIT", 20,
            "Anmeldungen zu offenen Veranstaltungen im Bildungsportal je IP-Adresse in 10 Minuten und "
            "Arbeitsprozess; darüber antwortet das Formular mit 429 (0: keine Grenze).", int),
    Setting("PROVIDER_LINK_DAYS", 90,
            "Tage, die der persönliche Link eines Anbieters zur Pflege seiner Angebote gilt; danach schickt "
            "die Koordination oder die jährliche Bestätigungsanfrage einen neuen.", int),
    Setting("MAP_TILE_URL", "",
            "Kachelserver der geografischen Karte als URL-Vorlage, z. B. `https://tiles.stadt.example/{z}/{x}/{y}.png` "
            "(leer: keine Kacheln, die Karte zeigt nur Gebietsumrisse und Orte und braucht kein Netz). Sein Host "
            "wird automatisch als Bildquelle der Content-Security-Policy erlaubt.", _tile_url),
    Setting("MAP_TILE_ATTRIBUTION", "",
            "Quellenangabe der Kacheln, die unten auf der Karte steht (als Text), z. B. "
            "`© OpenStreetMap-Mitwirkende`.", str),
    Setting("LOGIN_MAX_FAILURES", 5,
            "Fehlgeschlagene Anmeldungen (binnen 24 Stunden), nach denen eine E-Mail-Adresse vorübergehend "
            "gesperrt wird – bekannte und unbekannte Adressen gleich.", int),
    Setting("LOGIN_LOCKOUT_MINUTES", 15, "Minuten, die ein Konto nach zu vielen Fehlversuchen gesperrt bleibt.", int),
    Setting("LOGIN_RATE_LIMIT", 20,
            "Anmeldeversuche je IP-Adresse in 5 Minuten und Arbeitsprozess; darüber antwortet die Anmeldung "
            "mit 429.", int),
    Setting("PASSWORD_HASH_METHOD", "scrypt",
            "Verfahren der Passwort-Hashes (werkzeug, z. B. `scrypt`). Nur die Testsuite setzt ein schnelles; "
            "im Betrieb nicht ändern."),
    Setting("RETENTION_YEARS", 3,
            "Jahre ohne Aktivität, nach denen eine Person zur Prüfung (Löschen oder Behalten) vorgelegt wird. "
            "Gelöscht wird nie automatisch.", int),
    Setting("API_TOKEN_DAYS", 365, "Gültigkeit neuer API-Tokens in Tagen (0: unbegrenzt).", int),
    Setting("COMPUTE_DEBOUNCE_SECONDS", 15.0,
            "Sekunden Ruhe in den Daten, bevor der Hintergrundprozess Auswertungen, Karten, Dashboard und Berichte "
            "neu berechnet (zehn Änderungen hintereinander lösen eine Berechnung aus, nicht zehn).", float),
    Setting("COMPUTE_KEEP_DAYS", 14,
            "Ausschnitte, die so viele Tage lang niemand aufgerufen hat, rechnet der Hintergrundprozess nach "
            "Änderungen nicht mehr neu (beim nächsten Aufruf wieder).", int),
    Setting("VIEW_CACHE_ENTRIES", 64, "Höchstzahl der Einträge im Zwischenspeicher eines Prozesses.", int),
    Setting("VIEW_CACHE_MB", 256,
            "Obergrenze des Zwischenspeichers je Prozess in MB (geschätzt); ältere Einträge werden verdrängt.", int),
)


def _secret_key(instance_path: Path) -> str:
    """Read or create ``instance/secret_key``; a key in the repo would be a key for everyone."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load(instance_path: Path, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from the environment and the defaults above."""
    env = os.environ if environ is None else environ
    config: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = env.get(setting.name)
        config[setting.name] = setting.default if raw in (None, "") else setting.parse(raw)
    if not config["DATABASE_URL"]:
        instance_path.mkdir(parents=True, exist_ok=True)
        config["DATABASE_URL"] = f"sqlite:///{instance_path / 'bildungsnetz.sqlite3'}"
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _secret_key(instance_path)
    config["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"]
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).parent / "translations")
    config["SESSION_COOKIE_HTTPONLY"] = True
    config["SESSION_COOKIE_SAMESITE"] = "Lax"
    config["REMEMBER_COOKIE_HTTPONLY"] = True
    config["WTF_CSRF_TIME_LIMIT"] = None  # bound to the session instead; forms left open over lunch still work
    config["MAX_CONTENT_LENGTH"] = 20 * 1024 * 1024
    return config
