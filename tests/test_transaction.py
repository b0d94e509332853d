"""One transaction boundary (``crm.transaction``): a page or API write commits once, or rolls back and
says why in German — a refused rule on its field, a conflict as 409, and a race lost at a unique
index as the rule's own message, never a 500. Services never roll back their caller."""
from __future__ import annotations

import re
import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Initiative, Role
from crm.services.landscape import initiatives as initiative_service
from tests.test_api import token_for  # noqa: F401 - fixture

PROJECT = Path(__file__).resolve().parent.parent


def field_errors(html: str, field: str) -> list[str]:
    """The messages a page shows under one form field (``macros/forms.html``)."""
    return re.findall(rf'id="{field}-error">([^<]*)</div>', html)


def _slow_check(monkeypatch, seconds: float = 0.4) -> None:
    """Slow the name check down, so that without the lock (SQLite) or the translated unique index
    (PostgreSQL) two requests would both pass it and the second would end in a 500."""
    original = initiative_service.check_initiative

    def slowed(*args, **kwargs):
        original(*args, **kwargs)
        time.sleep(seconds)

    monkeypatch.setattr(initiative_service, "check_initiative", slowed)


def test_parallel_creation_of_one_initiative_creates_one_and_tells_the_others_why(app, create_user,
                                                                                  monkeypatch) -> None:
    from tests.conftest import Client

    app.test_client_class = Client
    clients = []
    for _ in range(5):
        client = app.test_client()
        client.login(create_user(Role.COORDINATOR).email)
        clients.append((client, client.csrf_token()))
    _slow_check(monkeypatch)
    start = threading.Barrier(len(clients))
    answers: list[tuple[int, str]] = []

    def submit(client, token) -> None:
        start.wait(timeout=10)
        response = client.post("/initiativen/neu", data={"csrf_token": token, "name": "MINT-Lernen in Trier",
                                                         "kind": "alliance"})
        answers.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=submit, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    codes = sorted(code for code, _ in answers)
    assert codes == [302, 422, 422, 422, 422], codes
    for code, page in answers:
        if code == 422:
            assert "Eine Initiative mit diesem Namen gibt es bereits." in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Initiative)) == 1


def test_a_double_submit_of_the_initiative_form_creates_one_record(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    data = {"name": "Bündnis für Grundbildung", "kind": "alliance"}
    assert client.post_form("/initiativen/neu", data).status_code == 302
    again = client.post_form("/initiativen/neu", data)
    assert again.status_code == 422
    assert "Eine Initiative mit diesem Namen gibt es bereits." in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Initiative)) == 1


def test_a_race_lost_at_the_unique_index_is_the_rule_s_message_on_the_page_and_in_the_api(
        app, login_as, token_for, monkeypatch) -> None:  # noqa: F811
    """Even past the service's check (here skipped, as if another request inserted in between), the
    unique index's refusal reaches the user as the rule, on the name field, and the API as 422."""
    client = login_as(Role.COORDINATOR)
    assert client.post_form("/initiativen/neu", {"name": "Knotenpunkte", "kind": "programme"}).status_code == 302
    monkeypatch.setattr(initiative_service, "check_initiative", lambda *args, **kwargs: None)
    page = client.post_form("/initiativen/neu", {"name": "Knotenpunkte", "kind": "programme"})
    assert page.status_code == 422
    assert field_errors(page.get_data(as_text=True), "name") == ["Eine Initiative mit diesem Namen gibt es bereits."]
    api = client.post("/api/v1/initiatives", json={"name": "Knotenpunkte", "kind": "programme"},
                      headers=token_for(Role.COORDINATOR))
    assert api.status_code == 422
    assert api.get_json()["errors"] == {"name": ["Eine Initiative mit diesem Namen gibt es bereits."]}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Initiative)) == 1


def test_services_never_roll_back_their_caller() -> None:
    """A service that rolled back on a lost race would also undo what its caller had done before in
    the same transaction; the boundary (crm/transaction.py) is the only place that rolls back. The one
    exception owns its transactions: the outbox's delivery loop commits and rolls back its own batches."""
    offenders = []
    for path in (PROJECT / "crm" / "services").rglob("*.py"):
        code = path.read_text(encoding="utf-8")
        if re.search(r"\bsession\.rollback\(\)", code) and not re.search(r"\bsession\.commit\(\)", code):
            offenders.append(str(path.relative_to(PROJECT)))
    assert offenders == []
