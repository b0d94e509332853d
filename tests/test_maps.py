"""Network maps over HTTP: the page and its JSON, filters, ego/initiative/event maps, aggregation,
German errors, no personal contact data, and hostile names kept as inert text."""
from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import pytest

from crm.extensions import db
from crm.models import Answer, MembershipRole, Role
from crm.services.computed import store, versions
from crm.services.network import maps
from crm.services.network import records as network
from crm.services.privacy import audit
from tests import factories_coordinator as f

HOSTILE = ('<script>window.__xss=1</script>', '<img src=x onerror="window.__xss=1">',
           '" onmouseover="window.__xss=1', '<a href="javascript:window.__xss=1">x</a>')




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
    assert 'name="categories" value="Schule"' in page and 'name="kinds" value="Kita"' in page
    assert re.search(r'name="categories" value="Schule"\s+id="f-categories-\d+" checked>', page)
    assert re.search(r'name="kinds" value="Kita"\s+id="f-kinds-\d+" checked>', page)
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
        context = store.Context(versions.current(db.session), store.today())
        spec = maps.compute_landscape_map(db.session, network.cut_from_args({}), maps.MapOptions(threshold=3), context)
        assert spec["mode"] == "aggregate" and spec["aggregated_because"] == "threshold"
        assert spec["counts"]["actors"] == 4
        community = int(spec["nodes"][0]["drill"]["value"])
        drilled = maps.compute_landscape_map(db.session, network.cut_from_args({}),
                                             maps.MapOptions(threshold=1, community=community), context)
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
    from crm.demo.generator import load_demo

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


def test_map_data_come_from_a_pyvis_network(app, login_as, monkeypatch) -> None:
    """The map is a pyvis ``Network``: the JSON holds exactly what ``get_network_data`` returned
    (vis-network node and edge records, pyvis' options with physics off), never HTML titles."""
    from pyvis.network import Network

    _small_landscape(app)
    made: list[tuple] = []
    original = Network.get_network_data

    def spy(self):
        data = original(self)
        made.append(data)
        return data

    monkeypatch.setattr(Network, "get_network_data", spy)
    client = login_as(Role.VIEWER)
    spec = client.get("/netzwerk/karte.json").get_json()
    assert len(made) == 1
    nodes, edges, heading, _height, _width, options = made[0]
    assert heading == ""  # pyvis' unescaped heading is never used
    assert [n["id"] for n in spec["nodes"]] == [n["id"] for n in nodes]
    assert [(e["from"], e["to"]) for e in spec["edges"]] == [(e["from"], e["to"]) for e in edges]
    assert spec["options"] == json.loads(options)
    assert spec["options"]["physics"]["enabled"] is False and spec["options"]["edges"]["smooth"]["enabled"] is False
    assert all(n["shape"] == "dot" and "title" not in n for n in spec["nodes"])
    assert all("title" not in e for e in spec["edges"])
    groups = client.get("/netzwerk/karte.json?view=groups").get_json()
    assert len(made) == 2 and groups["options"]["physics"]["enabled"] is False


def test_pyvis_data_refuses_html_titles() -> None:
    from graph.maps import pyvis_data

    with pytest.raises(ValueError):
        pyvis_data([{"id": 1, "label": "Kita", "title": '<a href="javascript:x">'}], [])
    with pytest.raises(ValueError):
        pyvis_data([{"id": 1, "label": "a"}, {"id": 2, "label": "b"}], [{"from": 1, "to": 2, "title": "<b>"}])


def test_pyvis_is_a_declared_dependency() -> None:
    from pathlib import Path

    setup = (Path(__file__).resolve().parents[1] / "setup.cfg").read_text(encoding="utf-8")
    assert "pyvis>=0.3.2" in setup


def _individual_landscape(app) -> dict[str, int]:
    """Gisela Wendt, a volunteer, is the hub of her group: her name would be the group's label."""
    ids = {"gisela": f.actor(app, "Gisela Wendt (Lernbegleiterin)", kind="Ehrenamtliche Person"),
           **{k: f.actor(app, name) for k, name in (("a", "Grundschule Olewig"), ("b", "Grundschule Pallien"),
                                                     ("c", "Grundschule Feyen"))}}
    for key in ("a", "b", "c"):
        f.cooperation(app, ids["gisela"], ids[key], start=date(2022, 1, 1))
    return ids


def test_an_individual_actor_is_named_in_the_app_but_her_contact_data_never_and_the_report_never_names_her(
        app, login_as) -> None:
    """Policy (crm/services/landscape/naming.py): a volunteer acting in her own right is named on maps and
    the dashboard as on her actor page; her e-mail and phone appear on none of them; the public
    council report calls her "Einzelperson (…)"."""
    ids = _individual_landscape(app)
    with app.app_context():
        from crm.models import Actor

        gisela = db.session.get(Actor, ids["gisela"])
        gisela.email, gisela.phone, gisela.street = "gisela@privat.example", "0651 98765", "Amselweg 7"
        db.session.commit()
    initiative = f.initiative(app, "Lesepaten", members=((ids["gisela"], MembershipRole.LEAD),
                                                         (ids["a"], MembershipRole.MEMBER)))
    event = f.event(app, "Bildungskonferenz 2025", starts_at=datetime(2025, 3, 12, 9, tzinfo=UTC))
    person = f.person(app, "Wendt", "Gisela", email="gisela@privat.example", actor_id=ids["gisela"])
    f.invite(app, event, person, ids["gisela"], answer=Answer.ACCEPTED, attended=True)
    urls = ["/netzwerk/karte.json", "/netzwerk/karte.json?color_by=community", "/netzwerk/karte.json?view=groups",
            "/netzwerk/", f"/netzwerk/akteur/{ids['a']}.json?steps=2", f"/netzwerk/initiative/{initiative}.json",
            f"/netzwerk/veranstaltung/{event}.json", "/dashboard/", "/berichte/"]
    viewer = login_as(Role.VIEWER)
    for url in urls:
        response = viewer.get(url, headers={"Accept": "application/json"} if ".json" in url else {})
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert not any(secret in text for secret in ("gisela@privat", "0651 98765", "Amselweg")), url
    spec = viewer.get("/netzwerk/karte.json?color_by=community").get_json()
    hub = next(n for n in spec["nodes"] if n["id"] == ids["gisela"])
    assert hub["card"]["name"] == "Gisela Wendt (Lernbegleiterin)"
    assert "Gisela Wendt" in viewer.get("/dashboard/").get_data(as_text=True)
    assert "Gisela Wendt" in viewer.get(f"/akteure/{ids['gisela']}").get_data(as_text=True)
    report = viewer.get("/berichte/").get_data(as_text=True)
    assert "Gisela" not in report


def test_drilled_group_keeps_its_metrics(app, login_as) -> None:
    """A path a–b–c–d–e inside one group: b, c and d broker inside it, the ends do not."""
    names = ["Grundschule A", "Grundschule B", "Grundschule C", "Grundschule D", "Grundschule E"]
    ids = [f.actor(app, name) for name in names]
    for a, b in zip(ids, ids[1:]):
        f.cooperation(app, a, b)
    client = login_as(Role.VIEWER)
    groups = client.get("/netzwerk/karte.json?view=groups").get_json()
    drill = next(n["drill"]["value"] for n in groups["nodes"] if n["card"]["lines"][0][1] != "1")
    spec = client.get(f"/netzwerk/karte.json?community={drill}&size_by=betweenness").get_json()
    assert spec["drilled"]["metrics"] == "group"
    cards = {n["id"]: dict(map(tuple, n["card"]["lines"])) for n in spec["nodes"]}
    members = [i for i in ids if i in cards]
    assert len(members) >= 3
    brokering = [cards[i]["Vermittlung (Betweenness)"] for i in members]
    assert any(value != "0,000" for value in brokering)
    assert len({n["size"] for n in spec["nodes"]}) > 1  # sizes follow the metric, not all the same
    page = client.get(f"/netzwerk/?community={drill}").get_data(as_text=True)
    assert "innerhalb dieser Gruppe berechnet" in page


def test_change_between_two_days_marks_new_ended_and_kept_ties(app, login_as) -> None:
    ids = {k: f.actor(app, name) for k, name in (("a", "Grundschule Olewig"), ("b", "Kita St. Anna"),
                                                  ("c", "IHK Trier"), ("d", "VHS Trier"), ("e", "Stadtbibliothek"))}
    f.cooperation(app, ids["a"], ids["b"], start=date(2018, 1, 1))                            # kept
    f.cooperation(app, ids["a"], ids["c"], start=date(2022, 5, 1))                            # new
    f.cooperation(app, ids["c"], ids["d"], start=date(2018, 1, 1), end=date(2021, 6, 30))     # ended
    f.cooperation(app, ids["d"], ids["e"], start=date(2020, 3, 1), end=date(2021, 3, 1))      # short-lived
    client = login_as(Role.VIEWER)
    spec = client.get("/netzwerk/karte.json?since=2020-01-01&until=2023-12-31").get_json()
    change = {frozenset((e["from"], e["to"])): e for e in spec["edges"]}
    pair = lambda x, y: change[frozenset((ids[x], ids[y]))]  # noqa: E731
    assert (pair("a", "b")["change"], pair("a", "c")["change"], pair("c", "d")["change"],
            pair("d", "e")["change"]) == ("kept", "new", "ended", "short")
    assert pair("c", "d")["dashes"] and pair("a", "c")["color"] != pair("c", "d")["color"]
    assert "dashes" not in pair("a", "b") and "color" not in pair("a", "b")
    assert {t["key"]: t["count"] for t in spec["legend"]["ties"]} == {"new": 1, "ended": 1, "short": 1, "kept": 1}
    assert spec["change"] == {"then": "2020-01-01", "now": "2023-12-31"}
    assert [spec["tie_types"][i] for i in pair("a", "b")["types"]] == ["Kooperationsvertrag"]
    # one day only: no change marks
    assert "ties" not in client.get("/netzwerk/karte.json?as_of=2023-12-31").get_json()["legend"]
    page = client.get("/netzwerk/?since=2020-01-01&until=2023-12-31&include_inactive=1").get_data(as_text=True)
    assert 'name="since" value="2020-01-01"' in page and 'name="until" value="2023-12-31"' in page
    assert re.search(r'name="include_inactive" value="1" id="include_inactive"\s+checked', page)
    assert client.get("/netzwerk/karte.json?since=2024-01-01&until=2023-01-01").status_code == 422


@pytest.mark.parametrize("query,field", [("topics=NOPE", "topics"), ("areas=Atlantis", "areas"),
                                         ("kinds=Raumstation", "kinds"), ("categories=Mond", "categories"),
                                         ("life_stages=greis", "life_stages")])
def test_unknown_filter_values_are_refused(app, login_as, query, field) -> None:
    ids = _small_landscape(app)
    client = login_as(Role.VIEWER)
    for url in ("/netzwerk/karte.json", f"/netzwerk/akteur/{ids['a']}.json"):
        response = client.get(f"{url}?{query}", headers={"Accept": "application/json"})
        assert response.status_code == 422 and response.mimetype == "application/problem+json", url
        body = response.get_json()
        assert field in body["errors"] and "Unbekannte Angabe" in body["detail"]
    page = client.get(f"/netzwerk/?{query}")
    assert page.status_code == 422
    assert "Unbekannte Angabe im Feld" in page.get_data(as_text=True)
    assert client.get("/netzwerk/karte.json?topics=MINT&kinds=Grundschule&categories=Schule").status_code == 200


def test_an_ego_map_too_large_to_draw_is_refused_with_a_message(app, login_as, monkeypatch) -> None:
    """Partners of partners of a hub can be half a Land: refused before the ties are read (a 422 with
    a German message), never a request that runs into the server's timeout."""
    ids = _small_landscape(app)
    monkeypatch.setattr(maps, "EGO_LIMIT", 2)
    client = login_as(Role.VIEWER)
    response = client.get(f"/netzwerk/akteur/{ids['a']}.json?steps=2", headers={"Accept": "application/json"})
    assert response.status_code == 422 and "direkten Partner" in response.get_json()["detail"]
    monkeypatch.setattr(maps, "EGO_LIMIT", 1500)
    assert client.get(f"/netzwerk/akteur/{ids['a']}.json?steps=2").status_code == 200
