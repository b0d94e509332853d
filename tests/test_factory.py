"""The application factory, its configuration and its error pages."""
from __future__ import annotations

from pathlib import Path

from crm import create_app
from crm.config import SETTINGS, load


def test_factory_takes_config_overrides(database_url: str) -> None:
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x" * 20, "TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == database_url
    assert app.config["SECRET_KEY"] == "x" * 20
    assert app.testing
    # Every extension is bound to this app.
    for name in ("sqlalchemy", "migrate", "csrf", "mail", "babel", "admin"):
        assert name in app.extensions, name


def test_defaults_create_sqlite_and_secret_key_in_instance(tmp_path: Path) -> None:
    config = load(tmp_path / "instance", environ={})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'instance' / 'bildungsnetz.sqlite3'}"
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text() == config["SECRET_KEY"]
    assert len(config["SECRET_KEY"]) >= 40
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    # The second start reads the same key: sessions survive a restart.
    assert load(tmp_path / "instance", environ={})["SECRET_KEY"] == config["SECRET_KEY"]


def test_environment_wins_over_defaults(tmp_path: Path) -> None:
    config = load(tmp_path, environ={"DATABASE_URL": "postgresql+psycopg://u@h/db", "SECRET_KEY": "s",
                                     "MAIL_PORT": "2525", "MAIL_USE_TLS": "true"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert config["MAIL_PORT"] == 2525 and config["MAIL_USE_TLS"] is True
    assert not (tmp_path / "secret_key").exists()


def test_readme_documents_every_setting() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in readme]
    assert missing == []


def test_unknown_page_is_a_german_404(client) -> None:
    response = client.get("/gibt-es-nicht")
    assert response.status_code == 404
    assert "Nicht gefunden" in response.get_data(as_text=True)


def test_server_error_shows_no_traceback(app, client, login_as) -> None:
    @app.route("/_boom")
    def boom():  # pragma: no cover - raises
        raise RuntimeError("geheimes Detail")

    boom._crm_access = ()  # declared public for this test only
    response = client.get("/_boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Interner Fehler" in body
    assert "Traceback" not in body and "geheimes Detail" not in body


def test_english_is_the_second_locale(client) -> None:
    german = client.get("/anmelden", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    english = client.get("/anmelden", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert "Passwort" in german
    assert "Password" in english and "Sign in" in english
