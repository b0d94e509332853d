"""In Chromium: a Strategiewerkstatt from the form to an initiative. The organiser (desktop) creates
the workshop, seats nine people who said yes at three tables, records ten proposals, types in the
paper's dots for some and sends the vote links through the outbox; the worker delivers them into
the development mailbox; three participants open their links on a phone (390x844) and give their
dots (one tries too many first); the ranking adds paper and link dots and says so; the voting is
closed; and the coordinator (founding an initiative is landscape work, which organisers may not
do) turns the top proposal into an initiative whose page leads back to the workshop."""
from __future__ import annotations

import re
from datetime import date, timedelta
from email import message_from_string, policy

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Answer, EventKind, Initiative, Invitation, MailboxMessage, Role
from crm.services.system import heartbeat
from tests import factories_events as f
from tests.browser import ARTIFACTS, chromium_context, live_server
from tests.journeys import log_in, watch_errors

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LINK_RE = re.compile(r"https?://\S+/werkstatt-punkte/[A-Za-z0-9_.\-]+")
ACTORS = ("Grundschule Olewig", "Kita St. Anna", "IHK Trier", "Volkshochschule Trier", "Jobcenter Trier",
          "Realschule plus Ehrang")
PEOPLE = (("Adler", "Anna"), ("Becker", "Bernd"), ("Conrad", "Cem"), ("Dietz", "Dana"), ("Engel", "Emil"),
          ("Fuchs", "Fatma"), ("Graf", "Gregor"), ("Hahn", "Hanna"), ("Iven", "Ivo"))
TABLES = ("Tisch 1: Übergänge", "Tisch 2: Sprache", "Tisch 3: Daten")
PROPOSALS = (  # (table, title, paper dots or None)
    (0, "Politik versteht Bildung als kommunale Aufgabe", 4), (0, "Übergangsmanagement Kita–Grundschule", 2),
    (0, "Lesepatenschaften in jedem Stadtteil", None), (0, "Gemeinsamer Fortbildungskalender", 1),
    (1, "Sprachförderung für Neuzugewanderte bündeln", 3), (1, "Elterncafés an Grundschulen", None),
    (1, "Mehrsprachige Informationen zum Schulsystem", 1), (2, "Bildungsmonitoring jährlich veröffentlichen", 2),
    (2, "Datenaustausch mit dem Jobcenter klären", None), (2, "Kommunaler Bildungsbericht für den Stadtrat", None),
)


def _plain(raw: str) -> str:
    body = message_from_string(raw, policy=policy.default).get_body(preferencelist=("plain",))
    assert body is not None
    return body.get_content()


def test_workshop_proposals_voted_on_phones_ranked_and_founded(app, create_user) -> None:
    organiser = create_user(Role.ORGANISER, name="Otto Organisation")
    coordinator = create_user(Role.COORDINATOR, name="Bea Bildungsbüro")
    with app.app_context():
        kind_name = db.session.scalars(select(EventKind.name).where(EventKind.is_workshop.is_(True))).first()
        actors = [f.actor(name) for name in ACTORS]
        people = [f.person(last, first, email=f"{first.lower()}.{last.lower()}@trier.example", at=actors[n % 6])
                  for n, (last, first) in enumerate(PEOPLE)]
        db.session.commit()
        person_ids = [p.id for p in people]
        actor_ids = [a.id for a in actors]
    day = date.today() + timedelta(days=14)
    with live_server(app) as base_url, chromium_context(base_url, viewport=DESKTOP) as context:
        app.config.update(MAIL_BACKEND="mailbox", BILDUNGSNETZ_BASE_URL=base_url)
        with app.app_context():  # the worker beside the server reports in, as with `make run`
            heartbeat.beat(db.session, "make-run:1", ["outbox"])
            db.session.commit()
        page = context.new_page()
        problems = watch_errors(page)
        log_in(page, base_url, organiser.email)

        # 1. The workshop, through the event form.
        page.get_by_role("link", name="Veranstaltungen").first.click()
        page.get_by_role("link", name="Neue Veranstaltung").click()
        page.get_by_label("Art", exact=True).select_option(label=kind_name)
        page.get_by_label("Titel").fill("Strategiewerkstatt Bildungslandschaft 2027")
        page.get_by_label("Datum", exact=True).fill(day.isoformat())
        page.get_by_label("Beginn").fill("09:00")
        page.get_by_label("Ende", exact=True).fill("15:00")
        page.get_by_label("Ort", exact=True).fill("Rathaus Trier, Großer Saal")
        page.get_by_role("button", name="Speichern").click()
        page.get_by_text("angelegt. Als Nächstes: die Einladungsliste.").wait_for()
        event_id = int(page.url.split("#")[0].rstrip("/").split("/")[-1])
        with app.app_context():  # the nine said yes (their answers came through the invitation links)
            for person_id, n in zip(person_ids, range(len(person_ids)), strict=True):
                db.session.add(Invitation(event_id=event_id, person_id=person_id, actor_id=actor_ids[n % 6],
                                          answer=Answer.ACCEPTED))
            db.session.commit()

        # 2. Three tables with three people each.
        page.get_by_test_id("workshop-link").click()
        expect(page.get_by_test_id("no-groups")).to_be_visible()
        for name in TABLES:
            page.get_by_label("Name der Gruppe oder des Tisches").fill(name)
            page.get_by_role("button", name="Gruppe anlegen").click()
            expect(page.get_by_text(f"Gruppe „{name}“ angelegt.")).to_be_visible()
        groups = page.get_by_test_id("workshop-group")
        expect(groups).to_have_count(3)
        for index in range(3):
            group = groups.nth(index)
            group.get_by_text("Personen an diesen Tisch setzen").click()
            for last, first in PEOPLE[index * 3:(index + 1) * 3]:
                group.get_by_label(re.compile(f"^{first} {last}")).check()
            group.get_by_role("button", name="Zuordnen").click()
            expect(page.get_by_text(f"3 Personen an „{TABLES[index]}“ gesetzt.")).to_be_visible()

        # 3. Ten proposals.
        for table, title, _paper in PROPOSALS:
            group = page.get_by_test_id("workshop-group").nth(table)
            group.get_by_text("Vorschlag festhalten").click()
            group.get_by_label("Vorschlag", exact=True).fill(title)
            group.get_by_role("button", name="Vorschlag speichern").click()
            expect(page.get_by_text(f"Vorschlag „{title}“ festgehalten.")).to_be_visible()
        expect(page.get_by_test_id("proposals").locator("li")).to_have_count(10)

        # 4. The paper's dots for some proposals.
        sheet = page.get_by_test_id("votes-form")
        for _table, title, paper in PROPOSALS:
            if paper is not None:
                sheet.get_by_label(title, exact=True).fill(str(paper))
        sheet.get_by_role("button", name="Punkte speichern").click()
        expect(page.get_by_text("Punkte gespeichert. Die Rangfolge ist aktualisiert.")).to_be_visible()

        # 5. The vote links go out through the outbox; the worker delivers them into the mailbox.
        page.goto(f"/veranstaltungen/{event_id}/werkstatt#punktabfrage")
        voting = page.get_by_test_id("link-voting")
        expect(voting.get_by_test_id("voted-count")).to_have_text("0 von 9 Teilnehmenden haben über ihren Link "
                                                                  "abgestimmt.")
        voting.get_by_test_id("send-vote-links").click()
        expect(page.get_by_text("9 persönliche Links zur Punktabfrage sind im Postausgang.")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "workshop-organiser.png"), full_page=True)
        with app.app_context():
            start = db.session.scalar(select(func.max(MailboxMessage.id))) or 0
            assert f.worker("browser-workshop").run_until_idle().sent == 9
            mails = {m.recipient: _plain(m.raw) for m in db.session.scalars(
                select(MailboxMessage).where(MailboxMessage.id > start))}
        links = {address: f.path_of(LINK_RE.findall(text)[0]) for address, text in mails.items()}
        assert len(links) == 9

        # 6. Three participants vote on their phones.
        phone = page.context.browser.new_context(locale="de-DE", base_url=base_url, viewport=PHONE,
                                                 is_mobile=True, has_touch=True)
        guest = phone.new_page()
        guest_problems = watch_errors(guest)
        failed: list[tuple[int, str]] = []  # responses of the app that were errors
        guest.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 400 else None)
        titles = [title for _table, title, _paper in PROPOSALS]

        def give(address: str, dots: dict[str, int]) -> None:
            guest.goto(links[address])
            expect(guest.get_by_role("heading", name=re.compile("Ihre Punkte"))).to_be_visible()
            width = guest.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], width  # nothing scrolls sideways on the phone
            for title, n in dots.items():
                choice = guest.get_by_role("group", name=title, exact=True).get_by_label(
                    "1 Punkt" if n == 1 else f"{n} Punkte", exact=True)  # the radio's name says "Punkte"
                guest.locator(f'label[for="{choice.get_attribute("id")}"]').click()  # tap the big button
                expect(choice).to_be_checked()
            guest.get_by_role("button", name="Punkte speichern").click()

        # Hanna first puts 2 + 2 dots: too many, refused in German; then 3 on one proposal.
        give("hanna.hahn@trier.example", {titles[9]: 2, titles[7]: 2})
        expect(guest.get_by_test_id("errors")).to_contain_text(
            "Sie haben 4 Punkte verteilt, aber nur 3 Punkte zur Verfügung.")
        guest.screenshot(path=str(ARTIFACTS / "workshop-vote-phone-refused.png"), full_page=True)
        give("hanna.hahn@trier.example", {titles[9]: 3, titles[7]: 0})
        expect(guest.get_by_test_id("saved")).to_be_visible()
        expect(guest.get_by_test_id("given")).to_have_text("Vergeben: 3 von 3 Punkten.")
        guest.screenshot(path=str(ARTIFACTS / "workshop-vote-phone.png"), full_page=True)
        # Anna spreads hers over three tables; Ivo puts two on one proposal and one on another.
        give("anna.adler@trier.example", {titles[0]: 1, titles[9]: 1, titles[4]: 1})
        expect(guest.get_by_test_id("saved")).to_be_visible()
        give("ivo.iven@trier.example", {titles[9]: 2, titles[5]: 1})
        expect(guest.get_by_test_id("saved")).to_be_visible()
        phone.close()
        # no script errors; the only error response is the refusal of too many dots (422); Chromium's own
        # favicon request (not a page resource) shows up as "Failed to load resource" and is no problem
        assert [p for p in guest_problems if not p.startswith("Failed to load resource")] == []
        assert [status for status, _url in failed] == [422]

        # 7. The ranking adds the paper's dots and the links' dots, and says so.
        page.goto(f"/veranstaltungen/{event_id}/werkstatt")  # a new load (only the #fragment would not reload)
        expect(page.get_by_test_id("voted-count")).to_have_text("3 von 9 Teilnehmenden haben über ihren Link "
                                                                "abgestimmt.")
        page.get_by_test_id("close-voting").click()
        expect(page.get_by_test_id("voting-closed")).to_be_visible()
        page.get_by_test_id("ranking-link").click()
        expect(page.get_by_test_id("ranking-source")).to_contain_text("Klebepunkte vom Papier")
        rows = page.get_by_test_id("ranking-row")
        expect(rows).to_have_count(10)
        order = [rows.nth(i).locator("th").inner_text() for i in range(4)]
        # Bildungsbericht 0+6, Politik 4+1, Sprachförderung 3+1, then 2 each (German order of titles)
        assert order == [titles[9], titles[0], titles[4], titles[7]], order
        assert rows.nth(0).get_by_test_id("ranking-total").inner_text() == "6"
        assert page.get_by_role("link", name="Als Initiative anlegen").count() == 0  # landscape work
        page.screenshot(path=str(ARTIFACTS / "workshop-ranking.png"), full_page=True)
        assert problems == []

        # 8. The coordinator founds the top proposal as an initiative; it leads back to the workshop.
        office = context.browser.new_context(locale="de-DE", base_url=base_url, viewport=DESKTOP)
        desk = office.new_page()
        log_in(desk, base_url, coordinator.email)
        desk.goto(f"/veranstaltungen/{event_id}/werkstatt/rangfolge")
        desk.get_by_test_id("ranking-row").first.get_by_role("link", name="Als Initiative anlegen").click()
        expect(desk.get_by_text("Gruppe „Tisch 3: Daten“, 6 Punkte.")).to_be_visible()
        desk.get_by_label("Name der Initiative").fill("Kommunaler Bildungsbericht")
        desk.get_by_role("button", name="Initiative anlegen").click()
        expect(desk.get_by_text("Initiative „Kommunaler Bildungsbericht“ aus dem Vorschlag angelegt.")).to_be_visible()
        origin = desk.get_by_test_id("initiative-origin")
        expect(origin).to_contain_text(titles[9])
        desk.screenshot(path=str(ARTIFACTS / "workshop-initiative.png"), full_page=True)
        origin.get_by_role("link", name="Strategiewerkstatt Bildungslandschaft 2027").click()
        expect(desk.get_by_test_id("proposal-initiative")).to_have_text("Kommunaler Bildungsbericht")
        office.close()
        with app.app_context():
            initiative = db.session.scalars(select(Initiative).where(
                Initiative.name == "Kommunaler Bildungsbericht")).one()
            # table 3's proposals were proposed by the whole table: its three people's actors
            assert {m.actor_id for m in initiative.memberships} == {actor_ids[6 % 6], actor_ids[7 % 6],
                                                                    actor_ids[8 % 6]}
