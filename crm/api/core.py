"""The machinery of the JSON API: declared operations, problem details, input parsing, pagination.

Every route is declared with :func:`operation`, which does four things at once, so the
documentation cannot drift from the code:

1. registers the Flask URL rule on the ``api`` blueprint,
2. wraps the view in ``crm.permissions.requires`` (the same permission layer as the pages),
3. parses and validates query parameters and the JSON body with pydantic models, answering
   ``422 application/problem+json`` with German messages per field,
4. records the operation for the OpenAPI document (``crm.api.openapi``).
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Response, g, jsonify, request, url_for
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from werkzeug.exceptions import HTTPException

from crm.permissions import Permission, requires

PROBLEM_TYPE = "application/problem+json"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Operation:
    method: str
    rule: str               # Flask rule, e.g. "/actors/<int:actor_id>"
    endpoint: str
    summary: str
    tag: str
    permissions: tuple[Permission, ...]
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    description: str = ""
    errors: tuple[int, ...] = ()
    extra_responses: dict[int, str] = field(default_factory=dict)
    links: dict[str, dict[str, Any]] = field(default_factory=dict)  # OpenAPI links of the success response

    @property
    def path(self) -> str:
        """The OpenAPI path: ``/actors/{actor_id}``."""
        return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", self.rule)

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"<(?:[a-z]+:)?([a-z_]+)>", self.rule)


OPERATIONS: list[Operation] = []


class ApiProblem(HTTPException):
    """An error answered as RFC 9457 problem details, optionally with ``errors`` per field."""

    def __init__(self, status: int, detail: str, errors: dict[str, list[str]] | None = None,
                 title: str | None = None) -> None:
        super().__init__(description=detail)
        self.code = status
        self.detail = detail
        self.errors = errors
        self.title = title


def problem(status: int, detail: str | None = None, errors: dict[str, list[str]] | None = None,
            title: str | None = None) -> Response:
    from crm.errors import MESSAGES

    default_title, default_detail = MESSAGES.get(status, ("Fehler", ""))
    if status == 422 and title is None:
        default_title = "Ungültige Eingaben"
    body: dict[str, Any] = {"type": "about:blank", "title": title or default_title, "status": status,
                            "detail": detail or default_detail or default_title, "instance": request.path}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.content_type = PROBLEM_TYPE
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="Bildungsnetz API"'
    return response


# --- German messages for pydantic's error types -------------------------------------------------

def _german(error: ErrorDetails) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "Dieses Feld ist erforderlich."
    if kind == "extra_forbidden":
        return "Dieses Feld gibt es nicht."
    if kind in ("string_too_long",):
        return f"Höchstens {ctx.get('max_length')} Zeichen."
    if kind in ("string_too_short",):
        return "Darf nicht leer sein." if ctx.get("min_length") == 1 else f"Mindestens {ctx.get('min_length')} Zeichen."
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "Bitte eine ganze Zahl angeben."
    if kind in ("float_parsing", "float_type", "finite_number", "decimal_parsing", "decimal_type"):
        return "Bitte eine Zahl angeben."
    if kind in ("bool_parsing", "bool_type"):
        return "Bitte true oder false angeben."
    if kind in ("date_parsing", "date_type", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return "Bitte ein Datum im Format JJJJ-MM-TT angeben."
    if kind in ("timezone_aware",):
        return "Bitte Datum und Uhrzeit mit Zeitzone angeben, z. B. 2026-10-01T09:00:00+02:00."
    if kind.startswith("datetime_"):
        return "Bitte Datum und Uhrzeit im Format JJJJ-MM-TTTHH:MM:SS+02:00 angeben."
    if kind in ("string_type",):
        return "Bitte einen Text angeben."
    if kind in ("list_type",):
        return "Bitte eine Liste angeben."
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "Bitte ein JSON-Objekt senden."
    if kind == "greater_than_equal":
        return f"Der Wert muss mindestens {ctx.get('ge')} sein."
    if kind == "less_than_equal":
        return f"Der Wert darf höchstens {ctx.get('le')} sein."
    if kind == "greater_than":
        return f"Der Wert muss größer als {ctx.get('gt')} sein."
    if kind == "less_than":
        return f"Der Wert muss kleiner als {ctx.get('lt')} sein."
    if kind in ("enum", "literal_error"):
        expected = ctx.get("expected", "")
        return f"Erlaubt sind: {expected}." if expected else "Dieser Wert ist nicht erlaubt."
    if kind == "string_pattern_mismatch":
        return "Das Format stimmt nicht."
    if kind == "value_error":
        message = str(ctx.get("error", "")) or error.get("msg", "")
        return message.removeprefix("Value error, ")
    if kind == "too_long":
        return f"Höchstens {ctx.get('max_length')} Einträge."
    return "Ungültiger Wert."


def validation_errors(error: ValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for item in error.errors(include_url=False):
        loc = [str(part) for part in item.get("loc", ()) if part != "__root__"]
        key = ".".join(loc) or "body"
        errors.setdefault(key, []).append(_german(item))
    return errors


def _clean_text(value: Any, path: str, errors: dict[str, list[str]]) -> None:
    """NUL bytes and lone surrogates cannot be stored (PostgreSQL refuses them): a 422, not a 500."""
    if isinstance(value, str):
        if "\x00" in value:
            errors.setdefault(path or "body", []).append("Steuerzeichen (NUL) sind nicht erlaubt.")
        else:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                errors.setdefault(path or "body", []).append("Der Text ist kein gültiges Unicode.")
    elif isinstance(value, dict):
        for key, item in value.items():
            _clean_text(key, path, errors)
            _clean_text(item, f"{path}.{key}" if path else str(key), errors)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _clean_text(item, f"{path}.{index}" if path else str(index), errors)


def _query_data(model: type[BaseModel]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in request.args:
            continue
        values = request.args.getlist(key)
        annotation = str(info.annotation)
        data[key] = values if annotation.startswith(("list", "typing.List")) or "list[" in annotation else values[-1]
    return data


def parse_query(model: type[BaseModel]) -> BaseModel:
    data = _query_data(model)
    errors: dict[str, list[str]] = {}
    known = {info.alias or name for name, info in model.model_fields.items()}
    for key in request.args:
        if key not in known:  # a typo ("kind" for "kind_id") must not silently return everything
            errors.setdefault(key or "query", []).append("Diesen Parameter gibt es nicht.")
    _clean_text(data, "", errors)
    if errors:
        raise ApiProblem(422, "Die Anfrage enthält ungültige Parameter.", errors)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ApiProblem(422, "Die Anfrage enthält ungültige Parameter.", validation_errors(error)) from None


def parse_body(model: type[BaseModel]) -> BaseModel:
    if not request.is_json:
        raise ApiProblem(415, "Bitte senden Sie JSON (Content-Type: application/json).",
                         title="Nicht unterstütztes Format")
    data = request.get_json(silent=True)
    if data is None:
        raise ApiProblem(400, "Der Inhalt ist kein gültiges JSON.", title="Ungültige Anfrage")
    if not isinstance(data, dict):
        raise ApiProblem(422, "Bitte ein JSON-Objekt senden.", {"body": ["Bitte ein JSON-Objekt senden."]})
    errors: dict[str, list[str]] = {}
    _clean_text(data, "", errors)
    if errors:
        raise ApiProblem(422, "Die Eingaben enthalten Fehler.", errors)
    try:
        # JSON mode: strict types as JSON writes them (dates as strings, no NaN, no "1" for 1).
        return model.model_validate_json(request.get_data())
    except ValidationError as error:
        raise ApiProblem(422, "Die Eingaben enthalten Fehler.", validation_errors(error)) from None


def no_content() -> Response:
    """204 for a DELETE: no body, hence no Content-Type."""
    response = Response(status=204)
    response.headers.remove("Content-Type")
    return response


def _json_response(payload: Any, status: int, headers: dict[str, str] | None = None) -> Response:
    if isinstance(payload, BaseModel):
        payload = payload.model_dump(mode="json")
    response = jsonify(payload)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def operation(method: str, rule: str, *, summary: str, tag: str, permissions: Iterable[Permission] = (),
              query: type[BaseModel] | None = None, body: type[BaseModel] | None = None,
              response: type[BaseModel] | None = None, status: int = 200, description: str = "",
              errors: Iterable[int] = (), extra_responses: dict[int, str] | None = None,
              public: bool = False, links: dict[str, dict[str, Any]] | None = None,
              ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare an API operation (see the module docstring)."""
    from crm.api import bp
    from crm.permissions import public as mark_public

    perms = tuple(permissions)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        endpoint = view.__name__
        op = Operation(method=method, rule=rule, endpoint=f"api.{endpoint}", summary=summary, tag=tag,
                       permissions=perms, query=query, body=body, response=response, status=status,
                       description=description or (view.__doc__ or "").strip(), errors=tuple(errors),
                       extra_responses=dict(extra_responses or {}), links=dict(links or {}))

        def handler(**path: Any) -> Response:
            kwargs = dict(path)
            if query is not None:
                kwargs["query"] = parse_query(query)
            if body is not None:
                kwargs["body"] = parse_body(body)
            result = view(**kwargs)
            if isinstance(result, Response):
                return result
            headers = None
            code = status
            if isinstance(result, tuple):
                result, code, headers = (list(result) + [None])[:3]
            return _json_response(result, code or status, headers)

        handler.__name__ = endpoint
        handler.__doc__ = view.__doc__
        wrapped = mark_public(handler) if public else requires(*perms)(handler)
        bp.add_url_rule(rule, endpoint=endpoint, view_func=wrapped, methods=[method])
        OPERATIONS.append(op)
        return view

    return decorate


# --- pagination ---------------------------------------------------------------------------------

def paginate_links(total: int, limit: int, offset: int) -> dict[str, str]:
    """``Link`` (RFC 8288: first, prev, next, last) and ``X-Total-Count`` headers for a list."""
    args = request.args.to_dict(flat=False)

    def url(new_offset: int) -> str:
        params = dict(args, limit=[str(limit)], offset=[str(new_offset)])
        return url_for(request.endpoint, _external=False, **request.view_args, **params)  # type: ignore[arg-type]

    last = max(0, (math.ceil(total / limit) - 1) * limit) if total else 0
    links = [f'<{url(0)}>; rel="first"', f'<{url(last)}>; rel="last"']
    if offset > 0:
        links.append(f'<{url(max(0, offset - limit))}>; rel="prev"')
    if offset + limit < total:
        links.append(f'<{url(offset + limit)}>; rel="next"')
    return {"Link": ", ".join(links), "X-Total-Count": str(total)}


def page(query: Any, session: Any, limit: int, offset: int) -> tuple[list[Any], int]:
    from sqlalchemy import func, select

    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = list(session.scalars(query.limit(limit).offset(offset)).unique())
    return rows, total


def require_token_for_writes() -> Response | None:
    """API writes need a bearer token: a browser's session cookie never changes data through the API
    (the API is exempt from CSRF protection, so a cookie would make cross-site writes possible)."""
    if request.method in SAFE_METHODS:
        return None
    if g.get("api_token") is None:
        return problem(401, "Schreibzugriffe auf die API brauchen ein API-Token "
                            "(Authorization: Bearer …). Die Anmeldung im Browser genügt dafür nicht.")
    return None


def answer_options() -> Response | None:
    """``OPTIONS``: 204 with the methods this path allows (Flask's default would be an empty HTML page)."""
    if request.method != "OPTIONS":
        return None
    from flask import current_app

    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = sorted(set(adapter.allowed_methods(request.path)) | {"OPTIONS"})
    response = no_content()
    response.headers["Allow"] = ", ".join(allowed)
    return response


def handle_problem(error: ApiProblem) -> Response:
    return problem(error.code or 400, error.detail, error.errors, error.title)

