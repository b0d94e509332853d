"""The organiser's journey in Chromium, as a new user meets it on the README set-up (development
mailbox, links to the address the server runs on): create an event, build the invitation list,
look at the mail before sending and send a test mail to oneself, send (the button names the count
and asks once), see the mail in the development mailbox, answer by its link on a phone, check the
guest in through the door list's search on a phone, print the attendance list.

Screenshots at 1280 and 390 px go to ``test-artifacts/``; the attendance list's PDF pages are
rendered to PNG with ``pdftoppm`` beside them."""
from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import icalendar
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Answer, Attendance, Event, EventKind, Invitation, MailboxMessage, Role
from crm.services.system import heartbeat
from tests import factories_events as f
from tests.browser import ARTIFACTS, chromium_context, live_server

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _landscape(app) -> None:
    """Three Grundschulen with 9 contacts, a Gymnasium and a Kita that are not invited."""
    with app.app_context():
        olewig = f.actor("Grundschule Olewig", kind="Grundschule")
        kuerenz = f.actor("Grundschule Kürenz", kind="Grundschule")
        ehrang = f.actor("Grundschule Ehrang", kind="Grundschule")
        gym = f.actor("Max-Planck-Gymnasium", kind="Gymnasium")
        kita = f.actor("Kita St. Anna", kind="Kita")
        f.person("Adler", "Anna", email="anna@gs-olewig.example", at=olewig, title="Dr.")
        for n, (last, first, school) in enumerate([
                ("Bauer", "Bea", olewig), ("Conrad", "Cem", kuerenz), ("Dorn", "Dana", kuerenz),
                ("Ernst", "Emil", ehrang), ("Fuchs", "Frida", ehrang), ("Groß", "Greta", olewig),
                ("Hahn", "Hugo", kuerenz), ("Iske", "Ida", ehrang)]):
            f.person(last, first, email=f"kontakt{n}@grundschule.example", at=school,
                     salutation="Herr" if first in ("Cem", "Emil", "Hugo") else "Frau")
        f.person("Jung", "Jan", email="jan@mpg.example", at=gym, salutation="Herr")
        f.person("Klein", "Karla", email="karla@kita.example", at=kita)
        db.session.commit()


def _shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_organiser_journey_from_new_event_to_printed_attendance_list(app, create_user) -> None:
    organiser = create_user(Role.ORGANISER, email="otto@bildungsbuero.example", name="Otto Organisation")
    _landscape(app)
    with app.app_context():
        kind_name = f.vocabulary(EventKind, "Bildungsgespräch").name
    with live_server(app) as base_url, chromium_context(base_url, viewport=DESKTOP) as context:
        # The README set-up: `make run` serves here and delivers into the development mailbox.
        app.config.update(MAIL_BACKEND="mailbox", BILDUNGSNETZ_BASE_URL=base_url)
        with app.app_context():  # `make run` starts the worker beside the server; it reports in
            heartbeat.beat(db.session, "make-run:1", ["outbox"])
            db.session.commit()
        page = context.new_page()
        questions: list[str] = []
        page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
        page.goto("/anmelden")
        page.get_by_label("E-Mail").fill(organiser.email)
        page.get_by_label("Passwort").fill("richtig-langes-passwort")
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(f"{base_url}/")

        # 1. A new event, through the form (a double click would still make one event).
        page.get_by_role("link", name="Veranstaltungen").first.click()
        page.get_by_role("link", name="Neue Veranstaltung").click()
        page.get_by_label("Art", exact=True).select_option(label=kind_name)
        page.get_by_label("Titel").fill("Bildungsgespräch 4/2026 – Übergang Kita–Grundschule")
        page.get_by_label("Datum", exact=True).fill(date(date.today().year + 1, 3, 12).isoformat())
        page.get_by_label("Beginn").fill("15:00")
        page.get_by_label("Ende", exact=True).fill("17:00")
        page.get_by_label("Ort", exact=True).fill("Rathaus Trier, Großer Saal")
        page.get_by_role("button", name="Speichern").dblclick()
        page.get_by_text("angelegt. Als Nächstes: die Einladungsliste.").wait_for()
        event_url = page.url
        event_id = int(event_url.rstrip("/").split("/")[-1])
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Event)) == 1

        # 2. The invitation list: every Grundschule contact.
        page.get_by_role("link", name="Einladungsliste erstellen").click()
        page.get_by_role("group", name="Art des Akteurs", exact=True).get_by_label("Grundschule", exact=True).check()
        page.get_by_role("button", name="Vorschau anzeigen").click()
        assert "9 Personen werden eingeladen" in page.get_by_test_id("preview-summary").inner_text()
        page.get_by_test_id("add-to-list").click()
        page.wait_for_url(f"{base_url}/veranstaltungen/{event_id}#einladungen")
        assert page.get_by_test_id("send").inner_text() == "9 Einladungen versenden"
        assert page.get_by_test_id("base-url-warning").count() == 0
        assert page.get_by_test_id("worker-warning").count() == 0
        _shot(page, "journey-1-event-1280.png")

        # Two guests answered by phone before anything was sent: counted at once.
        cem = page.get_by_test_id("answer-form").filter(has=page.get_by_label("Antwort von Cem Conrad eintragen"))
        cem.get_by_role("combobox").select_option("accepted")
        cem.get_by_role("button", name="eintragen").click()
        page.get_by_text("Antwort für Cem Conrad eingetragen").wait_for()
        figures = page.get_by_test_id("event-figures").inner_text()
        assert "1\neingeladen" in figures and "1\nzugesagt" in figures

        # 3. Before sending: the mail as Anna gets it, and a test mail to me.
        page.get_by_test_id("send-preview").click()
        mail = page.get_by_test_id("mail")
        assert "Sehr geehrte Frau Dr. Adler" in mail.get_by_test_id("mail-text").inner_text()
        assert "einladung.ics" in mail.get_by_test_id("mail-attachments").inner_text()
        frame = page.frame_locator("[data-testid=mail-html]")
        expect(frame.get_by_role("link", name="Zusagen oder absagen")).to_be_visible()
        _shot(page, "journey-2-send-page-1280.png")
        page.set_viewport_size(PHONE)
        _shot(page, "journey-2-send-page-390.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.set_viewport_size(DESKTOP)
        page.get_by_test_id("test-mail").click()
        page.get_by_text("Die Testmail an otto@bildungsbuero.example ist im Postausgang.").wait_for()

        # 4. Send: the button names the count and asks once.
        page.get_by_test_id("send").click()
        page.wait_for_url(f"{base_url}/veranstaltungen/{event_id}#einladungen")
        assert questions == ["9 Einladungen jetzt versenden? Das lässt sich nicht zurücknehmen."]
        expect(page.get_by_text("9 Einladungen sind im Postausgang.")).to_be_visible()
        with app.app_context():  # the worker's next round
            assert f.worker("make-run:1").run_until_idle().sent == 10

        # 5. The development mailbox: the invitation as Anna sees it, calendar file included.
        page.get_by_test_id("mailbox-link").click()
        assert page.get_by_test_id("mailbox").get_by_role("link").count() == 10
        page.get_by_test_id("mailbox").get_by_role("row").filter(has_text="anna@gs-olewig.example").get_by_role(
            "link").click()
        assert "Sehr geehrte Frau Dr. Adler" in page.get_by_test_id("mail-text").inner_text()
        _shot(page, "journey-3-mailbox-1280.png")
        page.set_viewport_size(PHONE)
        _shot(page, "journey-3-mailbox-390.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.set_viewport_size(DESKTOP)
        with page.expect_download() as download_info:
            page.get_by_role("link", name="einladung.ics").click()
        calendar = icalendar.Calendar.from_ical(download_info.value.path().read_bytes())
        assert str(calendar.walk("VEVENT")[0]["ATTENDEE"]) == "mailto:anna@gs-olewig.example"
        link = page.get_by_test_id("mail-text").get_by_role("link", name=f"{base_url}/antwort/").first
        answer_url = link.get_attribute("href")
        assert answer_url.startswith(f"{base_url}/antwort/")

        # 6. Anna answers by the link on her phone (no login).
        with chromium_context(base_url, viewport=PHONE, is_mobile=True, has_touch=True) as phone_context:
            guest = phone_context.new_page()
            guest.goto(answer_url)
            guest.get_by_label("Ich nehme teil").check()
            guest.get_by_role("button", name="Antwort speichern").click()
            assert "Ihre Zusage ist gespeichert" in guest.get_by_test_id("saved").inner_text()
            assert guest.evaluate("document.documentElement.scrollWidth") <= 390
            _shot(guest, "journey-4-answer-390.png")
        with app.app_context():
            anna = db.session.scalars(select(Invitation).join(Invitation.person).where(
                Invitation.event_id == event_id, Invitation.person.has(last_name="Adler"))).one()
            assert anna.answer == Answer.ACCEPTED

        # 7. At the door, on a phone: the search filters the list as one types; one tap checks in.
        door = context.new_page()
        door.set_viewport_size(PHONE)
        door.goto(f"/veranstaltungen/{event_id}/einlass")
        rows = door.locator("[data-guest]")
        assert rows.count() == 9 and door.locator("[data-guest]:visible").count() == 9
        assert door.get_by_text("+ Person ohne Einladung erfassen").bounding_box()["y"] < PHONE["height"]
        door.get_by_label("Name oder Akteur suchen").press_sequentially("adl", delay=30)
        visible = door.locator("[data-guest]:visible")
        assert visible.count() == 1 and "Anna Adler" in visible.first.inner_text()
        assert door.get_by_test_id("guest-count").inner_text() == "1 von 9 Gästen"
        _shot(door, "journey-5-door-search-390.png")
        visible.first.get_by_role("button", name="Einchecken").click()
        door.get_by_test_id("present-count").filter(has_text="1").wait_for()
        assert door.locator("[data-guest]:visible").count() == 9  # the search is cleared for the next guest
        door.get_by_label("Name oder Akteur suchen").fill("zzz")
        expect(door.locator("#no-match")).to_be_visible()
        door.get_by_role("button", name="Als Person ohne Einladung erfassen").click()
        assert door.get_by_label("Nachname").input_value() == "zzz"
        assert door.evaluate("document.documentElement.scrollWidth") <= 390
        _shot(door, "journey-5-door-walk-in-390.png")
        door.set_viewport_size(DESKTOP)
        _shot(door, "journey-5-door-1280.png")
        with app.app_context():
            [present] = db.session.scalars(select(Attendance).where(Attendance.event_id == event_id)).all()
            assert present.person.last_name == "Adler"

        # 8. The attendance list for the funder, printed: the PDF, its pages looked at as images.
        page.goto(f"/veranstaltungen/{event_id}")
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Teilnehmerliste (PDF)").click()
        pdf = download_info.value.path().read_bytes()
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        assert "Teilnehmerliste" in text and "Anna Adler" in text and "Cem Conrad" in text
        assert "Bea Bauer" not in text  # no answer, not present: not on the list for signatures
        (ARTIFACTS / "journey-6-attendance.pdf").write_bytes(pdf)
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-r", "60", "-png", str(ARTIFACTS / "journey-6-attendance.pdf"),
                            str(ARTIFACTS / "journey-6-attendance")], check=True)
            assert list(ARTIFACTS.glob("journey-6-attendance-*.png"))
        page.set_viewport_size(PHONE)
        _shot(page, "journey-1-event-390.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert context.outside_requests == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MailboxMessage)) == 10
