"""No internals on screen: names instead of object reprs, words instead of internal codes, local
times without microseconds, German decimal commas."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from crm.extensions import db
from crm.models import Actor, AuditEntry, CooperationType, Role
from crm.services.landscape import cooperations as cooperation_service
from tests import factories_coordinator as f

REPR = re.compile(r"&lt;[A-Z][a-zA-Z]+ \d+|<[A-Z][a-zA-Z]+ \d+[^>]*>")


def _recent_changes(page: str) -> str:
    return page.split("Letzte Änderungen", 1)[1].split("</section>", 1)[0]


def test_the_start_page_names_what_changed_instead_of_showing_reprs(app, login_as) -> None:
    school, kita = f.actor(app, "Grundschule Olewig"), f.actor(app, "Kita St. Anna", kind="Kita")
    with app.app_context():
        source, target = db.session.get(Actor, school), db.session.get(Actor, kita)
        ctype = db.session.scalars(select(CooperationType).where(CooperationType.name == "Kooperationsvertrag")).one()
        cooperation_service.create_cooperation(db.session, {"source": source, "target": target, "type": ctype})
        # An entry written before summaries were readable: it held the object's repr.
        db.session.add(AuditEntry(actor_label="alt", action="create", entity_type="Cooperation", entity_id=252,
                                  summary="<Cooperation 252 13->46 type=2>", changes={}))
        db.session.commit()
    client = login_as(Role.ORGANISER)
    changes = _recent_changes(client.get("/").get_data(as_text=True))
    assert "Kooperationsvertrag: Grundschule Olewig – Kita St. Anna" in changes
    assert "angelegt (Kooperation): Kooperation Nr. 252" in " ".join(changes.split())
    assert not REPR.search(changes), changes


def test_failed_logins_are_no_change_on_the_start_page(app, client, create_user, login_as) -> None:
    user = create_user(Role.ORGANISER)
    assert client.post_form("/anmelden", {"email": user.email, "password": "falsch-falsch-falsch"}).status_code == 401
    assert client.post_form("/anmelden", {"email": "niemand@test.example", "password": "x" * 12}).status_code == 401
    client.login(user.email)
    page = client.get("/").get_data(as_text=True)
    for internal in ("login_failed", "login_reset", "Adresskennung", "Anmeldung):"):
        assert internal not in page


def test_administration_shows_local_times_without_microseconds(app, login_as, create_user) -> None:
    moment = datetime(2026, 7, 1, 10, 5, 9, 123456, tzinfo=UTC)   # 12:05:09 in Berlin (summer time)
    with app.app_context():
        db.session.add(AuditEntry(created_at=moment, actor_label="jemand", action="update", entity_type="Actor",
                                  entity_id=1, summary="Grundschule Olewig", changes={}))
        db.session.commit()
    client = login_as(Role.ADMIN)
    audit_page = client.get("/admin/admin_audit/").get_data(as_text=True)
    assert "01.07.2026 12:05:09" in audit_page
    assert "123456" not in audit_page and "+00:00" not in audit_page and "2026-07-01" not in audit_page
    actions = set(_cells(audit_page, "action"))
    kinds = set(_cells(audit_page, "entity_type"))
    assert "geändert" in actions and "angelegt" in actions and not actions & {"update", "create"}
    assert "Akteur" in kinds and "Actor" not in kinds
    detail = client.get(f"/admin/admin_audit/details/?id={_last_audit_id(app)}").get_data(as_text=True)
    assert "01.07.2026 12:05:09" in detail and "123456" not in detail

    admin_user = create_user(Role.VIEWER)
    other = client.application.test_client()
    other.login(admin_user.email)
    with app.app_context():
        last_login = db.session.get(type(admin_user), admin_user.id).last_login_at
    users_page = client.get("/admin/admin_users/").get_data(as_text=True)
    expected = last_login.astimezone(ZoneInfo("Europe/Berlin")).strftime("%d.%m.%Y %H:%M:%S")
    assert expected in users_page
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d{6}", users_page + audit_page)


def _cells(page: str, column: str) -> list[str]:
    return [" ".join(c.split()) for c in re.findall(rf'<td class="col-{column}">(.*?)</td>', page, re.S)]


def _last_audit_id(app) -> int:
    with app.app_context():
        return db.session.scalars(select(AuditEntry.id).where(AuditEntry.actor_label == "jemand")).one()


def test_suggestion_scores_have_a_german_decimal_comma(app, login_as) -> None:
    from tests.test_suggested_invitations import PAGE, _landscape

    _landscape(app)
    client = login_as(Role.VIEWER)
    page = client.get(PAGE).get_data(as_text=True)
    rows = re.findall(r'<tr data-testid="suggestion">(.*?)</tr>', page, re.S)
    scores = [re.findall(r'<td class="text-end">([^<]*)</td>', row)[-1].strip() for row in rows]
    assert scores and all(re.fullmatch(r"\d+,\d\d", s) for s in scores), scores
    client.post_form("/sprache", {"locale": "en", "next": PAGE})
    english = client.get(PAGE).get_data(as_text=True)
    rows = re.findall(r'<tr data-testid="suggestion">(.*?)</tr>', english, re.S)
    assert re.fullmatch(r"\d+\.\d\d", re.findall(r'<td class="text-end">([^<]*)</td>', rows[0])[-1].strip())
