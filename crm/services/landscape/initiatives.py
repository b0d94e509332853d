"""Initiatives and their member actors: create, change, memberships with roles and dates.

Rules (shared by the forms, the API and the import):
* an initiative's name is unique, its end not before its start;
* a membership's "left" date is not before its "joined" date;
* an actor is a member of an initiative at most once at a time: two memberships of the same
  actor in the same initiative must not overlap (an open date reaches infinitely far). To
  change a role, end the membership and start a new one, or edit the existing one.

Leaving sets ``left_on`` and keeps the row (history); deleting is for mistakes only.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from crm.collation import german
from crm.models import Actor, Initiative, InitiativeKind, Membership, MembershipRole, Topic
from crm.services.errors import N_, ConcurrentEditError, ServiceError, translated, unique_rule
from crm.services.landscape.actors import check_version, flush_versioned
from crm.services.landscape.directory import Page, fold_sql, fold_text, like_pattern, paginate, parse_id, parse_page
from crm.services.write_lock import begin_write

EDITABLE_FIELDS = ("name", "short_name", "kind", "description", "website", "start_date", "end_date", "topics",
                   "life_stages")
MEMBERSHIP_FIELDS = ("actor", "role", "joined_on", "left_on")

KIND_LABELS = {
    InitiativeKind.PROJECT: N_("Projekt"),
    InitiativeKind.ALLIANCE: N_("Bündnis"),
    InitiativeKind.WORKING_GROUP: N_("Arbeitskreis"),
    InitiativeKind.PROGRAMME: N_("Programm"),
}
ROLE_LABELS = {
    MembershipRole.LEAD: N_("Leitung"),
    MembershipRole.PARTNER: N_("Partner"),
    MembershipRole.MEMBER: N_("Mitglied"),
    MembershipRole.FUNDER: N_("Förderer"),
}


def _fmt(day: date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else translated(N_("offen"))


def _apply(obj: Any, fields: tuple[str, ...], values: Mapping[str, Any]) -> None:
    for key in fields:
        if key in values:
            value = values[key]
            setattr(obj, key, value.strip() if type(value) is str and key != "description" else value)


NAME_TAKEN = N_("Eine Initiative mit diesem Namen gibt es bereits.")
# Two requests that both pass the name check race to the unique index; the loser hears the rule.
unique_rule("initiatives", ("name",), NAME_TAKEN, "name")


def check_initiative(session: Session, values: Mapping[str, Any], exclude_id: int | None = None) -> None:
    name = (values.get("name") or "").strip()
    if not name:
        raise ServiceError(N_("Bitte geben Sie einen Namen ein."), "name")
    query = select(Initiative).where(func.lower(Initiative.name) == name.lower())
    if exclude_id is not None:
        query = query.where(Initiative.id != exclude_id)
    if session.scalars(query).first() is not None:
        raise ServiceError(NAME_TAKEN, "name")
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and end < start:
        raise ServiceError(N_("Das Ende darf nicht vor dem Beginn liegen."), "end_date")


def create_initiative(session: Session, values: Mapping[str, Any]) -> Initiative:
    """A new initiative; ServiceError if a rule is broken. A double-clicked "Speichern" creates one:
    on SQLite the write lock is taken before the name check (``begin_write``), so the second
    request waits and finds the first one's initiative; on PostgreSQL the second INSERT hits
    the unique index, and ``crm.transaction`` answers with the same refusal (``NAME_TAKEN``)."""
    begin_write(session)
    check_initiative(session, values)
    initiative = Initiative(short_name="", description="", website="")
    _apply(initiative, EDITABLE_FIELDS, values)
    session.add(initiative)
    session.flush()
    return initiative


def update_initiative(session: Session, initiative: Initiative, values: Mapping[str, Any],
                      expected_version: int | None) -> Initiative:
    name = initiative.name
    check_version(session, initiative, expected_version, name)
    merged = {key: getattr(initiative, key) for key in EDITABLE_FIELDS}
    merged.update(values)
    check_initiative(session, merged, exclude_id=initiative.id)
    _apply(initiative, EDITABLE_FIELDS, values)
    flush_versioned(session, initiative, name)
    return initiative


def delete_initiative(session: Session, initiative: Initiative) -> None:
    """Remove an initiative entered by mistake with its memberships (cascade; each one audited).

    Cooperations and events that named it keep existing without it (``ON DELETE SET NULL``).
    """
    session.delete(initiative)
    session.flush()


# --------------------------------------------------------------------------- memberships

def overlapping_memberships(session: Session, initiative_id: int, actor_id: int, joined: date | None,
                            left: date | None, exclude_id: int | None = None) -> list[Membership]:
    conditions = [Membership.initiative_id == initiative_id, Membership.actor_id == actor_id]
    if left is not None:
        conditions.append(or_(Membership.joined_on.is_(None), Membership.joined_on <= left))
    if joined is not None:
        conditions.append(or_(Membership.left_on.is_(None), Membership.left_on >= joined))
    if exclude_id is not None:
        conditions.append(Membership.id != exclude_id)
    return list(session.scalars(select(Membership).where(and_(*conditions))))


def check_membership(session: Session, initiative: Initiative, values: Mapping[str, Any],
                     exclude_id: int | None = None) -> None:
    actor = values.get("actor")
    if actor is None:
        raise ServiceError(N_("Bitte wählen Sie den Akteur."), "actor")
    joined, left = values.get("joined_on"), values.get("left_on")
    if joined and left and left < joined:
        raise ServiceError(N_("„Ausgetreten am“ darf nicht vor „Beigetreten am“ liegen."), "left_on")
    clash = overlapping_memberships(session, initiative.id, actor.id, joined, left, exclude_id)
    if clash:
        other = clash[0]
        raise ServiceError(
            N_("„%(actor)s“ ist in diesem Zeitraum bereits Mitglied von „%(initiative)s“ "
               "(%(role)s, %(joined)s bis %(left)s). "
               "Beenden oder ändern Sie die bestehende Mitgliedschaft."), "actor",
            {"actor": actor.name, "initiative": initiative.name, "role": translated(ROLE_LABELS[other.role]),
             "joined": _fmt(other.joined_on), "left": _fmt(other.left_on)})


def add_membership(session: Session, initiative: Initiative, values: Mapping[str, Any]) -> Membership:
    """``values``: actor (Actor), role (MembershipRole), joined_on, left_on."""
    check_membership(session, initiative, values)
    membership = Membership(initiative=initiative, role=values.get("role") or MembershipRole.MEMBER)
    _apply(membership, MEMBERSHIP_FIELDS, values)
    session.add(membership)
    session.flush()
    return membership


def fingerprint(membership: Membership) -> str:
    """A short hash of the saved values: the edit form's stand-in for a version number."""
    data = {"actor": membership.actor_id, "role": str(membership.role), "joined_on": str(membership.joined_on),
            "left_on": str(membership.left_on)}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def update_membership(session: Session, membership: Membership, values: Mapping[str, Any],
                      expected_fingerprint: str | None) -> Membership:
    if expected_fingerprint and expected_fingerprint != fingerprint(membership):
        raise ConcurrentEditError(translated(N_("Mitgliedschaft von „%(actor)s“"), {"actor": membership.actor.name}),
                                  None, None)
    merged = {key: getattr(membership, key) for key in MEMBERSHIP_FIELDS}
    merged.update(values)
    check_membership(session, membership.initiative, merged, exclude_id=membership.id)
    _apply(membership, MEMBERSHIP_FIELDS, values)
    session.flush()
    return membership


def end_membership(session: Session, membership: Membership, left_on: date | None = None) -> Membership:
    """The actor left on ``left_on`` (default today); the membership stays as history."""
    left_on = left_on or date.today()
    if membership.joined_on and left_on < membership.joined_on:
        raise ServiceError(N_("„Ausgetreten am“ darf nicht vor dem Beitritt (%(joined)s) liegen."),
                           "left_on", {"joined": _fmt(membership.joined_on)})
    membership.left_on = left_on
    session.flush()
    return membership


def delete_membership(session: Session, membership: Membership) -> None:
    session.delete(membership)
    session.flush()


# --------------------------------------------------------------------------- reading

@dataclass
class InitiativeFilter:
    q: str = ""
    kind: str = ""
    topic_id: int | None = None
    status: str = ""          # "", "laufend", "beendet"
    page: int = 1
    hints: list[str] | None = None
    # Filters the API offers besides the page's.
    actor_id: int | None = None      # the actor is or was a member
    active_on: date | None = None    # running on this day (started, not ended)

    def to_args(self, **overrides: Any) -> dict[str, Any]:
        args: dict[str, Any] = {"q": self.q or None, "art": self.kind or None, "thema": self.topic_id,
                                "status": self.status or None, "seite": None if self.page == 1 else self.page}
        args.update(overrides)
        return {k: v for k, v in args.items() if v not in (None, "")}


def initiative_filter_from_args(session: Session, args: Mapping[str, Any]) -> InitiativeFilter:
    hints: list[str] = []
    result = InitiativeFilter(hints=hints, q=" ".join(str(args.get("q") or "").split())[:200])
    kind = str(args.get("art") or "").strip()
    if kind in {k.value for k in InitiativeKind}:
        result.kind = kind
    elif kind:
        hints.append(translated(N_("Unbekannte Art „%(value)s“; dieser Filter wurde ignoriert."), {"value": kind[:40]}))
    raw = str(args.get("thema") or "").strip()
    if raw:
        topic_id = parse_id(raw)
        if topic_id is None or session.get(Topic, topic_id) is None:
            hints.append(translated(N_("Das Themenfeld „%(value)s“ gibt es nicht (mehr); dieser Filter wurde "
                                       "ignoriert."), {"value": raw[:40]}))
        else:
            result.topic_id = topic_id
    status = str(args.get("status") or "").strip()
    if status in ("laufend", "beendet"):
        result.status = status
    elif status and status != "alle":
        hints.append(translated(N_("Unbekannter Status „%(value)s“ (laufend oder beendet); ignoriert."),
                                {"value": status[:40]}))
    result.page = parse_page(args.get("seite"))
    return result


def filtered_initiatives_query(f: InitiativeFilter, today: date | None = None) -> Select:
    today = today or date.today()
    query = select(Initiative)
    for word in f.q.split():
        pattern = like_pattern(fold_text(word))
        query = query.where(fold_sql(Initiative.name + " " + Initiative.short_name + " " + Initiative.description)
                            .like(pattern, escape="\\"))
    if f.kind:
        query = query.where(Initiative.kind == InitiativeKind(f.kind))
    if f.topic_id is not None:
        query = query.where(Initiative.topics.any(Topic.id == f.topic_id))
    if f.status == "laufend":
        query = query.where(or_(Initiative.end_date.is_(None), Initiative.end_date >= today))
    elif f.status == "beendet":
        query = query.where(Initiative.end_date < today)
    if f.actor_id is not None:
        query = query.where(Initiative.memberships.any(Membership.actor_id == f.actor_id))
    if f.active_on is not None:
        query = query.where(or_(Initiative.start_date.is_(None), Initiative.start_date <= f.active_on),
                            or_(Initiative.end_date.is_(None), Initiative.end_date >= f.active_on))
    return query.order_by(german(Initiative.name), Initiative.id)


@dataclass
class ListChoices:
    topics: list[Topic]


def list_choices(session: Session) -> ListChoices:
    """The pick lists of the initiative list's filter form (active topics only)."""
    return ListChoices(topics=list(session.scalars(select(Topic).where(Topic.is_active.is_(True))
                                                   .order_by(Topic.sort_order, Topic.name))))


def current_members(initiative: Initiative, today: date | None = None) -> list[Membership]:
    """Memberships running on ``today`` (joined, not left; a "left" date of today still counts)."""
    today = today or date.today()
    return [m for m in initiative.memberships if m.is_current(today)]


def initiative_page(session: Session, f: InitiativeFilter) -> Page:
    query = filtered_initiatives_query(f).options(selectinload(Initiative.topics),
                                                  selectinload(Initiative.memberships))
    page = paginate(session, query, f.page)
    f.page = page.page
    return page


def memberships_of_actor(session: Session, actor_id: int) -> list[Membership]:
    query = (select(Membership).where(Membership.actor_id == actor_id)
             .options(selectinload(Membership.initiative))
             .order_by(Membership.left_on.is_not(None), Membership.joined_on.desc(), Membership.id))
    return list(session.scalars(query))


def members(session: Session, initiative: Initiative) -> list[Membership]:
    query = (select(Membership).where(Membership.initiative_id == initiative.id)
             .options(selectinload(Membership.actor).selectinload(Actor.kind))
             .join(Actor, Membership.actor_id == Actor.id)
             .order_by(Membership.left_on.is_not(None), german(Actor.name), Membership.joined_on))
    return list(session.scalars(query))
