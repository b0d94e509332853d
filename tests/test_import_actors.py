"""Importing actors through the pages: real geoportal files, re-import, and broken files."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
from sqlalchemy import select

from crm.extensions import db
from crm.models import Actor, AuditEntry, ImportBatch, Role
from tests.factories_imports import (
    CIVICRM_ORGANISATIONS,
    RLP,
    SAARLAND,
    commit,
    counts,
    dry_run,
    ensure_area,
    ensure_kind,
    ensure_topic,
    form_selects,
    map_columns,
    preview,
    start,
    text_of,
    upload,
)


def _actor(app, **where) -> Actor | None:
    with app.app_context():
        query = select(Actor)
        for key, value in where.items():
            query = query.where(getattr(Actor, key) == value)
        actor = db.session.scalars(query).first()
        if actor is not None:
            _ = (actor.kind.name, actor.area and actor.area.full_name, list(actor.topics), list(actor.life_stages))
            db.session.expunge(actor)
        return actor


def test_rlp_geoportal_file_preview_dry_run_import_and_reimport(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    before = counts(app)
    token = start(client, "actors", RLP)

    page = client.get(f"/import/{token}/zuordnung").get_data(as_text=True)
    selects = form_selects(page)
    # identifikator, name, strasse, plz, schulort, telefon, mail, schulart are recognised
    assert sorted(v for k, v in selects.items() if v and k.startswith("s0_")) == sorted(
        ["external_ref", "name", "street", "postcode", "city", "phone", "email", "kind", "latitude", "longitude"])
    assert "GeoJSON" in page
    assert map_columns(client, token).status_code == 302

    status, page = preview(client, token)
    assert status == 200
    assert "Keine Probleme gefunden. Voraussichtlich: 1 neu, 0 aktualisiert, 0 unverändert." in text_of(page)
    assert counts(app) == before  # the preview writes nothing

    status, page = dry_run(client, token)
    assert status == 200
    assert "Probelauf erfolgreich: 1 neu, 0 aktualisiert, 0 unverändert." in text_of(page)
    assert counts(app) == before  # rolled back

    status, page = commit(client, token)
    assert status == 200
    assert "1 neu, 0 aktualisiert, 0 unverändert" in text_of(page)
    actor = _actor(app, external_ref="10148")
    assert actor is not None
    assert actor.name == "Grundschule Mainz-Lerchenberg"
    assert actor.kind.name == "Grundschule"  # school-type code GS
    assert (actor.street, actor.postcode, actor.city) == ("Hindemithstr. 1", "55127", "Mainz")
    assert actor.email == "schule.gs-lerchenberg@stadt.mainz.de" and actor.phone == "(06131)364660"
    assert (actor.latitude, actor.longitude) == (Decimal("49.959990"), Decimal("8.195530"))
    with app.app_context():
        record = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import")).one()
        assert "rlp_geoportal_schulstandorte_fixture.geojson" in record.summary
        assert record.changes["created"] == 1 and record.changes["filename"].endswith(".geojson")
        assert record.actor_label.startswith("coordinator")
        created = db.session.scalars(select(AuditEntry).where(
            AuditEntry.entity_type == "Actor", AuditEntry.entity_id == actor.id)).one()
        assert created.action == "create" and created.user_id == record.user_id

    after_first = counts(app)
    token = start(client, "actors", RLP)
    map_columns(client, token)
    status, page = commit(client, token)
    assert "0 neu, 0 aktualisiert, 1 unverändert" in text_of(page)
    # Nothing changed; the only new audit entry is the record of the import itself.
    assert counts(app) == {**after_first, "AuditEntry": after_first["AuditEntry"] + 1}
    assert _actor(app, external_ref="10148").version_id == actor.version_id


def test_saarland_file_import_and_reimport_by_name(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    ensure_kind(app, "Hochschule", "Hochschule")
    token = start(client, "actors", SAARLAND)
    selects = form_selects(client.get(f"/import/{token}/zuordnung").get_data(as_text=True))
    # Bezeichnung, Straße, PLZ, Ort, Schulform, Email, Homepage (and the point geometry)
    assert sorted(v for k, v in selects.items() if v and k.startswith("s0_")) == sorted(
        ["name", "street", "postcode", "city", "phone", "kind", "email", "website", "latitude", "longitude"])
    map_columns(client, token)
    status, page = commit(client, token)
    assert status == 200 and "1 neu" in text_of(page)
    actor = _actor(app, name="Deutsch-Französiche Hochschule, Université franco-allemande")
    assert actor.kind.name == "Hochschule"
    assert actor.postcode == "66123"  # a number in the file
    assert (actor.street, actor.city) == ("Kohlweg 7", "Saarbrücken")
    assert actor.website == "https://www.dfh-ufa.org/" and actor.email == "info@dfh-ufa.org"
    assert actor.latitude == Decimal("49.240675") and actor.external_ref is None

    # No reference in this file: the re-import recognises the school by its name.
    token = start(client, "actors", SAARLAND)
    map_columns(client, token)
    _, page = commit(client, token)
    assert "0 neu, 0 aktualisiert, 1 unverändert" in text_of(page)


def test_unknown_kind_is_mapped_on_the_mapping_page_and_remembered(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    university = ensure_kind(app, "Universität", "Hochschule")
    data = SAARLAND.read_bytes().replace(b'"Schulform": "Hochschule"', b'"Schulform": "Uni (staatlich)"')
    token = start(client, "actors", ("saarland.geojson", data))
    map_columns(client, token)
    status, page = preview(client, token)
    text = text_of(page)
    # The first feature of a GeoJSON file is "Objekt 1" (there are no rows to count).
    assert "1 Schulform Unbekannte Art „Uni (staatlich)“. Bekannte Arten:" in text
    assert "Grundschule" in text and "Universität" in text and "Schulart-Kürzel: GS = Grundschule" in text
    assert "Jetzt importieren" in page and "disabled" in page

    assert map_columns(client, token, values={"Uni (staatlich)": str(university)}).status_code == 302
    status, page = commit(client, token)
    assert status == 200 and "1 neu" in text_of(page)
    assert _actor(app, city="Saarbrücken").kind.name == "Universität"

    # The next upload of such a list offers the same choice again.
    token = start(client, "actors", ("saarland.geojson", data))
    page = client.get(f"/import/{token}/zuordnung").get_data(as_text=True)
    assert form_selects(page)["value_0"] == str(university)
    map_columns(client, token)
    assert "0 neu, 0 aktualisiert, 1 unverändert" in text_of(commit(client, token)[1])


RLP_CSV_HEADER = "identifikator;name;strasse;plz;schulort;telefon;mail;schulart\n"


def test_cp1252_semicolon_csv_with_school_codes_and_an_unknown_code(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    for name in ("Realschule plus", "Integrierte Gesamtschule", "Gymnasium", "Förderschule", "Berufsbildende Schule"):
        ensure_kind(app, name)
    rows = [
        "51234;Realschule plus Trier-Süd;Kürenzer Straße 12;54295;Trier;0651 1;rs@example.org;RS+",
        "51235;IGS Trier;Ehranger Straße 5;54293;Trier;;;IGS",
        "51236;Max-Planck-Gymnasium;Sichelstraße 3;54290;Trier;;;GY",
        "51237;Förderschule am Mäusheckerweg;;54293;Trier;;;FöS",
        "51238;BBS Wirtschaft;;54290;Trier;;;BBS",
        "51239;Sonderfall;;54290;Trier;;;XY",
    ]
    data = (RLP_CSV_HEADER + "\n".join(rows) + "\n").encode("cp1252")
    token = start(client, "actors", ("schulen.csv", data))
    map_columns(client, token)
    before = counts(app)
    status, page = preview(client, token)
    text = text_of(page)
    assert "Zeichenkodierung: Windows-1252" in text and "Trennzeichen: Semikolon" in text
    assert "1 Problem gefunden." in text
    assert "Zeile 7" not in text or "Unbekannte Art „XY“" in text
    assert "7 schulart (H) Unbekannte Art „XY“. Bekannte Arten:" in text
    assert "Schulart-Kürzel: GS = Grundschule, RS+ = Realschule plus" in text
    # The rows with umlauts were read correctly.
    assert "Realschule plus Trier-Süd" in text and "Förderschule am Mäusheckerweg" in text
    status, page = commit(client, token)
    assert status == 422 and "Nicht importiert." in text_of(page)
    assert counts(app) == before

    fixed = data.replace(b";XY\n", b";GS\n")
    token = start(client, "actors", ("schulen.csv", fixed))
    map_columns(client, token)
    status, page = commit(client, token)
    assert status == 200 and "6 neu" in text_of(page)
    assert _actor(app, external_ref="51234").kind.name == "Realschule plus"
    assert _actor(app, external_ref="51234").street == "Kürenzer Straße 12"
    assert _actor(app, external_ref="51235").kind.name == "Integrierte Gesamtschule"
    assert _actor(app, external_ref="51237").kind.name == "Förderschule"
    assert _actor(app, external_ref="51238").kind.name == "Berufsbildende Schule"


def test_code_for_a_kind_that_does_not_exist_says_so(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    data = (RLP_CSV_HEADER + "1;Freie Waldorfschule Trier;;;Trier;;;FWS\n").encode()
    token = start(client, "actors", ("rlp.csv", data))
    map_columns(client, token)
    _, page = preview(client, token)
    assert ("„FWS“ ist das Schulart-Kürzel für „Freie Waldorfschule“, diese Akteursart gibt es aber noch nicht"
            in text_of(page))


def test_utf8_bom_and_comma_and_xlsx_are_read(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    data = "\ufeffName,Art,Straße,PLZ,Ort\nKita Sonnenschein,Kita,Im Grünen 1,54292,Trier\n".encode()
    token = start(client, "actors", ("kitas.csv", data))
    map_columns(client, token)
    _, page = preview(client, token)
    assert "Zeichenkodierung: UTF-8 mit BOM, Trennzeichen: Komma." in text_of(page)
    assert commit(client, token)[0] == 200
    assert _actor(app, name="Kita Sonnenschein").street == "Im Grünen 1"

    # Excel's „Unicode-Text“: UTF-16 with tabs.
    data = "Name\tArt\tOrt\r\nKita Kürenz\tKita\tTrier\r\n".encode("utf-16")
    token = start(client, "actors", ("kitas.txt", data))
    map_columns(client, token)
    _, page = preview(client, token)
    assert "Zeichenkodierung: UTF-16, Trennzeichen: Tabulator." in text_of(page)
    assert commit(client, token)[0] == 200 and _actor(app, name="Kita Kürenz") is not None

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Bezeichnung", "Schulform", "PLZ", "Ort", "Breitengrad", "Längengrad", "Kennung"])
    sheet.append(["Grundschule Ehrang", "Grundschule", 54293, "Trier", 49.8, 6.68, 7001])
    sheet.append([None, None, None, None, None, None, None])
    sheet.append(["Grundschule Dresden-Nord", "GS", 1067, "Dresden", None, None, 7002])
    buffer = io.BytesIO()
    workbook.save(buffer)
    token = start(client, "actors", ("schulen.xlsx", buffer.getvalue()))
    map_columns(client, token)
    status, page = commit(client, token)
    assert status == 200 and "2 neu" in text_of(page)
    ehrang = _actor(app, external_ref="7001")
    assert (ehrang.postcode, ehrang.latitude) == ("54293", Decimal("49.800000"))
    assert _actor(app, external_ref="7002").postcode == "01067"  # Excel had dropped the leading zero


def test_garbage_old_excel_and_empty_files_get_a_german_error(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    before = counts(app)
    garbage = bytes(range(256)) * 40
    response = upload(client, "actors", ("liste.csv", garbage))
    assert response.status_code == 422
    assert "Die Datei lässt sich nicht lesen" in text_of(response.get_data(as_text=True))
    response = upload(client, "actors", ("liste.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600))
    assert response.status_code == 422
    assert "alten Excel-Format (.xls)" in text_of(response.get_data(as_text=True))
    response = upload(client, "actors", ("leer.csv", b""))
    assert response.status_code == 422 and "Die Datei ist leer." in text_of(response.get_data(as_text=True))
    response = upload(client, "actors", ("kaputt.xlsx", b"PK\x03\x04" + b"\x00" * 100))
    assert response.status_code == 422
    response = upload(client, "actors")
    assert response.status_code == 422
    assert "Bitte wählen Sie eine Datei aus." in text_of(response.get_data(as_text=True))
    response = upload(client, "actors", RLP, SAARLAND)
    assert response.status_code == 422
    assert "nur für Kumu sind zwei CSV-Dateien" in text_of(response.get_data(as_text=True))
    response = upload(client, "kumu", RLP, SAARLAND)
    assert response.status_code == 422
    assert "Mehrere Dateien zusammen müssen CSV-Dateien sein" in text_of(response.get_data(as_text=True))
    assert counts(app) == before
    with app.app_context():
        assert db.session.scalars(select(ImportBatch)).all() == []


def test_missing_required_column_is_reported_and_nothing_is_imported(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    data = b"Schule;Art;Ort\nGrundschule Olewig;Grundschule;Trier\n"
    token = start(client, "actors", ("ohne-name.csv", data))
    page = client.get(f"/import/{token}/zuordnung").get_data(as_text=True)
    assert "Die Pflichtspalte „Name“ fehlt" in text_of(page)
    map_columns(client, token)
    before = counts(app)
    status, page = preview(client, token)
    assert "Die Pflichtspalte „Name“ fehlt: keine Spalte ist ihr zugeordnet." in text_of(page)
    assert commit(client, token)[0] == 422
    assert dry_run(client, token)[0] == 422
    assert counts(app) == before
    # The user corrects the mapping: „Schule“ is the name.
    assert map_columns(client, token, {"Schule": "name"}).status_code == 302
    status, page = commit(client, token)
    assert status == 200 and _actor(app, name="Grundschule Olewig") is not None


def test_a_field_mapped_twice_is_refused_on_the_mapping_page(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    token = start(client, "actors", ("a.csv", b"Name;Art;Ort\nA;Kita;Trier\n"))
    response = map_columns(client, token, {"Ort": "name"})
    assert response.status_code == 422
    assert "„Name“ ist schon der Spalte „Name (A)“ zugeordnet." in text_of(response.get_data(as_text=True))


def test_bad_cells_are_reported_by_row_and_column(app, login_as, create_actor) -> None:
    client = login_as(Role.COORDINATOR)
    data = (b"Name;Art;PLZ;E-Mail;Breitengrad;Homepage;Aktiv\n"
            b"Kita A;Kita;5429;kita@example.org;49,7;www.kita-a.de;ja\n"
            b"Kita B;Kita;542 95;keine-adresse;91;;vielleicht\n"
            b";Kita;;;;;\n")
    token = start(client, "actors", ("kitas.csv", data))
    map_columns(client, token)
    before = counts(app)
    _, page = preview(client, token)
    text = text_of(page)
    assert "3 PLZ (C) „542 95“ ist keine PLZ (fünf Ziffern)." not in text  # spaces inside are tolerated
    assert "3 E-Mail (D) „keine-adresse“ ist keine gültige E-Mail-Adresse." in text
    assert "3 Breitengrad (E) Der Breitengrad „91“ liegt nicht zwischen -90 und 90." in text
    assert "3 Aktiv (G) „vielleicht“ ist weder ja noch nein." in text
    assert "4 Name (A) „Name“ fehlt; das ist eine Pflichtangabe." in text
    assert "3 Probleme gefunden." in text or "4 Probleme gefunden." in text
    assert commit(client, token)[0] == 422
    assert counts(app) == before


def test_duplicate_rows_in_one_file_are_reported_with_both_rows(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    data = (b"Kennung;Name;Art\n"
            b"100;Grundschule Olewig;Grundschule\n"
            b"101;Kita St. Anna;Kita\n"
            b"100;GS Olewig;Grundschule\n"
            b";Kita Regenbogen;Kita\n"
            b";KITA  Regenbogen;Kita\n")
    token = start(client, "actors", ("doppelt.csv", data))
    map_columns(client, token)
    before = counts(app)
    _, page = preview(client, token)
    text = text_of(page)
    assert "4 Kennung (A) Die Kennung „100“ steht schon in Zeile 2" in text
    assert "6 Name (B) Zeile 6 beschreibt denselben Akteur wie Zeile 5 („KITA Regenbogen“)." in text
    assert commit(client, token)[0] == 422
    assert counts(app) == before


def test_civicrm_organisations_get_a_sensible_report(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    token = start(client, "actors", CIVICRM_ORGANISATIONS)
    selects = form_selects(client.get(f"/import/{token}/zuordnung").get_data(as_text=True))
    assert {"name", "email"} <= set(selects.values())  # organization_name, email
    map_columns(client, token)
    _, page = preview(client, token)
    assert "Die Pflichtspalte „Art“ fehlt" in text_of(page) and "Standard-Art" in text_of(page)
    kind = ensure_kind(app, "Verein", "Zivilgesellschaft")
    map_columns(client, token, default_kind=str(kind))
    before = counts(app)
    _, page = preview(client, token)
    text = text_of(page)
    assert "4 organization_name (A) Zeile 4 beschreibt denselben Akteur wie Zeile 2 („BobCo“)." in text
    assert "1 Problem gefunden." in text
    assert commit(client, token)[0] == 422
    assert counts(app) == before


def test_changed_values_are_updated_and_named(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    ensure_area(app, "Olewig", parent="Stadt Trier")
    ensure_topic(app, "Digitale Bildung")
    first = (b"Kennung;Name;Art;Gebiet;Themen;Bildungsphasen;Ort\n"
             b"300;Grundschule Olewig;Grundschule;Olewig;MINT | Digitale Bildung;Primarstufe;Trier\n")
    token = start(client, "actors", ("a.csv", first))
    map_columns(client, token)
    assert commit(client, token)[0] == 200
    actor = _actor(app, external_ref="300")
    assert actor.area.full_name == "Stadt Trier › Olewig"
    assert sorted(t.name for t in actor.topics) == ["Digitale Bildung", "MINT"]
    assert [s.name for s in actor.life_stages] == ["Primarstufe"]

    second = first.replace(b";Trier\n", b";Trier-Olewig\n").replace(b"MINT | Digitale Bildung",
                                                                    b'"MINT; Digitale Bildung"')
    token = start(client, "actors", ("a.csv", second))
    map_columns(client, token)
    _, page = preview(client, token)
    text = text_of(page)
    assert "0 neu, 1 aktualisiert, 0 unverändert" in text
    assert "2 aktualisiert Grundschule Olewig Ort" in text  # only the city changed
    commit(client, token)
    assert _actor(app, external_ref="300").city == "Trier-Olewig"


def test_a_row_wider_than_the_header_is_a_problem(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    data = b"Name;Art;Themen\nKita A;Kita;MINT; Digitale Bildung\n"
    token = start(client, "actors", ("a.csv", data))
    map_columns(client, token)
    _, page = preview(client, token)
    assert "2 – Die Zeile hat 1 Wert(e) mehr, als die Kopfzeile Spalten hat." in text_of(page)


def test_unknown_topic_and_area_are_problems_and_can_be_left_out(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    data = b"Name;Art;Gebiet;Themen\nKita A;Kita;Atlantis;MINT|Quantenfolklore\n"
    token = start(client, "actors", ("a.csv", data))
    map_columns(client, token)
    _, page = preview(client, token)
    text = text_of(page)
    assert "2 Gebiet (C) Unbekanntes Gebiet „Atlantis“." in text
    assert "2 Themen (D) Unbekanntes Thema „Quantenfolklore“." in text
    assert map_columns(client, token, values={"Atlantis": "-", "Quantenfolklore": "-"}).status_code == 302
    status, page = commit(client, token)
    assert status == 200
    actor = _actor(app, name="Kita A")
    assert actor.area is None and [t.name for t in actor.topics] == ["MINT"]


def test_double_submit_imports_once(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    token = start(client, "actors", RLP)
    map_columns(client, token)
    assert commit(client, token)[0] == 200
    status, page = commit(client, token)
    assert status == 200 and "bereits ausgeführt" in text_of(page)
    with app.app_context():
        assert len(db.session.scalars(select(Actor)).all()) == 1
        assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import")).all()) == 1


def test_only_coordinators_import_and_only_their_own_batches(app, create_user) -> None:
    from tests.conftest import Client

    app.test_client_class = Client

    def client_for(role):
        client = app.test_client()
        client.login(create_user(role).email)
        return client

    for role in (Role.VIEWER, Role.ORGANISER):
        client = client_for(role)
        assert client.get("/import/").status_code == 403
        assert upload(client, "actors", RLP).status_code == 403
    owner, other = client_for(Role.COORDINATOR), client_for(Role.COORDINATOR)
    token = start(owner, "actors", RLP)
    assert "Ihre letzten Importe" in owner.get("/import/").get_data(as_text=True)
    assert other.get(f"/import/{token}/vorschau").status_code == 404
    assert other.post_form(f"/import/{token}/ausfuehren").status_code == 404
    assert owner.post_form(f"/import/{token}/verwerfen").status_code == 302
    assert owner.get(f"/import/{token}/vorschau").status_code == 404



def test_title_rows_above_the_header_and_excel_sep_hint(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    data = ("sep=;\r\nSchulliste des Landkreises, Stand 2024\r\n\r\n"
            "Name;Art;Ort\r\nGrundschule Konz;GS;Konz\r\nKita Wiltingen;Kita;\r\n").encode("cp1252")
    token = start(client, "actors", ("liste.csv", data))
    map_columns(client, token)
    _, page = preview(client, token)
    text = text_of(page)
    assert "Trennzeichen: Semikolon" in text
    assert "5 neu Grundschule Konz" in text and "6 neu Kita Wiltingen" in text  # row numbers as in the file



def test_geojson_problems_name_the_object_not_a_row(app) -> None:
    """A GeoJSON file has features, not rows: the first one is „Objekt 1“ (it once said „Zeile 2“)."""
    import json

    from crm.models import ImportTarget
    from crm.services.imports import engine
    from crm.services.imports.mapping import auto_mapping
    from crm.services.imports.readers import read_file

    document = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"Bezeichnung": "Grundschule Nord", "Schulform": "Grundschule"},
         "geometry": {"type": "Point", "coordinates": [6.6, 49.7]}},
        {"type": "Feature", "properties": {"Bezeichnung": "Zirkusschule", "Schulform": "Zirkus"},
         "geometry": None},
    ]}
    data = json.dumps(document).encode()
    parsed = read_file(data, "schulen.geojson")
    mapping = {str(c): k for c, k in auto_mapping(parsed.sheets[0].columns, "actors").items()}
    batch = ImportBatch(token="t", target=ImportTarget.ACTORS, filename="schulen.geojson", content=data,
                        mapping={"0": mapping}, options={})
    with app.app_context():
        report = engine.run(db.session, batch, write=False)
    assert [p.place for p in report.problems] == ["Objekt 2"]
    assert report.problems[0].text().startswith("Objekt 2, Spalte „Schulform“: Unbekannte Art „Zirkus“")
    assert [o.line for o in report.outcomes] == [1]


def test_active_from_and_until_with_german_or_english_headers(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    ensure_kind(app, "Kita", "Kita")
    german = ("Name;Art;Aktiv;Tätig seit;Tätig bis\n"
              "Kita Nord;Kita;nein;01.08.1998;31.07.2024\n"
              "Kita Süd;Kita;ja;2001-09-01;\n").encode()
    token = start(client, "actors", ("kitas.csv", german))
    assert map_columns(client, token).status_code == 302
    status, page = commit(client, token)
    assert status == 200 and "2 neu" in text_of(page)
    north = _actor(app, name="Kita Nord")
    assert (north.is_active, north.active_from, north.active_until) == (False, date(1998, 8, 1), date(2024, 7, 31))
    assert _actor(app, name="Kita Süd").active_from == date(2001, 9, 1)

    english = b"name,kind,active_from,active_until\nKita Nord,Kita,1998-08-01,2024-07-31\n"
    token = start(client, "actors", ("kitas-en.csv", english))
    map_columns(client, token)
    assert "0 neu, 0 aktualisiert, 1 unverändert" in text_of(commit(client, token)[1])

    # Until before from: a clear problem, nothing imported.
    broken = "Name;Art;Tätig seit;Tätig bis\nKita West;Kita;01.08.2020;31.07.2019\n".encode()
    token = start(client, "actors", ("kaputt.csv", broken))
    map_columns(client, token)
    status, page = preview(client, token)
    # The actor service's words, as on the form and in the API (one rule, every door).
    assert "2 Tätig bis (D) „Tätig bis“ darf nicht vor „Tätig seit“ liegen." in text_of(page)
    assert _actor(app, name="Kita West") is None

    # Switched off by a list without "Tätig bis": closed today, as in the form; re-importing changes nothing.
    off = "Name;Art;Aktiv\nKita Süd;Kita;nein\n".encode()
    for expected in ("0 neu, 1 aktualisiert", "0 neu, 0 aktualisiert, 1 unverändert"):
        token = start(client, "actors", ("aus.csv", off))
        map_columns(client, token)
        assert expected in text_of(commit(client, token)[1])
        south = _actor(app, name="Kita Süd")
        assert (south.is_active, south.active_until) == (False, date.today())


def test_actor_export_with_active_period_goes_back_in_unchanged(app, login_as) -> None:
    from datetime import date as day

    from tests import factories_coordinator as f

    f.actor(app, "Kita Nord", kind="Kita", is_active=False, active_from=day(1998, 8, 1), active_until=day(2024, 7, 31))
    client = login_as(Role.COORDINATOR)
    data = client.get("/export/akteure.csv").data
    assert "01.08.1998;31.07.2024" in data.decode("utf-8-sig")
    token = start(client, "actors", ("akteure.csv", data))
    map_columns(client, token)
    assert "0 neu, 0 aktualisiert, 1 unverändert" in text_of(commit(client, token)[1])
