"""Forms for offers (Bildungsangebote) and for an actor's agreement to be listed in the portal."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from crm.forms.actors import ActorPickerField, GermanDateField, WebAddress
from crm.forms.fields import ModelMultiSelectField, ModelSelectField, Versioned, load_choices
from crm.models import Area, LifeStage, Offer, OfferStatus, TargetGroup, Topic
from crm.service_labels import label
from crm.services.offers.offers import FORMATS, STATUS_LABELS


class OfferForm(Versioned, FlaskForm):
    """Every text field is limited to its column's length (``crm.models.offers``); the rules (a provider,
    the period, dates for a published offer) are the service's (``check_offer``), shown under their field."""

    title = StringField(_l("Titel"), validators=[DataRequired(_l("Bitte geben Sie einen Titel ein.")),
                                                Length(max=255)])
    provider = ActorPickerField(_l("Anbieter"), validators=[Length(max=255)],
                                required_message=_l("Bitte nennen Sie mindestens einen Anbieter."))
    co_provider = ActorPickerField(_l("Weiterer Anbieter"), validators=[Length(max=255)])
    description = TextAreaField(_l("Beschreibung"), validators=[Optional(), Length(max=10000)])
    format = SelectField(_l("Format"), validators=[Optional(), Length(max=80)], validate_choice=False)
    life_stages = ModelMultiSelectField(_l("Bildungsphasen"), LifeStage)
    topics = ModelMultiSelectField(_l("Themenfelder"), Topic)
    target_groups = ModelMultiSelectField(_l("Zielgruppen"), TargetGroup)
    area = ModelSelectField(_l("Gebiet"), Area, blank=_l("– Gebiet des Anbieters –"), label_fn=lambda a: a.full_name)
    place = StringField(_l("Ort"), validators=[Optional(), Length(max=300)])
    starts_on = GermanDateField(_l("Beginn"), validators=[Optional()])
    ends_on = GermanDateField(_l("Ende"), validators=[Optional()])
    is_ongoing = BooleanField(_l("laufend (ohne festes Ende)"))
    schedule = StringField(_l("Zeiten"), validators=[Optional(), Length(max=200)])
    is_free = BooleanField(_l("kostenlos"))
    cost = StringField(_l("Kosten"), validators=[Optional(), Length(max=200)])
    entry_requirements = TextAreaField(_l("Zugangsvoraussetzungen"), validators=[Optional(), Length(max=5000)])
    languages = StringField(_l("Sprachen"), validators=[Optional(), Length(max=200)])
    is_accessible = BooleanField(_l("barrierefreier Ort"))
    url = URLField(_l("Link"), validators=[Optional(), Length(max=300), WebAddress()])
    contact_email = StringField(_l("Kontakt-E-Mail (Funktionsadresse)"), validators=[
        Optional(), Length(max=254), Email(_l("Das ist keine gültige E-Mail-Adresse."))])
    contact_phone = StringField(_l("Kontakt-Telefon"), validators=[Optional(), Length(max=60)])
    contact_person = StringField(_l("Ansprechperson (E-Mail-Adresse der Person)"), validators=[
        Optional(), Length(max=254)])
    status = SelectField(_l("Status"), default=OfferStatus.DRAFT.value, validate_choice=False)
    confirmed_on = GermanDateField(_l("Zuletzt bestätigt am"), validators=[Optional()])

    def __init__(self, *args: Any, offer: Offer | None = None, **kwargs: Any) -> None:
        if offer is not None:
            kwargs.setdefault("provider", offer.providers[0] if offer.providers else None)
            kwargs.setdefault("co_provider", offer.providers[1] if len(offer.providers) > 1 else None)
            kwargs.setdefault("contact_person", offer.contact_person.email if offer.contact_person else "")
        super().__init__(*args, obj=offer, **kwargs)
        load_choices(self)
        self.format.choices = [SelectChoice("", _l("– bitte wählen –"))] + [SelectChoice(f, label(f)) for f in FORMATS]
        if offer is not None and offer.format and offer.format not in FORMATS:
            self.format.choices.append(SelectChoice(offer.format, offer.format))
        self.status.choices = [SelectChoice(s.value, label(STATUS_LABELS[s])) for s in OfferStatus]

    def values(self) -> dict[str, Any]:
        """The submitted values for the service (the contact person is resolved by the view's service call)."""
        skip = {"csrf_token", "version_id", "provider", "co_provider", "contact_person"}
        data = {f.name: f.data for f in self if f.name not in skip}
        for key in ("title", "place", "schedule", "cost", "languages", "url", "contact_email", "contact_phone"):
            data[key] = (data.get(key) or "").strip()
        for key in ("description", "entry_requirements", "format"):
            data[key] = data.get(key) or ""
        data["languages"] = ", ".join(p.strip() for p in data["languages"].split(",") if p.strip())
        providers = [a for a in (self.provider.actor, self.co_provider.actor) if a is not None]
        data["providers"] = list(dict.fromkeys(providers))
        data["status"] = OfferStatus(self.status.data) if self.status.data in {s.value for s in OfferStatus} \
            else OfferStatus.DRAFT
        return data


class ActorListingForm(Versioned, FlaskForm):
    """The actor's agreement to be named in the public portal: since when, and who recorded it."""

    listing_agreed_on = GermanDateField(_l("Einverstanden mit der Nennung im Bildungsportal seit"),
                                        validators=[Optional()])
    listing_recorded_by = StringField(_l("Einverständnis erfasst von"), validators=[Optional(), Length(max=200)])

    def values(self) -> dict[str, Any]:
        return {"listing_agreed_on": self.listing_agreed_on.data,
                "listing_recorded_by": (self.listing_recorded_by.data or "").strip()}


class ConfirmOfferForm(FlaskForm):
    """One button: the provider confirmed the offer today (the CSRF token is the whole form)."""


class ProviderOfferForm(FlaskForm):
    """What a provider may change through its link: the description of the offer, not its status,
    providers, area or confirmation (those stay with the office). Lengths follow the columns."""

    title = StringField(_l("Titel"), validators=[DataRequired(_l("Bitte geben Sie einen Titel ein.")),
                                                Length(max=255)])
    description = TextAreaField(_l("Beschreibung"), validators=[Optional(), Length(max=10000)],
                                render_kw={"rows": 6})
    format = SelectField(_l("Format"), validators=[Optional(), Length(max=80)], validate_choice=False)
    life_stages = ModelMultiSelectField(_l("Bildungsphasen"), LifeStage)
    topics = ModelMultiSelectField(_l("Themenfelder"), Topic)
    target_groups = ModelMultiSelectField(_l("Zielgruppen"), TargetGroup)
    place = StringField(_l("Ort"), validators=[Optional(), Length(max=300)])
    starts_on = GermanDateField(_l("Beginn"), validators=[Optional()])
    ends_on = GermanDateField(_l("Ende"), validators=[Optional()])
    is_ongoing = BooleanField(_l("laufend (ohne festes Ende)"))
    schedule = StringField(_l("Zeiten"), validators=[Optional(), Length(max=200)])
    is_free = BooleanField(_l("kostenlos"))
    cost = StringField(_l("Kosten"), validators=[Optional(), Length(max=200)])
    entry_requirements = TextAreaField(_l("Zugangsvoraussetzungen"), validators=[Optional(), Length(max=5000)],
                                       render_kw={"rows": 3})
    languages = StringField(_l("Sprachen"), validators=[Optional(), Length(max=200)])
    is_accessible = BooleanField(_l("barrierefreier Ort"))
    url = URLField(_l("Link"), validators=[Optional(), Length(max=300), WebAddress()])
    contact_email = StringField(_l("Kontakt-E-Mail (Funktionsadresse)"), validators=[
        Optional(), Length(max=254), Email(_l("Das ist keine gültige E-Mail-Adresse."))])
    contact_phone = StringField(_l("Kontakt-Telefon"), validators=[Optional(), Length(max=60)])

    def __init__(self, *args: Any, values: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, data=values or {}, **kwargs)
        load_choices(self)
        current = (values or {}).get("format") or ""
        self.format.choices = [SelectChoice("", _l("– bitte wählen –"))] + [SelectChoice(f, label(f)) for f in FORMATS]
        if current and current not in FORMATS:
            self.format.choices.append(SelectChoice(current, current))

    def values(self) -> dict[str, Any]:
        """The submitted values (``crm.services.offers.proposals.snapshot`` turns them into JSON)."""
        data = {f.name: f.data for f in self if f.name != "csrf_token"}
        data["languages"] = ", ".join(p.strip() for p in (data.get("languages") or "").split(",") if p.strip())
        return data


class ProposalDecisionForm(FlaskForm):
    """Accept or reject a provider's proposal: the offer's version the coordinator saw, the tick that
    a stale proposal may overwrite newer changes, publishing a new offer, and a reason for a rejection."""

    offer_version = HiddenField()
    overwrite = BooleanField(_l("Ich habe die Änderungen seitdem geprüft: der Vorschlag soll sie überschreiben"))
    publish = BooleanField(_l("Neues Angebot gleich veröffentlichen"))
    reason = TextAreaField(_l("Grund (optional, für die Akte)"), validators=[Optional(), Length(max=2000)])


class SendProviderLinkForm(FlaskForm):
    """One button: send the provider its personal link (the CSRF token is the whole form)."""
