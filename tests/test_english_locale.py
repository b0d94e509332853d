"""English as the second locale: the forms (labels, pick lists, validation messages) follow the
language the user chose in the footer, and German stays the default.

Each form page is fetched twice, in German and in English, and its labels are compared pair by
pair: a label that reads the same in both languages is one that was never translated (apart from
the few words English shares with German). So a new field with a plain German label fails here.
"""
from __future__ import annotations

import html
import re
from datetime import date

import pytest
from babel.messages.pofile import read_po

from crm.extensions import db
from crm.models import ConsentPurpose, LegalBasis, Role, User
from crm.service_labels import EVENT_STATUS
from crm.services.accounts import api_tokens
from tests import factories_coordinator as f
from tests import factories_imports as imp
from tests import factories_privacy as fp
from tests.conftest import PASSWORD

LABEL_RE = re.compile(r"<(label|legend)\b[^>]*>(.*?)</\1>", re.S)
OPTION_RE = re.compile(r"<option\b[^>]*>(.*?)</option>", re.S)
TAG_RE = re.compile(r"<[^>]+>")
# Words that English writes as German does.
SAME_IN_BOTH = {"Name", "Website", "Partner", "Initiative", "Text"}
CATALOGUE = "crm/translations/en/LC_MESSAGES/messages.po"


def _texts(pattern: re.Pattern, page: str, group: int = 1) -> list[str]:
    found = []
    for match in pattern.finditer(page):
        text = " ".join(html.unescape(TAG_RE.sub(" ", match.group(group))).split())
        if text:
            found.append(text)
    return found


# The choices of a multi-choice field are vocabulary entries (data, German in both languages), as the
# options of a select are; the field's own legend stays in the comparison.
CHOICES_RE = re.compile(r'<div class="multi-choice-options.*?data-multi-choice-empty', re.S)


def _labels(page: str) -> list[str]:
    return _texts(LABEL_RE, CHOICES_RE.sub("", page), group=2)


def _switch(client, locale: str) -> None:
    """The footer's language switch, as a user presses it."""
    response = client.post_form("/sprache", {"locale": locale, "next": "/akteure/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/akteure/")


def _both(client, url: str) -> tuple[str, str]:
    _switch(client, "de")
    german = client.get(url)
    _switch(client, "en")
    english = client.get(url)
    assert german.status_code == english.status_code == 200
    return german.get_data(as_text=True), english.get_data(as_text=True)


def _assert_all_translated(german: str, english: str) -> list[str]:
    de_labels, en_labels = _labels(german), _labels(english)
    assert len(de_labels) == len(en_labels) and len(de_labels) >= 5, (de_labels, en_labels)
    untranslated = [de for de, en in zip(de_labels, en_labels) if de == en and de not in SAME_IN_BOTH]
    assert not untranslated, f"German labels left on the English page: {untranslated}"
    return en_labels


@pytest.fixture
def coordinator(login_as):
    return login_as(Role.COORDINATOR)


def test_actor_form_in_english(coordinator) -> None:
    german, english = _both(coordinator, "/akteure/neu")
    labels = _assert_all_translated(german, english)
    assert '<html lang="en">' in english and '<html lang="de">' in german
    for text in ("Street and house number", "Postcode", "Location", "Latitude", "Parent actor", "Active since",
                 "Active until", "External reference (e.g. school number)", "Life stages", "Topics"):
        assert text in labels, (text, labels)
    assert "– please choose –" in _texts(OPTION_RE, english)
    assert "– bitte wählen –" not in english and "Straße und Hausnummer" not in english
    assert "Straße und Hausnummer" in _labels(german)


def test_cooperation_form_in_english(app, coordinator) -> None:
    school = f.actor(app, "Grundschule Olewig")
    german, english = _both(coordinator, f"/kooperationen/neu?akteur={school}")
    labels = _assert_all_translated(german, english)
    for text in ("Actor", "Type of cooperation", "Intensity", "Start", "End", "As part of the initiative"):
        assert text in labels, (text, labels)
    options = _texts(OPTION_RE, english)
    # The intensity's words come from crm.services.landscape.cooperations, translated where the form is built.
    assert {"1 – occasional exchange", "2 – regular collaboration",
            "3 – close collaboration under a formal agreement", "– none –"} <= set(options), options
    assert "regelmäßige Zusammenarbeit" not in english and "regelmäßige Zusammenarbeit" in german


def test_event_form_in_english(coordinator) -> None:
    german, english = _both(coordinator, "/veranstaltungen/neu")
    labels = _assert_all_translated(german, english)
    for text in ("Kind", "Title", "Date", "Start", "Ends on (if not the same day)", "Online link",
                 "Places (empty: unlimited)", "Response deadline (date)", "Response deadline (time)",
                 "Contact person for guests", "Email of the contact person"):
        assert text in labels, (text, labels)
    assert "Ansprechperson für Gäste" not in english


def test_validation_messages_in_english(app, coordinator) -> None:
    _switch(coordinator, "en")
    response = coordinator.post_form("/akteure/neu", {"name": "", "postcode": "123", "latitude": "91",
                                                      "parent": "Nirgendwo-Schule"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("Please enter a name.", "Please choose the kind of actor.", "The postcode has five digits.",
                    "The latitude must be between -90 and 90.", "No actor “Nirgendwo-Schule” found."):
        assert message in body, message
    assert "Bitte geben Sie einen Namen ein." not in body and "Die PLZ hat fünf Ziffern." not in body

    school, kita = f.actor(app, "Grundschule Olewig"), f.actor(app, "Kita St. Anna", kind="Kita")
    response = coordinator.post_form("/kooperationen/neu", {
        "source": "Grundschule Olewig", "source_id": str(school), "target": "Kita St. Anna", "target_id": str(kita),
        "type": str(f.ctype_id(app)), "intensity": "2", "start_date": "2025-08-01", "end_date": "2024-07-31"})
    assert response.status_code == 422
    # The rule is the service's; its refusal is shown in the user's language.
    assert "The end must not be before the start." in response.get_data(as_text=True)


def test_user_text_in_a_translated_message_stays_escaped(coordinator) -> None:
    _switch(coordinator, "en")
    body = coordinator.post_form("/akteure/neu", {"name": "X", "parent": "<b>fett</b>"}).get_data(as_text=True)
    assert "No actor “&lt;b&gt;fett&lt;/b&gt;” found." in body and "<b>fett</b>" not in body


def test_german_stays_the_default(coordinator) -> None:
    page = coordinator.get("/akteure/neu").get_data(as_text=True)
    assert '<html lang="de">' in page
    assert "Straße und Hausnummer" in _labels(page) and "Street and house number" not in page
    body = coordinator.post_form("/akteure/neu", {"name": "", "postcode": "123"}).get_data(as_text=True)
    assert "Bitte geben Sie einen Namen ein." in body and "Die PLZ hat fünf Ziffern." in body
    assert "Please enter a name." not in body


def test_every_service_label_has_an_english_translation() -> None:
    """crm.service_labels repeats the labels the services keep in German so that pybabel finds them;
    a label added to a service table without its entry there would stay German in English."""
    from crm.services.events.events import STATUS_LABELS
    from crm.services.events.invitation_lists import REASONS
    from crm.services.events.invitations import ANSWER_LABELS
    from crm.services.events.stats import LABELS as STATS_LABELS
    from crm.services.imports.mapping import FIELDS, TARGET_LABELS
    from crm.services.landscape.cooperations import INTENSITY_LABELS
    from crm.services.landscape.directory import ACTIVE_CHOICES, SORTS
    from crm.services.landscape.initiatives import KIND_LABELS, ROLE_LABELS
    from crm.services.mail.outbox import STATE_LABELS
    from crm.services.network.records import LAYER_LABELS

    with open(CATALOGUE, "rb") as handle:
        catalogue = read_po(handle)
    plain = [*INTENSITY_LABELS.values(), *KIND_LABELS.values(), *ROLE_LABELS.values(), *ANSWER_LABELS.values(),
             *STATE_LABELS.values(), *STATS_LABELS.values(), *REASONS.values(), *LAYER_LABELS.values(),
             *SORTS.values(), *ACTIVE_CHOICES.values(), *TARGET_LABELS.values(),
             *(spec.label for specs in FIELDS.values() for spec in specs),
             *(spec.help for specs in FIELDS.values() for spec in specs if spec.help)]
    missing = [text for text in plain if not getattr(catalogue.get(text), "string", "")]
    missing += [text for text in STATUS_LABELS.values() if not getattr(catalogue.get(text, EVENT_STATUS), "string", "")]
    assert not missing, f"add these to crm/service_labels.py and translate them: {missing}"
    assert catalogue.get("abgesagt", EVENT_STATUS).string == "cancelled"
    assert catalogue.get("abgesagt").string == "declined"  # a guest's answer


# --------------------------------------------------------------------------- the services' refusals

def _text(response) -> str:
    return " ".join(html.unescape(TAG_RE.sub(" ", response.get_data(as_text=True))).split())


def test_service_refusals_in_english(app, login_as, create_user) -> None:
    """The rules live in the services and speak German there; a user of the English interface reads
    each refusal in English, with the values it names: one rule per domain, through pages and API."""
    coordinator = login_as(Role.COORDINATOR)
    _switch(coordinator, "en")

    # Actor (page form): the duplicate check says why it suspects one, then the rule refuses the
    # reference, naming the actor that has it.
    f.actor(app, "Grundschule Olewig", external_ref="51234")
    values = {"name": "Neue Schule", "kind": str(f.kind_id(app)), "external_ref": "51234", "is_active": "y"}
    response = coordinator.post_form("/akteure/neu", values)
    assert "Grundschule Olewig (same external reference)" in _text(response), _text(response)[:800]
    response = coordinator.post_form("/akteure/neu", {**values, "confirm_duplicate": "y"})
    assert response.status_code == 422
    assert "This reference is already used by “Grundschule Olewig”." in _text(response)
    assert "Diese Kennung" not in _text(response)

    # Cooperation (page form): no second tie of the same type in the same period, with names and dates.
    school, kita = f.actor(app, "Grundschule Ehrang"), f.actor(app, "Kita St. Anna", kind="Kita")
    f.cooperation(app, school, kita, start=date(2024, 1, 1))
    response = coordinator.post_form("/kooperationen/neu", {
        "source": "Grundschule Ehrang", "source_id": str(school), "target": "Kita St. Anna", "target_id": str(kita),
        "type": str(f.ctype_id(app)), "intensity": "2", "start_date": "2025-08-01"})
    assert response.status_code == 422
    text = _text(response)
    assert ("Between “Grundschule Ehrang” and “Kita St. Anna” there is already a cooperation of the type "
            "“Kooperationsvertrag” in this period (01.01.2024 to open).") in text, text
    assert "besteht in diesem Zeitraum" not in text

    # Import: a file that cannot be read, and a cell that cannot, at its row and column.
    response = imp.upload(coordinator, "actors", ("leer.csv", b"   "))
    assert response.status_code == 422 and "The file is empty." in _text(response)
    imp.ensure_kind(app, "Grundschule")
    token = imp.start(coordinator, "actors", ("akteure.csv", b"Name;Art;PLZ\nGrundschule Irsch;Grundschule;123\n"
))
    imp.map_columns(coordinator, token)
    _status, page = imp.preview(coordinator, token)
    text = imp.text_of(page)
    assert "“123” is not a postcode (five digits)." in text and "Row 2" in text, text
    assert "ist keine PLZ" not in text and "Zeile 2" not in text

    # Consent: one valid consent per purpose; the purpose is named in English too.
    person = f.person(app, "Musterfrau", legal_basis=LegalBasis.CONSENT)
    for expected in (302, 422):
        response = coordinator.post_form(f"/datenschutz/personen/{person}/einwilligung",
                                         {"purpose": ConsentPurpose.INVITATIONS.value, "method": "Formular"})
        assert response.status_code == expected
    assert "There is already valid consent for “Invitations to events”." in _text(response)

    # Password policy (the account page of any user), with the minimum length filled in.
    for new, message in (("kurz", "The password must be at least 10 characters long."),
                         ("passwort123", "This password is too easy to guess.")):
        response = coordinator.post_form("/konto/passwort", {"current": PASSWORD, "new": new, "repeat": new})
        assert response.status_code == 422 and message in _text(response), _text(response)[:1200]
        assert "Passwort" not in _text(response).replace("passwort", "")

    # Event (API, in the language the client asks for; no session cookie): the end after the start.
    api = app.test_client()
    organiser = create_user(Role.ORGANISER)
    with app.app_context():
        secret = api_tokens.create_token(db.session, db.session.get(User, organiser.id), "Test").secret
        db.session.commit()
    body = {"kind_id": fp.event_kind_id(app), "title": "Bildungsgespräch", "starts_at": "2026-03-29T10:00:00+02:00",
            "ends_at": "2026-03-29T09:00:00+02:00"}
    for language, message in (("en", "The end must be after the start."),
                              ("de", "Das Ende muss nach dem Beginn liegen.")):
        response = api.post("/api/v1/events", json=body,
                               headers={"Authorization": f"Bearer {secret}", "Accept-Language": language})
        assert response.status_code == 422
        assert response.get_json()["errors"]["ends_at"] == [message]
