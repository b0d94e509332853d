"""Importing cooperations (Kumu: connections) between actors.

A row is the same cooperation as a saved one when it joins the same two actors
(in either order, unless the type is directed), has the same type and the same
start date; a row without a start date matches the one current cooperation of that
pair and type. A second cooperation of the same type that would run at the same time
as a current one is refused, as in the form.
"""
from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.models import Cooperation
from crm.services.errors import N_, translated
from crm.services.imports.report import NEW, UNCHANGED, UPDATED, Outcome
from crm.services.imports.rows import Context, Record, SheetJob, ids, problem, require, resolve_actor
from crm.services.landscape.cooperations import DEFAULT_INTENSITY

LABELS = {"intensity": N_("Intensität"), "weight": N_("Gewicht"), "start_date": N_("Beginn"), "end_date": N_("Ende"),
          "description": N_("Beschreibung"), "topics": N_("Themen"), "life_stages": N_("Bildungsphasen"),
          "is_directed": N_("Richtung")}


def _ident(actor: Any) -> tuple[str, int]:
    return ("db", actor.id) if actor.id is not None else ("new", id(actor))


def _key(type_id: int, source: Any, target: Any, directed: bool) -> tuple[Any, ...]:
    a, b = _ident(source), _ident(target)
    return (type_id, a, b) if directed else (type_id, *sorted((a, b)))


def _is_current(coop: Any, ctx: Context) -> bool:
    return coop.end_date is None or coop.end_date >= ctx.today


def _overlap(a_start: Any, a_end: Any, b_start: Any, b_end: Any) -> bool:
    """Whether two periods share a day; a missing start or end is open."""
    return (a_start is None or b_end is None or a_start <= b_end) and (b_start is None or a_end is None
                                                                       or b_start <= a_end)


def _describe(coop: Any) -> str:
    params = {"type": coop.type.name, "source": coop.source.name, "target": coop.target.name}
    if coop.start_date:
        return translated(N_("„%(type)s“ zwischen „%(source)s“ und „%(target)s“ seit %(start)s"),
                          {**params, "start": f"{coop.start_date:%d.%m.%Y}"})
    return translated(N_("„%(type)s“ zwischen „%(source)s“ und „%(target)s“"), params)


def process(ctx: Context, job: SheetJob, records: list[Record]) -> None:
    existing: dict[tuple[Any, ...], list[Cooperation]] = defaultdict(list)
    query = select(Cooperation).options(selectinload(Cooperation.topics), selectinload(Cooperation.life_stages))
    for saved in ctx.session.scalars(query):
        existing[_key(saved.type_id, saved.source, saved.target, saved.is_directed)].append(saved)
    seen: dict[tuple[Any, ...], int] = {}
    default_type = ctx.defaults.get("cooperation_type")
    for record in records:
        values = record.values
        if "type" not in values and default_type is not None:
            values["type"] = default_type
        present = [require(ctx, job, record, key if f"{key}_key" not in values else f"{key}_key")
                   for key in ("source", "target")] + [require(ctx, job, record, "type")]
        if not all(present):
            continue
        ends = {key: resolve_actor(ctx, job, record, key, f"{key}_key") for key in ("source", "target")}
        if None in ends.values():
            record.ok = False
            continue
        source, target, coop_type = ends["source"], ends["target"], values["type"]
        if source is target:
            problem(ctx, job, record.line, "target",
                    N_("Eine Kooperation braucht zwei verschiedene Akteure; hier steht zweimal „%(actor)s“."),
                    {"actor": source.name})
            continue
        start, end = values.get("start_date"), values.get("end_date")
        if start and end and end < start:
            problem(ctx, job, record.line, "end_date", N_("Das Ende (%(end)s) liegt vor dem Beginn (%(start)s)."),
                    {"end": f"{end:%d.%m.%Y}", "start": f"{start:%d.%m.%Y}"})
            continue
        if not record.ok:
            continue  # a cell of this row could not be read: comparing it with others would mislead
        weight = values.get("weight")
        if weight is not None and float(weight).is_integer() and 1 <= weight <= 3 \
                and values.get("intensity", weight) == weight:
            # a strength of 1 to 3 is the intensity itself; only other weights are kept beside it
            values["intensity"], values["weight"] = int(weight), None
        directed = values.get("direction", coop_type.is_directed)
        key = _key(coop_type.id, source, target, directed)
        row_key = (*key, start)
        if row_key in seen:
            problem(ctx, job, record.line, "source",
                    N_("%(row)s beschreibt dieselbe Kooperation wie %(first)s (%(pair)s, %(type)s). Bitte doppelte "
                       "Zeilen entfernen."),
                    {"row": job.sheet.row_name(record.line), "first": job.sheet.row_name(seen[row_key]),
                     "pair": f"„{source.name}“ – „{target.name}“", "type": coop_type.name})
            continue
        seen[row_key] = record.line
        candidates = existing.get(key, [])
        match = _match(candidates, start, ctx)
        label = f"{source.name} – {target.name} ({coop_type.name})"
        if match is None:
            overlapping = [c for c in candidates if _overlap(c.start_date, c.end_date, start, end)]
            if overlapping:
                problem(ctx, job, record.line, "start_date" if start else "source",
                        N_("Es gibt bereits eine Kooperation %(cooperation)s im selben Zeitraum. Zwei gleichzeitige "
                           "Kooperationen derselben Art zwischen denselben Akteuren sind nicht möglich; tragen Sie "
                           "das Ende der bestehenden ein oder lassen Sie den Beginn weg, um sie zu aktualisieren."),
                        {"cooperation": _describe(overlapping[0])})
                continue
            fields = dict(source=source, target=target, type=coop_type, is_directed=directed,
                          intensity=values.get("intensity", DEFAULT_INTENSITY), weight=values.get("weight"),
                          start_date=start, end_date=end,
                          description=values.get("description", ""), topics=list(values.get("topics", [])),
                          life_stages=list(values.get("life_stages", [])))
            if ctx.writing:
                coop: Any = Cooperation(**fields)
                ctx.session.add(coop)
            else:
                coop = SimpleNamespace(**fields)
            existing[key].append(coop)  # later rows of the file see it, in the preview as well
            action, changed = NEW, tuple[str, ...]()
            record_obj: Any = coop
        else:
            record_obj = match
            changes: dict[str, Any] = {k: values[k] for k in ("intensity", "weight", "start_date", "end_date",
                                                               "description")
                       if k in values and values[k] != getattr(match, k)}
            if "direction" in values and values["direction"] != match.is_directed:
                changes["is_directed"] = values["direction"]
            for vocab in ("topics", "life_stages"):
                if vocab in values and ids(getattr(match, vocab)) != ids(values[vocab]):
                    changes[vocab] = list(values[vocab])
            new_start = changes.get("start_date", match.start_date)
            new_end = changes.get("end_date", match.end_date)
            if new_start and new_end and new_end < new_start:
                problem(ctx, job, record.line, "end_date" if "end_date" in changes else "start_date",
                        N_("Danach läge das Ende (%(end)s) der gespeicherten Kooperation vor ihrem "
                           "Beginn (%(start)s)."),
                        {"end": f"{new_end:%d.%m.%Y}", "start": f"{new_start:%d.%m.%Y}"})
                continue
            if changes and ctx.writing:
                for attribute, value in changes.items():
                    setattr(match, attribute, value)
            action, changed = (UPDATED if changes else UNCHANGED), tuple(translated(LABELS[k]) for k in changes)
        if record.ok:
            ctx.report.outcomes.append(Outcome(job.label, "cooperations", record.line, action, label, changed,
                                               record_obj if ctx.writing else None))


def _match(candidates: list[Cooperation], start: Any, ctx: Context) -> Cooperation | None:
    if start is not None:
        same = [c for c in candidates if c.start_date == start]
        if same:
            return same[0]
        undated = [c for c in candidates if c.start_date is None]
        return undated[0] if len(undated) == 1 and len(candidates) == 1 else None
    if len(candidates) == 1:
        return candidates[0]
    current = [c for c in candidates if _is_current(c, ctx)]
    return current[0] if len(current) == 1 else None
