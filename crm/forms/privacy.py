"""Forms of the privacy pages: recording consent, withdrawing it, confirming an erasure."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from crm.models import ConsentPurpose
from crm.services.privacy.consent import ALL, PURPOSE_LABELS


class ConsentForm(FlaskForm):
    purpose = SelectField(_l("Zweck"), choices=[SelectChoice(p.value, _l(PURPOSE_LABELS[p])) for p in ConsentPurpose],
                          validators=[DataRequired(_l("Bitte wählen Sie den Zweck."))])
    method = StringField(_l("Wie erteilt?"), validators=[
        DataRequired(_l("Bitte angeben, wie die Einwilligung erteilt wurde (z. B. Formular, E-Mail).")),
        Length(max=120, message=_l("Höchstens 120 Zeichen."))])
    given_on = DateField(_l("Erteilt am"), validators=[Optional()],
                         render_kw={"max": date.today().isoformat()})

    def validate_given_on(self, field) -> None:
        if field.data and field.data > date.today():
            raise ValueError(_l("Das Datum liegt in der Zukunft."))


class WithdrawForm(FlaskForm):
    purpose = SelectField(choices=[SelectChoice(p.value, _l(PURPOSE_LABELS[p])) for p in ConsentPurpose]
                          + [SelectChoice(ALL, _l("alle"))], validators=[DataRequired()])


class EraseForm(FlaskForm):
    confirm = BooleanField(_l("Ich habe verstanden: Name, Kontaktdaten, Zugehörigkeiten, Einwilligungen und "
                              "Kommentare dieser Person werden unwiderruflich entfernt."),
                           validators=[DataRequired(_l("Bitte bestätigen Sie die Anonymisierung."))])


class KeepForm(FlaskForm):
    reason = StringField(_l("Grund (optional)"), validators=[Optional(), Length(max=200)])
