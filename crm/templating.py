"""Template globals: navigation that only links to pages that exist, and date and number formats."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, url_for
from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from crm.permissions import Permission, can


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # lazy string, translated at render time
    permission: Permission
    also: tuple[str, ...] = ()  # further blueprints of this area (marked as current there too)


# The areas of the product; an item appears once its blueprint exists (no dead links).
NAVIGATION = (
    NavItem("dashboard.index", _l("Dashboard"), Permission.VIEW_LANDSCAPE),
    NavItem("actors.index", _l("Akteure"), Permission.VIEW_LANDSCAPE),
    NavItem("persons.index", _l("Personen"), Permission.VIEW_PERSONAL_DATA),
    NavItem("cooperations.index", _l("Kooperationen"), Permission.VIEW_LANDSCAPE),
    NavItem("offers.index", _l("Angebote"), Permission.VIEW_LANDSCAPE),
    NavItem("initiatives.index", _l("Initiativen"), Permission.VIEW_LANDSCAPE),
    NavItem("events.index", _l("Veranstaltungen"), Permission.VIEW_EVENTS),
    # The geographic map sits with the network maps: an eleventh item did not fit 1280 px on one line.
    NavItem("network.index", _l("Netzwerk"), Permission.VIEW_LANDSCAPE, also=("geomap",)),
    NavItem("reports.index", _l("Berichte"), Permission.VIEW_LANDSCAPE),
)


def choice_pairs(records: Iterable[Any], value: str = "id", text: str = "name") -> list[tuple[Any, Any]]:
    """``(record.id, record.name)`` pairs for ``multi_choice`` (templates/macros/multi_choice.html)."""
    return [(getattr(r, value), getattr(r, text)) for r in records]
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:)]")


def linkify(text: object) -> Markup:
    """``|linkify``: text escaped, its http(s) addresses as links (a mail's text part on screen)."""
    return Markup(_URL.sub(lambda m: f'<a href="{m.group(0)}" target="_blank" rel="noopener">{m.group(0)}</a>',
                           str(escape(text or ""))))


def init_app(app: Flask) -> None:
    def navigation() -> list[tuple[tuple[str, ...], str, str]]:
        """(blueprints of the area, url, label) of every area the user may open."""
        items = []
        for item in NAVIGATION:
            if item.endpoint in app.view_functions and can(item.permission):
                items.append(((item.endpoint.split(".")[0], *item.also), url_for(item.endpoint), str(item.label)))
        return items

    def has_endpoint(endpoint: str) -> bool:
        return endpoint in app.view_functions

    app.jinja_env.globals.update(navigation=navigation, has_endpoint=has_endpoint)
    app.jinja_env.filters["choice_pairs"] = choice_pairs
    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else ""
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": format_datetime(value, fmt) if value else ""
    # Numbers in the user's locale: 12,19 in German, 12.19 in English (never Python's "%.2f").
    app.jinja_env.filters["decimal"] = lambda value, places=2: (
        format_decimal(value, format="#,##0" + ("." + "0" * places if places else "")) if value is not None else "")
    app.jinja_env.filters["linkify"] = linkify
