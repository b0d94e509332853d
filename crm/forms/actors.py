"""Form for creating and editing an actor."""
from __future__ import annotations

from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, DecimalField, HiddenField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp, URL, ValidationError

from crm.extensions import db
from crm.forms.fields import ModelMultiSelectField, ModelSelectField, load_choices
from crm.models import Actor, ActorKind, Area, LifeStage, Topic


class ActorForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Bitte geben Sie einen Namen ein."), Length(max=255)])
    short_name = StringField("Kurzname", validators=[Optional(), Length(max=80)])
    kind = ModelSelectField("Art", ActorKind, blank="– bitte wählen –",
                            validators=[DataRequired("Bitte wählen Sie die Art des Akteurs.")])
    area = ModelSelectField("Gebiet", Area, blank="– kein Gebiet –", label_fn=lambda a: a.full_name)
    parent = ModelSelectField("Übergeordneter Akteur", Actor, blank="– keiner –")
    street = StringField("Straße und Hausnummer", validators=[Optional(), Length(max=200)])
    postcode = StringField("PLZ", validators=[Optional(), Regexp(r"^\d{5}$", message="Die PLZ hat fünf Ziffern.")])
    city = StringField("Ort", validators=[Optional(), Length(max=120)])
    latitude = DecimalField("Breitengrad", places=6, validators=[
        Optional(), NumberRange(-90, 90, "Der Breitengrad liegt zwischen -90 und 90.")])
    longitude = DecimalField("Längengrad", places=6, validators=[
        Optional(), NumberRange(-180, 180, "Der Längengrad liegt zwischen -180 und 180.")])
    website = URLField("Website", validators=[Optional(), URL(message="Bitte eine vollständige Adresse mit https:// angeben.")])
    email = StringField("E-Mail", validators=[Optional(), Email("Das ist keine gültige E-Mail-Adresse.")])
    phone = StringField("Telefon", validators=[Optional(), Length(max=60)])
    external_ref = StringField("Externe Kennung (z. B. Schulnummer)", validators=[Optional(), Length(max=80)])
    life_stages = ModelMultiSelectField("Bildungsphasen", LifeStage)
    topics = ModelMultiSelectField("Themenfelder", Topic)
    description = TextAreaField("Beschreibung", validators=[Optional(), Length(max=10000)])
    notes = TextAreaField("Notizen", validators=[Optional(), Length(max=10000)])
    is_active = BooleanField("Aktiv", default=True)
    version_id = HiddenField()

    def __init__(self, *args, actor: Actor | None = None, **kwargs) -> None:
        super().__init__(*args, obj=actor, **kwargs)
        self._actor = actor
        load_choices(self)

    def validate_parent(self, field) -> None:
        if self._actor is not None and field.data is not None:
            node = field.data
            while node is not None:
                if node.id == self._actor.id:
                    raise ValidationError("Ein Akteur kann nicht sich selbst oder einem eigenen "
                                     "untergeordneten Akteur untergeordnet werden.")
                node = node.parent

    def validate_external_ref(self, field) -> None:
        ref = (field.data or "").strip()
        if not ref:
            return
        query = select(Actor).where(func.lower(Actor.external_ref) == ref.lower())
        if self._actor is not None:
            query = query.where(Actor.id != self._actor.id)
        other = db.session.scalars(query).first()
        if other is not None:
            raise ValidationError(f"Diese Kennung hat bereits „{other.name}“.")

    def values(self) -> dict:
        """The submitted values as a plain mapping for the service."""
        data = {f.name: f.data for f in self if f.name not in ("csrf_token", "version_id")}
        for key in ("name", "short_name", "street", "postcode", "city", "website", "email", "phone", "external_ref"):
            data[key] = (data.get(key) or "").strip()
        data["description"] = data.get("description") or ""
        data["notes"] = data.get("notes") or ""
        return data

    @property
    def expected_version(self) -> int | None:
        try:
            return int(self.version_id.data) if self.version_id.data else None
        except ValueError:
            return None
