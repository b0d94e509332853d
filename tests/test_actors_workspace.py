"""The actor page (people, timeline, initiatives, events, notes, history), the create form's duplicate
warning, and deleting a mistaken actor."""
from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import (
    Actor,
    Affiliation,
    Answer,
    AuditEntry,
    Cooperation,
    Invitation,
    Membership,
    MembershipRole,
    Person,
    Role,
)
from tests import factories_coordinator as f


def _section(page: str, testid: str) -> str:
    """The list marked with ``data-testid`` (up to its closing tag)."""
    match = re.search(rf'data-testid="{testid}".*?</(ul|ol)>', page, re.S)
    return match.group(0) if match else ""


def test_actor_page_shows_everything_about_the_actor(app, login_as) -> None:
    school = f.actor(app, "Grundschule Olewig", notes="Schulfest im Juni", external_ref="GS-1")
    kita = f.actor(app, "Kita St. Anna", kind="Kita")
    ihk = f.actor(app, "IHK Trier", kind="Industrie- und Handelskammer")
    f.cooperation(app, school, kita, start=date(2023, 5, 1), topics=["MINT"])
    f.cooperation(app, ihk, school, ctype="Förderung", start=date(2021, 2, 1), end=date(2022, 12, 31))
    f.cooperation(app, school, ihk, ctype="Informeller Austausch", start=None)
    anna = f.person(app, "Schmidt", "Anna", "anna.schmidt@schule.example", actor_id=school, function="Schulleitung")
    f.person(app, "Alt", "Otto", "otto@schule.example")
    with app.app_context():
        db.session.add(Affiliation(person_id=db.session.scalar(select(Person.id).where(Person.last_name == "Alt")),
                                   actor_id=school, function="Hausmeister", from_date=date(2010, 1, 1),
                                   to_date=date(2015, 7, 31)))
        db.session.commit()
    mint = f.initiative(app, "MINT-Lernen in Trier", members=((school, MembershipRole.LEAD),))
    conference = f.event(app, "Bildungskonferenz 2025")
    f.invite(app, conference, anna, school, Answer.ACCEPTED, attended=True)

    client = login_as(Role.COORDINATOR)
    client.post_form(f"/akteure/{school}/bearbeiten", {"name": "Grundschule Olewig", "kind": str(f.kind_id(app)),
                                                        "notes": "Schulfest im Juni", "external_ref": "GS-1",
                                                        "city": "Trier", "is_active": "y"})
    page = client.get(f"/akteure/{school}").get_data(as_text=True)
    # People with their functions; former ones apart.
    people = _section(page, "people")
    assert "Anna Schmidt" in people and "Schulleitung" in people and "anna.schmidt@schule.example" in people
    assert "Otto Alt" not in people and "1 frühere Person" in page and "Hausmeister" in page
    # The timeline, grouped by start year, newest first, the ended tie marked.
    timeline = page.split('data-testid="cooperation-timeline"', 1)[1]
    years = re.findall(r'timeline-year">([^<]+)<', timeline)
    assert years == ["2023", "2021", "ohne Beginn"]
    assert timeline.index("Kita St. Anna") < timeline.index("Förderung") < timeline.index("Informeller Austausch")
    ended = timeline.split("2021", 1)[1].split("ohne Beginn", 1)[0]
    assert 'data-testid="ended"' in ended and "erhält vom Partner" in ended  # directed: IHK funds the school
    assert "(1 laufend, 1 beendet)" not in page and "(2 laufend, 1 beendet)" in page
    # Initiatives with role, events attended by its people, notes, history.
    assert "MINT-Lernen in Trier" in page and "Leitung" in page and f"/initiativen/{mint}" in page
    assert "Bildungskonferenz 2025" in _section(page, "attended-events")
    assert "Schulfest im Juni" in page
    history = page.split('data-testid="history"', 1)[1]
    assert history.index("geändert") < history.index("angelegt")  # newest first
    assert "Ort" in history and "Trier" in history and "coordinator" in history


def test_viewer_sees_no_personal_data_on_the_actor_page(app, login_as) -> None:
    school = f.actor(app, "Grundschule Olewig")
    anna = f.person(app, "Schmidt", "Anna", "anna.schmidt@schule.example", actor_id=school)
    conference = f.event(app)
    f.invite(app, conference, anna, school, Answer.ACCEPTED, attended=True)
    client = login_as(Role.VIEWER)
    page = client.get(f"/akteure/{school}").get_data(as_text=True)
    assert "Schmidt" not in page and "anna.schmidt" not in page
    assert "Bildungskonferenz 2025" in page and "1 Person" in page  # numbers, not names
    assert 'data-testid="history"' not in page and "Kooperation erfassen" not in page
    assert client.get("/personen/").status_code == 403
    assert client.get(f"/personen/{anna}").status_code == 403


def test_duplicate_warning_before_saving_and_confirm(app, login_as) -> None:
    existing = f.actor(app, "Kita St. Anna e.V.", kind="Kita", email="info@kita-anna.example")
    client = login_as(Role.COORDINATOR)
    values = {"name": "KiTa Sankt-Anna", "kind": str(f.kind_id(app, "Kita")), "is_active": "y",
              "email": "INFO@kita-anna.example"}
    # Same normalised name.
    response = client.post_form("/akteure/neu", dict(values, name="kita st anna", email=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Diesen Eintrag gibt es vielleicht schon:" in page and "gleicher Name" in page
    assert f'href="/akteure/{existing}"' in page and "Trotzdem anlegen" in page
    assert 'value="kita st anna"' in page  # the input is kept
    # Same e-mail address, different name.
    page = client.post_form("/akteure/neu", values).get_data(as_text=True)
    assert "gleiche E-Mail-Adresse" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Actor)) == 1
    # Confirmed: saved.
    response = client.post_form("/akteure/neu", dict(values, confirm_duplicate="y"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Actor)) == 2


def test_no_warning_for_a_different_actor(app, login_as) -> None:
    f.actor(app, "Kita St. Anna", kind="Kita")
    client = login_as(Role.COORDINATOR)
    response = client.post_form("/akteure/neu", {"name": "Kita St. Josef", "kind": str(f.kind_id(app, "Kita"))})
    assert response.status_code == 302


def test_delete_needs_confirmation_and_keeps_the_rest(app, login_as) -> None:
    school = f.actor(app, "Grundschule Olewig")
    mistake = f.actor(app, "Grundschule Olewigg")
    child = f.actor(app, "Förderverein", kind="Verein / Verband", parent_id=mistake)
    tie = f.cooperation(app, mistake, school)
    anna = f.person(app, "Schmidt", "Anna", actor_id=mistake)
    f.initiative(app, "MINT", members=((mistake, MembershipRole.MEMBER),))
    conference = f.event(app)
    f.invite(app, conference, anna, mistake, Answer.ACCEPTED, attended=True)
    client = login_as(Role.COORDINATOR)
    page = client.get(f"/akteure/{mistake}/loeschen").get_data(as_text=True)
    assert "1 Kooperation(en) werden gelöscht" in page and "Zugehörigkeit(en) von Personen" in page
    response = client.post_form(f"/akteure/{mistake}/loeschen", {})
    assert response.status_code == 422 and "Bitte bestätigen Sie das Löschen." in response.get_data(as_text=True)
    response = client.post_form(f"/akteure/{mistake}/loeschen", {"confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/akteure/")
    with app.app_context():
        assert db.session.get(Actor, mistake) is None
        assert db.session.get(Cooperation, tie) is None
        assert db.session.get(Actor, child).parent_id is None
        assert db.session.get(Person, anna) is not None  # the person stays
        invitation = db.session.scalars(select(Invitation)).one()
        assert invitation.actor_id is None and invitation.person_id == anna
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 0
        deleted = {(e.entity_type, e.action) for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "delete"))}
        assert {("Actor", "delete"), ("Cooperation", "delete"), ("Membership", "delete"),
                ("Affiliation", "delete")} <= deleted


def test_delete_and_merge_are_for_coordinators_only(app, client, create_user) -> None:
    school = f.actor(app, "Grundschule Olewig")
    other = f.actor(app, "Grundschule Olewig (alt)")
    for role in (Role.VIEWER, Role.ORGANISER):
        client.login(create_user(role).email)
        for url in (f"/akteure/{school}/loeschen", f"/akteure/{school}/zusammenfuehren"):
            assert client.get(url).status_code == 403, (role, url)
        assert client.post_form(f"/akteure/{school}/loeschen", {"confirm": "y"}).status_code == 403
        assert client.post_form(f"/akteure/{school}/zusammenfuehren",
                                {"other_id": str(other), "keep": "this", "confirm": "y"}).status_code == 403
        page = client.get(f"/akteure/{school}").get_data(as_text=True)
        assert "/loeschen" not in page and "/zusammenfuehren" not in page
        client.post_form("/abmelden")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Actor)) == 2


def test_delete_refuses_a_post_without_csrf(app, login_as) -> None:
    school = f.actor(app, "Grundschule Olewig")
    client = login_as(Role.COORDINATOR)
    assert client.post(f"/akteure/{school}/loeschen", data={"confirm": "y"}).status_code == 400
    assert f.get(app, Actor, school) is not None


def test_pages_of_unknown_records_are_404(login_as) -> None:
    client = login_as(Role.ADMIN)
    for url in ("/akteure/999", "/akteure/999/loeschen", "/akteure/999/zusammenfuehren", "/kooperationen/999",
                "/personen/999", "/initiativen/999", "/kooperationen/999/beenden",
                "/personen/zugehoerigkeiten/999/bearbeiten", "/initiativen/mitgliedschaften/999/beenden"):
        assert client.get(url).status_code == 404, url


def test_history_renders_changes_readably(app, login_as) -> None:
    kita_area = f.area(app, "Trier-Nord")
    client = login_as(Role.COORDINATOR)
    response = client.post_form("/akteure/neu", {"name": "Kita Nord", "kind": str(f.kind_id(app, "Kita")),
                                                 "is_active": "y"})
    actor_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/akteure/{actor_id}/bearbeiten").get_data(as_text=True)
    client.post_form(f"/akteure/{actor_id}/bearbeiten", {
        "name": "Kita Trier-Nord", "kind": str(f.kind_id(app, "Kita")), "area": str(kita_area),
        "topics": str(f.topic_id(app, "MINT")), "version_id": f.version_in(page)})
    history = client.get(f"/akteure/{actor_id}").get_data(as_text=True).split('data-testid="history"', 1)[1]
    first = history.split("</li>", 1)[0]
    assert "geändert" in first
    assert "<del>Kita Nord</del>" in first and "Kita Trier-Nord" in first
    assert "Gebiet" in first and "Trier-Nord" in first and "area_id" not in first  # ids shown as names
    assert "Themenfelder" in first and "MINT" in first
    assert "Aktiv" in first and "<del>ja</del>" in first  # unticked box: is_active went to "nein"
    assert "angelegt" in history


def test_dates_past_today_are_shown_as_ending_later(app, login_as) -> None:
    school = f.actor(app, "Grundschule Olewig")
    kita = f.actor(app, "Kita St. Anna", kind="Kita")
    f.cooperation(app, school, kita, end=date.today() + timedelta(days=30))
    page = login_as(Role.VIEWER).get(f"/akteure/{school}").get_data(as_text=True)
    assert "endet am" in page and 'data-testid="ended"' not in page


def _actor_values(app, **values) -> dict:
    data = {"name": "Kita Nord", "kind": str(f.kind_id(app, "Kita")), "is_active": "y"}
    data.update(values)
    return data


def test_actor_form_refuses_over_long_values_with_german_messages(app, login_as) -> None:
    """Each text field is held to its column's length: PostgreSQL would refuse longer strings (500)."""
    client = login_as(Role.COORDINATOR)
    long_url = "https://www.example.org/" + "a" * 290
    for changes, message in [
        ({"website": long_url}, "nicht länger als 300 Zeichen"),
        ({"website": "javascript://alert(1)"}, "Bitte eine vollständige Adresse mit https:// angeben."),
        ({"email": "a" * 64 + "@" + "b" * 190 + ".example"}, "nicht länger als 254 Zeichen"),
        ({"name": "N" * 256}, "nicht länger als 255 Zeichen"),
        ({"short_name": "K" * 81}, "nicht länger als 80 Zeichen"),
        ({"street": "S" * 201}, "nicht länger als 200 Zeichen"),
        ({"city": "O" * 121}, "nicht länger als 120 Zeichen"),
        ({"phone": "0" * 61}, "nicht länger als 60 Zeichen"),
        ({"external_ref": "R" * 81}, "nicht länger als 80 Zeichen"),
    ]:
        response = client.post_form("/akteure/neu", _actor_values(app, **changes))
        page = response.get_data(as_text=True)
        assert response.status_code == 422, changes
        assert message in page, (changes, message)
        if "website" in changes:
            assert page.count("invalid-feedback") == 1, changes  # one message, not two
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Actor)) == 0


def test_active_from_and_until_on_the_form_and_the_page(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    response = client.post_form("/akteure/neu", _actor_values(app, active_from="2025-08-01", active_until="2025-07-31",
                                                             is_active=""))
    assert response.status_code == 422 and "„Tätig bis“ darf nicht vor „Tätig seit“ liegen." in response.get_data(
        as_text=True)
    past = (date.today() - timedelta(days=10)).isoformat()
    response = client.post_form("/akteure/neu", _actor_values(app, active_until=past))
    assert response.status_code == 422 and "ist nicht mehr aktiv" in response.get_data(as_text=True)
    response = client.post_form("/akteure/neu", _actor_values(app, active_from="01.08.2019"))
    assert response.status_code == 302
    actor_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/akteure/{actor_id}").get_data(as_text=True)
    assert "Tätig" in page and "seit 01.08.2019" in page
    form = client.get(f"/akteure/{actor_id}/bearbeiten").get_data(as_text=True)
    assert "Tätig seit" in form and "Tätig bis" in form and 'value="2019-08-01"' in form

    # Switched to "nicht mehr aktiv" without a day: the service fills in today.
    response = client.post_form(f"/akteure/{actor_id}/bearbeiten", _actor_values(
        app, is_active="", active_from="2019-08-01", version_id=f.version_in(form)))
    assert response.status_code == 302
    actor = f.get(app, Actor, actor_id)
    assert (actor.is_active, actor.active_from, actor.active_until) == (False, date(2019, 8, 1), date.today())
    page = client.get(f"/akteure/{actor_id}").get_data(as_text=True)
    assert f"01.08.2019 – {date.today():%d.%m.%Y}" in page
    assert "Tätig bis" in page.split('data-testid="history"', 1)[1].split("</li>", 1)[0]

    # Saving again (still inactive) keeps the day; a day given by the user is kept as given.
    form = client.get(f"/akteure/{actor_id}/bearbeiten").get_data(as_text=True)
    client.post_form(f"/akteure/{actor_id}/bearbeiten", _actor_values(
        app, is_active="", active_from="2019-08-01", active_until="2024-12-31", version_id=f.version_in(form)))
    assert f.get(app, Actor, actor_id).active_until == date(2024, 12, 31)
    # Entered as inactive from the start: nobody knows since when, nothing is filled in.
    response = client.post_form("/akteure/neu", _actor_values(app, name="Kita Alt", is_active=""))
    assert f.get(app, Actor, int(response.headers["Location"].rsplit("/", 1)[1])).active_until is None


def test_parent_is_picked_by_typing(app, login_as) -> None:
    """The parent is an autocomplete field (a <select> of every actor would grow with the landscape)."""
    dezernat = f.actor(app, "Dezernat II")
    f.actor(app, "Dezernat III")
    client = login_as(Role.COORDINATOR)
    page = client.get("/akteure/neu").get_data(as_text=True)
    assert 'name="parent_id"' in page and "Dezernat III</option>" not in page and "js/autocomplete.js" in page
    response = client.post_form("/akteure/neu", _actor_values(app, name="Amt für Schulen", parent="",
                                                             parent_id=str(dezernat)))
    assert response.status_code == 302
    amt = int(response.headers["Location"].rsplit("/", 1)[1])
    assert f.get(app, Actor, amt).parent_id == dezernat
    # Typed without choosing: resolved on the server when the name is clear, refused when not.
    response = client.post_form("/akteure/neu", _actor_values(app, name="Amt für Jugend", parent="Dezernat II"))
    assert response.status_code == 302
    response = client.post_form("/akteure/neu", _actor_values(app, name="Amt für Soziales", parent="Dezernat"))
    assert response.status_code == 422 and "Mehrere Akteure passen zu „Dezernat“" in response.get_data(as_text=True)
    # Not below itself.
    form = client.get(f"/akteure/{dezernat}/bearbeiten").get_data(as_text=True)
    response = client.post_form(f"/akteure/{dezernat}/bearbeiten", _actor_values(
        app, name="Dezernat II", parent="", parent_id=str(amt), version_id=f.version_in(form)))
    assert response.status_code == 422 and "nicht sich selbst oder einem eigenen" in response.get_data(as_text=True)


def test_inactive_vocabulary_cannot_be_chosen_but_is_kept(app, login_as) -> None:
    """A deactivated topic is not offered; a crafted POST with its id is refused in German; a record
    that already has it keeps it when saved. All chosen ids are loaded in one query."""
    from sqlalchemy import event

    from crm.models import Topic

    mint, bne = f.topic_id(app, "MINT"), f.topic_id(app, "Inklusion")
    school = f.actor(app, "Grundschule Olewig", topics=["Inklusion"])
    with app.app_context():
        db.session.get(Topic, bne).is_active = False
        db.session.commit()
    client = login_as(Role.COORDINATOR)
    page = client.get("/akteure/neu").get_data(as_text=True)
    assert ">Inklusion<" not in page and ">MINT<" in page
    response = client.post_form("/akteure/neu", _actor_values(app, topics=[str(mint), str(bne)]))
    assert response.status_code == 422
    message = "„Inklusion“ kann nicht mehr gewählt werden (in der Verwaltung deaktiviert)"
    assert message in response.get_data(as_text=True)

    form = client.get(f"/akteure/{school}/bearbeiten").get_data(as_text=True)
    assert "Inklusion (deaktiviert)" in form
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if "FROM topics" in statement:
            statements.append(statement)

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            response = client.post_form(f"/akteure/{school}/bearbeiten", _actor_values(
                app, name="Grundschule Olewig", kind=str(f.kind_id(app)), topics=[str(mint), str(bne)],
                version_id=f.version_in(form)))
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 302
    chosen = [s for s in statements if " IN " in s.upper()]
    assert len(chosen) == 1, statements  # one query for both ids, not one per id
    with app.app_context():
        assert sorted(t.name for t in db.session.get(Actor, school).topics) == ["Inklusion", "MINT"]
