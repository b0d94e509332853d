"""Field helpers shared by the forms: vocabulary pick lists loaded from the database."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import HiddenField, SelectField, SelectMultipleField
from wtforms.fields.choices import Choice, SelectChoice
from wtforms.validators import ValidationError

from crm.collation import german
from crm.extensions import db
from crm.services.landscape.directory import MAX_ID


def _choices(model: Any, *, blank: str | None = None, label=str) -> list[SelectChoice]:
    rows = db.session.scalars(select(model).order_by(*_order(model))).all()
    choices = [SelectChoice(str(r.id), label(r)) for r in rows if getattr(r, "is_active", True)]
    return ([SelectChoice("", blank)] if blank is not None else []) + choices


def _order(model: Any) -> list[Any]:
    cols = []
    if hasattr(model, "sort_order"):
        cols.append(model.sort_order)
    cols.append(german(model.name) if hasattr(model, "name") else model.id)
    return cols


class ModelSelectField(SelectField):
    """A single pick from a vocabulary table; ``data`` is the model instance (or None)."""

    def __init__(self, label: str, model: Any, blank: str | None = None, label_fn=str, **kwargs: Any) -> None:
        super().__init__(label, coerce=str, **kwargs)
        self.model, self.blank, self.label_fn = model, blank, label_fn

    def load_choices(self) -> None:
        self.choices = _choices(self.model, blank=self.blank, label=self.label_fn)

    def _value_to_obj(self, value: str | None) -> Any:
        if value and not 0 < int(value) <= MAX_ID:
            return None  # names nothing; SQLite refuses integers beyond 64 bits
        return db.session.get(self.model, int(value)) if value else None

    def process_data(self, value: Any) -> None:
        self.data = value

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist:
            raw = valuelist[0]
            self.raw_value = raw
            try:
                self.data = self._value_to_obj(raw)
            except (TypeError, ValueError):
                self.data = None

    def pre_validate(self, form: Any) -> None:
        raw = getattr(self, "raw_value", None)
        if raw and self.data is None:
            raise ValidationError(_("Ungültige Auswahl."))

    def iter_choices(self):
        selected = str(self.data.id) if self.data is not None else ""
        for choice in self.choices or []:
            yield Choice(value=choice.value, label=choice.label, selected=choice.value == selected,
                         render_kw={})


class ModelMultiSelectField(SelectMultipleField):
    """Several picks from a vocabulary; ``data`` is a list of model instances.

    The submitted ids are loaded in one query. An entry the administrators have deactivated
    cannot be newly chosen (the pick list does not offer it, and a crafted POST is refused with
    a German message); one the record already has stays, shown as "(deaktiviert)", so saving
    a form never silently drops it.
    """

    def __init__(self, label: str, model: Any, **kwargs: Any) -> None:
        super().__init__(label, coerce=str, **kwargs)
        self.model = model
        self.problem: str | None = None

    def load_choices(self) -> None:
        self.choices = _choices(self.model)

    def process_data(self, value: Any) -> None:
        self.data = list(value or [])

    def process_formdata(self, valuelist: list[str]) -> None:
        kept = {o.id for o in self.data or [] if getattr(o, "id", None) is not None}
        self.problem = None
        ids: list[int] = []
        for raw in valuelist:
            text = str(raw).strip()
            if not text.isdigit() or not 0 < int(text) <= MAX_ID:
                self.problem = _("Ungültige Auswahl.")
                continue
            ids.append(int(text))
        ids = list(dict.fromkeys(ids))
        found = {o.id: o for o in db.session.scalars(select(self.model).where(self.model.id.in_(ids)))} if ids else {}
        if len(found) < len(ids):
            self.problem = _("Ungültige Auswahl.")
        inactive = [found[i] for i in ids if i in found and not getattr(found[i], "is_active", True)
                    and i not in kept]
        if inactive:
            names = ", ".join(f"„{o}“" for o in inactive)
            self.problem = _("%(names)s kann nicht mehr gewählt werden (in der Verwaltung deaktiviert). "
                             "Bitte wählen Sie einen anderen Eintrag.", names=names)
        self.data = [found[i] for i in ids if i in found]

    def pre_validate(self, form: Any) -> None:
        if self.problem:
            raise ValidationError(self.problem)

    def iter_choices(self):
        selected = {str(o.id) for o in self.data or []}
        offered = set()
        for choice in self.choices or []:
            offered.add(choice.value)
            yield Choice(value=choice.value, label=choice.label, selected=choice.value in selected,
                         render_kw={})
        for obj in self.data or []:  # deactivated since it was chosen: still shown, still kept
            if str(obj.id) not in offered:
                yield Choice(value=str(obj.id), label=_("%(name)s (deaktiviert)", name=obj), selected=True,
                             render_kw={})


def load_choices(form: Any) -> None:
    for field in form:
        if isinstance(field, (ModelSelectField, ModelMultiSelectField)):
            field.load_choices()


class Versioned:
    """Mixin for forms that edit a record with ``version_id``: the version the user started from
    travels in a hidden field, so the service can refuse a save over someone else's newer one."""

    version_id = HiddenField()

    @property
    def expected_version(self) -> int | None:
        try:
            return int(self.version_id.data) if self.version_id.data else None
        except ValueError:
            return None
