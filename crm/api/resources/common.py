"""What the API's resource modules share: links between operations, loading by id, references,
pages of a list, and the ids of vocabulary entries named in a request."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, select

from crm.api import schemas as s
from crm.api.core import ApiProblem, page, paginate_links
from crm.extensions import db
from crm.models import Area, LifeStage

COMMON_READ = (401, 403, 422)
NOT_FOUND = "Diesen Datensatz gibt es nicht."
DELETE_ERRORS = (401, 403, 404)
INVALID = "Die Eingaben enthalten Fehler."


def link(operation_id: str, **parameters: str) -> dict[str, Any]:
    """An OpenAPI link: the named operation takes these path parameters from this answer."""
    return {"operationId": operation_id, "parameters": parameters}


def _links(path_param: str, source: str, *operations: str) -> dict[str, dict[str, Any]]:
    """Links from one id in the answer (``source``, e.g. ``$response.body#/id``) to operations on it,
    named like the operation (``update_actor`` → ``UpdateActor``)."""
    return {op.title().replace("_", ""): link(op, **{path_param: source}) for op in operations}


def item_links(*operations: str, param: str) -> dict[str, dict[str, Any]]:
    """From a list answer: its first item."""
    return _links(param, "$response.body#/items/0/id", *operations)


def own_links(*operations: str, param: str) -> dict[str, dict[str, Any]]:
    """From an answer that is the record itself."""
    return _links(param, "$response.body#/id", *operations)


def get_or_404(model: Any, object_id: int) -> Any:
    obj = db.session.get(model, object_id)
    if obj is None:
        raise ApiProblem(404, NOT_FOUND)
    return obj


def ref(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.id, "name": str(getattr(obj, "name", obj))}


def stages(items: list[LifeStage]) -> list[dict[str, Any]]:
    return [{"id": st.id, "code": st.code, "name": st.name} for st in items]


def list_page(query: s.PageQuery, stmt: Select, dump: Callable[[list[Any]], list[dict[str, Any]]],
              ) -> tuple[dict[str, Any], int, dict[str, str]]:
    """One page of ``stmt`` (a service's list query with its loader options) as the API answers
    it: items, total, limit, offset, and the ``Link`` and ``X-Total-Count`` headers. ``dump`` turns
    the page's rows into JSON at once, so what it needs besides them costs one query per page."""
    rows, total = page(stmt, db.session, query.limit, query.offset)
    return ({"items": dump(rows), "total": total, "limit": query.limit, "offset": query.offset},
            200, paginate_links(total, query.limit, query.offset))


def all_areas() -> list[Area]:
    """Every area, in one query: an area's full name walks up its parents, which then come from
    the session's identity map instead of one query per area (keep the list while dumping)."""
    return list(db.session.scalars(select(Area)))


def resolve_ids(model: Any, ids: list[int], field: str, errors: dict[str, list[str]]) -> list[Any]:
    """The entries of ``model`` with these ids, in the given order; unknown ids are an error on ``field``."""
    unique = list(dict.fromkeys(ids))
    found = {o.id: o for o in db.session.scalars(select(model).where(model.id.in_(unique)))} if unique else {}
    missing = [i for i in unique if i not in found]
    if missing:
        errors.setdefault(field, []).append("Unbekannte Nummer: " + ", ".join(map(str, missing)) + ".")
    return [found[i] for i in unique if i in found]


def lookup(model: Any, object_id: int | None, field: str, message: str, errors: dict[str, list[str]]) -> Any:
    """The record an ``*_id`` field names (None for none); an unknown id is ``message`` on ``field``."""
    obj = db.session.get(model, object_id) if object_id else None
    if object_id and obj is None:
        errors.setdefault(field, []).append(message)
    return obj


def refuse_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ApiProblem(422, INVALID, errors)
