"""Persons and affiliations: forms, rules, duplicate warning, conflicts, permissions, list and search."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Affiliation, Answer, AuditEntry, Invitation, LegalBasis, Person, Role
from tests import factories_coordinator as f


@pytest.fixture
def school(app) -> int:
    return f.actor(app, "Grundschule Olewig")


def _persons(app) -> list[Person]:
    with app.app_context():
        rows = db.session.scalars(select(Person).order_by(Person.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def test_create_person_with_first_affiliation(app, login_as, school) -> None:
    client = login_as(Role.COORDINATOR)
    page = client.get(f"/personen/neu?akteur={school}").get_data(as_text=True)
    assert 'value="Grundschule Olewig"' in page and f'name="actor_id" value="{school}"' in page
    response = client.post_form("/personen/neu", {
        "salutation": "Frau", "title": "Dr.", "first_name": "Anna", "last_name": "Schmidt",
        "email": "anna@privat.example", "phone": "0651 1", "legal_basis": "consent",
        "actor": "Grundschule Olewig", "actor_id": str(school), "function": "Schulleitung",
        "work_email": "schulleitung@gs-olewig.example", "from_date": "01.08.2019"})
    assert response.status_code == 302, response.get_data(as_text=True)
    person_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert (person.full_name, person.salutation, person.legal_basis) == ("Dr. Anna Schmidt", "Frau",
                                                                              LegalBasis.CONSENT)
        (affiliation,) = person.affiliations
        assert (affiliation.actor_id, affiliation.function, affiliation.email, affiliation.from_date) == (
            school, "Schulleitung", "schulleitung@gs-olewig.example", date(2019, 8, 1))
    page = client.get(f"/personen/{person_id}").get_data(as_text=True)
    assert "Schulleitung" in page and "schulleitung@gs-olewig.example" in page and "seit 01.08.2019" in page
    assert f"/datenschutz/personen/{person_id}" in page
    # And the actor page lists her.
    assert "Dr. Anna Schmidt" in client.get(f"/akteure/{school}").get_data(as_text=True)


@pytest.mark.parametrize("changes,message", [
    ({"last_name": ""}, "Bitte geben Sie den Nachnamen ein."),
    ({"email": "anna@"}, "Das ist keine gültige E-Mail-Adresse."),
    ({"work_email": "keine-adresse", "actor": "Grundschule Olewig"}, "Das ist keine gültige E-Mail-Adresse."),
    ({"legal_basis": "weil"}, "Ungültige Auswahl."),
    ({"salutation": "Majestät"}, "Ungültige Auswahl."),
    ({"actor": "Gibt es nicht"}, "Keinen Akteur „Gibt es nicht“ gefunden."),
    ({"from_date": "gestern"}, "Bitte ein gültiges Datum angeben (TT.MM.JJJJ)."),
])
def test_person_form_refuses_with_german_messages(app, login_as, school, changes, message) -> None:
    client = login_as(Role.COORDINATOR)
    values = {"first_name": "Anna", "last_name": "Schmidt", "legal_basis": "public_task", "notes": "bleibt"}
    response = client.post_form("/personen/neu", dict(values, **changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and "bleibt" in page
    assert _persons(app) == []


def test_duplicate_person_warning(app, login_as, school) -> None:
    existing = f.person(app, "Müller", "Jörg", "j.mueller@schule.example", actor_id=school)
    client = login_as(Role.COORDINATOR)
    response = client.post_form("/personen/neu", {"first_name": "Joerg", "last_name": "MUELLER",
                                                  "legal_basis": "public_task"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "gleicher Name" in page and f'/personen/{existing}"' in page
    # Same address as someone's work address at an actor.
    with app.app_context():
        db.session.get(Affiliation, 1).email = "sekretariat@gs-olewig.example"
        db.session.commit()
    page = client.post_form("/personen/neu", {"first_name": "Petra", "last_name": "Sekretariat",
                                              "email": "Sekretariat@GS-Olewig.example",
                                              "legal_basis": "public_task"}).get_data(as_text=True)
    assert "gleiche E-Mail-Adresse" in page
    response = client.post_form("/personen/neu", {"first_name": "Joerg", "last_name": "MUELLER",
                                                  "legal_basis": "public_task", "confirm_duplicate": "y"})
    assert response.status_code == 302
    assert len(_persons(app)) == 2


def test_edit_person_and_conflict(app, client, create_user) -> None:
    person_id = f.person(app, "Schmidt", "Anna", "anna@schule.example")
    first, second = create_user(Role.COORDINATOR), create_user(Role.COORDINATOR)
    other = app.test_client()
    client.login(first.email)
    other.login(second.email)
    page = client.get(f"/personen/{person_id}/bearbeiten").get_data(as_text=True)
    assert "Zugehörigkeit (optional)" not in page  # the first affiliation is for new persons only
    values = {"first_name": "Anna", "last_name": "Schmidt", "email": "anna@schule.example",
              "legal_basis": "public_task", "version_id": f.version_in(page)}
    assert other.post_form(f"/personen/{person_id}/bearbeiten", dict(values, phone="0651 2")).status_code == 302
    response = client.post_form(f"/personen/{person_id}/bearbeiten", dict(values, last_name="Schmidt-Weber"))
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Schmidt-Weber" in page and "0651 2" in page
    response = client.post_form(f"/personen/{person_id}/bearbeiten", dict(
        values, last_name="Schmidt-Weber", phone="0651 2", version_id=f.version_in(page)))
    assert response.status_code == 302
    assert _persons(app)[0].last_name == "Schmidt-Weber"


def test_permissions_for_personal_data(app, client, create_user, school) -> None:
    person_id = f.person(app, "Schmidt", "Anna", "anna@schule.example", actor_id=school)
    affiliation_id = 1
    expectations = {
        Role.VIEWER: {"view": 403, "edit": 403, "delete": 403},
        Role.ORGANISER: {"view": 200, "edit": 403, "delete": 403},
        Role.COORDINATOR: {"view": 200, "edit": 200, "delete": 200},
    }
    for role, expected in expectations.items():
        client.login(create_user(role).email)
        for url in ("/personen/", f"/personen/{person_id}", "/personen/suche.json?q=schm"):
            assert client.get(url).status_code == expected["view"], (role, url)
        for url in ("/personen/neu", f"/personen/{person_id}/bearbeiten", f"/personen/{person_id}/zugehoerigkeiten/neu",
                    f"/personen/zugehoerigkeiten/{affiliation_id}/bearbeiten",
                    f"/personen/zugehoerigkeiten/{affiliation_id}/beenden"):
            assert client.get(url).status_code == expected["edit"], (role, url)
        for url in (f"/personen/{person_id}/loeschen", f"/personen/{person_id}/zusammenfuehren",
                    f"/personen/zugehoerigkeiten/{affiliation_id}/loeschen"):
            assert client.get(url).status_code == expected["delete"], (role, url)
        if expected["delete"] == 403:
            assert client.post_form(f"/personen/{person_id}/loeschen", {"confirm": "y"}).status_code == 403
        client.post_form("/abmelden")
    assert len(_persons(app)) == 1


def test_affiliations_add_edit_end_delete(app, login_as, school) -> None:
    kita = f.actor(app, "Kita St. Anna", kind="Kita")
    person_id = f.person(app, "Schmidt", "Anna")
    client = login_as(Role.COORDINATOR)
    url = f"/personen/{person_id}/zugehoerigkeiten/neu"
    response = client.post_form(url, {"actor": "", "actor_id": "", "function": "Leitung"})
    assert response.status_code == 422 and "Bitte wählen Sie den Akteur." in response.get_data(as_text=True)
    response = client.post_form(url, {"actor_id": str(kita), "actor": "Kita St. Anna", "function": "Leitung",
                                      "from_date": "2020-01-01", "to_date": "2019-12-31"})
    assert response.status_code == 422 and "„Bis“ darf nicht vor „Von“ liegen." in response.get_data(as_text=True)
    response = client.post_form(url, {"actor_id": str(kita), "actor": "Kita St. Anna", "function": "Leitung",
                                      "email": "leitung@kita.example", "from_date": "2020-01-01", "is_primary": "y"})
    assert response.status_code == 302
    with app.app_context():
        affiliation_id = db.session.scalars(select(Affiliation.id)).one()
    # Edit, with a conflict check although affiliations carry no version column.
    edit_url = f"/personen/zugehoerigkeiten/{affiliation_id}/bearbeiten"
    page = client.get(edit_url).get_data(as_text=True)
    fingerprint = f.FINGERPRINT_RE.search(page).group(1)
    values = {"actor_id": str(kita), "actor": "Kita St. Anna", "function": "Kita-Leitung",
              "from_date": "2020-01-01", "fingerprint": fingerprint}
    assert client.post_form(edit_url, values).status_code == 302
    response = client.post_form(edit_url, dict(values, function="Stellvertretung"))  # stale fingerprint
    assert response.status_code == 409 and "wurde inzwischen von" in response.get_data(as_text=True)
    # End (today by default; not before the start): the row stays.
    end_url = f"/personen/zugehoerigkeiten/{affiliation_id}/beenden"
    response = client.post_form(end_url, {"end_date": "2019-01-01"})
    assert response.status_code == 422 and "„Bis“ darf nicht vor „Von“ liegen." in response.get_data(as_text=True)
    assert client.post_form(end_url, {"end_date": "2024-07-31"}).status_code == 302
    with app.app_context():
        affiliation = db.session.get(Affiliation, affiliation_id)
        assert (affiliation.function, affiliation.to_date) == ("Kita-Leitung", date(2024, 7, 31))
    page = client.get(f"/personen/{person_id}").get_data(as_text=True)
    assert "Früher" in page and "01.01.2020 – 31.07.2024" in page
    # Delete (mistake), confirmed.
    delete_url = f"/personen/zugehoerigkeiten/{affiliation_id}/loeschen"
    assert client.post_form(delete_url, {}).status_code == 422
    assert client.post_form(delete_url, {"confirm": "y"}).status_code == 302
    with app.app_context():
        assert db.session.get(Affiliation, affiliation_id) is None
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "Affiliation")
                                     .order_by(AuditEntry.id)).all()
        assert actions == ["create", "update", "update", "delete"]


def test_person_list_search_and_actor_filter(app, login_as, school) -> None:
    kita = f.actor(app, "Kita St. Anna", kind="Kita")
    f.person(app, "Schmidt", "Anna", "anna@schule.example", actor_id=school, function="MINT-Koordination")
    f.person(app, "Özdemir", "Cem", "cem@kita.example", actor_id=kita, function="Leitung")
    gone = f.person(app, "Anonym", "", "")
    with app.app_context():
        db.session.get(Person, gone).is_anonymised = True
        db.session.commit()
    client = login_as(Role.ORGANISER)

    def names(query: str) -> list[str]:
        page = client.get(f"/personen/?{query}").get_data(as_text=True)
        table = page.split('data-testid="person-list"', 1)[1].split("</table>", 1)[0]
        return re.findall(r'href="/personen/\d+">([^<]+)<', table)

    assert names("") == ["Özdemir, Cem", "Schmidt, Anna"]  # German order: Ö among the O's (crm.collation)
    assert names("q=oezdemir") == ["Özdemir, Cem"]
    assert names("q=mint") == ["Schmidt, Anna"]  # function
    assert names("q=kita.example") == ["Özdemir, Cem"]  # e-mail
    assert names(f"akteur={school}") == ["Schmidt, Anna"]
    page = client.get("/personen/?akteur=999").get_data(as_text=True)
    assert "Den Akteur „999“ gibt es nicht (mehr)" in page
    data = client.get("/personen/suche.json?q=anna").get_json()
    assert data == [{"id": 1, "name": "Anna Schmidt", "email": "anna@schule.example",
                     "actors": ["Grundschule Olewig"]}]


def test_delete_person_removes_invitations(app, login_as, school) -> None:
    person_id = f.person(app, "Fehler", "Falsch", actor_id=school)
    event_id = f.event(app)
    f.invite(app, event_id, person_id, school, Answer.ACCEPTED, attended=True)
    client = login_as(Role.COORDINATOR)
    page = client.get(f"/personen/{person_id}/loeschen").get_data(as_text=True)
    assert "Anonymisierung" in page
    assert client.post_form(f"/personen/{person_id}/loeschen", {"confirm": "y"}).status_code == 302
    with app.app_context():
        assert db.session.get(Person, person_id) is None
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
