"""Importing persons with their affiliation (function at an actor).

A row matches an existing person by e-mail address, else by first and last name
(if several people share the name, the one already affiliated with the row's actor).
The actor must exist already or come earlier in the same file: a person import never
invents organisations. Anonymised persons are never matched or revived.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.models import Affiliation, Person
from crm.services.errors import N_, translated
from crm.services.imports.cells import CellError
from crm.services.imports.lookups import name_key
from crm.services.imports.report import NEW, UNCHANGED, UPDATED, Outcome
from crm.services.imports.rows import Context, Record, SheetJob, problem, require, resolve_actor

SCALAR_FIELDS = ("salutation", "title", "first_name", "last_name", "email", "phone", "notes")
LABELS = {"salutation": N_("Anrede"), "title": N_("Titel"), "first_name": N_("Vorname"),
          "last_name": N_("Nachname"), "email": N_("E-Mail"), "phone": N_("Telefon"), "notes": N_("Notizen"),
          "affiliation": N_("Zugehörigkeit"), "function": N_("Funktion"), "from_date": N_("Seit"),
          "to_date": N_("Bis")}


class _DraftPerson:
    """A new person while nothing is written (preview)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.first_name = values.get("first_name", "")
        self.last_name = values["last_name"]
        self.email = values.get("email", "")
        self.affiliations: list[Any] = []


class _PersonIndex:
    def __init__(self, ctx: Context) -> None:
        persons = ctx.session.scalars(select(Person).where(Person.is_anonymised.is_(False))
                                      .options(selectinload(Person.affiliations)))
        self.by_email: dict[str, Any] = {}
        self.by_name: dict[str, list[Any]] = defaultdict(list)
        for person in persons:
            self.add(person)

    def add(self, person: Any) -> None:
        if person.email:
            self.by_email.setdefault(person.email.lower(), person)
        self.by_name[name_key(f"{person.first_name} {person.last_name}")].append(person)

    def match(self, values: dict[str, Any], actor: Any) -> Any:
        email = (values.get("email") or "").lower()
        if email and email in self.by_email:
            return self.by_email[email]
        candidates = self.by_name.get(name_key(f"{values.get('first_name', '')} {values['last_name']}"), [])
        if email:  # someone of the same name with another address is another person
            candidates = [c for c in candidates if not c.email or c.email.lower() == email]
        if len(candidates) > 1 and actor is not None:
            candidates = [c for c in candidates if any(a.actor is actor for a in c.affiliations)] or candidates
        if len(candidates) > 1:
            raise CellError(N_("%(count)s Personen heißen „%(name)s“. Bitte geben Sie die E-Mail-Adresse an, "
                               "damit klar ist, wer gemeint ist."),
                            {"count": len(candidates), "name": f"{values.get('first_name', '')} {values['last_name']}"})
        return candidates[0] if candidates else None


def _affiliation_of(person: Any, actor: Any, wanted: dict[str, Any], ctx: Context) -> Any:
    """The saved affiliation a row describes: at that actor, the same start or function if the row
    names them (a person can have held two functions there), else the current one."""
    matching = [a for a in person.affiliations if a.actor is actor]
    for key in ("from_date", "function"):
        if key in wanted and len(matching) > 1:
            matching = [a for a in matching if getattr(a, key) == wanted[key]] or matching
    current = [a for a in matching if a.to_date is None or a.to_date >= ctx.today]
    return (current or matching or [None])[0]


def _resolve_actor(ctx: Context, job: SheetJob, record: Record) -> Any:
    values = record.values
    if "actor_key" not in values and "actor" not in values:
        if any(k in values for k in ("function", "from_date", "to_date")):
            problem(ctx, job, record.line, "function",
                    N_("Eine Funktion oder ein Zeitraum ohne Akteur: Bitte geben Sie an, bei welchem Akteur."))
            record.ok = False
        return None
    return resolve_actor(ctx, job, record, "actor", "actor_key")


def process(ctx: Context, job: SheetJob, records: list[Record]) -> None:
    """One row is a person with at most one affiliation; a person with several affiliations
    appears in several rows (as the export writes them), which must agree on the person."""
    index = _PersonIndex(ctx)
    first_rows: dict[int, Record] = {}             # person -> the first row naming them
    pairs: dict[tuple[Any, ...], int] = {}         # (person, actor, function, start) -> row
    created: set[int] = set()                      # persons new in this file
    for record in records:
        values = record.values
        if not require(ctx, job, record, "last_name"):
            continue
        actor = _resolve_actor(ctx, job, record)
        if values.get("from_date") and values.get("to_date") and values["to_date"] < values["from_date"]:
            problem(ctx, job, record.line, "to_date", N_("Das Ende liegt vor dem Beginn."))
            record.ok = False
        try:
            person = index.match(values, actor)
        except CellError as error:
            problem(ctx, job, record.line, "last_name", error.message)
            continue
        pair = (id(person), id(actor) if actor is not None else None, values.get("function", ""),
                values.get("from_date"))
        if person is not None and pair in pairs:
            if actor:
                message = N_("%(row)s beschreibt dieselbe Person in derselben Funktion beim selben Akteur wie "
                             "%(first)s. Bitte doppelte Zeilen entfernen.")
            else:
                message = N_("%(row)s beschreibt dieselbe Person wie %(first)s. Bitte doppelte Zeilen entfernen.")
            problem(ctx, job, record.line, "last_name", message,
                    {"row": job.sheet.row_name(record.line), "first": job.sheet.row_name(pairs[pair])})
            continue
        earlier = first_rows.get(id(person)) if person is not None else None
        if earlier is not None:
            conflicts = [translated(LABELS[k]) for k in SCALAR_FIELDS if k in values and k in earlier.values
                         and (values[k].lower() != earlier.values[k].lower() if k == "email"
                              else values[k] != earlier.values[k])]
            if conflicts:
                problem(ctx, job, record.line, "last_name",
                        N_("%(row)s nennt dieselbe Person wie %(first)s, aber mit anderen Angaben (%(fields)s)."),
                        {"row": job.sheet.row_name(record.line), "first": job.sheet.row_name(earlier.line),
                         "fields": ", ".join(conflicts)})
                continue
        write = ctx.writing
        changed: list[str] = []
        if person is None:
            action = NEW
            if write:
                person = Person(**{k: values[k] for k in SCALAR_FIELDS if k in values})
                ctx.session.add(person)
            else:
                person = _DraftPerson(values)
            index.add(person)
            created.add(id(person))
        elif earlier is not None:
            # The person's fields were handled in the earlier row; this row adds an affiliation,
            # and may fill in what the earlier row left empty.
            extra = {k: values[k] for k in SCALAR_FIELDS if k in values and k not in earlier.values}
            earlier.values.update(extra)
            if id(person) not in created:
                extra = {k: v for k, v in extra.items() if v != getattr(person, k)}
            if write:
                for key, value in extra.items():
                    setattr(person, key, value)
            changed = [translated(LABELS[k]) for k in extra]
            action = NEW if id(person) in created else UPDATED if extra else UNCHANGED
        else:
            changes = {k: values[k] for k in SCALAR_FIELDS if k in values and values[k] != getattr(person, k)}
            if "email" in changes and (person.email or "").lower() == changes["email"].lower():
                del changes["email"]
            if write:
                for key, value in changes.items():
                    setattr(person, key, value)
            changed = [translated(LABELS[k]) for k in changes]
            action = UPDATED if changes else UNCHANGED
        first_rows.setdefault(id(person), record)
        pairs[(id(person), *pair[1:])] = record.line  # a person new in this file has an identity only now
        if actor is not None:
            wanted: dict[str, Any] = {k: values[k] for k in ("function", "from_date", "to_date") if k in values}
            affiliation = _affiliation_of(person, actor, wanted, ctx) if action != NEW else None
            if affiliation is None:
                if write:
                    person.affiliations.append(Affiliation(actor=actor, **wanted))
                if action != NEW:
                    changed.append(translated(LABELS["affiliation"]))
                    action = UPDATED
            else:
                diff = {k: v for k, v in wanted.items() if getattr(affiliation, k) != v}
                begins, ends = diff.get("from_date", affiliation.from_date), diff.get("to_date", affiliation.to_date)
                if begins and ends and ends < begins:
                    problem(ctx, job, record.line, "to_date" if "to_date" in diff else "from_date",
                            N_("Danach läge das Ende (%(end)s) der gespeicherten Zugehörigkeit vor ihrem "
                               "Beginn (%(start)s)."), {"end": f"{ends:%d.%m.%Y}", "start": f"{begins:%d.%m.%Y}"})
                    continue
                if diff:
                    if write:
                        for key, value in diff.items():
                            setattr(affiliation, key, value)
                    changed += [translated(LABELS[k]) for k in diff]
                    action = UPDATED
        if record.ok:
            label = " ".join(p for p in (values.get("first_name", ""), values["last_name"]) if p)
            ctx.report.outcomes.append(Outcome(job.label, "persons", record.line, action, label, tuple(changed),
                                               person if write else None))
