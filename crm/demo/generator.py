"""The fictional demo region: a Trier-like city and its district, reproducible from a seed.

Why reproducible: screenshots, the user guide and the tests all describe the same
landscape, so two loads with the same seed must write identical rows. Hence one
``random.Random(seed)`` for every choice, the ``today`` parameter instead of the clock,
loops only over tuples and lists (never over sets), and explicit values for columns
that would otherwise default to the clock or to ``uuid4`` (timestamps, ``Event.uid``).

Why fast: the demo is loaded by ``make run`` and by tests, so everything is built in
memory, added with ``add_all`` and flushed once; no query runs while building.

The static material (actors, names, tie rules …) lives in ``crm.demo.data``.
Like every service this one flushes and leaves the commit to the caller.
"""
from __future__ import annotations

import random
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.demo import data
from crm.demo.data import DEMO_REGION_NAME
from crm.models import (
    Actor,
    ActorKind,
    Affiliation,
    Answer,
    Area,
    Attendance,
    AttendanceSource,
    Consent,
    ConsentPurpose,
    Cooperation,
    CooperationType,
    Event,
    EventKind,
    EventStatus,
    Initiative,
    InitiativeKind,
    Invitation,
    LegalBasis,
    LifeStage,
    Membership,
    MembershipRole,
    Offer,
    OfferStatus,
    Person,
    ReportedTie,
    SurveyQuestion,
    SurveyRecipient,
    SurveyRound,
    SurveyStatus,
    TargetGroup,
    Topic,
    WorkshopGroup,
    WorkshopParticipant,
    WorkshopProposal,
)
from crm.services.landscape.vocabularies import seed_vocabularies
from crm.services.offers.search import offer_text

__all__ = ["DEFAULT_SEED", "DEFAULT_TODAY", "DEMO_REGION_NAME", "load_demo", "local_time", "slugify"]

BERLIN = ZoneInfo("Europe/Berlin")
DEFAULT_SEED = 2026
# Fictional, simplified outlines of the demo areas (hexagons around each place; made by hand, not real borders).
OUTLINES_FILE = Path(__file__).with_name("outlines.geojson")
DEFAULT_TODAY = date(2026, 11, 1)
# Events the demo shows in the portal's calendar, and those open for registration there.
PUBLIC_KINDS = frozenset({"Bildungskonferenz", "Bildungsgespräch", "Fortbildung"})
OPEN_KINDS = frozenset({"Bildungsgespräch", "Fortbildung"})

T = TypeVar("T")

_TRANSLITERATION = str.maketrans({
    "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ı": "i", "ş": "s", "Ş": "S",
    "ś": "s", "ć": "c", "ğ": "g", "ł": "l",
})
_DOMAIN_PREFIXES = (("grundschule-", "gs-"), ("realschule-plus-", "rsplus-"), ("staedtische-", ""), ("ev-", ""))
_DOMAIN_SUFFIXES = ("-gmbh-co-kg", "-ggmbh", "-gmbh", "-e-v", "-ag", "-eg")
_INTENSITY = {"Kooperationsvertrag": (2, 3, 3), "Informeller Austausch": (1, 1, 2), "Gremienarbeit": (1, 2),
              "Förderung": (2, 2, 3)}


def slugify(text: str, max_length: int = 40) -> str:
    """ASCII, lower case, hyphens: for the demo's mail and web addresses (umlauts transliterated, not dropped)."""
    folded = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION)).encode("ascii", "ignore").decode()
    slug = "-".join("".join(c if c.isalnum() else " " for c in folded.lower()).split())
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug


def local_time(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Trier as an aware UTC datetime (the columns refuse naive ones)."""
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN).astimezone(UTC)


def _first_weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


@dataclass
class _Tie:
    """A cooperation in the making, kept with positions so no flush is needed to compare actors."""

    source: int
    target: int
    start: date
    end: date | None


@dataclass
class _Members:
    """Membership of one initiative by actor position: (joined, left)."""

    spec: data.InitiativeSpec
    initiative: Initiative
    periods: dict[int, tuple[date, date | None]] = field(default_factory=dict)

    def member_on(self, position: int, day: date) -> bool:
        period = self.periods.get(position)
        return period is not None and period[0] <= day and (period[1] is None or period[1] >= day)


@dataclass(frozen=True)
class _EventPlan:
    """One event to create: when, for whom, how many invitations, sent how many days ahead."""

    kind: str
    title: str
    day: date
    start: tuple[int, int]
    end: tuple[int, int]
    invitees: int
    capacity: int
    audience: tuple[str, ...]  # pool selectors; empty means everyone, topic holders first
    topics: tuple[str, ...]
    initiative: str
    lead_days: int
    description: str
    is_next: bool = False      # the next Bildungsgespräch: always open for answers


class _DemoBuilder:
    """Builds the region step by step; each step only reads what earlier steps made."""

    def __init__(self, session: Session, seed: int, today: date) -> None:
        self.session = session
        self.rng = random.Random(seed)
        self.rng_seed = seed
        self.today = today
        self.kinds = self._vocabulary(ActorKind, "name")
        self.stages = self._vocabulary(LifeStage, "code")
        self.topics = self._vocabulary(Topic, "name")
        self.types = self._vocabulary(CooperationType, "name")
        self.event_kinds = self._vocabulary(EventKind, "name")
        self.groups = self._vocabulary(TargetGroup, "name")
        self.areas: dict[str, Area] = {}
        self.county_areas: frozenset[str] = frozenset()
        self.places: dict[str, data.Place] = {}
        self.actors: list[Actor] = []
        self.specs: list[data.ActorSpec] = []
        # Actors and persons are referred to by their position in these lists; dicts keyed by
        # id(obj) serve lookups only and are never iterated (their order would follow memory).
        self.by_ref: dict[str, int] = {}
        self.actor_pos: dict[int, int] = {}
        self.closed: dict[int, date] = {}
        self.domains: dict[int, str] = {}
        self.emails: set[str] = set()
        self.persons: list[Person] = []
        self.person_pos: dict[int, int] = {}
        self.person_actor: dict[int, int] = {}
        self.consents: list[Consent] = []
        self.consent_given: dict[int, date] = {}
        self.memberships: list[_Members] = []
        self.duplicates: list[Initiative] = []
        self.workshop_groups: list[WorkshopGroup] = []
        self.cooperations: list[Cooperation] = []
        self.degree: dict[int, int] = {}
        self.events: list[Event] = []
        self.last_activity: dict[int, datetime] = {}
        self.surveys: list[SurveyRound] = []

    # --- helpers ---------------------------------------------------------------------------
    def _vocabulary(self, model: Any, key: str) -> dict[str, Any]:
        return {getattr(row, key): row for row in self.session.scalars(select(model).order_by(model.id))}

    @staticmethod
    def _need(mapping: dict[str, T], key: str, what: str) -> T:
        try:
            return mapping[key]
        except KeyError:
            raise LookupError(f"Die Demo braucht den Eintrag „{key}“ im Vokabular {what}; "
                              "bitte die Standardvokabulare laden (flask crm seed).") from None

    def _day_between(self, first: date, last: date) -> date:
        return date.fromordinal(self.rng.randint(first.toordinal(), max(first, last).toordinal()))

    def _recent_day(self, first: date, last: date) -> date:
        """A day in the range, more likely late: networks grow, recent ties outnumber old ones."""
        if last <= first:
            return first
        ordinal = int(self.rng.triangular(first.toordinal(), last.toordinal() + 1, last.toordinal() + 1))
        return date.fromordinal(min(ordinal, last.toordinal()))

    def _stamp(self, day: date) -> datetime:
        """When a record was entered: not before the office used the CRM, never after ``today``."""
        day = min(max(day, data.CRM_IN_USE_SINCE), self.today)
        return local_time(day, self.rng.randint(8, 16), self.rng.choice((0, 15, 30, 45)))

    def _pick(self, items: Sequence[T], count: int) -> list[T]:
        return self.rng.sample(list(items), min(count, len(items)))

    def _is_open(self, position: int, day: date) -> bool:
        closed = self.closed.get(position)
        return closed is None or day <= closed

    def _pool(self, selectors: Iterable[str]) -> list[int]:
        """Actor positions matching kind names, ``cat:<category>`` or ``@<short>``; in actor order, no isolated."""
        chosen: set[int] = set()
        for selector in selectors:
            if selector.startswith("@"):
                chosen.add(self._need(self.by_ref, selector[1:], "Demo-Akteure"))
            elif selector.startswith("cat:"):
                chosen.update(i for i, a in enumerate(self.actors) if a.kind.category == selector[4:])
            else:
                chosen.update(i for i, a in enumerate(self.actors) if a.kind.name == selector)
        return sorted(i for i in chosen if not self.specs[i].is_isolated)

    def _in_area(self, area: str) -> str:
        if area in self.county_areas:
            return f"in der Verbandsgemeinde {area}"
        if area in (data.CITY_AREA, data.COUNTY_AREA):
            return f"für {area}"
        return f"im Stadtteil {area}"

    # --- areas -------------------------------------------------------------------------------
    def build_areas(self) -> None:
        city = Area(name=data.CITY_AREA, level="Stadt", sort_order=1)
        county = Area(name=data.COUNTY_AREA, level="Landkreis", sort_order=2)
        self.areas = {data.CITY_AREA: city, data.COUNTY_AREA: county}
        for order, place in enumerate(data.CITY_DISTRICTS, 1):
            self.areas[place.area] = Area(name=place.area, level="Stadtteil", parent=city, sort_order=order)
        for order, name in enumerate(data.COUNTY_AREAS, 1):
            self.areas[name] = Area(name=name, level="Verbandsgemeinde", parent=county, sort_order=order)
        self.county_areas = frozenset(data.COUNTY_AREAS)
        for place in data.CITY_DISTRICTS + data.COUNTY_PLACES:
            self.places.setdefault(place.area, place)  # the first place of an area is its seat
            self.places.setdefault(place.town, place)
        self.session.add_all(self.areas.values())

    # --- actors ------------------------------------------------------------------------------
    def _place(self, spec: data.ActorSpec) -> data.Place:
        if spec.town and spec.town in self.places and self.places[spec.town].area == spec.area:
            return self.places[spec.town]
        if spec.area in (data.CITY_AREA, data.COUNTY_AREA):
            return self.places["Mitte/Gartenfeld"]  # city hall and district office are in the centre
        return self.places[spec.area]

    def _domain(self, spec: data.ActorSpec) -> str:
        if spec.domain:
            domain = spec.domain
        else:
            domain = slugify(spec.name)
            for prefix, replacement in _DOMAIN_PREFIXES:
                if domain.startswith(prefix):
                    domain = replacement + domain[len(prefix):]
            for suffix in _DOMAIN_SUFFIXES:
                if domain.endswith(suffix):
                    domain = domain[: -len(suffix)]
                    break
        base, n = domain, 2
        while domain in self.domains.values():
            domain, n = f"{base}-{n}", n + 1
        return domain

    def _stages_for(self, spec: data.ActorSpec) -> list[LifeStage]:
        codes = list(spec.stages)
        if not codes:
            for code in data.KIND_STAGES.get(spec.kind, ("weiterbildung",)):
                if not code.startswith("+"):
                    codes.append(code)
                elif self.rng.random() < 0.3:  # e.g. a Grundschule that also works on the transition from Kita
                    codes.append(code[1:])
        return sorted((self._need(self.stages, c, "Bildungsphasen") for c in codes), key=lambda s: s.sort_order)

    def _topics_for(self, spec: data.ActorSpec) -> list[Topic]:
        names = list(spec.topics)
        if not names:
            pool = data.KIND_TOPICS.get(spec.kind) or tuple(self.topics)
            names = self._pick(pool, self.rng.choice((1, 2, 2, 3)))
        return sorted((self._need(self.topics, n, "Themenfelder") for n in names), key=lambda t: t.sort_order)

    def build_actors(self) -> None:
        rng = self.rng
        school_numbers = iter(rng.sample(range(51000, 59999), len(data.ACTORS)))
        for position, spec in enumerate(data.ACTORS):
            kind = self._need(self.kinds, spec.kind, "Akteursarten")
            place = self._place(spec)
            domain = self._domain(spec)
            self.domains[position] = domain
            individual = kind.is_individual
            if individual:
                _salutation, first, last = spec.person
                email = self._unique_email(first, last, data.PRIVATE_MAIL_DOMAIN)
                website, street, phone = "", "", ""
            else:
                email = f"info@{domain}.{data.MAIL_TLD}"
                website = f"https://{'' if '.' in domain else 'www.'}{domain}.{data.MAIL_TLD}"
                street = f"{rng.choice(data.STREETS)} {rng.randint(1, 90)}"
                phone = f"{place.phone_prefix} {rng.randint(10000, 99999)}"
            latitude = longitude = None
            if not individual and rng.random() > 0.04:  # a few addresses were never geocoded
                latitude = Decimal(f"{place.latitude + rng.uniform(-0.006, 0.006):.6f}")
                longitude = Decimal(f"{place.longitude + rng.uniform(-0.009, 0.009):.6f}")
            closed = spec.closed_on if spec.closed_on and spec.closed_on < self.today else None
            if closed:
                self.closed[position] = closed
            template = data.KIND_DESCRIPTIONS.get(spec.kind, spec.kind + " {}.")
            created = self._stamp(data.CRM_IN_USE_SINCE + timedelta(days=rng.randint(0, 120)))
            actor = Actor(
                name=spec.name, short_name=spec.short, kind=kind, area=self.areas[spec.area], street=street,
                postcode=place.postcode, city=place.town, latitude=latitude, longitude=longitude, website=website,
                email=email, phone=phone,
                external_ref=f"SN-{next(school_numbers)}" if spec.kind in data.SCHOOL_KINDS else None,
                description=spec.description or template.format(self._in_area(spec.area)),
                notes=f"Inaktiv seit {closed:%d.%m.%Y}." if closed else "",
                is_active=closed is None, life_stages=self._stages_for(spec), topics=self._topics_for(spec),
                created_at=created, updated_at=local_time(closed, 12) if closed and closed > created.date()
                else created,
            )
            if spec.parent:
                actor.parent = self.actors[self._need(self.by_ref, spec.parent, "Demo-Akteure")]
            self.actors.append(actor)
            self.specs.append(spec)
            self.by_ref[spec.name] = position
            self.actor_pos[id(actor)] = position
            if spec.short:
                self.by_ref[spec.short] = position
        self.session.add_all(self.actors)

    # --- persons ------------------------------------------------------------------------------
    def _unique_email(self, first: str, last: str, domain: str) -> str:
        local = f"{slugify(first)}.{slugify(last)}".replace("-", "")
        email, n = f"{local}@{domain}", 2
        while email in self.emails:
            email, n = f"{local}{n}@{domain}", n + 1
        self.emails.add(email)
        return email

    def _functions(self, position: int) -> tuple[str, ...]:
        spec = self.specs[position]
        return data.ACTOR_FUNCTIONS.get(spec.short) or data.KIND_FUNCTIONS.get(spec.kind, ("Mitarbeit",))

    def _new_person(self, position: int, function: str, from_date: date, *, title: str = "",
                    name: tuple[str, str, str] | None = None) -> Person:
        rng = self.rng
        if name is None:
            female = rng.random() < 0.58  # education staff in Germany are mostly women
            first = rng.choice(data.FEMALE_FIRST_NAMES if female else data.MALE_FIRST_NAMES)
            name = ("Frau" if female else "Herr", first, rng.choice(data.LAST_NAMES))
        salutation, first, last = name
        actor = self.actors[position]
        individual = self.specs[position].person != ("", "", "")
        if individual:
            email = actor.email  # an individual actor and the person are the same human
        elif rng.random() < 0.03:
            email = ""  # known only by phone
        else:
            email = self._unique_email(first, last, f"{self.domains[position]}.{data.MAIL_TLD}")
        consent_share = data.CONSENT_SHARE_BY_CATEGORY.get(actor.kind.category, 0.03)
        basis = LegalBasis.CONSENT if rng.random() < consent_share else (
            LegalBasis.LEGITIMATE_INTEREST if actor.kind.category == "Wirtschaft" and rng.random() < 0.5
            else LegalBasis.PUBLIC_TASK)
        if not title and rng.random() < 0.06:
            title = "Dr."
        created = self._stamp(from_date + timedelta(days=rng.randint(0, 30)))
        person = Person(salutation=salutation, title=title, first_name=first, last_name=last, email=email,
                        phone="" if individual else
                        f"{self._place(self.specs[position]).phone_prefix} {rng.randint(10000, 99999)}",
                        legal_basis=basis, is_opted_out=rng.random() < 0.02, created_at=created, updated_at=created)
        Affiliation(person=person, actor=actor, function=function, from_date=from_date, is_primary=True)
        self.person_pos[id(person)] = len(self.persons)
        self.person_actor[id(person)] = position
        self.persons.append(person)
        return person

    def _start_of_tenure(self, earliest: date, latest: date) -> date:
        day = self._day_between(earliest, latest)
        return day.replace(day=1)  # contracts start on the first of a month

    def _move_on(self, person: Person, left_on: date, organisations: list[int]) -> bool:
        """The person takes a job at another actor; returns False when that would lie after ``today``."""
        start = left_on + timedelta(days=self.rng.randint(14, 120))
        if start >= self.today:
            return False
        old = self.person_actor[id(person)]
        choices = [i for i in organisations if i != old and self._is_open(i, self.today)]
        position = self.rng.choice(choices)
        functions = self._functions(position)
        Affiliation(person=person, actor=self.actors[position], function=self.rng.choice(functions[1:] or functions),
                    from_date=start, is_primary=True)
        if person.email:
            self.emails.discard(person.email)
            person.email = self._unique_email(person.first_name, person.last_name,
                                              f"{self.domains[position]}.{data.MAIL_TLD}")
        person.updated_at = self._stamp(start)
        self.person_actor[id(person)] = position
        return True

    def build_persons(self) -> None:
        rng, today = self.rng, self.today
        individuals = [i for i, a in enumerate(self.actors) if a.kind.is_individual]
        organisations = [i for i, a in enumerate(self.actors) if not a.kind.is_individual]
        slots: list[int] = []
        for i in organisations:
            slots += [i] * (self.specs[i].staff or data.KIND_STAFF.get(self.specs[i].kind, (1, 1))[0])
        extra = data.PERSON_COUNT - len(individuals) - data.SUCCESSOR_COUNT - len(slots)
        if extra < 0:
            raise ValueError("Demo: more minimum staff than persons; lower KIND_STAFF or raise PERSON_COUNT.")
        weights = [data.KIND_STAFF.get(self.specs[i].kind, (1, 1))[1] for i in organisations]
        slots += rng.choices(organisations, weights, k=extra)
        rng.shuffle(slots)

        staffed: dict[int, int] = {}
        for position in slots:
            functions = self._functions(position)
            rank = staffed.get(position, 0)
            staffed[position] = rank + 1
            function = functions[0] if rank == 0 else rng.choice(functions[1:] or functions)
            closed = self.closed.get(position)
            latest = (closed or today) - timedelta(days=365)
            earliest = date(2006, 1, 1) if rank == 0 else date(2012, 1, 1)
            title = "Prof. Dr." if function.startswith("Professur") else ""
            person = self._new_person(position, function, self._start_of_tenure(earliest, latest), title=title)
            if closed:  # the actor closed: everyone there left that day, some found work elsewhere
                person.affiliations[0].to_date = closed
                if rng.random() < 0.5:
                    self._move_on(person, closed, organisations)
        for position in individuals:
            spec = self.specs[position]
            self._new_person(position, self._functions(position)[0],
                             self._start_of_tenure(date(2015, 1, 1), today - timedelta(days=400)), name=spec.person)

        # People who left: their function passes to a successor, they retire or change jobs.
        candidates = [p for p in self.persons if len(p.affiliations) == 1 and p.affiliations[0].to_date is None
                      and not self.actors[self.person_actor[id(p)]].kind.is_individual
                      and p.affiliations[0].from_date is not None
                      and p.affiliations[0].from_date <= today - timedelta(days=3 * 365)]
        for leaver in self._pick(candidates, data.SUCCESSOR_COUNT):
            tie = leaver.affiliations[0]
            began = tie.from_date or data.EARLIEST_TIE
            recent = max(began + timedelta(days=365), data.EARLIEST_TIE)  # changes the office has seen
            tie.to_date = self._day_between(recent, today - timedelta(days=60))
            position = self.person_actor[id(leaver)]
            start = min(tie.to_date + timedelta(days=rng.randint(1, 45)), today - timedelta(days=1))
            successor = self._new_person(position, tie.function, start)
            successor.notes = f"Nachfolge von {leaver.full_name} als {tie.function}."
            moved = rng.random() < 0.5 and self._move_on(leaver, tie.to_date, organisations)
            leaver.notes = (f"Seit {tie.to_date:%m/%Y} nicht mehr bei {tie.actor.name}; "
                            f"Nachfolge: {successor.full_name}.")
            if moved:
                leaver.notes += f" Jetzt bei {leaver.affiliations[-1].actor.name}."
            leaver.updated_at = self._stamp(tie.to_date)

        # A few staff also volunteer on the board of a Verein: a second, non-primary affiliation.
        boards = [i for i in self._pool(("Verein / Verband", "Migrantenorganisation")) if self._is_open(i, today)]
        staff = [p for p in self.persons if len(p.affiliations) == 1 and p.affiliations[0].to_date is None
                 and self.actors[self.person_actor[id(p)]].kind.category in ("Schule", "Kita")]
        for person in self._pick(staff, data.SECONDARY_AFFILIATION_COUNT):
            board = rng.choice(boards)
            primary_start = person.affiliations[0].from_date or date(2015, 1, 1)
            Affiliation(person=person, actor=self.actors[board], function=rng.choice(data.VOLUNTEER_FUNCTIONS),
                        from_date=self._day_between(max(primary_start, date(2015, 1, 1)), today - timedelta(days=30)),
                        is_primary=False)

        for person in self.persons:
            if person.legal_basis is LegalBasis.CONSENT:
                self._add_consents(person)
        self.session.add_all(self.persons)
        self.session.add_all(self.consents)

    def _add_consents(self, person: Person) -> None:
        first_day = person.affiliations[0].from_date or data.CRM_IN_USE_SINCE
        given = self._stamp(first_day + timedelta(days=self.rng.randint(0, 60)))
        withdrawn = None
        if person.is_opted_out:  # a withdrawn consent keeps its row (proof of what was allowed when)
            withdrawn = max(given, self._stamp(given.date() + timedelta(days=self.rng.randint(30, 700))))
        method = self.rng.choice(data.CONSENT_METHODS)
        self.consent_given[id(person)] = given.date()
        self.consents.append(Consent(person=person, purpose=ConsentPurpose.INVITATIONS, given_at=given,
                                     method=method, withdrawn_at=withdrawn))
        if self.rng.random() < 0.3:
            self.consents.append(Consent(person=person, purpose=ConsentPurpose.NEWSLETTER, given_at=given,
                                         method=method, withdrawn_at=withdrawn))

    def current_affiliation(self, person: Person, day: date) -> Affiliation | None:
        """The primary affiliation on that day (else any current one): on whose behalf a person comes."""
        current = [a for a in person.affiliations if a.is_current(day)]
        return next((a for a in current if a.is_primary), current[0] if current else None)

    # --- initiatives ------------------------------------------------------------------------
    def build_initiatives(self) -> None:
        rng, today = self.rng, self.today
        initiatives = []
        for spec in data.INITIATIVES:
            start = min(spec.start, today)
            created = self._stamp(start)
            initiative = Initiative(
                name=spec.name, short_name=spec.short, kind=InitiativeKind(spec.kind), description=spec.description,
                website=f"https://bildungsbuero.trier-stadt.{data.MAIL_TLD}/{slugify(spec.short)}",
                start_date=start, end_date=spec.end,
                topics=sorted((self._need(self.topics, t, "Themenfelder") for t in spec.topics),
                              key=lambda t: t.sort_order),
                life_stages=sorted((self._need(self.stages, s, "Bildungsphasen") for s in spec.stages),
                                   key=lambda s: s.sort_order),
                created_at=created, updated_at=created)
            members = _Members(spec, initiative)
            fixed = [(self.by_ref[spec.lead], MembershipRole.LEAD)]
            fixed += [(self.by_ref[ref], MembershipRole.PARTNER) for ref in spec.partners]
            fixed += [(self.by_ref[ref], MembershipRole.FUNDER) for ref in spec.funders]
            taken = {position for position, _role in fixed}
            pool = [i for i in self._pool(spec.member_pool) if i not in taken
                    and (i not in self.closed or self.closed[i] > start + timedelta(days=120))]
            shared = [i for i in pool if set(spec.topics) & {t.name for t in self.actors[i].topics}]
            others = [i for i in pool if i not in shared]
            wanted = spec.size - len(fixed)
            chosen = self._pick(shared, wanted)
            chosen += self._pick(others, wanted - len(chosen))
            for position, role in fixed + [(i, MembershipRole.MEMBER) for i in sorted(chosen)]:
                closed = self.closed.get(position)
                if role is MembershipRole.MEMBER:
                    joined = self._day_between(start, min(closed or today, today) - timedelta(days=60))
                else:
                    joined = min(today, start + timedelta(days=rng.randint(0, 90) if role is not MembershipRole.LEAD
                                                          else 0))
                left = closed
                if left is None and role is MembershipRole.MEMBER and rng.random() < 0.12:
                    earliest_leave = joined + timedelta(days=180)
                    if earliest_leave < today:
                        left = self._day_between(earliest_leave, today - timedelta(days=1))
                initiative.memberships.append(Membership(actor=self.actors[position], role=role, joined_on=joined,
                                                         left_on=left))
                members.periods[position] = (joined, left)
            self.memberships.append(members)
            initiatives.append(initiative)
        self.session.add_all(initiatives)
        self.build_duplicates()

    def build_duplicates(self) -> None:
        """The seeded duplicated structures: same topics and life stages as the twin, most of its
        current members (no random draws, so cooperations and events are not shifted)."""
        twins = {m.spec.short: m for m in self.memberships}
        for spec in data.DUPLICATE_INITIATIVES:
            twin = twins[spec.twin]
            start = min(spec.start, self.today)
            created = self._stamp(start)
            initiative = Initiative(
                name=spec.name, short_name=spec.short, kind=InitiativeKind.WORKING_GROUP,
                description=spec.description,
                website=f"https://bildungsbuero.trier-stadt.{data.MAIL_TLD}/{slugify(spec.short)}",
                start_date=start, end_date=None, topics=list(twin.initiative.topics),
                life_stages=list(twin.initiative.life_stages), created_at=created, updated_at=created)
            current = [m for m in twin.initiative.memberships if m.left_on is None]
            every = spec.leave_out_every
            for index, membership in enumerate(current):
                if membership.role is MembershipRole.MEMBER and index % every == every - 1:
                    continue
                initiative.memberships.append(Membership(actor=membership.actor, role=membership.role,
                                                         joined_on=max(start, membership.joined_on or start)))
            self.duplicates.append(initiative)
        self.session.add_all(self.duplicates)

    # --- cooperations ------------------------------------------------------------------------
    def _hub_weight(self, position: int) -> int:
        return data.HUB_WEIGHTS.get(self.specs[position].short, 1)

    def _in_county(self, position: int) -> bool:
        area = self.specs[position].area
        return area in self.county_areas or area == data.COUNTY_AREA

    def _partner(self, rule: data.TieRule, position: int, pool: list[int]) -> int | None:
        """A partner from the pool: same Stadtteil or Verbandsgemeinde, same city or district, or anywhere."""
        candidates = [t for t in pool if t != position]
        if rule.locality == "county":
            candidates = [t for t in candidates if self._in_county(t) and self._in_county(position)]
        here = self.specs[position].area
        if rule.locality == "same":
            candidates = [t for t in candidates if self.specs[t].area == here] or candidates
        if rule.locality in ("same", "near") and self.rng.random() < 0.85:
            in_county = self._in_county(position)
            candidates = [t for t in candidates if self._in_county(t) == in_county] or candidates
        if not candidates:
            return None
        return self.rng.choices(candidates, [self._hub_weight(t) for t in candidates])[0]

    def _tie_topics(self, rule: data.TieRule, source: Actor, target: Actor) -> list[Topic]:
        own = [t.name for t in source.topics] + [t.name for t in target.topics]
        if rule.topics:
            preferred = [t for t in rule.topics if t in own] or list(rule.topics)
        else:
            shared = [t.name for t in source.topics if t in target.topics]
            preferred = shared or [t.name for t in source.topics] or [t.name for t in target.topics]
        names = self._pick(preferred, 2 if self.rng.random() < 0.3 else 1)
        return sorted((self.topics[n] for n in names), key=lambda t: t.sort_order)

    def _tie_stages(self, rule: data.TieRule, source: Actor, target: Actor) -> list[LifeStage]:
        if rule.stages:
            codes = list(rule.stages)
        else:
            codes = [s.code for s in source.life_stages if s in target.life_stages] or \
                [s.code for s in target.life_stages[:2]]
        return sorted((self.stages[c] for c in codes[:3]), key=lambda s: s.sort_order)

    def _tie_dates(self, source: int, target: int) -> tuple[date, date | None] | None:
        """Start and end of a tie: ~25 % ended; ties of closed actors end when the actor closed."""
        rng = self.rng
        closings = [d for d in (self.closed.get(source), self.closed.get(target)) if d]
        closing = min(closings) if closings else None
        last_start = self.today - timedelta(days=1)
        if closing:
            last_start = min(last_start, closing - timedelta(days=120))
        if last_start < data.EARLIEST_TIE:
            return None
        if closing is None and rng.random() >= 0.25:
            return self._recent_day(data.EARLIEST_TIE, last_start), None
        latest_end = closing or self.today - timedelta(days=1)
        if closing is None:
            last_start = latest_end - timedelta(days=150)
        if last_start < data.EARLIEST_TIE:
            return None
        start = self._day_between(data.EARLIEST_TIE, last_start)
        longest = (latest_end - start).days
        end = start + timedelta(days=rng.randint(min(90, longest), min(1800, longest)))
        if closing and rng.random() < 0.7:
            end = closing  # most ties simply stopped with the actor
        return start, end

    def _initiative_for(self, source: int, target: int, start: date, topics: list[Topic]) -> Initiative | None:
        names = {t.name for t in topics}
        fitting = [m.initiative for m in self.memberships if m.member_on(source, start)
                   and m.member_on(target, start) and names & set(m.spec.topics)]
        if fitting and self.rng.random() < 0.8:
            return fitting[0]
        return None

    def _add_tie(self, rule: data.TieRule, source: int, target: int,
                 periods: dict[tuple[int, int, str], list[_Tie]]) -> bool:
        """Add one cooperation unless dates or an overlapping tie of the same type forbid it."""
        rng = self.rng
        type_name = rng.choice(rule.types)
        cooperation_type = self._need(self.types, type_name, "Kooperationsarten")
        dates = self._tie_dates(source, target)
        if dates is None:
            return False
        start, end = dates
        key = (min(source, target), max(source, target), type_name)
        last = end or date.max
        if any(t.start <= last and start <= (t.end or date.max) for t in periods.get(key, [])):
            return False  # the pair already has a tie of this type at that time
        periods.setdefault(key, []).append(_Tie(source, target, start, end))
        a, b = self.actors[source], self.actors[target]
        topics = self._tie_topics(rule, a, b)
        created = self._stamp(start + timedelta(days=rng.randint(0, 20)))
        self.cooperations.append(Cooperation(
            source=a, target=b, type=cooperation_type, is_directed=cooperation_type.is_directed,
            intensity=rng.choice(_INTENSITY.get(type_name, (1, 2, 2, 3))), start_date=start, end_date=end,
            description=rng.choice(rule.texts), topics=topics, life_stages=self._tie_stages(rule, a, b),
            initiative=self._initiative_for(source, target, start, topics),
            created_at=created,
            updated_at=self._stamp(end) if end and end > created.date() else created,
        ))
        self.degree[source] = self.degree.get(source, 0) + 1
        self.degree[target] = self.degree.get(target, 0) + 1
        return True

    def build_cooperations(self) -> None:
        """Two passes: every actor not meant to be isolated gets a first tie, then hubs attract the rest.

        Without the first pass chance alone leaves a dozen actors without ties, and which ones
        changes with the seed; the analysis pages should show exactly the designed isolates.
        """
        rng = self.rng
        rules = data.TIE_RULES
        pools = [(self._pool(r.sources), self._pool(r.targets)) for r in rules]
        weights = [r.weight for r in rules]
        periods: dict[tuple[int, int, str], list[_Tie]] = {}

        order = [i for i, spec in enumerate(self.specs) if not spec.is_isolated]
        rng.shuffle(order)
        for position in order:
            options = [(k, True) for k, (sources, _t) in enumerate(pools) if position in sources]
            options += [(k, False) for k, (_s, targets) in enumerate(pools) if position in targets]
            for _attempt in range(12 if options else 0):
                if self.degree.get(position):
                    break
                k, as_source = rng.choices(options, [weights[k] ** 2 for k, _side in options])[0]
                sources, targets = pools[k]
                partner = self._partner(rules[k], position, targets if as_source else sources)
                if partner is not None:
                    pair = (position, partner) if as_source else (partner, position)
                    self._add_tie(rules[k], *pair, periods)

        tries = 0
        while len(self.cooperations) < data.COOPERATION_COUNT:
            tries += 1
            if tries > 100 * data.COOPERATION_COUNT:
                raise RuntimeError("Demo: the tie rules cannot produce enough cooperations.")
            index = rng.choices(range(len(rules)), weights)[0]
            rule, (sources, targets) = rules[index], pools[index]
            if not sources or not targets:
                continue
            source = rng.choices(sources, [self._hub_weight(s) for s in sources])[0]
            target = self._partner(rule, source, targets)
            if target is not None:
                self._add_tie(rule, source, target, periods)
        self.session.add_all(self.cooperations)

    # --- events --------------------------------------------------------------------------------
    def _event_plan(self) -> list[_EventPlan]:
        """Every event with its day, hours, audience and size; in calendar order."""
        plans: list[_EventPlan] = []
        for year in range(2022, self.today.year + 1):
            theme = data.CONFERENCE_THEMES.get(year, "Bildung in der Region")
            plans.append(_EventPlan(
                kind="Bildungskonferenz", title=f"Bildungskonferenz Trier {year}",
                day=_first_weekday_on_or_after(date(year, 9, 22), 3), start=(9, 0), end=(16, 0),
                invitees=self.rng.randint(140, 160), capacity=180, audience=(), topics=(), initiative="",
                lead_days=70, description=f"Jährliche Bildungskonferenz der Stadt Trier und des Landkreises "
                                          f"Trier-Saarburg. Thema: {theme}."))
        quarter, year, turn = 0, 2023, 0
        while True:
            day = _first_weekday_on_or_after(date(year, 3 * quarter + 3, 1), 3)
            topic = data.DIALOGUE_TOPICS[turn % len(data.DIALOGUE_TOPICS)]
            initiative = next((s.short for s in data.INITIATIVES if topic == s.topics[0]),
                              next((s.short for s in data.INITIATIVES if topic in s.topics), ""))
            plans.append(_EventPlan(
                kind="Bildungsgespräch", title=f"Bildungsgespräch {quarter + 1}/{year} – {topic}", day=day,
                start=(15, 0), end=(17, 30), invitees=self.rng.randint(40, 60), capacity=60, audience=(),
                topics=(topic,), initiative=initiative, lead_days=42, is_next=day >= self.today,
                description=f"Bildungsgespräch zum Themenfeld {topic}: Kurzimpulse aus der Praxis, Austausch und "
                            f"Verabredungen für das nächste Quartal."))
            if day >= self.today:
                break  # the next one is on the calendar and open for answers
            turn += 1
            quarter, year = (quarter + 1) % 4, year + (quarter == 3)
        for special in data.SPECIAL_EVENTS:
            if special.day > self.today + timedelta(days=180):
                continue  # not planned that far ahead
            plans.append(_EventPlan(kind=special.kind, title=special.title, day=special.day, start=special.start,
                              end=special.end, invitees=special.invitees, capacity=special.capacity,
                              audience=special.audience, topics=special.topics, initiative=special.initiative,
                              lead_days=42, description=special.description))
        return sorted(plans, key=lambda p: (p.day, p.title))

    def _guests(self, plan: _EventPlan, invited_on: date) -> list[tuple[Person, Affiliation]]:
        """Whom to invite: reachable people (e-mail, not opted out, at an open actor), focus first.

        Persons whose legal basis is consent are invited only once they have given it.
        """
        reachable = []
        for person in self.persons:
            if not person.email or person.is_opted_out:
                continue
            if person.legal_basis is LegalBasis.CONSENT and self.consent_given[id(person)] >= invited_on:
                continue
            tie = self.current_affiliation(person, invited_on)
            if tie is not None and tie.is_current(plan.day):
                reachable.append((person, tie))
        audience = set(self._pool(plan.audience)) if plan.audience else None
        topics = set(plan.topics)

        def in_focus(tie: Affiliation) -> bool:
            position = self.actor_pos[id(tie.actor)]
            if audience is not None:
                return position in audience
            if topics:
                return bool(topics & {t.name for t in tie.actor.topics}) or tie.actor.kind.category == "Verwaltung"
            return True

        focus = [pair for pair in reachable if in_focus(pair[1])]
        rest = [pair for pair in reachable if not in_focus(pair[1])]
        chosen = self._pick(focus, plan.invitees)
        if audience is None:
            chosen += self._pick(rest, plan.invitees - len(chosen))
        return sorted(chosen, key=lambda pair: self.person_pos[id(pair[0])])

    def _note_activity(self, person: Person, moment: datetime) -> None:
        key = self.person_pos[id(person)]
        if key not in self.last_activity or self.last_activity[key] < moment:
            self.last_activity[key] = moment

    @staticmethod
    def _apply_capacity(event: Event) -> None:
        """Acceptances beyond the capacity go to the waiting list, first answered first served."""
        if event.capacity is None:
            return
        accepted = sorted((i for i in event.invitations if i.answer is Answer.ACCEPTED),
                          key=lambda i: (i.answered_at, event.invitations.index(i)))
        for position, invitation in enumerate(accepted[event.capacity:], 1):
            invitation.answer, invitation.waitlist_position = Answer.WAITLISTED, position

    def build_events(self) -> None:
        rng, today = self.rng, self.today
        initiatives = {m.spec.short: m.initiative for m in self.memberships}
        for plan in self._event_plan():
            day: date = plan.day
            starts_at = local_time(day, *plan.start)
            invited_on = day - timedelta(days=plan.lead_days)
            if plan.is_next:  # the next Bildungsgespräch is always open for answers
                invited_on = min(invited_on, today - timedelta(days=10))
            is_past = day < today
            is_sent = invited_on < today
            status = EventStatus.DONE if is_past else EventStatus.PUBLISHED if is_sent else EventStatus.DRAFT
            deadline_day = day - timedelta(days=14 if plan.kind == "Bildungskonferenz" else 7)
            created = self._stamp(min(invited_on, today) - timedelta(days=21))
            event = Event(
                uid=uuid.UUID(int=rng.getrandbits(128), version=4).hex,
                kind=self._need(self.event_kinds, plan.kind, "Veranstaltungsarten"), title=plan.title,
                description=plan.description, starts_at=starts_at, ends_at=local_time(day, *plan.end),
                place=data.VENUES.get(plan.kind, ""), capacity=plan.capacity,
                online_url=(f"https://meet.bildungsbuero.trier-stadt.{data.MAIL_TLD}/{slugify(plan.title)}"
                            if plan.kind == "Bildungsgespräch" and rng.random() < 0.3 else ""),
                answer_deadline=local_time(deadline_day, 23, 59), initiative=initiatives.get(plan.initiative),
                status=status, topics=[self._need(self.topics, t, "Themenfelder") for t in plan.topics],
                created_at=created, updated_at=self._stamp(day) if is_past else created,
                # The portal's calendar: conferences and Bildungsgespräche are announced publicly; the
                # Bildungsgespräche and trainings also take registrations from visitors without an invitation.
                is_public=plan.kind in PUBLIC_KINDS, registration_open=plan.kind in OPEN_KINDS,
                public_description=plan.description if plan.kind in PUBLIC_KINDS else "",
            )
            self.events.append(event)
            if not is_sent:
                continue
            guests = self._guests(plan, invited_on)
            invited_at = local_time(invited_on, 9, 30)
            last_answer_day = min(day, today) - timedelta(days=1)
            for person, tie in guests:
                roll = rng.random()
                if is_past:
                    answer = (Answer.ACCEPTED if roll < 0.60 else Answer.DECLINED if roll < 0.84
                              else Answer.TENTATIVE if roll < 0.90 else Answer.PENDING)
                else:
                    answer = (Answer.ACCEPTED if roll < 0.35 else Answer.DECLINED if roll < 0.47
                              else Answer.TENTATIVE if roll < 0.53 else Answer.PENDING)
                answered_at = None
                if invited_on + timedelta(days=1) > last_answer_day:
                    answer = Answer.PENDING  # sent yesterday: nobody has answered yet
                if answer is not Answer.PENDING:
                    answered_at = local_time(self._day_between(invited_on + timedelta(days=1), last_answer_day),
                                             rng.randint(7, 19), rng.randint(0, 59))
                    self._note_activity(person, answered_at)
                comment = rng.choice(data.DECLINE_COMMENTS) if answer is Answer.DECLINED and rng.random() < 0.3 \
                    else ""
                event.invitations.append(Invitation(person=person, actor=tie.actor, answer=answer, comment=comment,
                                                    invited_at=invited_at, answered_at=answered_at,
                                                    created_at=invited_at))
            self._apply_capacity(event)
            for invitation in event.invitations if is_past else ():
                attends = (invitation.answer is Answer.ACCEPTED and rng.random() < 0.85
                           or invitation.answer is Answer.TENTATIVE and rng.random() < 0.4)
                if attends:
                    at_door = rng.random() < (0.5 if plan.kind == "Fortbildung" else 0.92)
                    moment = starts_at - timedelta(minutes=rng.randint(0, 25)) if at_door else starts_at
                    event.attendances.append(Attendance(
                        person=invitation.person, actor=invitation.actor, checked_in_at=moment,
                        source=AttendanceSource.DOOR if at_door else AttendanceSource.LIST))
                    self._note_activity(invitation.person, moment)
            if is_past:
                invited = {id(p) for p, _tie in guests}
                walk_ins = []
                for person in self.persons:
                    current = self.current_affiliation(person, day)
                    if current is not None and id(person) not in invited:
                        walk_ins.append((person, current))
                count = rng.randint(1, 5) if plan.kind in ("Bildungskonferenz", "Bildungsgespräch") \
                    else rng.randint(0, 2)
                if any(i.answer is Answer.WAITLISTED for i in event.invitations):
                    count = 0  # fully booked: nobody is let in without a place
                for person, tie in sorted(self._pick(walk_ins, count), key=lambda p: self.person_pos[id(p[0])]):
                    moment = starts_at + timedelta(minutes=rng.randint(0, 40))
                    event.attendances.append(Attendance(person=person, actor=tie.actor, checked_in_at=moment,
                                                        source=AttendanceSource.WALK_IN))
                    self._note_activity(person, moment)
        for position, moment in sorted(self.last_activity.items()):
            self.persons[position].last_activity_at = moment
        self.session.add_all(self.events)
        self.build_workshop_results()

    def build_workshop_results(self) -> None:
        """Tables, participants, proposals and dot votes of past workshops (no random draws): the
        attendees sit round the tables in check-in order, the first two at a table propose."""
        by_title = {e.title: e for e in self.events}
        for spec in data.WORKSHOP_RESULTS:
            event = by_title.get(spec.event_title)
            if event is None or not event.attendances or not event.kind.is_workshop:
                continue  # not held yet on this ``today``
            written = event.ends_at  # typed in from the flip charts at the end of the day
            tables = [WorkshopGroup(event=event, name=name, created_at=written) for name, _proposals in spec.tables]
            present = sorted(event.attendances, key=lambda a: (a.checked_in_at, self.person_pos[id(a.person)]))
            for index, attendance in enumerate(present):
                table = tables[index % len(tables)]
                table.participants.append(WorkshopParticipant(event=event, person=attendance.person,
                                                              actor=attendance.actor))
            for table, (_name, proposals) in zip(tables, spec.tables, strict=True):
                for title, votes in proposals:
                    table.proposals.append(WorkshopProposal(title=title, description="", votes=votes,
                                                            proposers=table.participants[:2], created_at=written,
                                                            updated_at=written))
            self.workshop_groups.extend(tables)
        self.session.add_all(self.workshop_groups)

    # --- offers and the public portal ----------------------------------------------------------
    def build_offers(self) -> list[Offer]:
        """Listing consent for most organisations, and offers for the portal (issue 14).

        A random stream of its own, so the landscape built before stays exactly as it was."""
        rng = random.Random(self.rng_seed * 1009 + 14)
        listed: list[int] = []
        for position, actor in enumerate(self.actors):
            if actor.kind.is_individual or position in self.closed or rng.random() >= data.LISTING_SHARE:
                continue  # individuals are never listed without their own consent; none gave it in the demo
            actor.listing_agreed_on = date.fromordinal(
                rng.randint(data.CRM_IN_USE_SINCE.toordinal(), self.today.toordinal()))
            actor.listing_recorded_by = data.LISTING_RECORDED_BY
            listed.append(position)
        staff: dict[int, list[Person]] = {}
        for person in self.persons:
            current = self.current_affiliation(person, self.today)
            if current is not None and person.email and not person.is_opted_out:
                staff.setdefault(self.actor_pos[id(current.actor)], []).append(person)
        offers: list[Offer] = []
        consents: list[Consent] = []
        named: set[int] = set()
        for spec in data.OFFER_SPECS:
            pool = [i for i in self._pool(spec.providers) if self._is_open(i, self.today)]
            for position in rng.sample(pool, min(spec.count, len(pool))):
                actor = self.actors[position]
                free = rng.random() < spec.free
                roll = rng.random()
                status = (OfferStatus.ENDED if roll < data.OFFER_ENDED_SHARE else OfferStatus.PUBLISHED
                          if roll < data.OFFER_ENDED_SHARE + data.OFFER_PUBLISHED_SHARE else OfferStatus.DRAFT)
                if spec.ongoing:
                    starts = self.today - timedelta(days=rng.randint(60, 900))
                    ends = None
                else:
                    starts = self.today + timedelta(days=rng.randint(-30, 150))
                    ends = starts + timedelta(days=rng.choice((0, 4, 30, 90)))
                if status is OfferStatus.ENDED:
                    ends = self.today - timedelta(days=rng.randint(10, 200))
                    starts = min(starts, ends - timedelta(days=30))
                offer = Offer(
                    title=spec.title, description=spec.description, format=spec.format, area=actor.area,
                    starts_on=starts, ends_on=ends, is_ongoing=spec.ongoing and status is not OfferStatus.ENDED,
                    schedule=spec.schedule, is_free=free, cost="" if free else spec.cost,
                    entry_requirements=spec.requirements, languages=", ".join(spec.languages),
                    is_accessible=rng.random() < 0.6, url=f"{actor.website}/angebote" if actor.website else "",
                    contact_email=f"anmeldung@{self.domains[position]}.{data.MAIL_TLD}", contact_phone=actor.phone,
                    status=status, confirmed_on=self.today - timedelta(days=rng.randint(5, 500)),
                    providers=[actor], life_stages=[self._need(self.stages, c, "Bildungsphasen") for c in spec.stages],
                    topics=[self._need(self.topics, t, "Themenfelder") for t in spec.topics],
                    target_groups=[self._need(self.groups, g, "Zielgruppen") for g in spec.groups],
                    created_at=self._stamp(starts), updated_at=self._stamp(starts),
                )
                people = staff.get(position, [])
                if people and rng.random() < data.OFFER_CONTACT_PERSON_SHARE:
                    person = people[rng.randrange(len(people))]
                    offer.contact_person = person
                    pos = self.person_pos[id(person)]
                    if pos not in named and rng.random() < data.PUBLICATION_CONSENT_SHARE:
                        named.add(pos)
                        consents.append(Consent(person=person, purpose=ConsentPurpose.PUBLICATION,
                                                given_at=self._stamp(offer.confirmed_on or self.today),
                                                method=rng.choice(data.CONSENT_METHODS)))
                offer.search_text = offer_text(offer)
                offers.append(offer)
        self.consents.extend(consents)
        self.session.add_all(offers)
        self.session.add_all(consents)
        return offers

    def build_survey(self) -> None:
        """One network survey running since two weeks: 40 actors asked, about half answered, naming
        partners they have in the CRM, a few new ones, and one that is not in the roster."""
        rng, today = self.rng, self.today
        sent_on = today - timedelta(days=14)
        survey = SurveyRound(
            title=data.SURVEY_TITLE, intro=data.SURVEY_INTRO, questions=[q.value for q in SurveyQuestion],
            status=SurveyStatus.OPEN, sent_at=local_time(sent_on, 10),
            created_at=self._stamp(sent_on - timedelta(days=7)))
        contacts: dict[int, tuple[Actor, Person]] = {}
        for person in self.persons:
            if not person.email or person.is_opted_out:
                continue
            if person.legal_basis is LegalBasis.CONSENT and self.consent_given.get(id(person), date.max) >= sent_on:
                continue
            tie = self.current_affiliation(person, sent_on)
            if tie is None:
                continue
            position = self.actor_pos[id(tie.actor)]
            if position not in contacts and self._is_open(position, today):
                contacts[position] = (tie.actor, person)
        chosen = sorted(self._pick(sorted(contacts), 40))
        partners: dict[int, list[Actor]] = {}
        for cooperation in self.cooperations:
            if cooperation.end_date is None or cooperation.end_date >= today:
                partners.setdefault(id(cooperation.source), []).append(cooperation.target)
                partners.setdefault(id(cooperation.target), []).append(cooperation.source)
        outside_named = False
        for position in chosen:
            actor, person = contacts[position]
            recipient = SurveyRecipient(round=survey, actor=actor, person=person, invited_at=local_time(sent_on, 10),
                                        answers={})
            if rng.random() < 0.55:
                answered = local_time(self._day_between(sent_on + timedelta(days=1), today - timedelta(days=1)),
                                      rng.randint(7, 19), rng.randint(0, 59))
                recipient.answered_at = recipient.saved_at = answered
                known = partners.get(id(actor), [])
                named = self._pick(sorted(known, key=lambda a: self.actor_pos[id(a)]), rng.randint(1, 3))
                others = [contacts[p][0] for p in chosen if p != position]
                if rng.random() < 0.5 and others:
                    named.append(rng.choice(others))  # a tie the CRM does not know yet
                for index, partner in enumerate(dict.fromkeys(named)):
                    recipient.ties.append(ReportedTie(
                        round=survey, reporter=actor, partner=partner, intensity=rng.randint(1, 3), position=index,
                        reported_at=answered, topics=list(actor.topics[:1])))
                if not outside_named:
                    recipient.ties.append(ReportedTie(
                        round=survey, reporter=actor, partner_name=data.SURVEY_OUTSIDE_PARTNER, intensity=1,
                        position=len(recipient.ties), reported_at=answered))
                    outside_named = True
                recipient.answers = {"groups": [], "free_text": ""}
            elif rng.random() < 0.2:
                recipient.saved_at = local_time(today - timedelta(days=2), 12)
            survey.recipients.append(recipient)
        self.surveys.append(survey)
        self.session.add_all(self.surveys)

    def build_outlines(self) -> None:
        """Simplified, fictional outlines of the demo areas (crm/demo/outlines.geojson), through the
        same import a coordinator uses, so `make run` shows them on the maps."""
        from crm.services.geo import outlines

        self.session.flush()
        outlines.import_outlines(self.session, OUTLINES_FILE.read_bytes(), "name", record_audit=False)

    def build(self) -> dict[str, int]:
        self.build_areas()
        self.build_outlines()
        self.build_actors()
        self.build_persons()
        self.build_initiatives()
        self.build_cooperations()
        self.build_events()
        offers = self.build_offers()
        self.build_survey()
        self.session.flush()
        return {
            "Gebiete": len(self.areas),
            "Akteure": len(self.actors),
            "Personen": len(self.persons),
            "Zugehörigkeiten": sum(len(p.affiliations) for p in self.persons),
            "Einwilligungen": len(self.consents),
            "Initiativen": len(self.memberships) + len(self.duplicates),
            "Mitgliedschaften": sum(len(m.initiative.memberships) for m in self.memberships)
            + sum(len(i.memberships) for i in self.duplicates),
            "Kooperationen": len(self.cooperations),
            "Veranstaltungen": len(self.events),
            "Einladungen": sum(len(e.invitations) for e in self.events),
            "Teilnahmen": sum(len(e.attendances) for e in self.events),
            "Werkstatt-Vorschläge": sum(len(g.proposals) for g in self.workshop_groups),
            "Angebote": len(offers),
            "Im Portal genannte Akteure": sum(1 for a in self.actors if a.listing_agreed_on is not None),
            "Befragungen": len(self.surveys),
        }


def load_demo(session: Session, *, seed: int = DEFAULT_SEED, today: date = DEFAULT_TODAY) -> dict[str, int]:
    """Load the demo region into an empty landscape; flushes, the caller commits.

    Seeds the vocabularies first (idempotent), then builds areas, actors, persons,
    initiatives, cooperations and events as they would stand on ``today``: events
    before it are done, the next Bildungsgespräch after it is open for answers.
    Returns how many rows of each sort were made, with German labels for the CLI.
    """
    seed_vocabularies(session)
    return _DemoBuilder(session, seed, today).build()
