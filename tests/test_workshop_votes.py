"""Dot votes through personal links, over HTTP: the organiser sends the links through the outbox
(honouring objections), participants give their dots without an account, too many dots and bad
numbers are refused in German with nothing saved, the dots can be changed until the voting is
closed (410 after that), a bad link is a German 404, and the ranking adds the paper's dots to the
links' dots. Merging two records of one person keeps one ballot."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import (
    Event,
    OutboxMessage,
    Person,
    Role,
    WorkshopDot,
    WorkshopGroup,
    WorkshopParticipant,
    WorkshopProposal,
)
from crm.models.base import utcnow
from crm.services.events import workshops
from tests.test_workshops import RANK_ROW, _workshop

LINK_RE = re.compile(r"https?://\S+(/werkstatt-punkte/[A-Za-z0-9_.\-]+)")
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def _tables(app, event_id: int, present: list[int]) -> tuple[list[int], list[int]]:
    """Three tables of four and ten proposals (4, 3, 3), through the service."""
    with app.app_context():
        event = db.session.get_one(Event, event_id)
        groups = [workshops.add_group(db.session, event, f"Tisch {n}") for n in (1, 2, 3)]
        for index, group in enumerate(groups):
            workshops.seat(db.session, event, group, present[index * 4:(index + 1) * 4])
        proposals = [workshops.add_proposal(db.session, groups[table], f"Vorschlag {n:02d}")
                     for n, table in enumerate((0, 0, 0, 0, 1, 1, 1, 2, 2, 2))]
        db.session.commit()
        return [g.id for g in groups], [p.id for p in proposals]


def _links(app) -> dict[str, str]:
    """Recipient address -> path of the vote link, from the queued mails."""
    with app.app_context():
        mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.category == "workshop_votes"))
        return {m.recipient: LINK_RE.findall(m.body_text)[0] for m in mails}


def _vote(guest, path: str, dots: dict[int, int]):
    page = guest.get(path)
    assert page.status_code == 200, page.status_code
    token = CSRF_RE.search(page.get_data(as_text=True)).group(1)
    return guest.post(path, data={"csrf_token": token, **{f"punkte-{pid}": str(n) for pid, n in dots.items()}})


def _ballot(app, address: str) -> dict[int, int]:
    with app.app_context():
        rows = db.session.execute(select(WorkshopDot.proposal_id, WorkshopDot.dots).join(WorkshopParticipant)
                                  .join(Person, Person.id == WorkshopParticipant.person_id)
                                  .where(Person.email == address))
        return {proposal_id: dots for proposal_id, dots in rows}


def test_links_go_out_dots_are_given_changed_refused_and_counted(app, login_as) -> None:
    app.config["BILDUNGSNETZ_BASE_URL"] = "http://127.0.0.1:5123"
    event_id, present, _actors, _absent = _workshop(app)
    _groups, proposals = _tables(app, event_id, present)
    with app.app_context():  # one participant objected to mail, one has no address
        db.session.get_one(Person, present[10]).is_opted_out = True
        db.session.get_one(Person, present[11]).email = ""
        db.session.commit()
    organiser = login_as(Role.ORGANISER)
    base = f"/veranstaltungen/{event_id}/werkstatt"
    page = organiser.get(base).get_data(as_text=True)
    assert "0 von 12 Teilnehmenden haben über ihren Link abgestimmt." in page
    assert "Links verschicken (10)" in page and "keine E-Mails wünschen" in page and "ohne E-Mail-Adresse" in page

    sent = organiser.post_form(f"{base}/punktabfrage/links", follow_redirects=True)
    assert "10 persönliche Links zur Punktabfrage sind im Postausgang." in sent.get_data(as_text=True)
    again = organiser.post_form(f"{base}/punktabfrage/links", follow_redirects=True)
    assert "Keine neuen Links verschickt" in again.get_data(as_text=True)
    links = _links(app)
    assert len(links) == 10 and "anna10@example.org" not in links and "anna11@example.org" not in links
    with app.app_context():
        mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "anna0@example.org")).one()
        assert "Sie haben 3 Punkte" in mail.body_text and "Keine E-Mails mehr erhalten" in mail.body_text
        assert mail.headers.get("List-Unsubscribe")

    guest = app.test_client()
    first, second = links["anna0@example.org"], links["anna5@example.org"]
    ballot = guest.get(first).get_data(as_text=True)
    assert ballot.count('data-testid="ballot-proposal"') == 10  # the proposals of all three tables
    assert "Teilnehmerin01" not in ballot  # no names of the others on the public page
    assert "Vergeben: 0 von 3 Punkten." in ballot

    # too many dots: refused in German, nothing saved
    over = _vote(guest, first, {proposals[0]: 2, proposals[5]: 2})
    assert over.status_code == 422
    text = over.get_data(as_text=True)
    assert "Sie haben 4 Punkte verteilt, aber nur 3 Punkte zur Verfügung. Bitte verteilen Sie höchstens 3 " \
        "Punkte; gespeichert wurde nichts." in text
    assert _ballot(app, "anna0@example.org") == {}
    assert _vote(guest, first, {proposals[0]: -1}).status_code == 422
    bad = _vote(guest, first, {proposals[0]: "drei"})  # type: ignore[dict-item]
    assert bad.status_code == 422 and "Bitte eine ganze Zahl eingeben." in bad.get_data(as_text=True)
    assert _ballot(app, "anna0@example.org") == {}

    # all three on one proposal, then changed: spread over two
    saved = _vote(guest, first, {proposals[9]: 3})
    assert saved.status_code == 303 and "status=gespeichert" in saved.headers["Location"]
    assert _ballot(app, "anna0@example.org") == {proposals[9]: 3}
    shown = guest.get(first + "?status=gespeichert").get_data(as_text=True)
    assert 'data-testid="saved"' in shown and "Vergeben: 3 von 3 Punkten." in shown
    assert re.search(rf'id="punkte-{proposals[9]}-3" value="3" autocomplete="off" checked', shown)
    assert _vote(guest, first, {proposals[9]: 1, proposals[4]: 2}).status_code == 303
    assert _ballot(app, "anna0@example.org") == {proposals[9]: 1, proposals[4]: 2}
    assert _vote(guest, second, {proposals[9]: 2, proposals[0]: 1}).status_code == 303

    # the paper's dots (typed in) and the links' dots are counted together
    paper = {f"punkte-{pid}": "0" for pid in proposals} | {f"punkte-{proposals[0]}": "4",
                                                           f"punkte-{proposals[4]}": "2"}
    assert organiser.post_form(f"{base}/punkte", paper).status_code == 302
    ranking_page = organiser.get(f"{base}/rangfolge").get_data(as_text=True)
    assert RANK_ROW.findall(ranking_page)[:3] == [("1", "Vorschlag 00"), ("2", "Vorschlag 04"),
                                                  ("3", "Vorschlag 09")]  # 4+1, 2+2, 0+3
    assert "vom Papier" in ranking_page and "über Links" in ranking_page
    assert "2 von 12 Teilnehmenden haben über ihren Link abgestimmt." in organiser.get(base).get_data(as_text=True)

    # closed: the link says so (410) and takes nothing; reopened, it works again
    closed = organiser.post_form(f"{base}/punktabfrage/beenden", follow_redirects=True)
    assert "Die Punktabfrage ist beendet" in closed.get_data(as_text=True)
    late = guest.get(first)
    assert late.status_code == 410 and "ist beendet" in late.get_data(as_text=True)
    token = CSRF_RE.search(guest.get("/anmelden").get_data(as_text=True)).group(1)
    refused = guest.post(first, data={"csrf_token": token, f"punkte-{proposals[1]}": "3"})
    assert refused.status_code == 410
    assert _ballot(app, "anna0@example.org") == {proposals[9]: 1, proposals[4]: 2}
    refused_send = organiser.post_form(f"{base}/punktabfrage/links")
    assert refused_send.status_code == 422
    organiser.post_form(f"{base}/punktabfrage/beenden", {"wieder": "1"})
    assert guest.get(first).status_code == 200


def test_bad_links_are_a_german_404(app, login_as, create_user) -> None:
    app.config["BILDUNGSNETZ_BASE_URL"] = "http://127.0.0.1:5123"
    event_id, present, _actors, _absent = _workshop(app)
    _tables(app, event_id, present)
    organiser = login_as(Role.ORGANISER)
    organiser.post_form(f"/veranstaltungen/{event_id}/werkstatt/punktabfrage/links")
    path = _links(app)["anna0@example.org"]
    guest = app.test_client()
    # A character inside the signature: its last base64 character also carries padding bits, and
    # changing only those („B“ → „A“) leaves the same signature (a valid link, seen once in CI).
    inner = len(path) - 5
    tampered = path[:inner] + ("A" if path[inner] != "A" else "B") + path[inner + 1:]
    for wrong in ("/werkstatt-punkte/abc", tampered, path[:-6],
                  "/werkstatt-punkte/" + "x" * 3000):
        response = guest.get(wrong)
        assert response.status_code == 404, wrong
        assert "Dieser Link zur Punktabfrage ist ungültig" in response.get_data(as_text=True)
    assert guest.post("/werkstatt-punkte/abc").status_code in (400, 404)  # no CSRF token: never a 500
    # the seat is gone (removed from the table): the link leads nowhere
    with app.app_context():
        seat = db.session.scalars(select(WorkshopParticipant).join(Person)
                                  .where(Person.email == "anna0@example.org")).one()
        db.session.delete(seat)
        db.session.commit()
    assert guest.get(path).status_code == 404
    # reading the results is not running the voting
    viewer = app.test_client()  # a browser of its own (the fixture's client is the organiser's)
    viewer.login(create_user(Role.VIEWER).email)
    assert viewer.post_form(f"/veranstaltungen/{event_id}/werkstatt/punktabfrage/links").status_code == 403
    assert viewer.post_form(f"/veranstaltungen/{event_id}/werkstatt/punktabfrage/beenden").status_code == 403
    assert 'data-testid="link-voting"' not in viewer.get(f"/veranstaltungen/{event_id}/werkstatt").get_data(
        as_text=True)


def test_merging_two_records_of_one_voter_keeps_one_ballot(app) -> None:
    from crm.services.landscape.merge import merge_persons

    event_id, present, _actors, _absent = _workshop(app)
    with app.app_context():
        event = db.session.get_one(Event, event_id)
        table = workshops.add_group(db.session, event, "Tisch 1")
        workshops.seat(db.session, event, table, present[:3])
        ideas = [workshops.add_proposal(db.session, table, f"Idee {n}") for n in range(3)]
        keep, other, third = (db.session.scalars(select(WorkshopParticipant).where(
            WorkshopParticipant.person_id == pid)).one() for pid in present[:3])
        # the kept record voted first, the twin later: the later ballot is the person's will
        keep.dots.append(WorkshopDot(proposal_id=ideas[0].id, dots=3))
        keep.voted_at = utcnow().replace(year=2020)
        other.dots.extend([WorkshopDot(proposal_id=ideas[1].id, dots=1), WorkshopDot(proposal_id=ideas[2].id, dots=2)])
        other.voted_at = utcnow()
        third.dots.append(WorkshopDot(proposal_id=ideas[0].id, dots=1))
        third.voted_at = utcnow().replace(year=2021)
        db.session.commit()
        result = merge_persons(db.session, db.session.get_one(Person, present[0]),
                               db.session.get_one(Person, present[1]))
        db.session.commit()
        assert result.moved.get("Werkstatt-Punkte") == 1
        seat = db.session.scalars(select(WorkshopParticipant).where(
            WorkshopParticipant.person_id == present[0])).one()
        assert {d.proposal_id: d.dots for d in seat.dots} == {ideas[1].id: 1, ideas[2].id: 2}
        assert db.session.scalar(select(func.count(WorkshopDot.id))) == 3  # no ballot counted twice
        totals = {row.proposal.title: row.links for row in workshops.ranking(db.session, event)}
        assert totals == {"Idee 0": 1, "Idee 1": 1, "Idee 2": 2}
        assert db.session.scalar(select(func.count(WorkshopProposal.id))) == 3
        assert db.session.scalar(select(func.count(WorkshopGroup.id))) == 1

        # the other way round: the twin's ballot is older, the kept one stays
        other_person = db.session.get_one(Person, present[2])
        result = merge_persons(db.session, seat.person, other_person)
        db.session.commit()
        assert "Werkstatt-Punkte" not in result.moved
        seat = db.session.scalars(select(WorkshopParticipant).where(
            WorkshopParticipant.person_id == present[0])).one()
        assert {d.proposal_id: d.dots for d in seat.dots} == {ideas[1].id: 1, ideas[2].id: 2}
