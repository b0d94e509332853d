"""Importing offers (Bildungsangebote) through the import pages: the sample file is previewed and
imported, providers and vocabularies are matched, re-importing changes nothing, and broken rows are
refused with their row and column in German."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Actor, AuditEntry, Offer, OfferStatus, Role
from tests.factories_imports import commit, ensure_area, form_selects, map_columns, preview, start, text_of

SAMPLE = Path(__file__).parent / "fixtures" / "offers_sample.csv"


def _providers(app, create_actor) -> None:
    ensure_area(app, "Olewig", "Stadt Trier")
    ensure_area(app, "Innenstadt", "Stadt Trier")
    create_actor("Grundschule Olewig", kind="Grundschule")
    create_actor("Stadtbibliothek Trier")


def _offers(app) -> list[Offer]:
    with app.app_context():
        offers = list(db.session.scalars(select(Offer).order_by(Offer.title)))
        for offer in offers:
            _ = (offer.area and offer.area.full_name, list(offer.providers), list(offer.life_stages),
                 list(offer.topics), list(offer.target_groups))
            db.session.expunge(offer)
        return offers


def test_sample_file_imports_and_reimport_changes_nothing(app, login_as, create_actor) -> None:
    _providers(app, create_actor)
    client = login_as(Role.COORDINATOR)
    token = start(client, "offers", SAMPLE)
    selects = form_selects(client.get(f"/import/{token}/zuordnung").get_data(as_text=True))
    assert sorted(v for k, v in selects.items() if v and k.startswith("s0_")) == sorted(
        ["title", "description", "providers", "life_stages", "topics", "target_groups", "area", "format", "place",
         "starts_on", "ends_on", "is_free", "cost", "languages", "is_accessible", "url", "contact_email", "status"])
    assert map_columns(client, token).status_code == 302
    status, page = preview(client, token)
    assert status == 200, text_of(page)[:3000]
    assert "Keine Probleme gefunden. Voraussichtlich: 3 neu, 0 aktualisiert, 0 unverändert." in text_of(page)
    assert _offers(app) == []  # the preview writes nothing

    status, page = commit(client, token)
    assert status == 200 and "3 neu" in text_of(page)
    offers = {o.title: o for o in _offers(app)}
    robots = offers["Roboter-AG"]
    assert [a.name for a in robots.providers] == ["Grundschule Olewig"]
    assert robots.is_ongoing and robots.starts_on is None and robots.is_free and robots.is_accessible
    assert robots.status is OfferStatus.PUBLISHED and robots.area.full_name == "Stadt Trier › Olewig"
    assert robots.languages == "Deutsch, Englisch" and robots.place == "Schulhof 1, 54295 Trier"
    assert [s.name for s in robots.life_stages] == ["Primarstufe"] and [t.name for t in robots.topics] == ["MINT"]
    reading = offers["Lesepaten für Familien"]
    assert [s.name for s in reading.life_stages] == ["Frühkindliche Bildung", "Primarstufe"]
    assert sorted(g.name for g in reading.target_groups) == ["Eltern", "Kinder"]
    assert reading.url == "https://stadtbibliothek.example/lesepaten"
    assert offers["Bewerbungstraining"].status is OfferStatus.DRAFT and offers["Bewerbungstraining"].cost == "15 €"
    assert f"/angebote/{robots.id}" in page  # the result page links the new offers
    with app.app_context():
        audit = db.session.scalar(select(func.count()).select_from(AuditEntry)
                                  .where(AuditEntry.entity_type == "Offer"))
        assert audit == 3
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "import")) == 1

    again = start(client, "offers", SAMPLE)
    map_columns(client, again)
    status, page = preview(client, again)
    assert "Voraussichtlich: 0 neu, 0 aktualisiert, 3 unverändert." in text_of(page)
    status, page = commit(client, again)
    assert status == 200
    assert len(_offers(app)) == 3
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.entity_type == "Offer")) == 3

    changed = SAMPLE.read_text(encoding="utf-8").replace("15 €", "20 €")
    token = start(client, "offers", ("angebote.csv", changed.encode()))
    map_columns(client, token)
    status, page = preview(client, token)
    assert "Voraussichtlich: 0 neu, 1 aktualisiert, 2 unverändert." in text_of(page)


BAD = """Titel;Anbieter;Bildungsphasen;Zielgruppen;Beginn;Ende;Status
Schach-AG;Unbekannte Schule;Primarstufe;Kinder;laufend;;veröffentlicht
Ferienkurs;Grundschule Olewig;Mondphase;Kinder;01.07.2026;;veröffentlicht
Nachhilfe;Grundschule Olewig;Primarstufe;Marsmenschen;morgen;;Entwurf
Sprachcafé;Grundschule Olewig;Primarstufe;Eltern;;;veröffentlicht
Töpfern;Grundschule Olewig;Primarstufe;Kinder;10.10.2026;01.10.2026;Entwurf
;Grundschule Olewig;Primarstufe;Kinder;laufend;;irgendwie
"""


def test_bad_rows_are_named_by_row_and_column(app, login_as, create_actor) -> None:
    _providers(app, create_actor)
    client = login_as(Role.COORDINATOR)
    token = start(client, "offers", ("angebote.csv", BAD.encode()))
    map_columns(client, token)
    status, page = preview(client, token)
    text = text_of(page)
    assert status == 200
    assert "Zeile 2 Anbieter (B) Unbekannter Akteur „Unbekannte Schule“" in text, text[:4000]
    assert "Zeile 3 Bildungsphasen (C) Unbekannte Bildungsphase „Mondphase“" in text
    assert "Zeile 4 Zielgruppen (D) Unbekannte Zielgruppe „Marsmenschen“" in text
    assert "Zeile 4 Beginn (E) „morgen“ ist weder ein Datum" in text
    assert "Zeile 5 Beginn (E) Ein veröffentlichtes Angebot braucht einen Beginn" in text
    assert "Zeile 6 Ende (F) Das Ende darf nicht vor dem Beginn liegen." in text
    assert "Zeile 7 Status (G) „irgendwie“ ist kein Status eines Angebots" in text
    assert "Zeile 7 Titel (A) „Titel“ fehlt" in text
    status, page = commit(client, f"{token}")
    assert status == 422
    assert _offers(app) == []  # all rows or none


def test_template_download(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    assert "/import/vorlage-angebote.csv" in client.get("/import/").get_data(as_text=True)
    response = client.get("/import/vorlage-angebote.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.data.decode("utf-8-sig")
    assert text.startswith("Titel;Beschreibung;Anbieter;Bildungsphasen;Themen;Zielgruppen")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Actor)) == 0


def test_excel_file_is_read_like_the_csv(app, login_as, create_actor) -> None:
    import csv
    import io

    import openpyxl

    _providers(app, create_actor)
    book = openpyxl.Workbook()
    sheet = book.active
    for row in csv.reader(io.StringIO(SAMPLE.read_text(encoding="utf-8")), delimiter=";"):
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    client = login_as(Role.COORDINATOR)
    token = start(client, "offers", ("angebote.xlsx", data.getvalue()))
    map_columns(client, token)
    status, page = preview(client, token)
    assert status == 200
    assert "Keine Probleme gefunden. Voraussichtlich: 3 neu, 0 aktualisiert, 0 unverändert." in text_of(page)
