"""The OpenAPI 3.1 document, built from the declared operations and their pydantic models.

Nothing here is written by hand per route: paths, parameters, bodies, responses and the
required permission all come from ``crm.api.core.OPERATIONS``, and a test compares the
document with the app's URL map, so the two cannot drift.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from crm.api.core import OPERATIONS, Operation

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Problem Details (RFC 9457). `errors` nennt bei 422 die Fehler je Feld.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
}

ERROR_TEXT = {
    400: "Ungültige Anfrage.",
    401: "Nicht angemeldet: API-Token fehlt, ist ungültig, abgelaufen oder widerrufen.",
    403: "Die Rolle des Tokens erlaubt das nicht (oder das Token ist nur zum Lesen).",
    404: "Nicht gefunden.",
    405: "Methode nicht erlaubt.",
    409: "Der Datensatz wurde inzwischen geändert (version_id veraltet).",
    415: "Kein JSON gesendet.",
    422: "Ungültige Eingaben; `errors` nennt die Felder.",
}


def _components() -> tuple[dict[str, Any], dict[tuple[Any, JsonSchemaMode], dict[str, Any]]]:
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = []
    for op in OPERATIONS:
        if op.body is not None:
            models.append((op.body, "validation"))
        if op.response is not None:
            models.append((op.response, "serialization"))
    unique = list(dict.fromkeys(models))
    refs, schema = models_json_schema(unique, ref_template="#/components/schemas/{model}")
    return schema.get("$defs", {}), refs


def _parameters(op: Operation) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True,
         "schema": {"type": "integer", "minimum": 1, "maximum": 2_147_483_647}}
        for name in op.path_params]
    if op.query is not None:
        schema = op.query.model_json_schema()
        for name, prop in schema.get("properties", {}).items():
            prop = dict(prop)
            description = prop.pop("description", "")
            prop.pop("title", None)
            # A query parameter is optional-with-default; "null" cannot be sent in a query string.
            if "anyOf" in prop:
                options = [o for o in prop.pop("anyOf") if o.get("type") != "null"]
                prop.update(options[0] if len(options) == 1 else {"anyOf": options})
                prop.pop("default", None)
            param = {"name": name, "in": "query", "required": name in schema.get("required", []), "schema": prop}
            if description:
                param["description"] = description
            params.append(param)
    return params


def build_document(server_url: str = "/api/v1") -> dict[str, Any]:
    schemas, refs = _components()
    schemas["Problem"] = PROBLEM_SCHEMA
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        responses: dict[str, Any] = {}
        success: dict[str, Any] = {"description": "Gelöscht (ohne Inhalt)." if op.status == 204 else "Erfolg."}
        if op.response is not None:
            success["content"] = {"application/json": {"schema": refs[(op.response, "serialization")]}}
        if op.method == "GET" and op.query is not None and "limit" in op.query.model_fields:
            success["headers"] = {
                "Link": {"description": "Seiten (RFC 8288): first, prev, next, last.", "schema": {"type": "string"}},
                "X-Total-Count": {"description": "Anzahl aller Treffer.", "schema": {"type": "integer"}},
            }
        if op.status == 201:
            success["headers"] = {"Location": {"description": "Adresse des neuen Datensatzes.",
                                               "schema": {"type": "string"}}}
        if op.links:
            # Which ids of this answer feed which other operation (OpenAPI links): documentation for
            # clients, and the paths the stateful fuzzing run follows.
            success["links"] = op.links
        responses[str(op.status)] = success
        for code in sorted(set(op.errors) | {400, 401, 405}):
            responses[str(code)] = {"description": ERROR_TEXT.get(code, "Fehler."),
                                    "content": {"application/problem+json": {
                                        "schema": {"$ref": "#/components/schemas/Problem"}}}}
        for code, text in sorted(op.extra_responses.items()):   # e.g. 202 while a result is computed
            responses[str(code)] = {"description": text, "content": {"application/json": {"schema": {
                "type": "object", "properties": {"status": {"type": "string"}, "detail": {"type": "string"},
                                                 "retry_after": {"type": "integer"}, "job": {"type": "integer"},
                                                 "status_url": {"type": "string"}}}}}}
        entry: dict[str, Any] = {
            "operationId": op.endpoint.split(".", 1)[1],
            "summary": op.summary,
            "description": op.description + ("\n\nBerechtigung: " + ", ".join(p.value for p in op.permissions)
                                              if op.permissions else ""),
            "tags": [op.tag],
            "parameters": _parameters(op),
            "responses": responses,
            "x-permissions": [p.value for p in op.permissions],
        }
        if op.body is not None:
            entry["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": refs[(op.body, "validation")]}}}
        if not op.permissions:
            entry["security"] = []
        paths.setdefault(op.path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "Bildungsnetz API",
            "version": "1.0.0",
            "description": (
                "JSON-API des Bildungsnetzes. Anmeldung mit einem persönlichen API-Token "
                "(`Authorization: Bearer bn_…`, anzulegen unter /konto/tokens); das Token handelt mit der "
                "Rolle seines Kontos. Listen: `limit`/`offset`, Kopf `Link` und `X-Total-Count`. Fehler als "
                "Problem Details (RFC 9457, `application/problem+json`), bei 422 mit `errors` je Feld."),
        },
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "Persönliches API-Token (bn_…)."}},
        },
    }
