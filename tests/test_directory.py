"""The actor directory: full-text search, filters, sorting, pages and counts, all in the URL."""
from __future__ import annotations

import csv
import io
import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.datastructures import MultiDict

from crm.extensions import db
from crm.models import MembershipRole, Role
from crm.services.landscape import directory
from tests import factories_coordinator as f


def _names(page: str) -> list[str]:
    table = page.split('data-testid="actor-list"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<a href="/akteure/\d+">([^<]+)</a>', table)


def _count(page: str) -> str:
    return re.search(r'data-testid="result-count">([^<]+)<', page).group(1).strip()


@pytest.fixture
def landscape(app):
    """A small landscape: two areas with a sub-area, kinds of three categories, topics, an initiative."""
    trier = f.area(app, "Stadt Trier")
    olewig = f.area(app, "Olewig", trier)
    kreis = f.area(app, "Landkreis Trier-Saarburg")
    ids = {
        "olewig": f.actor(app, "Grundschule Olewig", area_id=olewig, street="Olewiger Straße 1", postcode="54295",
                          city="Trier", external_ref="GS-51234", topics=["MINT"], life_stages=["primar"]),
        "kita": f.actor(app, "Kita St. Anna", kind="Kita", area_id=trier, city="Trier",
                        topics=["Sprache und Integration (Neuzugewanderte)"], life_stages=["fruehkindlich"]),
        "ihk": f.actor(app, "IHK Trier", kind="Industrie- und Handelskammer", short_name="IHK", area_id=trier,
                       topics=["MINT", "Berufs- und Studienorientierung"]),
        "konz": f.actor(app, "Grundschule Konz", area_id=kreis, city="Konz", is_active=False),
        "vhs": f.actor(app, "Volkshochschule Trier", kind="Volkshochschule", street="Domfreihof 1b"),
    }
    ids["mint"] = f.initiative(app, "MINT-Lernen in Trier", members=(
        (ids["olewig"], MembershipRole.LEAD), (ids["ihk"], MembershipRole.PARTNER)))
    with app.app_context():
        from crm.models import Membership
        ended = Membership(initiative_id=ids["mint"], actor_id=ids["vhs"], role=MembershipRole.MEMBER,
                           joined_on=date(2020, 1, 1), left_on=date(2021, 1, 1))
        db.session.add(ended)
        db.session.commit()
    ids.update(trier=trier, olewig_area=olewig, kreis=kreis)
    return ids


def test_text_search_over_name_short_name_address_and_reference(login_as, landscape) -> None:
    client = login_as(Role.VIEWER)
    cases = {
        "grundschule": ["Grundschule Konz", "Grundschule Olewig"],
        "GRUNDSCHULE olewig": ["Grundschule Olewig"],      # every word must match, case does not matter
        "strasse": ["Grundschule Olewig"],                  # ß folded: "strasse" finds „Straße“
        "olewiger straße": ["Grundschule Olewig"],
        "54295": ["Grundschule Olewig"],                    # postcode
        "gs-51234": ["Grundschule Olewig"],                 # external reference
        "IHK": ["IHK Trier"],                               # short name and name
        "domfreihof": ["Volkshochschule Trier"],            # street
        "50%": [],                                          # LIKE wildcards are plain text
    }
    for text, expected in cases.items():
        page = client.get("/akteure/", query_string={"q": text}).get_data(as_text=True)
        assert _names(page) == expected, text


def test_an_individuals_street_is_searchable_only_with_the_right_to_personal_data(login_as, app, create_user) -> None:
    """A volunteer's home address is personal data: a viewer must not find her by it (nor
    probe it through the autocomplete), a coordinator may."""
    f.actor(app, "Gisela Wendt (Lernbegleiterin)", kind="Ehrenamtliche Person", street="Amselweg 7")
    f.actor(app, "Volkshochschule Trier", kind="Volkshochschule", street="Amselweg 1")
    viewer = login_as(Role.VIEWER)
    page = viewer.get("/akteure/", query_string={"q": "amselweg"}).get_data(as_text=True)
    assert _names(page) == ["Volkshochschule Trier"]
    names = [a["name"] for a in viewer.get("/akteure/suche.json", query_string={"q": "amselweg 7"}).get_json()]
    assert names == []
    coordinator = app.test_client()
    coordinator.login(create_user(Role.COORDINATOR).email)
    page = coordinator.get("/akteure/", query_string={"q": "amselweg"}).get_data(as_text=True)
    assert _names(page) == ["Gisela Wendt (Lernbegleiterin)", "Volkshochschule Trier"]
    names = [a["name"] for a in coordinator.get("/akteure/suche.json", query_string={"q": "amselweg 7"}).get_json()]
    assert names == ["Gisela Wendt (Lernbegleiterin)"]


def test_umlauts_are_found_either_way(login_as, app) -> None:
    f.actor(app, "Bücherei Ehrang", kind="Bibliothek")
    f.actor(app, "Förderverein Grundschule", kind="Verein / Verband")
    client = login_as(Role.VIEWER)
    for text in ("bücherei", "BÜCHEREI", "buecherei", "FÖRDER", "foerderverein"):
        names = _names(client.get("/akteure/", query_string={"q": text}).get_data(as_text=True))
        assert len(names) == 1, text


def test_filters_each_narrow_the_list(login_as, app, landscape) -> None:
    client = login_as(Role.VIEWER)
    grundschule, kita = f.kind_id(app, "Grundschule"), f.kind_id(app, "Kita")
    cases = [
        ({"art": grundschule}, ["Grundschule Konz", "Grundschule Olewig"]),
        ({"art": [grundschule, kita]}, ["Grundschule Konz", "Grundschule Olewig", "Kita St. Anna"]),
        ({"kategorie": "Wirtschaft"}, ["IHK Trier"]),
        ({"gebiet": landscape["trier"]}, ["Grundschule Olewig", "IHK Trier", "Kita St. Anna"]),  # with Olewig
        ({"gebiet": landscape["olewig_area"]}, ["Grundschule Olewig"]),
        ({"phase": f.stage_id(app, "fruehkindlich")}, ["Kita St. Anna"]),
        ({"thema": f.topic_id(app, "MINT")}, ["Grundschule Olewig", "IHK Trier"]),
        ({"initiative": landscape["mint"]}, ["Grundschule Olewig", "IHK Trier"]),  # the VHS has left
        ({"aktiv": "nein"}, ["Grundschule Konz"]),
        ({"aktiv": "ja", "q": "grundschule"}, ["Grundschule Olewig"]),
        ({"thema": f.topic_id(app, "MINT"), "kategorie": "Schule"}, ["Grundschule Olewig"]),
    ]
    for args, expected in cases:
        response = client.get("/akteure/", query_string=args)
        assert response.status_code == 200
        assert _names(response.get_data(as_text=True)) == expected, args


def test_sorting_and_filter_state_survive_in_links(login_as, app, landscape) -> None:
    client = login_as(Role.VIEWER)
    page = client.get("/akteure/?sortierung=-name").get_data(as_text=True)
    assert _names(page) == sorted(_names(page), reverse=True)
    page = client.get("/akteure/?sortierung=gebiet").get_data(as_text=True)
    names = _names(page)
    assert names[-1] == "Volkshochschule Trier"  # no area: last
    assert names.index("Grundschule Konz") < names.index("Grundschule Olewig")  # Landkreis < Olewig
    page = client.get("/akteure/?sortierung=art").get_data(as_text=True)
    assert _names(page)[0].startswith("Kita")  # Kita is the first kind
    # The form shows what was asked, so the user sees the filters of a bookmarked URL.
    mint = f.topic_id(app, "MINT")
    page = client.get(f"/akteure/?q=trier&thema={mint}&aktiv=ja&sortierung=gebiet").get_data(as_text=True)
    assert 'value="trier"' in page
    assert re.search(rf'name="thema" value="{mint}"\s+id="thema-\d+" checked>', page)  # the multi-choice box is ticked
    assert '<span data-multi-choice-summary>MINT</span>' in page  # and says what is chosen
    assert '<option value="ja" selected>' in page and '<option value="gebiet" selected>' in page


def test_pagination_keeps_the_filters(login_as, app) -> None:
    for n in range(1, 56):
        f.actor(app, f"Kita Nummer {n:02d}", kind="Kita")
    f.actor(app, "Grundschule Ehrang")
    client = login_as(Role.VIEWER)
    page = client.get("/akteure/?q=kita&sortierung=-name").get_data(as_text=True)
    assert _count(page).startswith("55 Akteure") and "Seite 1 von 2" in page
    assert len(_names(page)) == 50 and _names(page)[0] == "Kita Nummer 55"
    link = re.search(r'<a class="page-link" rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(link).query) == {"q": ["kita"], "sortierung": ["-name"], "seite": ["2"]}
    second = client.get(link).get_data(as_text=True)
    assert _names(second) == [f"Kita Nummer {n:02d}" for n in range(5, 0, -1)]
    # A page past the end shows the last page rather than nothing.
    assert _names(client.get("/akteure/?q=kita&seite=99").get_data(as_text=True))[-1] == "Kita Nummer 55"


def test_url_round_trip_with_repeated_parameters(app, landscape) -> None:
    """Parsing the URL and writing it back gives the same filter (bookmarks and links agree)."""
    mint, stage = f.topic_id(app, "MINT"), f.stage_id(app, "primar")
    args = MultiDict([("q", "schule  trier"), ("art", str(f.kind_id(app))), ("art", str(f.kind_id(app, "Kita"))),
                      ("thema", str(mint)), ("phase", str(stage)), ("gebiet", str(landscape["trier"])),
                      ("initiative", str(landscape["mint"])), ("kategorie", "Schule"), ("aktiv", "ja"),
                      ("sortierung", "geaendert"), ("seite", "3")])
    with app.test_request_context():
        parsed = directory.actor_filter_from_args(args, db.session)
        assert parsed.hints == []
        again = directory.actor_filter_from_args(MultiDict(
            [(k, str(v)) for k, vs in parsed.to_args().items() for v in (vs if isinstance(vs, list) else [vs])]),
            db.session)
        assert again == parsed
        assert parsed.q == "schule trier" and parsed.kind_ids == [f.kind_id(app), f.kind_id(app, "Kita")]
        from flask import url_for

        url = url_for("actors.index", **parsed.to_args())
        assert url.count("art=") == 2 and "seite=3" in url


def test_unknown_ids_are_ignored_with_a_german_hint(login_as, landscape) -> None:
    client = login_as(Role.VIEWER)
    response = client.get("/akteure/?art=99999&gebiet=abc&thema=-1&initiative=77777&kategorie=Raumfahrt"
                          "&aktiv=vielleicht&sortierung=farbe&seite=x")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Akteursart Nr. 99999 gibt es nicht (mehr); dieser Filter wurde ignoriert." in page
    assert "„abc“ ist keine gültige Auswahl für Gebiet" in page
    assert "Initiative Nr. 77777 gibt es nicht (mehr)" in page
    assert "Die Kategorie „Raumfahrt“ gibt es nicht" in page
    assert "Unbekannte Sortierung „farbe“" in page
    assert _count(page).startswith("5 Akteure")  # nothing filtered: the list is still useful
    # Numbers no database column holds, and digits that are not ASCII, are refused the same way.
    for query in ("gebiet=99999999999999999999999", "art=%C2%B2", "seite=99999999999999999999",
                  "initiative=0", "thema=-3&phase=1.5"):
        response = client.get(f"/akteure/?{query}")
        assert response.status_code == 200, query
    assert client.get("/akteure/suche.json?q=schule&ohne=99999999999999999999999").status_code == 200


def test_export_lists_what_the_directory_shows(login_as, landscape) -> None:
    client = login_as(Role.COORDINATOR)
    query = f"gebiet={landscape['trier']}&aktiv=ja&sortierung=-name"
    page = client.get(f"/akteure/?{query}").get_data(as_text=True)
    assert f'href="/export/akteure.csv?{query.replace("&", "&amp;")}"' in page
    rows = list(csv.reader(io.StringIO(client.get(f"/export/akteure.csv?{query}").data.decode("utf-8-sig")),
                           delimiter=";"))
    assert [r[0] for r in rows[1:]] == _names(page) == ["Kita St. Anna", "IHK Trier", "Grundschule Olewig"]


def test_list_and_page_need_only_a_few_queries(app, login_as) -> None:
    """50 rows with kind, area and topics: a constant number of queries, not one per row."""
    from sqlalchemy import event

    trier = f.area(app, "Stadt Trier")
    for n in range(60):
        f.actor(app, f"Schule {n:02d}", area_id=f.area(app, f"Stadtteil {n}", trier), topics=["MINT", "BNE"][: n % 3])
    client = login_as(Role.VIEWER)
    client.get("/akteure/")  # warm up (templates, user)
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            page = client.get("/akteure/").get_data(as_text=True)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert len(_names(page)) == 50
    assert len(statements) <= 15, len(statements)


def test_autocomplete_json(app, login_as, landscape) -> None:
    client = login_as(Role.VIEWER)
    for n in range(20):
        f.actor(app, f"Grundschule Nummer {n}")
    data = client.get("/akteure/suche.json?q=grunds").get_json()
    assert len(data) == 15
    assert set(data[0]) == {"id", "name", "kind", "area", "is_active"}
    olewig = client.get("/akteure/suche.json?q=olew").get_json()
    assert olewig == [{"id": landscape["olewig"], "name": "Grundschule Olewig", "kind": "Grundschule",
                       "area": "Olewig", "is_active": True}]
    assert client.get(f"/akteure/suche.json?q=olew&ohne={landscape['olewig']}").get_json() == []
    # Names that start with the text come first, then the rest alphabetically.
    f.actor(app, "Schulamt Trier", kind="Amt / Dienststelle")
    names = [row["name"] for row in client.get("/akteure/suche.json?q=schul").get_json()]
    assert names[0] == "Schulamt Trier" and names[1] == "Grundschule Nummer 0"  # inactive ones after active
    assert client.get("/akteure/suche.json?q=").get_json() == []


def test_autocomplete_needs_a_login(client) -> None:
    response = client.get("/akteure/suche.json?q=a")
    assert response.status_code in (302, 401)
