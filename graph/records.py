"""Plain input records: what ``graph`` needs to know of actors and ties, and nothing else.

The CRM turns database rows into these (``crm.services.network.records``); tests build them by
hand or from networkx's example graphs. Labels, kinds, topics and areas are user text
and every output must treat them as hostile (escape on rendering, never interpret).

Layers and how their ties are dated (the convention the CRM service follows):

* ``cooperation``: one record per cooperation; ``start``/``end`` are its dates,
  ``end=None`` means it is still running. Ending a cooperation never deletes it, so
  the history of the landscape can be replayed with :class:`graph.cut.Cut`.
* ``initiative``: one record per pair of member actors per initiative whose memberships
  overlap; weight 1 per shared initiative; ``start``/``end`` = the overlap of the two
  membership periods.
* ``event``: one record per pair of actors whose people attended the same event;
  weight 1 per shared event; ``start`` = the event day, ``end=None``. Having met at a
  Bildungskonferenz counts from that day on and is never undone: the tie does not
  decay (decay would need a half-life nobody can justify to a Stadtrat). A view "as of
  2023-06-30" therefore contains every meeting up to that day.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

LAYERS: tuple[str, ...] = ("cooperation", "initiative", "event")
# Where a tie of the cooperation layer comes from: a cooperation the CRM records, or a network
# survey's reported tie named by both sides (confirmed) or by one side and not in the CRM (reported).
ORIGINS: tuple[str, ...] = ("recorded", "confirmed", "reported")


@dataclass(frozen=True, slots=True)
class NodeRecord:
    """One actor. ``area_path`` runs from the root area to the leaf ("Stadt Trier", "Trier-Olewig").

    ``active`` is the actor's state *today* (the CRM sets it from ``is_active`` and a closing
    day already past). ``active_from``/``active_until`` are the first and last day it worked in
    the landscape, ``None`` where unknown; dated views use them (:func:`graph.cut.apply_cut`),
    so the network as of 2023 keeps a school that closed in 2024 and leaves out a Kita that
    opened in 2025.
    """

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
    active_from: date | None = None
    active_until: date | None = None

    @property
    def path(self) -> tuple[str, ...]:
        """The area path, or the leaf area alone when no path was given."""
        if self.area_path:
            return tuple(self.area_path)
        return (self.area,) if self.area else ()

    def active_on(self, day: date) -> bool | None:
        """Whether the actor worked in the landscape on ``day``: ``True``, ``False``, or ``None``
        when that cannot be told from the actor alone (inactive today, closing day unknown:
        :func:`graph.cut.apply_cut` then asks whether it had a tie that day)."""
        if self.active_from is not None and day < self.active_from:
            return False
        if self.active_until is not None:
            return day <= self.active_until
        return True if self.active else None

    def active_during(self, since: date | None, until: date | None) -> bool | None:
        """Like :meth:`active_on` for the window [since, until] (open ends allowed): any overlap."""
        if self.active_from is not None and until is not None and until < self.active_from:
            return False
        if self.active_until is not None:
            return since is None or since <= self.active_until
        return True if self.active else None


@dataclass(frozen=True, slots=True)
class EdgeRecord:
    """One tie of one layer (see the module docstring for how layers are dated).

    ``layer`` defaults to ``"cooperation"`` because that is the layer every view shows
    first; the CRM always passes it explicitly. ``origin`` (:data:`ORIGINS`): ``recorded`` for
    every tie the CRM records; a network survey's ties of the cooperation layer are
    ``confirmed`` or ``reported`` (:class:`graph.cut.Cut` ``sources`` chooses among them).
    """

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
    origin: str = "recorded"

    def is_current(self, on: date) -> bool:
        """A tie exists on day ``on`` when it has started and not yet ended (both days included).

        A missing start means "since before records began"; a missing end "still running".
        """
        return (self.start is None or self.start <= on) and (self.end is None or self.end >= on)

    exists_on = is_current
