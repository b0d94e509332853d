"""Bildungsnetz: the Flask application factory."""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from crm import config as config_module

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build an app; ``config`` overrides the environment (tests pass their database here)."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    overrides = dict(config or {})
    env = dict(os.environ)
    for key in ("DATABASE_URL", "SECRET_KEY"):
        if key in overrides:
            env[key] = str(overrides[key])
    app.config.update(config_module.load(Path(app.instance_path), env))
    app.config.update(overrides)
    if "DATABASE_URL" in overrides:
        app.config["SQLALCHEMY_DATABASE_URI"] = overrides["DATABASE_URL"]

    from crm import admin, auth, babel_setup, cli, errors, permissions, routing, security, templating
    from crm.extensions import csrf, db, login_manager, mail, migrate
    from crm.services.privacy import audit

    routing.init_app(app)  # before any route is added: ids beyond the integer range are a 404
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    mail.init_app(app)
    babel_setup.init_app(app)
    auth.init_login(app, login_manager)
    permissions.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    audit.install()
    _sqlite_foreign_keys()
    from crm import collation

    collation.install()  # German name order (COLLATE german) on SQLite connections

    from crm.services import computed

    computed.init_app(app)

    from crm.views import register_blueprints

    register_blueprints(app)
    from crm import api

    api.init_app(app)
    admin.init_app(app)
    cli.init_app(app)
    return app



def _enable_sqlite_foreign_keys(dbapi_connection, connection_record) -> None:
    """SQLite ignores foreign keys unless asked per connection; we rely on ON DELETE rules."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _sqlite_foreign_keys() -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "connect", _enable_sqlite_foreign_keys):
        event.listen(Engine, "connect", _enable_sqlite_foreign_keys)
