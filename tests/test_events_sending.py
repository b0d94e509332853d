"""Mail out of the box: before a send the organiser sees the mail as a guest gets it and can send
a test mail to themself; the send button names the count, asks once and is disabled when nothing
can go out; the page tells the truth about delivery (no worker, links that do not work outside),
without naming settings the organiser cannot change; in development the mail lands in the
mailbox inside the application, with a working answer link and calendar file."""
from __future__ import annotations

import re

import icalendar
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import EventStatus, Invitation, LegalBasis, MailboxMessage, MessageState, OutboxMessage, Role
from crm.services.mail import outbox
from crm.services.system import heartbeat
from tests import factories_events as f


def _event_with_guests(app) -> int:
    """Three guests on the list, not sent: two can be invited, one cannot (consent missing)."""
    with app.app_context():
        school = f.actor("Grundschule Olewig", kind="Grundschule")
        anna = f.person("Adler", "Anna", email="anna@gs-olewig.example", at=school, title="Dr.")
        hugo = f.person("Hahn", "Hugo", email="hugo@gs-olewig.example", at=school, salutation="Herr")
        cem = f.person("Conrad", "Cem", at=school, legal_basis=LegalBasis.CONSENT)
        event = f.event("Bildungsgespräch 4/2026 – MINT")
        f.invite(event, anna, hugo, cem)
        db.session.commit()
        return event.id


def _worker_alive(app) -> None:
    with app.app_context():
        heartbeat.beat(db.session, "test-worker:1", ["outbox"])
        db.session.commit()


def _send_button(page: str) -> str:
    return re.search(r'<button[^>]*data-testid="send"[^>]*>[^<]*</button>', page).group(0)


def test_the_send_button_names_the_count_asks_once_and_is_disabled_when_nothing_can_go_out(
        app, login_as) -> None:
    client = login_as(Role.ORGANISER)
    event_id = _event_with_guests(app)
    url = f"/veranstaltungen/{event_id}"
    page = client.get(url).get_data(as_text=True)
    button = _send_button(page)
    assert "2 Einladungen versenden" in button and "disabled" not in button
    assert 'data-confirm="2 Einladungen jetzt versenden?' in page
    assert "3 Einladungen sind noch nicht versendet." in page and "1 davon wird übersprungen" in page
    assert "confirm-once.js" in page
    # Only the guest without consent left: the button stays, says 0 and cannot be pressed.
    with app.app_context():
        for invitation in db.session.scalars(select(Invitation)):
            if invitation.person.last_name != "Conrad":
                db.session.delete(invitation)
        db.session.commit()
    page = client.get(url).get_data(as_text=True)
    button = _send_button(page)
    assert "0 Einladungen versenden" in button and "disabled" in button
    assert 'aria-describedby="send-blocked"' in button and "Keine dieser Einladungen kann versendet werden" in page


def test_the_send_page_shows_the_invitation_as_the_guest_gets_it(app, login_as) -> None:
    client = login_as(Role.ORGANISER)
    event_id = _event_with_guests(app)
    page = client.get(f"/veranstaltungen/{event_id}/versand").get_data(as_text=True)
    assert "2 Einladungen gehen hinaus." in page and "1 wird übersprungen" in page
    assert "Cem Conrad (Grundschule Olewig): kein Kontakt erlaubt" in page
    assert "Gast 1 von 2" in page
    assert "anna@gs-olewig.example" in page and "Einladung: Bildungsgespräch 4/2026 – MINT am " in page
    assert "Sehr geehrte Frau Dr. Adler" in page
    assert "Wo: Rathaus Trier, Großer Saal" in page and "Bitte sagen Sie uns über Ihren persönlichen Link" in page
    assert "\\u2013" not in page and "\ufffd" not in page  # the text as the guest reads it, umlauts and dashes
    assert "http://localhost/antwort/beispiel-link" in page  # an example, no guest's real link
    second = client.get(f"/veranstaltungen/{event_id}/versand?nr=2").get_data(as_text=True)
    assert "Sehr geehrter Herr Hahn" in second
    # The HTML part comes from its own address, in a sandbox without scripts.
    html = client.get(f"/veranstaltungen/{event_id}/versand/vorschau.html")
    assert html.status_code == 200 and "sandbox" in html.headers["Content-Security-Policy"]
    assert "script-src" not in html.headers["Content-Security-Policy"]
    assert "Zusagen oder absagen" in html.get_data(as_text=True)
    ics = client.get(f"/veranstaltungen/{event_id}/versand/vorschau/1")
    assert ics.status_code == 200 and 'filename="einladung.ics"' in ics.headers["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(ics.data)
    assert str(calendar["METHOD"]) == "REQUEST" and calendar.walk("VTIMEZONE")
    # Looking changes nothing: no token issued, nothing queued.
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert all(not i.token_nonce for i in db.session.scalars(select(Invitation)))


def test_a_test_mail_goes_to_the_organiser_through_the_outbox_with_example_links(app, login_as, create_user) -> None:
    organiser = create_user(Role.ORGANISER, email="otto@bildungsbuero.example")
    client = login_as(Role.COORDINATOR)
    client.post_form("/abmelden")
    client.login(organiser.email)
    event_id = _event_with_guests(app)
    response = client.post_form(f"/veranstaltungen/{event_id}/versand/testmail", {"nr": "2"}, follow_redirects=True)
    assert "Die Testmail an otto@bildungsbuero.example ist im Postausgang." in response.get_data(as_text=True)
    with app.app_context():
        [message] = db.session.scalars(select(OutboxMessage)).all()
        assert message.recipient == "otto@bildungsbuero.example" and message.category == "test"
        assert message.subject.startswith("[Test] Einladung: Bildungsgespräch 4/2026")
        assert "TESTMAIL – so erhält Hugo Hahn die Einladung" in message.body_text
        assert "/antwort/beispiel-link" in message.body_text and "List-Unsubscribe" not in message.headers
        assert message.invitation_id is None  # not one of the guests' mails
        assert outbox.event_counts(db.session, event_id)[MessageState.QUEUED] == 0
        assert db.session.get(Invitation, 1).invited_at is None


def test_after_sending_the_page_says_no_delivery_runs_instead_of_being_delivered_now(app, login_as) -> None:
    client = login_as(Role.ORGANISER)
    event_id = _event_with_guests(app)
    page = client.get(f"/veranstaltungen/{event_id}").get_data(as_text=True)
    assert 'data-testid="worker-warning"' in page and "Zurzeit stellt niemand E-Mails zu." in page
    assert "technische Betreuung der Anwendung (IT)" in page
    text = client.post_form(f"/veranstaltungen/{event_id}/versenden", follow_redirects=True).get_data(as_text=True)
    assert "2 Einladungen sind im Postausgang." in text
    assert "werden jetzt zugestellt" not in text and "Zurzeit läuft aber kein Zustelldienst" in text
    assert "Nicht versendet an Cem Conrad: kein Kontakt erlaubt" in text


def test_with_a_delivery_process_alive_the_page_says_the_mails_go_out_now(app, login_as) -> None:
    client = login_as(Role.ORGANISER)
    event_id = _event_with_guests(app)
    _worker_alive(app)
    page = client.get(f"/veranstaltungen/{event_id}").get_data(as_text=True)
    assert 'data-testid="worker-warning"' not in page
    text = client.post_form(f"/veranstaltungen/{event_id}/versenden", follow_redirects=True).get_data(as_text=True)
    assert "2 Einladungen sind im Postausgang. Sie werden jetzt zugestellt." in text
    with app.app_context():
        assert db.session.get(Invitation, 1).event.status == EventStatus.PUBLISHED


def test_in_development_mail_lands_in_the_mailbox_with_a_working_answer_link_and_calendar_file(
        app, login_as, client) -> None:
    app.config.update(MAIL_BACKEND="mailbox", BILDUNGSNETZ_BASE_URL="http://127.0.0.1:5123")
    organiser = login_as(Role.ORGANISER)
    event_id = _event_with_guests(app)
    _worker_alive(app)
    assert organiser.get("/veranstaltungen/postfach/").status_code == 200
    text = organiser.post_form(f"/veranstaltungen/{event_id}/versenden", follow_redirects=True).get_data(as_text=True)
    assert "Im Entwicklungsbetrieb landen sie gleich im" in text and "/veranstaltungen/postfach/" in text
    with app.app_context():
        report = f.worker("dev-worker").run_until_idle()
        assert report.sent == 2
        rows = db.session.scalars(select(MailboxMessage).order_by(MailboxMessage.id)).all()
        assert [r.recipient for r in rows] == ["anna@gs-olewig.example", "hugo@gs-olewig.example"]
        stored_id = db.session.get(OutboxMessage, rows[0].outbox_message_id).message_id
        first_id = rows[0].id
    listing = organiser.get("/veranstaltungen/postfach/").get_data(as_text=True)
    assert "anna@gs-olewig.example" in listing and f"/veranstaltungen/postfach/{first_id}" in listing
    assert "hugo" not in organiser.get("/veranstaltungen/postfach/?q=adler").get_data(as_text=True)
    page = organiser.get(f"/veranstaltungen/postfach/{first_id}").get_data(as_text=True)
    assert "Sehr geehrte Frau Dr. Adler" in page and stored_id in page.replace("&lt;", "<").replace("&gt;", ">")
    assert "Einladung: Bildungsgespräch 4/2026 – MINT am " in page and "\ufffd" not in page
    [link] = re.findall(r'href="(http://127\.0\.0\.1:5123/antwort/[^"]+)"', page)
    answer = client.get(f.path_of(link))  # the guest, not logged in, follows the link
    assert answer.status_code == 200 and "Bildungsgespräch 4/2026 – MINT" in answer.get_data(as_text=True)
    html = organiser.get(f"/veranstaltungen/postfach/{first_id}/html")
    assert link in html.get_data(as_text=True) and "sandbox" in html.headers["Content-Security-Policy"]
    ics = organiser.get(f"/veranstaltungen/postfach/{first_id}/anhang/1")
    vevent = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert str(vevent["ATTENDEE"]) == "mailto:anna@gs-olewig.example"
    assert organiser.get(f"/veranstaltungen/postfach/{first_id}/anhang/9").status_code == 404


def test_the_mailbox_exists_only_in_development_and_only_for_organisers(app, login_as, create_user, client) -> None:
    assert login_as(Role.ORGANISER).get("/veranstaltungen/postfach/").status_code == 404  # SMTP: no mailbox
    app.config["MAIL_BACKEND"] = "mailbox"
    client.post_form("/abmelden")
    client.login(create_user(Role.VIEWER).email)
    assert client.get("/veranstaltungen/postfach/").status_code == 403
    assert client.get("/veranstaltungen/1/versand").status_code == 403
    assert client.post_form("/veranstaltungen/1/versand/testmail").status_code == 403
