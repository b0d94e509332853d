"""Merging duplicates: every tie moves to the kept record, nothing is duplicated, the merge is audited."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import (
    Actor,
    Affiliation,
    Answer,
    Attendance,
    AuditEntry,
    Base,
    Consent,
    ConsentPurpose,
    Cooperation,
    Invitation,
    Membership,
    MembershipRole,
    OutboxMessage,
    Person,
    Role,
)
from crm.services.landscape import merge
from tests import factories_coordinator as f


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def twins(app):
    """Two records of the same Kita, each with its own ties, some of which collide after the merge."""
    area = f.area(app, "Trier-Nord")
    keep = f.actor(app, "Kita St. Anna", kind="Kita", topics=["MINT"], life_stages=["fruehkindlich"],
                   notes="Träger: Pfarrei")
    other = f.actor(app, "KiTa St. Anna e.V.", kind="Kita", area_id=area, street="Annastraße 3", postcode="54292",
                    city="Trier", email="info@kita-anna.example", external_ref="KITA-17",
                    topics=["MINT", "Sprache und Integration (Neuzugewanderte)"], life_stages=["primar"],
                    notes="Zweiter Eintrag vom Import")
    school = f.actor(app, "Grundschule Olewig")
    ihk = f.actor(app, "IHK Trier", kind="Industrie- und Handelskammer")
    branch = f.actor(app, "Kita St. Anna – Außenstelle", kind="Kita", parent_id=other)
    ids = dict(keep=keep, other=other, school=school, ihk=ihk, branch=branch, area=area)
    # Cooperations: a clash (same type, same partner, overlapping), a plain move, a tie between the twins.
    ids["tie_keep"] = f.cooperation(app, keep, school, start=date(2022, 1, 1), intensity=1, topics=["MINT"])
    ids["tie_clash"] = f.cooperation(app, school, other, start=date(2021, 6, 1), end=None, intensity=3,
                                     topics=["Sprache und Integration (Neuzugewanderte)"], description="Vertrag 2021")
    ids["tie_move"] = f.cooperation(app, other, ihk, ctype="Projektpartnerschaft", start=date(2023, 1, 1))
    ids["tie_self"] = f.cooperation(app, keep, other, ctype="Informeller Austausch")
    # Memberships: the same initiative (overlapping) and another one.
    ids["mint"] = f.initiative(app, "MINT-Lernen", members=((keep, MembershipRole.MEMBER),
                                                           (other, MembershipRole.LEAD)))
    ids["alpha"] = f.initiative(app, "Alphabündnis", members=((other, MembershipRole.PARTNER),))
    # People and events.
    ids["anna"] = f.person(app, "Schmidt", "Anna", actor_id=other, function="Leitung")
    ids["ben"] = f.person(app, "Braun", "Ben", actor_id=keep, function="Leitung")
    with app.app_context():
        db.session.add(Affiliation(person_id=ids["ben"], actor_id=other, function="leitung",
                                   email="ben@kita-anna.example", from_date=date(2020, 1, 1)))
        db.session.commit()
    ids["event"] = f.event(app)
    ids["inv_anna"] = f.invite(app, ids["event"], ids["anna"], other, Answer.ACCEPTED, attended=True)
    return ids


def test_merge_actors_moves_every_tie(app, twins) -> None:
    t = twins
    with app.app_context():
        keep, other = db.session.get(Actor, t["keep"]), db.session.get(Actor, t["other"])
        result = merge.merge_actors(db.session, keep, other)
        db.session.commit()
        assert db.session.get(Actor, t["other"]) is None
        keep = db.session.get(Actor, t["keep"])
        # Cooperations: the clash became one (wider period, higher intensity, both topics), the plain
        # one moved, the tie between the twins is gone.
        ties = {c.id: c for c in db.session.scalars(select(Cooperation))}
        assert set(ties) == {t["tie_keep"], t["tie_move"]}
        combined = ties[t["tie_keep"]]
        assert (combined.start_date, combined.end_date, combined.intensity) == (date(2021, 6, 1), None, 3)
        assert sorted(x.name for x in combined.topics) == ["MINT", "Sprache und Integration (Neuzugewanderte)"]
        assert combined.description == "Vertrag 2021"
        assert (ties[t["tie_move"]].source_id, ties[t["tie_move"]].target_id) == (t["keep"], t["ihk"])
        # Memberships: one per initiative, the stronger role kept.
        memberships = {m.initiative_id: m for m in db.session.scalars(select(Membership))}
        assert {k: (m.actor_id, m.role) for k, m in memberships.items()} == {
            t["mint"]: (t["keep"], MembershipRole.LEAD), t["alpha"]: (t["keep"], MembershipRole.PARTNER)}
        # Affiliations: Anna moved; Ben's two "Leitung" rows became one, with the work address.
        affiliations = db.session.scalars(select(Affiliation).order_by(Affiliation.person_id)).all()
        assert [(a.person_id, a.actor_id) for a in affiliations] == [(t["anna"], t["keep"]), (t["ben"], t["keep"])]
        assert affiliations[1].email == "ben@kita-anna.example"
        # Invitations and attendance name the kept actor; the sub-actor hangs below it.
        assert db.session.get(Invitation, t["inv_anna"]).actor_id == t["keep"]
        assert db.session.scalars(select(Attendance.actor_id)).all() == [t["keep"]]
        assert db.session.get(Actor, t["branch"]).parent_id == t["keep"]
        # Fields: empty ones filled, topics and life stages united, notes appended, the reference moved.
        assert (keep.area_id, keep.street, keep.email, keep.external_ref) == (
            t["area"], "Annastraße 3", "info@kita-anna.example", "KITA-17")
        assert keep.name == "Kita St. Anna"
        assert sorted(s.code for s in keep.life_stages) == ["fruehkindlich", "primar"]
        assert len(keep.topics) == 2
        assert keep.notes.startswith("Träger: Pfarrei") and "Zweiter Eintrag vom Import" in keep.notes
        assert result.moved["Kooperationen"] == 1 and result.combined["Kooperationen"] == 1
        # Audited on both records, naming both.
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "merge")
                                     .order_by(AuditEntry.entity_id)).all()
        assert [(e.entity_type, e.entity_id) for e in entries] == [("Actor", t["keep"]), ("Actor", t["other"])]
        assert "„KiTa St. Anna e.V.“" in entries[0].summary and "„Kita St. Anna“" in entries[0].summary
        assert entries[0].changes["übernommen"]["Kooperationen"] == 1
        deleted = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "delete",
                                                              AuditEntry.entity_type == "Actor")).one()
        assert deleted.entity_id == t["other"]


def test_keep_below_the_other_takes_its_place(app) -> None:
    top = f.actor(app, "Dezernat II", kind="Dezernat")
    other = f.actor(app, "Amt für Schulen", kind="Amt / Dienststelle", parent_id=top)
    keep = f.actor(app, "Schulamt", kind="Amt / Dienststelle", parent_id=other)
    with app.app_context():
        merge.merge_actors(db.session, db.session.get(Actor, keep), db.session.get(Actor, other))
        db.session.commit()
        assert db.session.get(Actor, keep).parent_id == top


def test_merge_refuses_itself(app) -> None:
    from crm.services.errors import ServiceError

    actor_id = f.actor(app, "Kita")
    with app.app_context():
        actor = db.session.get(Actor, actor_id)
        with pytest.raises(ServiceError):
            merge.merge_actors(db.session, actor, actor)


def test_merge_covers_every_reference_to_actors_and_persons() -> None:
    """A table added later that points at actors or persons must be handled here (or is re-pointed)."""
    found = {"actors": set(), "persons": set()}
    for table in Base.metadata.tables.values():
        for fk in table.foreign_keys:
            if fk.column.table.name in found:
                found[fk.column.table.name].add((table.name, fk.parent.name))
    assert found["actors"] == merge.ACTOR_REFERENCES
    assert found["persons"] == merge.PERSON_REFERENCES


def test_merge_persons_keeps_the_better_answer(app) -> None:
    school = f.actor(app, "Grundschule Olewig")
    kita = f.actor(app, "Kita St. Anna", kind="Kita")
    keep = f.person(app, "Müller", "Jörg", "", actor_id=school, function="Schulleitung")
    other = f.person(app, "Mueller", "Joerg", "j.mueller@schule.example", actor_id=kita, function="Elternbeirat",
                      phone="0651 5", is_opted_out=True)
    conference, talk, workshop = f.event(app, "Konferenz"), f.event(app, "Gespräch"), f.event(app, "Werkstatt")
    # The same event twice: pending for keep, accepted for other (with a mail sent for it) -> accepted stays.
    pending = f.invite(app, conference, keep, school, Answer.PENDING)
    accepted = f.invite(app, conference, other, kita, Answer.ACCEPTED, comment="komme mit Kollegin",
                        answered_at=datetime(2025, 2, 1, tzinfo=UTC))
    # The same event twice the other way round, both checked in: the earlier check-in stays.
    f.invite(app, talk, keep, school, Answer.ACCEPTED)
    declined = f.invite(app, talk, other, kita, Answer.DECLINED)
    only_other = f.invite(app, workshop, other, kita, Answer.TENTATIVE)
    with app.app_context():
        db.session.add(OutboxMessage(recipient="j.mueller@schule.example", subject="Einladung", body_text="…",
                                     invitation_id=accepted))
        db.session.add(OutboxMessage(recipient="j.mueller@schule.example", subject="Einladung", body_text="…",
                                     invitation_id=declined))
        db.session.add(Attendance(event_id=talk, person_id=keep, checked_in_at=datetime(2025, 5, 1, 10, tzinfo=UTC)))
        db.session.add(Attendance(event_id=talk, person_id=other, checked_in_at=datetime(2025, 5, 1, 9, tzinfo=UTC)))
        db.session.add(Consent(person_id=other, purpose=ConsentPurpose.NEWSLETTER, method="Formular"))
        db.session.commit()
        result = merge.merge_persons(db.session, db.session.get(Person, keep), db.session.get(Person, other))
        db.session.commit()
        assert db.session.get(Person, other) is None
        person = db.session.get(Person, keep)
        assert (person.email, person.phone, person.is_opted_out) == ("j.mueller@schule.example", "0651 5", True)
        assert sorted(a.function for a in person.affiliations) == ["Elternbeirat", "Schulleitung"]
        invitations = {i.event_id: i for i in db.session.scalars(select(Invitation))}
        assert len(invitations) == 3 and all(i.person_id == keep for i in invitations.values())
        assert invitations[conference].id == accepted and invitations[conference].answer == Answer.ACCEPTED
        assert invitations[conference].comment == "komme mit Kollegin"
        assert invitations[talk].answer == Answer.ACCEPTED and invitations[workshop].id == only_other
        assert db.session.get(Invitation, pending) is None and db.session.get(Invitation, declined) is None
        # Mail sent for a dropped invitation is kept with the one that stays.
        assert sorted(db.session.scalars(select(OutboxMessage.invitation_id))) == [accepted, invitations[talk].id]
        (attendance,) = db.session.scalars(select(Attendance)).all()
        assert attendance.person_id == keep and attendance.checked_in_at == datetime(2025, 5, 1, 9, tzinfo=UTC)
        assert db.session.scalars(select(Consent.person_id)).all() == [keep]
        assert result.combined == {"Einladungen": 2, "Teilnahmen": 1}
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "merge")).all()
        assert {(e.entity_type, e.entity_id) for e in entries} == {("Person", keep), ("Person", other)}


def test_merge_through_the_pages(app, login_as, twins) -> None:
    t = twins
    client = login_as(Role.COORDINATOR)
    page = client.get(f"/akteure/{t['keep']}/zusammenfuehren").get_data(as_text=True)
    assert 'data-testid="merge-candidates"' in page and "KiTa St. Anna e.V." in page  # suggested
    page = client.get(f"/akteure/{t['keep']}/zusammenfuehren?mit_id={t['other']}").get_data(as_text=True)
    assert "„Kita St. Anna“ behalten" in page and "„KiTa St. Anna e.V.“ behalten" in page
    response = client.post_form(f"/akteure/{t['keep']}/zusammenfuehren", {"other_id": str(t["other"]), "keep": "this"})
    assert response.status_code == 422 and "Bitte bestätigen Sie das Zusammenführen." in response.get_data(as_text=True)
    response = client.post_form(f"/akteure/{t['keep']}/zusammenfuehren", {"other_id": str(t["other"]), "keep": "this",
                                                                          "confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/akteure/{t['keep']}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "„KiTa St. Anna e.V.“ wurde in „Kita St. Anna“ übernommen und gelöscht." in page
    assert "zusammengeführt" in page.split('data-testid="history"', 1)[1]
    assert client.get(f"/akteure/{t['other']}").status_code == 404


def test_merge_keeping_the_other_record(app, login_as) -> None:
    first = f.actor(app, "VHS Trier")
    second = f.actor(app, "Volkshochschule Trier", kind="Volkshochschule")
    f.cooperation(app, first, f.actor(app, "Stadtbibliothek", kind="Bibliothek"))
    client = login_as(Role.ADMIN)
    response = client.post_form(f"/akteure/{first}/zusammenfuehren", {"other_id": str(second), "keep": "other",
                                                                     "confirm": "y"})
    assert response.headers["Location"].endswith(f"/akteure/{second}")
    with app.app_context():
        assert db.session.get(Actor, first) is None
        assert db.session.scalars(select(Cooperation.source_id)).one() == second


def test_merge_picker_by_name_and_bad_input(app, login_as) -> None:
    first = f.actor(app, "VHS Trier")
    f.actor(app, "Volkshochschule Trier", kind="Volkshochschule")
    client = login_as(Role.COORDINATOR)
    page = client.get(f"/akteure/{first}/zusammenfuehren?mit=volkshochschule").get_data(as_text=True)
    assert "„Volkshochschule Trier“ behalten" in page
    page = client.get(f"/akteure/{first}/zusammenfuehren?mit_id={first}", follow_redirects=True).get_data(as_text=True)
    assert "nicht mit sich selbst zusammengeführt" in page
    assert client.post_form(f"/akteure/{first}/zusammenfuehren", {"other_id": "x", "keep": "this",
                                                                 "confirm": "y"}).status_code == 400


def test_merge_persons_through_the_pages_and_permissions(app, client, create_user) -> None:
    keep = f.person(app, "Müller", "Jörg", "j@schule.example")
    other = f.person(app, "Mueller", "Joerg")
    for role in (Role.VIEWER, Role.ORGANISER):
        client.login(create_user(role).email)
        assert client.get(f"/personen/{keep}/zusammenfuehren").status_code == 403
        assert client.post_form(f"/personen/{keep}/zusammenfuehren", {"other_id": str(other), "keep": "this",
                                                                     "confirm": "y"}).status_code == 403
        client.post_form("/abmelden")
    client.login(create_user(Role.COORDINATOR).email)
    page = client.get(f"/personen/{keep}/zusammenfuehren").get_data(as_text=True)
    assert "Joerg Mueller" in page and "gleicher Name" in page
    response = client.post_form(f"/personen/{keep}/zusammenfuehren", {"other_id": str(other), "keep": "this",
                                                                      "confirm": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Person, other) is None and _count(AuditEntry) > 0


def test_merge_carries_survey_answers_and_workshop_seats(app) -> None:
    """Both twins answered the same survey round and both contacts sat at one workshop: after the
    merge one recipient and one seat remain, holding every reported tie and every proposal."""
    from crm.models import (
        Decision,
        ReportedTie,
        ReviewKind,
        SurveyDecision,
        SurveyRecipient,
        SurveyRound,
        WorkshopGroup,
        WorkshopParticipant,
        WorkshopProposal,
    )
    from crm.models.workshops import workshop_proposers

    keep, other, school = f.actor(app, "Kita St. Anna"), f.actor(app, "KiTa St. Anna"), f.actor(app, "GS Olewig")
    anna, anna_twin = f.person(app, "Schmidt", "Anna", actor_id=keep), f.person(app, "Schmidt", "Anna")
    workshop = f.event(app, "Strategiewerkstatt")
    with app.app_context():
        rnd = SurveyRound(title="Befragung 2026", questions=["partners"])
        mine, theirs = SurveyRecipient(round=rnd, actor_id=keep), SurveyRecipient(round=rnd, actor_id=other)
        db.session.add_all([rnd, mine, theirs])
        db.session.flush()
        db.session.add_all([
            ReportedTie(round_id=rnd.id, recipient_id=mine.id, reporter_id=keep, partner_id=school, intensity=2),
            ReportedTie(round_id=rnd.id, recipient_id=theirs.id, reporter_id=other, partner_id=school, intensity=3),
            ReportedTie(round_id=rnd.id, recipient_id=theirs.id, reporter_id=other, partner_id=keep, intensity=1),
            SurveyDecision(round_id=rnd.id, low_id=min(keep, school), high_id=max(keep, school),
                           kind=ReviewKind.NEW, decision=Decision.ACCEPTED),
            SurveyDecision(round_id=rnd.id, low_id=min(other, school), high_id=max(other, school),
                           kind=ReviewKind.NEW, decision=Decision.REJECTED),
        ])
        table = WorkshopGroup(event_id=workshop, name="Tisch 1")
        db.session.add(table)
        db.session.flush()
        seat = WorkshopParticipant(event_id=workshop, group_id=table.id, person_id=anna, actor_id=keep)
        twin_seat = WorkshopParticipant(event_id=workshop, group_id=table.id, person_id=anna_twin, actor_id=other)
        proposal = WorkshopProposal(group_id=table.id, title="Sprachkitas vernetzen")
        db.session.add_all([seat, twin_seat, proposal])
        db.session.flush()
        db.session.execute(workshop_proposers.insert().values(proposal_id=proposal.id, participant_id=twin_seat.id))
        db.session.commit()
        round_id, seat_id, proposal_id = rnd.id, seat.id, proposal.id

        merge.merge_actors(db.session, db.session.get(Actor, keep), db.session.get(Actor, other))
        merge.merge_persons(db.session, db.session.get(Person, anna), db.session.get(Person, anna_twin))
        db.session.commit()

        [recipient] = db.session.scalars(select(SurveyRecipient).where(SurveyRecipient.round_id == round_id)).all()
        assert recipient.actor_id == keep
        ties = db.session.scalars(select(ReportedTie).order_by(ReportedTie.id)).all()
        assert [(t.recipient_id, t.reporter_id, t.partner_id, t.intensity) for t in ties] == [
            (recipient.id, keep, school, 2), (recipient.id, keep, school, 3)]  # the tie between the twins is gone
        decisions = db.session.scalars(select(SurveyDecision)).all()
        assert [(d.low_id, d.high_id, d.decision) for d in decisions] == [
            (min(keep, school), max(keep, school), Decision.ACCEPTED)]  # the kept record's decision wins
        [remaining] = db.session.scalars(select(WorkshopParticipant)).all()
        assert remaining.id == seat_id and remaining.person_id == anna and remaining.actor_id == keep
        assert db.session.execute(select(workshop_proposers.c.proposal_id, workshop_proposers.c.participant_id)
                                  ).all() == [(proposal_id, seat_id)]
