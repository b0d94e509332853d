"""The page "Überschneidungen der Gremien": the demo region's seeded duplicate, thresholds from the
URL with German refusals, the top-pairs list for many groups, and a fixed number of statements."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import event, select

from crm.demo import data as demo_data
from crm.extensions import db
from crm.models import Initiative, Role
from crm.services.network import overlaps
from tests.demo_region import DemoRegion, demo_region_fixture

PAIR = re.compile(r'data-testid="duplicate-pair" data-pair="(\d+)-(\d+)"')


@pytest.fixture(scope="module")
def demo(database_url: str, _migrated: None) -> Iterator[DemoRegion]:
    yield from demo_region_fixture(database_url)


def test_demo_region_flags_exactly_the_seeded_duplicate_pair(demo: DemoRegion) -> None:
    client = demo.client(Role.VIEWER)
    network_page = client.get("/netzwerk/").get_data(as_text=True)
    assert 'href="/netzwerk/ueberschneidungen"' in network_page  # linked from the network map
    response = client.get("/netzwerk/ueberschneidungen")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    seeded = demo_data.DUPLICATE_INITIATIVES[0]
    twin = next(spec for spec in demo_data.INITIATIVES if spec.short == seeded.twin)
    with demo.app.app_context():
        ids = {name: db.session.scalar(select(Initiative.id).where(Initiative.name == name))
               for name in (seeded.name, twin.name)}
    assert PAIR.findall(page) == [tuple(str(i) for i in sorted(ids.values()))]
    assert "Mögliche Doppelstrukturen" in page and "Sprache und Integration (Neuzugewanderte)" in page
    flagged = page.split('data-testid="duplicate-pair"')[1].split("</tr>")[0]
    assert re.search(r'<td class="text-end">\d{1,2}&nbsp;%</td>', flagged)  # the share, as a German percentage
    # the matrix: an accessible table with row and column headers, one row per running group
    matrix = page.split('data-testid="overlap-matrix"')[1].split("</table>")[0]
    assert matrix.count('<th scope="col"') == matrix.count('<th scope="row"') == 7
    # topics no group works on are listed (the demo has no BNE group)
    gaps = page.split('data-testid="uncovered-topics"')[1].split("</ul>")[0]
    assert "Bildung für nachhaltige Entwicklung (BNE)" in gaps and "MINT" not in gaps


def test_thresholds_change_the_flags_and_bad_values_are_refused_in_german(demo: DemoRegion) -> None:
    client = demo.client(Role.VIEWER)
    strict = client.get("/netzwerk/ueberschneidungen?anteil=95").get_data(as_text=True)
    assert PAIR.findall(strict) == [] and 'data-testid="no-duplicates"' in strict
    loose = client.get("/netzwerk/ueberschneidungen?ueberlastung=2").get_data(as_text=True)
    assert 'data-testid="overloaded"' in loose
    for query, text in (("anteil=0", "Der Anteil gemeinsamer Mitglieder ist eine ganze Zahl von 1 bis 100"),
                        ("mindestens=abc", "Die Mindestzahl gemeinsamer Mitglieder"),
                        ("ueberlastung=1", "ganze Zahl von 2 bis 1000")):
        response = client.get(f"/netzwerk/ueberschneidungen?{query}")
        assert response.status_code == 422
        assert text in response.get_data(as_text=True)


def test_loads_in_a_fixed_number_of_statements(demo: DemoRegion) -> None:
    statements: list[str] = []
    with demo.app.app_context():
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            data = overlaps.working_group_overlaps(db.session)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
    assert len(data.groups) == 7
    # initiatives, their topics, their life stages, the memberships, the two vocabularies:
    # the same six however many groups there are
    assert len(statements) == 6
