"""The network map's accessible equivalent: its actors and ties as sortable tables, same filters."""
from __future__ import annotations

import re
from datetime import date

from crm.models import Role
from tests import factories_coordinator as f

ROW = re.compile(r'<tr><th scope="row" class="fw-normal"><a href="/akteure/(\d+)">([^<]+)</a></th>')
TIE = re.compile(r'<tr><td><a href="/akteure/\d+">([^<]+)</a></td>\s*<td><a href="/akteure/\d+">([^<]+)</a></td>')


def _landscape(app) -> dict[str, int]:
    ids = {
        "hub": f.actor(app, "Volkshochschule Trier", kind="Volkshochschule", topics=["MINT"]),
        "baker": f.actor(app, "Bäckerei Jakobs", kind="Unternehmen"),
        "brewery": f.actor(app, "Brauerei Mosel", kind="Unternehmen"),
        "school": f.actor(app, "Grundschule Olewig", topics=["MINT"]),
        "alone": f.actor(app, "Zukunftswerkstatt"),
    }
    f.cooperation(app, ids["hub"], ids["baker"], start=date(2020, 1, 1))
    f.cooperation(app, ids["hub"], ids["brewery"], ctype="Projektpartnerschaft", start=date(2021, 1, 1))
    f.cooperation(app, ids["hub"], ids["school"], start=date(2022, 1, 1), topics=["MINT"])
    return ids


def test_table_lists_the_maps_actors_and_ties_sorted_by_any_column(app, login_as) -> None:
    ids = _landscape(app)
    client = login_as(Role.VIEWER)
    page = client.get("/netzwerk/").get_data(as_text=True)
    assert 'href="/netzwerk/tabelle"' in page  # the map links to its table

    page = client.get("/netzwerk/tabelle").get_data(as_text=True)
    names = [name for _id, name in ROW.findall(page)]
    assert names == ["Bäckerei Jakobs", "Brauerei Mosel", "Grundschule Olewig", "Volkshochschule Trier",
                     "Zukunftswerkstatt"]  # German order: Bäckerei before Brauerei
    assert 'aria-sort="ascending"' in page and page.count("aria-sort=") == 2  # one sorted column per table
    assert "5 Akteure" in page and "3 Verbindungen" in page

    by_degree = client.get("/netzwerk/tabelle?sort=-grad").get_data(as_text=True)
    assert ROW.findall(by_degree)[0] == (str(ids["hub"]), "Volkshochschule Trier")
    assert re.search(r'<th scope="col" class="text-end" aria-sort="descending">\s*<a [^>]*>Verbindungen \(Grad\)',
                     by_degree)
    # the header of the sorted column reverses the order; the others start with their own
    assert "sort=grad#akteure" in by_degree and "sort=name#akteure" in by_degree

    ties = TIE.findall(client.get("/netzwerk/tabelle?tsort=b").get_data(as_text=True))
    assert [b for _a, b in ties] == ["Volkshochschule Trier"] * 3  # every tie ends at the hub (A < B by name)
    assert {a for a, _b in ties} == {"Bäckerei Jakobs", "Brauerei Mosel", "Grundschule Olewig"}
    assert "Projektpartnerschaft" in client.get("/netzwerk/tabelle").get_data(as_text=True)


def test_table_takes_the_same_filters_as_the_map(app, login_as) -> None:
    _landscape(app)
    client = login_as(Role.VIEWER)
    page = client.get("/netzwerk/tabelle?topics=MINT").get_data(as_text=True)
    assert [name for _id, name in ROW.findall(page)] == ["Grundschule Olewig", "Volkshochschule Trier"]
    assert "1 Verbindung<" in page
    assert re.search(r'name="topics" value="MINT"\s+id="f-topics-\d+" checked>', page)  # the filter panel shows it
    assert 'href="/netzwerk/?topics=MINT"' in page  # and the map link keeps it
    as_of = client.get("/netzwerk/tabelle?as_of=2021-06-30").get_data(as_text=True)
    assert "2 Verbindungen" in as_of  # the school's tie began in 2022
    change = client.get("/netzwerk/tabelle?since=2020-06-30&until=2021-06-30").get_data(as_text=True)
    assert "Veränderung" in change and "neu im Zeitraum" in change


def test_bad_input_is_a_german_message_not_an_error(app, login_as) -> None:
    _landscape(app)
    client = login_as(Role.VIEWER)
    response = client.get("/netzwerk/tabelle?sort=groesse")
    assert response.status_code == 422
    assert "Sortierung „groesse“ gibt es nicht" in response.get_data(as_text=True)
    response = client.get("/netzwerk/tabelle?topics=Astrologie")
    assert response.status_code == 422 and "Unbekannte Angabe im Feld Themen" in response.get_data(as_text=True)
    assert client.get("/netzwerk/tabelle?seite=999999999999").status_code == 200  # the last page instead


def test_many_actors_are_paged(app, login_as) -> None:
    for n in range(105):
        f.actor(app, f"Akteur {n:03d}")
    client = login_as(Role.VIEWER)
    first = client.get("/netzwerk/tabelle").get_data(as_text=True)
    assert len(ROW.findall(first)) == 100 and 'aria-label="Seiten der Akteure"' in first
    second = client.get("/netzwerk/tabelle?seite=2").get_data(as_text=True)
    assert [name for _id, name in ROW.findall(second)] == [f"Akteur {n:03d}" for n in range(100, 105)]


def test_table_holds_the_actors_and_ties_the_map_draws(app, login_as) -> None:
    _landscape(app)
    client = login_as(Role.VIEWER)
    for query in ("", "?topics=MINT", "?as_of=2021-06-30", "?kinds=Unternehmen&kinds=Volkshochschule"):
        spec = client.get(f"/netzwerk/karte.json{query}").get_json()
        page = client.get(f"/netzwerk/tabelle{query}").get_data(as_text=True)
        assert {int(i) for i, _name in ROW.findall(page)} == {n["id"] for n in spec["nodes"]}, query
        assert len(TIE.findall(page)) == spec["counts"]["edges"], query
