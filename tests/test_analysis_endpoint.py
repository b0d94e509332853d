"""The analysis as JSON: permission-checked, validated, and recomputed when the data change."""
from __future__ import annotations

from crm.extensions import db
from crm.models import Role
from crm.services import audit
from crm.services.demo import load_demo


def _demo(app) -> None:
    with app.app_context(), audit.suppressed():
        load_demo(db.session)
        db.session.commit()


def test_viewer_gets_the_analysis_of_the_demo_region(app, login_as) -> None:
    _demo(app)
    client = login_as(Role.VIEWER)
    response = client.get("/analyse/ergebnis.json?as_of=2026-06-30")
    assert response.status_code == 200
    data = response.get_json()
    assert data["network"]["nodes"] > 100 and data["network"]["edges"] > 100
    assert data["actors"][0]["betweenness"] >= data["actors"][-1]["betweenness"]
    assert data["communities"] and all(c["label"] for c in data["communities"])
    assert data["transitions"]["transitions"][0] == "fruehkindlich→primar"
    assert "email" not in response.get_data(as_text=True)
    wider = client.get("/analyse/ergebnis.json?as_of=2026-06-30&layers=cooperation,initiative").get_json()
    assert wider["network"]["edges"] > data["network"]["edges"]


def test_bad_cut_is_a_problem_json(login_as) -> None:
    client = login_as(Role.VIEWER)
    response = client.get("/analyse/ergebnis.json?as_of=30.06.2026")
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert "kein Datum" in response.get_json()["detail"]
    assert client.get("/analyse/ergebnis.json?layers=telefon").status_code == 422
    assert client.get("/analyse/ergebnis.json?resolution=abc").status_code == 422


def test_anonymous_gets_no_analysis(client) -> None:
    response = client.get("/analyse/ergebnis.json", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.get_json()["status"] == 401


def test_a_change_invalidates_the_cache(app, login_as, create_actor) -> None:
    first_id = create_actor("Kita Eins")
    client = login_as(Role.COORDINATOR)
    before = client.get("/analyse/ergebnis.json").get_json()
    create_actor("Kita Zwei")
    after = client.get("/analyse/ergebnis.json").get_json()
    assert after["network"]["nodes"] == before["network"]["nodes"] + 1
    assert after["data_version"] != before["data_version"]
    assert first_id
