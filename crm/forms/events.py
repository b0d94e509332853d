"""Forms for events, invitation lists, mail texts, reminders, the door and the public answer page."""
from __future__ import annotations

import re
from datetime import date, datetime, time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional, ValidationError

from crm.collation import german, sort_key
from crm.extensions import db
from crm.forms.actors import ActorPickerField
from crm.forms.fields import ModelMultiSelectField, ModelSelectField, Versioned, load_choices
from crm.models import ActorKind, Area, Event, EventKind, Initiative, LifeStage, Topic
from crm.services.events.events import local_to_utc, to_local
from crm.services.mail import templates as mail_templates

# Dates outside these years are typing mistakes (0001 instead of 2026), and at the edges of
# Python's calendar the conversion to UTC overflows.
MIN_YEAR, MAX_YEAR = 1900, 2100


def _year_message() -> str:
    return _("Bitte ein Datum zwischen %(min)d und %(max)d angeben.", min=MIN_YEAR, max=MAX_YEAR)


def _in_range(day: date | None) -> bool:
    return day is not None and MIN_YEAR <= day.year <= MAX_YEAR


class EventForm(Versioned, FlaskForm):
    """Dates and times are local (Europe/Berlin); ``values()`` turns them into UTC."""

    kind = ModelSelectField(_l("Art"), EventKind, blank=_l("– bitte wählen –"),
                            validators=[DataRequired(_l("Bitte wählen Sie die Art der Veranstaltung."))])
    title = StringField(_l("Titel"), validators=[DataRequired(_l("Bitte geben Sie einen Titel ein.")),
                                                 Length(max=255)])
    description = TextAreaField(_l("Beschreibung"), validators=[Optional(), Length(max=10000)])
    start_date = DateField(_l("Datum"), validators=[DataRequired(_l("Bitte geben Sie das Datum ein."))])
    start_time = TimeField(_l("Beginn"), validators=[DataRequired(_l("Bitte geben Sie den Beginn ein (SS:MM)."))])
    end_date = DateField(_l("Ende am (wenn nicht derselbe Tag)"), validators=[Optional()])
    end_time = TimeField(_l("Ende"), validators=[DataRequired(_l("Bitte geben Sie das Ende ein (SS:MM)."))])
    place = StringField(_l("Ort"), validators=[Optional(), Length(max=300)])
    online_url = URLField(_l("Online-Link"), validators=[
        Optional(), Length(max=500), URL(message=_l("Bitte eine vollständige Adresse mit https:// angeben."))])
    capacity = IntegerField(_l("Plätze (leer: unbegrenzt)"), validators=[
        Optional(), NumberRange(1, 100000, _l("Bitte eine Zahl ab 1 angeben."))])
    deadline_date = DateField(_l("Antwortfrist (Datum)"), validators=[Optional()])
    deadline_time = TimeField(_l("Antwortfrist (Uhrzeit)"), validators=[Optional()])
    initiative = ModelSelectField(_l("Initiative"), Initiative, blank=_l("– keine –"))
    topics = ModelMultiSelectField(_l("Themenfelder"), Topic)
    contact_name = StringField(_l("Ansprechperson für Gäste"), validators=[Optional(), Length(max=200)])
    contact_email = EmailField(_l("E-Mail der Ansprechperson"), validators=[
        Optional(), Email(_l("Das ist keine gültige E-Mail-Adresse."))])
    is_public = BooleanField(_l("Im Bildungsportal zeigen (öffentlicher Kalender)"))
    registration_open = BooleanField(_l("Offene Veranstaltung: Anmeldung ohne Einladung im Bildungsportal"))
    public_description = TextAreaField(
        _l("Text für das Bildungsportal"), validators=[Optional(), Length(max=2000)],
        description=_l("Nur dieser Text erscheint öffentlich, nicht die Beschreibung oben und nicht der "
                       "Online-Link. Bitte keine Namen von Personen ohne deren Einwilligung."))
    notify = BooleanField(_l("Eingeladene über Änderungen an Zeit, Ort oder Titel informieren "
                             "(mit aktualisiertem Kalendereintrag)"), default=True)
    # One token per "new event" form: sending it twice (double click, resend) creates one event.
    creation_token = HiddenField()

    @property
    def token(self) -> str | None:
        value = (self.creation_token.data or "").strip()
        return value if re.fullmatch(r"[0-9a-f]{32}", value) else None

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
            raise ValidationError(_year_message())

    def validate_end_date(self, field) -> None:
        if field.data and not _in_range(field.data):
            raise ValidationError(_year_message())

    def validate_end_time(self, field) -> None:
        start, end = self._start(), self._end()
        if start and end and end <= start:
            raise ValidationError(_("Das Ende muss nach dem Beginn liegen."))

    def validate_deadline_date(self, field) -> None:
        if field.data and not _in_range(field.data):
            raise ValidationError(_year_message())
        deadline, end = self._deadline(), self._end()
        if deadline and end and deadline > end:
            raise ValidationError(_("Die Antwortfrist muss vor dem Ende der Veranstaltung liegen."))

    def validate_online_url(self, field) -> None:
        if field.data and not field.data.strip().lower().startswith(("https://", "http://")):
            raise ValidationError(_("Bitte eine vollständige Adresse mit https:// angeben."))

    def validate_deadline_time(self, field) -> None:
        if field.data and not self.deadline_date.data:
            raise ValidationError(_("Bitte auch das Datum der Antwortfrist angeben."))

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
            "is_public": bool(self.is_public.data), "registration_open": bool(self.registration_open.data),
            "public_description": (self.public_description.data or "").strip(),
        }



def _choices(rows, label=str) -> list[SelectChoice]:
    return [SelectChoice(r.id, label(r)) for r in rows]


class ListFilterForm(FlaskForm):
    """The filters of the list builder; sent by GET for the preview and by POST to add."""

    actor_kinds = SelectMultipleField(_l("Art des Akteurs"), coerce=int)
    areas = SelectMultipleField(_l("Gebiet (mit Teilgebieten)"), coerce=int)
    life_stages = SelectMultipleField(_l("Bildungsphase"), coerce=int)
    topics = SelectMultipleField(_l("Themenfeld"), coerce=int)
    initiatives = SelectMultipleField(_l("Mitglied der Initiative"), coerce=int)
    attended = SelectMultipleField(_l("hat teilgenommen an"), coerce=int)
    not_attended = SelectMultipleField(_l("hat nicht teilgenommen an"), coerce=int)
    persons = SelectMultipleField(_l("Einzeln ausgewählt"), coerce=int, validate_choice=False)
    use_filters = HiddenField(default="1")

    def __init__(self, *args, event: Event | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        session = db.session
        active = lambda model: (select(model).where(model.is_active.is_(True))  # noqa: E731
                                .order_by(model.sort_order, german(model.name)))
        self.actor_kinds.choices = _choices(session.scalars(active(ActorKind)))
        areas = list(session.scalars(select(Area).where(Area.is_active.is_(True))))
        self.areas.choices = sorted(_choices(areas, lambda a: a.full_name), key=lambda c: sort_key(c.label))
        self.life_stages.choices = _choices(session.scalars(active(LifeStage)))
        self.topics.choices = _choices(session.scalars(active(Topic)))
        self.initiatives.choices = _choices(session.scalars(select(Initiative).order_by(german(Initiative.name))))
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
    confirm = BooleanField(_l("Ja, absagen und alle Eingeladenen benachrichtigen"),
                           validators=[DataRequired(_l("Bitte bestätigen Sie die Absage."))])


class ReminderForm(FlaskForm):
    audience = RadioField(_l("Wen erinnern?"), choices=[
        SelectChoice("pending", _l("alle, die noch nicht geantwortet haben")),
        SelectChoice("accepted", _l("alle, die zugesagt haben")),
    ], validators=[DataRequired(_l("Bitte wählen Sie, wer erinnert werden soll."))])


class MailTemplateForm(Versioned, FlaskForm):
    subject = StringField(_l("Betreff"), validators=[DataRequired(_l("Bitte geben Sie einen Betreff ein.")),
                                                     Length(max=300)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(_l("Bitte geben Sie einen Text ein.")),
                                                 Length(max=20000)], render_kw={"rows": 16})

    def validate_subject(self, field) -> None:
        errors = mail_templates.placeholder_errors(field.data or "")
        if errors:
            raise ValidationError(errors[0])

    def validate_body(self, field) -> None:
        errors = mail_templates.placeholder_errors(field.data or "")
        if errors:
            raise ValidationError(" ".join(errors))



class WalkInForm(FlaskForm):
    """At the door, often on a phone: the actor is typed and picked (``autocomplete.js``), not
    chosen from a list of every actor; ``actor.actor`` is the result (None: no actor)."""

    first_name = StringField(_l("Vorname"), validators=[Optional(), Length(max=120)])
    last_name = StringField(_l("Nachname"), validators=[DataRequired(_l("Bitte geben Sie den Nachnamen ein.")),
                                                         Length(max=120)])
    actor = ActorPickerField(_l("Akteur (freiwillig)"), validators=[Length(max=255)])
    email = EmailField(_l("E-Mail (freiwillig)"),
                       validators=[Optional(), Email(_l("Das ist keine gültige E-Mail-Adresse."))])


class OrganiserAnswerForm(FlaskForm):
    """One row of the invitation table: the answer a guest gave by phone or e-mail."""

    answer = SelectField(_l("Antwort"), choices=[
        SelectChoice("pending", _l("keine Antwort")),
        SelectChoice("accepted", _l("Zusage")),
        SelectChoice("tentative", _l("vielleicht")),
        SelectChoice("declined", _l("Absage")),
    ], validate_choice=False)

    def validate_answer(self, field) -> None:
        if field.data not in {c.value for c in self.answer.choices}:
            raise ValidationError(_("Bitte wählen Sie Zusage, Absage, vielleicht oder keine Antwort."))


class AnswerForm(FlaskForm):
    """The public answer page: the guest's choice and an optional comment."""

    answer = RadioField(_l("Ihre Antwort"), choices=[
        SelectChoice("accepted", _l("Ich nehme teil")),
        SelectChoice("tentative", _l("Vielleicht")),
        SelectChoice("declined", _l("Ich kann nicht teilnehmen")),
    ], validators=[DataRequired(_l("Bitte wählen Sie eine Antwort."))])
    comment = TextAreaField(_l("Kommentar (freiwillig)"), validators=[
        Optional(), Length(max=2000, message=_l("Höchstens 2000 Zeichen."))], render_kw={"rows": 3})
