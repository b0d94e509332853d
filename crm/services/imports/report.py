"""What an import found: problems by row and column, what each row does, and the counts."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"
ACTION_LABELS = {NEW: "neu", UPDATED: "aktualisiert", UNCHANGED: "unverändert"}


@dataclass(frozen=True)
class Problem:
    message: str
    line: int | None = None      # row number as in the file (header = 1); None: the whole file or sheet
    column: str | None = None    # the column as the user sees it
    sheet: str = ""
    noun: str = "Zeile"          # how the file counts its records: "Zeile" (CSV, Excel), "Objekt" (GeoJSON)

    @property
    def place(self) -> str:
        """„Zeile 7“ in a spreadsheet, „Objekt 1“ for the first feature of a GeoJSON file."""
        return f"{self.noun} {self.line}" if self.line is not None else ""

    def text(self) -> str:
        where = []
        if self.sheet:
            where.append(f"Blatt „{self.sheet}“")
        if self.line is not None:
            where.append(self.place)
        if self.column:
            where.append(f"Spalte „{self.column}“")
        return (", ".join(where) + ": " if where else "") + self.message


@dataclass(frozen=True)
class Outcome:
    sheet: str
    sheet_kind: str     # actors, persons, cooperations
    line: int
    action: str         # new, updated, unchanged
    label: str
    changes: tuple[str, ...] = ()

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[self.action]


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unknown_values: dict[str, Counter[str]] = field(default_factory=dict)  # field kind -> raw value -> rows

    def problem(self, message: str, line: int | None = None, column: str | None = None, sheet: str = "",
                noun: str = "Zeile") -> None:
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

    def summary(self) -> str:
        c = self.counts
        return f"{c[NEW]} neu, {c[UPDATED]} aktualisiert, {c[UNCHANGED]} unverändert"

    def as_dict(self) -> dict[str, Any]:
        """What the batch keeps after a commit (for the result page and the audit log)."""
        return {"counts": self.counts, "by_kind": self.counts_by_kind(), "rows": self.rows, "notes": self.notes}
