"""The form that puts suggested ties on an event's invitation list (CSRF, chosen pairs)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from crm.services.errors import ServiceError
from crm.services.events.suggested_invitations import Pair, SuggestedPair, parse_pair_keys


class SuggestionInviteForm(FlaskForm):
    """Which suggestions to act on; the choices are the pairs of the current analysis whose
    two actors both have a contact person, so a stale or forged pair is refused here."""

    pairs = SelectMultipleField(_l("Vorschläge"), widget=ListWidget(prefix_label=False),
                                option_widget=CheckboxInput())

    def __init__(self, suggestions: list[SuggestedPair], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.pairs.choices = [(p.key, f"{p.source_label} – {p.target_label}") for p in suggestions if p.reachable]
        if not self.is_submitted():
            self.pairs.data = [key for key, _label in self.pairs.choices]

    def validate_pairs(self, field: SelectMultipleField) -> None:
        if not field.data:
            raise ValidationError(_l("Bitte wählen Sie mindestens einen Vorschlag."))

    def chosen(self) -> set[Pair]:
        try:
            return parse_pair_keys(self.pairs.data or [])
        except ServiceError as error:   # choices already refuse these; kept for direct use
            raise ValidationError(error.message) from None
