"""Importing persons with their affiliations, and the CiviCRM contact file."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import Person, Role
from tests.factories_imports import (
    CIVICRM_INDIVIDUALS,
    commit,
    counts,
    form_selects,
    map_columns,
    preview,
    start,
    text_of,
)

HEADER = "Anrede;Vorname;Nachname;E-Mail;Telefon;Funktion;Akteur;Seit\n"


def _persons(app) -> dict[str, Person]:
    with app.app_context():
        persons = db.session.scalars(select(Person).options(selectinload(Person.affiliations))).all()
        result = {}
        for person in persons:
            _ = [(a.actor.name, a.function) for a in person.affiliations]
            db.session.expunge(person)
            result[person.last_name] = person
        return result


def test_persons_with_affiliations_import_and_reimport(app, login_as, create_actor) -> None:
    client = login_as(Role.COORDINATOR)
    create_actor("Grundschule Olewig", external_ref="GS-OL")
    create_actor("Kita St. Anna")
    data = (HEADER
            + "Frau;Petra;Schäfer;p.schaefer@gs-olewig.example;0651 123;Schulleitung;GS-OL;01.08.2019\n"
            + "Herr;Jonas;Weber;;;MINT-Koordination;Kita St. Anna;\n"
            + ";Anna;Klein;anna.klein@example.org;;;;\n").encode("cp1252")
    token = start(client, "persons", ("personen.csv", data))
    selects = form_selects(client.get(f"/import/{token}/zuordnung").get_data(as_text=True))
    assert {"salutation", "first_name", "last_name", "email", "phone", "function", "actor", "from_date"} <= set(
        selects.values())
    map_columns(client, token)
    status, page = commit(client, token)
    assert status == 200 and "3 neu, 0 aktualisiert, 0 unverändert" in text_of(page)
    persons = _persons(app)
    schaefer = persons["Schäfer"]
    assert (schaefer.salutation, schaefer.first_name, schaefer.email) == (
        "Frau", "Petra", "p.schaefer@gs-olewig.example")
    assert [(a.actor.name, a.function, a.from_date) for a in schaefer.affiliations] == [
        ("Grundschule Olewig", "Schulleitung", date(2019, 8, 1))]
    assert [(a.actor.name, a.function) for a in persons["Weber"].affiliations] == [
        ("Kita St. Anna", "MINT-Koordination")]
    assert persons["Klein"].affiliations == []

    token = start(client, "persons", ("personen.csv", data))
    map_columns(client, token)
    _, page = commit(client, token)
    assert "0 neu, 0 aktualisiert, 3 unverändert" in text_of(page)

    # A new function is an update of the affiliation, not a second person.
    changed = data.replace(b"MINT-Koordination", b"Leitung")
    token = start(client, "persons", ("personen.csv", changed))
    map_columns(client, token)
    _, page = preview(client, token)
    assert "0 neu, 1 aktualisiert, 2 unverändert" in text_of(page)
    assert "3 aktualisiert Jonas Weber Funktion" in text_of(page)


def test_person_rows_with_unknown_actor_bad_email_and_duplicates(app, login_as, create_actor) -> None:
    client = login_as(Role.COORDINATOR)
    create_actor("Grundschule Olewig")
    data = (HEADER
            + ";Petra;Schäfer;p.schaefer@example.org;0651 1;Schulleitung;Grundschule Olewig;\n"
            + ";Jonas;Weber;;;Leitung;Kita Regenbogen;\n"
            + ";Anna;Klein;anna(at)example.org;;;;\n"
            + ";Petra;Schäfer;P.Schaefer@example.org;;Schulleitung;Grundschule Olewig;\n"
            + ";Max;;;;;;\n"
            + ";Petra;Schäfer;p.schaefer@example.org;0170 1;;;\n").encode()
    token = start(client, "persons", ("personen.csv", data))
    map_columns(client, token)
    before = counts(app)
    _, page = preview(client, token)
    text = text_of(page)
    assert "3 Akteur (G) Unbekannter Akteur „Kita Regenbogen“" in text
    assert "4 E-Mail (D) „anna(at)example.org“ ist keine gültige E-Mail-Adresse." in text
    assert ("5 Nachname (C) Zeile 5 beschreibt dieselbe Person in derselben Funktion beim selben Akteur wie "
            "Zeile 2.") in text
    assert "7 Nachname (C) Zeile 7 nennt dieselbe Person wie Zeile 2, aber mit anderen Angaben (Telefon)." in text
    assert "6 Nachname (C) „Nachname“ fehlt; das ist eine Pflichtangabe." in text
    assert commit(client, token)[0] == 422
    assert counts(app) == before


def test_civicrm_individuals_file(app, login_as) -> None:
    """A real CRM export: 44 columns, two named „Last Name“ (the second is the mother's)."""
    client = login_as(Role.COORDINATOR)
    token = start(client, "persons", CIVICRM_INDIVIDUALS)
    page = client.get(f"/import/{token}/zuordnung").get_data(as_text=True)
    selects = form_selects(page)
    assert selects["s0_c1"] == "last_name" and selects["s0_c15"] == ""  # Last Name (B) vs. Last Name (P)
    map_columns(client, token)
    _, page = preview(client, token)
    assert "1 neu, 0 aktualisiert, 0 unverändert" in text_of(page)
    status, page = commit(client, token)
    assert status == 200
    susie = _persons(app)["Jones"]
    assert (susie.first_name, susie.email, susie.phone) == ("Susie", "susie@example.com", "999-4445")


def test_a_person_with_two_affiliations_in_two_rows(app, login_as, create_actor) -> None:
    client = login_as(Role.COORDINATOR)
    create_actor("Grundschule Olewig")
    create_actor("Kita St. Anna")
    data = (HEADER
            + ";Petra;Schäfer;p.schaefer@example.org;;Schulleitung;Grundschule Olewig;01.08.2019\n"
            + ";Petra;Schäfer;p.schaefer@example.org;;Elternbeirat;Kita St. Anna;\n").encode()
    token = start(client, "persons", ("personen.csv", data))
    map_columns(client, token)
    status, page = commit(client, token)
    assert status == 200 and "2 neu, 0 aktualisiert, 0 unverändert" in text_of(page)
    schaefer = _persons(app)["Schäfer"]
    assert sorted((a.actor.name, a.function) for a in schaefer.affiliations) == [
        ("Grundschule Olewig", "Schulleitung"), ("Kita St. Anna", "Elternbeirat")]
    # The export writes one row per affiliation, with the actors' IDs; it goes back in unchanged.
    export = client.get("/export/personen.csv").data
    assert b"Akteur-ID" in export
    token = start(client, "persons", ("personen.csv", export))
    map_columns(client, token)
    assert "0 neu, 0 aktualisiert, 2 unverändert" in text_of(commit(client, token)[1])


def test_an_actor_id_from_another_installation_is_caught(app, login_as, create_actor) -> None:
    client = login_as(Role.COORDINATOR)
    olewig = create_actor("Grundschule Olewig")
    data = ("Vorname;Nachname;Akteur;Akteur-ID\n"
            f"Petra;Schäfer;Kita Regenbogen;akteur-{olewig}\n"
            "Jonas;Weber;Kita Regenbogen;akteur-999999\n").encode()
    token = start(client, "persons", ("personen.csv", data))
    map_columns(client, token)
    _, page = preview(client, token)
    text = text_of(page)
    assert (f"2 Akteur-ID (D) „akteur-{olewig}“ ist „Grundschule Olewig“, in der Spalte „Akteur“ steht aber "
            "„Kita Regenbogen“.") in text
    assert "3 Akteur-ID (D) Unbekannte Akteur-ID „akteur-999999“" in text
