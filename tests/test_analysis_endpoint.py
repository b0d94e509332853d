"""The analysis as JSON: permission-checked, validated, and recomputed when the data change."""
from __future__ import annotations

from datetime import date

from crm.demo.generator import load_demo
from crm.extensions import db
from crm.models import Role
from crm.services.privacy import audit


def _demo(app) -> None:
    with app.app_context(), audit.suppressed():
        load_demo(db.session)
        db.session.commit()


def test_viewer_gets_the_analysis_of_the_demo_region(app, login_as) -> None:
    _demo(app)
    client = login_as(Role.VIEWER)
    response = client.get("/analyse/ergebnis.json?as_of=2026-06-30")
    assert response.status_code == 200
    data = response.get_json()
    assert data["network"]["nodes"] > 100 and data["network"]["edges"] > 100
    assert data["actors"][0]["betweenness"] >= data["actors"][-1]["betweenness"]
    assert data["communities"] and all(c["label"] for c in data["communities"])
    assert data["transitions"]["transitions"][0] == "fruehkindlich→primar"
    assert "email" not in response.get_data(as_text=True)
    wider = client.get("/analyse/ergebnis.json?as_of=2026-06-30&layers=cooperation,initiative").get_json()
    assert wider["network"]["edges"] > data["network"]["edges"]


def test_bad_cut_is_a_problem_json(login_as) -> None:
    client = login_as(Role.VIEWER)
    response = client.get("/analyse/ergebnis.json?as_of=30.06.2026")
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert "kein Datum" in response.get_json()["detail"]
    assert client.get("/analyse/ergebnis.json?layers=telefon").status_code == 422
    assert client.get("/analyse/ergebnis.json?resolution=abc").status_code == 422


def test_anonymous_gets_no_analysis(client) -> None:
    response = client.get("/analyse/ergebnis.json", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.get_json()["status"] == 401


def test_a_change_invalidates_the_cache(app, login_as, create_actor) -> None:
    first_id = create_actor("Kita Eins")
    client = login_as(Role.COORDINATOR)
    before = client.get("/analyse/ergebnis.json").get_json()
    create_actor("Kita Zwei")
    after = client.get("/analyse/ergebnis.json").get_json()
    assert after["network"]["nodes"] == before["network"]["nodes"] + 1
    assert after["data_version"] != before["data_version"]
    assert first_id


def test_renaming_invalidates_the_cache_but_failed_logins_do_not(app, client, create_user, create_actor) -> None:
    """Only writes to the landscape's records change its version: an update without a change in
    the counts does; wrong passwords typed by a stranger (audited too) must not force a new
    analysis of the whole network."""
    from crm.models import Actor

    actor_id = create_actor("Kita Eins")
    viewer = app.test_client()
    viewer.login(create_user(Role.VIEWER).email)
    before = viewer.get("/analyse/ergebnis.json").get_json()["data_version"]
    for _ in range(3):
        client.post_form("/anmelden", {"email": "niemand@example.org", "password": "falsch-falsch-falsch"})
    assert viewer.get("/analyse/ergebnis.json").get_json()["data_version"] == before
    with app.app_context():
        db.session.get(Actor, actor_id).name = "Kita Eins am Dom"
        db.session.commit()
    after = viewer.get("/analyse/ergebnis.json").get_json()
    assert after["data_version"] != before
    assert [a["label"] for a in after["actors"]] == ["Kita Eins am Dom"]


def test_the_past_keeps_actors_that_have_closed_since(app, login_as) -> None:
    """A school that closed in 2024 is in the network as of 2023-06-30 with its cooperation,
    and that cooperation is listed as ended between 2023 and 2026; today's network has neither.
    A Kita that opened in 2025 is not counted for 2023."""
    from tests import factories_coordinator as f

    gs = f.actor(app, "Grundschule Olewig", "Grundschule")
    closed = f.actor(app, "Hauptschule Ehrang", "Realschule plus", is_active=False, active_from=date(1970, 8, 1),
                     active_until=date(2024, 7, 31))
    kita = f.actor(app, "Kita Neubau", "Kita", active_from=date(2025, 8, 1))
    old_club = f.actor(app, "Alter Förderverein", "Verein / Verband", is_active=False)   # closing day unknown
    tie = f.cooperation(app, gs, closed, start=date(2019, 1, 1), end=date(2024, 7, 31))
    f.cooperation(app, gs, old_club, start=date(2018, 1, 1), end=date(2022, 12, 31))
    client = login_as(Role.VIEWER)

    then = client.get("/analyse/ergebnis.json?as_of=2023-06-30").get_json()
    assert {a["id"] for a in then["actors"]} == {gs, closed}
    assert then["network"]["nodes"] == 2 and then["network"]["density"] == 1.0
    assert {a["id"] for a in client.get("/analyse/ergebnis.json?as_of=2022-06-30").get_json()["actors"]} == {
        gs, closed, old_club}                                     # the club's ended tie shows it was there
    now = client.get("/analyse/ergebnis.json").get_json()
    assert {a["id"] for a in now["actors"]} == {gs, kita}

    changed = client.get("/analyse/ergebnis.json?since=2023-06-30&until=2026-06-30").get_json()["change"]
    assert changed["ended"] == [f"cooperation:{tie}"]
    assert changed["counts"]["actors_then"] == 2 and changed["counts"]["actors_now"] == 2
    assert changed["metrics"]["nodes"] == {"then": 2, "now": 2, "delta": 0}
    rows = {r["id"]: r for r in changed["actors"]}
    assert rows[closed]["present"] == {"then": True, "now": False}
    assert rows[gs]["degree"] == {"then": 1, "now": 0, "delta": -1}


def test_reasons_and_transitions_name_the_life_stages(app, login_as) -> None:
    """Codes never reach the user: "Primarstufe → Sekundarstufe", not "primar → sek"."""
    from tests import factories_coordinator as f

    ehrang = f.area(app, "Trier-Ehrang")
    gs = f.actor(app, "Grundschule Ehrang", "Grundschule", area_id=ehrang, life_stages=["primar"], topics=["MINT"])
    rs = f.actor(app, "Realschule plus Ehrang", "Realschule plus", area_id=ehrang, life_stages=["sek"],
                 topics=["MINT"])
    ihk = f.actor(app, "IHK Trier", "Industrie- und Handelskammer", area_id=ehrang, topics=["MINT"])
    f.cooperation(app, gs, ihk)
    f.cooperation(app, rs, ihk)
    data = login_as(Role.VIEWER).get("/analyse/ergebnis.json").get_json()
    assert data["transitions"]["labels"]["primar→sek"] == "Primarstufe → Sekundarstufe"
    best = data["suggestions"][0]
    assert {best["source"], best["target"]} == {gs, rs}
    assert "schließt die Lücke Primarstufe → Sekundarstufe in Trier-Ehrang" in best["reasons"]
    assert not any("primar →" in r for s in data["suggestions"] for r in s["reasons"])


def test_an_evening_event_counts_on_its_local_day(app, login_as) -> None:
    """23:30 UTC on 12 March is 00:30 on 13 March in Trier: the meeting belongs to the 13th."""
    from datetime import UTC, datetime

    from crm.models import Attendance
    from tests import factories_coordinator as f

    a, b = f.actor(app, "Kita St. Anna", "Kita"), f.actor(app, "Grundschule Olewig", "Grundschule")
    event = f.event(app, "Netzwerktreffen", starts_at=datetime(2025, 3, 12, 23, 30, tzinfo=UTC))
    for actor_id, name in ((a, "Anna"), (b, "Bernd")):
        person = f.person(app, name, actor_id=actor_id)
        with app.app_context():
            db.session.add(Attendance(event_id=event, person_id=person, actor_id=actor_id))
            db.session.commit()
    client = login_as(Role.VIEWER)
    assert client.get("/analyse/ergebnis.json?layers=event&as_of=2025-03-12").get_json()["network"]["edges"] == 0
    assert client.get("/analyse/ergebnis.json?layers=event&as_of=2025-03-13").get_json()["network"]["edges"] == 1
