"""Search-as-you-type endpoints for the pickers (``crm/static/js/autocomplete.js``).

Small JSON answers (at most 15 rows), so a suggestion list appears while the user types.
Persons are only suggested to users who may see personal data.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from crm.extensions import db
from crm.permissions import Permission, can, requires
from crm.services.landscape import directory
from crm.services.landscape import persons as person_service

bp = Blueprint("search", __name__)

LIMIT = 15


def _exclude() -> int | None:
    return directory.parse_id(request.args.get("ohne"))


@bp.route("/akteure/suche.json")
@requires(Permission.VIEW_LANDSCAPE)
def actors_json():
    """``?q=olew`` → ``[{"id", "name", "kind", "area", "is_active"}]``, at most 15, best first."""
    text = (request.args.get("q") or "")[:200]
    actors = directory.suggest_actors(db.session, text, limit=LIMIT, exclude_id=_exclude(),
                                      search_private=can(Permission.VIEW_PERSONAL_DATA))
    response = jsonify([{"id": a.id, "name": a.name, "kind": a.kind.name if a.kind else "",
                         "area": a.area.name if a.area else "", "is_active": a.is_active} for a in actors])
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/personen/suche.json")
@requires(Permission.VIEW_PERSONAL_DATA)
def persons_json():
    """``?q=müller`` → ``[{"id", "name", "email", "actors"}]``, at most 15 (personal data: no-store)."""
    text = (request.args.get("q") or "")[:200]
    exclude = _exclude()
    persons = [p for p in person_service.suggest_persons(db.session, text, limit=LIMIT + 1) if p.id != exclude][:LIMIT]
    response = jsonify([{"id": p.id, "name": p.full_name, "email": p.email,
                         "actors": sorted({a.actor.name for a in p.affiliations})} for p in persons])
    response.headers["Cache-Control"] = "no-store"
    return response
