"""Flask-Babel: German first, English as second locale.

Message ids are the German texts, so a missing English translation falls back to
German, which is what the office's users read anyway.
"""
from __future__ import annotations

from flask import Flask, request, session
from flask_babel import get_locale
from flask_login import current_user

from crm.extensions import babel

LOCALES = ("de", "en")


def select_locale() -> str:
    chosen = session.get("locale")
    if chosen in LOCALES:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in LOCALES:
        return current_user.locale
    return request.accept_languages.best_match(LOCALES, default="de")


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = lambda: str(get_locale() or "de")
