"""Error pages in German; JSON problem details (RFC 9457) for API clients; never a traceback."""
from __future__ import annotations

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
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json")


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
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return handle_http(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_unexpected)
