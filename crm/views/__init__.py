"""Blueprints: thin request handlers (load, check permission, call a service, render).

Every module in this package that defines ``bp`` is registered; a new feature adds a
module and nothing else.
"""
from __future__ import annotations

import importlib
import pkgutil

from flask import Blueprint, Flask


def register_blueprints(app: Flask) -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        blueprint = getattr(module, "bp", None)
        if isinstance(blueprint, Blueprint):
            app.register_blueprint(blueprint)
