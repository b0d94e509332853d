"""``flask crm …`` commands. Each command commits once at its end."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, select

from crm.config import SETTINGS
from crm.extensions import db
from crm.models import Actor, Role
from crm.permissions import ROLE_LABELS
from crm.services import audit
from crm.services import users as user_service
from crm.services.errors import ServiceError

# Demo accounts: for the fictional demo region only; `make run` prints them.
DEMO_PASSWORD = "demo-bildungsnetz"
DEMO_USERS = (
    ("admin@demo.example", "Ada Admin", Role.ADMIN),
    ("koordination@demo.example", "Karla Koordination", Role.COORDINATOR),
    ("organisation@demo.example", "Otto Organisation", Role.ORGANISER),
    ("lesen@demo.example", "Lea Lesezugriff", Role.VIEWER),
)

crm_cli = AppGroup("crm", help="Bildungsnetz: Stammdaten, Demo und Konten.")


@crm_cli.command("seed")
def seed_command() -> None:
    """Deutsche Standard-Vokabulare anlegen (fehlende Einträge ergänzen, nichts überschreiben)."""
    from crm.services.seed import seed_vocabularies

    with audit.acting_as("cli"):
        created = seed_vocabularies(db.session)
        db.session.commit()
    click.echo("Vokabulare: " + ", ".join(f"{k} +{v}" for k, v in created.items()))


@crm_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Nur laden, wenn noch keine Akteure vorhanden sind.")
@click.option("--seed", default=2026, show_default=True, help="Zufallsstartwert (gleicher Wert, gleiche Daten).")
def demo_command(if_empty: bool, seed: int) -> None:
    """Die fiktive Demo-Region (Trier und Umland) laden."""
    from crm.services.demo import load_demo

    if db.session.scalar(select(func.count()).select_from(Actor)):
        if if_empty:
            click.echo("Demo: Daten sind schon vorhanden, nichts geladen.")
            return
        raise click.ClickException("Die Datenbank enthält bereits Akteure; die Demo wird nur in eine leere geladen.")
    with audit.acting_as("demo"), audit.suppressed():
        counts = load_demo(db.session, seed=seed)
    audit.record(db.session, "import", "Demo", "Demo-Region geladen", counts)
    db.session.commit()
    click.echo("Demo geladen: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@crm_cli.command("demo-users")
def demo_users_command() -> None:
    """Demo-Konten anlegen (falls nötig) und die Anmeldedaten ausgeben."""
    with audit.acting_as("demo"):
        for email, name, role in DEMO_USERS:
            if user_service.find_by_email(db.session, email) is None:
                user_service.create_user(db.session, email, DEMO_PASSWORD, role, name)
        db.session.commit()
    click.echo("Demo-Anmeldung (Passwort für alle: %s):" % DEMO_PASSWORD)
    for email, _name, role in DEMO_USERS:
        click.echo(f"  {email:30} {ROLE_LABELS[role]}")


@crm_cli.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.VIEWER.value, show_default=True)
@click.option("--name", default="", help="Anzeigename.")
@click.password_option("--password", help="Passwort (wird sonst abgefragt).")
def create_user_command(email: str, role: str, name: str, password: str) -> None:
    """Ein Benutzerkonto anlegen."""
    try:
        with audit.acting_as("cli"):
            user = user_service.create_user(db.session, email, password, Role(role), name)
            db.session.commit()
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Konto {user.email} ({ROLE_LABELS[user.role]}) angelegt.")


@crm_cli.command("settings")
def settings_command() -> None:
    """Die Einstellungen als Markdown-Tabelle ausgeben (für die README)."""
    click.echo("| Variable | Standard | Bedeutung |\n|---|---|---|")
    for setting in SETTINGS:
        default = "–" if setting.default in (None, "") else f"`{setting.default}`"
        click.echo(f"| `{setting.name}` | {default} | {setting.help} |")


def init_app(app: Flask) -> None:
    app.cli.add_command(crm_cli)
