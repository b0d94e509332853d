"""Each rule of an actor lives in one service function (``crm.services.landscape.actors.check_actor``)
and every door calls it: the actor form, the API, the import and Flask-Admin refuse the same thing with
the same German words, each on its own field (form field, API field, import row and column, admin
field). One test per rule drives all four doors; nothing is saved through any of them."""
from __future__ import annotations

import html
import re
from datetime import date, timedelta

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Actor, ActorKind, Role
from crm.services.landscape import actors as actor_service
from tests import factories_imports as imp
from tests.test_api import token_for  # noqa: F401 - fixture

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _kind_id(app, name: str = "Grundschule") -> int:
    with app.app_context():
        return db.session.scalars(select(ActorKind.id).where(ActorKind.name == name)).one()


def _page_errors(page: str, field: str) -> list[str]:
    """What the actor form shows under a field (``macros/forms.html``)."""
    return [html.unescape(m) for m in re.findall(rf'id="{field}-error">([^<]*)</div>', page)]


def _admin_errors(page: str, field: str) -> list[str]:
    """What Flask-Admin shows under a field: the messages after the field's input, before the next field."""
    start = page.find(f'id="{field}"')
    assert start >= 0, f"no field {field} on the admin form"
    rest = page[start:]
    end = rest.find('class="form-group', 1)
    block = rest[: end if end > 0 else len(rest)]
    return [html.unescape(" ".join(m.split())) for m in re.findall(r'<(?:li|div)[^>]*>([^<]{8,})</(?:li|div)>', block)]


def _page_form(app, actor_id: int | None, **changes: str) -> dict[str, str]:
    values = {"name": "", "kind": str(_kind_id(app)), "is_active": "y"}
    if actor_id is not None:
        with app.app_context():
            actor = db.session.get(Actor, actor_id)
            values.update(name=actor.name, kind=str(actor.kind_id), version_id=str(actor.version_id),
                          external_ref=actor.external_ref or "")
    values.update(changes)
    return values


def _admin_post(client, url: str, data: dict[str, str]):
    token = CSRF.search(client.get(url).get_data(as_text=True)).group(1)
    return client.post(url, data={"csrf_token": token, **data})


def _import_problems(client, csv: str) -> str:
    token = imp.start(client, "actors", ("akteure.csv", csv.encode()))
    imp.map_columns(client, token)
    _status, page = imp.preview(client, token)
    return imp.text_of(page)


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Actor)) or 0


# --------------------------------------------------------------------------- parent cycle

def test_no_actor_sits_below_itself_through_any_door(app, client, create_user, create_actor,
                                                     token_for) -> None:  # noqa: F811
    message = actor_service.PARENT_CYCLE
    office = create_actor("Dezernat IV", kind="Dezernat")
    school_office = create_actor("Amt für Schulen", kind="Amt / Dienststelle")
    with app.app_context():
        db.session.get(Actor, school_office).parent_id = office
        db.session.commit()

    # 1. the actor form: "Dezernat IV" under its own sub-office
    client.login(create_user(Role.ADMIN).email)
    page = client.post_form(f"/akteure/{office}/bearbeiten", _page_form(
        app, office, parent="Amt für Schulen", parent_id=str(school_office)))
    assert page.status_code == 422
    assert _page_errors(page.get_data(as_text=True), "parent") == [message]

    # 2. the API
    answer = client.patch(f"/api/v1/actors/{office}", json={"parent_id": school_office},
                          headers=token_for(Role.COORDINATOR))
    assert answer.status_code == 422 and answer.get_json()["errors"] == {"parent_id": [message]}

    # 3. the import: a file that puts the office under its sub-office (row 2, column C) …
    text = _import_problems(client, "Name;Art;Übergeordneter Akteur\nDezernat IV;Dezernat;Amt für Schulen\n")
    assert f"2 Übergeordneter Akteur (C) {message}" in text
    # … and a cycle within one file (A under B, B under A), before anything is written
    text = _import_problems(client, "Name;Art;Übergeordneter Akteur\nAmt A;Dezernat;Amt B\nAmt B;Dezernat;Amt A\n")
    assert f"3 Übergeordneter Akteur (C) {message}" in text

    # 4. Flask-Admin
    page = _admin_post(client, f"/admin/admin_actors/edit/?id={office}", {
        "name": "Dezernat IV", "kind": str(_kind_id(app, "Dezernat")), "parent": str(school_office),
        "is_active": "y"})
    assert page.status_code == 200
    assert message in _admin_errors(page.get_data(as_text=True), "parent")

    with app.app_context():
        assert db.session.get(Actor, office).parent_id is None
    assert _count(app) == 2


# --------------------------------------------------------------------------- external reference

def test_one_reference_names_one_actor_through_every_door(app, client, create_user, create_actor,
                                                          token_for) -> None:  # noqa: F811
    create_actor("Grundschule Olewig", external_ref="51234")
    kita = create_actor("Kita St. Anna", kind="Kita")
    message = "Diese Kennung hat bereits „Grundschule Olewig“."

    # 1. the actor form (case does not make another reference)
    client.login(create_user(Role.ADMIN).email)
    page = client.post_form(f"/akteure/{kita}/bearbeiten", _page_form(app, kita, external_ref="51234"))
    assert page.status_code == 422
    assert _page_errors(page.get_data(as_text=True), "external_ref") == [message]
    page = client.post_form("/akteure/neu", _page_form(app, None, name="Neue Schule", external_ref="51234",
                                                       confirm_duplicate="y"))
    assert _page_errors(page.get_data(as_text=True), "external_ref") == [message]

    # 2. the API
    answer = client.patch(f"/api/v1/actors/{kita}", json={"external_ref": "51234"},
                          headers=token_for(Role.COORDINATOR))
    assert answer.status_code == 422 and answer.get_json()["errors"] == {"external_ref": [message]}
    answer = client.post("/api/v1/actors", json={"name": "Neue Schule", "kind_id": _kind_id(app),
                                                 "external_ref": "51234"}, headers=token_for(Role.COORDINATOR))
    assert answer.status_code == 422 and answer.get_json()["errors"] == {"external_ref": [message]}

    # 3. the import: the reference identifies the actor, so a row with it describes that actor and
    # never makes a second one with the same reference (the service's check runs on the row).
    text = _import_problems(client, "Name;Art;Kennung\nGrundschule Olewig (Neubau);Grundschule;51234\n")
    assert "0 neu, 1 aktualisiert" in text or "1 aktualisiert" in text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Actor).where(Actor.external_ref == "51234")) == 1

    # 4. Flask-Admin
    page = _admin_post(client, f"/admin/admin_actors/edit/?id={kita}", {
        "name": "Kita St. Anna", "kind": str(_kind_id(app, "Kita")), "external_ref": "51234", "is_active": "y"})
    assert message in _admin_errors(page.get_data(as_text=True), "external_ref")
    page = _admin_post(client, "/admin/admin_actors/new/", {
        "name": "Neue Schule", "kind": str(_kind_id(app)), "external_ref": "51234", "is_active": "y"})
    assert message in _admin_errors(page.get_data(as_text=True), "external_ref")

    with app.app_context():
        assert db.session.get(Actor, kita).external_ref is None
    assert _count(app) == 2


# --------------------------------------------------------------------------- the active period

def test_active_until_never_lies_before_active_since_through_any_door(app, client, create_user,
                                                                     token_for) -> None:  # noqa: F811
    message = actor_service.PERIOD_REVERSED

    client.login(create_user(Role.ADMIN).email)
    page = client.post_form("/akteure/neu", _page_form(app, None, name="Kita West", active_from="2020-08-01",
                                                       active_until="2019-07-31", is_active=""))
    assert page.status_code == 422
    assert _page_errors(page.get_data(as_text=True), "active_until") == [message]

    answer = client.post("/api/v1/actors", json={"name": "Kita West", "kind_id": _kind_id(app), "is_active": False,
                                                 "active_from": "2020-08-01", "active_until": "2019-07-31"},
                         headers=token_for(Role.COORDINATOR))
    assert answer.status_code == 422 and answer.get_json()["errors"] == {"active_until": [message]}

    text = _import_problems(client, "Name;Art;Tätig seit;Tätig bis\nKita West;Kita;01.08.2020;31.07.2019\n")
    assert f"2 Tätig bis (D) {message}" in text

    page = _admin_post(client, "/admin/admin_actors/new/", {
        "name": "Kita West", "kind": str(_kind_id(app, "Kita")), "active_from": "2020-08-01",
        "active_until": "2019-07-31"})
    assert message in _admin_errors(page.get_data(as_text=True), "active_until")
    assert _count(app) == 0


def test_an_active_actor_is_not_active_only_until_a_past_day_through_any_door(app, client, create_user,
                                                                              token_for) -> None:  # noqa: F811
    message = actor_service.ACTIVE_IN_THE_PAST
    past = (date.today() - timedelta(days=30)).isoformat()

    client.login(create_user(Role.ADMIN).email)
    page = client.post_form("/akteure/neu", _page_form(app, None, name="Kita Ost", active_until=past))
    assert _page_errors(page.get_data(as_text=True), "active_until") == [message]

    answer = client.post("/api/v1/actors", json={"name": "Kita Ost", "kind_id": _kind_id(app), "is_active": True,
                                                 "active_until": past}, headers=token_for(Role.COORDINATOR))
    assert answer.status_code == 422 and answer.get_json()["errors"] == {"active_until": [message]}

    text = _import_problems(client, f"Name;Art;Aktiv;Tätig bis\nKita Ost;Kita;ja;{past}\n")
    assert f"2 Tätig bis (D) {message}" in text

    page = _admin_post(client, "/admin/admin_actors/new/", {
        "name": "Kita Ost", "kind": str(_kind_id(app, "Kita")), "is_active": "y", "active_until": past})
    assert message in _admin_errors(page.get_data(as_text=True), "active_until")
    assert _count(app) == 0
