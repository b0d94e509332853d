"""Network surveys through HTTP, on the demo region: a round goes to 20 actors through the outbox, 12
answer through their personal links (one names a partner not in the roster, one saves and resumes),
the rest are reminded, the coordinator accepts five ties and they are cooperations with their source."""
from __future__ import annotations

import re
from collections.abc import Iterator
from email import message_from_string, policy
from itertools import combinations

import pytest
from sqlalchemy import func, or_, select

from crm.extensions import db
from crm.models import (
    Actor,
    ActorKind,
    Consent,
    ConsentPurpose,
    Cooperation,
    Decision,
    MailboxMessage,
    OutboxMessage,
    Person,
    ReportedTie,
    Role,
    SurveyDecision,
    SurveyRecipient,
    SurveyRound,
    Topic,
)
from crm.services.surveys import rounds as round_service
from crm.services.surveys import tokens
from tests import factories_events as f
from tests.conftest import Client
from tests.demo_region import DemoRegion, demo_region_fixture

LINK_RE = re.compile(r"https?://\S+/befragung/[A-Za-z0-9_.\-]+")
ALL_QUESTIONS = ["partners", "frequency", "topics", "groups", "free_text"]


@pytest.fixture(scope="module")
def demo(database_url: str, _migrated: None) -> Iterator[DemoRegion]:
    yield from demo_region_fixture(database_url)


@pytest.fixture(autouse=True)
def _mailbox(demo: DemoRegion) -> Iterator[None]:
    """Mail goes through the outbox into the development mailbox; links point at a test address."""
    before = dict(demo.app.config)
    demo.app.config.update(MAIL_BACKEND="mailbox", BILDUNGSNETZ_BASE_URL="http://127.0.0.1:5123")
    yield
    demo.app.config.update(MAIL_BACKEND=before.get("MAIL_BACKEND"),
                           BILDUNGSNETZ_BASE_URL=before.get("BILDUNGSNETZ_BASE_URL"))


def _guest(demo: DemoRegion) -> Client:
    return demo.client(None)


def _create_round(coordinator: Client, title: str, questions: list[str] = ALL_QUESTIONS) -> int:
    response = coordinator.post_form("/befragungen/neu", {"title": title, "intro": "Bitte bis Monatsende.",
                                                          "questions": questions})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(response.headers["Location"].rstrip("/").split("/")[-2])


def _reachable_actors(demo: DemoRegion, count: int) -> list[int]:
    with demo.app.app_context():
        found = []
        for actor in db.session.scalars(select(Actor).where(Actor.is_active.is_(True)).order_by(Actor.id)):
            if round_service.contact_for(db.session, actor) is not None:
                found.append(actor.id)
            if len(found) == count:
                return found
    raise AssertionError("not enough reachable actors in the demo region")


def _text(mail: MailboxMessage) -> str:
    """The plain-text part, as a mail program shows it."""
    body = message_from_string(mail.raw, policy=policy.default).get_body(preferencelist=("plain",))
    assert body is not None
    return body.get_content().replace("\r\n", "\n")


def _deliver(demo: DemoRegion) -> list[MailboxMessage]:
    """Run the outbox worker as `flask crm worker` does (the round's links into the outbox, then
    delivery), and return the mails that arrived."""
    from crm.services.surveys.sending import Sender

    with demo.app.app_context():
        start = db.session.scalar(select(func.max(MailboxMessage.id))) or 0
        Sender(db.session).run_until_idle()
        f.worker("survey-worker").run_until_idle()
        rows = list(db.session.scalars(select(MailboxMessage).where(MailboxMessage.id > start)
                                       .order_by(MailboxMessage.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def _answer_form(rows: list[dict], action: str, **extra) -> dict:
    data: dict = {"rows": str(len(rows)), "action": action}
    for i, row in enumerate(rows):
        data[f"partner-{i}"] = row.get("name", "")
        if row.get("id"):
            data[f"partner-{i}_id"] = str(row["id"])
        if row.get("outside"):
            data[f"outside-{i}"] = "1"
        data[f"intensity-{i}"] = row.get("intensity", "")
        data[f"topics-{i}"] = [str(t) for t in row.get("topics", [])]
    data.update(extra)
    return data


def _post_answer(client: Client, path: str, data: dict):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)
    return client.post(path, data={**data, "csrf_token": token})


def _no_tie(demo: DemoRegion, actor_ids: list[int], count: int) -> list[tuple[int, int]]:
    """Pairs of these actors without any cooperation between them (so a report is a new tie)."""
    with demo.app.app_context():
        tied = set()
        for source, target in db.session.execute(select(Cooperation.source_id, Cooperation.target_id).where(
                or_(Cooperation.source_id.in_(actor_ids), Cooperation.target_id.in_(actor_ids)))):
            tied.add(frozenset((source, target)))
    pairs, used = [], set()
    for a, b in combinations(actor_ids, 2):
        if frozenset((a, b)) not in tied and a not in used:
            pairs.append((a, b))
            used.add(a)
        if len(pairs) == count:
            return pairs
    raise AssertionError("not enough untied pairs")


def test_a_round_to_20_actors_12_answers_reminders_and_five_accepted_ties(demo: DemoRegion) -> None:
    coordinator = demo.client(Role.COORDINATOR)
    round_id = _create_round(coordinator, "Netzwerkbefragung 2026")
    actor_ids = _reachable_actors(demo, 20)
    added = coordinator.post_form(f"/befragungen/{round_id}/empfaenger", {"actor_ids": [str(i) for i in actor_ids]},
                                  follow_redirects=True)
    assert "20 Akteure hinzugefügt." in added.get_data(as_text=True)
    page = coordinator.get(f"/befragungen/{round_id}").get_data(as_text=True)
    assert "Links an 20 Empfänger senden" in page

    sent = coordinator.post_form(f"/befragungen/{round_id}/versenden", follow_redirects=True)
    assert "20 persönliche Links sind im Postausgang." in sent.get_data(as_text=True)
    again = coordinator.post_form(f"/befragungen/{round_id}/versenden", follow_redirects=True)
    assert "0 persönliche Links" in again.get_data(as_text=True)  # nobody gets the link twice
    mails = _deliver(demo)
    assert len(mails) == 20
    with demo.app.app_context():
        actor_of = {round_service.address_of(r): r.actor_id for r in db.session.scalars(
            select(SurveyRecipient).where(SurveyRecipient.round_id == round_id))}
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.category == "survey_invitation")) >= 20
    assert {m.recipient for m in mails} == set(actor_of)
    links: dict[int, str] = {}
    names: dict[int, str] = {}
    with demo.app.app_context():
        for actor_id in actor_ids:
            names[actor_id] = db.session.get_one(Actor, actor_id).name
    for mail in mails:
        assert "Netzwerkbefragung: Netzwerkbefragung 2026" in mail.subject
        assert "Keine E-Mails mehr erhalten: http://127.0.0.1:5123/einwilligung/widerruf/" in _text(mail)
        [link] = LINK_RE.findall(_text(mail))
        links[actor_of[mail.recipient]] = f.path_of(link)
    assert len(links) == 20

    answerers = actor_ids[:12]
    pairs = _no_tie(demo, answerers, 6)
    with demo.app.app_context():
        topic = db.session.scalars(select(Topic).order_by(Topic.sort_order)).first().id
    guest = _guest(demo)

    # Save and resume: the first answerer saves one partner, comes back later, and finds it.
    first, partner = pairs[0]
    saved = _post_answer(guest, links[first], _answer_form(
        [{"name": names[partner], "intensity": "2", "topics": [topic]}], "save"))
    assert saved.status_code == 303
    resumed = guest.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Zwischengespeichert" in resumed and f'value="{names[partner]}"' in resumed.replace("&#34;", '"')

    # Bad input: a name not in the roster without "not in the list", and no frequency on sending.
    refused = _post_answer(guest, links[first], _answer_form(
        [{"name": "Gibt es nicht e.V."}, {"name": names[partner]}], "submit"))
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "„Gibt es nicht e.V.“ steht nicht im Verzeichnis" in text
    assert f"Bitte geben Sie an, wie oft Sie mit „{names[partner]}“ zusammenarbeiten." in text

    # Sent off: the confirmed partner, and a partner that is not in the roster.
    done = _post_answer(guest, links[first], _answer_form(
        [{"name": names[partner], "intensity": "3", "topics": [topic]},
         {"name": "Lesecafé Sonnenschein", "outside": True, "intensity": "1"}], "submit"))
    assert done.status_code == 303
    assert "Ihre Antwort ist angekommen" in guest.get(done.headers["Location"]).get_data(as_text=True)
    # The partner confirms the tie from the other side.
    assert _post_answer(guest, links[partner], _answer_form(
        [{"name": names[first], "id": first, "intensity": "2"}], "submit")).status_code == 303

    answered = {first, partner}
    for a, b in pairs[1:]:
        for reporter, named in ((a, b),) if a not in answered else ():
            response = _post_answer(guest, links[reporter], _answer_form(
                [{"name": names[named], "intensity": "2", "topics": [topic]}], "submit"))
            assert response.status_code == 303, response.get_data(as_text=True)[:2000]
            answered.add(reporter)
    for actor_id in answerers:
        if len(answered) == 12:
            break
        if actor_id not in answered:
            nothing = _answer_form([], "submit", free_text="Keine Kooperationen.")
            assert _post_answer(guest, links[actor_id], nothing).status_code == 303
            answered.add(actor_id)
    assert len(answered) == 12

    page = coordinator.get(f"/befragungen/{round_id}").get_data(as_text=True)
    assert "12 von 20 Akteuren haben geantwortet (60 %)." in page
    assert "nach Gebiet" in page and "nach Art des Akteurs" in page

    reminded = coordinator.post_form(f"/befragungen/{round_id}/erinnern", follow_redirects=True)
    assert "8 Erinnerungen sind im Postausgang." in reminded.get_data(as_text=True)
    reminders = _deliver(demo)
    assert len(reminders) == 8 and all("Erinnerung" in m.subject for m in reminders)
    unanswered = {links[a] for a in actor_ids if a not in answered}
    assert {f.path_of(LINK_RE.findall(_text(m))[0]) for m in reminders} == unanswered
    again = coordinator.post_form(f"/befragungen/{round_id}/erinnern", follow_redirects=True)
    assert "0 Erinnerungen" in again.get_data(as_text=True)  # not twice within the hour

    review = coordinator.get(f"/befragungen/{round_id}/pruefung").get_data(as_text=True)
    assert "Lesecafé Sonnenschein" in review
    assert "1 bestätigt" in review
    keys = re.findall(r'<tr data-key="(\d+-\d+)">\s*<td>neu</td>', review)
    assert len(keys) >= 5
    for key in keys[:5]:
        response = coordinator.post_form(f"/befragungen/{round_id}/pruefung/{key}", {"decision": "accept"})
        assert response.status_code == 303
    rejected = coordinator.post_form(f"/befragungen/{round_id}/pruefung/{keys[5] if len(keys) > 5 else keys[0]}",
                                     {"decision": "reject"}, follow_redirects=True)
    assert rejected.status_code == 200
    twice = coordinator.post_form(f"/befragungen/{round_id}/pruefung/{keys[0]}", {"decision": "accept"},
                                  follow_redirects=True)
    assert "steht nicht (mehr) in der Prüfliste" in twice.get_data(as_text=True)

    with demo.app.app_context():
        accepted = list(db.session.scalars(select(SurveyDecision).where(
            SurveyDecision.round_id == round_id, SurveyDecision.decision == Decision.ACCEPTED)))
        assert len(accepted) == 5
        for decision in accepted:
            cooperation = db.session.get_one(Cooperation, decision.cooperation_id)
            assert {cooperation.source_id, cooperation.target_id} == {decision.low_id, decision.high_id}
            assert "Quelle: Netzwerkbefragung „Netzwerkbefragung 2026“" in cooperation.description
        confirmed_key = "-".join(str(i) for i in sorted((first, partner)))
        if confirmed_key in keys[:5]:
            cooperation = next(d.cooperation for d in accepted if f"{d.low_id}-{d.high_id}" == confirmed_key)
            assert cooperation.intensity == 3 and "(bestätigt)" in cooperation.description
        cooperation_id = accepted[0].cooperation_id
    shown = coordinator.get(f"/kooperationen/{cooperation_id}").get_data(as_text=True)
    source = re.search(r'data-testid="survey-source">(.*?)</dd>', shown, re.S)
    assert source and "Netzwerkbefragung" in source.group(1) and "Netzwerkbefragung 2026</a>" in source.group(1)
    assert f"/befragungen/{round_id}/pruefung" in source.group(1)
    decided = coordinator.get(f"/befragungen/{round_id}/pruefung").get_data(as_text=True)
    assert decided.count("übernommen (") == 5


def test_the_answer_link_is_personal_signed_and_closes_with_the_round(demo: DemoRegion) -> None:
    coordinator = demo.client(Role.COORDINATOR)
    round_id = _create_round(coordinator, "Kurzbefragung", ["partners", "free_text"])
    [actor_id] = _reachable_actors(demo, 1)
    coordinator.post_form(f"/befragungen/{round_id}/empfaenger", {"actor_ids": [str(actor_id)]})
    coordinator.post_form(f"/befragungen/{round_id}/versenden")
    [mail] = _deliver(demo)
    path = f.path_of(LINK_RE.findall(_text(mail))[0])
    guest = _guest(demo)
    page = guest.get(path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Wie oft arbeiten Sie zusammen?" not in page.get_data(as_text=True)  # not asked in this round
    assert guest.get(path[:-3] + "abc").status_code == 404
    assert "ungültig" in guest.get("/befragung/kaputt").get_data(as_text=True)
    suggestions = guest.get(path + "/vorschlaege?q=schule").get_json()
    assert suggestions and all("schule" in s["name"].lower() for s in suggestions)
    assert all(s["id"] != actor_id for s in suggestions)
    with demo.app.app_context():
        individual = db.session.scalars(select(Actor).join(ActorKind).where(ActorKind.is_individual.is_(True))
                                        .order_by(Actor.id)).first()
        assert individual is not None
        first_word = individual.name.split()[0]
    # natural persons are not named to people outside the office
    assert all(s["id"] != individual.id for s in guest.get(f"{path}/vorschlaege?q={first_word}").get_json())
    with demo.app.app_context():
        recipient = db.session.scalars(select(SurveyRecipient).where(SurveyRecipient.round_id == round_id)).one()
        tokens.renew(recipient)
        db.session.commit()
    assert guest.get(path).status_code == 404  # a renewed nonce revokes the link
    with demo.app.app_context():
        recipient = db.session.scalars(select(SurveyRecipient).where(SurveyRecipient.round_id == round_id)).one()
        new_path = f.path_of(tokens.answer_url(recipient))
        db.session.commit()
    assert guest.get(new_path).status_code == 200
    assert "abgeschlossen" in coordinator.post_form(f"/befragungen/{round_id}/abschliessen",
                                                    follow_redirects=True).get_data(as_text=True)
    closed = guest.get(new_path)
    assert closed.status_code == 410 and "ist abgeschlossen" in closed.get_data(as_text=True)


def test_composing_refuses_bad_input_in_german_and_viewers_cannot_compose(demo: DemoRegion) -> None:
    coordinator = demo.client(Role.COORDINATOR)
    empty = coordinator.post_form("/befragungen/neu", {"title": "", "questions": []})
    assert empty.status_code == 422 and "Bitte geben Sie der Befragung einen Titel." in empty.get_data(as_text=True)
    lonely = coordinator.post_form("/befragungen/neu", {"title": "Nur Häufigkeit", "questions": ["frequency"]})
    assert lonely.status_code == 422 and "bitte auch die Frage nach den Partnern wählen" in lonely.get_data(
        as_text=True)
    none = coordinator.post_form("/befragungen/neu", {"title": "Ohne Fragen", "questions": []})
    assert "Bitte wählen Sie mindestens eine Frage." in none.get_data(as_text=True)
    round_id = _create_round(coordinator, "Leere Runde")
    nothing = coordinator.post_form(f"/befragungen/{round_id}/versenden", follow_redirects=True)
    assert "Bitte wählen Sie zuerst Empfänger." in nothing.get_data(as_text=True)
    viewer = demo.client(Role.VIEWER)
    assert viewer.get("/befragungen/").status_code == 200
    assert viewer.post_form("/befragungen/neu", {"title": "x", "questions": ["partners"]}).status_code == 403
    assert viewer.post_form(f"/befragungen/{round_id}/versenden").status_code == 403


def test_a_contact_who_objected_gets_no_link(demo: DemoRegion) -> None:
    coordinator = demo.client(Role.COORDINATOR)
    round_id = _create_round(coordinator, "Widerspruch wird beachtet", ["partners"])
    actor_ids = _reachable_actors(demo, 2)
    coordinator.post_form(f"/befragungen/{round_id}/empfaenger", {"actor_ids": [str(i) for i in actor_ids]})
    with demo.app.app_context():
        from crm.services.privacy import consent

        recipient = db.session.scalars(select(SurveyRecipient).where(
            SurveyRecipient.round_id == round_id, SurveyRecipient.actor_id == actor_ids[0])).one()
        person = db.session.get_one(Person, recipient.person_id)
        consent.withdraw(db.session, person, ConsentPurpose.INVITATIONS, by="betroffene Person")
        person_id = person.id
        db.session.commit()
    coordinator.post_form(f"/befragungen/{round_id}/versenden")
    mails = _deliver(demo)
    assert len(mails) == 1
    with demo.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Consent).where(
            Consent.person_id == person_id, Consent.withdrawn_at.is_not(None))) >= 1
        sent = db.session.scalars(select(SurveyRecipient).where(SurveyRecipient.round_id == round_id)
                                  .order_by(SurveyRecipient.actor_id)).all()
        assert [r.invited_at is not None for r in sent] == [False, True]
        assert db.session.scalar(select(func.count()).select_from(ReportedTie).where(
            ReportedTie.round_id == round_id)) == 0
        assert db.session.get_one(SurveyRound, round_id).status.value == "open"


def test_the_survey_map_draws_confirmed_and_reported_ties_differently(demo: DemoRegion) -> None:
    """The demo round's map: ties named by both sides solid, by one side dashed, the CRM's grey."""
    coordinator = demo.client(Role.COORDINATOR)
    with demo.app.app_context():
        round_id = db.session.scalars(select(SurveyRound.id).order_by(SurveyRound.id)).first()
        from crm.services.surveys import review

        reports = review.pair_reports(db.session, db.session.get_one(SurveyRound, round_id))
    spec = coordinator.get(f"/befragungen/{round_id}/karte.json").get_json()
    by_pair = {frozenset((e["from"], e["to"])): e for e in spec["edges"]}
    assert reports and len(by_pair) >= len(reports)
    for pair, report in reports.items():
        edge = by_pair[frozenset(pair)]
        assert edge["status"] == ("confirmed" if report.confirmed else "reported")
        assert ("dashes" in edge) == (not report.confirmed)
    legend = {t["key"]: t for t in spec["legend"]["ties"]}
    assert legend["reported"]["dashed"] and legend["reported"]["label"].startswith("gemeldet")
    assert all(node["url"].startswith("/akteure/") for node in spec["nodes"])
    page = coordinator.get(f"/befragungen/{round_id}/pruefung").get_data(as_text=True)
    assert f"/befragungen/{round_id}/karte.json" in page


def test_two_rounds_compared_new_kept_and_no_longer_named_ties(demo: DemoRegion) -> None:
    coordinator = demo.client(Role.COORDINATOR)
    with demo.app.app_context():
        first_round = db.session.scalars(select(SurveyRound).where(SurveyRound.title == "Netzwerkbefragung "
                                                                   "Bildungslandschaft 2026")).one()
        first_id = first_round.id
        answered = [r for r in first_round.recipients if r.answered_at is not None
                    and sum(1 for t in r.ties if t.partner_id) >= 2 and round_service.contact_for(db.session, r.actor)]
        reporter = answered[0]
        named = [t.partner_id for t in reporter.ties if t.partner_id]
        kept_id, dropped_id = named[0], named[1]
        new_actor = db.session.scalars(select(Actor).join(ActorKind).where(
            Actor.id.not_in([reporter.actor_id, *named]), Actor.is_active.is_(True),
            ActorKind.is_individual.is_(False)).order_by(Actor.id)).first()
        names = {i: db.session.get_one(Actor, i).name for i in (reporter.actor_id, kept_id, dropped_id, new_actor.id)}
        reporter_id, new_id = reporter.actor_id, new_actor.id
    second_id = _create_round(coordinator, "Netzwerkbefragung 2027", ["partners", "frequency"])
    coordinator.post_form(f"/befragungen/{second_id}/empfaenger", {"actor_ids": [str(reporter_id)]})
    coordinator.post_form(f"/befragungen/{second_id}/versenden")
    [mail] = _deliver(demo)
    link = f.path_of(LINK_RE.findall(_text(mail))[0])
    response = _post_answer(_guest(demo), link, _answer_form(
        [{"name": names[kept_id], "id": kept_id, "intensity": "2"},
         {"name": names[new_id], "id": new_id, "intensity": "1"}], "submit"))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]

    page = coordinator.get(f"/befragungen/{second_id}/vergleich?mit={first_id}").get_data(as_text=True)

    def section(testid: str) -> str:
        found = re.search(rf'data-testid="{testid}">(.*?)</(ul|p)>', page, re.S)
        assert found, testid
        return found.group(1)

    def named_together(text: str, a: int, b: int) -> bool:
        return any(names[a] in line and names[b] in line for line in text.split("<li>"))

    assert named_together(section("compare-new"), reporter_id, new_id)
    assert named_together(section("compare-kept"), reporter_id, kept_id)
    assert named_together(section("compare-dropped"), reporter_id, dropped_id)
    assert coordinator.get(f"/befragungen/{second_id}/vergleich").status_code == 200
