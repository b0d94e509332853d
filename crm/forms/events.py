"""Forms for events, invitation lists, mail texts, reminders, the door and the public answer page."""
from __future__ import annotations

from datetime import date, datetime, time

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField, DateField, EmailField, HiddenField, IntegerField, RadioField, SelectField, SelectMultipleField,
    StringField, TextAreaField, TimeField, URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, URL, ValidationError

from crm.extensions import db
from crm.forms.actors import ActorPickerField
from crm.forms.fields import ModelMultiSelectField, ModelSelectField, load_choices
from crm.models import ActorKind, Area, Event, EventKind, Initiative, LifeStage, Topic
from crm.services import mail_templates
from crm.services.events import local_to_utc, to_local

# Dates outside these years are typing mistakes (0001 instead of 2026), and at the edges of
# Python's calendar the conversion to UTC overflows.
MIN_YEAR, MAX_YEAR = 1900, 2100
YEAR_MESSAGE = f"Bitte ein Datum zwischen {MIN_YEAR} und {MAX_YEAR} angeben."


def _in_range(day: date | None) -> bool:
    return day is not None and MIN_YEAR <= day.year <= MAX_YEAR


class EventForm(FlaskForm):
    """Dates and times are local (Europe/Berlin); ``values()`` turns them into UTC."""

    kind = ModelSelectField("Art", EventKind, blank="– bitte wählen –",
                            validators=[DataRequired("Bitte wählen Sie die Art der Veranstaltung.")])
    title = StringField("Titel", validators=[DataRequired("Bitte geben Sie einen Titel ein."), Length(max=255)])
    description = TextAreaField("Beschreibung", validators=[Optional(), Length(max=10000)])
    start_date = DateField("Datum", validators=[DataRequired("Bitte geben Sie das Datum ein.")])
    start_time = TimeField("Beginn", validators=[DataRequired("Bitte geben Sie den Beginn ein (SS:MM).")])
    end_date = DateField("Ende am (wenn nicht derselbe Tag)", validators=[Optional()])
    end_time = TimeField("Ende", validators=[DataRequired("Bitte geben Sie das Ende ein (SS:MM).")])
    place = StringField("Ort", validators=[Optional(), Length(max=300)])
    online_url = URLField("Online-Link", validators=[
        Optional(), Length(max=500), URL(message="Bitte eine vollständige Adresse mit https:// angeben.")])
    capacity = IntegerField("Plätze (leer: unbegrenzt)", validators=[
        Optional(), NumberRange(1, 100000, "Bitte eine Zahl ab 1 angeben.")])
    deadline_date = DateField("Antwortfrist (Datum)", validators=[Optional()])
    deadline_time = TimeField("Antwortfrist (Uhrzeit)", validators=[Optional()])
    initiative = ModelSelectField("Initiative", Initiative, blank="– keine –")
    topics = ModelMultiSelectField("Themenfelder", Topic)
    contact_name = StringField("Ansprechperson für Gäste", validators=[Optional(), Length(max=200)])
    contact_email = EmailField("E-Mail der Ansprechperson", validators=[
        Optional(), Email("Das ist keine gültige E-Mail-Adresse.")])
    notify = BooleanField("Eingeladene über Änderungen an Zeit, Ort oder Titel informieren "
                          "(mit aktualisiertem Kalendereintrag)", default=True)
    version_id = HiddenField()

    def __init__(self, *args, event: Event | None = None, **kwargs) -> None:
        super().__init__(*args, obj=event, **kwargs)
        load_choices(self)
        if event is not None and not self.is_submitted():
            start, end = to_local(event.starts_at), to_local(event.ends_at)
            self.start_date.data, self.start_time.data = start.date(), start.time()
            self.end_time.data = end.time()
            self.end_date.data = end.date() if end.date() != start.date() else None
            if event.answer_deadline is not None:
                deadline = to_local(event.answer_deadline)
                self.deadline_date.data, self.deadline_time.data = deadline.date(), deadline.time()
            self.version_id.data = str(event.version_id)

    def _start(self) -> datetime | None:
        if _in_range(self.start_date.data) and self.start_time.data:
            return local_to_utc(self.start_date.data, self.start_time.data)
        return None

    def _end(self) -> datetime | None:
        day = self.end_date.data or self.start_date.data
        if _in_range(day) and self.end_time.data:
            return local_to_utc(day, self.end_time.data)
        return None

    def _deadline(self) -> datetime | None:
        if not _in_range(self.deadline_date.data):
            return None
        return local_to_utc(self.deadline_date.data, self.deadline_time.data or time(23, 59))

    def validate_start_date(self, field) -> None:
        if field.data and not _in_range(field.data):
            raise ValidationError(YEAR_MESSAGE)

    def validate_end_date(self, field) -> None:
        if field.data and not _in_range(field.data):
            raise ValidationError(YEAR_MESSAGE)

    def validate_end_time(self, field) -> None:
        start, end = self._start(), self._end()
        if start and end and end <= start:
            raise ValidationError("Das Ende muss nach dem Beginn liegen.")

    def validate_deadline_date(self, field) -> None:
        if field.data and not _in_range(field.data):
            raise ValidationError(YEAR_MESSAGE)
        deadline, end = self._deadline(), self._end()
        if deadline and end and deadline > end:
            raise ValidationError("Die Antwortfrist muss vor dem Ende der Veranstaltung liegen.")

    def validate_online_url(self, field) -> None:
        if field.data and not field.data.strip().lower().startswith(("https://", "http://")):
            raise ValidationError("Bitte eine vollständige Adresse mit https:// angeben.")

    def validate_deadline_time(self, field) -> None:
        if field.data and not self.deadline_date.data:
            raise ValidationError("Bitte auch das Datum der Antwortfrist angeben.")

    def values(self) -> dict:
        return {
            "kind": self.kind.data, "title": (self.title.data or "").strip(),
            "description": (self.description.data or "").strip(),
            "starts_at": self._start(), "ends_at": self._end(),
            "place": (self.place.data or "").strip(), "online_url": (self.online_url.data or "").strip(),
            "capacity": self.capacity.data, "answer_deadline": self._deadline(),
            "initiative": self.initiative.data, "topics": list(self.topics.data or []),
            "contact_name": (self.contact_name.data or "").strip(),
            "contact_email": (self.contact_email.data or "").strip(),
        }

    @property
    def expected_version(self) -> int | None:
        try:
            return int(self.version_id.data) if self.version_id.data else None
        except ValueError:
            return None


def _choices(rows, label=str) -> list[SelectChoice]:
    return [SelectChoice(r.id, label(r)) for r in rows]


class ListFilterForm(FlaskForm):
    """The filters of the list builder; sent by GET for the preview and by POST to add."""

    actor_kinds = SelectMultipleField("Art des Akteurs", coerce=int)
    areas = SelectMultipleField("Gebiet (mit Teilgebieten)", coerce=int)
    life_stages = SelectMultipleField("Bildungsphase", coerce=int)
    topics = SelectMultipleField("Themenfeld", coerce=int)
    initiatives = SelectMultipleField("Mitglied der Initiative", coerce=int)
    attended = SelectMultipleField("hat teilgenommen an", coerce=int)
    not_attended = SelectMultipleField("hat nicht teilgenommen an", coerce=int)
    persons = SelectMultipleField("Einzeln ausgewählt", coerce=int, validate_choice=False)
    use_filters = HiddenField(default="1")

    def __init__(self, *args, event: Event | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        session = db.session
        active = lambda model: select(model).where(model.is_active.is_(True)).order_by(model.sort_order, model.name)  # noqa: E731
        self.actor_kinds.choices = _choices(session.scalars(active(ActorKind)))
        areas = list(session.scalars(select(Area).where(Area.is_active.is_(True))))
        self.areas.choices = sorted(_choices(areas, lambda a: a.full_name), key=lambda c: c.label)
        self.life_stages.choices = _choices(session.scalars(active(LifeStage)))
        self.topics.choices = _choices(session.scalars(active(Topic)))
        self.initiatives.choices = _choices(session.scalars(select(Initiative).order_by(Initiative.name)))
        others = list(session.scalars(select(Event).where(Event.id != (event.id if event else -1))
                                      .order_by(Event.starts_at.desc())))
        label = lambda e: f"{e.title} ({to_local(e.starts_at):%d.%m.%Y})"  # noqa: E731
        self.attended.choices = _choices(others, label)
        self.not_attended.choices = _choices(others, label)

    def selected_labels(self) -> list[str]:
        parts = []
        for field in (self.actor_kinds, self.areas, self.life_stages, self.topics, self.initiatives, self.attended,
                      self.not_attended):
            chosen = [c.label for c in field.choices if c.value in (field.data or [])]
            if chosen:
                parts.append(f"{field.label.text}: {', '.join(chosen)}")
        return parts


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class CancelForm(FlaskForm):
    confirm = BooleanField("Ja, absagen und alle Eingeladenen benachrichtigen",
                           validators=[DataRequired("Bitte bestätigen Sie die Absage.")])


class ReminderForm(FlaskForm):
    audience = RadioField("Wen erinnern?", choices=[
        SelectChoice("pending", "alle, die noch nicht geantwortet haben"),
        SelectChoice("accepted", "alle, die zugesagt haben"),
    ], validators=[DataRequired("Bitte wählen Sie, wer erinnert werden soll.")])


class MailTemplateForm(FlaskForm):
    subject = StringField("Betreff", validators=[DataRequired("Bitte geben Sie einen Betreff ein."),
                                                 Length(max=300)])
    body = TextAreaField("Text", validators=[DataRequired("Bitte geben Sie einen Text ein."), Length(max=20000)],
                         render_kw={"rows": 16})
    version_id = HiddenField()

    def validate_subject(self, field) -> None:
        errors = mail_templates.placeholder_errors(field.data or "")
        if errors:
            raise ValidationError(errors[0])

    def validate_body(self, field) -> None:
        errors = mail_templates.placeholder_errors(field.data or "")
        if errors:
            raise ValidationError(" ".join(errors))

    @property
    def expected_version(self) -> int | None:
        try:
            return int(self.version_id.data) if self.version_id.data else None
        except ValueError:
            return None


class WalkInForm(FlaskForm):
    """At the door, often on a phone: the actor is typed and picked (``autocomplete.js``), not
    chosen from a list of every actor; ``actor.actor`` is the result (None: no actor)."""

    first_name = StringField("Vorname", validators=[Optional(), Length(max=120)])
    last_name = StringField("Nachname", validators=[DataRequired("Bitte geben Sie den Nachnamen ein."),
                                                     Length(max=120)])
    actor = ActorPickerField("Akteur (freiwillig)", validators=[Length(max=255)])
    email = EmailField("E-Mail (freiwillig)", validators=[Optional(), Email("Das ist keine gültige E-Mail-Adresse.")])


class OrganiserAnswerForm(FlaskForm):
    """One row of the invitation table: the answer a guest gave by phone or e-mail."""

    answer = SelectField("Antwort", choices=[
        SelectChoice("pending", "keine Antwort"),
        SelectChoice("accepted", "Zusage"),
        SelectChoice("tentative", "vielleicht"),
        SelectChoice("declined", "Absage"),
    ], validate_choice=False)

    def validate_answer(self, field) -> None:
        if field.data not in {c.value for c in self.answer.choices}:
            raise ValidationError("Bitte wählen Sie Zusage, Absage, vielleicht oder keine Antwort.")


class AnswerForm(FlaskForm):
    """The public answer page: the guest's choice and an optional comment."""

    answer = RadioField("Ihre Antwort", choices=[
        SelectChoice("accepted", "Ich nehme teil"),
        SelectChoice("tentative", "Vielleicht"),
        SelectChoice("declined", "Ich kann nicht teilnehmen"),
    ], validators=[DataRequired("Bitte wählen Sie eine Antwort.")])
    comment = TextAreaField("Kommentar (freiwillig)", validators=[
        Optional(), Length(max=2000, message="Höchstens 2000 Zeichen.")], render_kw={"rows": 3})
