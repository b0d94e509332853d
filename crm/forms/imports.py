"""Forms of the import: the upload, and the mapping page built from the file's columns."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileRequired, MultipleFileField
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from crm.models import ImportTarget
from crm.service_labels import label as translated
from crm.services.imports.lookups import IGNORE
from crm.services.imports.mapping import FIELDS, TARGET_LABELS
from crm.services.imports.readers import Sheet

VOCABULARY_LABELS = {"kind": _l("Art"), "cooperation_type": _l("Kooperationsart"), "area": _l("Gebiet"),
                     "topics": _l("Thema"), "life_stages": _l("Bildungsphase"), "target_groups": _l("Zielgruppe")}
MULTI_VOCABULARIES = {"topics", "life_stages", "area", "target_groups"}  # values that may be left out


class UploadForm(FlaskForm):
    target = SelectField(_l("Was enthält die Datei?"), default=ImportTarget.ACTORS.value,
                         validators=[InputRequired(_l("Bitte wählen Sie, was die Datei enthält."))])
    files = MultipleFileField(_l("Datei"), validators=[FileRequired(_l("Bitte wählen Sie eine Datei aus."))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target.choices = [SelectChoice(t.value, translated(TARGET_LABELS[t])) for t in ImportTarget]

    def validate_files(self, field) -> None:
        uploads = [f for f in field.data or [] if getattr(f, "filename", "")]
        if not uploads:
            raise ValidationError(_("Bitte wählen Sie eine Datei aus."))
        if len(uploads) > 2 or (len(uploads) == 2 and self.target.data != ImportTarget.KUMU.value):
            raise ValidationError(_("Bitte laden Sie eine Datei hoch; nur für Kumu sind zwei CSV-Dateien "
                                    "(Elemente und Verbindungen) zusammen möglich."))

    def uploads(self) -> list[tuple[str, bytes]]:
        return [(f.filename or "", f.read()) for f in self.files.data or [] if getattr(f, "filename", "")]


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


@dataclass
class ColumnRow:
    index: int
    header: str
    label: str
    samples: list[str]
    field: Any


@dataclass
class SheetSection:
    plan_index: int
    kind: str | None
    sheet: Sheet
    columns: list[ColumnRow] = field(default_factory=list)


@dataclass
class ValueRow:
    vocabulary: str
    raw: str
    count: int
    field: Any

    @property
    def vocabulary_label(self) -> str:
        return VOCABULARY_LABELS[self.vocabulary]


class MappingForm(FlaskForm):
    """Built at runtime (``build_mapping_form``): one select per column and per unknown value."""

    sections: list[SheetSection]
    value_rows: list[ValueRow]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for section in self.sections:
            taken: dict[str, ColumnRow] = {}
            for column in section.columns:
                key = column.field.data
                if not key:
                    continue
                if key in taken:
                    label = next(f.label for f in FIELDS[section.kind or "actors"] if f.key == key)
                    column.field.errors.append(_("„%(field)s“ ist schon der Spalte „%(column)s“ zugeordnet.",
                                                 field=translated(label), column=taken[key].label))
                    valid = False
                else:
                    taken[key] = column
        return valid

    def mapping(self) -> dict[str, dict[str, str]]:
        return {str(s.plan_index): {str(c.index): c.field.data for c in s.columns if c.field.data}
                for s in self.sections if s.kind}

    def defaults(self) -> dict[str, Any]:
        chosen = {}
        for key in ("kind", "cooperation_type"):
            field_ = getattr(self, f"default_{key}", None)
            if field_ is not None and field_.data:
                chosen[key] = int(field_.data)
        return chosen

    def values(self) -> dict[str, dict[str, str]]:
        result: dict[str, dict[str, str]] = {}
        for row in self.value_rows:
            if row.field.data:
                result.setdefault(row.vocabulary, {})[row.raw] = row.field.data
        return result


def build_mapping_form(sections: list[tuple[int, str | None, Sheet, dict[int, str]]],
                       choices: dict[str, list[tuple[str, str]]], defaults: dict[str, Any],
                       value_rows: list[tuple[str, str, int, str]], **kwargs: Any) -> MappingForm:
    """``sections``: (sheet index, kind, sheet, current mapping); ``choices``: vocabulary -> (id, name);
    ``value_rows``: (vocabulary, raw value, rows, current choice)."""

    class Form(MappingForm):
        pass

    kinds = {kind for _, kind, _, _ in sections if kind}
    for plan_index, kind, sheet, current in sections:
        if not kind:
            continue
        options = [SelectChoice("", _("– nicht importieren –"))] + [SelectChoice(f.key, translated(f.label))
                                                                    for f in FIELDS[kind]]
        for index in range(len(sheet.columns)):
            setattr(Form, f"s{plan_index}_c{index}", SelectField(
                sheet.column_label(index), choices=options, default=current.get(index, ""),
                validate_choice=True))
    if "actors" in kinds:
        Form.default_kind = SelectField(
            _("Art für Zeilen ohne Angabe"), default=str(defaults.get("kind") or ""),
            choices=[SelectChoice("", _("– keine (Art muss in der Datei stehen) –"))]
            + [SelectChoice(i, n) for i, n in choices["kind"]])
    if "cooperations" in kinds:
        Form.default_cooperation_type = SelectField(
            _("Kooperationsart für Zeilen ohne Angabe"), default=str(defaults.get("cooperation_type") or ""),
            choices=[SelectChoice("", _("– keine (Art muss in der Datei stehen) –"))]
            + [SelectChoice(i, n) for i, n in choices["cooperation_type"]])
    for number, (vocabulary, raw, _count, chosen) in enumerate(value_rows):
        options = [SelectChoice("", _("– nicht zugeordnet –"))]
        if vocabulary in MULTI_VOCABULARIES:
            options.append(SelectChoice(IGNORE, _("– weglassen –")))
        options += [SelectChoice(i, n) for i, n in choices[vocabulary]]
        setattr(Form, f"value_{number}", SelectField(raw, choices=options, default=chosen or ""))

    form = Form(**kwargs)
    form.sections = []
    for plan_index, kind, sheet, _current in sections:
        section = SheetSection(plan_index, kind, sheet)
        if kind:
            for index, header in enumerate(sheet.columns):
                section.columns.append(ColumnRow(index, header, sheet.column_label(index), sheet.samples(index),
                                                 getattr(form, f"s{plan_index}_c{index}")))
        form.sections.append(section)
    form.value_rows = [ValueRow(vocabulary, raw, count, getattr(form, f"value_{n}"))
                       for n, (vocabulary, raw, count, _chosen) in enumerate(value_rows)]
    return form
