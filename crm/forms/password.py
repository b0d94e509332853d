"""Form of the page where users change their own password (``/konto/passwort``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length


class PasswordForm(FlaskForm):
    """The policy (length, not the e-mail, not a common password) is checked by ``users.set_password``."""

    current = PasswordField(_l("Bisheriges Passwort"),
                            validators=[DataRequired(_l("Bitte geben Sie Ihr bisheriges Passwort ein."))])
    new = PasswordField(_l("Neues Passwort"), validators=[
        DataRequired(_l("Bitte geben Sie ein neues Passwort ein.")),
        Length(max=200, message=_l("Das Passwort darf höchstens 200 Zeichen lang sein."))])
    repeat = PasswordField(_l("Neues Passwort wiederholen"), validators=[
        DataRequired(_l("Bitte wiederholen Sie das neue Passwort.")),
        EqualTo("new", message=_l("Die beiden neuen Passwörter stimmen nicht überein."))])
