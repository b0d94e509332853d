"""Suggested ties as an invitation list: the page "Vorschläge für neue Verbindungen" and its form."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from crm.extensions import db
from crm.models import AuditEntry, Invitation, Person, Role
from tests import factories_coordinator as f

PAGE = "/analyse/vorschlaege"


def _landscape(app) -> dict[str, int]:
    """Two MINT schools in Ehrang share the IHK as partner but do not work together: the top
    suggestion. A MINT club and a volunteer also hang off the IHK; the club has no contact person."""
    ehrang = f.area(app, "Trier-Ehrang")
    ids = {
        "gs": f.actor(app, "Grundschule Ehrang", "Grundschule", area_id=ehrang, topics=["MINT"],
                      life_stages=["primar"]),
        "rs": f.actor(app, "Realschule plus Ehrang", "Realschule plus", area_id=ehrang, topics=["MINT"],
                      life_stages=["sek"]),
        "ihk": f.actor(app, "IHK Trier", "Industrie- und Handelskammer", area_id=ehrang, topics=["MINT"]),
        "club": f.actor(app, "MINT-Freunde e. V.", "Verein / Verband", area_id=ehrang, topics=["MINT"]),
        "erika": f.actor(app, "Erika Mustermann", "Ehrenamtliche Person", area_id=ehrang, topics=["MINT"]),
    }
    for other in ("gs", "rs", "club", "erika"):
        f.cooperation(app, ids["ihk"], ids[other], start=date(2023, 1, 1))
    ids["p_gs"] = f.person(app, "Schulz", "Gabi", "g.schulz@gs-ehrang.example", ids["gs"])
    ids["p_rs"] = f.person(app, "Rau", "Rainer", "r.rau@rs-ehrang.example", ids["rs"])
    ids["p_out"] = f.person(app, "Ohne", "Olga", "o.ohne@rs-ehrang.example", ids["rs"], is_opted_out=True)
    ids["p_erika"] = f.person(app, "Mustermann", "Erika", "erika@privat.example", ids["erika"], function="Ehrenamt")
    with app.app_context():   # left the school last year: no current affiliation, not invited
        from crm.models import Affiliation

        gone = Person(last_name="Alt", first_name="Albert", email="a.alt@gs-ehrang.example")
        db.session.add(gone)
        db.session.flush()
        db.session.add(Affiliation(person_id=gone.id, actor_id=ids["gs"], from_date=date(2015, 1, 1),
                                   to_date=date.today() - timedelta(days=365)))
        db.session.commit()
        ids["p_gone"] = gone.id
    ids["event"] = f.event(app, "Bildungsgespräch MINT", starts_at=datetime.now(UTC) + timedelta(days=30))
    ids["past"] = f.event(app, "Bildungskonferenz 2020", starts_at=datetime(2020, 11, 5, 8, tzinfo=UTC))
    return ids


def _invited(app, event_id: int) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(Invitation.person_id).where(Invitation.event_id == event_id)))


def _pair(a: int, b: int) -> str:
    return f"{min(a, b)}-{max(a, b)}"


def test_anyone_with_the_landscape_sees_ranked_suggestions_with_reasons(app, login_as) -> None:
    ids = _landscape(app)
    client = login_as(Role.VIEWER)
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Vorschläge für neue Verbindungen" in page
    rows = re.findall(r'<tr data-testid="suggestion">(.*?)</tr>', page, re.S)
    assert rows and "Grundschule Ehrang" in rows[0] and "Realschule plus Ehrang" in rows[0]
    assert "1 gemeinsamer Partner" in rows[0] and "gemeinsames Themenfeld MINT" in rows[0]
    # A viewer may look but not invite; a volunteer acting in her own right is named, as on her
    # actor page, but her contact data is not shown (crm/services/landscape/naming.py).
    assert 'data-testid="invite-form"' not in page and "Zur Einladungsliste" not in page
    assert "Erika Mustermann" in page and "erika@privat.example" not in page
    assert client.get(f"{PAGE}?event={ids['event']}").get_data(as_text=True).count("invite-form") == 0
    assert client.post_form(f"{PAGE}/einladen?event={ids['event']}", {"pairs": _pair(ids["gs"], ids["rs"])}
                            ).status_code == 403
    # A bad cut is a German message, not a crash.
    bad = client.get(f"{PAGE}?as_of=30.06.2026")
    assert bad.status_code == 422 and "kein Datum" in bad.get_data(as_text=True)


def test_organiser_puts_both_sides_of_a_suggestion_on_the_invitation_list(app, login_as) -> None:
    ids = _landscape(app)
    client = login_as(Role.ORGANISER)
    page = client.get(f"{PAGE}?event={ids['event']}").get_data(as_text=True)
    assert "Zur Einladungsliste von „Bildungsgespräch MINT“" in page
    assert "Bildungskonferenz 2020" not in page                       # past events take no invitations
    assert "keine Ansprechperson bei MINT-Freunde e. V." in page      # the club has nobody to invite
    assert f'value="{_pair(ids["club"], ids["ihk"])}"' not in page

    response = client.post_form(f"{PAGE}/einladen?event={ids['event']}", {"pairs": _pair(ids["gs"], ids["rs"])})
    assert response.status_code == 302 and f"event={ids['event']}" in response.headers["Location"]
    # Both schools' current contacts are invited; the one who objected and the one who left are not.
    assert _invited(app, ids["event"]) == {ids["p_gs"], ids["p_rs"]}
    with app.app_context():
        reasons = [e.summary for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "Invitation", AuditEntry.summary.like("Vorschlag:%")))]
        invitations = db.session.scalars(select(Invitation).where(Invitation.event_id == ids["event"])).all()
        assert {i.answer.value for i in invitations} == {"pending"} and all(i.invited_at is None for i in invitations)
    assert len(reasons) == 2
    assert reasons[0].startswith("Vorschlag: Grundschule Ehrang – Realschule plus Ehrang (1 gemeinsamer Partner")
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 Personen stehen jetzt auf der Einladungsliste von „Bildungsgespräch MINT“" in done
    assert "hat widersprochen (keine E-Mails): 1" in done

    again = client.post_form(f"{PAGE}/einladen?event={ids['event']}", {"pairs": _pair(ids["gs"], ids["rs"])})
    assert "0 Personen stehen jetzt" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert _invited(app, ids["event"]) == {ids["p_gs"], ids["p_rs"]}


def test_bad_choices_are_refused_with_a_message(app, login_as) -> None:
    ids = _landscape(app)
    client = login_as(Role.COORDINATOR)
    url = f"{PAGE}/einladen?event={ids['event']}"
    client.follow_computing = False
    early = client.post_form(url, {})  # before the suggestions were ever computed: back to the page
    assert early.status_code == 303 and early.headers["Location"].startswith(f"{PAGE}?event=")
    assert client.get(early.headers["Location"]).status_code == 202  # the progress page
    client.follow_computing = True
    assert client.get(f"{PAGE}?event={ids['event']}").status_code == 200  # as the user sees them
    nothing = client.post_form(url, {})
    assert nothing.status_code == 422 and "mindestens einen Vorschlag" in nothing.get_data(as_text=True)
    forged = client.post_form(url, {"pairs": f"{ids['gs']}-99999"})
    assert forged.status_code == 422
    unreachable = client.post_form(url, {"pairs": _pair(ids["club"], ids["gs"])})
    assert unreachable.status_code == 422
    no_token = client.post(url, data={"pairs": _pair(ids["gs"], ids["rs"])})
    assert no_token.status_code in (400, 422)
    past = client.post_form(f"{PAGE}/einladen?event={ids['past']}", {"pairs": _pair(ids["gs"], ids["rs"])})
    assert past.status_code == 422 and "kann niemand mehr eingeladen werden" in past.get_data(as_text=True)
    assert client.post_form(f"{PAGE}/einladen?event=99999", {"pairs": _pair(ids["gs"], ids["rs"])}).status_code == 404
    assert _invited(app, ids["event"]) == set() and _invited(app, ids["past"]) == set()


def test_the_organiser_sees_the_volunteer_by_name_and_can_invite_her(app, login_as) -> None:
    ids = _landscape(app)
    client = login_as(Role.ORGANISER)
    page = client.get(f"{PAGE}?event={ids['event']}").get_data(as_text=True)
    assert "Erika Mustermann" in page
    pair = _pair(ids["erika"], ids["gs"])          # all six pairs around the IHK are suggested
    assert f'value="{pair}"' in page
    response = client.post_form(f"{PAGE}/einladen?event={ids['event']}", {"pairs": pair})
    assert response.status_code == 302
    assert ids["p_erika"] in _invited(app, ids["event"])


def test_the_network_page_links_to_the_suggestions_of_its_cut(app, login_as) -> None:
    _landscape(app)
    client = login_as(Role.VIEWER)
    page = client.get("/netzwerk/?layers=cooperation&topics=MINT").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" data-testid="suggestions-link">', page)
    assert link, "no link to the suggestions"
    url = link.group(1).replace("&amp;", "&")
    assert url.startswith(PAGE) and "topics=MINT" in url and "layers=cooperation" in url
    assert client.get(url).status_code == 200


def test_a_contact_with_two_workplaces_is_invited_for_the_suggested_actor(app, login_as) -> None:
    """Gabi Schulz also chairs the MINT club (her primary affiliation); the suggestion is about
    her school, so the invitation names the school, not the club."""
    ids = _landscape(app)
    with app.app_context():
        from crm.models import Affiliation

        db.session.add(Affiliation(person_id=ids["p_gs"], actor_id=ids["club"], function="Vorsitz", is_primary=True))
        db.session.commit()
    client = login_as(Role.ORGANISER)
    client.get(f"{PAGE}?event={ids['event']}")  # the page the organiser chooses on
    response = client.post_form(f"{PAGE}/einladen?event={ids['event']}", {"pairs": _pair(ids["gs"], ids["rs"])})
    assert response.status_code == 302
    with app.app_context():
        actor_of = {i.person_id: i.actor_id for i in db.session.scalars(
            select(Invitation).where(Invitation.event_id == ids["event"]))}
    assert actor_of == {ids["p_gs"]: ids["gs"], ids["p_rs"]: ids["rs"]}
