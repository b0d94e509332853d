"""Offers in the app: the coordinators' pages create, change and delete offers through real HTTP
round trips (CSRF, permission, German errors on a re-rendered form), the audit log records each
step, and an actor's agreement to be listed is recorded with the day and who recorded it."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from crm.extensions import db
from crm.models import Actor, AuditEntry, Offer, OfferStatus, Person, Role, TargetGroup, Topic
from crm.services.offers import offers as offer_service


def _ids(app, model, *names):
    with app.app_context():
        rows = db.session.scalars(select(model).where(model.name.in_(names))).all()
        return [str(r.id) for r in rows]


def _form(app, provider_pk: int, **overrides):
    data = {"title": "Roboter-AG für Kinder", "provider": "Grundschule Olewig", "provider_id": str(provider_pk),
            "description": "Kinder bauen Roboter.", "format": "Kurs", "topics": _ids(app, Topic, "MINT"),
            "target_groups": _ids(app, TargetGroup, "Kinder"), "is_ongoing": "y", "is_free": "y",
            "languages": "Deutsch, Englisch", "contact_email": "anmeldung@gs-olewig.example",
            "status": "published", "confirmed_on": date.today().isoformat()}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_coordinator_creates_edits_and_deletes_an_offer(app, login_as, create_actor) -> None:
    actor_id = create_actor("Grundschule Olewig", kind="Grundschule")
    client = login_as(Role.COORDINATOR)

    page = client.get(f"/angebote/neu?anbieter={actor_id}")
    assert page.status_code == 200
    assert 'value="Grundschule Olewig"' in page.get_data(as_text=True)  # the provider is filled in

    response = client.post_form("/angebote/neu", _form(app, actor_id))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        offer = db.session.scalars(select(Offer)).one()
        offer_id = offer.id
        assert [a.name for a in offer.providers] == ["Grundschule Olewig"]
        assert offer.status is OfferStatus.PUBLISHED and offer.is_free and offer.is_ongoing
        assert [t.name for t in offer.target_groups] == ["Kinder"]
        assert offer.languages == "Deutsch, Englisch"
        assert "robot" in offer.search_text and "olewig" in offer.search_text
    assert response.headers["Location"].endswith(f"/angebote/{offer_id}")

    shown = client.get(f"/angebote/{offer_id}").get_data(as_text=True)
    assert "Roboter-AG für Kinder" in shown and "veröffentlicht" in shown
    # not public yet: the provider has not agreed to be listed
    assert "nicht jeder Anbieter hat der Nennung im Bildungsportal zugestimmt" in shown
    actor_page = client.get(f"/akteure/{actor_id}").get_data(as_text=True)
    assert f"/angebote/{offer_id}" in actor_page and f"/angebote/neu?anbieter={actor_id}" in actor_page
    assert "/angebote/" in client.get("/").get_data(as_text=True)  # linked from the navigation

    edit = client.get(f"/angebote/{offer_id}/bearbeiten").get_data(as_text=True)
    assert "Roboter-AG für Kinder" in edit
    with app.app_context():
        version = db.session.get(Offer, offer_id).version_id
    response = client.post_form(f"/angebote/{offer_id}/bearbeiten",
                                _form(app, actor_id, title="Roboter-AG", status="ended", is_free=None,
                                      cost="5 €", version_id=str(version)))
    assert response.status_code == 302
    with app.app_context():
        offer = db.session.get(Offer, offer_id)
        assert offer.title == "Roboter-AG" and offer.status is OfferStatus.ENDED and not offer.is_free

    assert client.get(f"/angebote/{offer_id}/loeschen").status_code == 200
    response = client.post_form(f"/angebote/{offer_id}/loeschen", {"confirm": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Offer, offer_id) is None
        actions = [e.action for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "Offer", AuditEntry.entity_id == offer_id)
            .order_by(AuditEntry.id))]
        assert actions == ["create", "update", "delete"]


def test_bad_input_is_refused_in_german_and_the_form_keeps_it(app, login_as, create_actor) -> None:
    actor_id = create_actor("Grundschule Olewig", kind="Grundschule")
    client = login_as(Role.COORDINATOR)

    cases = [
        ({"title": ""}, "Bitte geben Sie einen Titel ein."),
        ({"provider": "", "provider_id": ""}, "Bitte nennen Sie mindestens einen Anbieter."),
        ({"provider": "Gibt es nicht", "provider_id": ""}, "Keinen Akteur „Gibt es nicht“ gefunden."),
        ({"is_ongoing": None, "starts_on": ""}, "Ein veröffentlichtes Angebot braucht einen Beginn"),
        ({"is_ongoing": None, "starts_on": "2026-05-01", "ends_on": "2026-04-01"},
         "Das Ende darf nicht vor dem Beginn liegen."),
        ({"starts_on": "31.02.2026"}, "Bitte ein gültiges Datum angeben"),
        ({"url": "javascript:alert(1)"}, "Bitte eine vollständige Adresse mit https:// angeben."),
        ({"contact_email": "kein-at"}, "Das ist keine gültige E-Mail-Adresse."),
        ({"contact_person": "niemand@nirgends.example"}, "Keine Person mit der E-Mail-Adresse"),
        ({"confirmed_on": (date.today() + timedelta(days=3)).isoformat()},
         "Die Bestätigung kann nicht in der Zukunft liegen."),
        ({"title": "x" * 300}, "Feld kann nicht länger als 255 Zeichen sein."),
    ]
    for overrides, message in cases:
        response = client.post_form("/angebote/neu", _form(app, actor_id, **overrides))
        body = response.get_data(as_text=True)
        assert response.status_code == 422, (overrides, response.status_code)
        assert message in body, (overrides, message)
        assert "Bitte prüfen Sie die markierten Felder." in body or "alert-danger" in body
    # what the user typed is still there
    response = client.post_form("/angebote/neu", _form(app, actor_id, title="Mein <b>Kurs</b>", starts_on="x"))
    body = response.get_data(as_text=True)
    assert 'value="Mein &lt;b&gt;Kurs&lt;/b&gt;"' in body
    with app.app_context():
        assert db.session.scalars(select(Offer)).all() == []

    # without the CSRF token nothing is saved
    response = client.post("/angebote/neu", data={**_form(app, actor_id), "csrf_token": "falsch"})
    assert response.status_code in (400, 422)
    with app.app_context():
        assert db.session.scalars(select(Offer)).all() == []


def test_viewer_and_organiser_cannot_write(app, client, create_user, create_actor) -> None:
    actor_id = create_actor("Grundschule Olewig", kind="Grundschule")
    for role in (Role.VIEWER, Role.ORGANISER):
        client.login(create_user(role).email)
        assert client.get("/angebote/").status_code == 200
        assert client.get("/angebote/neu").status_code == 403
        assert client.post_form("/angebote/neu", _form(app, actor_id)).status_code == 403
        assert client.get(f"/angebote/akteur/{actor_id}/portal").status_code == 403
        client.post_form("/abmelden")
    assert client.get("/angebote/").status_code == 302  # anonymous: to the login


def test_contact_person_is_named_only_with_consent(app, login_as, create_actor) -> None:
    from crm.models import ConsentPurpose
    from crm.services.privacy import consent

    actor_id = create_actor("Grundschule Olewig", kind="Grundschule", listing_agreed_on=date.today())
    with app.app_context():
        person = Person(first_name="Hanna", last_name="Beispiel", email="hanna.beispiel@gs-olewig.example")
        db.session.add(person)
        db.session.commit()
        person_id = person.id
    client = login_as(Role.COORDINATOR)
    response = client.post_form("/angebote/neu",
                                _form(app, actor_id, contact_person="Hanna.Beispiel@gs-olewig.example"))
    assert response.status_code == 302
    with app.app_context():
        offer = db.session.scalars(select(Offer)).one()
        offer_id = offer.id
        assert offer.contact_person_id == person_id
    inside = client.get(f"/angebote/{offer_id}").get_data(as_text=True)
    assert "ohne Einwilligung: nicht öffentlich genannt" in inside
    public = client.get(f"/portal/angebote/{offer_id}").get_data(as_text=True)
    assert "Hanna" not in public and "hanna.beispiel" not in public
    assert "anmeldung@gs-olewig.example" in public  # the role address is shown
    with app.app_context():
        consent.give(db.session, db.session.get(Person, person_id), ConsentPurpose.PUBLICATION, "Formular", None)
        db.session.commit()
    assert "Hanna Beispiel" in client.get(f"/portal/angebote/{offer_id}").get_data(as_text=True)
    with app.app_context():
        consent.withdraw(db.session, db.session.get(Person, person_id), ConsentPurpose.PUBLICATION)
        db.session.commit()
    assert "Hanna" not in client.get(f"/portal/angebote/{offer_id}").get_data(as_text=True)


def test_listing_consent_is_recorded_with_day_and_who(app, login_as, create_actor) -> None:
    actor_id = create_actor("Kita St. Anna", kind="Kita")
    client = login_as(Role.COORDINATOR)
    url = f"/angebote/akteur/{actor_id}/portal"
    assert client.get(url).status_code == 200
    with app.app_context():
        version = db.session.get(Actor, actor_id).version_id
    future = (date.today() + timedelta(days=1)).isoformat()
    response = client.post_form(url, {"listing_agreed_on": future, "version_id": str(version)})
    assert response.status_code == 422
    assert "Das Einverständnis kann nicht in der Zukunft liegen." in response.get_data(as_text=True)
    response = client.post_form(url, {"listing_agreed_on": "01.03.2026", "version_id": str(version)})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        actor = db.session.get(Actor, actor_id)
        assert actor.listing_agreed_on == date(2026, 3, 1)
        assert actor.listing_recorded_by.startswith("coordinator")  # the signed-in account
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "Actor",
                                                            AuditEntry.action == "update")).one()
        assert "listing_agreed_on" in entry.changes
        version = actor.version_id
    page = client.get(f"/akteure/{actor_id}").get_data(as_text=True)
    assert "einverstanden seit" in page
    assert client.get(f"/portal/anbieter/{actor_id}").status_code == 200
    response = client.post_form(url, {"listing_agreed_on": "", "listing_recorded_by": "Frau Kraus",
                                      "version_id": str(version)})
    assert response.status_code == 302
    with app.app_context():
        actor = db.session.get(Actor, actor_id)
        assert actor.listing_agreed_on is None and actor.listing_recorded_by == ""
    assert client.get(f"/portal/anbieter/{actor_id}").status_code == 404


def test_merging_actors_moves_their_offers_and_deleting_keeps_the_offer(app, create_actor) -> None:
    from crm.services.landscape import actors as actor_service
    from crm.services.landscape import merge

    keep_id = create_actor("Grundschule Olewig", kind="Grundschule")
    gone_id = create_actor("GS Olewig (doppelt)", kind="Grundschule")
    with app.app_context():
        keep, gone = db.session.get(Actor, keep_id), db.session.get(Actor, gone_id)
        own = offer_service.create_offer(db.session, {"title": "Leseclub", "providers": [gone]})
        shared = offer_service.create_offer(db.session, {"title": "Schulgarten", "providers": [keep, gone]})
        db.session.commit()
        result = merge.merge_actors(db.session, keep, gone)
        db.session.commit()
        assert result.moved["Bildungsangebote"] == 2
        assert [a.id for a in db.session.get(Offer, own.id).providers] == [keep_id]
        assert [a.id for a in db.session.get(Offer, shared.id).providers] == [keep_id]
        assert "olewig" in db.session.get(Offer, own.id).search_text
        actor_service.delete_actor(db.session, db.session.get(Actor, keep_id))
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(Offer, own.id).providers == []  # the offer stays, without its provider


def test_coordinator_records_that_the_provider_confirmed_the_offer(app, login_as, create_actor) -> None:
    actor_id = create_actor("Grundschule Olewig", kind="Grundschule")
    with app.app_context():
        offer = offer_service.create_offer(db.session, {"title": "Leseclub", "providers": [
            db.session.get(Actor, actor_id)], "confirmed_on": date(2024, 1, 5)})
        db.session.commit()
        offer_id = offer.id
    client = login_as(Role.COORDINATOR)
    page = client.get(f"/angebote/{offer_id}").get_data(as_text=True)
    assert "seit über einem Jahr nicht bestätigt" in page
    assert client.post(f"/angebote/{offer_id}/bestaetigen", data={}).status_code == 400  # no CSRF token
    with app.app_context():
        assert db.session.get(Offer, offer_id).confirmed_on == date(2024, 1, 5)
    response = client.post_form(f"/angebote/{offer_id}/bestaetigen")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Offer, offer_id).confirmed_on == date.today()
    page = client.get(f"/angebote/{offer_id}").get_data(as_text=True)
    assert "ist heute bestätigt" in page and "seit über einem Jahr nicht bestätigt" not in page
