"""Small helpers shared by the modules of ``graph`` (ordering, area levels, JSON form)."""
from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any


def sort_key(value: Hashable) -> tuple[int, Any]:
    """Orders ids of mixed type deterministically: numbers first, then by text."""
    if isinstance(value, bool):
        return (1, str(value))
    if isinstance(value, (int, float)):
        return (0, value)
    return (1, str(value))


def area_at(path: Sequence[str], area: str = "", level: int | None = None) -> str:
    """The area of an actor at ``level`` of its area path (0 = root); ``None`` = the leaf.

    Paths shorter than ``level`` give their leaf: an actor registered only for
    "Landkreis Trier-Saarburg" counts there, not nowhere.
    """
    path = tuple(path) or ((area,) if area else ())
    if not path:
        return ""
    if level is None:
        return path[-1]
    return path[min(level, len(path) - 1)]


def node_area(data: Mapping[str, Any], level: int | None = None) -> str:
    """``area_at`` for the attribute dict of a node made by ``build_graph``."""
    return area_at(data.get("area_path", ()) or (), data.get("area", "") or "", level)


def jsonable(value: Any) -> Any:
    """Plain JSON data: ISO dates, lists for sets and tuples (sets sorted), str keys,
    Python numbers for numpy scalars, ``None`` for NaN and infinities."""
    # Fast paths by exact type first: a 20,000-actor result holds over half a million
    # values, and the isinstance checks against ABCs below cost seconds at that size.
    kind = type(value)
    if kind is str or kind is bool or value is None or kind is int:
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is dict:
        return {k if type(k) is str else str(k): jsonable(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [jsonable(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "to_dict") and callable(value.to_dict):
            return jsonable(value.to_dict())
        return jsonable(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return [jsonable(v) for v in sorted(value, key=sort_key)]
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item"):  # numpy scalars
        return jsonable(value.item())
    return value
