"""The attendance list (Teilnehmerliste) for funders, as print-ready PDF and as XLSX.

ESF and BMBF programmes ask for a signed list per event: event title, date and place, the
organiser, and per participant the name, the institution and a signature, with page numbers
("Seite 1 von 3"). The list holds everyone who accepted or said "vielleicht", everyone already
present (walk-ins too), and empty lines for people who come without having answered.

The PDF embeds DejaVu Sans from ``crm/static/fonts`` (shipped with the app, licence beside it),
so umlauts and ß print everywhere and nothing depends on the server's fonts.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from flask import current_app
from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.page import PageMargins
from sqlalchemy.orm import Session

from crm.models import Answer, Event
from crm.services.events import attendance, events
from crm.services.exports.lists import neutralise

FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"
BLANK_LINES = 8


@dataclass
class Line:
    number: int
    name: str
    actor: str


def lines(session: Session, event: Event) -> list[Line]:
    listed = [g for g in attendance.guests(session, event)
              if g.is_present or g.answer in (Answer.ACCEPTED, Answer.TENTATIVE)]
    return [Line(n, g.name, g.actor) for n, g in enumerate(listed, 1)]


def _organisation() -> str:
    return str(current_app.config.get("BILDUNGSNETZ_ORGANISATION") or "Bildungsbüro")


def _place(event: Event) -> str:
    return events.where(event)


class _ListPdf(FPDF):
    def __init__(self, event: Event, organisation: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.event, self.organisation = event, organisation
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=False)
        self.alias_nb_pages()
        self.set_title(f"Teilnehmerliste – {event.title}")
        self.set_author(organisation)
        self.set_creator("Bildungsnetz")

    def header(self) -> None:
        self.set_font("DejaVu", "B", 14)
        self.cell(0, 7, "Teilnehmerliste", new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", "B", 11)
        self.multi_cell(0, 5.5, self.event.title, new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", "", 9.5)
        self.cell(0, 5, f"Datum: {events.format_when(self.event)}", new_x="LMARGIN", new_y="NEXT")
        self.multi_cell(0, 5, f"Ort: {_place(self.event)}", new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 5, f"Veranstalter: {self.organisation}", new_x="LMARGIN", new_y="NEXT")
        self.ln(3)
        self._table_head()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 5, f"{self.event.title} · Teilnehmerliste", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Seite {self.page_no()} von {{nb}}", align="R")

    WIDTHS = (10, 58, 62, 50)

    def _table_head(self) -> None:
        self.set_font("DejaVu", "B", 9.5)
        self.set_fill_color(230, 230, 230)
        for width, title in zip(self.WIDTHS, ("Nr.", "Name", "Institution / Akteur", "Unterschrift")):
            self.cell(width, 7, title, border=1, fill=True)
        self.ln(7)
        self.set_font("DejaVu", "", 9.5)

    LINE_HEIGHT = 4.6
    MIN_ROW_HEIGHT = 10    # room for a signature

    def _wrapped(self, text: str, width: float) -> list[str]:
        if not text:
            return [""]
        return cast("list[str]", self.multi_cell(width, self.LINE_HEIGHT, text, dry_run=True, output="LINES"))

    def row(self, number: str, name: str, actor: str) -> None:
        """One participant; long names wrap inside their cell (a funder's list must show the
        whole institution, „Förderverein der Grundschule …“, not a cut-off „Förderverein d…“)."""
        wrapped = [self._wrapped(text, width) for width, text in zip(self.WIDTHS, (number, name, actor, ""))]
        lines = max(len(w) for w in wrapped)
        height = max(self.MIN_ROW_HEIGHT, lines * self.LINE_HEIGHT + 2.4)
        if self.get_y() + height > self.h - 18:
            self.add_page()
        x, y = self.l_margin, self.get_y()
        for width, text_lines in zip(self.WIDTHS, wrapped):
            self.rect(x, y, width, height)
            self.set_xy(x, y + (height - len(text_lines) * self.LINE_HEIGHT) / 2)
            self.multi_cell(width, self.LINE_HEIGHT, "\n".join(text_lines))
            x += width
        self.set_xy(self.l_margin, y + height)


def pdf(session: Session, event: Event) -> bytes:
    document = _ListPdf(event, _organisation())
    document.add_page()
    items = lines(session, event)
    for line in items:
        document.row(str(line.number), line.name, line.actor)
    for extra in range(len(items) + 1, len(items) + 1 + BLANK_LINES):
        document.row(str(extra), "", "")
    return bytes(document.output())


def xlsx(session: Session, event: Event) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Teilnehmerliste"
    bold = Font(bold=True)
    sheet["A1"] = "Teilnehmerliste"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = neutralise(event.title)
    sheet["A2"].font = bold
    sheet["A3"] = f"Datum: {events.format_when(event)}"
    sheet["A4"] = neutralise(f"Ort: {_place(event)}")
    sheet["A5"] = neutralise(f"Veranstalter: {_organisation()}")
    header_row = 7
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for column, title in enumerate(("Nr.", "Name", "Institution / Akteur", "Unterschrift"), 1):
        cell = sheet.cell(row=header_row, column=column, value=title)
        cell.font, cell.border = bold, border
    items = lines(session, event)
    rows: list[tuple[int, str, str]] = [(line.number, neutralise(line.name), neutralise(line.actor)) for line in items]
    rows += [(n, "", "") for n in range(len(items) + 1, len(items) + 1 + BLANK_LINES)]
    for offset, (number, name, actor) in enumerate(rows, 1):
        row = header_row + offset
        values: tuple[int | str, ...] = (number, name, actor, "")
        for column, value in enumerate(values, 1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.border = border
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        sheet.row_dimensions[row].height = 28
    for letter, width in zip("ABCD", (6, 32, 38, 30)):
        sheet.column_dimensions[letter].width = width
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_area = f"A1:D{header_row + len(rows)}"
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.6, right=0.6, top=0.8, bottom=0.8)
    sheet.oddFooter.center.text = "Seite &P von &N"
    sheet.oddHeader.center.text = neutralise(event.title)[:200].replace("&", "&&")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
