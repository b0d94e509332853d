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
from crm.models import (
    Actor,
    Affiliation,
    Area,
    AuditEntry,
    Cooperation,
    Initiative,
    InitiativeKind,
    LifeStage,
    Membership,
    MembershipRole,
    Person,
    Role,
    Topic,
)
from tests.factories_imports import (
    commit,
    ensure_area,
    ensure_cooperation_type,
    ensure_kind,
    ensure_topic,
    map_columns,
    start,
    text_of,
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
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")
                                     .order_by(AuditEntry.id)).all()
        # The actor export names people too: audited like the persons export (the viewer's was not).
        assert [e.entity_type for e in entries] == ["Actor", "Person", "Person", "Person"]
        assert all(e.actor_label == coordinator.email for e in entries)
        assert entries[0].changes["rows"] == 1 and "Ansprechpersonen" in entries[0].summary

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
        stiftung = db.session.get(Actor, ids["stiftung"])
        stiftung.active_from, stiftung.active_until = date(2005, 3, 1), date(2023, 6, 30)
        # An initiative with a lead, a funder who left, and a topic: elements and connections too.
        mint = Initiative(name="MINT-Lernen in Trier", short_name="MINT", kind=InitiativeKind.ALLIANCE,
                          description="Netzwerk der MINT-Bildung", website="https://mint.example",
                          start_date=date(2019, 9, 1),
                          topics=[db.session.scalars(select(Topic).where(Topic.name == "MINT")).one()])
        mint.memberships = [Membership(actor_id=ids["gs"], role=MembershipRole.LEAD, joined_on=date(2019, 9, 1)),
                            Membership(actor_id=ids["stiftung"], role=MembershipRole.FUNDER,
                                       joined_on=date(2020, 1, 1), left_on=date(2022, 12, 31))]
        db.session.add(mint)
        db.session.commit()


def _snapshot(app) -> tuple[set, set]:
    with app.app_context():
        actors = set()
        for a in db.session.scalars(select(Actor)):
            actors.add((a.name, a.kind.name, a.area.full_name if a.area else None, a.short_name, a.street,
                        a.postcode, a.city, a.email, a.website, a.external_ref, a.latitude, a.longitude,
                        a.is_active, a.description, tuple(t.name for t in a.topics),
                        tuple(s.name for s in a.life_stages),
                        (a.parent.name, a.parent.external_ref) if a.parent else None, a.active_from, a.active_until))
        ties = {(c.source.name, c.source.external_ref, c.target.name, c.type.name, c.is_directed, c.intensity,
                 c.start_date, c.end_date, c.description, tuple(t.name for t in c.topics))
                for c in db.session.scalars(select(Cooperation))}
        initiatives = {(i.name, i.short_name, i.kind, i.description, i.website, i.start_date, i.end_date,
                        tuple(t.name for t in i.topics),
                        tuple(sorted((m.actor.name, m.actor.external_ref, m.role.value, m.joined_on, m.left_on)
                                     for m in i.memberships)))
                       for i in db.session.scalars(select(Initiative))}
        return actors, ties, initiatives


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
        assert [c.value for c in workbook["Connections"][1]][:6] == [
            "ID", "From", "To", "Type", "Direction", "Strength"]
    elif fmt == "zip":
        assert sorted(zipfile.ZipFile(io.BytesIO(data)).namelist()) == ["connections.csv", "elements.csv"]
    else:
        blueprint = json.loads(data)
        assert len(blueprint["elements"]) == 5 and len(blueprint["connections"]) == 4
        assert {"id", "label", "type"} <= set(blueprint["elements"][0])
        initiative = next(e for e in blueprint["elements"] if e["type"] == "Initiative")
        assert initiative["label"] == "MINT-Lernen in Trier" and initiative["Initiativart"] == "Bündnis"
        memberships = [c for c in blueprint["connections"] if c["type"] == "Mitgliedschaft"]
        assert sorted(c["Rolle"] for c in memberships) == ["Förderer", "Leitung"]
        assert all(c["to"] == initiative["id"] for c in memberships)

    # Into the same landscape: recognised row by row, nothing changes.
    token = start(client, "kumu", (f"landschaft.{fmt}", data))
    map_columns(client, token)
    status, page = commit(client, token)
    assert status == 200 and "0 neu, 0 aktualisiert, 9 unverändert" in text_of(page), text_of(page)
    assert _snapshot(app) == original

    # Into an empty landscape: the same landscape again, initiatives and memberships included.
    with app.app_context():
        for actor in db.session.scalars(select(Actor).where(Actor.parent_id.is_not(None))):
            db.session.delete(actor)
        db.session.flush()
        for actor in db.session.scalars(select(Actor)):
            db.session.delete(actor)
        for initiative in db.session.scalars(select(Initiative)):
            db.session.delete(initiative)
        db.session.commit()
    token = start(client, "kumu", (f"landschaft.{fmt}", data))
    map_columns(client, token)
    status, page = commit(client, token)
    assert status == 200 and "9 neu, 0 aktualisiert, 0 unverändert" in text_of(page), text_of(page)
    assert _snapshot(app) == original

    # And once more: a re-import of the same file changes nothing.
    token = start(client, "kumu", (f"landschaft.{fmt}", data))
    map_columns(client, token)
    status, page = commit(client, token)
    assert status == 200 and "0 neu, 0 aktualisiert, 9 unverändert" in text_of(page), text_of(page)


def test_export_page_is_for_everyone_who_sees_the_landscape(app, client, create_user) -> None:
    assert client.get("/export/").status_code == 302  # login first
    client.login(create_user(Role.VIEWER).email)
    page = client.get("/export/").get_data(as_text=True)
    assert "/export/kumu.xlsx" in page and "/export/akteure.csv" in page
    assert client.get("/export/kumu.zip").status_code == 200
    assert client.get("/export/kumu.csv").status_code == 404


# ---------------------------------------------------------------- the export lists what the list shows

def _list_names(page: str, testid: str, pattern: str) -> list[str]:
    import re

    table = page.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    return re.findall(pattern, table)


def _count_of(page: str) -> int:
    import re

    return int(re.search(r'data-testid="result-count">(\d+)', page).group(1))


def test_person_export_lists_what_the_person_list_shows(app, login_as) -> None:
    """Words in first and last name together, a function, and the actor filter: list and file agree."""
    from tests import factories_coordinator as f

    school = f.actor(app, "Grundschule Olewig")
    kita = f.actor(app, "Kita St. Anna", kind="Kita")
    f.person(app, "Fuchs", "Thomas", "t.fuchs@example.org", actor_id=school, function="Schulleitung")
    f.person(app, "Fuchs", "Maria", "m.fuchs@example.org", actor_id=kita, function="Kita-Leitung")
    f.person(app, "Thomas", "Anna", "anna@example.org", actor_id=kita, function="Erzieherin")
    client = login_as(Role.COORDINATOR)
    for query in ("q=Thomas Fuchs", "q=Leitung", f"akteur={kita}", f"q=fuchs&akteur={kita}", "q=niemand"):
        page = client.get(f"/personen/?{query}").get_data(as_text=True)
        shown = _list_names(page, "person-list", r'<a href="/personen/\d+">([^<]+)</a>')
        assert f'href="/export/personen.csv?{query.replace("&", "&amp;")}"' in page
        rows = _csv_rows(client.get(f"/export/personen.csv?{query}").data)[1:]
        assert [f"{r[3]}, {r[2]}" for r in rows] == shown, query
        assert len(rows) == _count_of(page), query
    assert len(_csv_rows(client.get("/export/personen.csv?q=Thomas Fuchs").data)) == 2  # header and Thomas Fuchs
    assert len(_csv_rows(client.get("/export/personen.csv?q=Leitung").data)) == 3


def test_cooperation_export_lists_what_the_cooperation_list_shows(app, login_as) -> None:
    from tests import factories_coordinator as f

    school = f.actor(app, "Grundschule Olewig")
    kita = f.actor(app, "Kita St. Anna", kind="Kita")
    ihk = f.actor(app, "IHK Trier", kind="Industrie- und Handelskammer")
    f.cooperation(app, school, kita, start=date(2023, 8, 1), topics=["MINT"])
    f.cooperation(app, ihk, school, ctype="Förderung", start=date(2020, 1, 1), end=date(2021, 12, 31))
    f.cooperation(app, kita, ihk, ctype="Informeller Austausch", start=date(2024, 2, 1))
    mint = f.topic_id(app)
    client = login_as(Role.VIEWER)
    for query in (f"thema={mint}", "q=grundschule kita", "status=beendet", "status=laufend",
                  f"akteur={ihk}&art={f.ctype_id(app, 'Förderung')}", ""):
        page = client.get(f"/kooperationen/?{query}").get_data(as_text=True)
        shown = _list_names(page, "cooperation-list", r'href="/kooperationen/\d+">([^<]+)<')
        rows = _csv_rows(client.get(f"/export/kooperationen.csv?{query}").data)[1:]
        assert [r[2] for r in rows] == shown, query
        assert len(rows) == _count_of(page), query
    assert [r[:2] for r in _csv_rows(client.get(f"/export/kooperationen.csv?thema={mint}").data)[1:]] == [
        ["Grundschule Olewig", "Kita St. Anna"]]
    assert len(_csv_rows(client.get("/export/kooperationen.csv?q=grundschule kita").data)) == 2


@pytest.mark.parametrize("url", [
    "/export/kooperationen.csv?akteur=99999999999999999999",
    "/export/kooperationen.csv?art=99999999999999999999",
    "/export/kooperationen.xlsx?thema=-1&status=irgendwann",
    "/export/personen.csv?akteur=99999999999999999999",
    "/export/akteure.csv?gebiet=99999999999999999999&art=x",
    "/export/initiativen.csv?thema=99999999999999999999&art=zirkus",
])
def test_odd_filter_values_never_break_an_export(app, login_as, create_actor, url) -> None:
    """A number beyond 64 bits once raised OverflowError (500): the lists' own parsers ignore it."""
    create_actor("Grundschule Olewig")
    client = login_as(Role.COORDINATOR)
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.data.startswith(b"\xef\xbb\xbf") or response.data.startswith(b"PK")


def test_actor_export_needs_a_constant_number_of_queries(app, login_as) -> None:
    """168 actors with people once took 467 queries (one per actor and person): now a handful."""
    from sqlalchemy import event

    from tests import factories_coordinator as f

    trier = f.area(app, "Stadt Trier")
    for n in range(40):
        actor_id = f.actor(app, f"Schule {n:02d}", area_id=trier, topics=["MINT"], life_stages=["primar"])
        f.person(app, f"Lehrkraft {n}", "Eva", actor_id=actor_id, function="MINT-Koordination")
    client = login_as(Role.COORDINATOR)
    client.get("/export/akteure.csv")  # warm up (user, vocabularies)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            rows = _csv_rows(client.get("/export/akteure.csv").data)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert len(rows) == 41 and rows[1][-1] == "Eva Lehrkraft 0 (MINT-Koordination)"
    assert len(statements) <= 20, len(statements)


# ---------------------------------------------------------------- initiatives

def test_initiative_list_export(app, login_as) -> None:
    from crm.models import InitiativeKind, MembershipRole
    from tests import factories_coordinator as f

    school = f.actor(app, "Grundschule Olewig")
    ihk = f.actor(app, "IHK Trier", kind="Industrie- und Handelskammer")
    mint = f.initiative(app, "MINT-Lernen in Trier", kind=InitiativeKind.PROJECT, short_name="MINT",
                        start_date=date(2022, 1, 1), members=((school, MembershipRole.LEAD),
                                                               (ihk, MembershipRole.FUNDER)))
    f.initiative(app, "Bündnis für Alphabetisierung", start_date=date(2019, 1, 1), end_date=date(2021, 12, 31))
    with app.app_context():
        from crm.models import Initiative

        db.session.get(Initiative, mint).topics = [db.session.scalars(select(Topic).where(Topic.name == "MINT")).one()]
        db.session.commit()
    client = login_as(Role.VIEWER)
    page = client.get("/initiativen/?status=laufend").get_data(as_text=True)
    assert 'href="/export/initiativen.csv?status=laufend"' in page
    assert 'href="/export/initiativen.xlsx?status=laufend"' in page
    rows = _csv_rows(client.get("/export/initiativen.csv?status=laufend").data)
    assert rows[0][:6] == ["Name", "Kurzname", "Art", "Beginn", "Ende", "Status"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert (row["Name"], row["Art"], row["Beginn"], row["Status"], row["Themen"]) == (
        "MINT-Lernen in Trier", "Projekt", "01.01.2022", "laufend", "MINT")
    assert row["Mitglieder"] == "Grundschule Olewig (Leitung) | IHK Trier (Förderer)"
    assert row["Anzahl Mitglieder"] == "2"
    all_rows = _xlsx_rows(client.get("/export/initiativen.xlsx").data)
    assert sorted(r[0] for r in all_rows[1:]) == ["Bündnis für Alphabetisierung", "MINT-Lernen in Trier"]
    ended = _csv_rows(client.get("/export/initiativen.csv?status=beendet").data)
    assert [r[0] for r in ended[1:]] == ["Bündnis für Alphabetisierung"] and ended[1][5] == "beendet"
    assert client.get("/export/initiativen.pdf").status_code == 404
    assert "/export/initiativen.csv" in client.get("/export/").get_data(as_text=True)


# ---------------------------------------------------------------- individual actors are natural persons

def test_viewers_get_no_contact_details_of_individual_actors(app, client, create_user) -> None:
    """A volunteer is an actor in their own right and a natural person: their street, e-mail and phone
    (and notes) are personal data. Organisations' details stay visible to everyone."""
    from tests import factories_coordinator as f

    volunteer = f.actor(app, "Renate Ehrlich", kind="Ehrenamtliche Person", street="Am Weiher 3",
                        postcode="54295", city="Trier", email="renate@privat.example", phone="0651 555",
                        notes="Nur vormittags erreichbar")
    f.actor(app, "Grundschule Olewig", street="Olewiger Straße 1", email="gs@schule.example", phone="0651 1",
            notes="Schulfest im Juni")
    secrets = ("Am Weiher", "renate@privat.example", "0651 555", "Nur vormittags")

    client.login(create_user(Role.VIEWER).email)
    page = client.get(f"/akteure/{volunteer}").get_data(as_text=True)
    assert "Renate Ehrlich" in page and "54295 Trier" in page and 'data-testid="contact-hidden"' in page
    assert not any(s in page for s in secrets)
    school_page = client.get("/akteure/2").get_data(as_text=True)
    assert "gs@schule.example" in school_page and "Olewiger Straße 1" in school_page
    assert "Schulfest im Juni" not in school_page  # internal notes: only with VIEW_PERSONAL_DATA
    csv_text = client.get("/export/akteure.csv").data.decode("utf-8-sig")
    assert not any(s in csv_text for s in secrets) and "gs@schule.example" in csv_text
    table = _csv_rows(client.get("/export/akteure.csv").data)
    rows = {r[0]: dict(zip(table[0], r)) for r in table[1:]}
    assert (rows["Renate Ehrlich"]["Straße"], rows["Renate Ehrlich"]["E-Mail"], rows["Renate Ehrlich"]["PLZ"]) == (
        "", "", "54295")
    assert "renate@privat.example" not in str(_xlsx_rows(client.get("/export/akteure.xlsx").data))
    for fmt in ("json", "xlsx", "zip"):
        data = client.get(f"/export/kumu.{fmt}").data
        if fmt == "json":
            text = data.decode("utf-8")
        elif fmt == "xlsx":
            text = str(_xlsx_rows(data, "Elements"))
        else:
            text = zipfile.ZipFile(io.BytesIO(data)).read("elements.csv").decode("utf-8-sig")
        assert "Renate Ehrlich" in text and "gs@schule.example" in text, fmt
        assert not any(s in text for s in secrets), fmt
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "export")) is None
    client.post_form("/abmelden")

    client.login(create_user(Role.COORDINATOR).email)
    page = client.get(f"/akteure/{volunteer}").get_data(as_text=True)
    assert all(s in page for s in secrets) and 'data-testid="contact-hidden"' not in page
    assert "renate@privat.example" in client.get("/export/akteure.csv").data.decode("utf-8-sig")
    assert "renate@privat.example" in client.get("/export/kumu.json").data.decode("utf-8")
    with app.app_context():
        summaries = [e.summary for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export"))]
    assert any("Kumu-Export" in s and "1 Einzelpersonen" in s for s in summaries), summaries
