"""The public Bildungsportal over HTTP, without login: search that forgives umlauts and word forms,
every filter, the offer and provider pages, the JSON feed; and only released data: no unlisted actor,
no unpublished offer, no person without consent — checked on every public page of the demo region."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from html import unescape

import icalendar
import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import (
    Actor,
    ActorKind,
    Area,
    Consent,
    ConsentPurpose,
    Event,
    LifeStage,
    Offer,
    OfferStatus,
    Person,
    TargetGroup,
    Topic,
)
from crm.services.events import public as public_events
from crm.services.offers import listing
from crm.services.offers import offers as offer_service
from tests.demo_region import DemoRegion, demo_region_fixture, personal_data

TODAY = date.today()


def _vocab(model, name):
    return db.session.scalars(select(model).where(model.name == name)).one()


@pytest.fixture
def landscape(app) -> dict[str, int]:
    """Two districts, three providers (one not listed, one individual), offers in every state."""
    with app.app_context():
        city = Area(name="Stadt Trier", level="Stadt")
        north, south = Area(name="Nord", parent=city), Area(name="Süd", parent=city)
        db.session.add_all([city, north, south])
        school = _vocab(ActorKind, "Grundschule")
        volunteer = _vocab(ActorKind, "Ehrenamtliche Person")
        listed = Actor(name="Grundschule Mäusberg", kind=school, area=north, street="Am Hang 1", postcode="54292",
                       city="Trier", email="info@gs-maeusberg.example", listing_agreed_on=TODAY,
                       listing_recorded_by="test")
        other = Actor(name="Bücherei Süd", kind=_vocab(ActorKind, "Bibliothek"), area=south,
                      listing_agreed_on=TODAY, listing_recorded_by="test")
        unlisted = Actor(name="Verein Geheimtipp", kind=_vocab(ActorKind, "Verein / Verband"), area=north)
        person = Actor(name="Gerda Ehrenamt", kind=volunteer, area=north, email="gerda@mail.example")
        db.session.add_all([listed, other, unlisted, person])
        mint, lit = _vocab(Topic, "MINT"), _vocab(Topic, "Family Literacy")
        primar, kita = db.session.scalars(select(LifeStage).where(LifeStage.code == "primar")).one(), \
            db.session.scalars(select(LifeStage).where(LifeStage.code == "fruehkindlich")).one()
        kids, parents = _vocab(TargetGroup, "Kinder"), _vocab(TargetGroup, "Eltern")

        def offer(title, providers, **values):
            base = {"title": title, "providers": providers, "status": OfferStatus.PUBLISHED, "is_ongoing": True}
            return offer_service.create_offer(db.session, {**base, **values})

        ids = {
            "robots": offer("Roboter-AG für Mädchen und Jungen", [listed], topics=[mint], life_stages=[primar],
                            target_groups=[kids], is_free=True, is_accessible=True, languages="Deutsch, Türkisch",
                            description="Wir programmieren kleine Roboter mit Kindern.").id,
            "reading": offer("Vorlesen für Familien", [other], topics=[lit], life_stages=[kita],
                             target_groups=[kids, parents], cost="2 €", languages="Deutsch, Arabisch",
                             description="Bilderbücher für Kinder und Eltern. Termine nach Absprache.").id,
            "draft": offer("Geheimer Entwurf Roboter", [listed], status=OfferStatus.DRAFT, topics=[mint]).id,
            "ended": offer("Beendeter Roboterkurs", [listed], status=OfferStatus.ENDED, topics=[mint]).id,
            "unlisted": offer("Roboterclub im Verein", [unlisted], topics=[mint], is_free=True).id,
            "shared": offer("Gemeinsamer Roboterkurs", [listed, unlisted], topics=[mint]).id,
            "volunteer": offer("Lernbegleitung Robotik", [person], topics=[mint], contact_email="gerda@mail.example",
                               contact_phone="0651 4711").id,
        }
        db.session.commit()
        ids.update(listed=listed.id, other=other.id, unlisted=unlisted.id, person=person.id, north=north.id,
                   city=city.id, mint=mint.id, primar=primar.id, kids=kids.id, parents=parents.id)
        return ids


def _titles(client, query: str = "", **params) -> set[str]:
    response = client.get("/portal/", query_string={"q": query, **params} if query else params)
    assert response.status_code == 200
    return set(re.findall(r'data-testid="portal-result">\s*<h3[^>]*><a [^>]*>([^<]+)</a>',
                          unescape(response.get_data(as_text=True))))


def test_search_forgives_umlauts_case_and_word_forms(client, landscape) -> None:
    everything = {"Roboter-AG für Mädchen und Jungen", "Vorlesen für Familien"}
    assert _titles(client) == everything  # drafts, ended offers and unlisted providers are not there
    robots = {"Roboter-AG für Mädchen und Jungen"}
    for query in ("Mädchen", "maedchen", "MÄDCHEN", "Roboter", "roboter ag", "Robotern", "programmiert",
                  "Mäusberg", "Maeusberg", "Grundschule"):
        assert _titles(client, query) == robots, query
    assert _titles(client, "Kinder") == everything  # „Kindern“ in one description, „Kinder“ in the other
    assert _titles(client, "Bücher") == {"Vorlesen für Familien"}  # the provider „Bücherei Süd“, the „Bilderbücher“
    assert _titles(client, "Roboter Familien") == set()  # every word must match
    assert _titles(client, "MINT") == robots  # its topic, and „mint“ is no stem of „Termin“ or „Seminar“
    assert _titles(client, "%") == everything and _titles(client, "_") == everything  # no wildcards
    assert _titles(client, "' & ! \"*") == everything  # nor the query syntax of either full-text index


def test_search_finds_parts_of_compound_words_and_word_beginnings(client, landscape) -> None:
    robots = {"Roboter-AG für Mädchen und Jungen"}
    assert _titles(client, "Schule") == robots  # the „Grundschule“ Mäusberg
    assert _titles(client, "Robo") == robots  # a word's beginning
    assert _titles(client, "Bilder") == {"Vorlesen für Familien"}  # the „Bilderbücher“
    assert _titles(client, "rund") == set()  # a part starts after four letters: not „G-rund-schule“
    assert _titles(client, "oboter") == set()  # nor inside a short word


def test_the_full_text_index_follows_every_write(app, client, landscape) -> None:
    """SQLite's FTS5 table is kept by triggers, PostgreSQL's index by the database: a changed title
    is found at once by its new words and no longer by the old ones, a deleted offer is gone."""
    with app.app_context():
        robots = db.session.get(Offer, landscape["robots"])
        offer_service.update_offer(db.session, robots, {"title": "Lötwerkstatt für Mädchen und Jungen",
                                                        "description": "Wir löten Blinklichter."}, robots.version_id)
        db.session.commit()
    assert _titles(client, "Lötwerkstatt") == {"Lötwerkstatt für Mädchen und Jungen"}
    assert _titles(client, "Werkstatt") == {"Lötwerkstatt für Mädchen und Jungen"}
    assert _titles(client, "programmiert") == set()
    with app.app_context():
        offer_service.delete_offer(db.session, db.session.get(Offer, landscape["robots"]))
        db.session.commit()
    assert _titles(client, "Lötwerkstatt") == set()


def test_every_filter_narrows_the_list(client, landscape) -> None:
    ids = landscape
    robots, reading = {"Roboter-AG für Mädchen und Jungen"}, {"Vorlesen für Familien"}
    assert _titles(client, thema=ids["mint"]) == robots
    assert _titles(client, phase=ids["primar"]) == robots
    assert _titles(client, zielgruppe=ids["parents"]) == reading
    assert _titles(client, zielgruppe=[ids["kids"], ids["parents"]]) == robots | reading  # any of the chosen
    assert _titles(client, gebiet=ids["north"]) == robots
    assert _titles(client, gebiet=ids["city"]) == robots | reading  # an area includes its districts
    assert _titles(client, kostenlos="1") == robots
    assert _titles(client, barrierefrei="1") == robots
    assert _titles(client, sprache="Arabisch") == reading
    assert _titles(client, sprache="Türkisch", kostenlos="1", thema=ids["mint"], gebiet=ids["north"]) == robots
    assert _titles(client, thema="abc", seite="-4", gebiet="999999999999999999999") == robots | reading
    page = client.get("/portal/", query_string={"sprache": "Arabisch"}).get_data(as_text=True)
    assert '<option value="Arabisch" selected>' in page  # the choice stays chosen
    assert "1 Angebot gefunden" in page


def test_offer_and_provider_pages_show_only_released_records(client, landscape) -> None:
    ids = landscape
    page = client.get(f"/portal/angebote/{ids['robots']}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Roboter-AG für Mädchen und Jungen" in text and "kostenlos" in text
    assert f'href="/portal/anbieter/{ids["listed"]}"' in text
    assert "Am Hang 1, 54292 Trier" in text  # the place: the provider's address
    for key in ("draft", "ended", "unlisted", "shared", "volunteer"):
        assert client.get(f"/portal/angebote/{ids[key]}").status_code == 404, key
    provider = client.get(f"/portal/anbieter/{ids['listed']}").get_data(as_text=True)
    assert "Grundschule Mäusberg" in provider and "Roboter-AG für Mädchen und Jungen" in provider
    assert "Geheimer Entwurf" not in provider and "Gemeinsamer Roboterkurs" not in provider
    assert "info@gs-maeusberg.example" in provider
    for key in ("unlisted", "person"):
        assert client.get(f"/portal/anbieter/{ids[key]}").status_code == 404, key
    assert client.get("/portal/anbieter/999999").status_code == 404


def test_a_listed_volunteer_shows_no_contact_data(app, client, landscape) -> None:
    with app.app_context():
        volunteer = db.session.get(Actor, landscape["person"])
        volunteer.listing_agreed_on, volunteer.listing_recorded_by = TODAY, "test"
        db.session.commit()
    page = client.get(f"/portal/anbieter/{landscape['person']}").get_data(as_text=True)
    assert "Gerda Ehrenamt" in page and "gerda@mail.example" not in page
    offer = client.get(f"/portal/angebote/{landscape['volunteer']}")
    assert offer.status_code == 200
    assert "gerda@mail.example" not in offer.get_data(as_text=True) and "4711" not in offer.get_data(as_text=True)
    feed = client.get("/portal/angebote.json").get_data(as_text=True)
    assert "Lernbegleitung Robotik" in feed and "gerda@mail.example" not in feed


def test_ending_or_inactive_provider_takes_offers_off_the_portal(app, client, landscape) -> None:
    with app.app_context():
        actor = db.session.get(Actor, landscape["listed"])
        offer_service.update_offer(db.session, db.session.get(Offer, landscape["robots"]),
                                   {"status": OfferStatus.ENDED}, None)
        db.session.commit()
        assert not listing.is_public(db.session.get(Offer, landscape["robots"]))
        actor.is_active = False
        db.session.commit()
    assert client.get(f"/portal/angebote/{landscape['robots']}").status_code == 404
    assert client.get(f"/portal/anbieter/{landscape['listed']}").status_code == 404
    assert _titles(client) == {"Vorlesen für Familien"}


def test_provider_calendar_feed_holds_its_dated_public_offers(app, client, landscape) -> None:
    with app.app_context():
        school = db.session.get(Actor, landscape["listed"])
        base = {"providers": [school], "status": OfferStatus.PUBLISHED, "is_ongoing": False}
        for title, start, end, status in (
                ("Ferienkurs Löten", TODAY + timedelta(days=10), TODAY + timedelta(days=14), OfferStatus.PUBLISHED),
                ("Vorbei: Osterkurs", TODAY - timedelta(days=60), TODAY - timedelta(days=55), OfferStatus.PUBLISHED),
                ("Entwurf: Sommerkurs", TODAY + timedelta(days=90), None, OfferStatus.DRAFT)):
            offer_service.create_offer(db.session, {**base, "title": title, "starts_on": start, "ends_on": end,
                                                    "status": status, "schedule": "täglich 9–12 Uhr"})
        db.session.commit()
    response = client.get(f"/portal/anbieter/{landscape['listed']}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Ferienkurs Löten"}  # not the ongoing, the past or the draft offer
    course = events["Ferienkurs Löten"]
    assert course.decoded("dtstart") == TODAY + timedelta(days=10)
    assert course.decoded("dtend") == TODAY + timedelta(days=15)  # all-day: the day after the last
    assert "täglich 9–12 Uhr" in str(course["description"]) and "Am Hang 1" in str(course["location"])
    page = client.get(f"/portal/anbieter/{landscape['listed']}").get_data(as_text=True)
    assert f'href="webcal://localhost/portal/anbieter/{landscape["listed"]}.ics"' in page
    for key in ("unlisted", "person"):
        assert client.get(f"/portal/anbieter/{landscape[key]}.ics").status_code == 404, key


def test_json_feed(client, landscape) -> None:
    response = client.get("/portal/angebote.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    offers = response.get_json()["offers"]
    assert {o["title"] for o in offers} == {"Roboter-AG für Mädchen und Jungen", "Vorlesen für Familien"}
    robots = next(o for o in offers if o["title"].startswith("Roboter"))
    assert robots["free_of_charge"] is True and robots["languages"] == ["Deutsch", "Türkisch"]
    assert robots["topics"] == ["MINT"] and robots["target_groups"] == ["Kinder"]
    assert robots["providers"] == [{"id": landscape["listed"], "name": "Grundschule Mäusberg"}]
    assert robots["contact"] == {"email": "", "phone": "", "person": None}
    assert robots["page"].endswith(f"/portal/angebote/{landscape['robots']}")


def test_portal_pages_are_german_and_need_no_login(client, landscape) -> None:
    page = client.get("/portal/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="de">' in text
    assert "Bildungsangebote finden" in text and "<script" not in text  # works without JavaScript
    assert 'role="search"' in text and '<label for="q"' in text


def test_a_huge_result_is_counted_up_to_a_limit(app, client, landscape, monkeypatch) -> None:
    from crm.services.offers import portal

    monkeypatch.setattr(portal, "MAX_COUNT", 1)
    page = client.get("/portal/").get_data(as_text=True)
    assert "Mehr als 1 Angebote gefunden" in page
    assert "Roboter-AG für Mädchen und Jungen" in page and "Vorlesen für Familien" in page  # the page still lists
    free = client.get("/portal/?kostenlos=1").get_data(as_text=True)
    assert "1 Angebot gefunden" in free, re.findall(r"portal-count\">([^<]*)<", free)


# --- the demo region: every public page ---------------------------------------------------------

@pytest.fixture(scope="module")
def demo(database_url: str, _migrated: None) -> Iterator[DemoRegion]:
    yield from demo_region_fixture(database_url)


def _public_urls(demo: DemoRegion) -> list[str]:
    with demo.app.app_context():
        offers = db.session.scalars(select(Offer.id).where(listing.public_clause()).order_by(Offer.id)).all()
        actors = db.session.scalars(select(Actor.id).where(listing.listed_clause()).order_by(Actor.id)).all()
        areas = db.session.scalars(select(Area.id)).all()
        topics = db.session.scalars(select(Topic.id)).all()
        events = db.session.scalars(select(Event.id).where(public_events.public_clause()).order_by(Event.id)).all()
    assert events, "the demo shows events in the portal's calendar"
    urls = ["/portal/", "/portal/angebote.json", "/portal/?kostenlos=1", "/portal/?q=Kinder",
            "/portal/kalender", "/portal/kalender.ics", "/portal/veranstaltungen.json",
            *(f"/portal/kalender/{e}" for e in events), *(f"/portal/kalender/{e}.ics" for e in events),
            *(f"/portal/?gebiet={a}" for a in areas), *(f"/portal/?thema={t}" for t in topics),
            *(f"/portal/angebote/{o}" for o in offers), *(f"/portal/anbieter/{a}" for a in actors)]
    client = demo.client(None)
    pages = client.get("/portal/").get_data(as_text=True)
    last = max(int(n) for n in re.findall(r"seite=(\d+)", pages))
    urls += [f"/portal/?seite={n}" for n in range(2, last + 1)]
    return urls


def test_no_public_page_of_the_demo_names_a_person_without_consent_or_an_unlisted_actor(demo) -> None:
    data = personal_data(demo.app)
    with demo.app.app_context():
        consented = {f"{p.first_name} {p.last_name}" for p in db.session.scalars(
            select(Person).join(Consent, Consent.person_id == Person.id)
            .where(Consent.purpose == ConsentPurpose.PUBLICATION, Consent.withdrawn_at.is_(None)))}
        actors = db.session.scalars(select(Actor)).all()
        listed = sorted((a.name for a in actors if listing.is_listed(a)), key=len, reverse=True)
        unlisted = {a.name for a in actors if not listing.is_listed(a)}
        individuals = {a.name for a in actors if a.kind.is_individual}
        public_offers = db.session.scalar(select(Offer.id).where(listing.public_clause()).limit(1))
        assert consented, "the demo names some contact persons with consent"
        assert individuals <= unlisted
        offers_with_contact = db.session.scalars(select(Offer).where(Offer.contact_person_id.is_not(None))).all()
        assert any(f"{o.contact_person.first_name} {o.contact_person.last_name}" not in consented
                   for o in offers_with_contact)
    assert public_offers is not None
    names = data["names"] - consented
    client = demo.client(None)
    urls = _public_urls(demo)
    assert len(urls) > 150
    problems, shown_consented = [], set()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = unescape(response.get_data(as_text=True)) if not url.endswith(".json") \
            else json.dumps(response.get_json(), ensure_ascii=False)
        if url.endswith(".ics"):  # unfolded, so a name split across a folded line is still found
            text = response.get_data(as_text=True).replace("\r\n ", "").replace("\\,", ",")
        shown_consented |= {name for name in consented if name in text}
        problems += [f"{url}: e-mail {e}" for e in data["emails"] if e in text]
        problems += [f"{url}: person {n}" for n in names | data["individual_names"] if n in text]
        problems += [f"{url}: phone {p}" for p in data["phones"] if p in text and not _actor_phone(p, demo)]
        stripped = text
        for name in listed:  # a listed name may contain an unlisted one („Kita X“ in „Förderverein Kita X“)
            stripped = stripped.replace(name, " ")
        problems += [f"{url}: unlisted actor {n}" for n in unlisted if n in stripped]
    assert problems == []
    assert shown_consented, "a consented contact person is named somewhere"


_ACTOR_PHONES: set[str] = set()


def _actor_phone(phone: str, demo: DemoRegion) -> bool:
    """A person's phone that is their institution's switchboard number is the institution's, not theirs."""
    if not _ACTOR_PHONES:
        with demo.app.app_context():
            _ACTOR_PHONES.update(p for p in db.session.scalars(select(Actor.phone)) if p)
    return phone in _ACTOR_PHONES

