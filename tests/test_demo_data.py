"""The seeded vocabularies and the demo region: counts, reproducibility and the domain rules.

Runs on its own in-memory SQLite (``create_all``, no app, no migrations), so it checks the
services exactly as the CLI calls them: on a plain ``Session``. The demo is loaded once
per module; tests that need another load make their own engine.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.orm import Session

from crm.demo import data as demo_data
from crm.demo.generator import load_demo
from crm.models import (
    Actor,
    ActorKind,
    Affiliation,
    Answer,
    Area,
    Attendance,
    AttendanceSource,
    Base,
    Consent,
    ConsentPurpose,
    Cooperation,
    CooperationType,
    Event,
    EventKind,
    EventStatus,
    Initiative,
    Invitation,
    LifeStage,
    Membership,
    MembershipRole,
    Person,
    Topic,
)
from crm.services.landscape.vocabularies import seed_vocabularies
from crm.services.privacy import audit

TODAY = date(2026, 11, 1)
BERLIN = ZoneInfo("Europe/Berlin")
REPO = Path(__file__).resolve().parents[1]
# The audit log records *that* the demo was loaded (with the clock's time); it is not demo data.
NOT_DEMO_DATA = {"audit_entries", "data_versions"}  # bookkeeping: when it was written, not what


def _engine() -> Engine:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    return engine


def canonical_dump(session: Session) -> list[tuple[str, tuple[str, ...]]]:
    """Every row of every table in primary-key order, as text: equal dumps mean identical data."""
    rows = []
    for table in Base.metadata.sorted_tables:
        if table.name in NOT_DEMO_DATA:
            continue
        for row in session.execute(select(table).order_by(*table.primary_key.columns)):
            rows.append((table.name, tuple(repr(value) for value in row)))
    return rows


def _digest(rows: list[tuple[str, tuple[str, ...]]]) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _load_as_the_cli_does(session: Session, **options: Any) -> dict[str, int]:
    """Like ``flask crm demo``: the audit listener (installed once any app exists) is suppressed."""
    with audit.suppressed():
        return load_demo(session, **options)


def _load(seed: int = 2026, today: date = TODAY) -> list[tuple[str, tuple[str, ...]]]:
    engine = _engine()
    try:
        with Session(engine) as session:
            _load_as_the_cli_does(session, seed=seed, today=today)
            session.commit()
            return canonical_dump(session)
    finally:
        engine.dispose()


@dataclass
class DemoLoad:
    session: Session
    counts: dict[str, int]
    statements: int


@pytest.fixture(scope="module")
def demo_load() -> Iterator[DemoLoad]:
    engine = _engine()
    session = Session(engine)
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(1))
    counts = _load_as_the_cli_does(session)
    session.commit()
    yield DemoLoad(session, counts, len(statements))
    session.close()
    engine.dispose()


@pytest.fixture
def demo_session(demo_load: DemoLoad) -> Session:
    return demo_load.session


@pytest.fixture
def vocab_session() -> Iterator[Session]:
    engine = _engine()
    with Session(engine) as session:
        yield session
    engine.dispose()


def _all(session: Session, model: type) -> list:
    return list(session.scalars(select(model).order_by(model.id)))


# --- vocabularies -------------------------------------------------------------------------

def test_life_stages_follow_the_life_course_exactly(vocab_session: Session) -> None:
    seed_vocabularies(vocab_session)
    stages = vocab_session.scalars(select(LifeStage).order_by(LifeStage.sort_order)).all()
    assert [(s.code, s.name) for s in stages] == [
        ("fruehkindlich", "Frühkindliche Bildung"), ("primar", "Primarstufe"), ("sek", "Sekundarstufe"),
        ("uebergang_sb", "Übergang Schule–Beruf"), ("ausbildung", "Ausbildung"), ("hochschule", "Hochschule"),
        ("weiterbildung", "Weiterbildung"), ("nachberuflich", "Nachberufliche Bildung"),
    ]
    assert len({s.sort_order for s in stages}) == 8


def test_default_vocabularies_are_german_and_complete(vocab_session: Session) -> None:
    created = seed_vocabularies(vocab_session)
    assert created == {"Akteursarten": len(vocab_session.scalars(select(ActorKind)).all()),
                       "Bildungsphasen": 8, "Themenfelder": 13, "Kooperationsarten": 8, "Veranstaltungsarten": 5,
                       "Zielgruppen": 6}
    kinds = {k.name: k for k in vocab_session.scalars(select(ActorKind))}
    assert 25 <= len(kinds) <= 30
    assert {k.category for k in kinds.values()} >= {"Kita", "Schule", "Hochschule", "Weiterbildung", "Wirtschaft",
                                                    "Arbeitsmarkt", "Stiftung", "Zivilgesellschaft", "Kultur",
                                                    "Jugendhilfe", "Verwaltung", "Einzelperson"}
    assert {k.name for k in kinds.values() if k.is_individual} == {
        "Ehrenamtliche Person", "Unabhängige Expertin / unabhängiger Experte"}
    assert all(k.category == "Einzelperson" for k in kinds.values() if k.is_individual)
    assert len({k.sort_order for k in kinds.values()}) == len(kinds)
    types = {t.name: t.is_directed for t in vocab_session.scalars(select(CooperationType))}
    assert {name for name, directed in types.items() if directed} == {
        "Förderung", "Vermittlung / Verweisberatung", "Raum- und Sachleistung"}
    topics = [t.name for t in vocab_session.scalars(select(Topic).order_by(Topic.sort_order))]
    assert topics[0] == "MINT" and "Family Literacy" in topics and "Elternbeteiligung" in topics
    assert {k.name for k in vocab_session.scalars(select(EventKind))} == {
        "Bildungskonferenz", "Bildungsgespräch", "Strategiewerkstatt", "Fortbildung", "Netzwerktreffen"}
    assert vocab_session.scalars(select(Area)).all() == []  # each office brings its own areas


def test_seeding_twice_creates_nothing_and_keeps_admin_edits(vocab_session: Session) -> None:
    seed_vocabularies(vocab_session)
    vocab_session.commit()
    kita = vocab_session.scalars(select(ActorKind).where(ActorKind.name == "Kita")).one()
    kita.category, kita.sort_order = "Frühe Bildung", 99
    stage = vocab_session.scalars(select(LifeStage).where(LifeStage.code == "sek")).one()
    stage.code = "sek1"  # an admin re-codes a stage; the name still identifies it
    mint = vocab_session.scalars(select(Topic).where(Topic.name == "MINT")).one()
    mint.is_active = False
    vocab_session.commit()
    before = canonical_dump(vocab_session)

    assert seed_vocabularies(vocab_session) == {"Akteursarten": 0, "Bildungsphasen": 0, "Themenfelder": 0,
                                                "Kooperationsarten": 0, "Veranstaltungsarten": 0,
                                                "Zielgruppen": 0}
    vocab_session.commit()
    assert canonical_dump(vocab_session) == before


# --- the demo: size, speed, reproducibility ---------------------------------------------------

def test_counts_are_in_the_expected_ranges(demo_load: DemoLoad) -> None:
    session, counts = demo_load.session, demo_load.counts

    def count(model: type) -> int:
        return session.scalar(select(func.count()).select_from(model)) or 0

    assert counts["Akteure"] == count(Actor) and 140 <= count(Actor) <= 160
    assert counts["Personen"] == count(Person) == 300
    assert counts["Kooperationen"] == count(Cooperation) == 250
    assert counts["Initiativen"] == count(Initiative) == 6 + len(demo_data.DUPLICATE_INITIATIVES)
    assert counts["Veranstaltungen"] == count(Event) and 18 <= count(Event) <= 30
    assert counts["Einladungen"] == count(Invitation) and 1000 <= count(Invitation) <= 2500
    assert counts["Teilnahmen"] == count(Attendance) and count(Attendance) > 500
    assert counts["Gebiete"] == count(Area) == 2 + 19 + 6
    assert counts["Zugehörigkeiten"] == count(Affiliation) > 300
    assert counts["Einwilligungen"] == count(Consent) > 0
    assert counts["Mitgliedschaften"] == count(Membership)


def test_loading_needs_no_more_than_one_statement_per_row(demo_load: DemoLoad) -> None:
    """`make run` loads the demo in a few seconds; what keeps it there is that no row costs extra
    queries (lookups per row would multiply the statements). Counted, not timed: timings belong in
    bench/ (rule 6), and a timed test failed on a busy machine."""
    session = demo_load.session
    rows = sum(session.scalar(select(func.count()).select_from(table)) or 0
               for table in Base.metadata.sorted_tables if table.name not in NOT_DEMO_DATA)
    assert rows > 3000
    assert demo_load.statements <= rows * 1.1, (demo_load.statements, rows)


def test_same_seed_gives_identical_rows_other_seed_other_rows(demo_session: Session) -> None:
    first = canonical_dump(demo_session)
    assert _load(2026) == first
    assert _load(7) != first


def test_rows_do_not_depend_on_hash_randomisation(demo_session: Session) -> None:
    """Another interpreter with another PYTHONHASHSEED: set iteration order must not leak into the data."""
    script = (
        "import hashlib, sys\n"
        "sys.path.insert(0, 'tests')\n"
        "from test_demo_data import _load, _digest\n"
        "print(_digest(_load()))\n"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345", PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, "-W", "error", "-c", script], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == _digest(canonical_dump(demo_session))


# --- actors and areas -------------------------------------------------------------------------

def test_areas_form_the_city_and_district_tree(demo_session: Session) -> None:
    roots = demo_session.scalars(select(Area).where(Area.parent_id.is_(None)).order_by(Area.sort_order)).all()
    assert [(a.name, a.level) for a in roots] == [("Stadt Trier", "Stadt"),
                                                   ("Landkreis Trier-Saarburg", "Landkreis")]
    city, county = roots
    assert len(city.children) == 19 and {a.level for a in city.children} == {"Stadtteil"}
    assert "Olewig" in {a.name for a in city.children}
    assert {a.name for a in county.children} == {"Konz", "Saarburg-Kell", "Schweich an der Römischen Weinstraße",
                                                 "Trier-Land", "Ruwer", "Hermeskeil"}


def test_every_actor_has_kind_area_and_a_plausible_address(demo_session: Session) -> None:
    actors = _all(demo_session, Actor)
    assert all(a.kind is not None and a.area is not None for a in actors)
    city_actors = sum(1 for a in actors if a.area.path[0].name == "Stadt Trier")
    assert city_actors > len(actors) - city_actors  # more in the city than in the district
    assert len({a.name for a in actors}) == len(actors)
    assert len({a.email for a in actors}) == len(actors)
    for actor in actors:
        assert actor.email.endswith(".example") and actor.postcode.isdigit() and len(actor.postcode) == 5
        assert actor.website == "" or actor.website.endswith(".example")
        if actor.area.path[0].name == "Stadt Trier":
            assert actor.city == "Trier" and "54290" <= actor.postcode <= "54296"
        if actor.latitude is not None:
            assert abs(float(actor.latitude) - 49.75) < 0.2 and abs(float(actor.longitude) - 6.64) < 0.35
        assert 1 <= len(actor.topics) <= 3 and actor.life_stages
    by_kind = Counter(a.kind.name for a in actors)
    assert by_kind["Kita"] >= 25 and by_kind["Grundschule"] >= 20 and by_kind["Unternehmen"] >= 8
    individuals = [a for a in actors if a.kind.is_individual]
    assert 5 <= len(individuals) <= 8
    assert all(a.street == "" and a.latitude is None for a in individuals)  # no home addresses on the map
    inactive = [a for a in actors if not a.is_active]
    assert 2 <= len(inactive) <= 6


def test_life_stages_fit_the_kind(demo_session: Session) -> None:
    expected = {"Kita": {"fruehkindlich"}, "Grundschule": {"primar"},
                "Berufsbildende Schule": {"uebergang_sb", "ausbildung"}, "Hochschule": {"hochschule", "weiterbildung"},
                "Volkshochschule": {"weiterbildung", "nachberuflich"}}
    for actor in _all(demo_session, Actor):
        if actor.kind.name in expected:
            assert expected[actor.kind.name] <= {s.code for s in actor.life_stages}, actor.name
    assert any({s.code for s in a.life_stages} >= {"primar", "fruehkindlich"}
               for a in _all(demo_session, Actor) if a.kind.name == "Grundschule")


def test_schools_carry_unique_school_numbers_and_amter_sit_in_their_dezernat(demo_session: Session) -> None:
    actors = _all(demo_session, Actor)
    schools = [a for a in actors if a.kind.category == "Schule"]
    assert schools and all(a.external_ref and a.external_ref.startswith("SN-") for a in schools)
    assert all(a.external_ref is None for a in actors if a.kind.category != "Schule")
    dezernat = next(a for a in actors if a.kind.name == "Dezernat")
    assert {"Amt für Schulen und Sport", "Jugendamt"} <= {c.name for c in dezernat.children}
    assert any(a.name == "Schulträgerausschuss" for a in actors)


# --- persons ----------------------------------------------------------------------------------

def test_persons_have_unique_work_addresses_and_a_legal_basis(demo_session: Session) -> None:
    persons = _all(demo_session, Person)
    emails = [p.email for p in persons if p.email]
    assert len(emails) == len(set(emails)) and len(emails) < len(persons)  # unique; a few have none
    assert 1 <= sum(p.is_opted_out for p in persons) <= 15
    assert all(p.affiliations for p in persons)
    for person in persons:
        if person.email and not person.email.endswith("@mail.example"):
            domains = {a.actor.email.split("@")[1] for a in person.affiliations}
            assert person.email.split("@")[1] in domains
    bases = Counter(p.legal_basis.value for p in persons)
    assert bases["public_task"] > len(persons) / 2 and bases["consent"] >= 10
    consents = defaultdict(list)
    for consent in _all(demo_session, Consent):
        consents[consent.person_id].append(consent)
    for person in persons:
        if person.legal_basis.value == "consent":
            assert any(c.purpose is ConsentPurpose.INVITATIONS for c in consents[person.id]), person.full_name


def test_affiliations_have_fitting_functions_and_ended_ones_have_successors(demo_session: Session) -> None:
    affiliations = _all(demo_session, Affiliation)
    functions = Counter(a.function for a in affiliations)
    for expected in ("Schulleitung", "Kita-Leitung", "MINT-Koordination", "Schulsozialarbeit", "Amtsleitung",
                     "Ausbildungsberatung", "Lernbegleitung"):
        assert functions[expected] > 0, expected
    assert all(a.to_date is None or a.from_date <= a.to_date < TODAY for a in affiliations)
    ended = [a for a in affiliations if a.to_date is not None and a.actor.is_active]
    assert len(ended) >= 10
    with_successor = [a for a in ended if any(
        b.actor_id == a.actor_id and b.function == a.function and b.person_id != a.person_id
        and b.from_date is not None and b.from_date > a.to_date for b in a.actor.affiliations)]
    assert len(with_successor) >= 10
    assert any(not a.is_primary for a in affiliations)


# --- cooperations -----------------------------------------------------------------------------

def test_cooperation_invariants(demo_session: Session) -> None:
    ties = _all(demo_session, Cooperation)
    spans: dict[tuple[int, int, int], list[tuple[date, date]]] = defaultdict(list)
    for tie in ties:
        assert tie.source_id != tie.target_id
        assert tie.start_date is not None and date(2016, 1, 1) <= tie.start_date <= TODAY
        assert tie.end_date is None or tie.start_date <= tie.end_date < TODAY
        assert tie.is_directed == tie.type.is_directed
        assert 1 <= tie.intensity <= 3 and tie.topics and tie.life_stages and tie.description
        key = (min(tie.source_id, tie.target_id), max(tie.source_id, tie.target_id), tie.type_id)
        spans[key].append((tie.start_date, tie.end_date or date.max))
    for key, periods in spans.items():
        periods.sort()
        for (_s1, end1), (start2, _e2) in zip(periods, periods[1:]):
            assert start2 > end1, f"overlapping ties of one type between one pair: {key}"
    ended = sum(1 for t in ties if t.end_date) / len(ties)
    assert 0.15 <= ended <= 0.4
    assert {t.start_date.year for t in ties} == set(range(2016, TODAY.year + 1))


def test_ties_of_closed_actors_end_by_the_closing(demo_session: Session) -> None:
    for tie in _all(demo_session, Cooperation):
        for actor in (tie.source, tie.target):
            if not actor.is_active:
                assert tie.end_date is not None


def test_directed_ties_point_from_the_giver(demo_session: Session) -> None:
    directed = [t for t in _all(demo_session, Cooperation) if t.is_directed]
    assert {t.type.name for t in directed} == set(demo_data.DIRECTED_GIVER_KINDS)
    for tie in directed:
        assert tie.source.kind.name in demo_data.DIRECTED_GIVER_KINDS[tie.type.name], (tie.source.name, tie.type.name)
    pairs = {(t.source_id, t.target_id, t.type_id) for t in directed}
    assert not any((target, source, kind) in pairs for source, target, kind in pairs)


def test_the_network_has_clusters_brokers_isolates_and_cross_area_ties(demo_session: Session) -> None:
    ties = _all(demo_session, Cooperation)
    actors = _all(demo_session, Actor)
    degree = Counter()
    for tie in ties:
        degree[tie.source_id] += 1
        degree[tie.target_id] += 1
    isolated = {a.name for a in actors if degree[a.id] == 0}
    assert isolated == {s.name for s in demo_data.ACTORS if s.is_isolated}
    top = {a.short_name for a in actors if degree[a.id] >= sorted(degree.values())[-15]}
    assert {"VHS Trier", "Schulamt"} & top
    kita_school = [t for t in ties if {t.source.kind.name, t.target.kind.name} == {"Kita", "Grundschule"}]
    assert len(kita_school) >= 20 and sum(t.source.area_id == t.target.area_id for t in kita_school) > \
        len(kita_school) / 2
    roots = {t.id: (t.source.area.path[0].id, t.target.area.path[0].id) for t in ties}
    assert sum(1 for a, b in roots.values() if a != b) >= 10
    linked = [t for t in ties if t.initiative is not None]
    assert linked
    for tie in linked:
        members = {m.actor_id for m in tie.initiative.memberships}
        assert {tie.source_id, tie.target_id} <= members


# --- initiatives ------------------------------------------------------------------------------

def test_initiatives_have_one_lead_and_eight_to_25_members(demo_session: Session) -> None:
    initiatives = _all(demo_session, Initiative)
    assert {i.name for i in initiatives} == {
        "MINT-Initiativkreis Trier", "Bündnis für Alphabetisierung und Grundbildung Trier",
        "Knotenpunkte – Übergang Schule–Beruf", "Netzwerk Frühe Bildung", "Arbeitskreis Sprache und Integration",
        "Digitale Bildung Region Trier"} | {d.name for d in demo_data.DUPLICATE_INITIATIVES}
    left = 0
    for initiative in initiatives:
        roles = Counter(m.role for m in initiative.memberships)
        assert 8 <= len(initiative.memberships) <= 25
        assert roles[MembershipRole.LEAD] == 1 and roles[MembershipRole.PARTNER] >= 1
        assert len({m.actor_id for m in initiative.memberships}) == len(initiative.memberships)
        assert initiative.topics and initiative.life_stages
        for membership in initiative.memberships:
            assert membership.joined_on is not None and initiative.start_date <= membership.joined_on <= TODAY
            assert membership.left_on is None or membership.joined_on <= membership.left_on <= TODAY
            left += membership.left_on is not None
    assert left >= 3
    assert any(m.role is MembershipRole.FUNDER for i in initiatives for m in i.memberships)


def test_the_seeded_duplicate_shares_topic_and_most_members_with_its_twin(demo_session: Session) -> None:
    """The working-group overlap page must find it (issue 15): same topics, most members in common."""
    by_short = {i.short_name: i for i in _all(demo_session, Initiative)}
    for spec in demo_data.DUPLICATE_INITIATIVES:
        copy, twin = by_short[spec.short], by_short[spec.twin]
        assert {t.id for t in copy.topics} == {t.id for t in twin.topics}
        mine = {m.actor_id for m in copy.memberships}
        theirs = {m.actor_id for m in twin.memberships if m.left_on is None}
        assert mine < theirs and len(mine) / len(theirs) >= 0.75


def test_the_past_workshop_has_tables_proposals_and_dots(demo_session: Session) -> None:
    from crm.models import WorkshopGroup

    spec = demo_data.WORKSHOP_RESULTS[0]
    event = demo_session.scalars(select(Event).where(Event.title == spec.event_title)).one()
    tables = demo_session.scalars(select(WorkshopGroup).where(WorkshopGroup.event_id == event.id)
                                  .order_by(WorkshopGroup.id)).all()
    assert [t.name for t in tables] == [name for name, _proposals in spec.tables]
    present = {a.person_id for a in event.attendances}
    seated = [p.person_id for t in tables for p in t.participants]
    assert sorted(seated) == sorted(present)  # everyone who came sits at exactly one table
    assert sum(len(t.proposals) for t in tables) == 10
    assert all(p.proposers and {q.group_id for q in p.proposers} == {t.id} for t in tables for p in t.proposals)


# --- events -----------------------------------------------------------------------------------

def test_event_calendar(demo_session: Session) -> None:
    events = _all(demo_session, Event)
    for one in events:
        assert one.starts_at.tzinfo is not None and one.starts_at < one.ends_at
        assert one.answer_deadline is not None and one.answer_deadline < one.starts_at
        assert one.status is (EventStatus.DONE if one.starts_at.date() < TODAY else EventStatus.PUBLISHED)
    conferences = sorted((e for e in events if e.kind.name == "Bildungskonferenz"), key=lambda e: e.starts_at)
    assert [e.title for e in conferences] == [f"Bildungskonferenz Trier {y}" for y in range(2022, 2027)]
    for conference in conferences:
        start, end = conference.starts_at.astimezone(BERLIN), conference.ends_at.astimezone(BERLIN)
        assert (start.hour, start.minute, end.hour) == (9, 0, 16)
        invited = len(conference.invitations)
        accepted = sum(i.answer is Answer.ACCEPTED for i in conference.invitations)
        assert 130 <= invited <= 170 and 0.45 <= accepted / invited <= 0.75
        attended = sum(a.source is not AttendanceSource.WALK_IN for a in conference.attendances)
        assert 0.7 <= attended / accepted <= 1.0
    dialogues = [e for e in events if e.kind.name == "Bildungsgespräch"]
    assert min(e.starts_at.year for e in dialogues) == 2023 and len(dialogues) >= 14
    assert all(40 <= len(e.invitations) <= 60 and e.topics for e in dialogues)
    upcoming = [e for e in events if e.starts_at.date() > TODAY]
    assert [(e.kind.name, e.starts_at.astimezone(BERLIN).date()) for e in upcoming] == [
        ("Bildungsgespräch", date(2026, 12, 3))]
    answers = Counter(i.answer for i in upcoming[0].invitations)
    assert answers[Answer.PENDING] and answers[Answer.ACCEPTED]
    assert {e.kind.name for e in events} >= {"Strategiewerkstatt", "Fortbildung"}
    for one in events:
        accepted = sum(i.answer is Answer.ACCEPTED for i in one.invitations)
        assert one.capacity is None or accepted <= one.capacity
        waiting = sorted(i.waitlist_position for i in one.invitations if i.answer is Answer.WAITLISTED)
        assert waiting == list(range(1, len(waiting) + 1))
    assert any(i.answer is Answer.WAITLISTED for e in events for i in e.invitations)
    assert len({e.uid for e in events}) == len(events)


def test_invitations_reach_only_reachable_people_on_behalf_of_their_actor(demo_session: Session) -> None:
    now = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC)
    consents = defaultdict(list)
    for consent in _all(demo_session, Consent):
        consents[consent.person_id].append(consent)
    for invitation in _all(demo_session, Invitation):
        person, event = invitation.person, invitation.event
        assert person.email and not person.is_opted_out
        day = event.starts_at.astimezone(BERLIN).date()
        assert invitation.actor_id in {a.actor_id for a in person.affiliations if a.is_current(day)}
        assert invitation.invited_at is not None and invitation.invited_at < event.starts_at
        assert invitation.invited_at <= now
        if invitation.answer is Answer.PENDING:
            assert invitation.answered_at is None
        else:
            assert invitation.answered_at is not None and invitation.invited_at < invitation.answered_at <= now
        if person.legal_basis.value == "consent":
            assert any(c.purpose is ConsentPurpose.INVITATIONS and c.given_at <= invitation.invited_at
                       for c in consents[person.id])


def test_attendance_only_at_past_events_for_the_persons_actor(demo_session: Session) -> None:
    attendances = _all(demo_session, Attendance)
    sources = Counter(a.source for a in attendances)
    assert sources[AttendanceSource.DOOR] > sources[AttendanceSource.LIST] > 0 and sources[AttendanceSource.WALK_IN]
    invitations = {(i.event_id, i.person_id): i for i in _all(demo_session, Invitation)}
    for attendance in attendances:
        event = attendance.event
        assert event.starts_at.date() < TODAY and event.status is EventStatus.DONE
        assert attendance.actor_id is not None and attendance.checked_in_at.tzinfo is not None
        invitation = invitations.get((event.id, attendance.person_id))
        if attendance.source is AttendanceSource.WALK_IN:
            assert invitation is None
        else:
            assert invitation is not None and invitation.answer in (Answer.ACCEPTED, Answer.TENTATIVE)
            assert attendance.actor_id == invitation.actor_id


def test_an_earlier_today_moves_the_calendar_and_the_ties(vocab_session: Session) -> None:
    """``today`` is the only clock: nothing may start after it, and later events are only planned."""
    today = date(2025, 1, 15)
    counts = _load_as_the_cli_does(vocab_session, seed=3, today=today)
    assert counts["Personen"] == 300 and counts["Kooperationen"] == 250
    assert max(t.start_date for t in _all(vocab_session, Cooperation)) < today
    assert all(a.from_date is None or a.from_date < today for a in _all(vocab_session, Affiliation))
    assert all(a.event.starts_at.date() < today for a in _all(vocab_session, Attendance))
    events = _all(vocab_session, Event)
    conference = next(e for e in events if e.title == "Bildungskonferenz Trier 2025")
    assert conference.status is EventStatus.DRAFT and not conference.invitations  # planned, not sent yet
    assert not any(e.title == "Bildungskonferenz Trier 2026" for e in events)
    future = [e for e in events if e.starts_at.date() >= today]
    assert all(e.status in (EventStatus.PUBLISHED, EventStatus.DRAFT) and e.starts_at.date() < date(2025, 12, 31)
               for e in future)
    assert any(e.status is EventStatus.PUBLISHED and e.invitations for e in future)
    assert all(i.invited_at is not None and i.invited_at.date() <= today for e in future for i in e.invitations)
    for model in (Actor, Person, Cooperation, Initiative, Event):
        assert all(row.created_at.date() <= today for row in _all(vocab_session, model)), model.__name__
