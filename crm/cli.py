"""``flask crm …`` commands. Each command commits once at its end."""
from __future__ import annotations

from datetime import datetime

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, select

from crm.config import SETTINGS
from crm.extensions import db
from crm.models import Actor, Role
from crm.permissions import ROLE_LABELS
from crm.services.accounts import users as user_service
from crm.services.errors import ServiceError
from crm.services.privacy import audit

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
    from crm.services.landscape.vocabularies import seed_vocabularies

    with audit.acting_as("cli"):
        created = seed_vocabularies(db.session)
        db.session.commit()
    click.echo("Vokabulare: " + ", ".join(f"{k} +{v}" for k, v in created.items()))


@crm_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Nur laden, wenn noch keine Akteure vorhanden sind.")
@click.option("--seed", default=2026, show_default=True, help="Zufallsstartwert (gleicher Wert, gleiche Daten).")
@click.option("--stichtag", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Tag, an dem die Demo steht: Veranstaltungen davor sind vorbei, die nächste ist offen "
                   "(Standard: der feste Tag der Demo, 2026-11-01; `make run` nimmt heute, damit Kalender "
                   "und Anmeldung im Bildungsportal kommende Termine zeigen).")
def demo_command(if_empty: bool, seed: int, stichtag: datetime | None) -> None:
    """Die fiktive Demo-Region (Trier und Umland) laden."""
    from crm.demo.generator import DEFAULT_TODAY, load_demo

    if db.session.scalar(select(func.count()).select_from(Actor)):
        if if_empty:
            click.echo("Demo: Daten sind schon vorhanden, nichts geladen.")
            return
        raise click.ClickException("Die Datenbank enthält bereits Akteure; die Demo wird nur in eine leere geladen.")
    with audit.acting_as("demo"), audit.suppressed():
        counts = load_demo(db.session, seed=seed, today=stichtag.date() if stichtag else DEFAULT_TODAY)
    audit.record(db.session, "import", "Demo", "Demo-Region geladen", counts)
    db.session.commit()
    click.echo("Demo geladen: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@crm_cli.command("outlines")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--name-property", default="", help="Eigenschaft mit dem Gebietsnamen (leer: wird erkannt).")
@click.option("--dry-run", is_flag=True, help="Nur prüfen, nichts speichern.")
def outlines_command(path: str, name_property: str, dry_run: bool) -> None:
    """Gebietsumrisse aus einer GeoJSON-Datei importieren (wie „Karte › Gebietsumrisse importieren“)."""
    from pathlib import Path

    from crm.services.errors import ServiceError
    from crm.services.geo import outlines

    try:
        with audit.acting_as("cli"):
            report = outlines.import_outlines(db.session, Path(path).read_bytes(), name_property, apply=not dry_run)
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    for problem in report.problems:
        click.echo(problem.message)
    click.echo(f"Umrisse: {len(report.matched)} von {report.features} Objekten "
               f"{'passen' if dry_run else 'übernommen'} (Eigenschaft „{report.name_property}“).")
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()


@crm_cli.command("demo-users")
def demo_users_command() -> None:
    """Demo-Konten anlegen (falls nötig) und die Anmeldedaten ausgeben."""
    with audit.acting_as("demo"):
        for email, name, role in DEMO_USERS:
            if user_service.find_by_email(db.session, email) is None:
                user_service.create_user(db.session, email, DEMO_PASSWORD, role, name)
        db.session.commit()
    click.echo(f"Demo-Anmeldung (Passwort für alle: {DEMO_PASSWORD}):")
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


@crm_cli.command("outbox")
@click.option("--once", is_flag=True, help="Alle fälligen E-Mails zustellen und dann beenden (sonst: Dauerbetrieb).")
@click.option("--worker-name", default="",
              help="Name dieses Zustellers in der Protokollierung (Standard: Rechner:PID).")
@click.option("--batch", default=20, show_default=True, type=click.IntRange(1, 1000),
              help="E-Mails, die pro Durchgang reserviert werden.")
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="Sekunden Pause, wenn nichts fällig ist (Dauerbetrieb).")
@click.option("--max-attempts", default=None, type=click.IntRange(1, 100),
              help="Versuche je E-Mail, danach „fehlgeschlagen“ (Standard 8 oder OUTBOX_MAX_ATTEMPTS).")
def outbox_command(once: bool, worker_name: str, batch: int, interval: float, max_attempts: int | None) -> None:
    """E-Mails aus dem Postausgang über SMTP zustellen (mit Zeitlimit, Wiederholung und Sperren)."""
    import os
    import signal
    import socket

    from flask import current_app

    from crm.services.mail import outbox

    stop = {"now": False}

    def request_stop(signum, frame):
        stop["now"] = True

    if not once:
        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
    config = current_app.config
    worker = outbox.Worker(
        db.session, worker_name or f"{socket.gethostname()}:{os.getpid()}", batch=batch,
        max_attempts=max_attempts or int(config.get("OUTBOX_MAX_ATTEMPTS") or outbox.DEFAULT_MAX_ATTEMPTS),
        retry_base=float(config.get("OUTBOX_RETRY_SECONDS") or outbox.DEFAULT_RETRY_BASE),
        should_stop=lambda: stop["now"])
    with audit.acting_as(f"outbox:{worker.name}"):
        if once:
            from crm.services.surveys.sending import Sender

            Sender(db.session).run_until_idle()  # a survey round's links asked for: into the outbox first
            report = worker.run_until_idle()
        else:
            click.echo(f"Zusteller {worker.name} läuft (SMTP {config.get('MAIL_SERVER')}:{config.get('MAIL_PORT')}, "
                       f"Zeitlimit {config.get('MAIL_TIMEOUT')} s). Beenden mit Strg+C.")
            report = worker.run_forever(interval=interval)
    click.echo(f"Postausgang: {report}.")


@crm_cli.command("provider-confirmations")
def provider_confirmations_command() -> None:
    """Jährliche Bitte an Anbieter: Angebote bestätigen (E-Mail mit persönlichem Link in den Postausgang)."""
    from crm.services.offers import provider_links

    asked = without_contact = 0
    after_id = 0
    with audit.acting_as("cli:jährliche Bestätigung"):
        while True:
            report = provider_links.request_confirmations(db.session, after_id=after_id)
            db.session.commit()
            asked += report.asked
            without_contact += report.without_contact
            if not report.more:
                break
            after_id = report.last_actor_id
    click.echo(f"Anbieter angeschrieben: {asked}; ohne erreichbaren Kontakt: {without_contact}.")


@crm_cli.command("worker")
@click.option("--interval", default=2.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="Sekunden Pause, wenn keine Aufgabe etwas zu tun hatte.")
@click.option("--once", is_flag=True, help="Jede Aufgabe abarbeiten, bis nichts mehr fällig ist, dann beenden.")
@click.option("--tasks", default="outbox,analysis", show_default=True,
              help="Aufgaben dieses Prozesses, kommagetrennt: outbox (E-Mail), analysis (Auswertungen).")
def worker_command(interval: float, once: bool, tasks: str) -> None:
    """Hintergrundprozess: stellt E-Mails zu, berechnet Auswertungen und meldet sich regelmäßig (Herzschlag)."""
    import signal

    from flask import current_app

    from crm.services.mail.mailer import backend
    from crm.services.system import heartbeat
    from crm.worker import TASKS, BackgroundWorker, build_tasks

    stop = {"now": False}

    def request_stop(signum, frame):  # finish the current step, then leave
        stop["now"] = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    config = current_app.config
    name = heartbeat.default_name()
    names = [t.strip() for t in tasks.split(",") if t.strip()]
    unknown = sorted(set(names) - set(TASKS))
    if unknown or not names:
        raise click.BadParameter(f"Unbekannte Aufgabe: {', '.join(unknown) or '(keine)'}. Möglich: {', '.join(TASKS)}.",
                                 param_hint="--tasks")
    chosen = build_tasks(current_app._get_current_object(), db.session, name, names,  # type: ignore[attr-defined]
                         should_stop=lambda: stop["now"])
    worker = BackgroundWorker(db.session, name, chosen, interval=interval, should_stop=lambda: stop["now"])
    with audit.acting_as(f"worker:{name}"):
        if once:
            worker.beat()
            while worker.run_once() and not stop["now"]:
                pass
            return
        target = ("Entwicklungs-Postfach" if backend(current_app) == "mailbox"
                  else f"SMTP {config.get('MAIL_SERVER')}:{config.get('MAIL_PORT')}")
        click.echo(f"Hintergrundprozess {name} läuft: {', '.join(t.name for t in chosen)} ({target}). "
                   "Beenden mit Strg+C.")
        worker.run_forever()


def init_app(app: Flask) -> None:
    app.cli.add_command(crm_cli)
