"""Error pages in German; JSON problem details (RFC 9457) for API clients; never a traceback.

JSON routes (the API, every path ending in ``.json`` such as ``/personen/suche.json``, and clients
asking for JSON) get problem details for every error, 401 and 403 included, never an HTML page or a
redirect to the login. Secrets in URLs (the personal answer and withdrawal links) never reach the log.
"""
from __future__ import annotations

import logging
import re

from flask import Flask, Response, current_app, jsonify, make_response, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: ("Ungültige Anfrage", "Die Anfrage konnte nicht verarbeitet werden."),
    401: ("Anmeldung erforderlich", "Bitte melden Sie sich an."),
    403: ("Keine Berechtigung", "Für diese Seite oder Aktion fehlt Ihnen die Berechtigung. "
          "Wenden Sie sich bei Bedarf an die Administration."),
    404: ("Nicht gefunden", "Diese Seite gibt es nicht (mehr)."),
    405: ("Nicht erlaubt", "Diese Aktion ist so nicht möglich."),
    409: ("Konflikt", "Der Datensatz wurde inzwischen geändert."),
    422: ("Ungültige Eingabe", "Die Eingaben sind nicht gültig."),
    413: ("Datei zu groß", "Die hochgeladene Datei ist zu groß (höchstens 20 MB)."),
    429: ("Zu viele Versuche", "Bitte warten Sie einen Moment und versuchen Sie es dann erneut."),
    500: ("Interner Fehler", "Etwas ist schiefgegangen. Der Fehler wurde protokolliert; "
          "Ihre Daten sind unverändert."),
}


def wants_json() -> bool:
    return (request.path.startswith("/api/") or request.path.endswith(".json")
            or request.accept_mimetypes.best in ("application/json", "application/problem+json"))


# Paths whose last part is a secret: the personal answer link and the withdrawal link of every mail.
SECRET_PATHS = re.compile(r"(/(?:antwort|einwilligung/widerruf)/)[^\s/?#\"']+")
REDACTED = "[Token entfernt]"


def redact(text: str) -> str:
    """``/antwort/<token>`` → ``/antwort/[Token entfernt]``: a logged link must not be a working link."""
    return SECRET_PATHS.sub(lambda m: m.group(1) + REDACTED, text)


def loggable_path() -> str:
    """The request path without secrets: URL parts named like a token and the known secret paths."""
    path = request.path
    for key, value in (request.view_args or {}).items():
        if "token" in key and isinstance(value, str) and value:
            path = path.replace(value, REDACTED)
    return redact(path)


class RedactingFilter(logging.Filter):
    """Removes token links from every record of the app's and werkzeug's loggers (access log included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and SECRET_PATHS.search(record.msg):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):  # gunicorn's access log formats with a mapping of atoms
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        elif record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            if any(isinstance(a, str) and SECRET_PATHS.search(a) for a in args):
                cleaned = tuple(redact(a) if isinstance(a, str) else a for a in args)
                # typeshed allows a tuple or a mapping; handlers also pass a single value, kept as it came
                record.args = cleaned if isinstance(record.args, tuple) else cleaned[0]  # type: ignore[assignment]
        return True


def problem(status: int, detail: str | None = None, **extra: object) -> Response:
    """An RFC 9457 problem details response."""
    title, default = MESSAGES.get(status, ("Fehler", ""))
    response = jsonify({"type": "about:blank", "title": title, "status": status, "detail": detail or default,
                        "instance": request.path, **extra})
    response.status_code = status
    response.content_type = "application/problem+json"
    if status == 401 and request.path.startswith("/api/"):
        response.headers["WWW-Authenticate"] = 'Bearer realm="Bildungsnetz API"'
    return response


def _page(status: int, detail: str | None = None):
    title, default = MESSAGES.get(status, ("Fehler", ""))
    return render_template("errors/error.html", status=status, title=title, detail=detail or default), status


def handle_http(error: HTTPException):
    status = error.code or 500
    if status == 401 and not wants_json():
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
    detail = error.description if status not in (401, 403, 404, 405, 500) and isinstance(
        error.description, str) and not error.description.startswith("The ") else None
    response = problem(status, detail) if wants_json() else make_response(_page(status, detail))
    allowed = getattr(error, "valid_methods", None)
    if status == 405 and allowed:  # RFC 9110: a 405 names the methods that are allowed
        response.headers["Allow"] = ", ".join(sorted(allowed))
    return response


def handle_csrf(error: CSRFError):
    detail = ("Das Formular ist abgelaufen oder wurde nicht von dieser Seite gesendet. "
              "Bitte laden Sie die Seite neu und versuchen Sie es erneut.")
    if wants_json():
        return problem(400, detail)
    return _page(400, detail)


def handle_unexpected(error: Exception):
    from crm.extensions import db

    db.session.rollback()
    if isinstance(error, HTTPException):
        return handle_http(error)
    current_app.logger.exception("Unhandled error on %s %s", request.method, loggable_path())
    return handle_http(InternalServerError())


def _install_filter(logger: logging.Logger) -> None:
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())


def init_app(app: Flask) -> None:
    _install_filter(app.logger)
    _install_filter(logging.getLogger("werkzeug"))
    _install_filter(logging.getLogger("gunicorn.access"))
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_unexpected)
