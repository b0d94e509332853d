"""How actors are named on maps, the dashboard and in reports: one rule, one place.

An actor whose kind is marked ``is_individual`` (a volunteer Lernbegleiterin, an independent
expert) is a natural person acting in their own right. Inside the app their *name* is
landscape data, like an organisation's: every logged-in role reads it on the actor page, in
the directory, in lists and on maps alike (showing it on one page and hiding it on the next
would protect nothing). Their *contact details* (street, e-mail, phone, notes) are personal
data, shown only to roles holding VIEW_PERSONAL_DATA (``crm.permissions.can_see_contact_of``);
maps and the dashboard carry none. The Stadtrat report leaves the office (council papers are
public), so it names no individual for any role (``public=True``): "Einzelperson
(Lernbegleiterin, Trier-Olewig)", kind and area. Organisations are always named.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.models import Actor, ActorKind
from graph.records import NodeRecord


def hidden_individuals(session: Session, *, public: bool = False) -> frozenset[int]:
    """Ids of the individual actors whose names a page may not show: all of them in a
    ``public`` document (the council report), none inside the app."""
    if not public:
        return frozenset()
    return frozenset(session.scalars(select(Actor.id).join(ActorKind, ActorKind.id == Actor.kind_id)
                                     .where(ActorKind.is_individual.is_(True))))


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
