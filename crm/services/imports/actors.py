"""Importing actors: match each row to an existing actor or create one.

Matching, in this order: the external reference (school number, Kennung); then the
normalised name within the same area (an actor saved without an area counts as the
same) and place (a different postcode or place, both given, is another actor). A file
without an area column matches any actor of that name if there is only one; an empty
cell in an area or reference column means "none", so a branch without a number is not
taken for the numbered school of the same name. An actor whose own reference differs
from the row's is a different actor of the same name. Empty cells leave saved values
alone, so a sparse list never wipes data; only values that really differ are written, so
re-importing a file changes nothing and leaves no audit entries.

A row that would make a new actor although one of the same name and place exists (only in another
area, or with another or no reference) is a *probable match* (``ProbableMatch``): the coordinator
decides on the preview whether it is that actor or a new one, and the file is not imported before.

The rules of an actor (no parent cycle, one actor per reference, the period, closing an actor that
is switched off) are the actor service's (``crm.services.landscape.actors``): each row is checked
with ``check_actor`` and ``check_period`` in the preview too, and written with ``create_actor`` and
``update_actor``, so the import refuses what the form refuses, in the same words, at its row and
column.
"""
from __future__ import annotations

from typing import Any

from crm.models import Actor
from crm.services.errors import N_, ServiceError, translated
from crm.services.folding import fold
from crm.services.imports.cells import CellError
from crm.services.imports.lookups import Draft, name_key
from crm.services.imports.report import NEW, NEW_ACTOR, UNCHANGED, UPDATED, Candidate, Outcome, ProbableMatch
from crm.services.imports.rows import Context, Record, SheetJob, ids, problem, require
from crm.services.landscape import actors as actor_service

# Plain columns compared and written as they are.
SCALAR_FIELDS = ("name", "short_name", "street", "postcode", "city", "email", "phone", "website", "external_ref",
                 "description", "notes", "latitude", "longitude", "is_active", "active_from", "active_until")
LABELS = {
    "name": N_("Name"), "short_name": N_("Kurzname"), "street": N_("Straße"), "postcode": N_("PLZ"),
    "city": N_("Ort"), "email": N_("E-Mail"), "phone": N_("Telefon"), "website": N_("Website"),
    "external_ref": N_("Kennung"), "description": N_("Beschreibung"), "notes": N_("Notizen"),
    "latitude": N_("Breitengrad"), "longitude": N_("Längengrad"), "is_active": N_("Aktiv"),
    "active_from": N_("Tätig seit"), "active_until": N_("Tätig bis"), "kind": N_("Art"), "area": N_("Gebiet"),
    "topics": N_("Themen"), "life_stages": N_("Bildungsphasen"), "parent": N_("Übergeordneter Akteur"),
}


def _area_id(actor: Any) -> int | None:
    if getattr(actor, "area_id", None) is not None:
        return actor.area_id
    area = getattr(actor, "area", None)
    return area.id if area is not None else None


def find_match(ctx: Context, values: dict[str, Any], mapped: set[str] | frozenset[str] = frozenset()) -> Any:
    """The existing (or earlier in this file) actor a row describes, or None. Raises CellError if ambiguous.

    ``mapped``: the fields the file has columns for. An empty cell in an area or reference
    column says "none"; a file without such a column says nothing about it.
    """
    ref = (values.get("external_ref") or "").lower()
    if ref and ref in ctx.actors.by_ref:
        return ctx.actors.by_ref[ref]
    candidates = [c for c in ctx.actors.by_name.get(name_key(values["name"]), []) if _same_place(c, values)]
    if ref:
        candidates = [c for c in candidates if not c.external_ref or c.external_ref.lower() == ref]
    elif "external_ref" in mapped:
        candidates = [c for c in candidates if not c.external_ref]
    if "area" in values:
        # Same area first; an actor saved without an area is the same actor, now placed.
        same = [c for c in candidates if _area_id(c) == values["area"].id]
        candidates = same or [c for c in candidates if _area_id(c) is None]
    elif "area" in mapped or len(candidates) > 1:
        candidates = [c for c in candidates if _area_id(c) is None] or (
            [] if "area" in mapped else candidates)
    if len(candidates) > 1:
        areas = ", ".join(sorted({c.area.full_name if c.area else translated(N_("ohne Gebiet")) for c in candidates}))
        raise CellError(N_("„%(name)s“ passt auf %(count)s Akteure (%(areas)s). Bitte geben Sie das Gebiet oder die "
                           "Kennung an, damit klar ist, welcher gemeint ist."),
                        {"name": values["name"], "count": len(candidates), "areas": areas})
    return candidates[0] if candidates else None


def differences(actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
    """Field -> new value, for every mapped, non-empty value that differs from the saved one."""
    changes: dict[str, Any] = {}
    for key in SCALAR_FIELDS:
        if key in values and values[key] != getattr(actor, key):
            if key == "external_ref" and (actor.external_ref or "").lower() == values[key].lower():
                continue
            changes[key] = values[key]
    if "kind" in values and actor.kind_id != values["kind"].id:
        changes["kind"] = values["kind"]
    if "area" in values and actor.area_id != values["area"].id:
        changes["area"] = values["area"]
    for key in ("topics", "life_stages"):
        if key in values and ids(getattr(actor, key)) != ids(values[key]):
            changes[key] = values[key]
    return changes


def _closing(actor: Actor, values: dict[str, Any], changes: dict[str, Any], today: Any) -> None:
    """The actor service's rule (``closing_date``): switching an active actor to inactive without a
    "Tätig bis" date closes it today. Re-importing the file changes nothing, because the actor is
    inactive by then."""
    if "is_active" not in changes:
        return
    closing = actor_service.closing_date(
        actor.is_active, {"is_active": changes["is_active"],
                          "active_until": values.get("active_until", actor.active_until)}, today)
    if closing is not None:
        changes["active_until"] = closing


def _refusal(ctx: Context, actor: Any, values: dict[str, Any]) -> ServiceError | None:
    """The actor service's refusal of this row (None: the row keeps every rule). ``actor`` is the
    saved actor the row changes (``values`` are its changes), or None for a new one."""
    try:
        actor_service.check_actor(ctx.session, values, actor, known_refs=ctx.actors.by_ref)
        actor_service.check_period({
            "active_from": values.get("active_from", getattr(actor, "active_from", None)),
            "active_until": values.get("active_until", getattr(actor, "active_until", None)),
            "is_active": values.get("is_active")}, ctx.today)
    except ServiceError as error:
        return error
    return None


def process(ctx: Context, job: SheetJob, records: list[Record]) -> None:
    seen: dict[Any, int] = {}          # identity of the actor a row describes -> first row
    refs: dict[str, int] = {}
    rows: list[tuple[Record, Any, str, list[str]]] = []  # record, actor, action, changed labels
    mapped = set(job.mapping.values())
    for record in records:
        values = record.values
        if not require(ctx, job, record, "name"):
            continue
        try:
            actor = find_match(ctx, values, mapped)
        except CellError as error:
            problem(ctx, job, record.line, "name", error.message)
            continue
        ref = (values.get("external_ref") or "").lower()
        if ref and ref in refs:
            problem(ctx, job, record.line, "external_ref",
                    N_("Die Kennung „%(ref)s“ steht schon in %(row)s; jede Zeile muss einen anderen Akteur "
                       "beschreiben."), {"ref": values["external_ref"], "row": job.sheet.row_name(refs[ref])})
            continue
        if actor is not None and id(actor) in seen:
            problem(ctx, job, record.line, "name",
                    N_("%(row)s beschreibt denselben Akteur wie %(first)s (%(name)s). Bitte doppelte Zeilen "
                       "entfernen."), {"row": job.sheet.row_name(record.line),
                                        "first": job.sheet.row_name(seen[id(actor)]), "name": f"„{values['name']}“"})
            continue
        if ref:
            refs[ref] = record.line
        if actor is None:
            actor = _decided_match(ctx, job, record)
            if actor is not None and id(actor) in seen:
                problem(ctx, job, record.line, "name",
                        N_("%(row)s beschreibt denselben Akteur wie %(first)s (%(name)s). Bitte doppelte Zeilen "
                           "entfernen."), {"row": job.sheet.row_name(record.line),
                                            "first": job.sheet.row_name(seen[id(actor)]),
                                            "name": translated(N_("so entschieden"))})
                continue
        if actor is None:
            if "kind" not in values:
                default = ctx.defaults.get("kind")
                if default is None:
                    require(ctx, job, record, "kind", translated(
                        N_("Neue Akteure brauchen eine Art; wählen Sie auf der Zuordnungsseite eine Standard-Art.")))
                    # still register it, so references to it do not report a second problem
                else:
                    values["kind"] = default
            if record.ok and "kind" in values and _refused(ctx, job, record, None, _new_values(values)):
                continue
            actor = _create(ctx, values) if ctx.writing else Draft(
                values["name"], values.get("external_ref"), values.get("area"))
            ctx.actors.add_new(actor)
            action, changed = NEW, []
        else:
            changes = differences(actor, values)
            _closing(actor, values, changes, ctx.today)
            if _refused(ctx, job, record, actor, changes):
                continue
            if changes and ctx.writing:
                actor_service.update_actor(ctx.session, actor, changes, None, known_refs=ctx.actors.by_ref)
                if "external_ref" in changes:
                    ctx.actors.by_ref[changes["external_ref"].lower()] = actor
            action, changed = (UPDATED if changes else UNCHANGED), [translated(LABELS[k]) for k in changes]
        seen[id(actor)] = record.line
        ctx.actors.register_file_row(actor, values.get("kumu_id"))
        rows.append((record, actor, action, changed))

    # Parents may be named further down the file, so they are resolved once all rows are known.
    # A cycle within the file (A under B, B under A) is refused before anything is written:
    # the service walks up the parents this file is about to set.
    planned: dict[int, Any] = {}

    def parent_of(node: Any) -> Any:
        return planned[id(node)] if id(node) in planned else getattr(node, "parent", None)

    for record, actor, action, changed in rows:
        raw = record.values.get("parent")
        if raw:
            try:
                parent = ctx.actors.resolve(raw)
            except CellError as error:
                problem(ctx, job, record.line, "parent", error.message)
                continue
            if getattr(actor, "parent", None) is not parent:
                try:
                    actor_service.check_parent(actor, parent, parent_of)
                except ServiceError as error:
                    problem(ctx, job, record.line, "parent", error.message)
                    record.ok = False
                    continue
                planned[id(actor)] = parent
                if ctx.writing:
                    actor_service.update_actor(ctx.session, actor, {"parent": parent}, None, parent_of=parent_of)
                changed.append(translated(LABELS["parent"]))
                if action == UNCHANGED:
                    action = UPDATED
        if record.ok:
            ctx.report.outcomes.append(Outcome(job.label, "actors", record.line, action, record.values["name"],
                                               tuple(changed), actor if ctx.writing else None))


def _place(values: Any) -> tuple[str, str]:
    """(postcode, folded city) of a row or an actor."""
    get = values.get if isinstance(values, dict) else (lambda key, default="": getattr(values, key, default))
    return (get("postcode", "") or "").strip(), fold(get("city", "") or "").strip()


def _same_place(actor: Any, values: dict[str, Any]) -> bool:
    """Whether a row may describe ``actor`` by its place: a different postcode or place (both given)
    makes another actor of the same name, as the Grundschule Nord of two towns."""
    postcode, city = _place(values)
    their_postcode, their_city = _place(actor)
    return not ((postcode and their_postcode and postcode != their_postcode)
                or (city and their_city and city != their_city))


def probable_matches(ctx: Context, values: dict[str, Any]) -> list[Actor]:
    """Saved actors of the same name and place that the matching rules passed over (another area,
    another or no reference): the row probably describes one of them."""
    return [actor for actor in ctx.actors.by_name.get(name_key(values["name"]), [])
            if not isinstance(actor, Draft) and getattr(actor, "id", None) is not None
            and not ctx.actors.is_new(actor) and _same_place(actor, values)]


def _describe(actor: Actor) -> str:
    parts = [actor.name, " ".join(p for p in (actor.postcode, actor.city) if p)]
    if actor.area is not None:
        parts.append(translated(N_("Gebiet %(area)s"), {"area": actor.area.full_name}))
    parts.append(translated(N_("Kennung %(ref)s"), {"ref": actor.external_ref}) if actor.external_ref
                 else translated(N_("ohne Kennung")))
    return ", ".join(p for p in parts if p)


def _decided_match(ctx: Context, job: SheetJob, record: Record) -> Actor | None:
    """For a row that would be new: the existing actor the coordinator linked it to, else None.

    Rows with probable matches are listed in the report (``ProbableMatch``) with the decision
    taken so far; an open decision keeps the file from being imported.
    """
    values = record.values
    candidates = probable_matches(ctx, values)
    if not candidates:
        return None
    key = f"{job.label}:{record.line}"
    chosen = ctx.decisions.get(key)
    by_id = {str(actor.id): actor for actor in candidates}
    if chosen not in by_id and chosen != NEW_ACTOR:
        chosen = None
    place = " ".join(p for p in (values.get("postcode", ""), values.get("city", "")) if p)
    if "area" in values:
        place = ", ".join(p for p in (place, translated(N_("Gebiet %(area)s"), {"area": values["area"].full_name}))
                          if p)
    ctx.report.matches.append(ProbableMatch(
        job.label, record.line, values["name"], place,
        tuple(Candidate(actor.id, _describe(actor)) for actor in candidates), chosen, translated(job.sheet.row_noun)))
    return by_id.get(chosen or "")


def _new_values(values: dict[str, Any]) -> dict[str, Any]:
    """A row's values for a new actor, as the service takes them."""
    fields = set(SCALAR_FIELDS) | {"kind", "area", "topics", "life_stages"}
    return {key: value for key, value in values.items() if key in fields}


def _refused(ctx: Context, job: SheetJob, record: Record, actor: Any, values: dict[str, Any]) -> bool:
    """Report the service's refusal of a row at its column; True if refused."""
    error = _refusal(ctx, actor, values)
    if error is None:
        return False
    mapped = set(job.mapping.values())
    field = error.field if error.field in mapped else None
    if error.field == "active_until" and field is None and "active_from" in mapped:
        field = "active_from"
    problem(ctx, job, record.line, field, error.message)
    record.ok = False
    return True


def _create(ctx: Context, values: dict[str, Any]) -> Actor:
    new = _new_values(values)
    new.setdefault("is_active", True)
    return actor_service.create_actor(ctx.session, new, known_refs=ctx.actors.by_ref)
