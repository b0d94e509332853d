"""Login and logout through the pages."""
from __future__ import annotations

from crm.models import Role


def test_login_and_logout(client, create_user) -> None:
    user = create_user(Role.COORDINATOR, name="Karla Koordination")
    response = client.login(user.email)
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Karla Koordination" in page
    response = client.post_form("/abmelden")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_re_renders_german_message(client, create_user) -> None:
    user = create_user(Role.VIEWER)
    response = client.post_form("/anmelden", {"email": user.email, "password": "falsch-falsch"})
    body = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "E-Mail-Adresse oder Passwort ist falsch." in body
    assert f'value="{user.email}"' in body  # what the user typed is kept


def test_unknown_email_gets_the_same_message(client) -> None:
    response = client.post_form("/anmelden", {"email": "niemand@test.example", "password": "egal-egal-egal"})
    assert response.status_code == 401
    assert "E-Mail-Adresse oder Passwort ist falsch." in response.get_data(as_text=True)


def test_login_redirect_stays_on_site(client, create_user) -> None:
    user = create_user(Role.VIEWER)
    token = client.csrf_token()
    response = client.post("/anmelden?next=https://boese.example/", data={
        "csrf_token": token, "email": user.email, "password": "richtig-langes-passwort"})
    assert response.headers["Location"] == "/"


def test_next_parameter_is_followed(client, create_user) -> None:
    user = create_user(Role.VIEWER)
    assert client.get("/akteure/").headers["Location"] == "/anmelden?next=/akteure/"
    token = client.csrf_token()
    response = client.post("/anmelden?next=/akteure/", data={
        "csrf_token": token, "email": user.email, "password": "richtig-langes-passwort"})
    assert response.headers["Location"] == "/akteure/"


def test_disabled_account_cannot_log_in(app, client, create_user) -> None:
    from crm.extensions import db
    from crm.models import User

    user = create_user(Role.COORDINATOR)
    with app.app_context():
        db.session.get(User, user.id).is_enabled = False
        db.session.commit()
    response = client.post_form("/anmelden", {"email": user.email, "password": "richtig-langes-passwort"})
    assert response.status_code == 401
    assert "gesperrt" in response.get_data(as_text=True)


def test_create_user_command(app) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["crm", "create-user", "neu@test.example", "--role", "organiser",
                                 "--password", "ein-gutes-passwort"])
    assert result.exit_code == 0, result.output
    assert "angelegt" in result.output
    result = runner.invoke(args=["crm", "create-user", "neu@test.example", "--password", "ein-gutes-passwort"])
    assert result.exit_code != 0 and "bereits" in result.output
    result = runner.invoke(args=["crm", "create-user", "kurz@test.example", "--password", "kurz"])
    assert result.exit_code != 0 and "mindestens" in result.output
