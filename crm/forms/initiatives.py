"""Forms for initiatives and their memberships (actor, role, joined and left)."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from crm.forms.actors import ActorPickerField, GermanDateField, WebAddress
from crm.forms.fields import ModelMultiSelectField, Versioned, load_choices
from crm.models import Initiative, InitiativeKind, LifeStage, Membership, MembershipRole, Topic
from crm.service_labels import label
from crm.services.landscape.initiatives import KIND_LABELS, ROLE_LABELS


class InitiativeForm(Versioned, FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Bitte geben Sie einen Namen ein.")), Length(max=255)])
    short_name = StringField(_l("Kurzname"), validators=[Optional(), Length(max=80)])
    kind = SelectField(_l("Art"), coerce=str, default=InitiativeKind.PROJECT.value, validate_choice=False)
    start_date = GermanDateField(_l("Beginn"), validators=[Optional()])
    end_date = GermanDateField(_l("Ende"), validators=[Optional()])
    website = URLField(_l("Website"), validators=[Optional(), Length(max=300), WebAddress()])
    topics = ModelMultiSelectField(_l("Themenfelder"), Topic)
    life_stages = ModelMultiSelectField(_l("Bildungsphasen"), LifeStage)
    description = TextAreaField(_l("Beschreibung"), validators=[Optional(), Length(max=10000)])

    def __init__(self, *args: Any, initiative: Initiative | None = None, **kwargs: Any) -> None:
        super().__init__(*args, obj=initiative, **kwargs)
        self.kind.choices = [SelectChoice(k.value, label(text)) for k, text in KIND_LABELS.items()]
        if initiative is not None and not self.is_submitted():
            self.kind.data = initiative.kind.value
            self.version_id.data = str(initiative.version_id)
        load_choices(self)

    def validate_kind(self, field) -> None:
        if field.data not in {k.value for k in InitiativeKind}:
            raise ValidationError(_("Ungültige Auswahl."))

    def values(self) -> dict[str, Any]:
        return {"name": (self.name.data or "").strip(), "short_name": (self.short_name.data or "").strip(),
                "kind": InitiativeKind(self.kind.data), "start_date": self.start_date.data,
                "end_date": self.end_date.data, "website": (self.website.data or "").strip(),
                "topics": list(self.topics.data or []), "life_stages": list(self.life_stages.data or []),
                "description": self.description.data or ""}



class MembershipForm(FlaskForm):
    actor = ActorPickerField(_l("Akteur"), required_message=_l("Bitte wählen Sie den Akteur."))
    role = SelectField(_l("Rolle"), coerce=str, default=MembershipRole.MEMBER.value, validate_choice=False)
    joined_on = GermanDateField(_l("Beigetreten am"), validators=[Optional()])
    left_on = GermanDateField(_l("Ausgetreten am"), validators=[Optional()])
    fingerprint = HiddenField()

    def __init__(self, *args: Any, membership: Membership | None = None, **kwargs: Any) -> None:
        super().__init__(*args, obj=membership, **kwargs)
        self.role.choices = [SelectChoice(r.value, label(text)) for r, text in ROLE_LABELS.items()]
        if membership is not None and not self.is_submitted():
            self.role.data = membership.role.value

    def validate_role(self, field) -> None:
        if field.data not in {r.value for r in MembershipRole}:
            raise ValidationError(_("Ungültige Auswahl."))

    def values(self) -> dict[str, Any]:
        return {"actor": self.actor.actor, "role": MembershipRole(self.role.data), "joined_on": self.joined_on.data,
                "left_on": self.left_on.data}
