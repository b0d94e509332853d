"""The geographic map over HTTP: the area outline import (good files, broken files, never a 500), the
app map and its JSON (an individual's home only for roles that may see it), and the portal's map and
JSON (released offers only, never a volunteer's coordinates), the tile server setting and its CSP."""
from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from crm.config import _tile_url, load, tile_source
from crm.extensions import db
from crm.models import Actor, ActorKind, Area, AuditEntry, Offer, OfferStatus, Role
from crm.services.geo import outlines
from crm.services.offers.search import offer_text
from tests.conftest import make_app

TODAY = date.today()
SQUARE = [[[6.60, 49.76], [6.66, 49.76], [6.66, 49.79], [6.60, 49.79], [6.60, 49.76]]]
SCHOOL_LAT, VOLUNTEER_LAT, HIDDEN_LAT = "49.771234", "49.765432", "49.781111"


def _kind(name: str) -> ActorKind:
    return db.session.scalars(select(ActorKind).where(ActorKind.name == name)).one()


@pytest.fixture
def region(app) -> dict[str, int]:
    """Stadt Trier with Nord and Süd; a listed school, an unlisted club and a listed volunteer, each with
    coordinates; a published offer of each, and a draft of the school."""
    with app.app_context():
        city = Area(name="Stadt Trier", level="Stadt")
        north, south = Area(name="Nord", parent=city), Area(name="Süd", parent=city)
        db.session.add_all([city, north, south])
        school = Actor(name="Grundschule Mäusberg", kind=_kind("Grundschule"), area=north, street="Am Hang 1",
                       postcode="54292", city="Trier", latitude=Decimal(SCHOOL_LAT), longitude=Decimal("6.651234"),
                       listing_agreed_on=TODAY, listing_recorded_by="test")
        club = Actor(name="Verein Geheimtipp", kind=_kind("Verein / Verband"), area=south,
                     latitude=Decimal(HIDDEN_LAT), longitude=Decimal("6.641111"))
        volunteer = Actor(name="Gerda Ehrenamt", kind=_kind("Ehrenamtliche Person"), area=north,
                          street="Privatweg 7", latitude=Decimal(VOLUNTEER_LAT), longitude=Decimal("6.655432"),
                          listing_agreed_on=TODAY, listing_recorded_by="test")
        db.session.add_all([school, club, volunteer])
        offers = [Offer(title="Robotik-AG", providers=[school], area=north, status=OfferStatus.PUBLISHED),
                  Offer(title="Geheimer Entwurf", providers=[school], area=north, status=OfferStatus.DRAFT),
                  Offer(title="Clubabend", providers=[club], area=south, status=OfferStatus.PUBLISHED),
                  Offer(title="Lesepatenschaft Gerda", providers=[volunteer], area=north,
                        status=OfferStatus.PUBLISHED)]
        for offer in offers:
            offer.search_text = offer_text(offer)
        db.session.add_all(offers)
        db.session.commit()
        return {"city": city.id, "north": north.id, "south": south.id, "school": school.id, "club": club.id,
                "volunteer": volunteer.id}


def _collection(*features: dict[str, Any], **extra: Any) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features), **extra}).encode()


def _feature(name: str | None, geometry: Any, key: str = "name") -> dict[str, Any]:
    return {"type": "Feature", "properties": {key: name} if name is not None else {}, "geometry": geometry}


def _upload(client, data: bytes, filename: str = "gebiete.geojson", **fields: Any):
    form = {"file": (io.BytesIO(data), filename), **fields}
    return client.post_form("/karte/umrisse", form, content_type="multipart/form-data")


def _outline(app, area_id: int) -> str | None:
    with app.app_context():
        return db.session.get(Area, area_id).outline


# --- the outline import ---------------------------------------------------------------------------

def test_outline_import_matches_by_name_and_reports_the_rest(app, login_as, region) -> None:
    client = login_as(Role.COORDINATOR)
    data = _collection(
        _feature("Nord", {"type": "Polygon", "coordinates": SQUARE}, key="GEN"),
        _feature("SÜD", {"type": "MultiPolygon", "coordinates": [SQUARE]}, key="GEN"),
        _feature("Atlantis", {"type": "Polygon", "coordinates": SQUARE}, key="GEN"),
        _feature("Stadt Trier", {"type": "Point", "coordinates": [6.6, 49.7]}, key="GEN"),
    )
    response = _upload(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 von 4 Objekten übernommen (Namen aus der Eigenschaft „GEN“)" in page  # the property was guessed
    assert "Objekt 3: kein Gebiet „Atlantis“ gefunden." in page
    assert "Objekt 4 („Stadt Trier“): keine Fläche (Polygon oder MultiPolygon), sondern „Point“." in page
    assert json.loads(_outline(app, region["north"]))["type"] == "Polygon"
    assert json.loads(_outline(app, region["south"]))["type"] == "MultiPolygon"
    assert _outline(app, region["city"]) is None
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "Area",
                                                           AuditEntry.action == "import")).one()
        assert entry.action == "import" and "2 Gebiete" in entry.summary
        assert entry.changes["skipped"] == [3, 4]

    # the map draws them, and the actor form's small map gets them
    feed = client.get("/karte/umrisse.json").get_json()
    assert {a["name"] for a in feed["areas"]} == {"Nord", "Süd"}
    assert "1 Gebiet hat" not in client.get("/karte/umrisse").get_data(as_text=True)


def test_preview_writes_nothing_and_a_named_property_is_used(app, login_as, region) -> None:
    client = login_as(Role.COORDINATOR)
    data = _collection(_feature("Nord", {"type": "Polygon", "coordinates": SQUARE}, key="bezirk"),
                       {"type": "Feature", "properties": {"name": "Süd"},
                        "geometry": {"type": "Polygon", "coordinates": SQUARE}})
    response = _upload(client, data, name_property="bezirk", preview="y")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 von 2 Objekten passen zu einem Gebiet" in page and "Nichts wurde gespeichert." in page
    assert "Objekt 2: keine Eigenschaft „bezirk“ mit einem Namen." in page
    assert _outline(app, region["north"]) is None


UTM = [[[332000, 5516000], [333000, 5516000], [333000, 5517000], [332000, 5516000]]]


@pytest.mark.parametrize("data,message", [
    (b"", "Bitte eine GeoJSON-Datei auswählen."),
    (b'{"type": "FeatureCollection", "features": [', "Die Datei ist kein gültiges JSON (Zeile 1, Spalte"),
    ("Gebiet;Fläche\nNord;1\n".encode("latin-1"), "nicht UTF-8-kodiert"),
    (b'[1, 2, 3]', "keine GeoJSON-FeatureCollection"),
    (b'{"type": "Feature", "geometry": null}', "keine GeoJSON-FeatureCollection"),
    (_collection(), "Die GeoJSON-Datei enthält keine Objekte."),
    (_collection(_feature("Nord", {"type": "Polygon", "coordinates": SQUARE}),
                 crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}),
     "Die Datei verwendet das Koordinatensystem „urn:ogc:def:crs:EPSG::25832“"),
    (b"[" * 100_000 + b"]" * 100_000, "kein gültiges JSON"),
])
def test_a_broken_file_is_refused_in_german(app, login_as, region, data, message) -> None:
    client = login_as(Role.COORDINATOR)
    response = _upload(client, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _outline(app, region["north"]) is None


@pytest.mark.parametrize("geometry,message", [
    ({"type": "Polygon", "coordinates": UTM}, "die Koordinaten sind keine Längen- und Breitengrade (WGS 84)"),
    ({"type": "Polygon", "coordinates": [[[6.6, 49.7], [6.7, 49.7]]]}, "die Koordinaten sind unvollständig"),
    ({"type": "Polygon", "coordinates": [[["6.6", 49.7]] * 4]}, "die Koordinaten sind unvollständig"),
    ({"type": "Polygon", "coordinates": "Nord"}, "die Koordinaten sind unvollständig"),
    ({"type": "MultiPolygon", "coordinates": []}, "die Koordinaten sind unvollständig"),
    (None, "keine Fläche (Polygon oder MultiPolygon), sondern „keine“"),
])
def test_a_bad_feature_is_reported_with_its_number(app, login_as, region, geometry, message) -> None:
    client = login_as(Role.COORDINATOR)
    data = _collection(_feature("Süd", {"type": "Polygon", "coordinates": SQUARE}), _feature("Nord", geometry))
    response = _upload(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Objekt 2 („Nord“): {message}" in page
    assert _outline(app, region["north"]) is None and _outline(app, region["south"]) is not None


def test_an_unknown_name_property_and_a_missing_file(app, login_as, region) -> None:
    client = login_as(Role.COORDINATOR)
    response = _upload(client, _collection(_feature("Nord", {"type": "Polygon", "coordinates": SQUARE})),
                       name_property="Bezirk")
    assert response.status_code == 422
    assert "Die Eigenschaft „Bezirk“ kommt in keinem Objekt vor. Vorhanden: name." in response.get_data(as_text=True)
    response = client.post_form("/karte/umrisse", {})
    assert response.status_code == 422 and "Bitte eine GeoJSON-Datei auswählen." in response.get_data(as_text=True)


def test_the_same_area_twice_keeps_the_first_and_names_are_ambiguous_across_parents(app, login_as, region) -> None:
    with app.app_context():
        county = Area(name="Landkreis", level="Landkreis")
        db.session.add_all([county, Area(name="Nord", parent=county)])
        db.session.commit()
    client = login_as(Role.COORDINATOR)
    data = _collection(_feature("Nord", {"type": "Polygon", "coordinates": SQUARE}),
                       _feature("Stadt Trier › Nord", {"type": "Polygon", "coordinates": SQUARE}),
                       _feature("Stadt Trier Nord", {"type": "Polygon", "coordinates": SQUARE}))
    page = _upload(client, data).get_data(as_text=True)
    assert "Objekt 1: „Nord“ passt zu mehreren Gebieten (Stadt Trier › Nord; Landkreis › Nord)." in page
    assert "Objekt 3: das Gebiet „Nord“ kam schon in Objekt 2 vor; der erste Umriss gilt." in page
    assert _outline(app, region["north"]) is not None


def test_only_coordinators_import_outlines(client, create_user, region) -> None:
    client.login(create_user(Role.VIEWER).email)
    assert client.get("/karte/umrisse").status_code == 403
    assert client.get("/karte/").status_code == 200
    assert client.get("/karte/umrisse.json").status_code == 200


def test_real_export_from_a_file_on_disk(app, region) -> None:
    """The demo region's outline file goes through the same import (the CLI and the demo loader use it)."""
    from crm.demo.generator import OUTLINES_FILE

    with app.app_context():
        report = outlines.import_outlines(db.session, OUTLINES_FILE.read_bytes(), apply=False)
        assert report.name_property == "name"
        assert [area.name for _n, area in report.matched] == ["Stadt Trier", "Nord", "Süd"]
        assert len(report.unmatched) == report.features - 3  # the demo's other Stadtteile are not here
        db.session.rollback()


# --- the app map --------------------------------------------------------------------------------

def _places(feed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {place["label"]: place for place in feed["places"]}


def test_app_map_places_actors_and_offers_and_an_individual_only_for_who_may_see_them(
        client, create_user, region) -> None:
    client.login(create_user(Role.COORDINATOR).email)
    feed = client.get("/karte/orte.json").get_json()
    places = _places(feed)
    school = places["Grundschule Mäusberg"]
    assert (school["lat"], school["lon"]) == (float(SCHOOL_LAT), 6.651234)
    assert [(e["type"], e["name"]) for e in school["entries"]] == [
        ("actor", "Grundschule Mäusberg"), ("offer", "Geheimer Entwurf"), ("offer", "Robotik-AG")]
    assert school["entries"][0]["url"] == f"/akteure/{region['school']}"
    assert "Gerda Ehrenamt" in places and "Verein Geheimtipp" in places  # a coordinator sees both
    page = client.get("/karte/").get_data(as_text=True)
    assert "3 Orte auf der Karte" in page and "Lesepatenschaft Gerda" in page

    client = client.application.test_client()
    client.login(create_user(Role.VIEWER).email)
    body = client.get("/karte/orte.json").get_data(as_text=True)
    assert VOLUNTEER_LAT not in body and "6.655432" not in body  # a volunteer's home is personal data
    places = _places(json.loads(body))
    assert set(places) == {"Grundschule Mäusberg", "Verein Geheimtipp"}
    assert "Lesepatenschaft Gerda" not in body  # not placed at her home either
    assert json.loads(body)["unplaced"] == 1
    page = client.get("/karte/").get_data(as_text=True)
    assert VOLUNTEER_LAT not in page and "2 Orte auf der Karte" in page


def test_app_map_filters(client, create_user, region) -> None:
    client.login(create_user(Role.COORDINATOR).email)
    only_offers = client.get("/karte/orte.json?zeigen=angebote").get_json()
    assert all(e["type"] == "offer" for p in only_offers["places"] for e in p["entries"])
    south = client.get(f"/karte/orte.json?gebiet={region['south']}").get_json()
    assert set(_places(south)) == {"Verein Geheimtipp"}
    city = client.get(f"/karte/orte.json?gebiet={region['city']}&zeigen=akteure").get_json()
    assert len(city["places"]) == 3
    nonsense = client.get("/karte/?gebiet=abc&art=-1&thema=9999999999&zeigen=<script>")
    assert nonsense.status_code == 200


# --- the portal map -----------------------------------------------------------------------------

def test_portal_map_shows_only_released_offers_and_never_a_volunteers_home(client, region) -> None:
    response = client.get("/portal/karte.json")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for hidden in ("Verein Geheimtipp", "Clubabend", HIDDEN_LAT, "Geheimer Entwurf", VOLUNTEER_LAT, "6.655432",
                   "Privatweg"):
        assert hidden not in body, hidden
    feed = json.loads(body)
    places = _places(feed)
    assert list(places) == ["Grundschule Mäusberg"]
    assert [(e["type"], e["name"], e["url"]) for e in places["Grundschule Mäusberg"]["entries"]] == [
        ("actor", "Grundschule Mäusberg", f"/portal/anbieter/{region['school']}"),
        ("offer", "Robotik-AG", f"/portal/angebote/{feed['places'][0]['entries'][1]['id']}")]
    assert feed["unplaced"] == 1  # Gerda's public offer: in the search, not on the map

    page = client.get("/portal/karte").get_data(as_text=True)
    assert "1 Ort auf der Karte" in page and "Robotik-AG" in page
    for hidden in ("Verein Geheimtipp", HIDDEN_LAT, VOLUNTEER_LAT, "Geheimer Entwurf"):
        assert hidden not in page, hidden
    assert 'href="/portal/karte"' in client.get("/portal/").get_data(as_text=True)  # linked from the nav


def test_portal_map_follows_the_search_filters(client, region) -> None:
    assert _places(client.get("/portal/karte.json?q=robotik").get_json()).keys() == {"Grundschule Mäusberg"}
    assert client.get("/portal/karte.json?q=schach").get_json()["places"] == []
    assert client.get(f"/portal/karte.json?gebiet={region['south']}").get_json()["places"] == []
    assert client.get("/portal/karte?seite=abc&gebiet=x&thema=1&phase=%3Cb%3E").status_code == 200


# --- tiles ---------------------------------------------------------------------------------------

def test_tile_setting_and_its_content_security_policy(database_url, tmp_path) -> None:
    assert tile_source("https://{s}.tiles.stadt.example/{z}/{x}/{y}.png") == "https://*.tiles.stadt.example"
    assert tile_source("") == ""
    with pytest.raises(ValueError):
        _tile_url("javascript:alert(1)//{z}{x}{y}")
    with pytest.raises(ValueError):
        _tile_url("https://tiles.example/karte.png")
    assert load(tmp_path, {"MAP_TILE_URL": ""})["MAP_TILE_URL"] == ""

    app = make_app(database_url, MAP_TILE_URL="https://tiles.stadt.example/{z}/{x}/{y}.png",
                   MAP_TILE_ATTRIBUTION="© <b>Stadt</b>")
    client = app.test_client()
    response = client.get("/portal/karte")
    assert "img-src 'self' data: blob: https://tiles.stadt.example" in response.headers["Content-Security-Policy"]
    page = response.get_data(as_text=True)
    assert 'data-tile-url="https://tiles.stadt.example/{z}/{x}/{y}.png"' in page
    assert 'data-tile-attribution="© &lt;b&gt;Stadt&lt;/b&gt;"' in page
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_map_with_too_much_on_it_is_cut_short_and_says_so(client, create_user, region, monkeypatch) -> None:
    from crm.services.geo import places

    monkeypatch.setattr(places, "MAX_ENTRIES", 1)
    client.login(create_user(Role.COORDINATOR).email)
    feed = client.get("/karte/orte.json").get_json()
    assert feed["truncated"] is True
    assert sum(e["type"] == "actor" for p in feed["places"] for e in p["entries"]) == 1
    assert sum(e["type"] == "offer" for p in feed["places"] for e in p["entries"]) <= 1
    assert "Die Karte zeigt nur einen Teil der Orte." in client.get("/karte/").get_data(as_text=True)
    assert client.get("/portal/karte.json").get_json()["truncated"] is True
