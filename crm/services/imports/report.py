"""What an import found: problems by row and column, what each row does, and the counts."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from crm.services.errors import N_, translated

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"
ACTION_LABELS = {NEW: N_("neu"), UPDATED: N_("aktualisiert"), UNCHANGED: N_("unverändert")}


@dataclass(frozen=True)
class Problem:
    message: str                 # in the language of the request that ran the import
    line: int | None = None      # row number as in the file (header = 1); None: the whole file or sheet
    column: str | None = None    # the column as the user sees it
    sheet: str = ""
    noun: str = N_("Zeile")      # how the file counts its records: "Zeile" (CSV, Excel), "Objekt" (GeoJSON)

    @property
    def place(self) -> str:
        """„Zeile 7“ in a spreadsheet, „Objekt 1“ for the first feature of a GeoJSON file."""
        return f"{translated(self.noun)} {self.line}" if self.line is not None else ""

    def text(self) -> str:
        where = []
        if self.sheet:
            where.append(translated(N_("Blatt „%(sheet)s“"), {"sheet": self.sheet}))
        if self.line is not None:
            where.append(self.place)
        if self.column:
            where.append(translated(N_("Spalte „%(column)s“"), {"column": self.column}))
        return (", ".join(where) + ": " if where else "") + self.message


@dataclass(frozen=True)
class Outcome:
    sheet: str
    sheet_kind: str     # actors, persons, cooperations
    line: int
    action: str         # new, updated, unchanged
    label: str
    changes: tuple[str, ...] = ()
    record: Any = field(default=None, compare=False, repr=False)  # the row's record (its id once flushed)

    @property
    def action_label(self) -> str:
        return translated(ACTION_LABELS[self.action])


@dataclass(frozen=True)
class Candidate:
    """An existing actor a row probably describes: what the coordinator sees to decide."""

    actor_id: int
    description: str    # „Grundschule Trierweiler, 54311 Trierweiler, Gebiet …, Kennung …“


@dataclass(frozen=True)
class ProbableMatch:
    """A row that would create a new actor although an actor of the same name and place exists,
    only in another area or with another (or no) reference. The coordinator decides: link the row
    to one of the ``candidates`` (its id) or create a new actor (``NEW_ACTOR``). ``chosen`` is None
    until decided; the file is not imported while a decision is open."""

    sheet: str
    line: int
    name: str
    place: str
    candidates: tuple[Candidate, ...]
    chosen: str | None = None
    noun: str = N_("Zeile")

    @property
    def key(self) -> str:
        """How the decision is stored with the batch (``options["matches"]``)."""
        return f"{self.sheet}:{self.line}"


NEW_ACTOR = "new"
# Links on the result page: sheet kind → (endpoint, its id parameter).
RECORD_PAGES = {"actors": ("actors.show", "actor_id"), "persons": ("persons.show", "person_id"),
                "cooperations": ("cooperations.show", "cooperation_id"),
                "initiatives": ("initiatives.show", "initiative_id"),
                "memberships": ("initiatives.show", "initiative_id"), "offers": ("offers.show", "offer_id")}
MAX_LINKED_RECORDS = 1000


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unknown_values: dict[str, Counter[str]] = field(default_factory=dict)  # field kind -> raw value -> rows
    matches: list[ProbableMatch] = field(default_factory=list)

    @property
    def undecided(self) -> list[ProbableMatch]:
        return [m for m in self.matches if m.chosen is None]

    @property
    def ready(self) -> bool:
        """Free of problems and of open decisions: the file may be imported."""
        return self.ok and not self.undecided

    def problem(self, message: str, line: int | None = None, column: str | None = None, sheet: str = "",
                noun: str = N_("Zeile")) -> None:
        self.problems.append(Problem(message, line, column, sheet, noun))

    def unknown(self, vocabulary: str, value: str) -> None:
        self.unknown_values.setdefault(vocabulary, Counter())[value] += 1

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def counts(self) -> dict[str, int]:
        counter = Counter(o.action for o in self.outcomes)
        return {NEW: counter[NEW], UPDATED: counter[UPDATED], UNCHANGED: counter[UNCHANGED]}

    def counts_by_kind(self) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        for outcome in self.outcomes:
            bucket = result.setdefault(outcome.sheet_kind, {NEW: 0, UPDATED: 0, UNCHANGED: 0})
            bucket[outcome.action] += 1
        return result

    @property
    def rows(self) -> int:
        return len(self.outcomes)

    def summary(self, shown: bool = True) -> str:
        """„3 neu, 1 aktualisiert, 0 unverändert“ in the reader's language; ``shown`` False: in German,
        as the audit log keeps it."""
        c = self.counts
        params = {"new": c[NEW], "updated": c[UPDATED], "unchanged": c[UNCHANGED]}
        template = N_("%(new)s neu, %(updated)s aktualisiert, %(unchanged)s unverändert")
        return translated(template, params) if shown else template % params

    def records(self) -> list[dict[str, Any]]:
        """The created and updated records with their ids (after the flush), for the result page's links."""
        found: list[dict[str, Any]] = []
        seen: set[tuple[str, int]] = set()
        for outcome in self.outcomes:
            if outcome.action == UNCHANGED or outcome.record is None:
                continue
            record_id = (getattr(outcome.record, "initiative_id", None) if outcome.sheet_kind == "memberships"
                         else getattr(outcome.record, "id", None))
            if record_id is None or (outcome.sheet_kind, record_id) in seen:
                continue
            seen.add((outcome.sheet_kind, record_id))
            found.append({"kind": outcome.sheet_kind, "action": outcome.action, "label": outcome.label,
                          "id": record_id})
            if len(found) >= MAX_LINKED_RECORDS:
                break
        return found

    def as_dict(self) -> dict[str, Any]:
        """What the batch keeps after a commit (for the result page and the audit log)."""
        return {"counts": self.counts, "by_kind": self.counts_by_kind(), "rows": self.rows, "notes": self.notes,
                "records": self.records()}
