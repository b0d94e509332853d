"""How actors are named on maps, the dashboard and in reports: one rule, one place.

An actor whose kind is marked ``is_individual`` (a volunteer Lernbegleiterin, an independent
expert) is a natural person, and their name is personal data (DSGVO). Whether a user may see
it is decided by ``crm.permissions.can_see_contact_of`` (roles holding VIEW_PERSONAL_DATA);
for everyone else such an actor is "Einzelperson (Lernbegleiterin, Trier-Olewig)": kind and
area, which is what the office needs to read a map. The Stadtrat report leaves the office
(council papers are public), so it names no individual for any role (``public=True``).
Organisations are always named.

The decision is made once per request (:func:`hidden_individuals`) and handed to the
label functions, so that cached maps and dashboards can be keyed by it.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from crm.models import Actor, ActorKind
from crm.permissions import can_see_contact_of
from graph.records import NodeRecord


def hidden_individuals(session: Session, *, public: bool = False, user: Any = None) -> frozenset[int]:
    """Ids of the individual actors whose names ``user`` (default: the logged-in user) may not
    see; with ``public`` every individual actor."""
    actors = session.scalars(select(Actor).join(Actor.kind).options(contains_eager(Actor.kind))
                             .where(ActorKind.is_individual.is_(True)))
    return frozenset(a.id for a in actors if public or not can_see_contact_of(a, user))


def anonymous_label(kind: str, area: str = "") -> str:
    """What an individual actor is called where their name may not be shown."""
    return f"Einzelperson ({kind}{', ' + area if area else ''})"


def label(node: NodeRecord, hidden: frozenset[int]) -> str:
    return anonymous_label(node.kind, node.area) if node.id in hidden else node.label


def actor_labels(nodes: Iterable[NodeRecord], hidden: frozenset[int]) -> dict[int, str]:
    """Display name per actor id."""
    return {n.id: label(n, hidden) for n in nodes}


def named(nodes: Sequence[NodeRecord], hidden: frozenset[int]) -> list[NodeRecord]:
    """The records with display names as labels (graph functions draw ``label``)."""
    if not hidden:
        return list(nodes)
    return [replace(n, label=label(n, hidden)) if n.id in hidden else n for n in nodes]
