"""The one place that decides who may do what.

Blueprints, Flask-Admin and the API all ask this module. Every endpoint must say
what it needs (``@requires`` or ``@public``); a safety net in ``before_request``
refuses any endpoint that says nothing, so a forgotten decorator fails closed.
"""
from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app, g, has_request_context, request
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


# What a read-only API token may still do (crm.api): look, never change.
READ_PERMISSIONS = frozenset({Permission.VIEW_LANDSCAPE, Permission.VIEW_PERSONAL_DATA, Permission.VIEW_EVENTS})


def can(permission: Permission, user: Any = None) -> bool:
    """Whether ``user`` (default: the logged-in user) holds ``permission``."""
    if user is None:
        user = current_user
        token = g.get("api_token") if has_request_context() else None
        if token is not None and token.is_read_only and permission not in READ_PERMISSIONS:
            return False
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return permission in ROLE_PERMISSIONS.get(user.role, frozenset())


def can_see_contact_of(actor: Any, user: Any = None) -> bool:
    """Whether ``user`` may see an actor's contact details (street, e-mail, phone, notes).

    An organisation's contact data is business data every role may read. An actor whose
    kind is marked ``is_individual`` (a volunteer Lernbegleiterin, an independent expert)
    is a natural person: for them the same fields are personal data (DSGVO), shown only
    to roles holding ``VIEW_PERSONAL_DATA``. Their name, as an actor of the landscape, is
    shown to every role (see crm/services/landscape/naming.py). Pages, exports and the API ask here.
    """
    kind = getattr(actor, "kind", None)
    if kind is None or not getattr(kind, "is_individual", False):
        return True
    return can(Permission.VIEW_PERSONAL_DATA, user)


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
    if endpoint is None or request.method == "OPTIONS":  # 404 / 405, or which methods exist: nothing to protect
        return
    access = declared_access(current_app, endpoint)
    if access is None:
        current_app.logger.error("Endpoint %s declares no permission; refused.", endpoint)
        abort(403)
    if access and not all(can(p) for p in access):
        _deny()


def load_user_from_token(req: Any) -> Any:
    """Flask-Login ``request_loader``: ``Authorization: Bearer <token>`` logs in the token's user
    for this one request (no session is written), so ``@requires`` and ``can()`` work for the API.

    Only on the API blueprint: a token is for programs reading ``/api/v1``, never a key to the pages
    (administration, exports, Art. 15 downloads, the token page itself), which need a login with its
    session limits."""
    from crm.extensions import db
    from crm.security import bearer_token
    from crm.services.accounts import api_tokens

    if req.blueprint != "api":
        return None
    secret = bearer_token()
    if secret is None:
        return None
    token = api_tokens.authenticate(db.session, secret)
    if token is None:
        return None
    db.session.commit()  # last_used_at; nothing else is pending at this point
    g.api_token = token
    return token.user


def init_app(app: Flask) -> None:
    manager = getattr(app, "login_manager", None)
    if manager is not None:
        manager.request_loader(load_user_from_token)
    app.before_request(enforce)
    app.jinja_env.globals["can"] = can
    app.jinja_env.globals["can_see_contact_of"] = can_see_contact_of
    app.jinja_env.globals["Permission"] = Permission
