"""The overlap page on a landscape of its own: many groups (top pairs instead of the matrix), login."""
from __future__ import annotations

from crm.models import MembershipRole, Role
from crm.services.network import overlaps
from tests import factories_coordinator as f


def test_many_groups_show_the_top_pairs_instead_of_the_matrix(app, login_as) -> None:
    people = [f.actor(app, f"Schule {n}") for n in range(6)]
    for n in range(overlaps.MATRIX_LIMIT + 1):
        members = tuple((people[(n + k) % 6], MembershipRole.MEMBER) for k in range(3))
        f.initiative(app, f"Arbeitskreis {n:02d}", members)
    client = login_as(Role.VIEWER)
    page = client.get("/netzwerk/ueberschneidungen").get_data(as_text=True)
    assert 'data-testid="overlap-matrix"' not in page
    assert 'data-testid="top-pairs"' in page and "Bei 16 Gremien" in page
    assert 'data-testid="overloaded"' in page  # each school sits in 8 groups
    assert client.get("/netzwerk/ueberschneidungen").status_code == 200


def test_needs_a_login(client) -> None:
    assert client.get("/netzwerk/ueberschneidungen").status_code in (302, 401)
