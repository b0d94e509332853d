"""Static material for the demo region: places, names, actors, functions and tie rules.

Kept apart from the generator in ``crm.demo.generator`` so that someone who knows a
Bildungsbüro can read and correct the landscape without reading any loop. Everything
here is a tuple or a frozen dataclass: the generator iterates it in the written order,
which is one half of what makes the demo reproducible (the other half is one seeded RNG).

All institutions and all persons are fictional. Stadtteil, Verbandsgemeinde, town and
street names are real places so that maps and postcodes look right; unique public
bodies (chamber, employment agency, university) carry their generic regional name
because a landscape without them would not be recognisable, but everything said
about them here (ties, staff, memberships) is invented.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DEMO_REGION_NAME = "Region Trier (Demo)"
CITY_AREA = "Stadt Trier"
COUNTY_AREA = "Landkreis Trier-Saarburg"
MAIL_TLD = "example"  # RFC 2606: no demo address can ever reach a real mailbox
PRIVATE_MAIL_DOMAIN = "mail.example"  # individuals acting in their own right have no institution domain

# Target sizes; the tests of the whole project rely on the exact person and tie counts.
PERSON_COUNT = 300
COOPERATION_COUNT = 250
SUCCESSOR_COUNT = 14  # persons who took over a function from someone who left
SECONDARY_AFFILIATION_COUNT = 12  # e.g. a Schulleiterin who also sits on a Verein board
EARLIEST_TIE = date(2016, 1, 1)
CRM_IN_USE_SINCE = date(2021, 3, 1)  # records older than this were entered when the office started the CRM


# --- places ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    """A town or Stadtteil with what an address there needs: postcode, dialling code, rough centre."""

    area: str
    town: str
    postcode: str
    phone_prefix: str
    latitude: float
    longitude: float


# Stadtteile of Trier (the city's own grouping), each with its main postcode and centre.
CITY_DISTRICTS: tuple[Place, ...] = (
    Place("Mitte/Gartenfeld", "Trier", "54290", "0651", 49.7560, 6.6410),
    Place("Nord", "Trier", "54292", "0651", 49.7680, 6.6500),
    Place("Süd", "Trier", "54290", "0651", 49.7440, 6.6420),
    Place("West/Pallien", "Trier", "54294", "0651", 49.7530, 6.6180),
    Place("Ehrang/Quint", "Trier", "54293", "0651", 49.8030, 6.6870),
    Place("Pfalzel", "Trier", "54293", "0651", 49.7900, 6.6790),
    Place("Biewer", "Trier", "54293", "0651", 49.7790, 6.6210),
    Place("Ruwer/Eitelsbach", "Trier", "54292", "0651", 49.7870, 6.7050),
    Place("Kürenz", "Trier", "54295", "0651", 49.7600, 6.6700),
    Place("Olewig", "Trier", "54295", "0651", 49.7420, 6.6650),
    Place("Heiligkreuz", "Trier", "54295", "0651", 49.7400, 6.6550),
    Place("Mariahof", "Trier", "54296", "0651", 49.7250, 6.6500),
    Place("Feyen/Weismark", "Trier", "54294", "0651", 49.7320, 6.6260),
    Place("Tarforst", "Trier", "54296", "0651", 49.7470, 6.6930),
    Place("Filsch", "Trier", "54296", "0651", 49.7370, 6.7030),
    Place("Irsch", "Trier", "54296", "0651", 49.7250, 6.6950),
    Place("Kernscheid", "Trier", "54296", "0651", 49.7190, 6.6750),
    Place("Zewen", "Trier", "54294", "0651", 49.7300, 6.5900),
    Place("Euren", "Trier", "54294", "0651", 49.7400, 6.6100),
)

# Verbandsgemeinden of the district: the first place of each is its seat, further towns follow.
COUNTY_PLACES: tuple[Place, ...] = (
    Place("Konz", "Konz", "54329", "06501", 49.7010, 6.5780),
    Place("Saarburg-Kell", "Saarburg", "54439", "06581", 49.6060, 6.5500),
    Place("Saarburg-Kell", "Kell am See", "54427", "06589", 49.6320, 6.8240),
    Place("Schweich an der Römischen Weinstraße", "Schweich", "54338", "06502", 49.8200, 6.7530),
    Place("Schweich an der Römischen Weinstraße", "Longuich", "54340", "06502", 49.8080, 6.7700),
    Place("Trier-Land", "Trierweiler", "54311", "0651", 49.7600, 6.5600),
    Place("Trier-Land", "Igel", "54298", "06501", 49.7090, 6.5510),
    Place("Ruwer", "Waldrach", "54320", "06500", 49.7450, 6.7450),
    Place("Hermeskeil", "Hermeskeil", "54411", "06503", 49.6560, 6.9480),
)
COUNTY_AREAS: tuple[str, ...] = tuple(dict.fromkeys(p.area for p in COUNTY_PLACES))

STREETS: tuple[str, ...] = (
    "Hauptstraße", "Schulstraße", "Kirchstraße", "Bahnhofstraße", "Moselstraße", "Römerstraße", "Gartenstraße",
    "Lindenweg", "Am Weinberg", "Brückenstraße", "Parkstraße", "Ringstraße", "Saarstraße", "Eichenweg",
    "Im Wiesengrund", "Kapellenstraße", "Am Sportplatz", "Mühlenweg", "Talstraße", "Auf der Höhe",
)

# --- names (frequent German given and family names, plus names of the region's immigrant families) --

FEMALE_FIRST_NAMES: tuple[str, ...] = (
    "Anna", "Lena", "Marie", "Sophie", "Laura", "Julia", "Sarah", "Katharina", "Miriam", "Hannah", "Elif",
    "Amira", "Ewa", "Monika", "Sabine", "Petra", "Claudia", "Andrea", "Birgit", "Ute", "Christina", "Nadine",
    "Stefanie", "Melanie", "Jana", "Carina", "Verena", "Franziska", "Tanja", "Nicole", "Heike", "Gabriele",
    "Agnieszka", "Fatma", "Olga", "Lea", "Johanna", "Martina", "Simone", "Yasemin",
)
MALE_FIRST_NAMES: tuple[str, ...] = (
    "Jonas", "Lukas", "Felix", "Paul", "Tobias", "Michael", "Thomas", "Stefan", "Andreas", "Markus", "Jan",
    "Daniel", "Christian", "Matthias", "Peter", "Klaus", "Ahmet", "Piotr", "Yusuf", "Luca", "Sebastian",
    "Florian", "Dominik", "Benedikt", "Jürgen", "Frank", "Ralf", "Bernd", "Uwe", "Dirk", "Sven", "Oliver",
    "Marco", "Tim", "Mehmet", "Tomasz", "Karim", "Philipp", "Georg", "Hans",
)
LAST_NAMES: tuple[str, ...] = (
    "Müller", "Schmitt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Schulz",
    "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger",
    "Hofmann", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler", "Maier", "Herrmann", "König",
    "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung",
    "Hahn", "Keller", "Vogel", "Friedrich", "Yılmaz", "Nowak", "Kowalski", "Haas", "Thiel", "Kettern",
    "Reuter", "Thelen", "Hansen", "Mertes", "Backes", "Schäfer", "Kirsch", "Wallerich", "Marx", "Junk",
    "Steffen", "Lorig", "Kaufmann", "Demir", "Şahin", "Wiśniewski", "Haddad", "Petrović", "Ostermann",
)

# --- actors ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ActorSpec:
    """One actor of the demo. Empty stages or topics mean: the kind's defaults, drawn per seed."""

    name: str
    kind: str
    area: str
    short: str = ""
    domain: str = ""                 # mail and web domain without the TLD; derived from the name if empty
    stages: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    parent: str = ""                 # short name of the parent actor (an Amt in its Dezernat)
    town: str = ""                   # a town of the area other than its seat
    closed_on: date | None = None    # the actor stopped working then; kept for history, inactive
    is_isolated: bool = False        # deliberately without ties: the analysis must find isolated actors
    staff: int = 0                   # persons at least; 0 means the kind's default
    person: tuple[str, str, str] = ("", "", "")  # salutation, first and last name of an individual actor
    description: str = ""


def _specs(kind: str, rows: tuple[tuple[str, str], ...], **common: object) -> tuple[ActorSpec, ...]:
    return tuple(ActorSpec(name=name, kind=kind, area=area, **common) for name, area in rows)  # type: ignore[arg-type]


KITAS: tuple[ActorSpec, ...] = _specs("Kita", (
    ("Kita St. Anna", "Olewig"), ("Städtische Kita Am Weidengraben", "Nord"), ("Kita Regenbogen", "Nord"),
    ("Kita St. Paulin", "Nord"), ("Kita Pusteblume", "Süd"), ("Ev. Kita Gartenfeld", "Mitte/Gartenfeld"),
    ("Kita Sonnenschein Ehrang", "Ehrang/Quint"), ("Kita Arche Noah Quint", "Ehrang/Quint"),
    ("Kita Moselkinder", "Pfalzel"), ("Kita Biewer Spatzen", "Biewer"), ("Kita St. Martin Ruwer", "Ruwer/Eitelsbach"),
    ("Städtische Kita Kürenz", "Kürenz"), ("Kita Löwenzahn", "Heiligkreuz"), ("Kita Mariahof", "Mariahof"),
    ("Kita Kunterbunt", "Feyen/Weismark"), ("Kita Campus Tarforst", "Tarforst"), ("Kita Filscher Zwerge", "Filsch"),
    ("Kita St. Laurentius Irsch", "Irsch"), ("Kita Kernscheider Wichtel", "Kernscheid"), ("Kita Zewen", "Zewen"),
    ("Kita St. Helena Euren", "Euren"), ("Kita Wirbelwind", "West/Pallien"), ("Kita Pallien", "West/Pallien"),
)) + (
    ActorSpec("Kita Sternschnuppe", "Kita", "Süd", closed_on=date(2024, 7, 31),
              description="Kindertagesstätte im Stadtteil Süd; zum 31.07.2024 geschlossen, Kinder in die "
                          "Kita Pusteblume übergegangen."),
    ActorSpec("Kita St. Nikolaus Konz", "Kita", "Konz"), ActorSpec("Kita Saarstrolche", "Kita", "Konz"),
    ActorSpec("Kita Am Saarufer", "Kita", "Saarburg-Kell"),
    ActorSpec("Kita Kell am See", "Kita", "Saarburg-Kell", town="Kell am See"),
    ActorSpec("Kita Weinbergzwerge", "Kita", "Schweich an der Römischen Weinstraße"),
    ActorSpec("Kita Longuich", "Kita", "Schweich an der Römischen Weinstraße", town="Longuich"),
    ActorSpec("Kita Trierweiler", "Kita", "Trier-Land"), ActorSpec("Kita Igel", "Kita", "Trier-Land", town="Igel"),
    ActorSpec("Kita Waldrach", "Kita", "Ruwer"),
    ActorSpec("Kita Hochwald Hermeskeil", "Kita", "Hermeskeil", is_isolated=True),
)

PRIMARY_SCHOOLS: tuple[ActorSpec, ...] = _specs("Grundschule", (
    ("Grundschule Olewig", "Olewig"), ("Grundschule Trier-Nord", "Nord"),
    ("Grundschule Gartenfeld", "Mitte/Gartenfeld"), ("Grundschule Trier-Süd", "Süd"),
    ("Grundschule Pallien", "West/Pallien"), ("Grundschule Ehrang", "Ehrang/Quint"),
    ("Grundschule Quint", "Ehrang/Quint"), ("Grundschule Pfalzel", "Pfalzel"), ("Grundschule Biewer", "Biewer"),
    ("Grundschule Ruwer", "Ruwer/Eitelsbach"), ("Grundschule Kürenz", "Kürenz"),
    ("Grundschule Heiligkreuz", "Heiligkreuz"),
    ("Grundschule Mariahof", "Mariahof"), ("Grundschule Feyen", "Feyen/Weismark"), ("Grundschule Tarforst", "Tarforst"),
    ("Grundschule Irsch", "Irsch"), ("Grundschule Zewen", "Zewen"), ("Grundschule Euren", "Euren"),
    ("Grundschule Konz-Karthaus", "Konz"), ("Grundschule Konz-Mitte", "Konz"),
    ("Grundschule Saarburg", "Saarburg-Kell"),
    ("Grundschule Schweich", "Schweich an der Römischen Weinstraße"), ("Grundschule Trierweiler", "Trier-Land"),
    ("Grundschule Waldrach", "Ruwer"), ("Grundschule Hermeskeil", "Hermeskeil"),
)) + (ActorSpec("Grundschule Kell am See", "Grundschule", "Saarburg-Kell", town="Kell am See"),)

SECONDARY_SCHOOLS: tuple[ActorSpec, ...] = (
    ActorSpec("Realschule plus Trier-Nord", "Realschule plus", "Nord", short="RS+ Trier-Nord"),
    ActorSpec("Realschule plus Ehrang", "Realschule plus", "Ehrang/Quint", short="RS+ Ehrang"),
    ActorSpec("Realschule plus Trier-West", "Realschule plus", "West/Pallien", short="RS+ Trier-West",
              closed_on=date(2021, 7, 31),
              description="Zum Schuljahr 2021/22 mit der Realschule plus Trier-Nord zusammengelegt."),
    ActorSpec("Realschule plus Konz", "Realschule plus", "Konz", short="RS+ Konz"),
    ActorSpec("Realschule plus Saarburg", "Realschule plus", "Saarburg-Kell", short="RS+ Saarburg"),
    ActorSpec("Realschule plus Hermeskeil", "Realschule plus", "Hermeskeil", short="RS+ Hermeskeil"),
    ActorSpec("Integrierte Gesamtschule Trier", "Integrierte Gesamtschule", "Kürenz", short="IGS Trier",
              domain="igs-trier"),
    ActorSpec("Integrierte Gesamtschule Schweich", "Integrierte Gesamtschule", "Schweich an der Römischen Weinstraße",
              short="IGS Schweich", domain="igs-schweich"),
    ActorSpec("Römertor-Gymnasium", "Gymnasium", "Nord"),
    ActorSpec("Gymnasium am Petrisberg", "Gymnasium", "Tarforst"),
    ActorSpec("Moselufer-Gymnasium", "Gymnasium", "Süd"),
    ActorSpec("Gymnasium Konz", "Gymnasium", "Konz"),
    ActorSpec("Gymnasium Saarburg", "Gymnasium", "Saarburg-Kell"),
    ActorSpec("Förderschule am Mariahof", "Förderschule", "Mariahof"),
    ActorSpec("Förderzentrum Lernen Euren", "Förderschule", "Euren"),
    ActorSpec("Berufsbildende Schule Technik Trier", "Berufsbildende Schule", "Nord", short="BBS Technik",
              domain="bbs-technik-trier"),
    ActorSpec("Berufsbildende Schule Wirtschaft Trier", "Berufsbildende Schule", "West/Pallien",
              short="BBS Wirtschaft", domain="bbs-wirtschaft-trier"),
    ActorSpec("Berufsbildende Schule Saarburg", "Berufsbildende Schule", "Saarburg-Kell", short="BBS Saarburg",
              domain="bbs-saarburg"),
)

OTHER_ACTORS: tuple[ActorSpec, ...] = (
    # Higher and further education
    ActorSpec("Universität Trier", "Hochschule", "Tarforst", short="Uni Trier", domain="uni-trier", staff=3,
              topics=("MINT", "Digitale Bildung", "Bildung für nachhaltige Entwicklung (BNE)")),
    ActorSpec("Hochschule Trier", "Hochschule", "Nord", short="HS Trier", domain="hs-trier", staff=2,
              topics=("MINT", "Berufs- und Studienorientierung")),
    ActorSpec("Volkshochschule Trier", "Volkshochschule", "Mitte/Gartenfeld", short="VHS Trier",
              domain="vhs-trier", staff=4,
              topics=("Alphabetisierung und Grundbildung", "Sprache und Integration (Neuzugewanderte)",
                      "Digitale Bildung")),
    ActorSpec("Kreisvolkshochschule Trier-Saarburg", "Volkshochschule", "Konz", short="KVHS",
              domain="kvhs-trier-saarburg", staff=2,
              topics=("Alphabetisierung und Grundbildung", "Financial Literacy")),
    ActorSpec("Bildungswerk Mosel gGmbH", "Bildungsträger", "Nord", short="Bildungswerk Mosel"),
    ActorSpec("Lernwerkstatt Trier gGmbH", "Bildungsträger", "Süd", short="Lernwerkstatt"),
    ActorSpec("Bildungszentrum Region Trier gGmbH", "Bildungsträger", "West/Pallien", short="BZ Region Trier"),
    ActorSpec("Qualifizierung Plus gGmbH", "Bildungsträger", "Kürenz", short="Qualifizierung Plus",
              closed_on=date(2023, 6, 30), description="Bildungsträger; Betrieb zum 30.06.2023 eingestellt."),
    ActorSpec("Zukunftswerk Konz gGmbH", "Bildungsträger", "Konz", short="Zukunftswerk"),
    ActorSpec("Sprachraum Trier GmbH", "Bildungsträger", "Mitte/Gartenfeld", short="Sprachraum",
              topics=("Sprache und Integration (Neuzugewanderte)",)),
    ActorSpec("Familienbildungsstätte Trier", "Familienbildungsstätte", "Süd", short="FBS Trier",
              topics=("Family Literacy", "Elternbeteiligung", "Food and Move Literacy")),
    # Economy and labour market
    ActorSpec("Industrie- und Handelskammer Trier", "Industrie- und Handelskammer", "Mitte/Gartenfeld",
              short="IHK Trier", domain="ihk-trier", staff=3,
              topics=("Berufs- und Studienorientierung", "MINT")),
    ActorSpec("Handwerkskammer Trier", "Handwerkskammer", "Nord", short="HWK Trier", domain="hwk-trier", staff=2,
              topics=("Berufs- und Studienorientierung",)),
    ActorSpec("Moselwerk Maschinenbau GmbH", "Unternehmen", "Ehrang/Quint", short="Moselwerk"),
    ActorSpec("Porta Software GmbH", "Unternehmen", "Tarforst", short="Porta Software",
              topics=("Berufs- und Studienorientierung", "Digitale Bildung")),
    ActorSpec("Brauerei Römerquelle", "Unternehmen", "Süd"),
    ActorSpec("Moselklinik gGmbH", "Unternehmen", "Nord", short="Moselklinik"),
    ActorSpec("Energie Mosel AG", "Unternehmen", "Mitte/Gartenfeld", short="Energie Mosel",
              topics=("Berufs- und Studienorientierung", "Bildung für nachhaltige Entwicklung (BNE)")),
    ActorSpec("Bauunternehmung Petrisberg GmbH", "Unternehmen", "Kürenz", short="Bau Petrisberg"),
    ActorSpec("Weingut Avelsbacher Hof", "Unternehmen", "Olewig"),
    ActorSpec("Spedition Zewen GmbH & Co. KG", "Unternehmen", "Zewen", short="Spedition Zewen"),
    ActorSpec("Moselländische Sparbank eG", "Unternehmen", "Mitte/Gartenfeld", short="Sparbank",
              topics=("Financial Literacy", "Berufs- und Studienorientierung")),
    ActorSpec("Elektrotechnik Kürenz GmbH", "Unternehmen", "Kürenz", short="Elektro Kürenz"),
    ActorSpec("Holzbau Hochwald GmbH", "Unternehmen", "Hermeskeil", short="Holzbau Hochwald"),
    ActorSpec("Saar-Mosel Stahlbau GmbH", "Unternehmen", "Konz", short="Saar-Mosel Stahlbau"),
    ActorSpec("Bäckerei Jakobs", "Unternehmen", "Schweich an der Römischen Weinstraße", is_isolated=True),
    ActorSpec("Jobcenter Trier Stadt", "Jobcenter", "Nord", short="JC Trier", domain="jobcenter-trier", staff=2),
    ActorSpec("Jobcenter Trier-Saarburg", "Jobcenter", "Konz", short="JC Trier-Saarburg",
              domain="jobcenter-trier-saarburg", staff=2),
    ActorSpec("Agentur für Arbeit Trier", "Agentur für Arbeit", "Süd", short="Agentur Trier",
              domain="arbeitsagentur-trier", staff=3,
              topics=("Berufs- und Studienorientierung", "Alphabetisierung und Grundbildung")),
    # Foundations and civil society
    ActorSpec("Bürgerstiftung Moselland", "Stiftung", "Mitte/Gartenfeld", short="Bürgerstiftung",
              topics=("Alphabetisierung und Grundbildung", "Digitale Bildung", "Demokratiebildung")),
    ActorSpec("Stiftung Lesefreude Mosel", "Stiftung", "Süd", short="Stiftung Lesefreude",
              topics=("Family Literacy",)),
    ActorSpec("MINT-Stiftung Region Trier", "Stiftung", "Tarforst", short="MINT-Stiftung", topics=("MINT",)),
    ActorSpec("Stiftung der Moselländischen Sparbank", "Stiftung", "Konz", short="Sparbank-Stiftung",
              topics=("Financial Literacy", "Kulturelle Bildung")),
    ActorSpec("Lesepaten Trier e.V.", "Verein / Verband", "Mitte/Gartenfeld", topics=("Family Literacy",),
              stages=("fruehkindlich", "primar")),
    ActorSpec("Förderverein Jugend & Technik e.V.", "Verein / Verband", "Nord", short="Jugend & Technik",
              topics=("MINT",), stages=("sek",)),
    ActorSpec("Kinder- und Familienhilfe Moselland e.V.", "Verein / Verband", "West/Pallien",
              short="Familienhilfe Moselland", topics=("Elternbeteiligung", "Inklusion"),
              stages=("fruehkindlich", "primar")),
    ActorSpec("Netzwerk Alphabetisierung Mosel e.V.", "Verein / Verband", "Kürenz", short="Netzwerk Alpha",
              topics=("Alphabetisierung und Grundbildung",), stages=("weiterbildung",)),
    ActorSpec("Sportkreis Mosel e.V.", "Verein / Verband", "Feyen/Weismark", topics=("Food and Move Literacy",),
              stages=("primar", "sek")),
    ActorSpec("Eltern für Bildung e.V.", "Verein / Verband", "Heiligkreuz", topics=("Elternbeteiligung",),
              stages=("fruehkindlich", "primar", "sek")),
    ActorSpec("Repair-Café Trier e.V.", "Verein / Verband", "Süd",
              topics=("Bildung für nachhaltige Entwicklung (BNE)",), stages=("weiterbildung",),
              closed_on=date(2022, 12, 31), description="Verein zum 31.12.2022 aufgelöst."),
    ActorSpec("Naturforscher Trier e.V.", "Verein / Verband", "Biewer",
              topics=("Bildung für nachhaltige Entwicklung (BNE)", "MINT"), stages=("primar", "sek")),
    ActorSpec("Seniorenakademie Trier e.V.", "Verein / Verband", "Olewig", topics=("Digitale Bildung",),
              stages=("nachberuflich",)),
    ActorSpec("Demokratiewerkstatt Trier e.V.", "Verein / Verband", "Kürenz", topics=("Demokratiebildung",),
              stages=("sek", "weiterbildung")),
    ActorSpec("Bildung im Hochwald e.V.", "Verein / Verband", "Hermeskeil",
              topics=("Alphabetisierung und Grundbildung", "Digitale Bildung"), stages=("weiterbildung",)),
    ActorSpec("Deutsch-Türkischer Kulturverein Trier e.V.", "Migrantenorganisation", "Nord",
              short="DTKV Trier"),
    ActorSpec("Syrisch-Deutscher Elternverein Trier e.V.", "Migrantenorganisation", "West/Pallien",
              short="Syrischer Elternverein"),
    ActorSpec("Polnisch-Deutsche Gesellschaft Mosel e.V.", "Migrantenorganisation", "Ehrang/Quint",
              short="PDG Mosel"),
    ActorSpec("Afrikanisches Kulturforum Trier e.V.", "Migrantenorganisation", "Kürenz", is_isolated=True),
    ActorSpec("Jugendzentrum Westend", "Jugendhilfeträger", "West/Pallien"),
    ActorSpec("Mobile Jugendarbeit Trier-Nord gGmbH", "Jugendhilfeträger", "Nord", short="Mobile Jugendarbeit"),
    ActorSpec("Jugendhilfe Konzer Land e.V.", "Jugendhilfeträger", "Konz", short="Jugendhilfe Konz"),
    ActorSpec("Haus der Jugend Schweich", "Jugendhilfeträger", "Schweich an der Römischen Weinstraße"),
    ActorSpec("Stadtbibliothek Trier", "Bibliothek", "Mitte/Gartenfeld", short="Stadtbibliothek",
              domain="stadtbibliothek-trier", staff=2),
    ActorSpec("Stadtteilbibliothek Ehrang", "Bibliothek", "Ehrang/Quint"),
    ActorSpec("Gemeindebücherei Konz", "Bibliothek", "Konz"),
    ActorSpec("Museum am Moselufer", "Kultureinrichtung", "Mitte/Gartenfeld"),
    ActorSpec("Kulturwerkstatt Alte Weberei", "Kultureinrichtung", "Süd", short="Alte Weberei"),
    ActorSpec("Jugendkunstschule Trier", "Kultureinrichtung", "Nord", is_isolated=True),
    # Administration: the Dezernat with its Ämter, the district, council committees
    ActorSpec("Dezernat II – Bildung, Jugend und Soziales", "Dezernat", "Mitte/Gartenfeld", short="Dezernat II",
              domain="trier-stadt", staff=2, stages=("fruehkindlich", "primar", "sek", "weiterbildung"),
              topics=("Inklusion",)),
    ActorSpec("Amt für Schulen und Sport", "Amt / Dienststelle", "Mitte/Gartenfeld", short="Schulamt",
              parent="Dezernat II", domain="schulamt.trier-stadt", staff=3, stages=("primar", "sek"),
              topics=("Digitale Bildung", "Inklusion")),
    ActorSpec("Jugendamt", "Amt / Dienststelle", "Mitte/Gartenfeld", short="Jugendamt", parent="Dezernat II",
              domain="jugendamt.trier-stadt", staff=3, stages=("fruehkindlich", "primar", "sek"),
              topics=("Elternbeteiligung", "Inklusion")),
    ActorSpec("Kita-Fachberatung", "Amt / Dienststelle", "Mitte/Gartenfeld", short="Kita-Fachberatung",
              parent="Jugendamt", domain="kita.trier-stadt", staff=2, stages=("fruehkindlich",),
              topics=("Family Literacy", "Sprache und Integration (Neuzugewanderte)")),
    ActorSpec("Bildungsbüro – Kommunales Bildungsmanagement", "Amt / Dienststelle", "Mitte/Gartenfeld",
              short="Bildungsbüro", parent="Dezernat II", domain="bildungsbuero.trier-stadt", staff=3,
              stages=("fruehkindlich", "primar", "sek", "uebergang_sb", "weiterbildung"),
              topics=("MINT", "Alphabetisierung und Grundbildung", "Berufs- und Studienorientierung")),
    ActorSpec("Amt für Soziales und Integration", "Amt / Dienststelle", "Mitte/Gartenfeld", short="Sozialamt",
              parent="Dezernat II", domain="integration.trier-stadt", staff=2, stages=("weiterbildung",),
              topics=("Sprache und Integration (Neuzugewanderte)",)),
    ActorSpec("Kreisverwaltung Trier-Saarburg – Bildungskoordination", "Kreisverwaltung", COUNTY_AREA,
              short="Kreisverwaltung", domain="trier-saarburg", staff=2, town="Trier",
              stages=("primar", "sek", "weiterbildung"),
              description="Kreisverwaltung Trier-Saarburg, Stabsstelle Bildungskoordination (Sitz in Trier).",
              topics=("Sprache und Integration (Neuzugewanderte)", "Digitale Bildung")),
    ActorSpec("Schulträgerausschuss", "Ausschuss / Gremium", CITY_AREA, domain="rat.trier-stadt", town="Trier",
              stages=("primar", "sek"), topics=("Digitale Bildung",),
              description="Ausschuss des Stadtrats für die Angelegenheiten der Schulen in städtischer Trägerschaft."),
    ActorSpec("Jugendhilfeausschuss", "Ausschuss / Gremium", CITY_AREA, domain="jha.trier-stadt", town="Trier",
              stages=("fruehkindlich", "sek"), topics=("Inklusion",),
              description="Ausschuss nach § 71 SGB VIII mit Vertretungen der freien Träger."),
    # Individuals acting in their own right
    ActorSpec("Gisela Wendt (Lernbegleiterin)", "Ehrenamtliche Person", "Kürenz", person=("Frau", "Gisela", "Wendt"),
              stages=("weiterbildung",), topics=("Alphabetisierung und Grundbildung",),
              description="Ehrenamtliche Lernbegleiterin für Erwachsene in der Grundbildung."),
    ActorSpec("Rüdiger Pauly (Lernbegleiter)", "Ehrenamtliche Person", "Ehrang/Quint",
              person=("Herr", "Rüdiger", "Pauly"), stages=("primar", "weiterbildung"),
              topics=("Alphabetisierung und Grundbildung",), description="Ehrenamtlicher Lernbegleiter."),
    ActorSpec("Hülya Arslan (Lesepatin)", "Ehrenamtliche Person", "West/Pallien", person=("Frau", "Hülya", "Arslan"),
              stages=("fruehkindlich", "primar"),
              topics=("Family Literacy", "Sprache und Integration (Neuzugewanderte)"),
              description="Ehrenamtliche Lesepatin, zweisprachig Deutsch/Türkisch."),
    ActorSpec("Edith Klasen (Lesepatin)", "Ehrenamtliche Person", "Konz", person=("Frau", "Edith", "Klasen"),
              stages=("fruehkindlich", "primar"), topics=("Family Literacy",),
              description="Ehrenamtliche Lesepatin in Kitas und Grundschulen."),
    ActorSpec("Dr. Cornelia Brandtner (Bildungsberatung)", "Unabhängige Expertin / unabhängiger Experte", "Olewig",
              person=("Frau", "Cornelia", "Brandtner"), stages=("weiterbildung",), topics=("Digitale Bildung",),
              description="Selbstständige Beraterin für Bildungsmonitoring und Digitalisierung."),
    ActorSpec("Werner Oberhausen (Schulentwicklung)", "Unabhängige Expertin / unabhängiger Experte", "Konz",
              person=("Herr", "Werner", "Oberhausen"), stages=("sek", "nachberuflich"), topics=("MINT",),
              is_isolated=True, description="Schulleiter im Ruhestand, berät ehrenamtlich zur Schulentwicklung."),
)

ACTORS: tuple[ActorSpec, ...] = KITAS + PRIMARY_SCHOOLS + SECONDARY_SCHOOLS + OTHER_ACTORS

SCHOOL_KINDS = ("Grundschule", "Realschule plus", "Integrierte Gesamtschule", "Gymnasium", "Förderschule",
                "Berufsbildende Schule")
SECONDARY_KINDS = ("Realschule plus", "Integrierte Gesamtschule", "Gymnasium", "Förderschule")

# Life stages of a kind when the spec names none; "+code" is added for some actors of the kind.
KIND_STAGES: dict[str, tuple[str, ...]] = {
    "Kita": ("fruehkindlich", "+primar"),
    "Grundschule": ("primar", "+fruehkindlich"),
    "Realschule plus": ("sek", "uebergang_sb"),
    "Integrierte Gesamtschule": ("sek", "uebergang_sb", "+hochschule"),
    "Gymnasium": ("sek", "+hochschule"),
    "Förderschule": ("primar", "sek", "+uebergang_sb"),
    "Berufsbildende Schule": ("uebergang_sb", "ausbildung"),
    "Hochschule": ("hochschule", "weiterbildung"),
    "Volkshochschule": ("weiterbildung", "nachberuflich", "+uebergang_sb"),
    "Bildungsträger": ("uebergang_sb", "weiterbildung", "+ausbildung"),
    "Familienbildungsstätte": ("fruehkindlich", "weiterbildung"),
    "Industrie- und Handelskammer": ("uebergang_sb", "ausbildung", "weiterbildung"),
    "Handwerkskammer": ("uebergang_sb", "ausbildung", "weiterbildung"),
    "Unternehmen": ("uebergang_sb", "ausbildung", "+weiterbildung"),
    "Jobcenter": ("uebergang_sb", "weiterbildung"),
    "Agentur für Arbeit": ("uebergang_sb", "ausbildung", "weiterbildung"),
    "Stiftung": ("fruehkindlich", "primar", "sek"),
    "Verein / Verband": ("primar", "sek"),
    "Migrantenorganisation": ("fruehkindlich", "primar", "weiterbildung"),
    "Jugendhilfeträger": ("sek", "uebergang_sb"),
    "Bibliothek": ("fruehkindlich", "primar", "+nachberuflich"),
    "Kultureinrichtung": ("primar", "sek", "+nachberuflich"),
}

# Topic pools per kind; an actor without its own topics draws one to three of these.
KIND_TOPICS: dict[str, tuple[str, ...]] = {
    "Kita": ("Family Literacy", "Sprache und Integration (Neuzugewanderte)", "Elternbeteiligung",
             "Food and Move Literacy", "MINT", "Inklusion"),
    "Grundschule": ("MINT", "Family Literacy", "Digitale Bildung", "Food and Move Literacy", "Inklusion",
                    "Bildung für nachhaltige Entwicklung (BNE)", "Sprache und Integration (Neuzugewanderte)"),
    "Realschule plus": ("Berufs- und Studienorientierung", "MINT", "Digitale Bildung", "Inklusion",
                        "Financial Literacy"),
    "Integrierte Gesamtschule": ("Berufs- und Studienorientierung", "MINT", "Digitale Bildung", "Demokratiebildung",
                                 "Inklusion"),
    "Gymnasium": ("MINT", "Digitale Bildung", "Demokratiebildung", "Bildung für nachhaltige Entwicklung (BNE)",
                  "Kulturelle Bildung", "Berufs- und Studienorientierung"),
    "Förderschule": ("Inklusion", "Berufs- und Studienorientierung", "Alphabetisierung und Grundbildung"),
    "Berufsbildende Schule": ("Berufs- und Studienorientierung", "Digitale Bildung", "MINT",
                              "Sprache und Integration (Neuzugewanderte)"),
    "Bildungsträger": ("Alphabetisierung und Grundbildung", "Sprache und Integration (Neuzugewanderte)",
                       "Berufs- und Studienorientierung", "Digitale Bildung", "Financial Literacy"),
    "Unternehmen": ("Berufs- und Studienorientierung", "MINT", "Digitale Bildung"),
    "Jobcenter": ("Alphabetisierung und Grundbildung", "Sprache und Integration (Neuzugewanderte)",
                  "Berufs- und Studienorientierung"),
    "Migrantenorganisation": ("Sprache und Integration (Neuzugewanderte)", "Elternbeteiligung",
                              "Kulturelle Bildung"),
    "Jugendhilfeträger": ("Demokratiebildung", "Kulturelle Bildung", "Inklusion", "Berufs- und Studienorientierung"),
    "Bibliothek": ("Family Literacy", "Digitale Bildung", "Alphabetisierung und Grundbildung"),
    "Kultureinrichtung": ("Kulturelle Bildung", "Demokratiebildung", "Bildung für nachhaltige Entwicklung (BNE)"),
}

# How an actor of a kind is described when its spec has no text: "{}" takes "im Stadtteil …".
KIND_DESCRIPTIONS: dict[str, str] = {
    "Kita": "Kindertagesstätte {}.",
    "Grundschule": "Grundschule {}.",
    "Realschule plus": "Realschule plus {} mit Schwerpunkt Berufsorientierung.",
    "Integrierte Gesamtschule": "Integrierte Gesamtschule {} mit gymnasialer Oberstufe.",
    "Gymnasium": "Gymnasium {}.",
    "Förderschule": "Förderschule {}.",
    "Berufsbildende Schule": "Berufsbildende Schule {}: Berufsschule, Berufsfachschule, Fachoberschule.",
    "Bildungsträger": "Gemeinnütziger Bildungsträger {}: Grundbildung, Sprachkurse, berufliche Qualifizierung.",
    "Unternehmen": "Ausbildungsbetrieb {}.",
    "Verein / Verband": "Gemeinnütziger Verein {}.",
    "Migrantenorganisation": "Migrantenorganisation {}: Elternarbeit, Sprach- und Kulturangebote.",
    "Jugendhilfeträger": "Träger der offenen Kinder- und Jugendarbeit {}.",
    "Bibliothek": "Öffentliche Bibliothek {}.",
    "Kultureinrichtung": "Kultureinrichtung {} mit Vermittlungsangeboten für Schulen.",
    "Hochschule": "Hochschule {} mit Angeboten für Schulen und wissenschaftlicher Weiterbildung.",
    "Volkshochschule": "Volkshochschule {}: Sprachen, Grundbildung, Digitales, Gesellschaft.",
    "Familienbildungsstätte": "Familienbildungsstätte {}: Elternkurse, Eltern-Kind-Gruppen, Kochwerkstatt.",
    "Industrie- und Handelskammer": "Industrie- und Handelskammer mit Sitz {}: Ausbildungsberatung, Prüfungen.",
    "Handwerkskammer": "Handwerkskammer mit Sitz {}: Ausbildungsberatung, Nachwuchsgewinnung.",
    "Jobcenter": "Jobcenter {}: Grundsicherung, Beratung und Vermittlung.",
    "Agentur für Arbeit": "Agentur für Arbeit {}: Berufsberatung vor und im Erwerbsleben.",
    "Stiftung": "Gemeinnützige Stiftung {}.",
    "Dezernat": "Geschäftsbereich der Stadtverwaltung Trier {}.",
    "Amt / Dienststelle": "Dienststelle der Stadtverwaltung Trier {}.",
}

# Persons per actor: (at least, weight for the remaining persons). Larger bodies have more contacts.
KIND_STAFF: dict[str, tuple[int, int]] = {
    "Kita": (1, 2), "Grundschule": (1, 4), "Realschule plus": (2, 4), "Integrierte Gesamtschule": (2, 5),
    "Gymnasium": (2, 4), "Förderschule": (1, 3), "Berufsbildende Schule": (2, 6), "Hochschule": (2, 6),
    "Volkshochschule": (2, 5), "Bildungsträger": (1, 4), "Familienbildungsstätte": (1, 2),
    "Industrie- und Handelskammer": (2, 4), "Handwerkskammer": (2, 3), "Unternehmen": (1, 2), "Jobcenter": (2, 3),
    "Agentur für Arbeit": (2, 4), "Stiftung": (1, 2), "Verein / Verband": (1, 2), "Migrantenorganisation": (1, 1),
    "Jugendhilfeträger": (1, 3), "Bibliothek": (1, 2), "Kultureinrichtung": (1, 2), "Dezernat": (1, 1),
    "Amt / Dienststelle": (2, 4), "Kreisverwaltung": (2, 3), "Ausschuss / Gremium": (1, 0),
}

# Functions (Funktion) per kind; the first is the head and is given to the first person of an actor.
KIND_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "Kita": ("Kita-Leitung", "Stellv. Kita-Leitung", "Sprachförderkraft", "Übergangskoordination"),
    "Grundschule": ("Schulleitung", "Stellv. Schulleitung", "Schulsozialarbeit", "MINT-Koordination",
                    "Leseförderung"),
    "Realschule plus": ("Schulleitung", "Stellv. Schulleitung", "Berufsorientierung (BO-Koordination)",
                        "MINT-Koordination", "Schulsozialarbeit"),
    "Integrierte Gesamtschule": ("Schulleitung", "Didaktische Koordination", "MINT-Koordination",
                                 "Berufsorientierung (BO-Koordination)", "Schulsozialarbeit", "Digitalkoordination"),
    "Gymnasium": ("Schulleitung", "Stellv. Schulleitung", "MINT-Koordination", "Studienorientierung",
                  "Digitalkoordination"),
    "Förderschule": ("Schulleitung", "Förderlehrkraft", "Schulsozialarbeit"),
    "Berufsbildende Schule": ("Schulleitung", "Abteilungsleitung", "Berufsorientierung (BO-Koordination)",
                              "Schulsozialarbeit", "Digitalkoordination"),
    "Hochschule": ("Referent/in Wissenstransfer", "Projektleitung Schülerlabor", "Zentrale Studienberatung",
                   "Professur Didaktik der Mathematik"),
    "Volkshochschule": ("Leitung", "Fachbereichsleitung Grundbildung", "Fachbereichsleitung Sprachen",
                        "Programmplanung Digitales"),
    "Bildungsträger": ("Geschäftsführung", "Projektleitung", "Sozialpädagogische Begleitung", "Kursleitung"),
    "Familienbildungsstätte": ("Leitung", "Fachbereich Familienbildung"),
    "Industrie- und Handelskammer": ("Bereichsleitung Aus- und Weiterbildung", "Ausbildungsberatung",
                                     "Referent/in Berufsorientierung"),
    "Handwerkskammer": ("Ausbildungsberatung", "Referent/in Nachwuchsgewinnung"),
    "Unternehmen": ("Ausbildungsleitung", "Personalleitung", "Geschäftsführung"),
    "Jobcenter": ("Geschäftsführung", "Teamleitung U25", "Beauftragte/r für Chancengleichheit am Arbeitsmarkt"),
    "Agentur für Arbeit": ("Teamleitung Berufsberatung", "Berufsberatung", "Beauftragte/r für Chancengleichheit"),
    "Stiftung": ("Vorstand", "Geschäftsführung", "Projektleitung"),
    "Verein / Verband": ("Vorsitz", "Geschäftsführung", "Projektkoordination"),
    "Migrantenorganisation": ("Vorsitz", "Elternbegleitung", "Projektkoordination"),
    "Jugendhilfeträger": ("Einrichtungsleitung", "Fachberatung", "Schulsozialarbeit"),
    "Bibliothek": ("Leitung", "Bibliothekspädagogik"),
    "Kultureinrichtung": ("Leitung", "Kulturvermittlung"),
    "Dezernat": ("Beigeordnete/r", "Büroleitung"),
    "Amt / Dienststelle": ("Amtsleitung", "Abteilungsleitung", "Referent/in", "Sachbearbeitung"),
    "Kreisverwaltung": ("Bildungskoordination für Neuzugewanderte", "Referent/in Schulen"),
    "Ausschuss / Gremium": ("Vorsitz",),
    "Ehrenamtliche Person": ("Lernbegleitung",),
    "Unabhängige Expertin / unabhängiger Experte": ("Beratung",),
}
# Some Ämter have their own vocabulary of functions.
ACTOR_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "Bildungsbüro": ("Leitung Bildungsbüro", "Bildungsmanagement", "Bildungsmonitoring", "Projektleitung"),
    "Kita-Fachberatung": ("Fachberatung Kita", "Fachberatung Sprache"),
}
# Functions of the few people who also sit on a Verein board besides their job.
VOLUNTEER_FUNCTIONS: tuple[str, ...] = ("Vorstandsmitglied (ehrenamtlich)", "Kassenwart/in (ehrenamtlich)",
                                        "Beisitz im Vorstand")

# Legal basis per kind category: public bodies work on public task, the rest mostly on consent.
CONSENT_SHARE_BY_CATEGORY: dict[str, float] = {
    "Zivilgesellschaft": 0.7, "Einzelperson": 1.0, "Wirtschaft": 0.4, "Stiftung": 0.4, "Weiterbildung": 0.15,
}
CONSENT_METHODS: tuple[str, ...] = (
    "Anmeldeformular Bildungskonferenz", "Per E-Mail bestätigt", "Schriftlich beim Netzwerktreffen",
)

# Actors that many others tie to (brokers in the analysis): weight when drawing a partner.
HUB_WEIGHTS: dict[str, int] = {
    "VHS Trier": 7, "Schulamt": 6, "IHK Trier": 6, "Bildungsbüro": 5, "Stadtbibliothek": 4, "Uni Trier": 3,
    "Agentur Trier": 4, "JC Trier": 3, "HWK Trier": 3, "KVHS": 3, "Bürgerstiftung": 2, "Kreisverwaltung": 3,
    "Jugendamt": 3,
}


# --- cooperations ----------------------------------------------------------------------

@dataclass(frozen=True)
class TieRule:
    """How one sort of cooperation arises.

    Pools name kinds, ``cat:<category>`` or ``@<short name>``. For directed types the source
    pool is the giving side (funder, referrer).
    Empty topics or stages mean: what the two actors share, else what the target does.
    """

    sources: tuple[str, ...]
    targets: tuple[str, ...]
    types: tuple[str, ...]
    topics: tuple[str, ...]
    stages: tuple[str, ...]
    weight: int
    locality: str  # "same" area, "near" (same city or district, mostly), "county" (district only), "any"
    texts: tuple[str, ...]


TIE_RULES: tuple[TieRule, ...] = (
    TieRule(("Kita",), ("Grundschule",), ("Kooperationsvertrag",),
            ("Elternbeteiligung", "Family Literacy", "Sprache und Integration (Neuzugewanderte)", "Inklusion"),
            ("fruehkindlich", "primar"), 40, "same",
            ("Übergang Kita–Grundschule: gemeinsame Schnuppertage, Übergabegespräche und gegenseitige "
             "Hospitationen von Erzieherinnen und Lehrkräften.",
             "Kooperationsvereinbarung zum Schulübergang: Vorschulkinder besuchen einmal im Monat die Schule.")),
    TieRule(("Grundschule",), SECONDARY_KINDS, ("Projektpartnerschaft", "Informeller Austausch"),
            ("MINT", "Inklusion", "Demokratiebildung"), ("primar", "sek"), 16, "near",
            ("Übergang in die Sekundarstufe: Schnupperunterricht und Austausch der Klassenlehrkräfte.",
             "Gemeinsame MINT-Projekttage der Klassen 4 und 5.")),
    TieRule(SECONDARY_KINDS + ("Berufsbildende Schule",), ("Unternehmen",),
            ("Praktikums- und Ausbildungspartnerschaft",), ("Berufs- und Studienorientierung",),
            ("sek", "uebergang_sb"), 24, "near",
            ("Praktikumsplätze und Betriebserkundungen für die Klassen 8 bis 10.",
             "Schulpartnerschaft: Azubis berichten im Unterricht, Bewerbungstraining im Betrieb.")),
    TieRule(("@IHK Trier", "@HWK Trier"), SECONDARY_KINDS + ("Berufsbildende Schule",),
            ("Kooperationsvertrag", "Projektpartnerschaft"), ("Berufs- und Studienorientierung", "MINT"),
            ("sek", "uebergang_sb"), 18, "any",
            ("Berufsorientierung: Ausbildungsbotschafterinnen und -botschafter der Kammer im Unterricht.",
             "Kammer und Schule richten gemeinsam den Tag der Ausbildung aus.")),
    TieRule(("Berufsbildende Schule",), ("Unternehmen", "@HWK Trier"),
            ("Praktikums- und Ausbildungspartnerschaft", "Kooperationsvertrag"),
            ("Berufs- und Studienorientierung", "Digitale Bildung", "MINT"), ("uebergang_sb", "ausbildung"), 10, "any",
            ("Lernortkooperation in der dualen Ausbildung: abgestimmte Lernfelder und Prüfungsvorbereitung.",)),
    TieRule(("Jobcenter", "Agentur für Arbeit"),
            ("Bildungsträger", "Volkshochschule", "Jugendhilfeträger", "Familienbildungsstätte"),
            ("Vermittlung / Verweisberatung",),
            ("Alphabetisierung und Grundbildung", "Sprache und Integration (Neuzugewanderte)",
             "Berufs- und Studienorientierung"), ("uebergang_sb", "weiterbildung"), 14, "any",
            ("Verweisberatung: Kundinnen und Kunden werden gezielt in passende Kurse vermittelt.",
             "Zuweisung in Maßnahmen zur Grundbildung und beruflichen Orientierung.")),
    TieRule(("Stiftung",), ("Kita", "cat:Schule", "Verein / Verband", "Bibliothek", "Migrantenorganisation"),
            ("Förderung",), (), (), 14, "any",
            ("Projektförderung über zwei Schuljahre.",
             "Förderung von Material und Honoraren für Arbeitsgemeinschaften.",
             "Anschubfinanzierung für ein neues Angebot.")),
    TieRule(("Volkshochschule",), ("Migrantenorganisation", "Verein / Verband", "Bildungsträger", "Kita"),
            ("Projektpartnerschaft", "Informeller Austausch"),
            ("Sprache und Integration (Neuzugewanderte)", "Alphabetisierung und Grundbildung"),
            ("weiterbildung",), 12, "any",
            ("Sprachkurse mit Kinderbetreuung und Elterncafé.",
             "Gemeinsame Kursplanung für Neuzugewanderte, abgestimmte Einstufung.")),
    TieRule(("Bibliothek",), ("Kita", "Grundschule", "Familienbildungsstätte"),
            ("Projektpartnerschaft", "Informeller Austausch"), ("Family Literacy", "Elternbeteiligung"),
            ("fruehkindlich", "primar"), 14, "near",
            ("Family Literacy: Vorlesestunden, Bibliotheksführerschein und Buchstart-Taschen.",
             "Medienkisten für Gruppen und Klassen, Elternabende in der Bibliothek.")),
    TieRule(("Hochschule",), ("Gymnasium", "Integrierte Gesamtschule", "Realschule plus", "Unternehmen"),
            ("Projektpartnerschaft",), ("MINT", "Digitale Bildung", "Bildung für nachhaltige Entwicklung (BNE)"),
            ("sek", "hochschule"), 10, "any",
            ("Schülerlabor und Schnupperstudium für die Oberstufe.", "Gemeinsames Forschungsprojekt mit Praxisphase.")),
    TieRule(("@Schulamt",), ("cat:Schule",), ("Gremienarbeit", "Informeller Austausch"),
            ("Digitale Bildung", "Inklusion"), ("primar", "sek"), 10, "any",
            ("Schulentwicklung: Abstimmung im Arbeitskreis der Schulleitungen.",
             "Digitalpakt: Medienentwicklungsplan und Ausstattung.")),
    TieRule(("@Bildungsbüro",), ("Volkshochschule", "Hochschule", "Industrie- und Handelskammer", "Agentur für Arbeit",
                                 "Jobcenter", "Stiftung", "@Jugendamt", "Kreisverwaltung", "Verein / Verband"),
            ("Gremienarbeit", "Informeller Austausch", "Kooperationsvertrag"), (), (), 8, "any",
            ("Bildungsmonitoring und Netzwerkarbeit: regelmäßige Abstimmung mit dem Bildungsbüro.",
             "Gemeinsame Steuerungsgruppe im kommunalen Bildungsmanagement.")),
    TieRule(("Ehrenamtliche Person",), ("Grundschule", "Volkshochschule", "Bibliothek", "Kita"),
            ("Informeller Austausch",), (), (), 6, "near",
            ("Ehrenamtliche Lern- und Lesebegleitung, wöchentlich.",)),
    TieRule(("Unternehmen", "Bibliothek", "@Schulamt", "Kultureinrichtung"),
            ("Verein / Verband", "Migrantenorganisation", "cat:Schule", "Bildungsträger"),
            ("Raum- und Sachleistung",), (), (), 6, "any",
            ("Stellt Räume für Kurse und Treffen kostenfrei zur Verfügung.",
             "Überlässt ausgemusterte Laptops und Tablets.")),
    TieRule(("Jugendhilfeträger",), SECONDARY_KINDS + ("Grundschule",), ("Kooperationsvertrag", "Projektpartnerschaft"),
            ("Demokratiebildung", "Inklusion", "Kulturelle Bildung"), ("sek",), 8, "near",
            ("Schulsozialarbeit und offene Ganztagsangebote.", "Projektwoche Demokratie und Beteiligung.")),
    TieRule(("Kultureinrichtung",), ("cat:Schule", "Kita"), ("Projektpartnerschaft",), ("Kulturelle Bildung",),
            ("primar", "sek"), 8, "any",
            ("Kulturelle Bildung: Museumspädagogik und Theaterwerkstatt im Schuljahr.",)),
    TieRule(("Familienbildungsstätte",), ("Kita",), ("Kooperationsvertrag", "Projektpartnerschaft"),
            ("Elternbeteiligung", "Family Literacy", "Food and Move Literacy"), ("fruehkindlich",), 6, "any",
            ("Elternkurse und Kochwerkstatt in der Kita.",)),
    TieRule(("@Kreisverwaltung",), ("cat:Schule", "Kita", "Volkshochschule", "Bildungsträger", "Jobcenter",
                                    "Verein / Verband", "Migrantenorganisation", "Jugendhilfeträger", "Bibliothek"),
            ("Gremienarbeit", "Informeller Austausch"),
            ("Sprache und Integration (Neuzugewanderte)", "Digitale Bildung"), (), 5, "county",
            ("Bildungskoordination für Neuzugewanderte im Landkreis: regelmäßige Abstimmung.",)),
    TieRule(("@Jugendamt", "@Kita-Fachberatung"), ("Kita", "Jugendhilfeträger"),
            ("Gremienarbeit", "Kooperationsvertrag"),
            ("Inklusion", "Elternbeteiligung", "Sprache und Integration (Neuzugewanderte)"), ("fruehkindlich",), 8,
            "any", ("Fachberatung: Qualitätsentwicklung und alltagsintegrierte Sprachbildung.",)),
    TieRule(("@Sozialamt",), ("Migrantenorganisation", "Bildungsträger", "Volkshochschule", "Jobcenter"),
            ("Gremienarbeit", "Kooperationsvertrag", "Informeller Austausch"),
            ("Sprache und Integration (Neuzugewanderte)",), ("weiterbildung",), 5, "any",
            ("Integrationskurse und Migrationsberatung: abgestimmte Angebote und Fallbesprechungen.",)),
    TieRule(("Migrantenorganisation",), ("Kita", "Grundschule"), ("Informeller Austausch", "Projektpartnerschaft"),
            ("Elternbeteiligung", "Sprache und Integration (Neuzugewanderte)"), ("fruehkindlich", "primar"), 5, "any",
            ("Elternbegleitung in der Herkunftssprache, Dolmetschen bei Elterngesprächen.",)),
    TieRule(("Verein / Verband",), ("cat:Schule", "Kita"), ("Projektpartnerschaft", "Informeller Austausch"),
            (), (), 8, "near",
            ("Arbeitsgemeinschaft am Nachmittag, angeboten vom Verein.", "Gemeinsamer Aktionstag im Stadtteil.")),
    TieRule(("Ausschuss / Gremium", "@Dezernat II"), ("@Schulamt", "@Jugendamt", "Jugendhilfeträger"),
            ("Gremienarbeit",), (), (), 3, "any",
            ("Berichterstattung und Beratung im Ausschuss.",)),
    TieRule(("Unabhängige Expertin / unabhängiger Experte",), ("@Bildungsbüro", "Hochschule", "Volkshochschule"),
            ("Informeller Austausch", "Projektpartnerschaft"), (), (), 2, "any",
            ("Fachliche Beratung, unentgeltlich.",)),
)

# Which kinds give in a directed type: the tests check that no directed tie points backwards.
DIRECTED_GIVER_KINDS: dict[str, tuple[str, ...]] = {
    "Förderung": ("Stiftung",),
    "Vermittlung / Verweisberatung": ("Jobcenter", "Agentur für Arbeit"),
    "Raum- und Sachleistung": ("Unternehmen", "Bibliothek", "Amt / Dienststelle", "Kultureinrichtung"),
}


# --- initiatives -----------------------------------------------------------------------

@dataclass(frozen=True)
class InitiativeSpec:
    name: str
    short: str
    kind: str                        # InitiativeKind value
    topics: tuple[str, ...]
    stages: tuple[str, ...]
    start: date
    lead: str                        # short name of the leading actor
    partners: tuple[str, ...]
    funders: tuple[str, ...]
    member_pool: tuple[str, ...]     # pool selectors as in TieRule
    size: int                        # members in all, including lead, partners and funders
    description: str
    end: date | None = None


INITIATIVES: tuple[InitiativeSpec, ...] = (
    InitiativeSpec(
        "MINT-Initiativkreis Trier", "MINT-Initiativkreis", "working_group", ("MINT", "Digitale Bildung"),
        ("primar", "sek", "hochschule"), date(2018, 3, 1), "Bildungsbüro", ("Uni Trier", "HS Trier", "IHK Trier"),
        ("MINT-Stiftung",), ("cat:Schule", "Unternehmen", "@Jugend & Technik", "@Naturforscher Trier e.V."), 22,
        "Schulen, Hochschulen und Betriebe stimmen MINT-Angebote entlang der Bildungskette ab."),
    InitiativeSpec(
        "Bündnis für Alphabetisierung und Grundbildung Trier", "Grundbildungsbündnis", "alliance",
        ("Alphabetisierung und Grundbildung",), ("uebergang_sb", "weiterbildung", "nachberuflich"),
        date(2019, 9, 8), "VHS Trier", ("JC Trier", "Stadtbibliothek", "Netzwerk Alpha"), ("Bürgerstiftung",),
        ("Bildungsträger", "Ehrenamtliche Person", "Migrantenorganisation", "Volkshochschule", "Jugendhilfeträger"),
        15, "Bündnis im Rahmen der Nationalen Dekade für Alphabetisierung und Grundbildung."),
    InitiativeSpec(
        "Knotenpunkte – Übergang Schule–Beruf", "Knotenpunkte", "programme", ("Berufs- und Studienorientierung",),
        ("sek", "uebergang_sb", "ausbildung"), date(2020, 1, 15), "Agentur Trier",
        ("IHK Trier", "HWK Trier", "JC Trier", "Schulamt"), ("Sparbank-Stiftung",),
        ("Berufsbildende Schule", "Realschule plus", "Integrierte Gesamtschule", "Bildungsträger",
         "Jugendhilfeträger", "Unternehmen"), 24,
        "Programm zur Verzahnung von Berufsorientierung, Berufsberatung und Übergangsbegleitung."),
    InitiativeSpec(
        "Netzwerk Frühe Bildung", "Frühe Bildung", "working_group", ("Family Literacy", "Elternbeteiligung"),
        ("fruehkindlich", "primar"), date(2017, 5, 1), "Jugendamt", ("Kita-Fachberatung", "FBS Trier",
                                                                     "Stadtbibliothek"),
        ("Stiftung Lesefreude",), ("Kita", "Grundschule", "@Lesepaten Trier e.V.", "Migrantenorganisation"), 22,
        "Fachkräfte aus Kitas, Grundschulen und Familienbildung gestalten den Übergang gemeinsam."),
    InitiativeSpec(
        "Arbeitskreis Sprache und Integration", "AK Sprache", "working_group",
        ("Sprache und Integration (Neuzugewanderte)",), ("fruehkindlich", "primar", "weiterbildung"),
        date(2016, 2, 1), "Sozialamt", ("VHS Trier", "Kreisverwaltung"), (),
        ("Migrantenorganisation", "Bildungsträger", "Kita", "Verein / Verband", "Jobcenter"), 14,
        "Abstimmung der Sprachkursangebote und der Begleitung neu zugewanderter Familien."),
    InitiativeSpec(
        "Digitale Bildung Region Trier", "Digitale Bildung", "project", ("Digitale Bildung",),
        ("sek", "weiterbildung", "nachberuflich"), date(2022, 1, 1), "Schulamt", ("HS Trier", "KVHS"),
        ("Bürgerstiftung",), ("cat:Schule", "Bibliothek", "Bildungsträger", "@Seniorenakademie Trier e.V."), 16,
        "Projekt zu Medienkompetenz in Schule und Erwachsenenbildung, gefördert bis Ende 2027.",
        end=date(2027, 12, 31)),
)


@dataclass(frozen=True)
class DuplicateSpec:
    """A working group founded beside an existing one (``twin``) with the same topics and most of
    its members: the duplicated structure the overlap page must find (issue 15). Built without
    the random generator, so the rest of the region stays exactly as it was."""

    name: str
    short: str
    twin: str           # short name of the existing initiative
    start: date
    leave_out_every: int  # every n-th current member of the twin (by position) does not join
    description: str


DUPLICATE_INITIATIVES: tuple[DuplicateSpec, ...] = (
    DuplicateSpec(
        "Runder Tisch Sprachförderung Neuzugewanderte", "Runder Tisch Sprache", "AK Sprache", date(2023, 4, 1), 4,
        "Gegründet nach dem Bildungsgespräch zu Sprache und Integration; trifft sich monatlich."),
)

# --- events ----------------------------------------------------------------------------

CONFERENCE_THEMES: dict[int, str] = {
    2022: "Bildung nach der Pandemie: Was wir gelernt haben",
    2023: "Übergänge gestalten – von der Kita in den Beruf",
    2024: "Grundbildung für alle",
    2025: "MINT und digitale Bildung in der Region",
    2026: "Bildung für nachhaltige Entwicklung vor Ort",
}
# The topic each Bildungsgespräch takes up, in turn.
DIALOGUE_TOPICS: tuple[str, ...] = (
    "MINT", "Alphabetisierung und Grundbildung", "Digitale Bildung", "Sprache und Integration (Neuzugewanderte)",
    "Berufs- und Studienorientierung", "Family Literacy", "Bildung für nachhaltige Entwicklung (BNE)",
    "Demokratiebildung", "Inklusion", "Elternbeteiligung", "Financial Literacy", "Food and Move Literacy",
    "Kulturelle Bildung",
)
VENUES: dict[str, str] = {
    "Bildungskonferenz": "Großer Rathaussaal, Augustinerhof, 54290 Trier",
    "Bildungsgespräch": "Volkshochschule Trier, Domfreihof, Raum 12",
    "Strategiewerkstatt": "Bildungsbüro, Besprechungsraum 2.14",
    "Fortbildung": "Familienbildungsstätte Trier, Seminarraum",
    "Netzwerktreffen": "Hochschule Trier, Schneidershof, Raum C 10",
}


@dataclass(frozen=True)
class SpecialEvent:
    """Workshops and trainings: one-off events with their own audience (pool selectors)."""

    kind: str
    title: str
    day: date
    start: tuple[int, int]
    end: tuple[int, int]
    invitees: int
    capacity: int
    audience: tuple[str, ...]
    topics: tuple[str, ...]
    initiative: str  # short name of the initiative it belongs to, or ""
    description: str


SPECIAL_EVENTS: tuple[SpecialEvent, ...] = (
    SpecialEvent("Strategiewerkstatt", "Strategiewerkstatt Bildungsmonitoring", date(2024, 2, 22), (10, 0), (15, 0),
                 30, 30, ("cat:Verwaltung", "Volkshochschule", "Hochschule", "Agentur für Arbeit", "Jobcenter"),
                 (), "", "Welche Kennzahlen braucht der Bildungsbericht 2025? Arbeit in Kleingruppen."),
    SpecialEvent("Fortbildung", "Fortbildung Family Literacy für Kita-Teams", date(2025, 4, 3), (9, 0), (13, 0),
                 30, 16, ("Kita", "Bibliothek", "Familienbildungsstätte"), ("Family Literacy",), "Frühe Bildung",
                 "Praxisfortbildung: Vorlesen, Erzählen und Elternarbeit in mehrsprachigen Gruppen."),
    SpecialEvent("Netzwerktreffen", "Netzwerktreffen MINT-Initiativkreis", date(2025, 6, 26), (14, 0), (17, 0),
                 40, 40, ("cat:Schule", "Hochschule", "Unternehmen", "Industrie- und Handelskammer", "Stiftung"),
                 ("MINT",), "MINT-Initiativkreis", "Jahrestreffen mit Markt der Möglichkeiten."),
    SpecialEvent("Strategiewerkstatt", "Strategiewerkstatt Übergang Schule–Beruf", date(2025, 10, 9), (10, 0),
                 (15, 0), 30, 30, ("Berufsbildende Schule", "Realschule plus", "Integrierte Gesamtschule",
                                   "Agentur für Arbeit", "Jobcenter", "Industrie- und Handelskammer",
                                   "Handwerkskammer"), ("Berufs- und Studienorientierung",), "Knotenpunkte",
                 "Lücken im Übergang finden: die Übergangsmatrix der Region als Arbeitsgrundlage."),
    SpecialEvent("Fortbildung", "Fortbildung Digitale Werkzeuge im Unterricht", date(2026, 3, 19), (9, 0), (13, 0),
                 32, 18, ("cat:Schule", "Volkshochschule"), ("Digitale Bildung",), "Digitale Bildung",
                 "Fortbildung für Lehrkräfte und Kursleitungen, mit eigenen Geräten."),
)
@dataclass(frozen=True)
class WorkshopResultSpec:
    """The results of a past workshop: its tables and, per table, proposals with their dot votes."""

    event_title: str
    tables: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]


WORKSHOP_RESULTS: tuple[WorkshopResultSpec, ...] = (
    WorkshopResultSpec("Strategiewerkstatt Bildungsmonitoring", (
        ("Tisch 1: Kennzahlen", (("Politik versteht Bildung als kommunale Aufgabe", 23),
                                 ("Übergangsquoten Kita–Grundschule jährlich berichten", 9),
                                 ("Weiterbildungsbeteiligung nach Stadtteilen ausweisen", 6))),
        ("Tisch 2: Datenquellen", (("Schulstatistik und Jugendhilfedaten zusammenführen", 12),
                                   ("Daten der Agentur für Arbeit kleinräumig nutzen", 6),
                                   ("Datenschutzkonzept für das Monitoring", 4))),
        ("Tisch 3: Beteiligung", (("Bildungsbericht in leichter Sprache", 11),
                                  ("Jährliche Bildungskonferenz zu den Befunden", 8),
                                  ("Stadtteilgespräche mit Eltern", 8),
                                  ("Jugendliche an der Berichtsplanung beteiligen", 3))),
    )),
)


DECLINE_COMMENTS: tuple[str, ...] = (
    "Leider Terminkonflikt.", "Eine Kollegin kommt in Vertretung.", "Bitte Unterlagen zusenden.",
    "Krankheitsbedingt abgesagt.", "Zeugniskonferenz am selben Tag.",
)


# --- offers (Bildungsangebote) and the public portal --------------------------------------------

@dataclass(frozen=True)
class OfferSpec:
    """One kind of offer; the demo gives it to ``count`` providers of the named kinds (``cat:`` categories)."""

    title: str
    description: str
    format: str
    topics: tuple[str, ...]
    stages: tuple[str, ...]
    groups: tuple[str, ...]
    providers: tuple[str, ...]
    count: int
    free: float = 1.0                # share of these offers that cost nothing
    cost: str = ""
    requirements: str = ""
    languages: tuple[str, ...] = ("Deutsch",)
    schedule: str = ""
    ongoing: bool = True


OFFER_SPECS: tuple[OfferSpec, ...] = (
    # MINT for children of about ten: several, free, in many districts (the portal journey looks for them).
    OfferSpec("Forscherwerkstatt für Kinder", "Experimente mit Wasser, Luft und Strom: Kinder von 8 bis 11 Jahren "
              "forschen selbst und halten ihre Ergebnisse im Forscherheft fest.", "Regelmäßige Gruppe", ("MINT",),
              ("primar",), ("Kinder",), ("Grundschule", "Bibliothek", "Hochschule", "Verein / Verband"), 11,
              schedule="mittwochs 14:30–16 Uhr", requirements="Für Kinder von 8 bis 11 Jahren, ohne Vorkenntnisse."),
    OfferSpec("Roboter-AG: Programmieren mit dem Calliope", "Kinder bauen und programmieren kleine Roboter. "
              "Geräte werden gestellt.", "Kurs", ("MINT", "Digitale Bildung"), ("primar", "sek"), ("Kinder",),
              ("Grundschule", "Hochschule", "Unternehmen", "Bibliothek", "Gymnasium"), 8,
              schedule="donnerstags 15–16:30 Uhr", requirements="Ab 9 Jahren."),
    OfferSpec("Mathe-Knobelclub", "Knobelaufgaben, Rätsel und Mathespiele für Kinder, die gerne tüfteln.",
              "Regelmäßige Gruppe", ("MINT",), ("primar",), ("Kinder",), ("Grundschule", "Verein / Verband"), 5),
    OfferSpec("Ferien-Technikwoche", "Eine Woche Technik zum Anfassen: Löten, Bauen, Programmieren.",
              "Ferienangebot", ("MINT",), ("primar", "sek"), ("Kinder", "Jugendliche"),
              ("Unternehmen", "Industrie- und Handelskammer", "Handwerkskammer", "Hochschule"), 5, free=0.6,
              cost="25 € für die Woche, Ermäßigung möglich", ongoing=False),
    OfferSpec("Schülerlabor Chemie", "Experimentieren im Labor der Hochschule für Schulklassen und Kurse.", "Workshop",
              ("MINT",), ("sek",), ("Jugendliche",), ("Hochschule", "Gymnasium"), 4),
    OfferSpec("Lesepaten für Grundschulkinder", "Ehrenamtliche lesen einmal pro Woche mit einem Kind.",
              "Regelmäßige Gruppe", ("Family Literacy",), ("primar",), ("Kinder",),
              ("Bibliothek", "Grundschule", "Verein / Verband"), 8),
    OfferSpec("Vorlesestunde in mehreren Sprachen", "Bilderbücher auf Deutsch, Arabisch und Türkisch für Kinder und "
              "ihre Eltern.", "Veranstaltung", ("Family Literacy", "Sprache und Integration (Neuzugewanderte)"),
              ("fruehkindlich",), ("Kinder", "Eltern"), ("Bibliothek", "Kita", "Familienbildungsstätte"), 7,
              languages=("Deutsch", "Arabisch", "Türkisch")),
    OfferSpec("Elterncafé", "Austausch für Eltern mit Kinderbetreuung: Fragen rund um Kita und Schule.",
              "Regelmäßige Gruppe", ("Elternbeteiligung",), ("fruehkindlich", "primar"), ("Eltern",),
              ("Kita", "Familienbildungsstätte", "Migrantenorganisation", "Grundschule"), 10,
              languages=("Deutsch", "Arabisch", "Russisch")),
    OfferSpec("Deutschkurs für Neuzugewanderte", "Integrationskurs mit Kinderbetreuung, Stufen A1 bis B1.", "Kurs",
              ("Sprache und Integration (Neuzugewanderte)",), ("weiterbildung",), ("Neuzugewanderte",),
              ("Volkshochschule", "Bildungsträger", "Migrantenorganisation"), 10, free=0.5,
              cost="Kostenbeitrag nach Einkommen", languages=("Deutsch", "Englisch", "Arabisch", "Ukrainisch"),
              requirements="Einstufungsgespräch vor Kursbeginn."),
    OfferSpec("Lernwerkstatt Lesen und Schreiben", "Lesen und Schreiben lernen in kleinen Gruppen, "
              "vertraulich und in eigenem Tempo.", "Kurs", ("Alphabetisierung und Grundbildung",), ("weiterbildung",),
              ("Erwachsene mit Grundbildungsbedarf",), ("Volkshochschule", "Bildungsträger", "Bibliothek"), 7,
              requirements="Keine. Ein Vorgespräch hilft, die passende Gruppe zu finden."),
    OfferSpec("Rechnen im Alltag", "Grundbildung Rechnen: Geld, Maße, Formulare.", "Kurs",
              ("Alphabetisierung und Grundbildung", "Financial Literacy"), ("weiterbildung",),
              ("Erwachsene mit Grundbildungsbedarf",), ("Volkshochschule", "Bildungsträger", "Jobcenter"), 4),
    OfferSpec("Bewerbungstraining", "Unterlagen, Vorstellungsgespräch, Praktikumssuche.", "Workshop",
              ("Berufs- und Studienorientierung",), ("sek", "uebergang_sb"), ("Jugendliche",),
              ("Agentur für Arbeit", "Jobcenter", "Berufsbildende Schule", "Jugendhilfeträger",
               "Industrie- und Handelskammer"), 9),
    OfferSpec("Berufe zum Anfassen: Werkstatttage", "Jugendliche probieren Handwerksberufe in echten Werkstätten aus.",
              "Projekt", ("Berufs- und Studienorientierung", "MINT"), ("sek", "uebergang_sb"), ("Jugendliche",),
              ("Handwerkskammer", "Unternehmen", "Berufsbildende Schule"), 6, ongoing=False),
    OfferSpec("Digitale Sprechstunde für Seniorinnen und Senioren", "Hilfe mit Smartphone, Tablet und Online-Terminen.",
              "Beratung", ("Digitale Bildung",), ("nachberuflich",), (), ("Bibliothek", "Volkshochschule",
                                                                          "Verein / Verband"), 6),
    OfferSpec("Fortbildung Sprachbildung im Kita-Alltag", "Praxisnahe Fortbildung für Erzieherinnen und Erzieher.",
              "Kurs", ("Sprache und Integration (Neuzugewanderte)", "Family Literacy"), ("fruehkindlich",),
              ("pädagogische Fachkräfte",), ("Familienbildungsstätte", "Hochschule", "Volkshochschule"), 5, free=0.4,
              cost="40 € pro Tag", ongoing=False),
    OfferSpec("Demokratiewerkstatt", "Jugendliche planen ein eigenes Projekt für ihr Viertel.", "Projekt",
              ("Demokratiebildung",), ("sek",), ("Jugendliche",), ("Jugendhilfeträger", "Kultureinrichtung",
                                                                  "Integrierte Gesamtschule"), 6),
    OfferSpec("Kochen und Bewegen mit Familien", "Gesund essen und bewegen: gemeinsam kochen, spielen, toben.",
              "Regelmäßige Gruppe", ("Food and Move Literacy",), ("fruehkindlich", "primar"), ("Kinder", "Eltern"),
              ("Familienbildungsstätte", "Kita", "Verein / Verband"), 6),
    OfferSpec("Nachhaltigkeits-AG", "Schulgarten, Müllvermeidung und Energiesparen.", "Projekt",
              ("Bildung für nachhaltige Entwicklung (BNE)",), ("primar", "sek"), ("Kinder", "Jugendliche"),
              ("Grundschule", "Gymnasium", "Kultureinrichtung", "Stiftung"), 6),
    OfferSpec("Theaterwerkstatt", "Spielen, Schreiben, Bühne bauen.", "Regelmäßige Gruppe", ("Kulturelle Bildung",),
              ("sek",), ("Jugendliche",), ("Kultureinrichtung", "Jugendhilfeträger"), 5, free=0.5,
              cost="10 € im Monat"),
    OfferSpec("Finanzführerschein", "Konto, Vertrag, Schulden: Geld im Griff für junge Erwachsene.", "Workshop",
              ("Financial Literacy",), ("uebergang_sb", "ausbildung"), ("Jugendliche",),
              ("Bildungsträger", "Unternehmen", "Realschule plus"), 5),
    OfferSpec("Inklusive Sportgruppe", "Sport für Kinder und Jugendliche mit und ohne Behinderung.",
              "Regelmäßige Gruppe", ("Inklusion", "Food and Move Literacy"), ("primar", "sek"),
              ("Kinder", "Jugendliche"), ("Verein / Verband", "Förderschule"), 5),
    OfferSpec("Studienorientierung: Schnupperstudium", "Eine Woche Vorlesungen und Seminare besuchen.",
              "Veranstaltung", ("Berufs- und Studienorientierung",), ("sek", "hochschule"), ("Jugendliche",),
              ("Hochschule",), 3, ongoing=False),
    OfferSpec("Weiterbildung Digitale Werkzeuge im Unterricht", "Für Lehrkräfte: Tablets, Lernplattformen, KI.",
              "Kurs", ("Digitale Bildung",), ("weiterbildung",), ("pädagogische Fachkräfte",),
              ("Volkshochschule", "Hochschule"), 4, free=0.3, cost="60 €", ongoing=False),
)

OFFER_PUBLISHED_SHARE = 0.8
OFFER_ENDED_SHARE = 0.08
LISTING_SHARE = 0.85          # organisations that agreed to be listed in the portal
LISTING_RECORDED_BY = "Bildungsbüro (Demo)"
OFFER_CONTACT_PERSON_SHARE = 0.3   # offers naming a contact person besides the role address
PUBLICATION_CONSENT_SHARE = 0.4    # of those persons: agreed to be named in the portal


# --- the network survey (issue 15) -----------------------------------------------------------------
SURVEY_TITLE = "Netzwerkbefragung Bildungslandschaft 2026"
SURVEY_INTRO = ("Mit wem arbeiten Sie in der Bildungslandschaft zusammen? Ihre Angaben helfen uns, "
                "Lücken und Doppelstrukturen zu erkennen.")
SURVEY_OUTSIDE_PARTNER = "Lesepaten Trier-Nord e.V."
