"""Plain input records: what ``graph`` needs to know of actors and ties, and nothing else.

The CRM turns database rows into these; tests build them by hand or from networkx's
example graphs. Labels are user text and must be treated as hostile by every output.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping


@dataclass(frozen=True, slots=True)
class NodeRecord:
    id: int
    label: str
    kind: str = ""
    category: str = ""
    area: str = ""
    area_path: tuple[str, ...] = ()
    life_stages: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    active: bool = True
    attrs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EdgeRecord:
    source: int
    target: int
    layer: str = "cooperation"
    weight: float = 1.0
    directed: bool = False
    type: str = ""
    start: date | None = None
    end: date | None = None
    topics: tuple[str, ...] = ()
    life_stages: tuple[str, ...] = ()
    intensity: int | None = None
    ref: str = ""

    def is_current(self, on: date) -> bool:
        """A tie exists on day ``on`` when it has started and not yet ended (end day included)."""
        return (self.start is None or self.start <= on) and (self.end is None or self.end >= on)
