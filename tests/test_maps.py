"""Network maps over HTTP: the page and its JSON, filters, ego/initiative/event maps, aggregation,
German errors, no personal contact data, and hostile names kept as inert text."""
from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import pytest

from crm.extensions import db
from crm.models import Answer, MembershipRole, Role
from crm.services import audit, maps, network
from tests import factories_coordinator as f

HOSTILE = ('<script>window.__xss=1</script>', '<img src=x onerror="window.__xss=1">',
           '" onmouseover="window.__xss=1', '<a href="javascript:window.__xss=1">x</a>')


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Tests empty the tables and ids start again, so the data version can repeat between tests."""
    maps._CACHE.clear()
    network._CACHE.clear()
    yield
    maps._CACHE.clear()
    network._CACHE.clear()


def _small_landscape(app) -> dict[str, int]:
    ids = {
        "a": f.actor(app, "Grundschule Olewig", email="sekretariat@gs-olewig.example", phone="0651 123456",
                     topics=["MINT"]),
        "b": f.actor(app, "Kita St. Anna", kind="Kita", topics=["MINT"]),
        "c": f.actor(app, "IHK Trier", kind="Industrie- und Handelskammer"),
        "d": f.actor(app, "VHS Trier", kind="Volkshochschule"),
    }
    f.cooperation(app, ids["a"], ids["b"], start=date(2019, 3, 1), topics=["MINT"])
    f.cooperation(app, ids["a"], ids["c"], start=date(2023, 5, 1))
    f.cooperation(app, ids["c"], ids["d"], start=date(2024, 2, 1))
    return ids


def test_map_page_renders_with_inline_json_and_local_scripts(app, login_as) -> None:
    _small_landscape(app)
    client = login_as(Role.VIEWER)
    response = client.get("/netzwerk/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-network-map' in html and 'type="application/json" data-map-spec' in html
    assert "/static/vendor/vis-network/vis-network.min.js" in html
    assert "/static/js/network-map.js" in html
    assert not re.search(r'(src|href)="(https?:)?//', html), "no asset from another host"
    spec = json.loads(re.search(r'data-map-spec>(.*?)</script>', html, re.S).group(1))
    assert spec["mode"] == "actors" and spec["counts"]["nodes"] == 4 and spec["counts"]["edges"] == 3
    assert spec["years"][0] == 2019


def test_vendored_vis_network_is_served(app, login_as) -> None:
    client = login_as(Role.VIEWER)
    response = client.get("/static/vendor/vis-network/vis-network.min.js")
    assert response.status_code == 200 and b"vis-network" in response.data[:200]
    response.close()
    script = client.get("/static/js/network-map.js")
    assert script.status_code == 200 and b".innerHTML" not in script.data and b"insertAdjacentHTML" not in script.data
    script.close()


def test_filters_change_the_map_json(app, login_as) -> None:
    ids = _small_landscape(app)
    client = login_as(Role.VIEWER)
    full = client.get("/netzwerk/karte.json").get_json()
    assert full["counts"] == {"nodes": 4, "edges": 3}
    assert {n["url"] for n in full["nodes"]} == {f"/akteure/{i}" for i in ids.values()}
    early = client.get("/netzwerk/karte.json?as_of=2020-12-31").get_json()
    assert early["counts"]["edges"] == 1
    # positions stay the same between years: the layout is computed on the network of all ties
    where = {n["id"]: (n["x"], n["y"]) for n in full["nodes"]}
    assert all(where[n["id"]] == (n["x"], n["y"]) for n in early["nodes"])
    mint = client.get("/netzwerk/karte.json?topics=MINT").get_json()
    assert {n["id"] for n in mint["nodes"]} == {ids["a"], ids["b"]}
    kinds = client.get("/netzwerk/karte.json?kinds=Kita&kinds=Grundschule").get_json()
    assert kinds["counts"]["nodes"] == 2
    schools = client.get("/netzwerk/karte.json?categories=Schule").get_json()
    assert [n["id"] for n in schools["nodes"]] == [ids["a"]]
    page = client.get("/netzwerk/?categories=Schule&kinds=Kita").get_data(as_text=True)
    assert '<option value="Schule" selected>' in page and '<option value="Kita" selected>' in page
    by_area = client.get("/netzwerk/karte.json?color_by=community&size_by=betweenness&width_by=intensity").get_json()
    assert by_area["settings"]["color_by"] == "community"
    assert by_area["legend"]["entries"]


@pytest.mark.parametrize("query,field", [("as_of=gestern", "as_of"), ("layers=telefon", "layers"),
                                         ("color_by=<b>", "color_by"), ("size_by=x", "size_by"),
                                         ("community=abc", "community"), ("view=alles", "view")])
def test_bad_input_is_german_422(app, login_as, query, field) -> None:
    client = login_as(Role.VIEWER)
    response = client.get(f"/netzwerk/karte.json?{query}")
    assert response.status_code == 422
    body = response.get_json()
    assert field in body["errors"] and body["detail"]
    page = client.get(f"/netzwerk/?{query}")
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert 'data-testid="map-error"' in text and "<b>" not in text


def test_aggregate_groups_and_drill_down(app, login_as) -> None:
    _small_landscape(app)
    client = login_as(Role.VIEWER)
    spec = client.get("/netzwerk/karte.json?view=groups").get_json()
    assert spec["mode"] == "aggregate"
    assert sum(e["count"] for e in spec["legend"]["entries"]) == 4
    group = spec["nodes"][0]
    assert group["drill"]["param"] == "community"
    drilled = client.get(f"/netzwerk/karte.json?community={group['drill']['value']}").get_json()
    assert drilled["mode"] == "actors" and drilled["drilled"]["community"] == int(group["drill"]["value"])
    assert drilled["counts"]["nodes"] == int(group["card"]["lines"][0][1])
    areas = client.get("/netzwerk/karte.json?view=groups&group_by=area").get_json()
    assert areas["nodes"][0]["drill"]["param"] == "areas"
    assert client.get("/netzwerk/karte.json?community=99").status_code == 422


def test_drilled_group_stays_the_same_group_across_years(app, login_as) -> None:
    _small_landscape(app)
    client = login_as(Role.VIEWER)
    groups = client.get("/netzwerk/karte.json?view=groups").get_json()
    early_groups = client.get("/netzwerk/karte.json?view=groups&as_of=2019-12-31").get_json()
    assert [n["card"]["name"] for n in early_groups["nodes"]] == [n["card"]["name"] for n in groups["nodes"]]
    value = groups["nodes"][0]["drill"]["value"]
    now = client.get(f"/netzwerk/karte.json?community={value}").get_json()
    early = client.get(f"/netzwerk/karte.json?community={value}&as_of=2019-12-31").get_json()
    assert {n["id"] for n in early["nodes"]} == {n["id"] for n in now["nodes"]}
    assert early["counts"]["edges"] < now["counts"]["edges"] or now["counts"]["edges"] <= 1


def test_threshold_switches_to_aggregate(app) -> None:
    _small_landscape(app)
    with app.test_request_context(), app.app_context():
        spec = maps.landscape_map(db.session, network.cut_from_args({}), maps.MapOptions(threshold=3))
        assert spec["mode"] == "aggregate" and spec["aggregated_because"] == "threshold"
        assert spec["counts"]["actors"] == 4
        community = int(spec["nodes"][0]["drill"]["value"])
        drilled = maps.landscape_map(db.session, network.cut_from_args({}),
                                     maps.MapOptions(threshold=1, community=community))
        assert drilled["mode"] == "aggregate" and drilled["group_by"] == "area"  # not the same single group again


def test_forced_actor_view_of_a_huge_network_is_refused(app, login_as, monkeypatch) -> None:
    _small_landscape(app)
    monkeypatch.setattr(maps, "MAX_ACTORS", 3)
    client = login_as(Role.VIEWER)
    response = client.get("/netzwerk/karte.json?view=actors")
    assert response.status_code == 422 and "zu viele" in response.get_json()["detail"]


def test_ego_map_one_and_two_steps(app, login_as) -> None:
    ids = _small_landscape(app)
    client = login_as(Role.VIEWER)
    one = client.get(f"/netzwerk/akteur/{ids['b']}.json").get_json()
    assert {n["id"] for n in one["nodes"]} == {ids["a"], ids["b"]}
    assert [n["id"] for n in one["nodes"] if n["highlight"]] == [ids["b"]]
    two = client.get(f"/netzwerk/akteur/{ids['b']}.json?steps=2").get_json()
    assert {n["id"] for n in two["nodes"]} == {ids["a"], ids["b"], ids["c"]}
    assert client.get(f"/netzwerk/akteur/{ids['b']}.json?steps=3").status_code == 422
    assert client.get("/netzwerk/akteur/999999.json", headers={"Accept": "application/json"}).status_code == 404


def test_initiative_and_event_maps_show_actors_and_counts_not_people(app, login_as) -> None:
    ids = _small_landscape(app)
    initiative = f.initiative(app, "MINT-Initiativkreis", members=((ids["a"], MembershipRole.LEAD),
                                                                   (ids["b"], MembershipRole.MEMBER)))
    event = f.event(app, "Bildungskonferenz 2025", starts_at=datetime(2025, 3, 12, 9, tzinfo=UTC))
    anna = f.person(app, "Schmitt", "Anna", email="anna.schmitt@example.org", actor_id=ids["a"], phone="0651 999")
    ben = f.person(app, "Weber", "Ben", email="ben.weber@example.org", actor_id=ids["a"])
    carla = f.person(app, "Klein", "Carla", email="carla@example.org", actor_id=ids["c"])
    for person, actor in ((anna, ids["a"]), (ben, ids["a"]), (carla, ids["c"])):
        f.invite(app, event, person, actor, answer=Answer.ACCEPTED, attended=True)
    client = login_as(Role.VIEWER)
    ini = client.get(f"/netzwerk/initiative/{initiative}.json").get_json()
    assert {n["id"] for n in ini["nodes"]} == {ids["a"], ids["b"]} and ini["counts"]["edges"] == 1
    assert [n["id"] for n in ini["nodes"] if n["highlight"]] == [ids["a"]]
    ev = client.get(f"/netzwerk/veranstaltung/{event}.json")
    text = ev.get_data(as_text=True)
    data = ev.get_json()
    assert {n["id"] for n in data["nodes"]} == {ids["a"], ids["c"]}
    school = next(n for n in data["nodes"] if n["id"] == ids["a"])
    assert ["Teilnehmende", "2"] in school["card"]["lines"]
    for secret in ("Schmitt", "Anna", "anna.schmitt", "0651", "sekretariat@", "Weber", "Klein"):
        assert secret not in text
    for url in ("/netzwerk/karte.json", f"/netzwerk/akteur/{ids['a']}.json"):
        body = client.get(url).get_data(as_text=True)
        assert "sekretariat@gs-olewig.example" not in body and "0651 123456" not in body


def test_embedded_maps_on_actor_initiative_and_event_pages(app, login_as) -> None:
    ids = _small_landscape(app)
    initiative = f.initiative(app, "Bündnis Grundbildung", members=((ids["a"], MembershipRole.LEAD),))
    event = f.event(app)
    client = login_as(Role.COORDINATOR)
    for url, src in ((f"/akteure/{ids['a']}", f"/netzwerk/akteur/{ids['a']}.json"),
                     (f"/initiativen/{initiative}", f"/netzwerk/initiative/{initiative}.json"),
                     (f"/veranstaltungen/{event}", f"/netzwerk/veranstaltung/{event}.json")):
        html = client.get(url).get_data(as_text=True)
        assert f'data-src="{src}"' in html, url


def test_hostile_names_stay_inert_text(app, login_as) -> None:
    ids = [f.actor(app, name) for name in HOSTILE]
    for a, b in zip(ids, ids[1:]):
        f.cooperation(app, a, b)
    client = login_as(Role.VIEWER)
    html = client.get("/netzwerk/").get_data(as_text=True)
    block = re.search(r'data-map-spec>(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and ">" not in block  # |tojson escapes them: the block cannot be closed
    spec = json.loads(block)
    assert {n["card"]["name"] for n in spec["nodes"]} == set(HOSTILE)
    assert all("title" not in n for n in spec["nodes"])
    page = client.get(f"/akteure/{ids[0]}").get_data(as_text=True)
    assert "<script>window.__xss" not in page


def test_anonymous_users_get_no_map(client) -> None:
    assert client.get("/netzwerk/karte.json", headers={"Accept": "application/json"}).status_code == 401
    assert "/anmelden" in client.get("/netzwerk/").headers["Location"]


def test_demo_region_map(app, login_as) -> None:
    from crm.services.demo import load_demo

    with app.app_context(), audit.suppressed():
        load_demo(db.session)
        db.session.commit()
    client = login_as(Role.VIEWER)
    spec = client.get("/netzwerk/karte.json?layers=cooperation,initiative").get_json()
    assert spec["mode"] == "actors" and spec["counts"]["nodes"] > 100
    xs = [n["x"] for n in spec["nodes"]]
    assert max(xs) > min(xs)
    again = client.get("/netzwerk/karte.json?layers=cooperation,initiative").get_json()
    assert [(n["id"], n["x"], n["y"]) for n in again["nodes"]] == [(n["id"], n["x"], n["y"]) for n in spec["nodes"]]
