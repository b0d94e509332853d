"""Issue 13 at the directory, the exports and a hub's actor page: the stored folded search columns,
streamed exports that only read, and statement counts that stay the same when the data grows.

Statements are counted (never timed): each page is requested on a landscape, the landscape grows
(more matching actors, more ties and people of the hub), the same page is requested again, and the
two counts must be equal. Speed is measured in ``bench/directory_bench.py``.
"""
from __future__ import annotations

import csv
import io

import openpyxl
from sqlalchemy import insert, select

from crm.extensions import db
from crm.models import Actor, ActorKind, Affiliation, Cooperation, CooperationType, Person, Role, Topic
from crm.services.computed import versions
from tests.statements import counting

# ---------------------------------------------------------------- helpers

def _statements(app, client, url: str) -> tuple[int, bytes]:
    with counting(app) as statements:
        response = client.get(url)
        data = response.data   # a streamed export runs its queries while it is read
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    return len(statements), data


def _kind(name: str | None = None) -> ActorKind:
    query = select(ActorKind).order_by(ActorKind.sort_order)
    if name:
        query = select(ActorKind).where(ActorKind.name == name)
    kind = db.session.scalars(query).first()
    assert kind is not None
    return kind


def _grow(app, start: int, schools: int, hub_ties: int, hub_people: int) -> int:
    """Add ``schools`` actors named "Grundschule …" (topics, a parent), ``hub_ties`` ties of the hub
    and ``hub_people`` people of it; returns the hub's id (created on the first call)."""
    with app.app_context():
        hub = db.session.scalars(select(Actor).where(Actor.name == "Bildungsbüro Trier")).first()
        if hub is None:
            hub = Actor(name="Bildungsbüro Trier", kind=_kind(), street="Am Augustinerhof 1", city="Trier")
            db.session.add(hub)
        topics = list(db.session.scalars(select(Topic).order_by(Topic.id).limit(2)))
        ctype = db.session.scalars(select(CooperationType).order_by(CooperationType.id)).first()
        kind = _kind()
        new = []
        for n in range(start, start + schools):
            actor = Actor(name=f"Grundschule Nummer {n:04d}", kind=kind, street=f"Schulstraße {n}", postcode="54290",
                          city="Trier", topics=topics[: 1 + n % 2], parent=hub if n % 3 == 0 else None)
            db.session.add(actor)
            new.append(actor)
        db.session.flush()
        partners = new or [hub]
        for n in range(hub_ties):
            db.session.add(Cooperation(source=hub, target=partners[n % len(partners)], type=ctype, intensity=2,
                                       description="", topics=topics[:1]))
        for n in range(start, start + hub_people):
            person = Person(first_name="Eva", last_name=f"Muster{n:04d}", email=f"eva{n}@schule.example")
            db.session.add(person)
            db.session.flush()
            db.session.add(Affiliation(person_id=person.id, actor_id=hub.id, function="MINT-Koordination"))
        db.session.commit()
        return hub.id


# ---------------------------------------------------------------- search semantics

def _names(client, query: str) -> list[str]:
    response = client.get("/akteure/", query_string={"q": query})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return [name for name in ("Nachhilfe Müller", "Kita Sonnenschein", "Lernbegleiterin Jansen", "Café Größe")
            if name in html]


def test_search_folds_umlauts_sharp_s_and_case_and_needs_every_word(app, login_as, create_actor) -> None:
    create_actor("Nachhilfe Müller", street="Hauptstraße 3", postcode="54290", city="Trier")
    create_actor("Kita Sonnenschein", street="Weberbach 12", postcode="54290", city="Trier",
                 external_ref="KITA-0815")
    create_actor("Café Größe", street="Am Markt 1", city="Köln")
    client = login_as(Role.COORDINATOR)
    assert _names(client, "Muller") == ["Nachhilfe Müller"]       # umlaut typed without dots
    assert _names(client, "mueller") == ["Nachhilfe Müller"]      # umlaut spelt out
    assert _names(client, "MÜLLER") == ["Nachhilfe Müller"]       # upper-case umlaut
    assert _names(client, "strasse") == ["Nachhilfe Müller"]      # ß spelt out, in the street
    assert _names(client, "Straße") == ["Nachhilfe Müller"]
    assert _names(client, "grosse") == ["Café Größe"]             # ö and ß at once
    assert _names(client, "grose") == []                          # ß is never one s
    assert _names(client, "cafe koeln") == ["Café Größe"]         # accent dropped, every word
    assert _names(client, "muller trier") == ["Nachhilfe Müller"]
    assert _names(client, "muller kita") == []                    # every word must match
    assert _names(client, "kita-0815") == ["Kita Sonnenschein"]   # external reference
    assert _names(client, "54290") == ["Nachhilfe Müller", "Kita Sonnenschein"]
    assert _names(client, "100%") == []                           # LIKE's wildcards are escaped
    assert _names(client, "_") == []


def test_search_columns_follow_every_write(app, login_as, create_actor) -> None:
    from crm.services.landscape import actors as actor_service

    actor_id = create_actor("Nachhilfe Müller", street="Hauptstraße 3")
    with app.app_context():
        actor = db.session.get(Actor, actor_id)
        assert actor.search_text.startswith("nachhilfe mueller nachhilfe muller")
        assert actor.search_street == "hauptstrasse 3"
        actor_service.update_actor(db.session, actor, {"name": "Lernhilfe Schäfer", "street": "Neustraße 9"},
                                   actor.version_id)
        db.session.commit()
    client = login_as(Role.COORDINATOR)
    assert "Lernhilfe Schäfer" in client.get("/akteure/?q=schafer").get_data(as_text=True)
    assert "Lernhilfe Schäfer" in client.get("/akteure/?q=neustr").get_data(as_text=True)
    assert "Lernhilfe Schäfer" not in client.get("/akteure/?q=muller").get_data(as_text=True)
    assert "Lernhilfe Schäfer" not in client.get("/akteure/?q=hauptstr").get_data(as_text=True)


def test_bulk_rows_get_their_search_columns_from_the_refresh(app) -> None:
    from crm.services.landscape.search import refresh_search_columns

    with app.app_context():
        db.session.execute(insert(Actor), [{"name": "Volkshochschule Trier", "kind_id": _kind().id, "street": "",
                                            "postcode": "", "city": "Trier", "version_id": 1}])
        db.session.commit()
        assert db.session.scalar(select(Actor.search_text)) == ""   # written past the ORM
        assert refresh_search_columns(db.session) == 1
        db.session.commit()
        assert db.session.scalar(select(Actor.search_text)) == "volkshochschule trier trier"


def test_an_individuals_street_is_searched_only_by_who_may_see_it(app, login_as, create_user, create_actor) -> None:
    create_actor("Lernbegleiterin Jansen", kind="Ehrenamtliche Person", street="Geheimweg 7", city="Trier")
    create_actor("Kita Sonnenschein", street="Geheimweg 1", city="Trier")   # an organisation's street is public
    client = login_as(Role.VIEWER)
    assert _names(client, "geheimweg") == ["Kita Sonnenschein"]
    assert _names(client, "jansen") == ["Lernbegleiterin Jansen"]          # the name is not private
    listed = client.get("/api/v1/actors?q=geheimweg").get_json()["items"]
    assert [a["name"] for a in listed] == ["Kita Sonnenschein"]             # the API asks the same query
    coordinator = app.test_client()
    coordinator.login(create_user(Role.COORDINATOR).email)
    assert _names(coordinator, "geheimweg") == ["Kita Sonnenschein", "Lernbegleiterin Jansen"]


# ---------------------------------------------------------------- exports only read, and stream

def test_an_export_leaves_the_data_version_and_streams(app, login_as, create_actor) -> None:
    for n in range(5):
        create_actor(f"Grundschule {n}", street="Schulstraße 1")
    client = login_as(Role.COORDINATOR)   # personal data: the export writes an audit entry
    with app.app_context():
        before = versions.current(db.session)
    response = client.get("/export/akteure.csv?q=grundschule")
    assert response.is_streamed
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == [f"Grundschule {n}" for n in range(5)]
    response = client.get("/export/akteure.xlsx?q=grundschule")
    assert response.is_streamed
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [f"Grundschule {n}" for n in range(5)]
    assert client.get("/export/kooperationen.csv").is_streamed
    with app.app_context():
        assert versions.current(db.session) == before
        from crm.models import AuditEntry

        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
        assert [e.summary for e in entries] == ["Export von 5 Akteuren mit Ansprechpersonen (CSV)",
                                                "Export von 5 Akteuren mit Ansprechpersonen (XLSX)"]


# ---------------------------------------------------------------- the hub's actor page

def test_a_hubs_ties_and_people_are_paginated(app, login_as) -> None:
    hub = _grow(app, 0, schools=60, hub_ties=120, hub_people=70)
    client = login_as(Role.COORDINATOR)
    html = client.get(f"/akteure/{hub}").get_data(as_text=True)
    assert html.count('data-testid="tie"') == 50
    assert "120 laufend, 0 beendet" in html
    assert "Kooperationen 1–50 von 120" in html
    assert f'href="/akteure/{hub}?seite=3"' in html
    assert html.count('data-testid="tie"') == 50
    assert html.count("/personen/") >= 50 and "Muster0069" not in html   # first 50 people by name
    assert f'href="/personen/?akteur={hub}"' in html and "Alle 70 Personen in der Personenliste" in html
    last = client.get(f"/akteure/{hub}?seite=3").get_data(as_text=True)
    assert last.count('data-testid="tie"') == 20 and "Kooperationen 101–120 von 120" in last
    assert client.get(f"/akteure/{hub}?seite=99").status_code == 200   # past the end: the last page


# ---------------------------------------------------------------- statements do not grow with the data

def test_statements_stay_the_same_when_the_landscape_grows(app, login_as) -> None:
    """Directory search (first and a later page), the API list, the exports and the hub's actor page
    (first and a later page of ties) cost the same statements at two sizes of the landscape."""
    hub = _grow(app, 0, schools=120, hub_ties=110, hub_people=60)
    client = login_as(Role.COORDINATOR)
    urls = ["/akteure/?q=grundschule+trier", "/akteure/?q=grundschule&seite=2", "/akteure/?q=Schulstrasse",
            "/api/v1/actors?q=grundschule&limit=50", "/export/akteure.csv?q=grundschule",
            "/export/akteure.xlsx", "/export/kooperationen.csv", f"/akteure/{hub}", f"/akteure/{hub}?seite=2"]
    for url in urls:   # warm-up: vocabularies, the first use of the session
        client.get(url).close()
    small = {url: _statements(app, client, url)[0] for url in urls}
    _grow(app, 1000, schools=360, hub_ties=330, hub_people=180)
    large = {}
    for url in urls:
        large[url], data = _statements(app, client, url)
        if url == "/export/akteure.csv?q=grundschule":
            assert data.count(b"\r\n") == 1 + 480   # header and every school: the larger landscape was read
    assert small == large, {url: (small[url], large[url]) for url in urls if small[url] != large[url]}


def test_the_migration_fills_the_search_columns_of_existing_actors(tmp_path) -> None:
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from tests.conftest import make_app
    from tests.test_migrations import _scratch_database

    url, cleanup = _scratch_database(tmp_path)
    try:
        app = make_app(url)
        with app.app_context():
            upgrade(revision="5e874f54cac7")
            with db.engine.begin() as conn:
                conn.execute(text("INSERT INTO actor_kinds (id, name, category, is_individual, is_active, sort_order) "
                                  "VALUES (1, 'Grundschule', 'Schule', false, true, 1)"))
                conn.execute(text("INSERT INTO actors (name, short_name, kind_id, street, postcode, city, website, "
                                  "email, phone, description, notes, is_active, created_at, updated_at, version_id) "
                                  "VALUES ('Grundschule Olewig', 'GS Olewig', 1, 'Straße der Jugend 1', '54295', "
                                  "'Trier', '', '', '', '', '', true, '2024-01-01', '2024-01-01', 1)"))
            upgrade()
            with db.engine.connect() as conn:
                row = conn.execute(text("SELECT search_text, search_street FROM actors")).one()
            assert tuple(row) == ("grundschule olewig gs olewig 54295 trier", "strasse der jugend 1")
            downgrade(revision="5e874f54cac7")
            db.engine.dispose()
    finally:
        if cleanup:
            admin, name = cleanup
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
