"""Workshop results through HTTP: 3 groups, 10 proposals, dot votes typed in from the paper, the
ranking, and one proposal founded as an initiative (members and the way back); bad input gets a
German refusal on the same page and nothing is saved."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from crm.extensions import db
from crm.models import (
    AuditEntry,
    Event,
    EventKind,
    Initiative,
    InitiativeKind,
    Role,
    Topic,
    WorkshopGroup,
    WorkshopParticipant,
    WorkshopProposal,
)
from tests import factories_coordinator as f

ACTORS = ("Grundschule Olewig", "Kita St. Anna", "IHK Trier", "Volkshochschule Trier", "Jobcenter Trier",
          "Realschule plus Ehrang")
RANK_ROW = re.compile(r'<tr data-testid="ranking-row">\s*<td class="text-end">(\d+)\.</td>\s*'
                      r'<th scope="row" class="fw-normal">([^<]+)</th>')


def _workshop(app) -> tuple[int, list[int], list[int], int]:
    """A Strategiewerkstatt yesterday with 12 people from 6 actors present, 2 invited who did not come."""
    actor_ids = [f.actor(app, name) for name in ACTORS]
    with app.app_context():
        kind = db.session.scalars(select(EventKind).where(EventKind.name == "Strategiewerkstatt")).one()
        assert kind.is_workshop
        start = datetime.now(UTC) - timedelta(days=1)
        event = Event(kind=kind, title="Strategiewerkstatt Bildungsbericht", starts_at=start,
                      ends_at=start + timedelta(hours=5),
                      topics=list(db.session.scalars(select(Topic).where(Topic.name == "MINT"))))
        db.session.add(event)
        db.session.commit()
        event_id = event.id
    present = []
    for n in range(12):
        person = f.person(app, f"Teilnehmerin{n:02d}", "Anna", f"anna{n}@example.org", actor_ids[n % 6])
        f.invite(app, event_id, person, actor_ids[n % 6], attended=True)
        present.append(person)
    absent = f.person(app, "Fehlend", "Fritz", "fritz@example.org", actor_ids[0])
    f.invite(app, event_id, absent, actor_ids[0])
    return event_id, present, actor_ids, absent


def _ids(app, model, **where) -> list[int]:
    with app.app_context():
        query = select(model.id).order_by(model.id)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return list(db.session.scalars(query))


def test_workshop_from_groups_to_ranking_to_initiative(app, login_as) -> None:
    event_id, present, actor_ids, absent = _workshop(app)
    client = login_as(Role.COORDINATOR)
    base = f"/veranstaltungen/{event_id}/werkstatt"
    assert 'data-testid="workshop-link"' in client.get(f"/veranstaltungen/{event_id}").get_data(as_text=True)
    assert client.get(base).status_code == 200

    # groups: an empty name is refused in German on the same page
    refused = client.post_form(f"{base}/gruppen", {"name": "  "})
    assert refused.status_code == 422
    assert "Bitte geben Sie einen Namen für die Gruppe ein." in refused.get_data(as_text=True)
    for name in ("Tisch 1: Übergänge", "Tisch 2: Sprache", "Tisch 3: Daten"):
        assert client.post_form(f"{base}/gruppen", {"name": name}).status_code == 302
    twice = client.post_form(f"{base}/gruppen", {"name": "Tisch 2: Sprache"})
    assert twice.status_code == 422 and "Eine Gruppe dieses Namens gibt es in dieser Werkstatt schon." in \
        twice.get_data(as_text=True)
    groups = _ids(app, WorkshopGroup, event_id=event_id)
    assert len(groups) == 3

    # people at the tables: four each; someone who did not come cannot be seated
    stranger = client.post_form(f"{base}/gruppen/{groups[0]}/teilnehmende", {"persons": [absent]})
    assert stranger.status_code == 422
    assert "Nur wer an der Werkstatt teilgenommen" in stranger.get_data(as_text=True)
    for index, group in enumerate(groups):
        seat = client.post_form(f"{base}/gruppen/{group}/teilnehmende",
                                {"persons": present[index * 4:(index + 1) * 4]})
        assert seat.status_code == 302
    page = client.get(base).get_data(as_text=True)
    assert page.count('data-testid="workshop-group"') == 3 and "Teilnehmerin00" in page

    # ten proposals (4, 3, 3); an empty one is refused
    empty = client.post_form(f"{base}/gruppen/{groups[0]}/vorschlaege", {"title": "", "description": "x"})
    assert empty.status_code == 422
    assert "Bitte geben Sie den Vorschlag ein (ein Titel genügt)." in empty.get_data(as_text=True)
    first_table = _ids(app, WorkshopParticipant, group_id=groups[0])
    titles = [f"Vorschlag {n:02d}" for n in range(10)]
    titles[0] = "Politik versteht Bildung als kommunale Aufgabe"
    spread = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
    for title, table in zip(titles, spread, strict=True):
        data: dict = {"title": title, "description": f"Worum es bei {title} geht."}
        if title == titles[0]:
            data["proposers"] = first_table[:2]  # two people of the first table, two actors
        assert client.post_form(f"{base}/gruppen/{groups[table]}/vorschlaege", data).status_code == 302
    proposals = _ids(app, WorkshopProposal)
    assert len(proposals) == 10

    # corrections: a proposal typed twice and a person seated at the wrong table go again
    client.post_form(f"{base}/gruppen/{groups[2]}/vorschlaege", {"title": "Vorschlag 09"})
    duplicate = _ids(app, WorkshopProposal)[-1]
    assert client.post_form(f"{base}/vorschlaege/{duplicate}/loeschen").status_code == 302
    assert _ids(app, WorkshopProposal) == proposals
    wrong = _ids(app, WorkshopParticipant, group_id=groups[2])[-1]
    assert client.post_form(f"{base}/teilnehmende/{wrong}/entfernen").status_code == 302
    assert len(_ids(app, WorkshopParticipant, group_id=groups[2])) == 3
    assert client.post_form(f"{base}/gruppen/{groups[2]}/teilnehmende", {"persons": [present[11]]}).status_code == 302

    # the paper's dots: a negative number refuses the whole sheet
    votes = {f"punkte-{pid}": str(v) for pid, v in zip(proposals, (14, 3, 5, 0, 5, 9, 1, 2, 7, 5), strict=True)}
    bad = client.post_form(f"{base}/punkte", {**votes, f"punkte-{proposals[1]}": "-2"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Punkte können nicht negativ sein." in text and 'value="-2"' in text
    with app.app_context():
        assert sum(db.session.scalars(select(WorkshopProposal.votes))) == 0  # nothing saved
    assert client.post_form(f"{base}/punkte", {**votes, f"punkte-{proposals[2]}": "fünf"}).status_code == 422
    saved = client.post_form(f"{base}/punkte", votes)
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"{base}/rangfolge")

    ranking = RANK_ROW.findall(client.get(f"{base}/rangfolge").get_data(as_text=True))
    assert ranking == [("1", titles[0]), ("2", "Vorschlag 05"), ("3", "Vorschlag 08"), ("4", "Vorschlag 02"),
                       ("4", "Vorschlag 04"), ("4", "Vorschlag 09"), ("7", "Vorschlag 01"), ("8", "Vorschlag 07"),
                       ("9", "Vorschlag 06"), ("10", "Vorschlag 03")]  # equal dots share a rank

    # the winner becomes an initiative: the proposers' actors are its members, and each leads to the other
    found = f"{base}/vorschlaege/{proposals[0]}/initiative"
    form = client.get(found).get_data(as_text=True)
    assert "Grundschule Olewig" in form and "Kita St. Anna" in form and "IHK Trier" not in form
    blank = client.post_form(found, {"name": "", "kind": "working_group"})
    assert blank.status_code == 422 and "Bitte geben Sie einen Namen ein." in blank.get_data(as_text=True)
    created = client.post_form(found, {"name": "Bildung als kommunale Aufgabe", "kind": "working_group"})
    assert created.status_code == 302
    with app.app_context():
        initiative = db.session.scalars(select(Initiative).where(
            Initiative.name == "Bildung als kommunale Aufgabe")).one()
        assert initiative.kind is InitiativeKind.WORKING_GROUP
        assert {m.actor_id for m in initiative.memberships} == {actor_ids[0], actor_ids[1]}
        assert [t.name for t in initiative.topics] == ["MINT"]
        assert db.session.get(WorkshopProposal, proposals[0]).initiative_id == initiative.id
        initiative_id = initiative.id
        logged = set(db.session.scalars(select(AuditEntry.entity_type)))
        assert {"WorkshopGroup", "WorkshopParticipant", "WorkshopProposal", "Initiative", "Membership"} <= logged
    assert created.headers["Location"].endswith(f"/initiativen/{initiative_id}")
    shown = client.get(f"/initiativen/{initiative_id}").get_data(as_text=True)
    origin = shown.split('data-testid="initiative-origin"')[1].split("</dd>")[0]
    assert titles[0] in origin and "Tisch 1: Übergänge" in origin and f"{base}#vorschlag-{proposals[0]}" in origin
    assert f'href="/initiativen/{initiative_id}" data-testid="proposal-initiative"' in client.get(base).get_data(
        as_text=True)
    # the person's Art. 15 export names the table and the proposal
    export = client.get(f"/datenschutz/personen/{present[0]}/auskunft.json").get_json()
    assert export["workshops"] == [{"event": "Strategiewerkstatt Bildungsbericht", "group": "Tisch 1: Übergänge",
                                    "actor": "Grundschule Olewig",  # the whole table proposed 01–03
                                    "proposals": "; ".join([titles[0], *titles[1:4]]), "dots": "",
                                    "event_starts_at": export["workshops"][0]["event_starts_at"]}]
    kept = client.post_form(f"{base}/vorschlaege/{proposals[0]}/loeschen")
    assert kept.status_code == 422 and "er bleibt als ihre Herkunft erhalten" in kept.get_data(as_text=True)
    again = client.post_form(found, {"name": "Noch eine", "kind": "project"})
    assert again.status_code == 422 and "Aus diesem Vorschlag ist bereits die Initiative" in again.get_data(
        as_text=True)


def test_viewers_see_results_without_names_and_change_nothing(app, login_as) -> None:
    event_id, present, _actors, _absent = _workshop(app)
    with app.app_context():
        group = WorkshopGroup(event_id=event_id, name="Tisch A")
        group.participants.append(WorkshopParticipant(event_id=event_id, person_id=present[0]))
        group.proposals.append(WorkshopProposal(title="Bildungsmonitoring ausbauen", votes=3))
        group.proposals.append(WorkshopProposal(title="<script>alert(1)</script>", votes=1))
        db.session.add(group)
        db.session.commit()
    client = login_as(Role.VIEWER)
    base = f"/veranstaltungen/{event_id}/werkstatt"
    page = client.get(base).get_data(as_text=True)
    assert "Bildungsmonitoring ausbauen" in page and "Teilnehmerin00" not in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Bildungsmonitoring ausbauen" in client.get(f"{base}/rangfolge").get_data(as_text=True)
    assert client.post_form(f"{base}/gruppen", {"name": "Tisch B"}).status_code == 403


def test_only_workshop_events_have_results(app, login_as) -> None:
    conference = f.event(app, "Bildungskonferenz 2025")
    client = login_as(Role.COORDINATOR)
    assert client.get(f"/veranstaltungen/{conference}/werkstatt").status_code == 404
    assert 'data-testid="workshop-link"' not in client.get(f"/veranstaltungen/{conference}").get_data(as_text=True)
