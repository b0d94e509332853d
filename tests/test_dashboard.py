"""Dashboard over HTTP on the demo region: figures equal those counted straight from the database,
brokers equal networkx's own betweenness, no personal data, and the right people see it."""
from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import networkx as nx
import pytest
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from crm.extensions import db
from crm.models import Actor, Cooperation, Event, EventStatus, Role
from crm.services.network.dashboard import same_day_last_year
from tests.demo_region import DemoRegion, demo_region_fixture, personal_data

FIGURE_ROW = re.compile(r'<tr data-figure="(\w+)"><th scope="row">[^<]*</th><td class="text-end">([^<]*)</td>\s*'
                        r'<td class="text-end fw-semibold">([^<]*)</td>')


@pytest.fixture(scope="module")
def demo(database_url: str, _migrated: None) -> Iterator[DemoRegion]:
    """The demo region, loaded once for this module."""
    yield from demo_region_fixture(database_url)


def _figures(page: str) -> dict[str, tuple[str, str]]:
    return {key: (then, now) for key, then, now in FIGURE_ROW.findall(page)}


def _running(day):
    source, target = aliased(Actor), aliased(Actor)
    return (select(func.count()).select_from(Cooperation)
            .join(source, source.id == Cooperation.source_id).join(target, target.id == Cooperation.target_id)
            .where(or_(Cooperation.start_date.is_(None), Cooperation.start_date <= day),
                   or_(Cooperation.end_date.is_(None), Cooperation.end_date >= day),
                   source.is_active.is_(True), target.is_active.is_(True)))


@pytest.fixture(scope="module")
def viewer_page(demo: DemoRegion) -> str:
    response = demo.client(Role.VIEWER).get("/dashboard/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_key_figures_equal_the_database(demo: DemoRegion, viewer_page: str) -> None:
    figures = _figures(viewer_page)
    assert set(figures) == {"actors", "cooperations", "initiatives", "events", "attendances", "density",
                            "components", "isolates"}
    with demo.app.app_context():
        actors = db.session.scalar(select(func.count()).select_from(Actor).where(Actor.is_active.is_(True)))
        running_now = db.session.scalar(_running(demo.today))
        graph = nx.Graph()
        graph.add_nodes_from(db.session.scalars(select(Actor.id).where(Actor.is_active.is_(True))))
        source, target = aliased(Actor), aliased(Actor)
        rows = db.session.execute(
            select(Cooperation.source_id, Cooperation.target_id)
            .join(source, source.id == Cooperation.source_id).join(target, target.id == Cooperation.target_id)
            .where(Cooperation.start_date <= demo.today,
                   or_(Cooperation.end_date.is_(None), Cooperation.end_date >= demo.today),
                   source.is_active.is_(True), target.is_active.is_(True))).all()
        graph.add_edges_from(rows)
    assert figures["actors"][1] == str(actors)
    assert figures["cooperations"][1] == str(running_now)
    assert figures["components"][1] == str(nx.number_connected_components(graph))
    assert figures["isolates"][1] == str(nx.number_of_isolates(graph))
    assert figures["density"][1] == f"{nx.density(graph):.3f}".replace(".", ",")


def test_last_year_figures_and_change(demo: DemoRegion, viewer_page: str) -> None:
    figures = _figures(viewer_page)
    last_year = same_day_last_year(demo.today)
    with demo.app.app_context():
        running_then = db.session.scalar(_running(last_year))
        berlin = ZoneInfo("Europe/Berlin")

        def held(day):  # events in the 365 days up to ``day`` (Berlin calendar days), cancelled ones not
            start = datetime.combine(day - timedelta(days=364), time.min, tzinfo=berlin)
            end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=berlin)
            return db.session.scalar(select(func.count()).select_from(Event).where(
                Event.starts_at >= start, Event.starts_at < end, Event.status != EventStatus.CANCELLED))
        events_now, events_then = held(demo.today), held(last_year)
    # The demo closes actors only long ago, so today's active actors were active last year too.
    assert figures["cooperations"][0] == str(running_then)
    assert figures["events"][1] == str(events_now)
    assert figures["events"][0] == str(events_then)
    assert "seit Vorjahr" in viewer_page
    delta = int(figures["cooperations"][1]) - int(figures["cooperations"][0])
    sign = "+" if delta > 0 else ("±" if delta == 0 else "−")
    assert f"{sign}{abs(delta)}" in viewer_page


def test_top_broker_is_networkx_betweenness_leader(demo: DemoRegion, viewer_page: str) -> None:
    with demo.app.app_context():
        source, target = aliased(Actor), aliased(Actor)
        rows = db.session.execute(
            select(Cooperation.source_id, Cooperation.target_id)
            .join(source, source.id == Cooperation.source_id).join(target, target.id == Cooperation.target_id)
            .where(Cooperation.start_date <= demo.today,
                   or_(Cooperation.end_date.is_(None), Cooperation.end_date >= demo.today),
                   source.is_active.is_(True), target.is_active.is_(True))).all()
        graph = nx.Graph(rows)
        graph.add_nodes_from(db.session.scalars(select(Actor.id).where(Actor.is_active.is_(True))))
        betweenness = nx.betweenness_centrality(graph)
        leader = max(betweenness, key=lambda n: (betweenness[n], -n))
        actor = db.session.get(Actor, leader)
        name = actor.name
    section = viewer_page.split('data-testid="brokers"', 1)[1].split("</table>", 1)[0]
    first_row = section.split("<tr><td>1</td>", 1)[1].split("</tr>", 1)[0]
    assert f'href="/akteure/{leader}"' in first_row
    assert html.escape(name) in first_row    # individual actors are named too (crm/services/landscape/naming.py)


def test_isolated_actors_link_to_their_pages(demo: DemoRegion, viewer_page: str) -> None:
    listed = viewer_page.split('data-testid="isolates"', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'href="/akteure/(\d+)"', listed)
    assert str(len(links)) == _figures(viewer_page)["isolates"][1]


def test_heat_map_and_topic_chart_and_events(demo: DemoRegion, viewer_page: str) -> None:
    heat = viewer_page.split('data-testid="transition-heatmap"', 1)[1].split("</table>", 1)[0]
    assert "Primarstufe → Sekundarstufe" in heat or "Primarstufe &#8594; Sekundarstufe" in heat
    assert re.search(r'href="/kooperationen/\d+"', heat)  # cells show the cooperations behind them
    assert "heat-0" in heat and "Lücke" in heat  # gaps are named
    chart = viewer_page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "<polyline" in chart and "<script" not in chart
    assert 'data-testid="topic-years"' in viewer_page
    with demo.app.app_context():
        upcoming = db.session.scalars(select(Event).where(Event.starts_at >= datetime.now(UTC),
                                                          Event.status != EventStatus.CANCELLED)).all()
    events = viewer_page.split('data-testid="upcoming-events"', 1)[1].split("</ul>", 1)[0] if upcoming else ""
    for event in upcoming[:3]:
        assert html.escape(event.title) in events or event.title in html.unescape(events)


def test_viewer_sees_no_personal_data(demo: DemoRegion, viewer_page: str) -> None:
    data = personal_data(demo.app)
    text = html.unescape(viewer_page)
    assert data["emails"] and data["phones"]
    assert [e for e in data["emails"] if e in text] == []
    assert [p for p in data["phones"] if p in text] == []
    assert [n for n in data["names"] if n in text] == []


def test_viewer_lands_on_dashboard_and_staff_get_link(demo: DemoRegion) -> None:
    start = demo.client(Role.VIEWER).get("/").get_data(as_text=True)
    assert 'data-testid="transition-heatmap"' in start
    staff = demo.client(Role.COORDINATOR).get("/").get_data(as_text=True)
    assert 'href="/dashboard/"' in staff


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ORGANISER, Role.COORDINATOR, Role.ADMIN])
def test_every_role_sees_the_dashboard(demo: DemoRegion, role: Role) -> None:
    assert demo.client(role).get("/dashboard/").status_code == 200


def test_anonymous_is_sent_to_login(demo: DemoRegion) -> None:
    response = demo.client(None).get("/dashboard/")
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]


def test_dashboard_is_kept_until_the_data_change(demo: DemoRegion, monkeypatch) -> None:
    """The heavy part (landscape, snapshots, analysis) is computed once per data version; the
    next viewer's request reads no landscape from the database."""
    from crm.services.network import records as network

    client = demo.client(Role.VIEWER)
    assert client.get("/dashboard/").status_code == 200
    loads: list[tuple] = []
    real = network.landscape
    monkeypatch.setattr(network, "landscape", lambda *args, **kwargs: loads.append(args) or real(*args, **kwargs))
    again = client.get("/dashboard/")
    assert again.status_code == 200 and loads == []
    assert demo.client(Role.COORDINATOR).get("/dashboard/").status_code == 200 and loads == []
