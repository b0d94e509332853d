"""The Bildungsportal's one form: registration for an open public event."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField
from wtforms.validators import DataRequired, Email, Length


class RegistrationForm(FlaskForm):
    """Name, e-mail and the consent box; ``website`` is the honeypot (see
    ``crm.services.events.registration_throttle``): hidden from people and from screen readers,
    so only a bot fills it in."""

    first_name = StringField(_l("Vorname"), validators=[DataRequired(_l("Bitte geben Sie Ihren Vornamen ein.")),
                                                        Length(max=100, message=_l("Höchstens 100 Zeichen."))])
    last_name = StringField(_l("Nachname"), validators=[DataRequired(_l("Bitte geben Sie Ihren Nachnamen ein.")),
                                                        Length(max=100, message=_l("Höchstens 100 Zeichen."))])
    email = EmailField(_l("E-Mail-Adresse"), validators=[
        DataRequired(_l("Bitte geben Sie Ihre E-Mail-Adresse ein.")), Length(max=254),
        Email(_l("Bitte geben Sie eine gültige E-Mail-Adresse ein."))])
    consent = BooleanField(
        _l("Ich willige ein, dass das Bildungsbüro meinen Namen und meine E-Mail-Adresse für diese "
           "Veranstaltung speichert und mir dazu E-Mails schickt (Bestätigung, Änderungen, Absage). "
           "Ich kann die Einwilligung jederzeit über den Link in jeder E-Mail widerrufen."),
        validators=[DataRequired(_l("Ohne Ihre Einwilligung können wir Sie nicht anmelden."))])
    website = StringField(_l("Bitte dieses Feld leer lassen"))

    @property
    def is_bot(self) -> bool:
        return bool((self.website.data or "").strip())
