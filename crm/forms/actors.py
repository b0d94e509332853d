"""Forms for actors, and the fields the landscape forms share (dates, the actor picker, confirmations)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, DecimalField, Field, HiddenField, RadioField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional, Regexp, ValidationError

from crm.extensions import db
from crm.forms.fields import ModelMultiSelectField, ModelSelectField, Versioned, load_choices
from crm.models import Actor, ActorKind, Area, LifeStage, Topic

DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y")


class WebAddress:
    """A web address a browser can open: http(s) with a host. (WTForms' URL validator alone lets
    any scheme through, ``javascript://`` included.)"""

    message = _l("Bitte eine vollständige Adresse mit https:// angeben.")

    def __call__(self, form: Any, field: Any) -> None:
        text = (field.data or "").strip()
        if not text or field.errors:  # one message per field: a too-long value is already refused
            return
        if not text.lower().startswith(("http://", "https://")):
            raise ValidationError(self.message)
        URL(message=self.message)(form, field)


class GermanDateField(Field):
    """A date typed as 2026-11-22 (the browser's date input) or 22.11.2026; German error message."""

    widget_type = "date"

    def __init__(self, label: str = "", validators: Any = None,
                 message: str = _l("Bitte ein gültiges Datum angeben (TT.MM.JJJJ)."), **kwargs: Any) -> None:
        from wtforms.widgets import DateInput

        super().__init__(label, validators, widget=DateInput(), **kwargs)
        self.message = message

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.isoformat() if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            self.data = None
            return
        for fmt in DATE_FORMATS:
            try:
                self.data = datetime.strptime(raw, fmt).date()
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(self.message)


class ActorPickerField(StringField):
    """Pick an actor by typing: a text input (the name) plus a hidden ``<name>_id``.

    ``crm/static/js/autocomplete.js`` fills the id when a suggestion is chosen. Without script
    (or when the user types a full name and presses enter) the text is resolved on the server:
    an exact name, or the single actor the search finds. ``field.actor`` holds the result.
    """

    def __init__(self, label: str = "", validators: Any = None, required_message: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.required_message = required_message
        if required_message:
            self.flags.required = True  # marked with * and aria-required (templates/macros/forms.html)
        self.actor: Actor | None = None
        self.chosen_id = ""
        self.data: Any  # WTForms is untyped: the typed name, or the Actor it was given

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        if isinstance(data, Actor):
            self.actor, data = data, data.name
        super().process(formdata, data, extra_filters)
        if isinstance(self.data, Actor):
            self.actor, self.data = self.data, self.data.name
        if formdata is not None and self.name in formdata:
            self.actor = None
            self.chosen_id = (formdata.get(f"{self.name}_id") or "").strip()
        elif self.actor is not None:
            self.chosen_id = str(self.actor.id)

    def pre_validate(self, form: Any) -> None:
        text = (self.data or "").strip()
        if self.actor is not None:
            return
        if self.chosen_id:
            from crm.services.landscape.directory import parse_id

            actor_id = parse_id(self.chosen_id)
            self.actor = db.session.get(Actor, actor_id) if actor_id else None
            if self.actor is None:
                raise ValidationError(_("Diesen Akteur gibt es nicht (mehr). Bitte wählen Sie neu."))
            return
        if not text:
            if self.required_message:
                raise ValidationError(self.required_message)
            return
        from crm.services.landscape.directory import suggest_actors

        exact = list(db.session.scalars(select(Actor).where(func.lower(Actor.name) == text.lower()).limit(2)))
        found = exact or suggest_actors(db.session, text, limit=2)
        if len(found) == 1:
            self.actor = found[0]
            self.chosen_id = str(found[0].id)
        elif not found:
            raise ValidationError(_("Keinen Akteur „%(text)s“ gefunden.", text=text))
        else:
            raise ValidationError(_("Mehrere Akteure passen zu „%(text)s“. Bitte wählen Sie einen aus der Liste.",
                                    text=text))


class ConfirmDeleteForm(FlaskForm):
    """Deleting is for mistakes: the user ticks a box on a page that says what goes with it."""

    confirm = BooleanField(_l("Ja, endgültig löschen"),
                           validators=[DataRequired(_l("Bitte bestätigen Sie das Löschen."))])


class ActorForm(Versioned, FlaskForm):
    """Every text field is limited to its column's length (``crm.models.actors``), so a long value
    is a German message here and never a database error (PostgreSQL refuses over-long strings).

    The form parses; the rules (no parent cycle, one actor per external reference, the period)
    are the service's (``crm.services.landscape.actors.check_actor``), shown under their field."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Bitte geben Sie einen Namen ein.")), Length(max=255)])
    short_name = StringField(_l("Kurzname"), validators=[Optional(), Length(max=80)])
    kind = ModelSelectField(_l("Art"), ActorKind, blank=_l("– bitte wählen –"),
                            validators=[DataRequired(_l("Bitte wählen Sie die Art des Akteurs."))])
    area = ModelSelectField(_l("Gebiet"), Area, blank=_l("– kein Gebiet –"), label_fn=lambda a: a.full_name)
    # Typed with suggestions (autocomplete.js): a <select> of every actor grows with the landscape.
    parent = ActorPickerField(_l("Übergeordneter Akteur"), validators=[Length(max=255)])
    street = StringField(_l("Straße und Hausnummer"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("PLZ"), validators=[Optional(),
                                                 Regexp(r"^\d{5}$", message=_l("Die PLZ hat fünf Ziffern."))])
    city = StringField(_l("Ort"), validators=[Optional(), Length(max=120)])
    latitude = DecimalField(_l("Breitengrad"), places=6, validators=[
        Optional(), NumberRange(-90, 90, _l("Der Breitengrad liegt zwischen -90 und 90."))])
    longitude = DecimalField(_l("Längengrad"), places=6, validators=[
        Optional(), NumberRange(-180, 180, _l("Der Längengrad liegt zwischen -180 und 180."))])
    website = URLField(_l("Website"), validators=[Optional(), Length(max=300), WebAddress()])
    email = StringField(_l("E-Mail"), validators=[Optional(), Length(max=254),
                                                  Email(_l("Das ist keine gültige E-Mail-Adresse."))])
    phone = StringField(_l("Telefon"), validators=[Optional(), Length(max=60)])
    external_ref = StringField(_l("Externe Kennung (z. B. Schulnummer)"), validators=[Optional(), Length(max=80)])
    life_stages = ModelMultiSelectField(_l("Bildungsphasen"), LifeStage)
    topics = ModelMultiSelectField(_l("Themenfelder"), Topic)
    description = TextAreaField(_l("Beschreibung"), validators=[Optional(), Length(max=10000)])
    notes = TextAreaField(_l("Notizen"), validators=[Optional(), Length(max=10000)])
    is_active = BooleanField(_l("Aktiv"), default=True)
    active_from = GermanDateField(_l("Tätig seit"), validators=[Optional()])
    active_until = GermanDateField(_l("Tätig bis"), validators=[Optional()])
    confirm_duplicate = BooleanField(_l("Trotzdem anlegen: es ist ein anderer Akteur"))

    def __init__(self, *args, actor: Actor | None = None, **kwargs) -> None:
        super().__init__(*args, obj=actor, **kwargs)
        self._actor = actor
        load_choices(self)

    def values(self) -> dict:
        """The submitted values as a plain mapping for the service."""
        data = {f.name: f.data for f in self if f.name not in ("csrf_token", "version_id", "confirm_duplicate")}
        for key in ("name", "short_name", "street", "postcode", "city", "website", "email", "phone", "external_ref"):
            data[key] = (data.get(key) or "").strip()
        data["description"] = data.get("description") or ""
        data["notes"] = data.get("notes") or ""
        data["parent"] = self.parent.actor
        return data



class ActorMergeForm(FlaskForm):
    """Step 2 of merging: which of the two records stays; everything of the other moves to it."""

    keep = RadioField(_l("Welcher Eintrag bleibt?"), choices=[SelectChoice("this", _l("dieser")),
                                                              SelectChoice("other", _l("der andere"))],
                      validate_choice=False,
                      validators=[DataRequired(_l("Bitte wählen Sie, welcher Eintrag bleibt."))])
    other_id = HiddenField()
    confirm = BooleanField(_l("Ja, zusammenführen: der andere Eintrag wird danach gelöscht"),
                           validators=[DataRequired(_l("Bitte bestätigen Sie das Zusammenführen."))])
