"""Forms for survey rounds (the coordinator's side; the public answer page parses its rows itself)."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from crm.models import SurveyQuestion
from crm.service_labels import label
from crm.services.surveys.rounds import QUESTION_LABELS


class RoundForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(_l("Bitte geben Sie der Befragung einen Titel.")),
                                                 Length(max=255)])
    intro = TextAreaField(_l("Einleitung für die Befragten"), validators=[Optional(), Length(max=5000)])
    questions = SelectMultipleField(_l("Fragen"), validate_choice=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions.choices = [(q.value, label(text)) for q, text in QUESTION_LABELS.items()]
        if not self.is_submitted() and not self.questions.data:
            self.questions.data = [q.value for q in SurveyQuestion]

    def values(self) -> dict[str, Any]:
        return {"title": self.title.data or "", "intro": self.intro.data or "", "questions": self.questions.data or []}
