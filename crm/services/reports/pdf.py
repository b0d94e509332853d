"""The Stadtrat / Kreistag report as print-ready PDF (A4, DejaVu Sans, page numbers).

Council papers are printed and archived, so the PDF stands alone: a title page with
scope, period and date, then one section per question of DESIGN.md in German prose with
its figures, the tables, a chart of new cooperations per topic and a still picture of the
network. Charts and the picture are drawn with fpdf2's own vector primitives (no image
library needed, sharp in print). Fonts come from ``crm/static/fonts`` like the
attendance list, so umlauts print on every server.

Readable as handed over: table rows are white or a light grey under black text (contrast
above 15:1; fpdf2 would otherwise fill them with whatever colour the last chart drew), columns
are at least as wide as their longest word (a narrow column broke "Betweenness" mid-word; the
font shrinks a little where a table is too wide), every page names the report and its period
with "Seite n von m", and the network figure is the map's own server layout with a legend.
The PDF is rendered from the stored report (``crm.services.reports.content``): no layout, no
analysis is computed here.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fpdf import FPDF
from fpdf.enums import TableCellFillMode
from fpdf.fonts import FontFace

from crm.services.events.attendance_lists import FONT_DIR
from crm.services.reports.charts import top_series
from crm.services.reports.content import BERLIN, Report, de_date, de_number
from graph.picture import PALETTE, shorten

MAX_TIE_ROWS = 60
HEAD = FontFace(emphasis="BOLD", color=(0, 0, 0), fill_color=(222, 226, 230))
STRIPE = (244, 245, 247)          # every other row; black on it: contrast 19:1
CELL_PADDING = 1.0                # mm left and right of a cell's text
MIN_TABLE_FONT = 6.5

def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


class _ReportPdf(FPDF):
    def __init__(self, report: Report) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report = report
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(auto=True, margin=18)
        self.alias_nb_pages()
        self.set_title(f"Bildungslandschaft – Bericht {report.period_text}")
        self.set_author(report.organisation)
        self.set_creator("Bildungsnetz")
        self.set_font("DejaVu", "", 10)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(100, 100, 100)
        self.cell(0, 5, f"Bildungslandschaft – Bericht {self.report.period_text}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Seite {self.page_no()} von {{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    # -------------------------------------------------------- building blocks

    def heading(self, text: str) -> None:
        if self.get_y() > self.h - 60:
            self.add_page()
        self.ln(3)
        self.set_font("DejaVu", "B", 13)
        self.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)
        self.set_font("DejaVu", "", 10)

    def paragraphs(self, texts: Sequence[str]) -> None:
        self.set_font("DejaVu", "", 10)
        for text in texts:
            self.multi_cell(0, 5.2, text, new_x="LMARGIN", new_y="NEXT")
            self.ln(2)

    def _longest_word(self, texts: Sequence[str], bold: bool = False) -> float:
        self.set_font("DejaVu", "B" if bold else "", self.font_size_pt)
        widest = max((self.get_string_width(word) for text in texts for word in str(text).split()), default=0.0)
        self.set_font("DejaVu", "", self.font_size_pt)
        return widest

    def fit_widths(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float],
                   size: float) -> tuple[list[float], float]:
        """Column widths (mm, summing to the text width) in which no word has to be broken, and the
        font size that makes them fit: every column gets at least its longest word, the rest of the
        page is shared in the proportions asked for; where even that is too wide, the font shrinks."""
        total = self.epw
        while True:
            self.set_font("DejaVu", "", size)
            need = [max(self._longest_word([headers[i]], bold=True),
                        self._longest_word([str(r[i]) for r in rows if i < len(r) and r[i] is not None]))
                    + 2 * CELL_PADDING + 0.6 for i in range(len(headers))]
            if sum(need) <= total or size <= MIN_TABLE_FONT:
                break
            size = round(size - 0.5, 1)
        scale = total / sum(widths)
        wanted = [w * scale for w in widths]
        result = [max(w, n) for w, n in zip(wanted, need)]
        excess = sum(result) - total
        while excess > 0.01:   # take the excess from the columns that have room above their minimum
            room = [r - n if r > n else 0.0 for r, n in zip(result, need)]
            spare = sum(room)
            if spare <= 0:
                break
            result = [r - excess * (rm / spare) for r, rm in zip(result, room)]
            excess = sum(result) - total
        return result, size

    def table_of(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float],
                 align: Sequence[str] | None = None, size: float = 8.5) -> None:
        if not rows:
            return
        cells = [["" if value is None else str(value) for value in row] for row in rows]
        fitted, size = self.fit_widths(headers, cells, widths, size)
        self.set_font("DejaVu", "", size)
        self.set_fill_color(255, 255, 255)
        self.set_text_color(0, 0, 0)
        self.set_draw_color(150, 150, 150)
        aligns = tuple(align or ["LEFT"] * len(headers))
        with self.table(col_widths=tuple(fitted), width=self.epw, text_align=aligns, headings_style=HEAD,
                        line_height=size * 0.55, first_row_as_headings=True, repeat_headings=1,
                        cell_fill_color=STRIPE, cell_fill_mode=TableCellFillMode.ROWS,
                        padding=(0.4, CELL_PADDING, 0.4, CELL_PADDING)) as table:
            for row in [list(headers), *cells]:
                line = table.row()
                for value in row:
                    line.cell(value)
        self.set_draw_color(0, 0, 0)
        self.ln(3)
        self.set_font("DejaVu", "", 10)

    def note(self, text: str) -> None:
        self.set_font("DejaVu", "", 8.5)
        self.set_text_color(90, 90, 90)
        self.multi_cell(0, 4.5, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.set_font("DejaVu", "", 10)
        self.ln(1)

    # -------------------------------------------------------- drawings

    def line_chart(self, series: dict[str, dict[int, int]], years: Sequence[int], height: float = 65) -> None:
        names = top_series(series)
        if not names or not years:
            return
        if self.get_y() + height + 10 > self.h - self.b_margin:
            self.add_page()
        left, top = self.l_margin + 10, self.get_y() + 2
        width = self.epw - 70
        peak = max([series[n].get(y, 0) for n in names for y in years] + [1])
        step = max(1, -(-peak // 5))
        peak = step * -(-peak // step)

        def px(i: int) -> float:
            return left + width * i / max(len(years) - 1, 1)

        def py(v: float) -> float:
            return top + height - height * v / peak

        self.set_font("DejaVu", "", 7.5)
        self.set_line_width(0.1)
        for tick in range(0, peak + 1, step):
            self.set_draw_color(210, 210, 210)
            self.line(left, py(tick), left + width, py(tick))
            self.text(left - 7, py(tick) + 1, str(tick))
        for i, year in enumerate(years):
            self.text(px(i) - 3.5, top + height + 5, str(year))
        self.set_line_width(0.6)
        for index, name in enumerate(names):
            colour = _rgb(PALETTE[index % len(PALETTE)])
            self.set_draw_color(*colour)
            self.set_fill_color(*colour)
            points = [(px(i), py(series[name].get(y, 0))) for i, y in enumerate(years)]
            self.polyline(points)
            for x, y in points:
                self.circle(x, y, 0.8, style="F")
            ly = top + 3 + index * 5
            self.rect(left + width + 6, ly - 2.5, 3, 3, style="F")
            self.set_text_color(0, 0, 0)
            self.text(left + width + 11, ly, shorten(name, 34))
        self.set_draw_color(0, 0, 0)
        self.set_line_width(0.2)
        self.set_y(top + height + 9)
        self.set_font("DejaVu", "", 10)

    def network_picture(self) -> None:
        """The stored map of the end date (its server layout, colours by group) with a legend.
        Labels sit on a white box so that lines and dots never cover them."""
        pic = self.report.picture
        if not pic.nodes:
            self.note("Im gewählten Ausschnitt gibt es keine Akteure.")
            return
        legend_rows = -(-len(pic.legend) // 2)
        legend_height = 8 + 4.6 * legend_rows if pic.legend else 0
        room = self.h - self.b_margin - self.get_y() - 4 - legend_height
        width = min(self.epw, room / pic.aspect)
        height = width * pic.aspect
        left, top = self.l_margin + (self.epw - width) / 2, self.get_y() + 2
        pad = 4.0

        def at(x: float, y: float) -> tuple[float, float]:
            return left + pad + x * (width - 2 * pad), top + pad + y * (width - 2 * pad)

        self.set_draw_color(190, 190, 190)
        self.set_line_width(0.12)
        for x1, y1, x2, y2 in pic.edges:
            self.line(*at(x1, y1), *at(x2, y2))
        self.set_draw_color(255, 255, 255)
        self.set_line_width(0.2)
        big = 4.0 if pic.mode == "aggregate" else 1.6
        for node in pic.nodes:
            self.set_fill_color(*_rgb(node.colour))
            self.circle(*at(node.x, node.y), 0.7 + big * node.size, style="FD")
        self.set_font("DejaVu", "", 6.5)
        self.set_text_color(0, 0, 0)
        for node in pic.nodes:
            if not node.label:
                continue
            x, y = at(node.x, node.y)
            text_width = self.get_string_width(node.label)
            tx = x + 2.2 if x + 2.2 + text_width < left + width else x - 2.2 - text_width
            self.set_fill_color(255, 255, 255)
            self.rect(tx - 0.5, y - 1.9, text_width + 1.0, 2.8, style="F")
            self.text(tx, y + 0.6, node.label)
        self.set_y(top + height + 2)
        if pic.legend:
            self.set_font("DejaVu", "B", 8)
            self.cell(0, 5, pic.legend_title or "Legende", new_x="LMARGIN", new_y="NEXT")
            self.set_font("DejaVu", "", 7.5)
            column = self.epw / 2
            start_y = self.get_y()
            for i, (label, colour, count) in enumerate(pic.legend):
                x = self.l_margin + (i % 2) * column
                y = start_y + (i // 2) * 4.6
                self.set_fill_color(*_rgb(colour))
                self.rect(x, y + 0.8, 3, 3, style="F")
                self.set_xy(x + 4.5, y)
                self.cell(column - 6, 4.6, f"{shorten(label, 48)} ({de_number(count)})")
            self.set_y(start_y + legend_rows * 4.6 + 2)
        self.set_draw_color(0, 0, 0)
        self.set_fill_color(255, 255, 255)
        self.set_font("DejaVu", "", 10)


def _stand(report: Report) -> str:
    """"07.12.2026, 10:15 Uhr" (Berlin) when the worker computed it, else the day."""
    if report.computed_at is None:
        return de_date(report.created)
    local = report.computed_at.astimezone(BERLIN)
    return f"{local:%d.%m.%Y}, {local:%H:%M} Uhr"


def _title_page(doc: _ReportPdf, report: Report) -> None:
    doc.add_page()
    doc.set_y(60)
    doc.set_font("DejaVu", "B", 24)
    doc.multi_cell(0, 11, "Bildungslandschaft", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 16)
    doc.multi_cell(0, 8, "Bericht für Stadtrat und Kreistag", new_x="LMARGIN", new_y="NEXT")
    doc.ln(12)
    doc.set_font("DejaVu", "", 11)
    for label, value in (("Zeitraum", report.period_text), ("Ausschnitt", report.scope_text),
                         ("Stand der Daten", _stand(report)), ("Erstellt von", report.organisation)):
        doc.set_font("DejaVu", "B", 11)
        doc.cell(40, 7, label)
        doc.set_font("DejaVu", "", 11)
        doc.multi_cell(0, 7, value, new_x="LMARGIN", new_y="NEXT")
    doc.ln(10)
    doc.note("Der Bericht nennt Organisationen, keine Personen. Einzelpersonen, die als Akteure erfasst sind, "
             "erscheinen nur mit Art und Gebiet. Kennzahlen gelten jeweils am ersten und letzten Tag des Zeitraums.")


def _inventory_section(doc: _ReportPdf, report: Report, number: int) -> None:
    """Bestandsaufnahme der Bildungsangebote: both coverage matrices, columns numbered like the
    transitions (the labels are too long for a column head), gaps as „Lücke“ in words."""
    doc.heading(f"{number}. Bestandsaufnahme der Bildungsangebote")
    doc.paragraphs(report.paragraphs.get("inventory", []))
    for key, title, head, prefix in (("stage_area", "Bildungsphase × Gebiet", "Gebiet", "P"),
                                     ("topic_group", "Themenfeld × Zielgruppe", "Themenfeld", "Z")):
        matrix = report.inventory["matrices"][key]
        columns = matrix["columns"]
        if not columns or not matrix["rows"]:
            continue
        doc.set_font("DejaVu", "B", 10.5)
        doc.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
        doc.note("Spalten: " + "; ".join(f"{prefix}{i} = {c['label']}" for i, c in enumerate(columns, 1))
                 + ". „Lücke“: kein laufendes Angebot; „▽“: schwach besetzt.")
        doc.table_of([head, *[f"{prefix}{i}" for i in range(1, len(columns) + 1)]],
                     [["  " * r["depth"] + r["label"],
                       *[("Lücke" if c["gap"] else f"{c['count']} ▽" if c["weak"] else c["count"]) for c in r["cells"]]]
                      for r in matrix["rows"]],
                     (50, *[120 / len(columns)] * len(columns)), ("LEFT", *["CENTER"] * len(columns)), size=7)


def pdf(report: Report) -> bytes:
    doc = _ReportPdf(report)
    _title_page(doc, report)
    text = report.paragraphs
    doc.add_page()

    doc.heading("1. Größe und Entwicklung des Netzwerks")
    doc.paragraphs(text["size"])
    doc.table_of(["Kennzahl", f"Am {de_date(report.scope.since)}", f"Am {de_date(report.scope.until)}",
                  "Veränderung"],
                 [[f.label, f.then_text, f.now_text, f.delta_text] for f in report.figures],
                 (70, 33, 33, 34), ("LEFT", "RIGHT", "RIGHT", "RIGHT"))

    doc.heading("2. Neue und beendete Kooperationen")
    doc.paragraphs(text["change"])
    doc.line_chart(report.topic_years, report.years)
    doc.note("Neue Kooperationen je Jahr in den sechs stärksten Themenfeldern; eine Kooperation mit mehreren "
             "Themenfeldern zählt in jedem.")
    doc.table_of(["Themenfeld", *[str(y) for y in report.years]],
                 [[t, *[de_number(v.get(y, 0)) for y in report.years]] for t, v in sorted(report.topic_years.items())],
                 (60, *[110 / len(report.years)] * len(report.years)), ("LEFT", *["RIGHT"] * len(report.years)))
    for title, ties in (("Im Zeitraum begonnen", report.new_ties), ("Im Zeitraum beendet", report.ended_ties)):
        if not ties:
            continue
        doc.set_font("DejaVu", "B", 10.5)
        doc.cell(0, 6, f"{title} ({de_number(len(ties))})", new_x="LMARGIN", new_y="NEXT")
        doc.table_of(["Datum", "Akteur A", "Akteur B", "Art"],
                     [[de_date(t["date"]), t["source"], t["target"], t["type"]] for t in ties[:MAX_TIE_ROWS]],
                     (22, 56, 56, 36), size=8)
        if len(ties) > MAX_TIE_ROWS:
            doc.note(f"… und {de_number(len(ties) - MAX_TIE_ROWS)} weitere (vollständig in der Excel-Datei).")

    doc.heading("3. Vermittler im Netzwerk")
    doc.paragraphs(text["brokers"])
    doc.table_of(["Rang", "Akteur", "Art", "Koop.", "Betweenness", "Constraint"],
                 [[i, b["label"], b["kind"], b["degree"], de_number(b["betweenness"], 3),
                   "–" if b["constraint"] is None else de_number(b["constraint"], 2)]
                  for i, b in enumerate(report.brokers, 1)],
                 (12, 62, 44, 14, 20, 18), ("RIGHT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"))

    doc.heading("4. Gruppen der Zusammenarbeit")
    doc.paragraphs(text["communities"])
    doc.table_of(["Gruppe (zentraler Akteur)", "Akteure", "Schwerpunkt"],
                 [[c["label"], c["size"], c["topic"]] for c in report.communities[:15]],
                 (80, 20, 70), ("LEFT", "RIGHT", "LEFT"))

    doc.heading("5. Verwundbarkeit")
    doc.paragraphs(text["fragility"])
    doc.table_of(["Akteur, der das Netzwerk zusammenhält", "Sonst abgeschnittene Akteure"],
                 [[a["label"], a["cut_off"]] for a in report.articulation[:15]], (130, 40), ("LEFT", "RIGHT"))
    if report.isolates:
        doc.note("Ohne laufende Kooperation: " + "; ".join(i["label"] for i in report.isolates[:40])
                 + (" …" if len(report.isolates) > 40 else ""))

    doc.heading("6. Übergänge in der Bildungsbiographie")
    doc.paragraphs(text["transitions"])
    transitions = report.transitions["transitions"]
    if transitions and report.transitions["rows"]:
        doc.note("Spalten: " + "; ".join(f"Ü{i} = {t['label']}" for i, t in enumerate(transitions, 1)))
        columns = len(transitions)
        doc.table_of(["Gebiet", *[f"Ü{i}" for i in range(1, columns + 1)]],
                     [[r["area"], *[c["count"] or "–" for c in r["cells"]]] for r in report.transitions["rows"]],
                     (50, *[120 / columns] * columns), ("LEFT", *["CENTER"] * columns), size=8)
        number = {t["label"]: f"Ü{i}" for i, t in enumerate(transitions, 1)}
        by_area: dict[str, list[str]] = {}
        for gap in report.transitions["gaps"]:
            by_area.setdefault(gap["area"], []).append(number.get(gap["transition"], gap["transition"]))
        if by_area:
            doc.note("Lücken (kein Übergang durch eine Kooperation abgedeckt): "
                     + "; ".join(f"{area}: {', '.join(keys)}" for area, keys in by_area.items()))

    section = 7
    if report.inventory:
        _inventory_section(doc, report, section)
        section += 1
    doc.heading(f"{section}. Veranstaltungen und Teilnahme")
    doc.paragraphs(text["events"])
    doc.table_of(["Datum", "Veranstaltung", "Art", "Teilnahmen", "Akteure"],
                 [[de_date(e["date"]), e["title"], e["kind"], e["attendances"], e["actors"]] for e in report.events],
                 (22, 70, 38, 20, 20), ("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT"))

    doc.add_page()
    doc.heading(f"{section + 1}. Das Netzwerk am {de_date(report.scope.until)}")
    if report.picture.mode == "aggregate":
        doc.note("Das Netzwerk ist zu groß, um jeden Akteur einzeln zu zeichnen: jeder Kreis ist eine Gruppe "
                 "eng zusammenarbeitender Akteure (größer = mehr Akteure), jede Linie steht für die Kooperationen "
                 "zwischen zwei Gruppen. Die Anordnung ist die der Netzwerkkarte.")
    else:
        doc.note("Jeder Punkt ist ein Akteur, jede Linie eine laufende Kooperation; Farben zeigen die Gruppen, "
                 "größere Punkte mehr Kooperationen. Beschriftet sind die wichtigsten Vermittler. Die Anordnung "
                 "ist die der Netzwerkkarte (gleiche Daten, gleiches Bild); Akteure ohne Kooperation stehen unten.")
    doc.network_picture()
    return bytes(doc.output())
