"""The fictional demo region: a Trier-like city and its district, deterministic from a seed.

Everything random comes from one ``random.Random(seed)`` and every loop runs over sorted
data, so two loads produce identical rows: screenshots and tests stay stable. No real
persons; institutions are invented, Stadtteil and Verbandsgemeinde names are real places.
"""
from __future__ import annotations

import random
import unicodedata
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.models import (
    Actor, ActorKind, Affiliation, Answer, Area, Attendance, AttendanceSource, Consent, ConsentPurpose, Cooperation,
    CooperationType, Event, EventKind, EventStatus, Initiative, InitiativeKind, Invitation, LegalBasis, LifeStage,
    Membership, MembershipRole, Person, Topic,
)
from crm.services.seed import seed_vocabularies

BERLIN = ZoneInfo("Europe/Berlin")
CITY_DISTRICTS = (
    "Mitte/Gartenfeld", "Nord", "Süd", "West/Pallien", "Ehrang/Quint", "Pfalzel", "Biewer", "Ruwer/Eitelsbach",
    "Kürenz", "Olewig", "Heiligkreuz", "Mariahof", "Feyen/Weismark", "Tarforst", "Filsch", "Irsch", "Kernscheid",
    "Zewen", "Euren",
)
COUNTY_VGS = {"Konz": "54329", "Saarburg-Kell": "54439", "Schweich an der Römischen Weinstraße": "54338",
              "Trier-Land": "54298", "Ruwer": "54320", "Hermeskeil": "54411"}
STREETS = ("Hauptstraße", "Schulstraße", "Kirchstraße", "Bahnhofstraße", "Moselstraße", "Römerstraße",
           "Gartenstraße", "Lindenweg", "Am Weinberg", "Brückenstraße", "Parkstraße", "Ringstraße")
FIRST_NAMES = ("Anna", "Lena", "Marie", "Sophie", "Laura", "Julia", "Sarah", "Katharina", "Miriam", "Hannah",
               "Elif", "Amira", "Ewa", "Monika", "Sabine", "Petra", "Claudia", "Andrea", "Birgit", "Ute",
               "Jonas", "Lukas", "Felix", "Paul", "Tobias", "Michael", "Thomas", "Stefan", "Andreas", "Markus",
               "Jan", "Daniel", "Christian", "Matthias", "Peter", "Klaus", "Ahmet", "Piotr", "Yusuf", "Luca")
LAST_NAMES = ("Müller", "Schmitt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann",
              "Schulz", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
              "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler",
              "Maier", "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang",
              "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Keller", "Vogel", "Friedrich", "Yılmaz", "Nowak",
              "Kowalski", "Haas", "Thiel")
FUNCTIONS = {
    "Kita": ("Kita-Leitung", "Stellv. Kita-Leitung", "Sprachförderkraft"),
    "Schule": ("Schulleitung", "Stellv. Schulleitung", "MINT-Koordination", "Schulsozialarbeit",
               "Berufsorientierung"),
    "Hochschule": ("Referent/in Transfer", "Projektleitung", "Studienberatung"),
    "Weiterbildung": ("Geschäftsführung", "Fachbereichsleitung", "Projektleitung", "Kursleitung"),
    "Wirtschaft": ("Ausbildungsberatung", "Personalleitung", "Geschäftsführung"),
    "Arbeitsmarkt": ("Teamleitung", "Berufsberatung", "Beauftragte für Chancengleichheit"),
    "Stiftung": ("Vorstand", "Projektleitung"),
    "Zivilgesellschaft": ("Vorsitz", "Geschäftsführung", "Projektkoordination"),
    "Jugendhilfe": ("Einrichtungsleitung", "Fachberatung"),
    "Kultur": ("Leitung", "Bildungsreferent/in"),
    "Verwaltung": ("Amtsleitung", "Sachbearbeitung", "Referent/in", "Bildungsmanagement"),
    "Einzelperson": ("Lernbegleitung", "Beratung"),
}


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss").replace("ä", "ae").replace("ö", "oe")
                                   .replace("ü", "ue").replace("Ä", "ae").replace("Ö", "oe").replace("Ü", "ue"))
    ascii_text = folded.encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text).split())[:40]


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), BERLIN).astimezone(ZoneInfo("UTC"))


class _Builder:
    def __init__(self, session: Session, seed: int, today: date) -> None:
        self.s, self.rng, self.today = session, random.Random(seed), today
        self.kinds = {k.name: k for k in session.scalars(select(ActorKind))}
        self.stages = {s.code: s for s in session.scalars(select(LifeStage))}
        self.topics = {t.name: t for t in session.scalars(select(Topic))}
        self.types = {t.name: t for t in session.scalars(select(CooperationType))}
        self.event_kinds = {k.name: k for k in session.scalars(select(EventKind))}
        self.actors: list[Actor] = []
        self.areas: dict[str, Area] = {}
        self.postcodes: dict[str, str] = {}
        self.emails: set[str] = set()

    # --- areas ---------------------------------------------------------------------------
    def areas_tree(self) -> None:
        city = Area(name="Stadt Trier", level="Stadt", sort_order=1)
        county = Area(name="Landkreis Trier-Saarburg", level="Landkreis", sort_order=2)
        self.s.add_all([city, county])
        for i, name in enumerate(CITY_DISTRICTS):
            self.areas[name] = Area(name=name, level="Stadtteil", parent=city, sort_order=i)
            self.postcodes[name] = str(54290 + i % 7)
        for i, (name, plz) in enumerate(COUNTY_VGS.items()):
            self.areas[name] = Area(name=name, level="Verbandsgemeinde", parent=county, sort_order=i)
            self.postcodes[name] = plz
        self.s.add_all(self.areas.values())

    # --- actors --------------------------------------------------------------------------
    def actor(self, name: str, kind: str, area: str, stages: tuple[str, ...], topics: tuple[str, ...],
              short: str = "", ref: str | None = None, parent: Actor | None = None) -> Actor:
        rng = self.rng
        slug = _slug(short or name)
        city = "Trier" if area in CITY_DISTRICTS else area.split(" ")[0].split("-")[0]
        actor = Actor(
            name=name, short_name=short, kind=self.kinds[kind], area=self.areas[area],
            street=f"{rng.choice(STREETS)} {rng.randint(1, 120)}", postcode=self.postcodes[area], city=city,
            latitude=round(49.70 + rng.random() * 0.12, 6), longitude=round(6.55 + rng.random() * 0.18, 6),
            website=f"https://www.{slug}.example", email=f"info@{slug}.example",
            phone=f"0651 {rng.randint(100000, 999999)}", external_ref=ref, parent=parent,
            life_stages=[self.stages[c] for c in stages], topics=[self.topics[t] for t in topics],
            is_active=rng.random() > 0.03,
            description=f"{kind} in {area}.",
        )
        self.actors.append(actor)
        return actor

    def topics_pick(self, pool: tuple[str, ...], k: int) -> tuple[str, ...]:
        unique = sorted(set(pool))
        return tuple(sorted(self.rng.sample(unique, min(k, len(unique)))))

    def landscape(self) -> None:
        rng, districts, vgs = self.rng, CITY_DISTRICTS, tuple(COUNTY_VGS)
        early = ("Family Literacy", "Sprache und Integration (Neuzugewanderte)", "Elternbeteiligung",
                 "Food and Move Literacy", "MINT", "Inklusion")
        school = ("MINT", "Digitale Bildung", "Berufs- und Studienorientierung", "Demokratiebildung",
                  "Bildung für nachhaltige Entwicklung (BNE)", "Inklusion", "Kulturelle Bildung")
        adult = ("Alphabetisierung und Grundbildung", "Digitale Bildung", "Financial Literacy",
                 "Sprache und Integration (Neuzugewanderte)", "Kulturelle Bildung")
        saints = ("St. Anna", "St. Martin", "St. Paulin", "Regenbogen", "Sonnenschein", "Pusteblume", "Arche",
                  "Löwenzahn", "Kunterbunt", "Wirbelwind", "Sternschnuppe", "Moselkinder")
        for i in range(32):
            area = districts[i % len(districts)] if i < 24 else vgs[i % len(vgs)]
            self.actor(f"Kita {saints[i % len(saints)]} {area.split('/')[0]}", "Kita", area,
                       ("fruehkindlich",) + (("primar",) if i % 5 == 0 else ()), self.topics_pick(early, 2))
        for i in range(26):
            area = districts[i % len(districts)] if i < 19 else vgs[i % len(vgs)]
            self.actor(f"Grundschule {area.split('/')[0]}", "Grundschule", area,
                       ("primar",) + (("fruehkindlich",) if i % 3 == 0 else ()), self.topics_pick(school, 2),
                       ref=f"SN-{51000 + i * 17}")
        secondary = (("Realschule plus Trier-Nord", "Realschule plus", "Nord"),
                     ("Realschule plus Ehrang", "Realschule plus", "Ehrang/Quint"),
                     ("Realschule plus Konz", "Realschule plus", "Konz"),
                     ("Realschule plus Hermeskeil", "Realschule plus", "Hermeskeil"),
                     ("IGS Trier", "Integrierte Gesamtschule", "Kürenz"),
                     ("IGS Schweich", "Integrierte Gesamtschule", "Schweich an der Römischen Weinstraße"),
                     ("Moselgymnasium Trier", "Gymnasium", "Mitte/Gartenfeld"),
                     ("Römer-Gymnasium", "Gymnasium", "Süd"),
                     ("Gymnasium Tarforst", "Gymnasium", "Tarforst"),
                     ("Gymnasium Konz", "Gymnasium", "Konz"),
                     ("Gymnasium Saarburg", "Gymnasium", "Saarburg-Kell"),
                     ("Förderschule am Mariahof", "Förderschule", "Mariahof"),
                     ("Förderzentrum Euren", "Förderschule", "Euren"))
        for j, (name, kind, area) in enumerate(secondary):
            stages = ("sek", "uebergang_sb") if kind != "Gymnasium" else ("sek", "hochschule")
            self.actor(name, kind, area, stages, self.topics_pick(school, 3), ref=f"SN-{52000 + j * 13}")
        for j, area in enumerate(("Nord", "West/Pallien", "Saarburg-Kell")):
            self.actor(f"Berufsbildende Schule {'ABC'[j]} {area.split('/')[0]}", "Berufsbildende Schule", area,
                       ("uebergang_sb", "ausbildung"), ("Berufs- und Studienorientierung", "Digitale Bildung"),
                       short=f"BBS {'ABC'[j]}", ref=f"SN-{53000 + j}")
        self.actor("Universität Trier (Demo)", "Hochschule", "Tarforst", ("hochschule", "weiterbildung"),
                   ("MINT", "Digitale Bildung", "Bildung für nachhaltige Entwicklung (BNE)"), short="Uni")
        self.actor("Hochschule Trier (Demo)", "Hochschule", "Nord", ("hochschule", "weiterbildung"),
                   ("MINT", "Berufs- und Studienorientierung"), short="HS")
        self.actor("Volkshochschule Trier", "Volkshochschule", "Mitte/Gartenfeld",
                   ("weiterbildung", "nachberuflich", "uebergang_sb"), adult[:4], short="VHS")
        self.actor("Kreisvolkshochschule Trier-Saarburg", "Volkshochschule", "Konz",
                   ("weiterbildung", "nachberuflich"), adult[:3], short="KVHS")
        for j, name in enumerate(("Bildungswerk Mosel", "Lernwerkstatt Trier", "Bildungszentrum Region Trier",
                                  "Qualifizierung Plus", "Zukunftswerk Konz", "Sprachraum Trier")):
            area = ("Nord", "Süd", "West/Pallien", "Kürenz", "Konz", "Mitte/Gartenfeld")[j]
            self.actor(f"{name} gGmbH", "Bildungsträger", area, ("uebergang_sb", "ausbildung", "weiterbildung"),
                       self.topics_pick(adult + ("Berufs- und Studienorientierung",), 2))
        self.actor("Familienbildungsstätte Trier", "Familienbildungsstätte", "Süd",
                   ("fruehkindlich", "weiterbildung"), ("Family Literacy", "Elternbeteiligung"), short="FBS")
        self.actor("IHK Trier (Demo)", "Industrie- und Handelskammer", "Mitte/Gartenfeld",
                   ("uebergang_sb", "ausbildung", "weiterbildung"), ("Berufs- und Studienorientierung", "MINT"),
                   short="IHK")
        self.actor("Handwerkskammer Trier (Demo)", "Handwerkskammer", "West/Pallien",
                   ("uebergang_sb", "ausbildung"), ("Berufs- und Studienorientierung",), short="HWK")
        companies = ("Moselwerk Maschinenbau", "Trierer Stadtwerke (Demo)", "Römerbrau", "Softwarehaus Porta",
                     "Klinikum Mutterhaus (Demo)", "Bauunternehmen Petrisberg", "Weingut Avelsbach",
                     "Logistik Zewen", "Sparkasse Region (Demo)", "Elektro Kürenz")
        for j, name in enumerate(companies):
            area = districts[(j * 3) % len(districts)] if j < 8 else vgs[j % len(vgs)]
            topics = ("Berufs- und Studienorientierung",) + (("Financial Literacy",) if "Sparkasse" in name else
                                                              (("MINT",) if j % 2 == 0 else ()))
            self.actor(name, "Unternehmen", area, ("uebergang_sb", "ausbildung"), topics)
        self.actor("Jobcenter Trier Stadt", "Jobcenter", "Nord", ("uebergang_sb", "weiterbildung"),
                   ("Alphabetisierung und Grundbildung", "Sprache und Integration (Neuzugewanderte)"))
        self.actor("Jobcenter Trier-Saarburg", "Jobcenter", "Konz", ("uebergang_sb", "weiterbildung"),
                   ("Alphabetisierung und Grundbildung",))
        self.actor("Agentur für Arbeit Trier", "Agentur für Arbeit", "Mitte/Gartenfeld",
                   ("uebergang_sb", "ausbildung", "weiterbildung"), ("Berufs- und Studienorientierung",))
        for j, name in enumerate(("Bürgerstiftung Trier", "Stiftung Lesen an der Mosel", "MINT-Stiftung Region",
                                  "Sparkassenstiftung (Demo)")):
            self.actor(name, "Stiftung", ("Mitte/Gartenfeld", "Süd", "Tarforst", "Konz")[j],
                       ("fruehkindlich", "primar", "sek"), self.topics_pick(school + early, 2))
        for j, name in enumerate(("Lesepaten Trier e.V.", "Förderverein Jugend & Technik e.V.",
                                  "Kinderschutzbund Trier (Demo)", "Netzwerk Alphabetisierung e.V.",
                                  "Sportbund Mosel e.V.", "Eltern für Bildung e.V.", "Repair-Café Trier e.V.",
                                  "Naturschutzjugend Trier e.V.", "Seniorenbüro Trier e.V.",
                                  "Demokratie leben Trier e.V.")):
            area = districts[(j * 2) % len(districts)] if j < 7 else vgs[j % len(vgs)]
            self.actor(name, "Verein / Verband", area, self.topics_stage_for(j),
                       self.topics_pick(early + adult + school, 2))
        for j, name in enumerate(("Deutsch-Türkischer Kulturverein", "Syrischer Elternverein Trier",
                                  "Polnische Gemeinde Trier")):
            self.actor(name, "Migrantenorganisation", ("Nord", "West/Pallien", "Ehrang/Quint")[j],
                       ("fruehkindlich", "weiterbildung"), ("Sprache und Integration (Neuzugewanderte)",
                                                            "Elternbeteiligung"))
        for j, name in enumerate(("Jugendzentrum Exhaus (Demo)", "Mobile Jugendarbeit Trier-West",
                                  "Jugendhilfe Konz", "Haus der Jugend Schweich")):
            self.actor(name, "Jugendhilfeträger", ("Mitte/Gartenfeld", "West/Pallien", "Konz",
                                                   "Schweich an der Römischen Weinstraße")[j],
                       ("sek", "uebergang_sb"), ("Demokratiebildung", "Kulturelle Bildung"))
        for j, name in enumerate(("Stadtbibliothek Trier", "Stadtteilbibliothek Ehrang", "Gemeindebücherei Konz")):
            self.actor(name, "Bibliothek", ("Mitte/Gartenfeld", "Ehrang/Quint", "Konz")[j],
                       ("fruehkindlich", "primar", "nachberuflich"), ("Family Literacy", "Digitale Bildung"))
        for j, name in enumerate(("Stadtmuseum Simeonstift (Demo)", "Theater Trier (Demo)", "Tufa Kulturzentrum")):
            self.actor(name, "Kultureinrichtung", "Mitte/Gartenfeld", ("primar", "sek", "nachberuflich"),
                       ("Kulturelle Bildung",))
        dezernat = self.actor("Dezernat für Bildung, Jugend und Soziales", "Dezernat", "Mitte/Gartenfeld",
                              ("fruehkindlich", "primar", "sek"), ("Inklusion",), short="Dezernat II")
        for name, short, topics in (("Amt für Schulen und Sport", "Schulamt", ("Digitale Bildung",)),
                                    ("Jugendamt", "Jugendamt", ("Elternbeteiligung",)),
                                    ("Bildungsbüro der Stadt Trier", "Bildungsbüro", ("MINT",)),
                                    ("Amt für Soziales und Integration", "Sozialamt",
                                     ("Sprache und Integration (Neuzugewanderte)",)),
                                    ("Kita-Fachberatung", "Kita-FB", ("Family Literacy",))):
            self.actor(name, "Amt / Dienststelle", "Mitte/Gartenfeld", ("fruehkindlich", "primar", "sek"), topics,
                       short=short, parent=dezernat)
        self.actor("Kreisverwaltung Trier-Saarburg – Bildungskoordination", "Kreisverwaltung", "Trier-Land",
                   ("primar", "sek", "weiterbildung"), ("Sprache und Integration (Neuzugewanderte)",))
        self.actor("Schulträgerausschuss", "Ausschuss / Gremium", "Mitte/Gartenfeld", ("primar", "sek"), ())
        self.actor("Jugendhilfeausschuss", "Ausschuss / Gremium", "Mitte/Gartenfeld", ("fruehkindlich", "sek"), ())
        for j in range(6):
            first, last = FIRST_NAMES[(j * 7) % 20], LAST_NAMES[(j * 11) % len(LAST_NAMES)]
            self.actor(f"{first} {last} (Lernbegleiterin)" if j % 2 == 0 else f"{first} {last} (Lesepatin)",
                       "Ehrenamtliche Person", districts[(j * 5) % len(districts)], ("primar", "weiterbildung"),
                       ("Alphabetisierung und Grundbildung",) if j % 2 == 0 else ("Family Literacy",))
        self.actor("Dr. Helga Brandt (Bildungsberatung)", "Unabhängige Expertin / unabhängiger Experte", "Olewig",
                   ("weiterbildung",), ("Digitale Bildung",))
        self.actor("Prof. i. R. Werner Ostermann", "Unabhängige Expertin / unabhängiger Experte", "Konz",
                   ("hochschule", "nachberuflich"), ("MINT",))
        self.s.add_all(self.actors)

    def topics_stage_for(self, j: int) -> tuple[str, ...]:
        options = (("primar", "sek"), ("sek", "uebergang_sb"), ("fruehkindlich", "primar"),
                   ("weiterbildung",), ("primar", "sek"), ("fruehkindlich", "primar"), ("weiterbildung",),
                   ("primar", "sek"), ("nachberuflich",), ("sek", "weiterbildung"))
        return options[j % len(options)]

    # --- persons -------------------------------------------------------------------------
    def persons(self, count: int = 300) -> list[Person]:
        rng = self.rng
        organisations = [a for a in self.actors if not a.kind.is_individual]
        persons: list[Person] = []
        for i in range(count):
            actor = organisations[i % len(organisations)] if i < len(organisations) else rng.choice(organisations)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            local = _slug(f"{first}.{last}").replace("-", ".")
            domain = actor.email.split("@", 1)[1]
            email = f"{local}@{domain}"
            n = 2
            while email in self.emails:
                email, n = f"{local}{n}@{domain}", n + 1
            self.emails.add(email)
            has_email = rng.random() > 0.03
            consent = rng.random() < 0.2
            person = Person(
                salutation="Frau" if FIRST_NAMES.index(first) < 20 else "Herr",
                title="Dr." if rng.random() < 0.06 else "", first_name=first, last_name=last,
                email=email if has_email else "", phone=f"0651 {rng.randint(100000, 999999)}",
                legal_basis=LegalBasis.CONSENT if consent else LegalBasis.PUBLIC_TASK,
                is_opted_out=rng.random() < 0.02,
            )
            since = date(rng.randint(2012, 2025), rng.randint(1, 12), 1)
            functions = FUNCTIONS.get(actor.kind.category, ("Mitarbeit",))
            affiliation = Affiliation(person=person, actor=actor, function=rng.choice(functions), from_date=since)
            if rng.random() < 0.06 and since.year < 2024:  # moved on: the old tie ends, a new one starts
                affiliation.to_date = date(rng.randint(since.year + 1, 2025), 6, 30)
                other = rng.choice(organisations)
                Affiliation(person=person, actor=other, function=rng.choice(FUNCTIONS.get(
                    other.kind.category, ("Mitarbeit",))), from_date=affiliation.to_date + timedelta(days=1))
            if consent:
                self.s.add(Consent(person=person, purpose=ConsentPurpose.INVITATIONS,
                                   given_at=_local(since, 10), method="Formular Bildungskonferenz"))
            persons.append(person)
        self.s.add_all(persons)
        return persons

    # --- cooperations --------------------------------------------------------------------
    def cooperations(self, count: int = 250) -> None:
        rng = self.rng
        by_kind: dict[str, list[Actor]] = {}
        for a in self.actors:
            by_kind.setdefault(a.kind.name, []).append(a)
        by_cat: dict[str, list[Actor]] = {}
        for a in self.actors:
            by_cat.setdefault(a.kind.category, []).append(a)
        area_of = {id(a): a.area.name for a in self.actors}
        # (source pool, target pool, type, topics, stages, weight, prefer same area)
        rules = (
            (by_kind["Kita"], by_kind["Grundschule"], "Kooperationsvertrag", ("Family Literacy",),
             ("fruehkindlich", "primar"), 60, True),
            (by_kind["Grundschule"], by_cat["Schule"], "Projektpartnerschaft", ("MINT",), ("primar", "sek"), 25, False),
            (by_cat["Schule"], by_cat["Wirtschaft"], "Praktikums- und Ausbildungspartnerschaft",
             ("Berufs- und Studienorientierung",), ("sek", "uebergang_sb"), 40, False),
            (by_kind["Berufsbildende Schule"], by_kind["Unternehmen"], "Kooperationsvertrag",
             ("Berufs- und Studienorientierung",), ("uebergang_sb", "ausbildung"), 15, False),
            (by_cat["Arbeitsmarkt"], by_kind["Bildungsträger"] + by_kind["Volkshochschule"],
             "Vermittlung / Verweisberatung", ("Alphabetisierung und Grundbildung",),
             ("uebergang_sb", "weiterbildung"), 20, False),
            (by_kind["Stiftung"], by_cat["Schule"] + by_kind["Kita"], "Förderung", ("MINT",), ("primar", "sek"),
             20, False),
            (by_kind["Volkshochschule"], by_kind["Migrantenorganisation"] + by_kind["Verein / Verband"],
             "Projektpartnerschaft", ("Sprache und Integration (Neuzugewanderte)",), ("weiterbildung",), 15, False),
            (by_kind["Bibliothek"], by_kind["Kita"] + by_kind["Grundschule"], "Informeller Austausch",
             ("Family Literacy",), ("fruehkindlich", "primar"), 20, False),
            (by_kind["Hochschule"], by_cat["Schule"], "Projektpartnerschaft", ("MINT",), ("sek", "hochschule"),
             15, False),
            (by_kind["Amt / Dienststelle"], self.actors, "Gremienarbeit", (), (), 15, False),
            (by_kind["Ehrenamtliche Person"], by_kind["Grundschule"] + by_kind["Volkshochschule"],
             "Informeller Austausch", ("Alphabetisierung und Grundbildung",), ("primar", "weiterbildung"), 5, False),
        )
        weights = [r[5] for r in rules]
        active: set[tuple[int, int, str]] = set()
        index = {id(a): i for i, a in enumerate(self.actors)}
        made, tries = 0, 0
        while made < count and tries < count * 50:
            tries += 1
            sources, targets, type_name, topics, stages, _w, same_area = rng.choices(rules, weights)[0]
            source = rng.choice(sources)
            pool = [t for t in targets if area_of[id(t)] == area_of[id(source)]] if same_area else targets
            if same_area and not pool:
                pool = targets
            target = rng.choice(pool)
            if target is source:
                continue
            key = (min(index[id(source)], index[id(target)]), max(index[id(source)], index[id(target)]), type_name)
            if key in active:
                continue
            start = date(rng.randint(2016, 2026), rng.randint(1, 12), rng.randint(1, 28))
            if start > self.today:
                continue
            end = None
            if rng.random() < 0.25:
                end = min(start + timedelta(days=rng.randint(120, 1800)), self.today - timedelta(days=1))
                if end < start:
                    end = None
            if end is None:
                active.add(key)  # one running tie of a type per pair; ended ones may repeat
            cooperation_type = self.types[type_name]
            self.s.add(Cooperation(
                source=source, target=target, type=cooperation_type, is_directed=cooperation_type.is_directed,
                intensity=rng.choice((1, 2, 2, 3)), start_date=start, end_date=end,
                topics=[self.topics[t] for t in topics], life_stages=[self.stages[s] for s in stages],
                description=f"{type_name}: {source.short_name or source.name} und {target.short_name or target.name}.",
            ))
            made += 1
        self.cooperation_count = made

    # --- initiatives ---------------------------------------------------------------------
    def initiatives(self) -> list[Initiative]:
        rng = self.rng
        specs = (
            ("MINT-Initiativkreis Trier", InitiativeKind.WORKING_GROUP, ("MINT",), ("primar", "sek", "hochschule"),
             date(2018, 3, 1), ("Schule", "Hochschule", "Wirtschaft", "Stiftung")),
            ("Bündnis für Alphabetisierung und Grundbildung Trier", InitiativeKind.ALLIANCE,
             ("Alphabetisierung und Grundbildung",), ("weiterbildung",), date(2019, 9, 8),
             ("Weiterbildung", "Arbeitsmarkt", "Zivilgesellschaft", "Einzelperson", "Kultur")),
            ("Knotenpunkte – Übergang Schule–Beruf", InitiativeKind.PROGRAMME, ("Berufs- und Studienorientierung",),
             ("uebergang_sb", "ausbildung"), date(2020, 1, 15), ("Schule", "Wirtschaft", "Arbeitsmarkt")),
            ("Netzwerk Frühe Bildung", InitiativeKind.WORKING_GROUP, ("Family Literacy", "Elternbeteiligung"),
             ("fruehkindlich", "primar"), date(2017, 5, 1), ("Kita", "Kultur", "Verwaltung")),
            ("Arbeitskreis Sprache und Integration", InitiativeKind.WORKING_GROUP,
             ("Sprache und Integration (Neuzugewanderte)",), ("fruehkindlich", "weiterbildung"), date(2016, 2, 1),
             ("Zivilgesellschaft", "Weiterbildung", "Verwaltung")),
            ("Digitale Bildung Region Trier", InitiativeKind.PROJECT, ("Digitale Bildung",), ("sek", "weiterbildung"),
             date(2022, 1, 1), ("Schule", "Weiterbildung", "Hochschule")),
        )
        result = []
        for name, kind, topics, stages, start, categories in specs:
            initiative = Initiative(name=name, kind=kind, start_date=start,
                                    topics=[self.topics[t] for t in topics],
                                    life_stages=[self.stages[s] for s in stages],
                                    description=f"{name}: Zusammenschluss von Akteuren der Region.")
            pool = sorted((a for a in self.actors if a.kind.category in categories), key=lambda a: a.name)
            members = rng.sample(pool, min(len(pool), rng.randint(8, 22)))
            office = next(a for a in self.actors if a.short_name == "Bildungsbüro")
            if office not in members:
                members.insert(0, office)
            for k, actor in enumerate(members):
                role = (MembershipRole.LEAD if k == 0 else MembershipRole.FUNDER if actor.kind.category == "Stiftung"
                        else MembershipRole.PARTNER if k < 4 else MembershipRole.MEMBER)
                joined = start + timedelta(days=rng.randint(0, max(1, (self.today - start).days // 2)))
                left = None
                if k > 3 and rng.random() < 0.12:
                    left = min(joined + timedelta(days=rng.randint(200, 900)), self.today)
                initiative.memberships.append(Membership(actor=actor, role=role, joined_on=joined, left_on=left))
            result.append(initiative)
        self.s.add_all(result)
        return result

    # --- events --------------------------------------------------------------------------
    def events(self, persons: list[Person], initiatives: list[Initiative]) -> list[Event]:
        rng = self.rng
        # Persons with consent as legal basis all have a valid consent row in the demo.
        reachable = [p for p in persons if p.email and not p.is_opted_out]
        specs: list[tuple[str, str, date, int, int, int]] = []
        for year in range(2022, 2027):
            specs.append(("Bildungskonferenz", f"Bildungskonferenz Trier {year}", date(year, 9, 20 + year % 5),
                          9, 16, 150))
        quarter_days = ((3, 14), (6, 13), (9, 5), (11, 28))
        for year in range(2023, 2027):
            for q, (month, day) in enumerate(quarter_days, 1):
                if (year, q) == (2026, 4):  # the upcoming one, still open for answers
                    specs.append(("Bildungsgespräch", "Bildungsgespräch 4/2026 – Übergänge stärken",
                                  date(2026, 12, 3), 15, 17, 50))
                    continue
                specs.append(("Bildungsgespräch", f"Bildungsgespräch {q}/{year}", date(year, month, day), 15, 17, 50))
        specs.append(("Strategiewerkstatt", "Strategiewerkstatt Bildungsmonitoring", date(2024, 2, 22), 10, 15, 30))
        specs.append(("Strategiewerkstatt", "Strategiewerkstatt Übergang Schule–Beruf", date(2025, 10, 9),
                      10, 15, 30))
        specs.append(("Fortbildung", "Fortbildung Family Literacy für Kita-Teams", date(2025, 4, 3), 9, 13, 25))
        specs.append(("Fortbildung", "Fortbildung Digitale Bildung", date(2026, 3, 19), 9, 13, 25))
        events = []
        for kind, title, day, start_h, end_h, invite_count in specs:
            is_past = day < self.today
            event = Event(kind=self.event_kinds[kind], title=title, starts_at=_local(day, start_h),
                          ends_at=_local(day, end_h), place=rng.choice((
                              "Rathaus Trier, Großer Saal", "Volkshochschule Trier, Raum 12",
                              "Tufa Kulturzentrum", "Kreisverwaltung Trier-Saarburg, Sitzungssaal")),
                          capacity=invite_count if kind == "Bildungskonferenz" else None,
                          answer_deadline=_local(day - timedelta(days=10), 23, 59),
                          status=EventStatus.DONE if is_past else EventStatus.PUBLISHED,
                          description=f"{kind} des Bildungsbüros.",
                          initiative=initiatives[len(events) % len(initiatives)] if kind != "Bildungskonferenz"
                          else None)
            guests = rng.sample(reachable, min(invite_count, len(reachable)))
            guests.sort(key=lambda p: (p.last_name, p.first_name, p.email))
            for person in guests:
                current = [a for a in person.affiliations if a.is_current(day)] or person.affiliations
                actor = current[0].actor
                invited_at = _local(day - timedelta(days=42), 9)
                roll = rng.random()
                if is_past or roll < 0.5:
                    answer = (Answer.ACCEPTED if roll < 0.6 else Answer.DECLINED if roll < 0.8 else
                              Answer.TENTATIVE if roll < 0.85 else Answer.PENDING)
                else:
                    answer = Answer.PENDING
                invitation = Invitation(person=person, actor=actor, answer=answer, invited_at=invited_at,
                                        answered_at=None if answer is Answer.PENDING else
                                        invited_at + timedelta(days=rng.randint(1, 25)))
                event.invitations.append(invitation)
                if is_past and answer is Answer.ACCEPTED and rng.random() < 0.85:
                    event.attendances.append(Attendance(
                        person=person, actor=actor, checked_in_at=_local(day, start_h) - timedelta(minutes=10),
                        source=AttendanceSource.DOOR if rng.random() < 0.9 else AttendanceSource.LIST))
            if is_past:
                walk_ins = [p for p in reachable if p not in guests][:rng.randint(0, 4)]
                for person in walk_ins:
                    event.attendances.append(Attendance(person=person, actor=person.affiliations[0].actor,
                                                        source=AttendanceSource.WALK_IN,
                                                        checked_in_at=_local(day, start_h)))
            events.append(event)
        self.s.add_all(events)
        return events


def load_demo(session: Session, *, seed: int = 2026, today: date = date(2026, 11, 1)) -> dict[str, int]:
    """Create the demo region; the caller commits. Returns the counts of what was made."""
    seed_vocabularies(session)
    builder = _Builder(session, seed, today)
    builder.areas_tree()
    builder.landscape()
    persons = builder.persons()
    builder.cooperations()
    initiatives = builder.initiatives()
    events = builder.events(persons, initiatives)
    session.flush()
    return {
        "Akteure": len(builder.actors), "Personen": len(persons), "Kooperationen": builder.cooperation_count,
        "Initiativen": len(initiatives), "Veranstaltungen": len(events),
        "Einladungen": sum(len(e.invitations) for e in events),
        "Teilnahmen": sum(len(e.attendances) for e in events),
    }
