"""Importing initiatives and memberships from a Kumu landscape (elements of Type „Initiative“,
connections between an actor and an initiative).

Our own Kumu export writes initiatives as elements ``initiative-<id>`` and memberships as
connections of Type „Mitgliedschaft“ with a „Rolle“ column, so the landscape goes out and
comes back complete; ``engine.split_kumu`` routes those rows here.

Matching: an initiative by its normalised name (names are unique); a membership by actor,
initiative and "joined" date, and without a date the one current membership of the pair.
Only values that differ are written, so re-importing a file changes nothing. The rules of
the forms hold: "left" not before "joined", and one membership of an actor in an initiative
at a time (``crm.services.landscape.initiatives``).
"""
from __future__ import annotations

import re
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crm.models import Initiative, InitiativeKind, Membership, MembershipRole
from crm.services.errors import N_, translated
from crm.services.imports.cells import CellError
from crm.services.imports.lookups import name_key
from crm.services.imports.report import NEW, UNCHANGED, UPDATED, Outcome
from crm.services.imports.rows import Context, Record, SheetJob, ids, problem, require, resolve_actor
from crm.services.landscape.initiatives import ROLE_LABELS

SCALAR_FIELDS = ("short_name", "description", "website", "start_date", "end_date")
LABELS = {"short_name": N_("Kurzname"), "description": N_("Beschreibung"), "website": N_("Website"),
          "start_date": N_("Beginn"), "end_date": N_("Ende"), "kind": N_("Art"), "topics": N_("Themen"),
          "life_stages": N_("Bildungsphasen"), "role": N_("Rolle"), "joined_on": N_("Beigetreten am"),
          "left_on": N_("Ausgetreten am")}
INTERNAL_ID = re.compile(r"initiative-(\d+)")  # the ID our own export writes


class InitiativeIndex:
    """Every initiative by normalised name and id, plus the initiative rows of this file."""

    def __init__(self, session: Session) -> None:
        query = select(Initiative).options(selectinload(Initiative.topics), selectinload(Initiative.life_stages))
        self.by_id: dict[int, Any] = {}
        self.by_name: dict[str, list[Any]] = defaultdict(list)
        for initiative in session.scalars(query):
            self.by_id[initiative.id] = initiative
            self.by_name[name_key(initiative.name)].append(initiative)
        self.file_ids: dict[str, Any] = {}
        self.file_names: dict[str, Any] = {}

    def match(self, name: str) -> Any:
        candidates = self.by_name.get(name_key(name), [])
        exact = [c for c in candidates if c.name.lower() == name.strip().lower()]
        if len(exact) == 1 or len(candidates) == 1:
            return (exact or candidates)[0]
        if candidates:
            raise CellError(N_("„%(name)s“ passt auf mehrere Initiativen (%(initiatives)s)."),
                            {"name": name, "initiatives": ", ".join(sorted(c.name for c in candidates))})
        return None

    def add(self, initiative: Any, kumu_id: str | None) -> None:
        if initiative not in self.by_name[name_key(initiative.name)]:
            self.by_name[name_key(initiative.name)].append(initiative)
        if kumu_id:
            self.file_ids[kumu_id.lower()] = initiative
        self.file_names[name_key(initiative.name)] = initiative

    def resolve(self, raw: str) -> Any:
        """The initiative a connection's end names, or None if it names no initiative."""
        text = raw.strip()
        lowered = text.lower()
        if lowered in self.file_ids:
            return self.file_ids[lowered]
        internal = INTERNAL_ID.fullmatch(lowered)
        if internal:
            found = self.by_id.get(int(internal.group(1)))
            if found is None:
                raise CellError(N_("Unbekannte Initiativen-ID „%(value)s“: eine Initiative mit dieser Nummer gibt "
                                   "es nicht (mehr)."), {"value": text})
            return found
        if name_key(text) in self.file_names:
            return self.file_names[name_key(text)]
        return None


def process_initiatives(ctx: Context, job: SheetJob, records: list[Record]) -> None:
    index = ctx.initiatives
    assert index is not None
    seen: dict[str, int] = {}
    for record in records:
        values = record.values
        if not require(ctx, job, record, "name"):
            continue
        key = name_key(values["name"])
        if key in seen:
            problem(ctx, job, record.line, "name",
                    N_("%(row)s beschreibt dieselbe Initiative wie %(first)s („%(name)s“). Bitte doppelte Zeilen "
                       "entfernen."),
                    {"row": job.sheet.row_name(record.line), "first": job.sheet.row_name(seen[key]),
                     "name": values["name"]})
            continue
        seen[key] = record.line
        try:
            initiative = index.match(values["name"])
        except CellError as error:
            problem(ctx, job, record.line, "name", error.message)
            continue
        start = values.get("start_date", getattr(initiative, "start_date", None))
        end = values.get("end_date", getattr(initiative, "end_date", None))
        if start and end and end < start:
            problem(ctx, job, record.line, "end_date", N_("Das Ende (%(end)s) liegt vor dem Beginn (%(start)s)."),
                    {"end": f"{end:%d.%m.%Y}", "start": f"{start:%d.%m.%Y}"})
            continue
        if initiative is None:
            fields = {"name": values["name"], "kind": values.get("initiative_kind", InitiativeKind.PROJECT),
                      **{k: values.get(k, "" if k in ("short_name", "description", "website") else None)
                         for k in SCALAR_FIELDS},
                      "topics": list(values.get("topics", [])), "life_stages": list(values.get("life_stages", []))}
            if ctx.writing:
                initiative = Initiative(**fields)
                ctx.session.add(initiative)
            else:
                initiative = SimpleNamespace(id=None, **fields)
            action, changed = NEW, tuple[str, ...]()
        else:
            changes = {k: values[k] for k in SCALAR_FIELDS if k in values and values[k] != getattr(initiative, k)}
            if "initiative_kind" in values and values["initiative_kind"] != initiative.kind:
                changes["kind"] = values["initiative_kind"]
            for vocab in ("topics", "life_stages"):
                if vocab in values and ids(getattr(initiative, vocab)) != ids(values[vocab]):
                    changes[vocab] = list(values[vocab])
            if changes and ctx.writing:
                for attribute, value in changes.items():
                    setattr(initiative, attribute, value)
            action, changed = (UPDATED if changes else UNCHANGED), tuple(translated(LABELS[k]) for k in changes)
        index.add(initiative, values.get("kumu_id"))
        if record.ok:
            ctx.report.outcomes.append(Outcome(job.label, "initiatives", record.line, action, values["name"],
                                               changed, initiative if ctx.writing else None))


def _ident(obj: Any) -> tuple[str, int]:
    return ("db", obj.id) if obj.id is not None else ("new", id(obj))


def _overlap(a_start: Any, a_end: Any, b_start: Any, b_end: Any) -> bool:
    return (a_start is None or b_end is None or a_start <= b_end) and (b_start is None or a_end is None
                                                                       or b_start <= a_end)


def _ends(ctx: Context, job: SheetJob, record: Record) -> tuple[Any, Any] | None:
    """(actor, initiative) of a connection row, whichever end names the initiative."""
    values = record.values
    sides = {}
    for side in ("source", "target"):
        raw = values.get(f"{side}_key") or values.get(side)
        column = f"{side}_key" if f"{side}_key" in values else side
        try:
            sides[side] = (ctx.initiatives.resolve(raw), column) if raw else (None, column)
        except CellError as error:
            problem(ctx, job, record.line, column, error.message)
            return None
    initiative_sides = [side for side, (found, _) in sides.items() if found is not None]
    if len(initiative_sides) != 1:
        if initiative_sides:
            message = N_("Eine Mitgliedschaft verbindet einen Akteur mit einer Initiative; diese Verbindung nennt "
                         "zwei Initiativen.")
        else:
            message = N_("Eine Mitgliedschaft verbindet einen Akteur mit einer Initiative; diese Verbindung nennt "
                         "keine Initiative.")
        problem(ctx, job, record.line, "target", message)
        return None
    initiative_side = initiative_sides[0]
    actor_side = "source" if initiative_side == "target" else "target"
    actor = resolve_actor(ctx, job, record, actor_side, f"{actor_side}_key")
    if actor is None:
        return None
    return actor, sides[initiative_side][0]


def process_memberships(ctx: Context, job: SheetJob, records: list[Record]) -> None:
    existing: dict[tuple[Any, Any], list[Any]] = defaultdict(list)
    for saved in ctx.session.scalars(select(Membership)):
        existing[(("db", saved.initiative_id), ("db", saved.actor_id))].append(saved)
    seen: dict[tuple[Any, ...], int] = {}
    for record in records:
        values = record.values
        present = [require(ctx, job, record, key if f"{key}_key" not in values else f"{key}_key")
                   for key in ("source", "target")]
        if not all(present):
            continue
        ends = _ends(ctx, job, record)
        if ends is None:
            record.ok = False
            continue
        actor, initiative = ends
        joined, left = values.get("start_date"), values.get("end_date")
        if joined and left and left < joined:
            problem(ctx, job, record.line, "end_date",
                    N_("„Ausgetreten am“ (%(left)s) liegt vor „Beigetreten am“ (%(joined)s)."),
                    {"left": f"{left:%d.%m.%Y}", "joined": f"{joined:%d.%m.%Y}"})
            continue
        if not record.ok:
            continue
        key = (_ident(initiative), _ident(actor))
        if (*key, joined) in seen:
            problem(ctx, job, record.line, "source",
                    N_("%(row)s beschreibt dieselbe Mitgliedschaft wie %(first)s. Bitte doppelte Zeilen entfernen."),
                    {"row": job.sheet.row_name(record.line), "first": job.sheet.row_name(seen[(*key, joined)])})
            continue
        seen[(*key, joined)] = record.line
        candidates = existing[key]
        match = _match(candidates, joined, ctx)
        role = values.get("role")
        shown_role = role or getattr(match, "role", None) or MembershipRole.MEMBER
        label = f"{actor.name} – {initiative.name} ({translated(ROLE_LABELS[shown_role])})"
        if match is None:
            clash = [m for m in candidates if _overlap(m.joined_on, m.left_on, joined, left)]
            if clash:
                problem(ctx, job, record.line, "start_date" if joined else "source",
                        N_("„%(actor)s“ ist in diesem Zeitraum bereits Mitglied von „%(initiative)s“. Ein Akteur ist "
                           "zur selben Zeit nur einmal Mitglied; tragen Sie das Austrittsdatum der bestehenden "
                           "Mitgliedschaft ein oder lassen Sie das Beitrittsdatum weg, um sie zu aktualisieren."),
                        {"actor": actor.name, "initiative": initiative.name})
                continue
            fields = dict(initiative=initiative, actor=actor, role=role or MembershipRole.MEMBER, joined_on=joined,
                          left_on=left)
            membership: Any = Membership(**fields) if ctx.writing else SimpleNamespace(**fields)
            if ctx.writing:
                ctx.session.add(membership)
            candidates.append(membership)
            action, changed = NEW, tuple[str, ...]()
        else:
            membership = match
            changes: dict[str, Any] = {}
            if role is not None and role != match.role:
                changes["role"] = role
            for column, attribute in (("start_date", "joined_on"), ("end_date", "left_on")):
                if column in values and values[column] != getattr(match, attribute):
                    changes[attribute] = values[column]
            new_joined = changes.get("joined_on", match.joined_on)
            new_left = changes.get("left_on", match.left_on)
            if new_joined and new_left and new_left < new_joined:
                problem(ctx, job, record.line, "end_date",
                        N_("Danach läge der Austritt (%(left)s) vor dem Beitritt (%(joined)s)."),
                        {"left": f"{new_left:%d.%m.%Y}", "joined": f"{new_joined:%d.%m.%Y}"})
                continue
            if changes and ctx.writing:
                for attribute, value in changes.items():
                    setattr(match, attribute, value)
            action, changed = (UPDATED if changes else UNCHANGED), tuple(translated(LABELS[k]) for k in changes)
        ctx.report.outcomes.append(Outcome(job.label, "memberships", record.line, action, label, changed,
                                           membership if ctx.writing else None))


def _match(candidates: list[Any], joined: Any, ctx: Context) -> Any:
    if joined is not None:
        same = [m for m in candidates if m.joined_on == joined]
        if same:
            return same[0]
        undated = [m for m in candidates if m.joined_on is None]
        return undated[0] if len(undated) == 1 and len(candidates) == 1 else None
    if len(candidates) == 1:
        return candidates[0]
    current = [m for m in candidates if m.left_on is None or m.left_on >= ctx.today]
    return current[0] if len(current) == 1 else None
