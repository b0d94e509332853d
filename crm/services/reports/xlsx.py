"""The report's tables as one workbook (one sheet per table, German headers).

Offices re-use the figures in their own council papers, so every table of the report is a
sheet of its own. Cells go through ``crm.services.exports.lists.to_xlsx``, which neutralises
text that a spreadsheet would run as a formula (actor names are user text).
"""
from __future__ import annotations

from crm.services.exports.lists import Table, to_xlsx
from crm.services.reports.content import Report


def tables(report: Report) -> list[Table]:
    scope = report.scope
    overview = Table("Übersicht", ["Angabe", "Wert"], [
        ["Bericht", f"Bildungslandschaft – Bericht {report.period_text}"],
        ["Zeitraum von", scope.since], ["Zeitraum bis", scope.until], ["Ausschnitt", report.scope_text],
        ["Erstellt am", report.created], ["Erstellt von", report.organisation]])
    figures = Table("Kennzahlen", ["Kennzahl", f"Am {scope.since:%d.%m.%Y}", f"Am {scope.until:%d.%m.%Y}",
                                   "Veränderung"],
                    [[f.label, round(f.then, 4), round(f.now, 4), round(f.delta, 4)] for f in report.figures])
    new = Table("Neue Kooperationen", ["Beginn", "Akteur A", "Akteur B", "Art", "Themenfelder"],
                [[t["date"], t["source"], t["target"], t["type"], t["topics"]] for t in report.new_ties])
    ended = Table("Beendete Kooperationen", ["Ende", "Akteur A", "Akteur B", "Art", "Themenfelder"],
                  [[t["date"], t["source"], t["target"], t["type"], t["topics"]] for t in report.ended_ties])
    brokers = Table("Vermittler", ["Rang", "Akteur", "Art", "Gebiet", "Kooperationen", "Betweenness", "Constraint"],
                    [[i, b["label"], b["kind"], b["area"], b["degree"], round(b["betweenness"], 4),
                      None if b["constraint"] is None else round(b["constraint"], 4)]
                     for i, b in enumerate(report.brokers, 1)])
    groups = Table("Gruppen", ["Gruppe", "Akteure", "Schwerpunkt"],
                   [[c["label"], c["size"], c["topic"]] for c in report.communities])
    fragile = Table("Verwundbarkeit", ["Akteur", "Rolle", "Abgeschnittene Akteure"],
                    [[a["label"], "Gelenkpunkt", a["cut_off"]] for a in report.articulation]
                    + [[i["label"], "isoliert", None] for i in report.isolates])
    transitions = report.transitions
    matrix = Table("Übergänge", ["Gebiet"] + [t["label"] for t in transitions["transitions"]],
                   [[row["area"]] + [c["count"] for c in row["cells"]] for row in transitions["rows"]])
    gaps = Table("Lücken", ["Gebiet", "Übergang"], [[g["area"], g["transition"]] for g in transitions["gaps"]])
    topics = Table("Themenfelder je Jahr", ["Themenfeld"] + [str(y) for y in report.years],
                   [[topic] + [values.get(y, 0) for y in report.years]
                    for topic, values in sorted(report.topic_years.items())])
    events = Table("Veranstaltungen", ["Datum", "Veranstaltung", "Art", "Teilnahmen", "Beteiligte Akteure"],
                   [[e["date"], e["title"], e["kind"], e["attendances"], e["actors"]] for e in report.events])
    offers = [Table(f"Angebote {title}", [head] + [c["label"] for c in m["columns"]],
                    [[row["label"]] + [c["count"] for c in row["cells"]] for row in m["rows"]])
              for key, title, head in (("stage_area", "Phase × Gebiet", "Gebiet"),
                                       ("topic_group", "Thema × Zielgruppe", "Themenfeld"))
              for m in [report.inventory.get("matrices", {}).get(key)] if m]
    return [overview, figures, new, ended, brokers, groups, fragile, matrix, gaps, topics, events, *offers]


def xlsx(report: Report) -> bytes:
    return to_xlsx(*tables(report))
