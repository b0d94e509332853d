"""The Stadtrat report over HTTP on the demo region: the PDF opens, is A4 with several pages and
holds the region's figures; the XLSX holds the tables; the HTML says the same; no personal data."""
from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from datetime import date, timedelta

import networkx as nx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from crm.extensions import db
from crm.models import Actor, ActorKind, Cooperation, Role
from tests.demo_region import DemoRegion, demo_region_fixture, personal_data


@pytest.fixture(scope="module")
def demo(database_url: str, _migrated: None) -> Iterator[DemoRegion]:
    """The demo region, loaded once for this module."""
    yield from demo_region_fixture(database_url)


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def period(demo: DemoRegion) -> dict[str, str]:
    """The twelve months up to the demo's today: its actors are all recorded by then."""
    return {"since": (demo.today - timedelta(days=365)).isoformat(), "until": demo.today.isoformat()}


@pytest.fixture(scope="module")
def expected(demo: DemoRegion, period: dict[str, str]) -> dict[str, object]:
    """The figures, counted straight from the database (not through the report services)."""
    since, until = date.fromisoformat(period["since"]), date.fromisoformat(period["until"])
    with demo.app.app_context():
        count = lambda q: db.session.scalar(select(func.count()).select_from(Cooperation).where(*q))  # noqa: E731
        source, target = aliased(Actor), aliased(Actor)
        rows = db.session.execute(
            select(Cooperation.source_id, Cooperation.target_id)
            .join(source, source.id == Cooperation.source_id).join(target, target.id == Cooperation.target_id)
            .where(Cooperation.start_date <= until, or_(Cooperation.end_date.is_(None), Cooperation.end_date >= until),
                   source.is_active.is_(True), target.is_active.is_(True))).all()
        graph = nx.Graph(rows)
        graph.add_nodes_from(db.session.scalars(select(Actor.id).where(Actor.is_active.is_(True))))
        betweenness = nx.betweenness_centrality(graph)
        organisations = [a for a in sorted(betweenness, key=lambda n: -betweenness[n])
                         if not db.session.get(ActorKind, db.session.get(Actor, a).kind_id).is_individual]
        return {
            "actors": db.session.scalar(select(func.count()).select_from(Actor).where(Actor.is_active.is_(True))),
            "running": len(rows),
            "new": count([Cooperation.start_date >= since, Cooperation.start_date <= until]),
            "ended": count([Cooperation.end_date >= since, Cooperation.end_date <= until]),
            "broker": db.session.get(Actor, organisations[0]).name,
            "individuals": set(db.session.scalars(select(Actor.name).join(ActorKind, ActorKind.id == Actor.kind_id)
                                                  .where(ActorKind.is_individual.is_(True)))),
        }


@pytest.fixture(scope="module")
def pdf_text(demo: DemoRegion, period: dict[str, str]) -> tuple[PdfReader, str]:
    response = demo.client(Role.VIEWER).get("/berichte/bericht.pdf", query_string=period)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    return reader, _flat("\n".join(page.extract_text() for page in reader.pages))


def test_pdf_is_a4_with_several_pages_and_page_numbers(pdf_text) -> None:
    reader, text = pdf_text
    assert len(reader.pages) >= 4
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 595.28) < 1 and abs(height - 841.89) < 1
    assert f"Seite 2 von {len(reader.pages)}" in text
    assert "Bericht für Stadtrat und Kreistag" in text and "Zeitraum" in text and "gesamte Bildungslandschaft" in text


def test_pdf_holds_the_demo_region_figures(pdf_text, expected, period) -> None:
    _, text = pdf_text
    until = date.fromisoformat(period["until"]).strftime("%d.%m.%Y")
    assert f"Am {until} umfasst die Bildungslandschaft (gesamte Bildungslandschaft) {expected['actors']} Akteure " \
           f"mit {expected['running']} laufenden Kooperationen" in text
    assert f"begannen {expected['new']} Kooperationen, {expected['ended']} wurden beendet" in text
    assert _flat(expected["broker"]) in text
    for heading in ("Vermittler im Netzwerk", "Gruppen der Zusammenarbeit", "Verwundbarkeit",
                    "Übergänge in der Bildungsbiographie", "Veranstaltungen und Teilnahme", "Das Netzwerk am"):
        assert heading in text


def test_html_report_says_the_same(demo: DemoRegion, expected, period) -> None:
    response = demo.client(Role.VIEWER).get("/berichte/", query_string=period)
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    flat = _flat(page)
    assert f"{expected['actors']} Akteure mit {expected['running']} laufenden Kooperationen" in flat
    assert f"begannen {expected['new']} Kooperationen, {expected['ended']} wurden beendet" in flat
    assert expected["broker"] in page
    assert 'class="network-picture"' in page and "<circle" in page  # the static network picture
    assert 'data-testid="transition-heatmap"' in page
    assert "/berichte/bericht.pdf?" in page and "/berichte/bericht.xlsx?" in page


def test_xlsx_holds_the_tables(demo: DemoRegion, expected, period) -> None:
    response = demo.client(Role.VIEWER).get("/berichte/bericht.xlsx", query_string=period)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert {"Übersicht", "Kennzahlen", "Neue Kooperationen", "Beendete Kooperationen", "Vermittler", "Gruppen",
            "Verwundbarkeit", "Übergänge", "Lücken", "Themenfelder je Jahr", "Veranstaltungen"} <= set(book.sheetnames)
    figures = {row[0]: row[1:] for row in book["Kennzahlen"].iter_rows(min_row=2, values_only=True)}
    assert figures["Akteure"][1] == expected["actors"]
    assert figures["Laufende Kooperationen"][1] == expected["running"]
    assert book["Kennzahlen"]["A1"].value == "Kennzahl"
    assert book["Neue Kooperationen"].max_row == expected["new"] + 1
    assert book["Beendete Kooperationen"].max_row == expected["ended"] + 1
    assert any(row[1] == expected["broker"] for row in book["Vermittler"].iter_rows(min_row=2, values_only=True))


def test_no_personal_data_in_html_pdf_xlsx(demo: DemoRegion, period, pdf_text, expected) -> None:
    data = personal_data(demo.app)
    client = demo.client(Role.VIEWER)
    page = html.unescape(client.get("/berichte/", query_string=period).get_data(as_text=True))
    book = load_workbook(io.BytesIO(client.get("/berichte/bericht.xlsx", query_string=period).data))
    cells = " | ".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v)
    for label, text in (("html", page), ("pdf", pdf_text[1]), ("xlsx", cells)):
        leaked = [v for v in data["emails"] | data["phones"] | data["names"] | data["individual_names"]
                  | expected["individuals"] if v in text]
        assert leaked == [], label


def test_scope_cuts_the_report(demo: DemoRegion, period) -> None:
    client = demo.client(Role.VIEWER)
    whole = client.get("/berichte/", query_string=period).get_data(as_text=True)
    mint = client.get("/berichte/", query_string={**period, "topics": "MINT", "areas": "Stadt Trier"})
    assert mint.status_code == 200
    text = html.unescape(mint.get_data(as_text=True))
    assert "Gebiet: Stadt Trier; Themenfeld: MINT" in text
    pattern = re.compile(r"umfasst die Bildungslandschaft \([^)]*\) (\d+) Akteure")
    count = lambda page: int(pattern.search(page).group(1))  # noqa: E731
    assert count(text) < count(html.unescape(whole))
    pdf = client.get("/berichte/bericht.pdf", query_string={**period, "topics": "MINT"})
    assert pdf.status_code == 200 and "Themenfeld: MINT" in _flat(
        "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages[:1]))


def test_default_period_is_last_calendar_year(demo: DemoRegion) -> None:
    page = demo.client(Role.VIEWER).get("/berichte/").get_data(as_text=True)
    year = date.today().year - 1
    assert f"01.01.{year} bis 31.12.{year}" in page


@pytest.mark.parametrize("args,message", [
    ({"since": "2025-13-01"}, "ist kein gültiges Datum"),
    ({"since": "gestern"}, "ist kein gültiges Datum"),
    ({"since": "2025-06-01", "until": "2025-01-01"}, "„Bis“ liegt vor „Von“"),
    ({"areas": "Atlantis"}, "Unbekannte Angabe im Feld Gebiet: Atlantis"),
    ({"topics": "Alchemie"}, "Unbekannte Angabe im Feld Themenfeld"),
    ({"life_stages": "greis"}, "Unbekannte Angabe im Feld Bildungsphase"),
    ({"kinds": "Raumstation"}, "Unbekannte Angabe im Feld Akteursart"),
])
@pytest.mark.parametrize("path", ["/berichte/", "/berichte/bericht.pdf", "/berichte/bericht.xlsx"])
def test_bad_input_gives_a_german_message_on_the_form(demo: DemoRegion, path, args, message) -> None:
    response = demo.client(Role.VIEWER).get(path, query_string=args)
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    page = html.unescape(response.get_data(as_text=True))
    assert message in page and 'data-testid="report-form"' in page


@pytest.mark.parametrize("path", ["/berichte/", "/berichte/bericht.pdf", "/berichte/bericht.xlsx"])
def test_anonymous_is_sent_to_login(demo: DemoRegion, path) -> None:
    response = demo.client(None).get(path)
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.COORDINATOR, Role.ADMIN])
def test_every_role_gets_the_report(demo: DemoRegion, role: Role, period) -> None:
    assert demo.client(role).get("/berichte/bericht.xlsx", query_string=period).status_code == 200
