"""Form of the personal API token page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length


class TokenForm(FlaskForm):
    name = StringField(_l("Name des Tokens"), validators=[
        DataRequired(_l("Bitte geben Sie dem Token einen Namen (wofür wird es verwendet?).")),
        Length(max=120, message=_l("Höchstens 120 Zeichen."))])
    read_only = BooleanField(_l("Nur lesen (das Token darf nichts ändern)"), default=True)
