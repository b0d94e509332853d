"""JSON REST API under ``/api/v1`` (blueprint ``api``).

* Authentication: personal bearer tokens (``crm.services.accounts.api_tokens``; users create them at
  ``/konto/tokens``). Reads also accept the browser session (same-origin pages may fetch JSON);
  writes require a token, because the API is exempt from CSRF protection.
* Authorisation: the same ``crm.permissions`` as the pages (``@requires`` via ``operation``).
* Errors: always ``application/problem+json`` (RFC 9457), never HTML, never a traceback.
* ``OPTIONS`` on any API path answers ``204`` with ``Allow`` (no body), for clients that ask first.
* Documentation: ``/api/v1/openapi.json`` (OpenAPI 3.1), generated from the declared operations.
"""
from __future__ import annotations

from flask import Blueprint, Flask, jsonify

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from crm.api import analysis, resources  # noqa: E402,F401  (register the operations)
from crm.api.core import ApiProblem, answer_options, handle_problem, require_token_for_writes  # noqa: E402
from crm.permissions import public  # noqa: E402

bp.before_request(answer_options)
bp.before_request(require_token_for_writes)


@bp.route("/openapi.json")
@public
def openapi_document():
    """The OpenAPI document is public: it describes the API, not the data."""
    from flask import url_for

    from crm.api.openapi import build_document

    return jsonify(build_document(url_for("api.openapi_document").rsplit("/", 1)[0]))


def init_app(app: Flask) -> None:
    from crm.extensions import csrf

    app.register_blueprint(bp)
    csrf.exempt(bp)
    app.register_error_handler(ApiProblem, handle_problem)
