"""Forms of the workshop results page: a group, seating people, a proposal, the dot-vote sheet,
and a proposal turned into an initiative. Choices that depend on the workshop are set by the view."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from crm.models import InitiativeKind
from crm.service_labels import label
from crm.services.landscape.initiatives import KIND_LABELS


class GroupForm(FlaskForm):
    name = StringField(_l("Name der Gruppe oder des Tisches"),
                       validators=[DataRequired(_l("Bitte geben Sie einen Namen für die Gruppe ein.")),
                                   Length(max=200, message=_l("Der Name ist zu lang (höchstens 200 Zeichen)."))])


class SeatForm(FlaskForm):
    persons = SelectMultipleField(_l("Teilnehmende"), coerce=int, validate_choice=False,
                                  validators=[DataRequired(_l("Bitte wählen Sie mindestens eine Person."))])


class ProposalForm(FlaskForm):
    title = StringField(_l("Vorschlag"), validators=[
        DataRequired(_l("Bitte geben Sie den Vorschlag ein (ein Titel genügt).")),
        Length(max=300, message=_l("Der Titel ist zu lang (höchstens 300 Zeichen); Einzelheiten gehören in die "
                                   "Beschreibung."))])
    description = TextAreaField(_l("Beschreibung (freiwillig)"), validators=[Optional(), Length(max=5000)])
    proposers = SelectMultipleField(_l("Vorgeschlagen von (leer: der ganze Tisch)"), coerce=int,
                                    validate_choice=False)


class VotesForm(FlaskForm):
    """Only the CSRF token; the numbers (``punkte-<id>``) are read by the service."""


class InitiativeFromProposalForm(FlaskForm):
    name = StringField(_l("Name der Initiative"), validators=[
        DataRequired(_l("Bitte geben Sie einen Namen ein.")), Length(max=255)])
    kind = SelectField(_l("Art"), default=InitiativeKind.WORKING_GROUP.value)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(k.value, label(text)) for k, text in KIND_LABELS.items()]
