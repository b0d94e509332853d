"""Forms for persons and their affiliations with actors (function, work address, from/to)."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from crm.forms.actors import ActorPickerField, GermanDateField
from crm.forms.fields import Versioned
from crm.models import Affiliation, LegalBasis, Person

LEGAL_BASIS_LABELS = {
    LegalBasis.PUBLIC_TASK: _l("Öffentliche Aufgabe (Art. 6 Abs. 1 lit. e DSGVO)"),
    LegalBasis.CONSENT: _l("Einwilligung (Art. 6 Abs. 1 lit. a DSGVO)"),
    LegalBasis.LEGITIMATE_INTEREST: _l("Berechtigtes Interesse (Art. 6 Abs. 1 lit. f DSGVO)"),
}
EMAIL_MESSAGE = _l("Das ist keine gültige E-Mail-Adresse.")


class PersonForm(Versioned, FlaskForm):
    salutation = SelectField(_l("Anrede"), coerce=str, default="", validate_choice=False)
    title = StringField(_l("Titel"), validators=[Optional(), Length(max=40)])
    first_name = StringField(_l("Vorname"), validators=[Optional(), Length(max=120)])
    last_name = StringField(_l("Nachname"), validators=[DataRequired(_l("Bitte geben Sie den Nachnamen ein.")),
                                                        Length(max=120)])
    email = StringField(_l("E-Mail"), validators=[Optional(), Email(EMAIL_MESSAGE), Length(max=254)])
    phone = StringField(_l("Telefon"), validators=[Optional(), Length(max=60)])
    legal_basis = SelectField(_l("Rechtsgrundlage"), coerce=str, default=LegalBasis.PUBLIC_TASK.value,
                              validate_choice=False)
    notes = TextAreaField(_l("Notizen"), validators=[Optional(), Length(max=10000)])
    # The first affiliation, on the create form only: most people are entered for one actor.
    actor = ActorPickerField(_l("Akteur"))
    function = StringField(_l("Funktion (z. B. Schulleitung, MINT-Koordination)"),
                           validators=[Optional(), Length(max=120)])
    work_email = StringField(_l("Dienstliche E-Mail bei diesem Akteur"),
                             validators=[Optional(), Email(EMAIL_MESSAGE), Length(max=254)])
    from_date = GermanDateField(_l("Seit"), validators=[Optional()])
    confirm_duplicate = BooleanField(_l("Trotzdem anlegen: es ist eine andere Person"))

    def __init__(self, *args: Any, person: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, obj=person, **kwargs)
        choices = ["", "Frau", "Herr"]
        current = person.salutation if person is not None else ""
        if current and current not in choices:
            choices.append(current)  # imported values stay selectable
        # The stored value stays German (it is part of the letter's address); only the label is translated.
        shown = {"Frau": _("Frau"), "Herr": _("Herr")}
        self.salutation.choices = [SelectChoice(c, shown.get(c, c) or "–") for c in choices]
        self.legal_basis.choices = [SelectChoice(k.value, label) for k, label in LEGAL_BASIS_LABELS.items()]
        if person is not None and not self.is_submitted():
            self.legal_basis.data = person.legal_basis.value
            self.version_id.data = str(person.version_id)

    def validate_legal_basis(self, field) -> None:
        if field.data not in {k.value for k in LegalBasis}:
            raise ValidationError(_("Ungültige Auswahl."))

    def validate_salutation(self, field) -> None:
        if (field.data or "") not in {choice.value for choice in field.choices or []}:
            raise ValidationError(_("Ungültige Auswahl."))

    def values(self) -> dict[str, Any]:
        return {"salutation": self.salutation.data or "", "title": (self.title.data or "").strip(),
                "first_name": (self.first_name.data or "").strip(), "last_name": (self.last_name.data or "").strip(),
                "email": (self.email.data or "").strip(), "phone": (self.phone.data or "").strip(),
                "notes": self.notes.data or "", "legal_basis": LegalBasis(self.legal_basis.data)}

    def affiliation_values(self) -> dict[str, Any] | None:
        if self.actor.actor is None:
            return None
        return {"actor": self.actor.actor, "function": (self.function.data or "").strip(),
                "email": (self.work_email.data or "").strip(), "from_date": self.from_date.data}



class AffiliationForm(FlaskForm):
    actor = ActorPickerField(_l("Akteur"), required_message=_l("Bitte wählen Sie den Akteur."))
    function = StringField(_l("Funktion"), validators=[Optional(), Length(max=120)])
    email = StringField(_l("Dienstliche E-Mail"), validators=[Optional(), Email(EMAIL_MESSAGE), Length(max=254)])
    phone = StringField(_l("Dienstliches Telefon"), validators=[Optional(), Length(max=60)])
    from_date = GermanDateField(_l("Von"), validators=[Optional()])
    to_date = GermanDateField(_l("Bis"), validators=[Optional()])
    is_primary = BooleanField(_l("Hauptzugehörigkeit"), default=True)
    fingerprint = HiddenField()

    def __init__(self, *args: Any, affiliation: Affiliation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, obj=affiliation, **kwargs)

    def values(self) -> dict[str, Any]:
        return {"actor": self.actor.actor, "function": (self.function.data or "").strip(),
                "email": (self.email.data or "").strip(), "phone": (self.phone.data or "").strip(),
                "from_date": self.from_date.data, "to_date": self.to_date.data,
                "is_primary": bool(self.is_primary.data)}


class PersonMergeForm(FlaskForm):
    keep = RadioField(_l("Welcher Eintrag bleibt?"), choices=[SelectChoice("this", _l("dieser")),
                                                              SelectChoice("other", _l("der andere"))],
                      validate_choice=False,
                      validators=[DataRequired(_l("Bitte wählen Sie, welcher Eintrag bleibt."))])
    other_id = HiddenField()
    confirm = BooleanField(_l("Ja, zusammenführen: der andere Eintrag wird danach gelöscht"),
                           validators=[DataRequired(_l("Bitte bestätigen Sie das Zusammenführen."))])
