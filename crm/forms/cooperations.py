"""Forms for cooperations: the full form, the quick capture on the actor page, and ending a tie.

Field-local checks live here; the rules that need the database (one tie of a type per pair
at a time) are in ``crm.services.landscape.cooperations`` so every caller shares them, and the view
puts a refused rule next to the field it concerns.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from crm.forms.actors import ActorPickerField, GermanDateField
from crm.forms.fields import ModelMultiSelectField, ModelSelectField, Versioned, load_choices
from crm.models import Cooperation, CooperationType, Initiative, LifeStage, Topic
from crm.service_labels import label
from crm.services.landscape.cooperations import INTENSITY_LABELS


def _intensity_choices() -> list[SelectChoice]:
    return [SelectChoice(str(value), f"{value} – {label(text)}") for value, text in INTENSITY_LABELS.items()]


class CooperationForm(Versioned, FlaskForm):
    """Parses the tie; the rules (two different actors, the end not before the start, one tie of a
    type per pair at a time) are the service's (``cooperations.check_rules``), shown under their field."""

    source = ActorPickerField(_l("Akteur"), required_message=_l("Bitte wählen Sie den ersten Akteur."))
    target = ActorPickerField(_l("Partner"), required_message=_l("Bitte wählen Sie den Partner."))
    type = ModelSelectField(_l("Art der Kooperation"), CooperationType, blank=_l("– bitte wählen –"),
                            validators=[DataRequired(_l("Bitte wählen Sie die Art der Kooperation."))])
    intensity = SelectField(_l("Intensität"), coerce=str, default="2", validate_choice=False)
    start_date = GermanDateField(_l("Beginn"), validators=[Optional()])
    end_date = GermanDateField(_l("Ende"), validators=[Optional()])
    topics = ModelMultiSelectField(_l("Themenfelder"), Topic)
    life_stages = ModelMultiSelectField(_l("Bildungsphasen"), LifeStage)
    initiative = ModelSelectField(_l("Im Rahmen der Initiative"), Initiative, blank=_l("– keine –"))
    description = TextAreaField(_l("Beschreibung"), validators=[Optional(), Length(max=10000)])

    def __init__(self, *args: Any, cooperation: Cooperation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, obj=cooperation, **kwargs)
        self.intensity.choices = _intensity_choices()
        if cooperation is not None and not self.is_submitted():
            self.intensity.data = str(cooperation.intensity)
            self.version_id.data = str(cooperation.version_id)
        load_choices(self)

    def validate_intensity(self, field) -> None:
        if field.data not in {"1", "2", "3"}:
            raise ValidationError(_("Die Intensität liegt zwischen 1 und 3."))

    def values(self) -> dict[str, Any]:
        return {"source": self.source.actor, "target": self.target.actor, "type": self.type.data,
                "intensity": int(self.intensity.data), "start_date": self.start_date.data,
                "end_date": self.end_date.data, "topics": list(self.topics.data or []),
                "life_stages": list(self.life_stages.data or []), "initiative": self.initiative.data,
                "description": self.description.data or ""}



class QuickCooperationForm(FlaskForm):
    """The compact form on an actor's page: partner, type, start (today), topics if wanted."""

    partner = ActorPickerField(_l("Partner"), required_message=_l("Bitte wählen Sie den Partner."))
    type = ModelSelectField(_l("Art"), CooperationType, blank=_l("– bitte wählen –"),
                            validators=[DataRequired(_l("Bitte wählen Sie die Art der Kooperation."))])
    start_date = GermanDateField(_l("Beginn"), default=date.today, validators=[Optional()])
    topics = ModelMultiSelectField(_l("Themenfelder (optional)"), Topic)
    reverse = BooleanField(_l("Der Partner gibt (fördert, verweist, stellt bereit)"))
    quick = HiddenField(default="1")

    def __init__(self, *args: Any, actor_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor_id = actor_id
        load_choices(self)

    def values(self, actor: Any) -> dict[str, Any]:
        source, target = (self.partner.actor, actor) if self.reverse.data else (actor, self.partner.actor)
        return {"source": source, "target": target, "type": self.type.data, "intensity": 2,
                "start_date": self.start_date.data, "end_date": None, "topics": list(self.topics.data or []),
                "life_stages": [], "initiative": None, "description": ""}


class EndForm(Versioned, FlaskForm):
    """Ending a tie, a membership or an affiliation: the day (default today) and nothing else."""

    end_date = GermanDateField(_l("Beendet am"), default=date.today,
                               validators=[DataRequired(_l("Bitte geben Sie das Datum an."))])

