"""German sort order (DIN 5007-1: ä = a, ö = o, ü = u, ß = ss) in lists and exports, on SQLite
(a collation registered per connection) and PostgreSQL (the ICU collation the migration creates)."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select, text

from crm.collation import german, sort_key
from crm.extensions import db
from crm.models import Actor, Role
from tests import factories_coordinator as f

NAMES = ["Zahnarztpraxis Ost", "Brauerei Mosel", "Öko-Institut", "Bäckerei Jakobs", "Apotheke am Markt",
         "Ärztehaus Süd", "Obstbau Kordel", "ärztliche Beratung", "Straßenschule", "Strasbourg-Kontakt"]
# What a German reader expects: umlauts among their base letters, ß as ss, case only between equal words.
EXPECTED = ["Apotheke am Markt", "Ärztehaus Süd", "ärztliche Beratung", "Bäckerei Jakobs", "Brauerei Mosel",
            "Obstbau Kordel", "Öko-Institut", "Strasbourg-Kontakt", "Straßenschule", "Zahnarztpraxis Ost"]


def _csv_names(data: bytes) -> list[str]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    return [row[0] for row in rows[1:]]


def test_sort_key_follows_din_5007_1() -> None:
    assert sorted(NAMES, key=sort_key) == EXPECTED
    assert sort_key("Straße")[0] == sort_key("Strasse")[0] == "strasse"
    assert sorted(["Muller", "Müller", "Mueller"], key=sort_key) == ["Mueller", "Muller", "Müller"]
    assert sorted(["Bar", "bar"], key=sort_key) == ["bar", "Bar"]  # lower case first, as ICU does


def test_database_orders_names_like_a_german_reader(app) -> None:
    for name in NAMES:
        f.actor(app, name)
    with app.app_context():
        ordered = list(db.session.scalars(select(Actor.name).order_by(german(Actor.name), Actor.id)))
        if db.engine.dialect.name == "postgresql":  # the migration made it, from ICU's "de" here
            provider = db.session.scalar(text("SELECT collprovider FROM pg_collation WHERE collname = 'german'"))
            assert provider == "i"
    assert ordered == EXPECTED


def test_directory_export_and_person_list_in_german_order(app, login_as) -> None:
    for name in NAMES:
        f.actor(app, name)
    school = f.actor(app, "Grundschule Olewig")
    for last, first in [("Özdemir", "Ayşe"), ("Oberle", "Jonas"), ("Zimmer", "Eva"), ("Müller", "Anna"),
                        ("Mayer", "Bernd"), ("Ernst", "Ülkü")]:
        f.person(app, last, first, email=f"{first.lower()}@example.org", actor_id=school)
    client = login_as(Role.COORDINATOR)

    page = client.get("/akteure/?seite=1").get_data(as_text=True)
    positions = [page.index(f">{name}</a>") for name in EXPECTED]
    assert positions == sorted(positions), "the directory must list Bäckerei before Brauerei"
    assert page.index(">Bäckerei Jakobs</a>") < page.index(">Brauerei Mosel</a>")

    exported = _csv_names(client.get("/export/akteure.csv").data)
    assert [n for n in exported if n in EXPECTED] == EXPECTED

    persons = client.get("/personen/").get_data(as_text=True)
    order = ["Ernst", "Mayer", "Müller", "Oberle", "Özdemir", "Zimmer"]
    found = [persons.index(name) for name in order]
    assert found == sorted(found)
    exported_people = client.get("/export/personen.csv").data.decode("utf-8-sig")
    found = [exported_people.index(name) for name in order]
    assert found == sorted(found)
