"""Exports: CSV for German Excel, XLSX, formula injection, personal data, and round trips through the importer."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import Actor, Affiliation, Area, AuditEntry, Cooperation, LifeStage, Person, Role, Topic
from tests.factories_imports import (
    commit, ensure_area, ensure_cooperation_type, ensure_kind, ensure_topic, map_columns, start, text_of,
)


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "German Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _xlsx_rows(data: bytes, sheet: str | None = None) -> list[list[object]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    worksheet = workbook[sheet] if sheet else workbook.active
    return [list(row) for row in worksheet.iter_rows(values_only=True)]


def _person(app, actor_id: int, first: str, last: str, email: str, function: str) -> None:
    with app.app_context():
        person = Person(first_name=first, last_name=last, email=email, phone="0651 999")
        person.affiliations.append(Affiliation(actor_id=actor_id, function=function))
        db.session.add(person)
        db.session.commit()


def test_actor_csv_and_xlsx_hold_the_filtered_rows_only(app, login_as, create_actor) -> None:
    create_actor("Grundschule Olewig", city="Trier", postcode="54295", street="Am Berg 1")
    create_actor("Grundschule Ehrang", city="Trier")
    create_actor("Kita St. Anna", kind="Kita", city="Konz")
    client = login_as(Role.VIEWER)

    page = client.get("/akteure/?q=grundschule").get_data(as_text=True)
    assert 'href="/export/akteure.csv?q=grundschule"' in page and 'href="/export/akteure.xlsx?q=grundschule"' in page

    response = client.get("/export/akteure.csv?q=grundschule")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"] and ".csv" in response.headers["Content-Disposition"]
    rows = _csv_rows(response.data)
    assert rows[0][:8] == ["Name", "Kurzname", "Art", "Kategorie", "Gebiet", "Straße", "PLZ", "Ort"]
    assert sorted(r[0] for r in rows[1:]) == ["Grundschule Ehrang", "Grundschule Olewig"]
    olewig = next(r for r in rows if r[0] == "Grundschule Olewig")
    assert olewig[5:8] == ["Am Berg 1", "54295", "Trier"]

    response = client.get("/export/akteure.xlsx?q=grundschule")
    assert response.status_code == 200
    rows = _xlsx_rows(response.data)
    assert rows[0][0] == "Name"
    assert sorted(r[0] for r in rows[1:]) == ["Grundschule Ehrang", "Grundschule Olewig"]

    assert len(_csv_rows(client.get("/export/akteure.csv").data)) == 4  # header and all three
    assert client.get("/export/akteure.pdf").status_code == 404


def test_formula_injection_is_neutralised(app, login_as, create_actor) -> None:
    create_actor('=HYPERLINK("http://evil.example","Klick")', phone="+49 651 123", street="@SUM(A1)",
                 short_name="-2+3", description="\tnormal")
    client = login_as(Role.COORDINATOR)
    rows = _csv_rows(client.get("/export/akteure.csv").data)
    header, row = rows[0], rows[1]
    value = dict(zip(header, row))
    assert value["Name"] == "'=HYPERLINK(\"http://evil.example\",\"Klick\")"
    assert value["Telefon"] == "'+49 651 123"
    assert value["Straße"] == "'@SUM(A1)"
    assert value["Kurzname"] == "'-2+3"

    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/export/akteure.xlsx").data))
    sheet = workbook.active
    headers = [c.value for c in sheet[1]]
    name_cell = sheet.cell(row=2, column=headers.index("Name") + 1)
    assert name_cell.data_type == "s" and name_cell.value.startswith("'=")
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)

    # The importer reads the neutralised cells back as they were.
    token = start(client, "actors", ("akteure.csv", client.get("/export/akteure.csv").data))
    map_columns(client, token)
    _, page = commit(client, token)
    assert "0 neu, 0 aktualisiert, 1 unverändert" in text_of(page)


def test_personal_data_only_for_those_who_may_see_it(app, client, create_user, create_actor) -> None:
    actor_id = create_actor("Grundschule Olewig")
    _person(app, actor_id, "Petra", "Schäfer", "p.schaefer@example.org", "Schulleitung")

    client.login(create_user(Role.VIEWER).email)
    csv_data = client.get("/export/akteure.csv").data.decode("utf-8-sig")
    assert "Schäfer" not in csv_data and "Ansprechpersonen" not in csv_data
    assert "Schäfer" not in str(_xlsx_rows(client.get("/export/akteure.xlsx").data))
    assert client.get("/export/personen.csv").status_code == 403
    assert client.get("/export/personen.xlsx").status_code == 403
    assert "personen.csv" not in client.get("/export/").get_data(as_text=True)

    coordinator = create_user(Role.COORDINATOR)
    other = app.test_client()
    other.login(coordinator.email)
    rows = _csv_rows(other.get("/export/akteure.csv").data)
    assert rows[0][-1] == "Ansprechpersonen" and rows[1][-1] == "Petra Schäfer (Schulleitung)"
    rows = _csv_rows(other.get("/export/personen.csv").data)
    assert rows[0] == ["Anrede", "Titel", "Vorname", "Nachname", "E-Mail", "Telefon", "Akteur", "Akteur-ID",
                       "Funktion", "Seit", "Bis"]
    assert rows[1][2:9] == ["Petra", "Schäfer", "p.schaefer@example.org", "0651 999", "Grundschule Olewig",
                            f"akteur-{actor_id}", "Schulleitung"]
    assert _xlsx_rows(other.get("/export/personen.xlsx?q=schäfer").data)[1][4] == "p.schaefer@example.org"
    assert len(_xlsx_rows(other.get("/export/personen.xlsx?q=niemand").data)) == 1
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
        assert len(entries) == 3 and entries[0].actor_label == coordinator.email

    # The persons export goes back in unchanged.
    token = start(other, "persons", ("personen.csv", other.get("/export/personen.csv").data))
    map_columns(other, token)
    _, page = commit(other, token)
    assert "0 neu, 0 aktualisiert, 1 unverändert" in text_of(page)


def test_cooperation_export_by_status(app, login_as, create_actor) -> None:
    a, b, c = create_actor("Grundschule Olewig"), create_actor("Kita St. Anna"), create_actor("VHS Trier")
    type_id = ensure_cooperation_type(app, "Kooperationsvertrag")
    with app.app_context():
        db.session.add_all([
            Cooperation(source_id=a, target_id=b, type_id=type_id, intensity=3, start_date=date(2020, 1, 1),
                        end_date=date(2021, 12, 31)),
            Cooperation(source_id=a, target_id=c, type_id=type_id, intensity=1, start_date=date(2022, 3, 1)),
        ])
        db.session.commit()
    client = login_as(Role.VIEWER)
    rows = _csv_rows(client.get("/export/kooperationen.csv?status=beendet").data)
    assert rows[0] == ["Von", "Zu", "Art", "Intensität", "Beginn", "Ende", "Beschreibung", "Themen", "Bildungsphasen",
                       "Von-ID", "Zu-ID"]
    assert rows[1:] == [["Grundschule Olewig", "Kita St. Anna", "Kooperationsvertrag", "3", "01.01.2020", "31.12.2021",
                         "", "", "", f"akteur-{a}", f"akteur-{b}"]]
    rows = _xlsx_rows(client.get("/export/kooperationen.xlsx?status=laufend").data)
    assert [r[:2] for r in rows[1:]] == [["Grundschule Olewig", "VHS Trier"]]


def _landscape(app, create_actor) -> None:
    """A small landscape with everything the Kumu layout carries."""
    olewig = ensure_area(app, "Olewig", parent="Stadt Trier")
    ensure_topic(app, "Digitale Bildung")
    ensure_kind(app, "Stiftung", "Stiftung")
    funding = ensure_cooperation_type(app, "Förderung", directed=True)
    contract = ensure_cooperation_type(app, "Kooperationsvertrag")
    ids = {
        "gs": create_actor("Grundschule Olewig", external_ref="GS-1", street="Am Berg 1", postcode="54295",
                           city="Trier", latitude=Decimal("49.7391"), longitude=Decimal("6.6636"),
                           description="Ganztagsschule mit MINT-Profil"),
        "kita": create_actor("Kita St. Anna", kind="Kita", email="kita@example.org", website="https://kita.example"),
        "stiftung": create_actor("Bürgerstiftung Trier", kind="Stiftung", short_name="BST", is_active=False),
        "zweig": create_actor("Grundschule Olewig", city="Trier"),  # same name, other area (none)
    }
    with app.app_context():
        gs = db.session.get(Actor, ids["gs"])
        gs.area = db.session.get(Area, olewig)
        gs.topics = list(db.session.scalars(select(Topic)))
        gs.life_stages = list(db.session.scalars(select(LifeStage)))
        db.session.get(Actor, ids["zweig"]).parent = gs
        db.session.add_all([
            Cooperation(source_id=ids["gs"], target_id=ids["kita"], type_id=contract, intensity=3,
                        start_date=date(2023, 8, 1), description="Übergang Kita–Grundschule",
                        topics=[db.session.scalars(select(Topic).where(Topic.name == "MINT")).one()]),
            Cooperation(source_id=ids["stiftung"], target_id=ids["gs"], type_id=funding, is_directed=True,
                        intensity=1, start_date=date(2021, 1, 1), end_date=date(2022, 12, 31)),
        ])
        db.session.commit()


def _snapshot(app) -> tuple[set, set]:
    with app.app_context():
        actors = set()
        for a in db.session.scalars(select(Actor)):
            actors.add((a.name, a.kind.name, a.area.full_name if a.area else None, a.short_name, a.street,
                        a.postcode, a.city, a.email, a.website, a.external_ref, a.latitude, a.longitude,
                        a.is_active, a.description, tuple(t.name for t in a.topics),
                        tuple(s.name for s in a.life_stages), (a.parent.name, a.parent.external_ref) if a.parent else None))
        ties = {(c.source.name, c.source.external_ref, c.target.name, c.type.name, c.is_directed, c.intensity,
                 c.start_date, c.end_date, c.description, tuple(t.name for t in c.topics))
                for c in db.session.scalars(select(Cooperation))}
        return actors, ties


@pytest.mark.parametrize("fmt", ["xlsx", "zip", "json"])
def test_kumu_export_import_round_trip(app, login_as, create_actor, fmt) -> None:
    _landscape(app, create_actor)
    client = login_as(Role.COORDINATOR)
    original = _snapshot(app)
    response = client.get(f"/export/kumu.{fmt}")
    assert response.status_code == 200 and "landschaft-kumu" in response.headers["Content-Disposition"]
    data = response.data
    if fmt == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(data))
        assert workbook.sheetnames == ["Elements", "Connections"]
        assert [c.value for c in workbook["Elements"][1]][:5] == ["ID", "Label", "Type", "Description", "Tags"]
        assert [c.value for c in workbook["Connections"][1]][:6] == ["ID", "From", "To", "Type", "Direction", "Strength"]
    elif fmt == "zip":
        assert sorted(zipfile.ZipFile(io.BytesIO(data)).namelist()) == ["connections.csv", "elements.csv"]
    else:
        blueprint = json.loads(data)
        assert len(blueprint["elements"]) == 4 and len(blueprint["connections"]) == 2
        assert {"id", "label", "type"} <= set(blueprint["elements"][0])

    # Into the same landscape: recognised row by row, nothing changes.
    token = start(client, "kumu", (f"landschaft.{fmt}", data))
    map_columns(client, token)
    status, page = commit(client, token)
    assert status == 200 and "0 neu, 0 aktualisiert, 6 unverändert" in text_of(page), text_of(page)
    assert _snapshot(app) == original

    # Into an empty landscape: the same landscape again.
    with app.app_context():
        for actor in db.session.scalars(select(Actor).where(Actor.parent_id.is_not(None))):
            db.session.delete(actor)
        db.session.flush()
        for actor in db.session.scalars(select(Actor)):
            db.session.delete(actor)
        db.session.commit()
    token = start(client, "kumu", (f"landschaft.{fmt}", data))
    map_columns(client, token)
    status, page = commit(client, token)
    assert status == 200 and "6 neu, 0 aktualisiert, 0 unverändert" in text_of(page), text_of(page)
    assert _snapshot(app) == original


def test_export_page_is_for_everyone_who_sees_the_landscape(app, client, create_user) -> None:
    assert client.get("/export/").status_code == 302  # login first
    client.login(create_user(Role.VIEWER).email)
    page = client.get("/export/").get_data(as_text=True)
    assert "/export/kumu.xlsx" in page and "/export/akteure.csv" in page
    assert client.get("/export/kumu.zip").status_code == 200
    assert client.get("/export/kumu.csv").status_code == 404
