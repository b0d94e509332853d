"""Forms tell users what they need before the first error: required fields are marked (visibly and for
screen readers), password rules stand under the field, and decisions come with a short explanation."""
from __future__ import annotations

import re

from crm.models import Role
from crm.services.accounts.users import MIN_PASSWORD_LENGTH
from tests import factories_coordinator as f


def _control(page: str, control_id: str) -> str:
    match = re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="{control_id}"[^>]*>', page)
    assert match, control_id
    return match.group(0)


def test_required_fields_are_marked_and_explained(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    page = client.get("/akteure/neu").get_data(as_text=True)
    assert "Mit * markierte Felder müssen ausgefüllt werden." in page
    name = _control(page, "name")
    assert 'aria-required="true"' in name
    mark = r'<label class="form-label" for="name">Name</label> <span class="required-mark" aria-hidden="true">\*</span>'
    assert re.search(mark, page)
    assert 'aria-required="true"' not in _control(page, "short_name")  # optional fields stay unmarked
    # After a refused save the error is tied to the field, and the field says it is invalid.
    response = client.post_form("/akteure/neu", {"name": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    name = _control(page, "name")
    assert 'aria-invalid="true"' in name and 'aria-describedby="name-error"' in name
    assert 'id="name-error"' in page


def test_password_rules_are_shown_before_the_first_error(app, login_as) -> None:
    client = login_as(Role.VIEWER)
    page = client.get("/konto/passwort").get_data(as_text=True)
    rule = f"Mindestens {MIN_PASSWORD_LENGTH} Zeichen, nicht Ihre E-Mail-Adresse und kein häufiges Passwort"
    assert rule in page
    assert 'aria-describedby="new-help"' in _control(page, "new")  # read out with the field
    response = client.post_form("/konto/passwort",
                                {"current": "richtig-langes-passwort", "new": "kurz", "repeat": "kurz"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and rule in page
    assert 'aria-describedby="new-error new-help"' in _control(page, "new")


def test_decisions_come_with_help(app, login_as) -> None:
    one = f.actor(app, "Grundschule Olewig")
    two = f.actor(app, "GS Olewig")
    person = f.person(app, "Adler", "Anna", email="anna@example.org")
    client = login_as(Role.ADMIN)
    merge = client.get(f"/akteure/{one}/zusammenfuehren?mit_id={two}").get_data(as_text=True)
    assert 'aria-describedby="keep-help"' in merge
    assert merge.index('id="keep-help"') < merge.index('name="keep"')  # the advice comes before the choice
    erase = client.get(f"/datenschutz/personen/{person}/anonymisieren").get_data(as_text=True)
    assert "genügt der Widerspruch" in erase and 'aria-describedby="confirm-help"' in erase
    consent = client.get(f"/datenschutz/personen/{person}").get_data(as_text=True)
    assert "Eine Einwilligung gilt nur für ihren Zweck" in consent and 'aria-describedby="purpose-help"' in consent
    upload = client.get("/import/").get_data(as_text=True)
    assert "Vorhandene Einträge werden aktualisiert, nicht doppelt angelegt" in upload
    assert 'aria-describedby="target-help"' in upload
    admin_user_form = client.get("/admin/admin_users/new/").get_data(as_text=True)
    assert f"Mindestens {MIN_PASSWORD_LENGTH} Zeichen" in admin_user_form
