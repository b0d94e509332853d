"""In Chromium: an organiser builds an invitation list and sends it, the worker delivers to a real
SMTP server, the guest answers through the link from that mail, and the organiser checks the
guest in at the door on a phone-sized screen."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm.extensions import db
from crm.models import Answer, Attendance, Invitation, Role
from tests import factories_events as f
from tests.browser import ARTIFACTS, chromium_page, live_server
from tests.smtp import smtp_server

pytestmark = pytest.mark.browser


def test_organiser_invites_guest_answers_organiser_checks_in(app, create_user) -> None:
    organiser = create_user(Role.ORGANISER, name="Otto Organisation")
    with app.app_context():
        school = f.actor("Grundschule Olewig", kind="Grundschule")
        gym = f.actor("Max-Planck-Gymnasium", kind="Gymnasium")
        f.person("Adler", "Anna", email="anna@gs-olewig.example", at=school)
        f.person("Hahn", "Hugo", email="hugo@mpg.example", at=gym)
        event = f.event("Bildungsgespräch 4/2026 – MINT")
        db.session.commit()
        event_id = event.id
    with smtp_server() as smtp, live_server(app) as base_url, chromium_page(base_url) as page:
        app.extensions["mail"].port = smtp.port
        page.goto("/anmelden")
        page.get_by_label("E-Mail").fill(organiser.email)
        page.get_by_label("Passwort").fill("richtig-langes-passwort")
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(f"{base_url}/")

        # Build the list: every Grundschule contact.
        page.goto(f"/veranstaltungen/{event_id}")
        page.get_by_role("link", name="Einladungsliste erstellen").click()
        # a multi-choice field: tick the box, no Ctrl needed (templates/macros/multi_choice.html)
        page.get_by_role("group", name="Art des Akteurs").get_by_label("Grundschule", exact=True).check()
        page.get_by_role("button", name="Vorschau anzeigen").click()
        assert "1 Person wird eingeladen" in page.get_by_test_id("preview-summary").inner_text()
        assert "Anna Adler" in page.get_by_test_id("included").inner_text()
        assert "Hugo Hahn" not in page.get_by_test_id("included").inner_text()
        page.get_by_test_id("add-to-list").click()
        page.wait_for_url(f"{base_url}/veranstaltungen/{event_id}#einladungen")
        assert "Anna Adler" in page.get_by_test_id("invitations").inner_text()

        # Send: the button names the count and asks once; the mail goes to the outbox; the worker delivers it.
        questions: list[str] = []

        def accept(dialog) -> None:
            questions.append(dialog.message)
            dialog.accept()

        page.on("dialog", accept)
        assert page.get_by_test_id("send").inner_text() == "1 Einladung versenden"
        page.get_by_test_id("send").click()
        page.wait_for_url(f"{base_url}/veranstaltungen/{event_id}#einladungen")
        assert questions == ["1 Einladung jetzt versenden? Das lässt sich nicht zurücknehmen."]
        expect(page.get_by_text("1 Einladungen sind im Postausgang")).to_be_visible()
        assert page.get_by_label("Antwort von Anna Adler eintragen").input_value() == "pending"
        page.screenshot(path=str(ARTIFACTS / "event-invitations.png"), full_page=True)
        with app.app_context():
            assert f.worker("browser-test").run_until_idle().sent == 1
        [mail] = smtp.wait_for(1)
        assert mail.rcpt_tos == ["anna@gs-olewig.example"]
        [link] = f.answer_links(mail.text)

        # The guest, in a browser of her own (no login), answers through the link.
        browser = page.context.browser
        guest_context = browser.new_context(locale="de-DE", base_url=base_url)
        guest = guest_context.new_page()
        guest.goto(f.path_of(link))
        expect(guest.get_by_role("heading", name="Bildungsgespräch 4/2026 – MINT")).to_be_visible()
        guest.get_by_label("Ich nehme teil").check()
        guest.get_by_label("Kommentar (freiwillig)").fill("Ich freue mich!")
        guest.get_by_role("button", name="Antwort speichern").click()
        assert "Ihre Zusage ist gespeichert" in guest.get_by_test_id("saved").inner_text()
        guest.screenshot(path=str(ARTIFACTS / "rsvp-answer.png"), full_page=True)
        guest_context.close()
        with app.app_context():
            invitation = db.session.scalars(select(Invitation)).one()
            assert invitation.answer == Answer.ACCEPTED and invitation.comment == "Ich freue mich!"

        # At the door, on a phone: search, one click, counted.
        phone = page.context.new_page()
        phone.set_viewport_size({"width": 390, "height": 844})
        phone.goto(f"/veranstaltungen/{event_id}/einlass")
        assert phone.get_by_test_id("present-count").inner_text() == "0"
        phone.get_by_label("Name oder Akteur suchen").fill("olewig")
        visible = phone.locator("[data-guest]:visible")
        assert visible.count() == 1 and "Anna Adler" in visible.first.inner_text()
        visible.first.get_by_role("button", name="Einchecken").click()
        phone.get_by_test_id("present-count").filter(has_text="1").wait_for()
        assert phone.locator("[data-guest].is-present").count() == 1
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, "the door page fits a phone without sideways scrolling"
        phone.screenshot(path=str(ARTIFACTS / "checkin-phone.png"), full_page=True)
        assert page.outside_requests == []
    with app.app_context():
        [attendance] = db.session.scalars(select(Attendance)).all()
        assert attendance.person.last_name == "Adler" and attendance.actor_id is not None




def test_door_page_on_a_phone_speaks_german_when_things_fail_and_picks_actors_by_typing(app, create_user) -> None:
    """The door list's messages are always German (never the browser's "Failed to fetch"), and a
    walk-in's actor is found by typing a few letters, not by scrolling a list of every actor."""
    from playwright.sync_api import expect

    from crm.models import Event, EventStatus
    from crm.models.base import utcnow

    organiser = create_user(Role.ORGANISER)
    with app.app_context():
        kita = f.actor("Kita St. Anna", kind="Kita")
        f.actor("Kita Sonnenschein", kind="Kita")
        ida = f.person("Iske", "Ida", email="ida@kita.example", at=kita)
        event = f.event("Fortbildung Sprachförderung")
        [invitation] = f.invite(event, ida)
        invitation.invited_at = utcnow()
        event.status = EventStatus.PUBLISHED
        db.session.commit()
        event_id, kita_id = event.id, kita.id
    with live_server(app) as base_url, chromium_page(base_url) as page:
        page.goto("/anmelden")
        page.get_by_label("E-Mail").fill(organiser.email)
        page.get_by_label("Passwort").fill("richtig-langes-passwort")
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(f"{base_url}/")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"/veranstaltungen/{event_id}/einlass")
        label = page.locator("#guest-list").get_attribute("data-label-error")
        status = page.locator("#checkin-status")

        # The network is gone for a moment (Wi-Fi in the town hall): German, not "Failed to fetch".
        page.route(f"**/veranstaltungen/{event_id}/einlass/*", lambda route: route.abort())
        page.get_by_role("button", name=re.compile(r"^Einchecken für Ida Iske")).click()  # each button names its guest
        expect(status).to_have_text(label)
        page.unroute(f"**/veranstaltungen/{event_id}/einlass/*")

        # The server refuses (the event was cancelled meanwhile): German label plus the server's reason.
        with app.app_context():
            db.session.get(Event, event_id).status = EventStatus.CANCELLED
            db.session.commit()
        page.get_by_role("button", name=re.compile(r"^Einchecken für Ida Iske")).click()  # each button names its guest
        expect(status).to_have_text(f"{label} Die Veranstaltung wurde abgesagt.")
        with app.app_context():
            db.session.get(Event, event_id).status = EventStatus.PUBLISHED
            db.session.commit()

        # A walk-in: the form is behind a button above the list; type a few letters of the actor, pick one.
        opener = page.get_by_text("+ Person ohne Einladung erfassen")
        assert opener.bounding_box()["y"] < 844, "reachable without scrolling"
        opener.click()
        page.get_by_label("Nachname").fill("Walk")
        page.get_by_label("Vorname").fill("Wanda")
        page.get_by_role("combobox", name="Akteur (freiwillig)").fill("St. An")
        option = page.get_by_role("option", name="Kita St. Anna")
        option.wait_for()
        option.dispatch_event("mousedown")
        assert page.locator("#actor_id").input_value() == str(kita_id)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_role("button", name="Erfassen und einchecken").click()
        page.get_by_text("Wanda Walk ist eingecheckt.").wait_for()
        page.screenshot(path=str(ARTIFACTS / "checkin-walk-in-phone.png"), full_page=True)
        assert page.outside_requests == []
    with app.app_context():
        [attendance] = db.session.scalars(select(Attendance)).all()
        assert attendance.person.full_name == "Wanda Walk" and attendance.actor_id == kita_id


def test_the_door_list_of_79_guests_filters_as_one_types_on_a_phone(app, create_user) -> None:
    """The bug seen at the door: every row had `d-flex`, which beats the `hidden` attribute, so all
    79 rows stayed while one typed; and the walk-in form sat below them, 5,682 px down."""
    from crm.models import EventStatus
    from crm.models.base import utcnow

    organiser = create_user(Role.ORGANISER)
    with app.app_context():
        school = f.actor("Grundschule Olewig", kind="Grundschule")
        people = [f.person(f"Gast{n:02d}", "Vorname", email=f"gast{n}@schule.example", at=school) for n in range(78)]
        people.append(f.person("Zander", "Zoe", email="zoe@kita.example", at=f.actor("Kita Sonnenschein", kind="Kita")))
        event = f.event("Bildungskonferenz Trier 2026")
        for invitation in f.invite(event, *people):
            invitation.invited_at = utcnow()
        event.status = EventStatus.PUBLISHED
        db.session.commit()
        event_id = event.id
    with live_server(app) as base_url, chromium_page(base_url, viewport={"width": 390, "height": 844}) as page:
        page.goto("/anmelden")
        page.get_by_label("E-Mail").fill(organiser.email)
        page.get_by_label("Passwort").fill("richtig-langes-passwort")
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(f"{base_url}/")
        page.goto(f"/veranstaltungen/{event_id}/einlass")
        assert page.locator("[data-guest]:visible").count() == 79
        assert page.get_by_text("+ Person ohne Einladung erfassen").bounding_box()["y"] < 844
        search = page.get_by_label("Name oder Akteur suchen")
        search.press_sequentially("sonnen", delay=20)
        visible = page.locator("[data-guest]:visible")
        assert visible.count() == 1 and "Zoe Zander" in visible.first.inner_text()
        assert page.evaluate("document.documentElement.scrollHeight") < 1500  # 78 rows really gone
        search.fill("gast0")
        assert page.locator("[data-guest]:visible").count() == 10
        page.screenshot(path=str(ARTIFACTS / "checkin-79-search-phone.png"), full_page=True)
