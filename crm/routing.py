"""One rule for record ids in URLs: ``<int:…>`` names a record, 1 … 2³¹−1, in ASCII digits.

Flask's own ``int`` converter takes any number of digits (``/akteure/99999999999999999999``) and
Unicode digits (``/akteure/٣`` would be actor 3); an id beyond a 32-bit integer then reached the
database, where SQLite refuses the number and PostgreSQL's ``integer`` column overflows: a 500.
The factory registers ``RecordIdConverter`` as the ``int`` converter before any blueprint is
registered, so every route of the app (pages and API alike) answers 404 for such ids before its
loader runs. The range is in the converter's pattern itself: Werkzeug compares the HTTP method
before it converts, so a range checked only in ``to_python`` would make ``PATCH /api/v1/actors/
2147483648`` a 405 (the GET route's pattern matched) instead of a 404.
"""
from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter

from crm.services.landscape.directory import MAX_ID


def numbers_up_to(limit: int) -> str:
    """A regular expression for the decimal numbers 1 … ``limit`` (no sign, no leading zeros)."""
    digits = str(limit)
    parts = []
    if len(digits) > 1:
        parts.append(f"[1-9][0-9]{{0,{len(digits) - 2}}}")  # fewer digits than the limit
    for position, digit in enumerate(digits):
        lowest = 1 if position == 0 else 0
        if int(digit) > lowest:
            rest = len(digits) - position - 1
            parts.append(f"{digits[:position]}[{lowest}-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


class RecordIdConverter(IntegerConverter):
    regex = numbers_up_to(MAX_ID)


def init_app(app: Any) -> None:
    """Before the blueprints: rules take their converter when they are added."""
    app.url_map.converters["int"] = RecordIdConverter
