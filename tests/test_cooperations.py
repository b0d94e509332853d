"""Cooperations: the full form and the quick capture, their rules, ending, conflicts, deleting, the list."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import AuditEntry, Cooperation, Role
from tests import factories_coordinator as f


@pytest.fixture
def pair(app):
    return {"school": f.actor(app, "Grundschule Olewig"), "kita": f.actor(app, "Kita St. Anna", kind="Kita"),
            "ihk": f.actor(app, "IHK Trier", kind="Industrie- und Handelskammer")}


def _form(app, first: int, second: int, **values) -> dict:
    data = {"source": "", "source_id": str(first), "target": "", "target_id": str(second),
            "type": str(f.ctype_id(app)), "intensity": "2", "start_date": "2024-08-01"}
    data.update(values)
    return data


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Cooperation))


def test_full_form_creates_a_cooperation(app, login_as, pair) -> None:
    client = login_as(Role.COORDINATOR)
    assert client.get(f"/kooperationen/neu?akteur={pair['school']}").status_code == 200
    response = client.post_form("/kooperationen/neu", _form(
        app, pair["school"], pair["kita"], intensity="3", end_date="31.07.2026", topics=str(f.topic_id(app)),
        life_stages=str(f.stage_id(app, "fruehkindlich")), description="Übergang Kita–Grundschule"))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        c = db.session.scalars(select(Cooperation)).one()
        assert (c.source_id, c.target_id, c.intensity) == (pair["school"], pair["kita"], 3)
        assert (c.start_date, c.end_date) == (date(2024, 8, 1), date(2026, 7, 31))
        assert [t.name for t in c.topics] == ["MINT"] and c.life_stages[0].code == "fruehkindlich"
        assert c.is_directed is False
        assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "Cooperation")).all() \
            == ["create"]


@pytest.mark.parametrize("changes,message", [
    ({"target_id": "SAME"}, "Eine Kooperation verbindet zwei verschiedene Akteure."),
    ({"end_date": "2024-07-31"}, "Das Ende darf nicht vor dem Beginn liegen."),
    ({"intensity": "4"}, "Die Intensität liegt zwischen 1 und 3."),
    ({"intensity": "x"}, "Die Intensität liegt zwischen 1 und 3."),
    ({"type": ""}, "Bitte wählen Sie die Art der Kooperation."),
    ({"type": "99999"}, "Bitte wählen Sie die Art der Kooperation."),
    ({"topics": "abc"}, "Ungültige Auswahl."),
    ({"topics": "99999999999999999999999"}, "Ungültige Auswahl."),
    ({"type": "99999999999999999999999"}, "Bitte wählen Sie die Art der Kooperation."),
    ({"target_id": "99999999999999999999999"}, "Diesen Akteur gibt es nicht (mehr). Bitte wählen Sie neu."),
    ({"start_date": "31.02.2024"}, "Bitte ein gültiges Datum angeben (TT.MM.JJJJ)."),
    ({"target_id": "", "target": ""}, "Bitte wählen Sie den Partner."),
    ({"target_id": "", "target": "Gibt es nicht"}, "Keinen Akteur „Gibt es nicht“ gefunden."),
    ({"target_id": "99999"}, "Diesen Akteur gibt es nicht (mehr). Bitte wählen Sie neu."),
])
def test_full_form_refuses_with_german_messages(app, login_as, pair, changes, message) -> None:
    client = login_as(Role.COORDINATOR)
    if changes.get("target_id") == "SAME":
        changes = dict(changes, target_id=str(pair["school"]))
    response = client.post_form("/kooperationen/neu", _form(app, pair["school"], pair["kita"],
                                                            description="bleibt stehen", **changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert "bleibt stehen" in page  # input kept
    assert _count(app) == 0


def test_partner_typed_without_script_is_resolved_on_the_server(app, login_as, pair) -> None:
    f.actor(app, "Grundschule Olewig-Ost")
    client = login_as(Role.COORDINATOR)
    # An exact name wins even if other names contain it.
    response = client.post_form("/kooperationen/neu", _form(app, pair["kita"], 0, target_id="",
                                                            target="grundschule olewig"))
    assert response.status_code == 302
    # A fragment that fits several actors asks for a choice.
    response = client.post_form("/kooperationen/neu", _form(app, pair["ihk"], 0, target_id="", target="olewig"))
    assert response.status_code == 422
    assert "Mehrere Akteure passen zu „olewig“" in response.get_data(as_text=True)


def test_one_active_cooperation_of_a_type_per_pair(app, login_as, pair) -> None:
    f.cooperation(app, pair["school"], pair["kita"], start=date(2022, 1, 1), end=date(2023, 12, 31))
    f.cooperation(app, pair["school"], pair["kita"], start=date(2024, 9, 1))
    client = login_as(Role.COORDINATOR)
    # Reverse direction, overlapping the open tie: refused.
    response = client.post_form("/kooperationen/neu", _form(app, pair["kita"], pair["school"],
                                                            start_date="2025-01-01"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "besteht in diesem Zeitraum bereits eine Kooperation der Art „Kooperationsvertrag“" in page
    assert "01.09.2024 bis offen" in page
    # A period that ends before the open tie starts, but overlaps the old one: refused too.
    response = client.post_form("/kooperationen/neu", _form(app, pair["school"], pair["kita"],
                                                            start_date="2023-06-01", end_date="2024-03-31"))
    assert response.status_code == 422
    # In the gap between the two: fine. Another type in the same period: fine.
    assert client.post_form("/kooperationen/neu", _form(app, pair["school"], pair["kita"], start_date="2024-01-01",
                                                        end_date="2024-08-31")).status_code == 302
    assert client.post_form("/kooperationen/neu", _form(app, pair["school"], pair["kita"], start_date="2025-01-01",
                                                        type=str(f.ctype_id(app, "Projektpartnerschaft"))
                                                        )).status_code == 302
    # Without dates a tie reaches infinitely far: it overlaps everything of its type.
    response = client.post_form("/kooperationen/neu", _form(app, pair["school"], pair["kita"], start_date="",
                                                            type=str(f.ctype_id(app, "Projektpartnerschaft"))))
    assert response.status_code == 422
    assert _count(app) == 4


def test_quick_capture_from_the_actor_page(app, login_as, pair) -> None:
    client = login_as(Role.COORDINATOR)
    page = client.get(f"/akteure/{pair['school']}").get_data(as_text=True)
    assert "Kooperation erfassen" in page and 'data-autocomplete-url="/akteure/suche.json"' in page
    assert f'value="{date.today().isoformat()}"' in page  # start defaults to today
    response = client.post_form("/kooperationen/neu", {
        "quick": "1", "akteur": str(pair["school"]), "partner": "Kita St. Anna", "partner_id": str(pair["kita"]),
        "type": str(f.ctype_id(app)), "start_date": date.today().isoformat()})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/akteure/{pair['school']}#kooperationen")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kooperation mit „Kita St. Anna“ gespeichert." in page
    assert 'data-partner="Kita St. Anna"' in page and "laufend" in page
    with app.app_context():
        c = db.session.scalars(select(Cooperation)).one()
        assert (c.source_id, c.target_id, c.start_date, c.intensity) == (pair["school"], pair["kita"], date.today(), 2)


def test_quick_capture_direction_for_directed_types(app, login_as, pair) -> None:
    client = login_as(Role.COORDINATOR)
    response = client.post_form("/kooperationen/neu", {
        "quick": "1", "akteur": str(pair["school"]), "partner_id": str(pair["ihk"]), "partner": "IHK Trier",
        "type": str(f.ctype_id(app, "Förderung")), "start_date": "2025-02-01", "reverse": "y",
        "topics": [str(f.topic_id(app)), str(f.topic_id(app, "Berufs- und Studienorientierung"))]})
    assert response.status_code == 302
    with app.app_context():
        c = db.session.scalars(select(Cooperation)).one()
        assert (c.source_id, c.target_id, c.is_directed) == (pair["ihk"], pair["school"], True)
        assert len(c.topics) == 2


def test_quick_capture_errors_show_on_the_actor_page(app, login_as, pair) -> None:
    f.cooperation(app, pair["school"], pair["kita"])
    client = login_as(Role.COORDINATOR)
    base = {"quick": "1", "akteur": str(pair["school"]), "type": str(f.ctype_id(app)), "start_date": "2025-01-01"}
    cases = [
        ({"partner": "", "partner_id": ""}, "Bitte wählen Sie den Partner."),
        ({"partner": "Grundschule Olewig", "partner_id": str(pair["school"])},
         "Eine Kooperation verbindet zwei verschiedene Akteure."),
        ({"partner": "Kita St. Anna", "partner_id": str(pair["kita"])}, "besteht in diesem Zeitraum bereits"),
        ({"partner": "Kita St. Anna", "partner_id": str(pair["kita"]), "type": ""},
         "Bitte wählen Sie die Art der Kooperation."),
    ]
    for values, message in cases:
        response = client.post_form("/kooperationen/neu", dict(base, **values))
        page = response.get_data(as_text=True)
        assert response.status_code == 422, values
        assert message in page, values
        assert "<h1" in page and "Grundschule Olewig" in page and "Kooperation erfassen" in page
    assert _count(app) == 1
    assert client.post_form("/kooperationen/neu", dict(base, akteur="999", partner_id=str(pair["kita"]))
                            ).status_code == 404


def test_ending_keeps_history(app, login_as, pair) -> None:
    tie = f.cooperation(app, pair["school"], pair["kita"], start=date(2023, 1, 1))
    client = login_as(Role.COORDINATOR)
    page = client.get(f"/kooperationen/{tie}/beenden").get_data(as_text=True)
    assert f'value="{date.today().isoformat()}"' in page  # today by default
    # Not before the start.
    response = client.post_form(f"/kooperationen/{tie}/beenden", {"end_date": "2022-12-31",
                                                                  "version_id": f.version_in(page)})
    assert response.status_code == 422
    assert "Das Ende darf nicht vor dem Beginn (01.01.2023) liegen." in response.get_data(as_text=True)
    # From the actor page's inline form: back to the actor page.
    response = client.post_form(f"/kooperationen/{tie}/beenden", {"end_date": "2025-06-30",
                                                                  "akteur": str(pair["kita"])})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/akteure/{pair['kita']}#kooperationen")
    with app.app_context():
        c = db.session.get(Cooperation, tie)
        assert c.end_date == date(2025, 6, 30) and c.start_date == date(2023, 1, 1)
        audit = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "Cooperation",
                                                            AuditEntry.action == "update")).one()
        assert audit.changes["end_date"] == [None, "2025-06-30"]
    page = client.get(f"/akteure/{pair['school']}").get_data(as_text=True)
    assert 'data-testid="ended"' in page and "01.01.2023 – 30.06.2025" in page
    # After ending, a new tie of the same type can start.
    assert client.post_form("/kooperationen/neu", _form(app, pair["school"], pair["kita"],
                                                        start_date="2025-07-01")).status_code == 302


def test_edit_conflict_keeps_both_versions(app, client, create_user, pair) -> None:
    tie = f.cooperation(app, pair["school"], pair["kita"], description="Start")
    first, second = create_user(Role.COORDINATOR), create_user(Role.COORDINATOR)
    other = app.test_client()
    client.login(first.email)
    other.login(second.email)
    version = f.version_in(client.get(f"/kooperationen/{tie}/bearbeiten").get_data(as_text=True))
    values = _form(app, pair["school"], pair["kita"], start_date="2024-01-01", version_id=version)
    assert other.post_form(f"/kooperationen/{tie}/bearbeiten", dict(values, intensity="3")).status_code == 302
    response = client.post_form(f"/kooperationen/{tie}/bearbeiten", dict(values, description="Meine Fassung"))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "wurde inzwischen von" in page and second.email in page and "Meine Fassung" in page
    assert "Intensität" in page  # the field that differs is listed
    with app.app_context():
        assert db.session.get(Cooperation, tie).intensity == 3
    response = client.post_form(f"/kooperationen/{tie}/bearbeiten", dict(
        values, description="Meine Fassung", intensity="3", version_id=f.version_in(page)))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Cooperation, tie).description == "Meine Fassung"


def test_edit_applies_the_rules(app, login_as, pair) -> None:
    f.cooperation(app, pair["school"], pair["kita"], start=date(2024, 1, 1))
    tie = f.cooperation(app, pair["school"], pair["ihk"], start=date(2024, 1, 1))
    client = login_as(Role.COORDINATOR)
    version = f.version_in(client.get(f"/kooperationen/{tie}/bearbeiten").get_data(as_text=True))
    response = client.post_form(f"/kooperationen/{tie}/bearbeiten", _form(
        app, pair["school"], pair["kita"], start_date="2024-01-01", version_id=version))
    assert response.status_code == 422 and "besteht in diesem Zeitraum bereits" in response.get_data(as_text=True)
    # Saving the tie itself unchanged is no clash with itself.
    response = client.post_form(f"/kooperationen/{tie}/bearbeiten", _form(
        app, pair["school"], pair["ihk"], start_date="2024-01-01", version_id=version))
    assert response.status_code == 302


def test_delete_is_confirmed_audited_and_for_coordinators(app, client, create_user, pair) -> None:
    tie = f.cooperation(app, pair["school"], pair["kita"])
    for role in (Role.VIEWER, Role.ORGANISER):
        client.login(create_user(role).email)
        assert client.get(f"/kooperationen/{tie}/loeschen").status_code == 403
        assert client.post_form(f"/kooperationen/{tie}/loeschen", {"confirm": "y"}).status_code == 403
        assert client.post_form(f"/kooperationen/{tie}/beenden", {"end_date": "2025-01-01"}).status_code == 403
        client.post_form("/abmelden")
    client.login(create_user(Role.COORDINATOR).email)
    page = client.get(f"/kooperationen/{tie}/loeschen").get_data(as_text=True)
    assert "beenden Sie die Kooperation, statt sie zu löschen" in page
    assert client.post_form(f"/kooperationen/{tie}/loeschen", {}).status_code == 422
    response = client.post_form(f"/kooperationen/{tie}/loeschen", {"confirm": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Cooperation, tie) is None
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "delete")).one()
        assert entry.entity_type == "Cooperation" and entry.entity_id == tie
        assert entry.changes["source_id"] == [pair["school"], None]


def test_list_filters_and_hints(app, login_as, pair) -> None:
    today = date.today()
    f.cooperation(app, pair["school"], pair["kita"], topics=["MINT"])
    f.cooperation(app, pair["ihk"], pair["school"], ctype="Förderung", start=date(2020, 1, 1),
                  end=today - timedelta(days=1))
    f.cooperation(app, pair["kita"], pair["ihk"], ctype="Informeller Austausch")
    client = login_as(Role.VIEWER)

    def rows(query: str) -> list[str]:
        page = client.get(f"/kooperationen/?{query}").get_data(as_text=True)
        table = page.split('data-testid="cooperation-list"', 1)[1].split("</table>", 1)[0]
        return re.findall(r'href="/kooperationen/\d+">([^<]+)<', table)

    assert sorted(rows("")) == ["Förderung", "Informeller Austausch", "Kooperationsvertrag"]
    assert rows("status=beendet") == ["Förderung"]
    assert sorted(rows("status=laufend")) == ["Informeller Austausch", "Kooperationsvertrag"]
    assert rows(f"thema={f.topic_id(app)}") == ["Kooperationsvertrag"]
    assert rows(f"art={f.ctype_id(app, 'Förderung')}") == ["Förderung"]
    assert sorted(rows(f"akteur={pair['kita']}")) == ["Informeller Austausch", "Kooperationsvertrag"]
    assert rows("q=ihk&status=laufend") == ["Informeller Austausch"]
    page = client.get("/kooperationen/?akteur=999&art=x&status=irgendwann").get_data(as_text=True)
    assert "Akteur Nr. 999 gibt es nicht (mehr)" in page and "Unbekannter Status „irgendwann“" in page
    assert "3 Kooperationen" in page


def test_one_rule_for_running_and_ended_with_today_as_the_boundary(app, login_as, pair) -> None:
    """A tie whose end date is today still runs today (it ends at the end of the day): the actor
    page, the list filter, the count and the export all say so; yesterday's end is ended."""
    from crm.services.landscape import cooperations as service

    today = date.today()
    ends_today = f.cooperation(app, pair["school"], pair["kita"], start=date(2022, 1, 1), end=today)
    ended = f.cooperation(app, pair["ihk"], pair["school"], ctype="Förderung", start=date(2020, 1, 1),
                          end=today - timedelta(days=1))
    planned = f.cooperation(app, pair["school"], pair["ihk"], ctype="Informeller Austausch",
                            start=today + timedelta(days=1))
    running = f.cooperation(app, pair["kita"], pair["ihk"], ctype="Informeller Austausch", start=None)
    with app.app_context():
        ties = {i: db.session.get(Cooperation, i) for i in (ends_today, ended, planned, running)}
        assert [service.cooperation_status(ties[i], today) for i in (ends_today, ended, planned, running)] == [
            "laufend", "beendet", "geplant", "laufend"]
        assert ties[ends_today].is_current(today) and not ties[ends_today].is_current(today + timedelta(days=1))
        assert service.cooperation_status(ties[ends_today], today + timedelta(days=1)) == "beendet"
        assert service.count_current(db.session, today) == 2
        assert not service.may_end(ties[ends_today], today) and service.may_end(ties[running], today)
    client = login_as(Role.COORDINATOR)

    def listed(status: str) -> set[int]:
        page = client.get(f"/kooperationen/?status={status}").get_data(as_text=True)
        return {int(i) for i in re.findall(r'href="/kooperationen/(\d+)"', page)}

    assert listed("laufend") == {ends_today, running}
    assert listed("beendet") == {ended}
    assert listed("geplant") == {planned}
    rows = client.get("/export/kooperationen.csv?status=laufend").data.decode("utf-8-sig").splitlines()
    assert len(rows) == 3
    page = client.get(f"/akteure/{pair['school']}").get_data(as_text=True)
    assert "(1 laufend, 1 beendet)" in page
    timeline = page.split('data-testid="cooperation-timeline"', 1)[1]
    kita = timeline.split('data-partner="Kita St. Anna"', 1)[1].split("</li>", 1)[0]
    assert 'data-testid="ending"' in kita and 'data-testid="ended"' not in kita and "beenden" not in kita
    ihk_ended = timeline.split("2020", 1)[1].split("</li>", 1)[0]
    assert 'data-testid="ended"' in ihk_ended
    show = client.get(f"/kooperationen/{ends_today}").get_data(as_text=True)
    assert "endet heute" in show and f"/kooperationen/{ends_today}/beenden" not in show
    assert 'data-testid="ended"' in client.get(f"/kooperationen/{ended}").get_data(as_text=True)


def test_two_simultaneous_captures_save_one_tie(app, monkeypatch, pair) -> None:
    """A double-clicked quick capture: two requests at the same moment, each with its own database
    connection. The check "one tie of a type per pair" is slowed down so that, without the write
    lock taken first (SQLite: BEGIN IMMEDIATE; PostgreSQL: FOR UPDATE on both actors), both
    would find nothing and both would save."""
    import threading
    import time

    from crm.models import Actor, CooperationType
    from crm.services.errors import ServiceError
    from crm.services.landscape import cooperations as service

    looked = service.conflicting

    def slow_conflicting(*args, **kwargs):
        found = looked(*args, **kwargs)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(service, "conflicting", slow_conflicting)
    type_id = f.ctype_id(app)
    start = threading.Barrier(2)
    results: list[str] = []
    errors: list[BaseException] = []

    def capture() -> None:
        try:
            with app.app_context():
                values = {"source": db.session.get(Actor, pair["school"]),
                          "target": db.session.get(Actor, pair["kita"]),
                          "type": db.session.get(CooperationType, type_id), "start_date": date.today()}
                start.wait(timeout=10)
                try:
                    service.create_cooperation(db.session, values)
                    db.session.commit()
                    results.append("gespeichert")
                except ServiceError as error:
                    db.session.rollback()
                    results.append(error.message)
                db.session.remove()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=capture) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results)[-1] == "gespeichert" and "besteht in diesem Zeitraum bereits" in sorted(results)[0]
    assert _count(app) == 1
