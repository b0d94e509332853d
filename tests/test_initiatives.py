"""Initiatives and memberships: forms, rules (dates, one current membership), ending, conflicts, deleting."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import AuditEntry, Cooperation, Initiative, InitiativeKind, Membership, MembershipRole, Role
from tests import factories_coordinator as f


@pytest.fixture
def actors(app):
    return {"school": f.actor(app, "Grundschule Olewig"), "ihk": f.actor(app, "IHK Trier",
                                                                           kind="Industrie- und Handelskammer")}


def _memberships(app) -> list[tuple]:
    with app.app_context():
        return [(m.actor_id, m.role, m.joined_on, m.left_on) for m in
                db.session.scalars(select(Membership).order_by(Membership.id))]


def test_create_initiative_and_its_rules(app, login_as) -> None:
    f.initiative(app, "Bündnis für Alphabetisierung")
    client = login_as(Role.COORDINATOR)
    values = {"name": "MINT-Lernen in Trier", "short_name": "MINT", "kind": "alliance", "start_date": "2021-09-01",
              "website": "https://mint.trier.example", "topics": str(f.topic_id(app)), "description": "Netzwerk"}
    for changes, message in [
        ({"name": ""}, "Bitte geben Sie einen Namen ein."),
        ({"name": "bündnis für alphabetisierung"}, "Eine Initiative mit diesem Namen gibt es bereits."),
        ({"end_date": "2021-08-31"}, "Das Ende darf nicht vor dem Beginn liegen."),
        ({"kind": "sekte"}, "Ungültige Auswahl."),
        ({"website": "javascript:alert(1)"}, "Bitte eine vollständige Adresse mit https:// angeben."),
    ]:
        response = client.post_form("/initiativen/neu", dict(values, **changes))
        page = response.get_data(as_text=True)
        assert response.status_code == 422, changes
        assert message in page and "Netzwerk" in page, changes
    response = client.post_form("/initiativen/neu", values)
    assert response.status_code == 302
    with app.app_context():
        initiative = db.session.scalars(select(Initiative).where(Initiative.short_name == "MINT")).one()
        assert initiative.kind == InitiativeKind.ALLIANCE and initiative.start_date == date(2021, 9, 1)
        assert [t.name for t in initiative.topics] == ["MINT"]


def test_memberships_with_roles_and_dates(app, login_as, actors) -> None:
    initiative_id = f.initiative(app, "MINT-Lernen in Trier")
    client = login_as(Role.COORDINATOR)
    url = f"/initiativen/{initiative_id}/mitglieder/neu"
    page = client.get(f"{url}?akteur={actors['school']}").get_data(as_text=True)
    assert 'value="Grundschule Olewig"' in page and f'value="{date.today().isoformat()}"' in page
    base = {"actor": "Grundschule Olewig", "actor_id": str(actors["school"]), "role": "lead",
            "joined_on": "2022-01-01"}
    assert client.post_form(url, base).status_code == 302
    for changes, message in [
        ({}, "ist in diesem Zeitraum bereits Mitglied von „MINT-Lernen in Trier“ (Leitung, 01.01.2022 bis offen)"),
        ({"joined_on": "2020-01-01", "left_on": "2022-06-30"}, "ist in diesem Zeitraum bereits Mitglied"),
        ({"joined_on": "2020-01-01", "left_on": "2019-06-30"},
         "„Ausgetreten am“ darf nicht vor „Beigetreten am“ liegen."),
        ({"role": "chef"}, "Ungültige Auswahl."),
        ({"actor_id": "", "actor": ""}, "Bitte wählen Sie den Akteur."),
    ]:
        response = client.post_form(url, dict(base, **changes))
        assert response.status_code == 422, changes
        assert message in response.get_data(as_text=True), changes
    # An earlier, closed membership of the same actor: fine (history).
    assert client.post_form(url, dict(base, role="member", joined_on="2019-01-01",
                                      left_on="2021-12-31")).status_code == 302
    assert client.post_form(url, {"actor": "IHK Trier", "actor_id": str(actors["ihk"]), "role": "funder",
                                  "joined_on": ""}).status_code == 302
    assert _memberships(app) == [
        (actors["school"], MembershipRole.LEAD, date(2022, 1, 1), None),
        (actors["school"], MembershipRole.MEMBER, date(2019, 1, 1), date(2021, 12, 31)),
        (actors["ihk"], MembershipRole.FUNDER, None, None)]
    page = client.get(f"/initiativen/{initiative_id}").get_data(as_text=True)
    assert "Leitung" in page and "Förderer" in page and "ausgetreten" in page
    assert "MINT-Lernen in Trier" in client.get(f"/akteure/{actors['ihk']}").get_data(as_text=True)


def test_ending_a_membership_keeps_it(app, login_as, actors) -> None:
    initiative_id = f.initiative(app, "MINT", members=((actors["ihk"], MembershipRole.PARTNER),))
    with app.app_context():
        membership_id = db.session.scalars(select(Membership.id)).one()
    client = login_as(Role.COORDINATOR)
    url = f"/initiativen/mitgliedschaften/{membership_id}/beenden"
    assert f'value="{date.today().isoformat()}"' in client.get(url).get_data(as_text=True)
    response = client.post_form(url, {"end_date": "2023-12-31"})
    assert response.status_code == 422
    assert "darf nicht vor dem Beitritt (01.01.2024) liegen" in response.get_data(as_text=True)
    assert client.post_form(url, {"end_date": "2025-03-31"}).status_code == 302
    assert _memberships(app) == [(actors["ihk"], MembershipRole.PARTNER, date(2024, 1, 1), date(2025, 3, 31))]
    page = client.get(f"/akteure/{actors['ihk']}").get_data(as_text=True)
    assert "01.01.2024 – 31.03.2025" in page and "ausgetreten" in page
    # Rejoining after leaving is allowed.
    assert client.post_form(f"/initiativen/{initiative_id}/mitglieder/neu", {
        "actor_id": str(actors["ihk"]), "actor": "IHK Trier", "role": "member", "joined_on": "2025-06-01"}
    ).status_code == 302


def test_membership_edit_conflict(app, login_as, actors) -> None:
    f.initiative(app, "MINT", members=((actors["ihk"], MembershipRole.PARTNER),))
    client = login_as(Role.COORDINATOR)
    url = "/initiativen/mitgliedschaften/1/bearbeiten"
    fingerprint = f.FINGERPRINT_RE.search(client.get(url).get_data(as_text=True)).group(1)
    values = {"actor_id": str(actors["ihk"]), "actor": "IHK Trier", "role": "lead", "joined_on": "2024-01-01",
              "fingerprint": fingerprint}
    assert client.post_form(url, values).status_code == 302
    response = client.post_form(url, dict(values, role="member"))
    assert response.status_code == 409 and "wurde inzwischen von" in response.get_data(as_text=True)
    assert _memberships(app)[0][1] == MembershipRole.LEAD


def test_initiative_edit_conflict(app, client, create_user) -> None:
    initiative_id = f.initiative(app, "MINT-Lernen")
    first, second = create_user(Role.COORDINATOR), create_user(Role.ADMIN)
    other = app.test_client()
    client.login(first.email)
    other.login(second.email)
    version = f.version_in(client.get(f"/initiativen/{initiative_id}/bearbeiten").get_data(as_text=True))
    values = {"name": "MINT-Lernen", "kind": "alliance", "version_id": version}
    assert other.post_form(f"/initiativen/{initiative_id}/bearbeiten", dict(values, short_name="ML")).status_code == 302
    response = client.post_form(f"/initiativen/{initiative_id}/bearbeiten", dict(values, description="Neu"))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert second.email in page and "Neu" in page and "ML" in page


def test_delete_initiative_and_membership(app, client, create_user, actors) -> None:
    initiative_id = f.initiative(app, "Versehen", members=((actors["school"], MembershipRole.MEMBER),
                                                           (actors["ihk"], MembershipRole.LEAD)))
    tie = f.cooperation(app, actors["school"], actors["ihk"], initiative_id=initiative_id)
    for role in (Role.VIEWER, Role.ORGANISER):
        client.login(create_user(role).email)
        assert client.get(f"/initiativen/{initiative_id}/loeschen").status_code == 403
        assert client.post_form("/initiativen/mitgliedschaften/1/loeschen", {"confirm": "y"}).status_code == 403
        client.post_form("/abmelden")
    client.login(create_user(Role.COORDINATOR).email)
    assert client.post_form("/initiativen/mitgliedschaften/1/loeschen", {"confirm": "y"}).status_code == 302
    page = client.get(f"/initiativen/{initiative_id}/loeschen").get_data(as_text=True)
    assert "1 Mitgliedschaft(en) werden gelöscht" in page
    assert client.post_form(f"/initiativen/{initiative_id}/loeschen", {}).status_code == 422
    assert client.post_form(f"/initiativen/{initiative_id}/loeschen", {"confirm": "y"}).status_code == 302
    with app.app_context():
        assert db.session.get(Initiative, initiative_id) is None
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 0
        assert db.session.get(Cooperation, tie).initiative_id is None  # the tie stays
        deleted = db.session.scalars(select(AuditEntry.entity_type).where(AuditEntry.action == "delete")).all()
        assert sorted(deleted) == ["Initiative", "Membership", "Membership"]


def test_initiative_list_filters(app, login_as, actors) -> None:
    f.initiative(app, "MINT-Lernen in Trier", kind=InitiativeKind.ALLIANCE)
    f.initiative(app, "Knotenpunkte", kind=InitiativeKind.PROJECT, start_date=date(2019, 1, 1),
                 end_date=date(2021, 12, 31))
    client = login_as(Role.VIEWER)

    def names(query: str) -> list[str]:
        page = client.get(f"/initiativen/?{query}").get_data(as_text=True)
        table = page.split('data-testid="initiative-list"', 1)[1].split("</table>", 1)[0]
        return re.findall(r'href="/initiativen/\d+">([^<]+)<', table)

    assert names("") == ["Knotenpunkte", "MINT-Lernen in Trier"]
    assert names("art=project") == ["Knotenpunkte"]
    assert names("status=beendet") == ["Knotenpunkte"]
    assert names("status=laufend&q=mint") == ["MINT-Lernen in Trier"]
    page = client.get("/initiativen/?art=sekte&thema=x").get_data(as_text=True)
    assert "Unbekannte Art „sekte“" in page and "2 Initiativen" in page


def test_javascript_website_is_not_a_link(app, login_as) -> None:
    initiative_id = f.initiative(app, "Altbestand", website="javascript:alert(1)")
    page = login_as(Role.VIEWER).get(f"/initiativen/{initiative_id}").get_data(as_text=True)
    assert 'href="javascript' not in page and "javascript:alert(1)" in page


def test_a_bad_website_is_reported_once(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    for website in ("javascript:alert(1)", "ftp://dateien.example", "https://www.example.org/" + "x" * 290):
        response = client.post_form("/initiativen/neu", {"name": "MINT-Lernen", "kind": "project", "website": website})
        page = response.get_data(as_text=True)
        assert response.status_code == 422, website
        errors = re.findall(r'id="website-error">([^<]+)<', page)
        assert len(errors) == 1, (website, errors)
    assert "https://" in errors[0] or "300" in errors[0]
