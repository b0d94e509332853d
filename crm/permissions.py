"""The one place that decides who may do what.

Blueprints, Flask-Admin and the API all ask this module. Every endpoint must say
what it needs (``@requires`` or ``@public``); a safety net in ``before_request``
refuses any endpoint that says nothing, so a forgotten decorator fails closed.
"""
from __future__ import annotations

import enum
from functools import wraps
from typing import Any, Callable, TypeVar

from flask import Flask, abort, current_app, request
from flask_login import current_user

from crm.models.users import Role

F = TypeVar("F", bound=Callable[..., Any])


class Permission(enum.StrEnum):
    VIEW_LANDSCAPE = "view_landscape"        # actors, ties, initiatives, maps, dashboard, reports
    VIEW_PERSONAL_DATA = "view_personal_data"  # names, e-mails, phones of persons
    EDIT_LANDSCAPE = "edit_landscape"        # create and change actors, persons, ties, initiatives; import
    DELETE_RECORDS = "delete_records"        # delete mistakes, merge duplicates
    VIEW_EVENTS = "view_events"
    MANAGE_EVENTS = "manage_events"          # events, invitation lists, mail, check-in
    ADMINISTER = "administer"                # users, vocabularies, audit log


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.VIEW_LANDSCAPE, Permission.VIEW_EVENTS}),
    Role.ORGANISER: frozenset({Permission.VIEW_LANDSCAPE, Permission.VIEW_PERSONAL_DATA,
                               Permission.VIEW_EVENTS, Permission.MANAGE_EVENTS}),
    Role.COORDINATOR: frozenset({Permission.VIEW_LANDSCAPE, Permission.VIEW_PERSONAL_DATA,
                                 Permission.EDIT_LANDSCAPE, Permission.DELETE_RECORDS,
                                 Permission.VIEW_EVENTS, Permission.MANAGE_EVENTS}),
    Role.ADMIN: frozenset(Permission),
}

ROLE_LABELS = {
    Role.ADMIN: "Administration",
    Role.COORDINATOR: "Koordination",
    Role.ORGANISER: "Veranstaltungsorganisation",
    Role.VIEWER: "Lesezugriff",
}

_ACCESS_ATTR = "_crm_access"


def can(permission: Permission, user: Any = None) -> bool:
    """Whether ``user`` (default: the logged-in user) holds ``permission``."""
    user = current_user if user is None else user
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return permission in ROLE_PERMISSIONS.get(user.role, frozenset())


def _deny() -> None:
    if not current_user.is_authenticated:
        abort(401)
    abort(403)


def requires(*permissions: Permission) -> Callable[[F], F]:
    """Decorator: the view runs only for a logged-in user holding all ``permissions``."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not all(can(p) for p in permissions):
                _deny()
            return view(*args, **kwargs)

        setattr(wrapper, _ACCESS_ATTR, tuple(permissions))
        return wrapper  # type: ignore[return-value]

    return decorate


def public(view: F) -> F:
    """Mark a view as reachable without login (login page, personal answer links)."""
    setattr(view, _ACCESS_ATTR, ())
    return view


def declared_access(app: Flask, endpoint: str) -> tuple[Permission, ...] | None:
    """What an endpoint requires: a tuple (empty = public) or None if it declares nothing."""
    if endpoint == "static" or endpoint.endswith(".static"):
        return ()
    view = app.view_functions.get(endpoint)
    if view is None:
        return None
    if hasattr(view, _ACCESS_ATTR):
        return getattr(view, _ACCESS_ATTR)
    if endpoint.split(".", 1)[0] in _admin_endpoints(app):
        return (Permission.ADMINISTER,)
    return None


def _admin_endpoints(app: Flask) -> set[str]:
    admins = app.extensions.get("admin", [])
    if not isinstance(admins, list):
        admins = [admins]
    return {view.endpoint for admin in admins for view in admin._views}


def enforce() -> None:
    """``before_request`` safety net: every endpoint must have declared its access."""
    endpoint = request.endpoint
    if endpoint is None:  # 404 / 405: nothing to protect
        return
    access = declared_access(current_app, endpoint)
    if access is None:
        current_app.logger.error("Endpoint %s declares no permission; refused.", endpoint)
        abort(403)
    if access and not all(can(p) for p in access):
        _deny()


def init_app(app: Flask) -> None:
    app.before_request(enforce)
    app.jinja_env.globals["can"] = can
    app.jinja_env.globals["Permission"] = Permission
