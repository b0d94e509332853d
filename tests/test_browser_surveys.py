"""In Chromium, on the demo region: a coordinator sends a survey round to 20 actors, the outbox
delivers the personal links, 12 contacts answer through them on a phone (390x844) — one picks a
partner with the autocomplete, one names a partner that is not in the roster, one saves and comes
back later — and the coordinator accepts five reported ties, which become cooperations;
the round's map draws confirmed and reported ties differently."""
from __future__ import annotations

import re
from collections.abc import Iterator
from email import message_from_string, policy
from itertools import combinations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, or_, select

from crm.extensions import db
from crm.models import Actor, Cooperation, Decision, MailboxMessage, Role, SurveyDecision, SurveyRecipient
from crm.services.surveys import rounds as round_service
from tests import factories_events as f
from tests.browser import ARTIFACTS, chromium_page, live_server
from tests.conftest import PASSWORD
from tests.demo_region import DemoRegion, demo_region_fixture

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
LINK_RE = re.compile(r"https?://\S+/befragung/[A-Za-z0-9_.\-]+")


@pytest.fixture(scope="module")
def demo(database_url: str, _migrated: None) -> Iterator[DemoRegion]:
    yield from demo_region_fixture(database_url)


def _reachable(demo: DemoRegion, count: int) -> list[int]:
    with demo.app.app_context():
        found = []
        for actor in db.session.scalars(select(Actor).where(Actor.is_active.is_(True)).order_by(Actor.id)):
            if round_service.contact_for(db.session, actor) is not None:
                found.append(actor.id)
            if len(found) == count:
                return found
    raise AssertionError("not enough reachable actors")


def _untied_pairs(demo: DemoRegion, actor_ids: list[int], count: int) -> list[tuple[int, int]]:
    with demo.app.app_context():
        tied = {frozenset(pair) for pair in db.session.execute(
            select(Cooperation.source_id, Cooperation.target_id).where(
                or_(Cooperation.source_id.in_(actor_ids), Cooperation.target_id.in_(actor_ids))))}
    pairs, used = [], set()
    for a, b in combinations(actor_ids, 2):
        if frozenset((a, b)) not in tied and a not in used and b not in used:
            pairs.append((a, b))
            used.update((a, b))
        if len(pairs) == count:
            return pairs
    raise AssertionError("not enough untied pairs")


def _plain(raw: str) -> str:
    body = message_from_string(raw, policy=policy.default).get_body(preferencelist=("plain",))
    assert body is not None
    return body.get_content()


def test_survey_round_answered_on_phones_and_reviewed(demo: DemoRegion) -> None:
    app = demo.app
    app.config.update(MAIL_BACKEND="mailbox")
    actor_ids = _reachable(demo, 20)
    answerers = actor_ids[:12]
    pairs = _untied_pairs(demo, answerers, 6)
    with app.app_context():
        names = {i: db.session.get_one(Actor, i).name for i in actor_ids}
    with live_server(app) as base_url, chromium_page(base_url) as page:
        app.config["BILDUNGSNETZ_BASE_URL"] = base_url
        page.goto("/anmelden")
        page.get_by_label("E-Mail").fill(demo.emails[Role.COORDINATOR])
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(f"{base_url}/")

        # Compose the round and choose 20 actors.
        page.get_by_role("link", name="Kooperationen").first.click()
        page.get_by_role("link", name="Netzwerkbefragungen").click()
        page.get_by_role("link", name="Neue Befragung").click()
        page.get_by_label("Titel").fill("Netzwerkbefragung Frühjahr")
        page.get_by_label("Einleitung für die Befragten").fill("Bitte bis Ende April antworten.")
        page.get_by_role("button", name="Anlegen").click()
        page.wait_for_url(re.compile(r".*/befragungen/\d+/empfaenger$"))
        round_id = int(page.url.rstrip("/").split("/")[-2])
        boxes = page.locator("input[name=actor_ids]")
        for index in range(boxes.count()):
            box = boxes.nth(index)
            if int(box.get_attribute("value")) not in actor_ids:
                box.uncheck()
        page.get_by_role("button", name="Gewählte Akteure hinzufügen").click()
        expect(page.get_by_text("20 Akteure hinzugefügt.")).to_be_visible()
        page.get_by_test_id("send").click()
        expect(page.get_by_text("20 persönliche Links sind im Postausgang.")).to_be_visible()

        with app.app_context():
            start = db.session.scalar(select(func.max(MailboxMessage.id))) or 0
            assert f.worker("browser-survey").run_until_idle().sent == 20
            mails = list(db.session.scalars(select(MailboxMessage).where(MailboxMessage.id > start)))
            actor_of = {round_service.address_of(r): r.actor_id for r in db.session.scalars(
                select(SurveyRecipient).where(SurveyRecipient.round_id == round_id))}
            links = {actor_of[m.recipient]: f.path_of(LINK_RE.findall(_plain(m.raw))[0]) for m in mails}
        assert sorted(links) == sorted(actor_ids)

        phone = page.context.browser.new_context(locale="de-DE", base_url=base_url, viewport=PHONE,
                                                 is_mobile=True, has_touch=True)
        guest = phone.new_page()

        def open_form(actor_id: int) -> None:
            guest.goto(links[actor_id])
            assert guest.get_by_test_id("actor").inner_text() == names[actor_id]
            width = guest.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], width  # nothing scrolls sideways on the phone

        # 1. Picks the partner with the autocomplete, saves, and comes back later to send.
        first, partner = pairs[0]
        open_form(first)
        field = guest.get_by_label("Name der Einrichtung").first
        field.fill(names[partner][:12])
        guest.get_by_role("option", name=re.compile(re.escape(names[partner]))).first.click()
        assert field.input_value() == names[partner]
        guest.locator("#intensity-0").select_option("3")
        guest.get_by_role("button", name="Zwischenspeichern").click()
        expect(guest.get_by_test_id("saved")).to_be_visible()
        guest.goto(links[first])  # later, from the mail again
        assert guest.locator("#partner-0").input_value() == names[partner]
        # A partner outside the roster.
        guest.locator("#partner-1").fill("Lesecafé am Markt")
        guest.locator("#outside-1").check()
        guest.locator("#intensity-1").select_option("1")
        guest.screenshot(path=str(ARTIFACTS / "survey-answer-phone.png"), full_page=True)
        guest.get_by_role("button", name="Antwort absenden").click()
        expect(guest.get_by_test_id("submitted")).to_be_visible()

        # 2. A name that is not in the roster, without ticking "not in the list", is refused in German.
        second, second_partner = pairs[1]
        open_form(second)
        guest.locator("#partner-0").fill("Unbekannte Einrichtung XY")
        guest.get_by_role("button", name="Antwort absenden").click()
        assert "„Unbekannte Einrichtung XY“ steht nicht im Verzeichnis" in guest.get_by_test_id("errors").inner_text()
        guest.locator("#partner-0").fill(names[second_partner])
        guest.locator("#intensity-0").select_option("2")
        guest.get_by_role("button", name="Antwort absenden").click()
        expect(guest.get_by_test_id("submitted")).to_be_visible()

        # 3. Ten more answer: the other pairs name each other, the rest answer in free text.
        answered = {first, second}
        for reporter, named in pairs[2:]:
            open_form(reporter)
            guest.locator("#partner-0").fill(names[named])
            guest.locator("#intensity-0").select_option("2")
            guest.get_by_role("button", name="Antwort absenden").click()
            expect(guest.get_by_test_id("submitted")).to_be_visible()
            answered.add(reporter)
        # The partner of one pair names the reporter back: a confirmed tie.
        back_reporter, back_named = pairs[2]
        open_form(back_named)
        guest.locator("#partner-0").fill(names[back_reporter])
        guest.locator("#intensity-0").select_option("2")
        guest.get_by_role("button", name="Antwort absenden").click()
        expect(guest.get_by_test_id("submitted")).to_be_visible()
        answered.add(back_named)
        for actor_id in answerers:
            if len(answered) == 12:
                break
            if actor_id in answered:
                continue
            open_form(actor_id)
            guest.get_by_label("Was möchten Sie uns noch sagen?").fill("Wir arbeiten vor allem allein.")
            guest.get_by_role("button", name="Antwort absenden").click()
            expect(guest.get_by_test_id("submitted")).to_be_visible()
            answered.add(actor_id)
        assert len(answered) == 12
        phone.close()

        # The coordinator sees the response rate and accepts five new ties.
        page.goto(f"/befragungen/{round_id}")
        assert "12 von 20 Akteuren haben geantwortet (60 %)." in page.get_by_test_id("rate-total").inner_text()
        page.get_by_role("link", name="Prüfliste").click()
        assert "Lesecafé am Markt" in page.get_by_test_id("free-text").inner_text()
        for count in range(1, 6):
            row = page.locator("tr[data-key]", has=page.locator("td", has_text=re.compile(r"^neu$"))).first
            row.get_by_role("button", name=re.compile("^Übernehmen")).click()
            expect(page.get_by_test_id("decided").locator("tbody tr")).to_have_count(count)
            expect(page.get_by_text("Übernommen: die Kooperation ist im CRM")).to_be_visible()
        # The map: the confirmed tie solid, reported ties dashed, with a legend that says which is which.
        page.wait_for_function("() => window.bildungsnetzMap && window.bildungsnetzMap.edgeCount() > 0")
        edges = page.evaluate("window.bildungsnetzMap.drawnEdges()")
        confirmed = [e for e in edges if {e["from"], e["to"]} == {back_reporter, back_named}]
        assert confirmed and not confirmed[0].get("dashes") and confirmed[0]["color"] == "#0072B2"
        reported = [e for e in edges if {e["from"], e["to"]} == {second, second_partner}]
        assert reported and reported[0].get("dashes") and reported[0]["color"] == "#E69F00"
        ties = page.get_by_test_id("map-legend-ties").inner_text()
        assert "bestätigt" in ties and "gemeldet" in ties
        page.screenshot(path=str(ARTIFACTS / "survey-review.png"), full_page=True)

    with app.app_context():
        decisions = list(db.session.scalars(select(SurveyDecision).where(
            SurveyDecision.round_id == round_id, SurveyDecision.decision == Decision.ACCEPTED)))
        assert len(decisions) == 5
        for decision in decisions:
            cooperation = db.session.get_one(Cooperation, decision.cooperation_id)
            assert "Netzwerkbefragung Frühjahr" in cooperation.description
