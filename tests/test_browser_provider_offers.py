"""In Chromium: a coordinator sends a provider its personal link, the outbox delivers it to the
development mailbox, the provider opens it on a phone (390 × 844), changes an offer's description
and reports a new offer; the coordinator sees both in the review queue (old → new), accepts them,
and the public portal shows the new text and the new offer. Screenshots in test-artifacts/."""
from __future__ import annotations

import re
from datetime import date, timedelta
from email import message_from_string, policy

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm.extensions import db
from crm.models import Actor, MailboxMessage, Offer, OfferStatus, Role
from crm.services.mail import outbox
from crm.services.offers import offers as offer_service
from tests.browser import ARTIFACTS, chromium_page, live_server
from tests.journeys import log_in, screenshots, watch_errors

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
LINK_RE = re.compile(r"https?://\S+(/anbieter/[A-Za-z0-9_.\-]+)")
OLD = "Kinder bauen Roboter."
NEW = "Kinder bauen und programmieren Roboter mit dem Calliope mini."


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


def test_provider_updates_and_adds_offers_on_a_phone_and_the_coordinator_accepts(
        app, create_actor, create_user) -> None:
    app.config["MAIL_BACKEND"] = "mailbox"
    actor_id = create_actor("Grundschule Olewig", kind="Grundschule", email="info@gs-olewig.example",
                            listing_agreed_on=date.today() - timedelta(days=60), listing_recorded_by="Büro")
    with app.app_context():
        offer = offer_service.create_offer(db.session, {
            "title": "Roboter-AG", "description": OLD, "providers": [db.session.get_one(Actor, actor_id)],
            "status": OfferStatus.PUBLISHED, "is_ongoing": True, "is_free": True,
            "confirmed_on": date.today() - timedelta(days=400)})
        db.session.commit()
        offer_id = offer.id
    coordinator = create_user(Role.COORDINATOR)

    with live_server(app) as base_url, chromium_page(base_url) as page:
        app.config["BILDUNGSNETZ_BASE_URL"] = base_url
        problems = watch_errors(page)
        log_in(page, base_url, coordinator.email)
        # The list marks the offer as unconfirmed; the coordinator sends the link from the actor's page.
        page.goto("/angebote/")
        expect(page.get_by_test_id("offer-unconfirmed")).to_be_visible()
        page.goto(f"/akteure/{actor_id}")
        page.get_by_test_id("send-provider-link").click()
        expect(page.get_by_text("Der Anbieter-Link für „Grundschule Olewig“ geht an info@gs-olewig.example.")
               ).to_be_visible()
        with app.app_context():
            assert outbox.Worker(db.session, "browser-provider").run_until_idle().sent == 1
            mail = db.session.scalars(select(MailboxMessage)).one()
            body = message_from_string(mail.raw, policy=policy.default).get_body(preferencelist=("plain",))
            link = LINK_RE.search(body.get_content()).group(1)
        assert mail.recipient == "info@gs-olewig.example"

        # The provider, on a phone, without an account.
        phone = page.context.browser.new_context(locale="de-DE", base_url=base_url, viewport=PHONE,
                                                 is_mobile=True, has_touch=True)
        phone.route("**/favicon.ico", lambda route: route.fulfill(status=204))  # the browser's own guess
        guest = phone.new_page()
        guest_problems = watch_errors(guest)
        guest.goto(link)
        expect(guest.get_by_test_id("provider-actor")).to_have_text("Grundschule Olewig")
        expect(guest.get_by_text("bitte prüfen")).to_be_visible()
        _no_sideways_scroll(guest)
        guest.screenshot(path=str(ARTIFACTS / "provider-link-home-390.png"), full_page=True)

        guest.get_by_role("link", name="„Roboter-AG“ ändern").click()
        description = guest.get_by_label("Beschreibung")
        expect(description).to_have_value(OLD)
        description.fill(NEW)
        _no_sideways_scroll(guest)
        guest.screenshot(path=str(ARTIFACTS / "provider-link-edit-390.png"), full_page=True)
        guest.get_by_role("button", name="Zur Prüfung senden").click()
        expect(guest.get_by_test_id("provider-sent")).to_be_visible()
        expect(guest.get_by_test_id("provider-waiting")).to_be_visible()

        guest.get_by_role("link", name="Neues Angebot melden").click()
        guest.get_by_label("Titel").fill("Forscherferien im Sommer")
        guest.get_by_label("Beschreibung").fill("Eine Woche forschen, bauen und staunen.")
        guest.get_by_role("group", name="Zielgruppen").get_by_label("Kinder", exact=True).check()
        guest.get_by_label("laufend (ohne festes Ende)").check()
        guest.get_by_label("kostenlos").check()
        # an end before the start: the form comes back with the rule in German, nothing typed is lost
        guest.get_by_label("Beginn", exact=True).fill("2027-07-20")
        guest.get_by_label("Ende", exact=True).fill("2027-07-13")
        guest.get_by_role("button", name="Zur Prüfung senden").click()
        expect(guest.get_by_text("Das Ende darf nicht vor dem Beginn liegen.")).to_be_visible()
        expect(guest.get_by_label("Titel")).to_have_value("Forscherferien im Sommer")
        _no_sideways_scroll(guest)
        guest.get_by_label("Ende", exact=True).fill("2027-07-24")
        guest.get_by_label("Kontakt-Telefon").fill("0651 123456")
        guest.get_by_role("button", name="Zur Prüfung senden").click()
        expect(guest.get_by_test_id("provider-sent")).to_be_visible()
        expect(guest.get_by_test_id("provider-new-waiting")).to_contain_text("Forscherferien im Sommer")
        _no_sideways_scroll(guest)
        guest.screenshot(path=str(ARTIFACTS / "provider-link-sent-390.png"), full_page=True)
        phone.close()
        # the one refused form answers 422 on purpose; nothing else may fail
        assert [p for p in guest_problems if "422" not in p] == [], guest_problems

        # Nothing is public before the review.
        with app.app_context():
            assert db.session.get_one(Offer, offer_id).description == OLD

        # The coordinator reviews both.
        page.goto("/angebote/")
        page.get_by_test_id("proposals-link").click()
        proposals = page.get_by_test_id("proposal")
        expect(proposals).to_have_count(2)
        change = proposals.filter(has_text="Änderung an")
        expect(change.locator("del")).to_have_text(OLD)
        expect(change.locator("ins")).to_have_text(NEW)
        expect(proposals.filter(has_text="Neues Angebot: „Forscherferien im Sommer“")).to_be_visible()
        screenshots(page, "provider-proposals-queue")
        change.get_by_role("button", name="Übernehmen").click()
        expect(page.get_by_text("Vorschlag übernommen: „Roboter-AG“.")).to_be_visible()
        new = page.get_by_test_id("proposal").filter(has_text="Forscherferien im Sommer")
        expect(new.get_by_label("Neues Angebot gleich veröffentlichen")).to_be_checked()
        new.get_by_role("button", name="Übernehmen").click()
        expect(page.get_by_text("Vorschlag übernommen: „Forscherferien im Sommer“.")).to_be_visible()
        expect(page.get_by_test_id("no-proposals")).to_be_visible()
        assert problems == []

    with app.app_context():
        created = db.session.scalars(select(Offer).where(Offer.title == "Forscherferien im Sommer")).one()
        created_id = created.id
        assert db.session.get_one(Offer, offer_id).confirmed_on == date.today()

    # The public portal, as a citizen on a phone.
    with live_server(app) as base_url, chromium_page(base_url, viewport=PHONE) as citizen:
        citizen.goto(f"/portal/angebote/{offer_id}")
        expect(citizen.get_by_text(NEW)).to_be_visible()
        expect(citizen.get_by_test_id("portal-unconfirmed")).to_have_count(0)  # confirmed by the acceptance
        citizen.goto("/portal/?q=Forscherferien")
        expect(citizen.get_by_role("link", name="Forscherferien im Sommer")).to_be_visible()
        citizen.get_by_role("link", name="Forscherferien im Sommer").click()
        citizen.wait_for_url(f"**/portal/angebote/{created_id}")
        expect(citizen.get_by_text("Eine Woche forschen, bauen und staunen.")).to_be_visible()
        _no_sideways_scroll(citizen)
        citizen.screenshot(path=str(ARTIFACTS / "provider-portal-new-offer-390.png"), full_page=True)
