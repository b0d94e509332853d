"""Bestandsaufnahme der Bildungsangebote over HTTP: both matrices count the standing offers (published,
not ended), gaps are marked in words and link to the network suggestions of their cell, the dashboard
shows the number of gaps, and the council report carries both matrices."""
from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from crm.extensions import db
from crm.models import Actor, Area, LifeStage, Offer, OfferStatus, Role, TargetGroup, Topic
from crm.services.offers import inventory
from crm.services.offers import offers as offer_service


def _region(app, create_actor) -> dict[str, int]:
    """Stadt Trier with two Stadtteile; one school in each; offers: a Primarstufe MINT offer for
    children in Nord, an ended one and a draft in Süd (neither counts)."""
    with app.app_context():
        city = Area(name="Stadt Trier", level="Stadt")
        north, south = Area(name="Nord", parent=city), Area(name="Süd", parent=city)
        db.session.add_all([city, north, south])
        db.session.commit()
        ids = {"city": city.id, "north": north.id, "south": south.id}
    ids["gs_nord"] = create_actor("Grundschule Nord", kind="Grundschule")
    ids["gs_sued"] = create_actor("Grundschule Süd", kind="Grundschule")
    with app.app_context():
        db.session.get(Actor, ids["gs_nord"]).area_id = ids["north"]
        db.session.get(Actor, ids["gs_sued"]).area_id = ids["south"]
        primar = db.session.scalars(select(LifeStage).where(LifeStage.code == "primar")).one()
        mint = db.session.scalars(select(Topic).where(Topic.name == "MINT")).one()
        kinder = db.session.scalars(select(TargetGroup).where(TargetGroup.name == "Kinder")).one()

        def offer(title: str, provider: int, area: int, status: OfferStatus, **extra) -> int:
            created = offer_service.create_offer(db.session, {
                "title": title, "providers": [db.session.get(Actor, provider)], "area": db.session.get(Area, area),
                "life_stages": [primar], "topics": [mint], "target_groups": [kinder], "status": status,
                "is_ongoing": True, **extra})
            return created.id

        ids["offer"] = offer("Roboter-AG", ids["gs_nord"], ids["north"], OfferStatus.PUBLISHED)
        offer("Forscherclub", ids["gs_sued"], ids["south"], OfferStatus.ENDED)
        offer("Entwurf", ids["gs_sued"], ids["south"], OfferStatus.DRAFT)
        offer("Abgelaufen", ids["gs_sued"], ids["south"], OfferStatus.PUBLISHED, is_ongoing=False,
              starts_on=date.today() - timedelta(days=60), ends_on=date.today() - timedelta(days=1))
        db.session.commit()
    return ids


def _cell(html: str, table: str, row: str, column: str) -> str:
    section = html.split(f'data-testid="{table}"', 1)[1].split("</table>", 1)[0]
    match = re.search(rf'<td[^>]*data-row="{re.escape(row)}" data-column="{re.escape(column)}"[^>]*>(.*?)</td>',
                      section, re.S)
    assert match, (row, column)
    return match.group(1)


def test_matrices_count_standing_offers_and_link_gaps(app, login_as, create_actor) -> None:
    _region(app, create_actor)
    client = login_as(Role.VIEWER)
    response = client.get("/angebote/bestandsaufnahme/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<caption" in html and 'scope="row"' in html and 'scope="col"' in html
    # only the published, running offer counts; the city row sums its Stadtteile
    assert _cell(html, "stage-area", "Nord", "Primarstufe").strip() == "1"
    assert _cell(html, "stage-area", "Stadt Trier", "Primarstufe").strip() == "1"
    gap = _cell(html, "stage-area", "Süd", "Primarstufe")
    assert "Lücke" in gap  # in words, not by colour alone
    href = unescape(re.search(r'href="([^"]+)"', gap).group(1))
    assert urlsplit(href).path == "/analyse/vorschlaege"
    assert parse_qs(urlsplit(href).query) == {"areas": ["Süd"], "life_stages": ["primar"]}
    assert client.get(href).status_code == 200  # the suggestions page takes the preselection
    assert _cell(html, "topic-group", "MINT", "Kinder").strip() == "1"
    topic_gap = _cell(html, "topic-group", "Digitale Bildung", "Kinder")
    assert "Lücke" in topic_gap and "topics=Digitale+Bildung" in topic_gap
    assert "Legende" in html and "schwach besetzt" in html
    assert "1 laufendes Angebot" in html


def test_ending_the_only_offer_opens_the_gap(app, login_as, create_actor) -> None:
    ids = _region(app, create_actor)
    with app.app_context():
        before = inventory.inventory(db.session)
        cell = before.matrix(inventory.STAGE_AREA)
        north = next(r for r in cell.rows if r.label == "Nord")
        primar = next(c for c in cell.columns if c.label == "Primarstufe")
        assert cell.cell(north, primar).count == 1
        offer = db.session.get(Offer, ids["offer"])
        offer_service.update_offer(db.session, offer, {"status": OfferStatus.ENDED}, None)
        db.session.commit()
        after = inventory.inventory(db.session)
        assert after.matrix(inventory.STAGE_AREA).cell(north, primar).gap
        assert after.gap_count == before.gap_count + 3  # Nord, Stadt Trier (Primarstufe) and MINT × Kinder
        assert after.offers == 0


def test_weak_cells_are_marked() -> None:
    rows = [inventory.Axis(1, "A"), inventory.Axis(2, "B")]
    columns = [inventory.Axis(10, "x"), inventory.Axis(20, "y")]
    counts = {(1, 10): 20, (1, 20): 20, (2, 10): 39, (2, 20): 1}
    cells = inventory._mark(rows, columns, counts, rows)
    assert cells[(2, 20)].weak and not cells[(2, 20)].gap
    assert not cells[(1, 20)].weak and not cells[(2, 10)].weak


def test_dashboard_and_report_show_the_inventory(app, login_as, create_actor) -> None:
    _region(app, create_actor)
    client = login_as(Role.VIEWER)
    html = client.get("/dashboard/").get_data(as_text=True)
    block = html.split('data-testid="inventory-block"', 1)[1].split("</section>", 1)[0]
    assert "Lücken" in block and "/angebote/bestandsaufnahme/" in block
    report = client.get("/berichte/").get_data(as_text=True)
    assert "Bestandsaufnahme der Bildungsangebote" in report
    assert 'data-testid="report-stage-area"' in report and 'data-testid="report-topic-group"' in report
    assert "laufende, veröffentlichte Bildungsangebote" in report
    pdf = client.get("/berichte/bericht.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    xlsx = client.get("/berichte/bericht.xlsx")
    assert xlsx.status_code == 200


def test_empty_landscape_and_permissions(app, client, login_as) -> None:
    assert client.get("/angebote/bestandsaufnahme/").status_code in (302, 401)
    page = login_as(Role.COORDINATOR).get("/angebote/bestandsaufnahme/")
    assert page.status_code == 200 and "0 laufende Angebote" in page.get_data(as_text=True)


def test_offers_have_their_own_data_version(app, create_actor) -> None:
    """An offer's change raises the offers' counter (the Bestandsaufnahme is counted anew) and leaves
    the landscape's alone (the network analysis is not recomputed)."""
    from crm.services.computed import versions

    ids = _region(app, create_actor)
    with app.app_context():
        landscape, offers = versions.current(db.session), versions.current(db.session, versions.OFFERS)
        first = inventory.current_inventory(db.session)
        assert inventory.current_inventory(db.session) is first  # read from the app's cache
        offer = db.session.get(Offer, ids["offer"])
        offer_service.update_offer(db.session, offer, {"status": OfferStatus.ENDED}, None)
        db.session.commit()
        assert versions.current(db.session) == landscape
        assert versions.current(db.session, versions.OFFERS) == offers + 1
        again = inventory.current_inventory(db.session)
        assert again is not first and again.offers == first.offers - 1
