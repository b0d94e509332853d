"""One query per list: the API's lists cost the same number of SQL statements whatever their length.

Each list loads what its items show (kind, area with its parents, topics, life stages, affiliations
with their actors, consents, memberships, the figures of events) for the whole page at once. A
statement per row (an N+1, as ``/api/v1/persons`` had with one consent query per person: 18
statements at limit=10, 53 at limit=50) makes this test fail.
"""
from __future__ import annotations

import pytest

from crm.extensions import db
from crm.models import Role
from tests import factories_events as fe
from tests.statements import counting
from tests.test_api import token_for  # noqa: F401 - fixture

LISTS = ("/api/v1/actors", "/api/v1/persons", "/api/v1/cooperations", "/api/v1/initiatives", "/api/v1/events")


def _landscape(app, size: int, prefix: str = "") -> None:
    """``size`` of everything, spread over a three-level area tree (a page of 10 actors reaches other
    districts than a page of 50), topics and life stages."""
    from crm.models import Cooperation, CooperationType

    with app.app_context():
        city = fe.area(f"{prefix}Stadt Trier")
        districts = [fe.area(f"{prefix}Stadtteil {n}", parent=city) for n in range(20)]
        quarters = [fe.area(f"{prefix}Quartier {n}", parent=districts[n % 20]) for n in range(40)]
        actors = [fe.actor(f"{prefix}Akteur {n:03d}", area=quarters[n % len(quarters)],
                           topics=["MINT", "Digitale Bildung"][: 1 + n % 2],
                           life_stages=["Primarstufe", "Sekundarstufe"][: 1 + n % 2]) for n in range(size)]
        people = [fe.person(f"{prefix}Muster{n:03d}", at=actors[n]) for n in range(size)]
        for person in people:
            fe.consent_for(person)
        ctype = fe.vocabulary(CooperationType)
        for n in range(size):
            db.session.add(Cooperation(source=actors[n], target=actors[(n + 1) % size], type=ctype, intensity=2,
                                       description="", topics=list(actors[n].topics)))
        for n in range(size):
            fe.initiative(f"{prefix}Initiative {n:03d}", [actors[n], actors[(n + 3) % size]])
        for n in range(size):
            event_row = fe.event(f"{prefix}Bildungsgespräch {n:03d}", days_ahead=10 + n)
            fe.invite(event_row, people[n], people[(n + 1) % size])
        db.session.commit()


def _statements(app, client, url: str, headers: dict[str, str]) -> int:
    with counting(app) as statements:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return len(statements)


@pytest.mark.parametrize("path", LISTS)
def test_statements_per_api_list_do_not_grow_with_the_page(app, client, token_for, path) -> None:  # noqa: F811
    _landscape(app, 60)
    headers = token_for(Role.ADMIN)
    client.get(f"{path}?limit=1", headers=headers)  # warm-up: the token's first use is recorded once
    small = _statements(app, client, f"{path}?limit=10", headers)
    large = _statements(app, client, f"{path}?limit=50", headers)
    assert client.get(f"{path}?limit=50", headers=headers).get_json()["total"] >= 50
    assert small == large, f"{path}: {small} statements at limit=10, {large} at limit=50"


def test_statements_do_not_grow_with_more_data(app, client, token_for) -> None:  # noqa: F811
    """The same page of 10 on a landscape three times the size costs the same."""
    headers = token_for(Role.ADMIN)
    _landscape(app, 20)
    client.get("/api/v1/actors?limit=1", headers=headers)  # warm-up: the token's first use is recorded once
    before = {path: _statements(app, client, f"{path}?limit=10", headers) for path in LISTS}
    _landscape(app, 40, prefix="B ")
    after = {path: _statements(app, client, f"{path}?limit=10", headers) for path in LISTS}
    assert before == after
