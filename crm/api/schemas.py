"""Pydantic models of the API: what goes in (validated, German messages) and what comes out.

Their JSON Schemas (draft 2020-12, as OpenAPI 3.1 uses) are the ``components/schemas`` of the
OpenAPI document, so the document describes exactly what the code validates and returns.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

T = TypeVar("T")

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _web_address(value: str) -> str:
    """Only http(s) addresses: a ``javascript:`` URL in a link would be a script."""
    value = value.strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if (not value.lower().startswith(("http://", "https://")) or not parts.netloc
            or any(c in value for c in "\r\n\t <>\"'`")):
        raise ValueError("Bitte eine vollständige Adresse mit http:// oder https:// angeben.")
    return value


def _email(value: str) -> str:
    value = value.strip()
    if value and not EMAIL_RE.match(value):
        raise ValueError("Das ist keine gültige E-Mail-Adresse.")
    return value


def _postcode(value: str) -> str:
    value = value.strip()
    if value and not re.fullmatch(r"[0-9]{5}", value):
        raise ValueError("Die PLZ hat fünf Ziffern.")
    return value


# No NUL characters anywhere: PostgreSQL cannot store them, so the contract says so.
NO_NUL = r"^[^\x00]*$"


# Free text of at most N characters (static aliases, so that type checkers read them as types).
Text20 = Annotated[str, StringConstraints(max_length=20, min_length=0, pattern=NO_NUL)]
Text40 = Annotated[str, StringConstraints(max_length=40, min_length=0, pattern=NO_NUL)]
Text60 = Annotated[str, StringConstraints(max_length=60, min_length=0, pattern=NO_NUL)]
Text80 = Annotated[str, StringConstraints(max_length=80, min_length=0, pattern=NO_NUL)]
Text120 = Annotated[str, StringConstraints(max_length=120, min_length=0, pattern=NO_NUL)]
Text200 = Annotated[str, StringConstraints(max_length=200, min_length=0, pattern=NO_NUL)]
Text300 = Annotated[str, StringConstraints(max_length=300, min_length=0, pattern=NO_NUL)]
Text10000 = Annotated[str, StringConstraints(max_length=10000, min_length=0, pattern=NO_NUL)]
Text2000 = Annotated[str, StringConstraints(max_length=2000, min_length=0, pattern=NO_NUL)]


def Query(max_length: int, description: str) -> Any:
    return Field("", max_length=max_length, pattern=NO_NUL, description=description)


def _plausible_moment(value: datetime) -> datetime:
    """Times of events: a real calendar year (0001 or 9999 with an offset cannot even be turned into UTC)."""
    if not 1900 <= value.year <= 2200:
        raise ValueError("Bitte einen Zeitpunkt zwischen 1900 und 2200 angeben.")
    return value


# What the validators above accept, as patterns for the OpenAPI document (clients and the fuzzing run
# see the rule; the code checks it with a German message). Surrounding white space is stripped.
WEB_PATTERN = r"^\s*([hH][tT][tT][pP][sS]?://[^\r\n\t <>\"'`\x00]+)?\s*$"
EMAIL_PATTERN = r"^\s*([^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+)?\s*$"
POSTCODE_PATTERN = r"^\s*([0-9]{5})?\s*$"


class _documented:
    """Puts ``pattern`` and ``description`` into the JSON Schema of a field (composes with ``Unset``)."""

    def __init__(self, pattern: str, description: str) -> None:
        self.pattern, self.description = pattern, description

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema = handler(core_schema)
        schema.update(pattern=self.pattern, description=self.description)
        return schema


WebAddress = Annotated[str, StringConstraints(max_length=300, pattern=NO_NUL), AfterValidator(_web_address),
                       _documented(WEB_PATTERN, "Adresse mit http:// oder https:// (leer: keine).")]
LongWebAddress = Annotated[str, StringConstraints(max_length=500, pattern=NO_NUL), AfterValidator(_web_address),
                           _documented(WEB_PATTERN, "Adresse mit http:// oder https:// (leer: keine).")]
# Date and time with its offset (RFC 3339, e.g. 2026-10-01T09:00:00+02:00): a time without one would be ambiguous.
Moment = Annotated[AwareDatetime, AfterValidator(_plausible_moment)]
Email = Annotated[str, StringConstraints(max_length=254, pattern=NO_NUL), AfterValidator(_email),
                  _documented(EMAIL_PATTERN, "E-Mail-Adresse (leer: keine).")]
Postcode = Annotated[str, StringConstraints(max_length=10, pattern=NO_NUL), AfterValidator(_postcode),
                     _documented(POSTCODE_PATTERN, "Postleitzahl, fünf Ziffern (leer: keine).")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255, strip_whitespace=True, pattern=NO_NUL)]
def _whole_number(value: Any) -> Any:
    """JSON knows numbers, not integers: ``2.0`` is the integer 2 (JSON Schema says so too), ``2.5`` is not."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


JsonInt = Annotated[int, BeforeValidator(_whole_number)]
Id = Annotated[JsonInt, Field(ge=1, le=2_147_483_647)]


# Query parameters arrive as text; accept only the plain forms the OpenAPI document promises
# (pydantic's lax mode would also take "0" as a date or "1.0" as a number).
def _query_int(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d{1,12}", value.strip()):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError("Bitte eine ganze Zahl angeben.")


def _query_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError("Bitte true oder false angeben.")


def _query_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    raise ValueError("Bitte ein Datum im Format JJJJ-MM-TT angeben.")


QInt = Annotated[int, BeforeValidator(_query_int)]
QId = Annotated[int, Field(ge=1, le=2_147_483_647), BeforeValidator(_query_int)]
QBool = Annotated[bool, BeforeValidator(_query_bool)]
QDate = Annotated[date, BeforeValidator(_query_date)]


class Strict(BaseModel):
    """Request bodies: no unknown fields, and JSON types as written (no "1" for 1, no false for 0)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


# --- shared pieces ------------------------------------------------------------------------------

class Ref(BaseModel):
    id: int
    name: str


class StageRef(BaseModel):
    id: int
    code: str
    name: str


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="Anzahl aller Treffer (auch im Kopf X-Total-Count).")
    limit: int
    offset: int


class PageQuery(Strict):
    model_config = ConfigDict(extra="ignore", strict=False)
    limit: QInt = Field(50, ge=1, le=200, description="Höchstens so viele Einträge (1–200).")
    offset: QInt = Field(0, ge=0, le=1_000_000, description="So viele Einträge überspringen.")


# --- actors -------------------------------------------------------------------------------------

class ActorOut(BaseModel):
    id: int
    name: str
    short_name: str
    kind: Ref
    category: str
    parent_id: int | None
    area: Ref | None
    street: str
    postcode: str
    city: str
    latitude: float | None
    longitude: float | None
    website: str
    email: str
    phone: str
    external_ref: str | None
    description: str
    notes: str | None = Field(description="Interne Notizen; nur mit Zugriff auf personenbezogene Daten.")
    is_active: bool
    active_from: date | None = Field(description="Tätig seit (Gründung, Eröffnung); leer: unbekannt.")
    active_until: date | None = Field(
        description="Tätig bis (geschlossen, aufgelöst); leer: noch tätig oder unbekannt.")
    life_stages: list[StageRef]
    topics: list[Ref]
    created_at: datetime
    updated_at: datetime
    version_id: int = Field(description="Für PATCH mitsenden: schützt vor dem Überschreiben fremder Änderungen.")


class ActorQuery(PageQuery):
    q: str = Query(200, "Wörter in Name, Kurzname, Adresse oder Kennung (jedes muss vorkommen; Umlaute egal).")
    kind_id: QId | None = None
    category: str = Query(80, "Kategorie der Akteursart, z. B. Schule.")
    area_id: QId | None = Field(None, description="Gebiet, einschließlich seiner Teilgebiete (wie im Verzeichnis).")
    topic_id: QId | None = None
    life_stage_id: QId | None = None
    is_active: QBool | None = None


class ActorFields(Strict):
    short_name: Text80 = ""
    parent_id: Id | None = None
    area_id: Id | None = None
    street: Text200 = ""
    postcode: Postcode = ""
    city: Text120 = ""
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    website: WebAddress = ""
    email: Email = ""
    phone: Text60 = ""
    external_ref: Text80 | None = None
    description: Text10000 = ""
    notes: Text10000 = ""
    is_active: bool = True
    active_from: date | None = None
    active_until: date | None = None
    life_stage_ids: list[Id] = Field(default_factory=list, max_length=50)
    topic_ids: list[Id] = Field(default_factory=list, max_length=100)


class ActorCreate(ActorFields):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Grundschule Olewig", "kind_id": 1,
                                                              "city": "Trier", "postcode": "54295"}]})
    name: Name
    kind_id: Id


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def Unset(**constraints: Any) -> Any:
    """A field that may be left out but is never null: absent means "unchanged" (``exclude_unset``)."""
    return Field(None, json_schema_extra=_no_default, **constraints)


class ActorUpdate(Strict):
    """Only the fields sent are changed. ``version_id`` from the last GET protects against lost updates.
    ``parent_id``, ``area_id``, ``latitude``, ``longitude`` and ``external_ref`` may be null (cleared)."""

    version_id: JsonInt = Unset(ge=0, le=2_147_483_647)
    name: Name = Unset()
    kind_id: Id = Unset()
    short_name: Text80 = Unset()
    parent_id: Id | None = None
    area_id: Id | None = None
    street: Text200 = Unset()
    postcode: Postcode = Unset()
    city: Text120 = Unset()
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    website: WebAddress = Unset()
    email: Email = Unset()
    phone: Text60 = Unset()
    external_ref: Text80 | None = None
    description: Text10000 = Unset()
    notes: Text10000 = Unset()
    is_active: bool = Unset()
    active_from: date | None = None
    active_until: date | None = None
    life_stage_ids: list[Id] = Unset(max_length=50)
    topic_ids: list[Id] = Unset(max_length=100)


# --- persons ------------------------------------------------------------------------------------

class AffiliationOut(BaseModel):
    id: int
    actor: Ref
    function: str
    email: str
    phone: str
    from_date: date | None
    to_date: date | None
    is_primary: bool


class ConsentOut(BaseModel):
    id: int
    purpose: Literal["invitations", "newsletter"]
    given_at: datetime
    method: str
    withdrawn_at: datetime | None


class PersonOut(BaseModel):
    id: int
    salutation: str
    title: str
    first_name: str
    last_name: str
    email: str
    phone: str
    notes: str
    legal_basis: Literal["consent", "public_task", "legitimate_interest"]
    is_opted_out: bool
    is_anonymised: bool
    last_activity_at: datetime | None
    affiliations: list[AffiliationOut]
    consents: list[ConsentOut]
    created_at: datetime
    updated_at: datetime
    version_id: int


class PersonQuery(PageQuery):
    q: str = Query(200, "Wörter in Vor- oder Nachname, E-Mail oder Funktion (jedes muss vorkommen).")
    actor_id: QId | None = Field(None, description="Nur Personen mit einer Zugehörigkeit zu diesem Akteur.")
    include_anonymised: QBool = Field(False, description="Auch anonymisierte Platzhalter (Art. 17 DSGVO) zeigen.")


# --- cooperations -------------------------------------------------------------------------------

class CooperationOut(BaseModel):
    id: int
    source: Ref
    target: Ref
    type: Ref
    is_directed: bool
    intensity: int
    start_date: date | None
    end_date: date | None
    description: str
    initiative_id: int | None
    topics: list[Ref]
    life_stages: list[StageRef]
    version_id: int


class CooperationQuery(PageQuery):
    actor_id: QId | None = Field(None, description="Kooperationen, an denen dieser Akteur beteiligt ist.")
    type_id: QId | None = None
    topic_id: QId | None = None
    life_stage_id: QId | None = None
    initiative_id: QId | None = None
    current_on: QDate | None = Field(None, description="Nur Kooperationen, die an diesem Tag bestanden.")


class CooperationCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"source_id": 1, "target_id": 3, "type_id": 2,
                                                              "intensity": 3, "start_date": "2025-08-01",
                                                              "description": "Sprachförderung im Übergang"}]})
    source_id: Id
    target_id: Id
    type_id: Id
    intensity: JsonInt = Field(2, ge=1, le=3, description="1 loser Austausch, 2 regelmäßig, 3 eng/vertraglich.")
    start_date: date | None = None
    end_date: date | None = None
    description: Text10000 = ""
    initiative_id: Id | None = None
    topic_ids: list[Id] = Field(default_factory=list, max_length=100)
    life_stage_ids: list[Id] = Field(default_factory=list, max_length=50)


class CooperationUpdate(Strict):
    """Only the fields sent are changed; ``version_id`` from the last GET protects against lost updates.
    To end a tie, send its ``end_date``: ties have history and are never deleted through the API."""

    version_id: JsonInt = Unset(ge=0, le=2_147_483_647)
    source_id: Id = Unset()
    target_id: Id = Unset()
    type_id: Id = Unset()
    intensity: JsonInt = Unset(ge=1, le=3)
    start_date: date | None = None
    end_date: date | None = None
    description: Text10000 = Unset()
    initiative_id: Id | None = None
    topic_ids: list[Id] = Unset(max_length=100)
    life_stage_ids: list[Id] = Unset(max_length=50)


# --- initiatives --------------------------------------------------------------------------------

class MembershipOut(BaseModel):
    id: int
    actor: Ref
    role: Literal["lead", "partner", "member", "funder"]
    joined_on: date | None
    left_on: date | None


class InitiativeOut(BaseModel):
    id: int
    name: str
    short_name: str
    kind: Literal["project", "alliance", "working_group", "programme"]
    description: str
    website: str
    start_date: date | None
    end_date: date | None
    topics: list[Ref]
    life_stages: list[StageRef]
    memberships: list[MembershipOut]
    version_id: int


InitiativeKindValue = Literal["project", "alliance", "working_group", "programme"]
RoleValue = Literal["lead", "partner", "member", "funder"]


class InitiativeCreate(Strict):
    """A new initiative, the fields of the initiative form. ``name`` is unique."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Bündnis für Alphabetisierung und Grundbildung",
                                                              "kind": "alliance", "start_date": "2025-01-01"}]})

    name: Name
    short_name: Text80 = ""
    kind: InitiativeKindValue = "project"
    description: Text10000 = ""
    website: WebAddress = ""
    start_date: date | None = None
    end_date: date | None = None
    topic_ids: list[Id] = Field(default_factory=list, max_length=100)
    life_stage_ids: list[Id] = Field(default_factory=list, max_length=50)


class InitiativeUpdate(Strict):
    """Only the fields sent are changed; ``version_id`` from the last GET protects against lost updates.
    An initiative that has ended gets its ``end_date``; deleting is for mistakes only."""

    version_id: JsonInt = Unset(ge=0, le=2_147_483_647)
    name: Name = Unset()
    short_name: Text80 = Unset()
    kind: InitiativeKindValue = Unset()
    description: Text10000 = Unset()
    website: WebAddress = Unset()
    start_date: date | None = None
    end_date: date | None = None
    topic_ids: list[Id] = Unset(max_length=100)
    life_stage_ids: list[Id] = Unset(max_length=50)


class MembershipCreate(Strict):
    """An actor joins the initiative in a role; memberships of one actor must not overlap in time."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"actor_id": 4, "role": "funder",
                                                              "joined_on": "2025-03-01"}]})

    actor_id: Id
    role: RoleValue = "member"
    joined_on: date | None = None
    left_on: date | None = None


class MembershipUpdate(Strict):
    """Only the fields sent are changed. Leaving means sending ``left_on``: the membership stays as history."""

    actor_id: Id = Unset()
    role: RoleValue = Unset()
    joined_on: date | None = None
    left_on: date | None = None


class InitiativeQuery(PageQuery):
    q: str = Query(200, "Wörter in Name, Kurzname oder Beschreibung (jedes muss vorkommen).")
    kind: Literal["project", "alliance", "working_group", "programme"] | None = None
    topic_id: QId | None = None
    actor_id: QId | None = Field(None, description="Initiativen, in denen dieser Akteur Mitglied ist oder war.")
    active_on: QDate | None = Field(None, description="Nur Initiativen, die an diesem Tag liefen.")


# --- events -------------------------------------------------------------------------------------

class EventCounts(BaseModel):
    invited: int
    accepted: int
    declined: int
    attended: int


class EventOut(BaseModel):
    id: int
    uid: str
    kind: Ref
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    place: str
    online_url: str
    capacity: int | None
    answer_deadline: datetime | None
    initiative_id: int | None
    status: Literal["draft", "published", "done", "cancelled"]
    topics: list[Ref]
    contact_name: str | None = Field(
        description="Ansprechperson für Gäste; nur mit Zugriff auf personenbezogene Daten.")
    contact_email: str | None
    is_public: bool = Field(description="Im öffentlichen Kalender des Bildungsportals (sobald kein Entwurf).")
    registration_open: bool = Field(description="Anmeldung ohne Einladung im Bildungsportal.")
    public_description: str = Field(description="Der Text, den das Bildungsportal zeigt.")
    counts: EventCounts
    version_id: int


class EventQuery(PageQuery):
    since: QDate | None = Field(None, description="Beginn am oder nach diesem Tag.")
    until: QDate | None = Field(None, description="Beginn am oder vor diesem Tag.")
    status: Literal["draft", "published", "done", "cancelled"] | None = None
    kind_id: QId | None = None
    topic_id: QId | None = None


class EventCreate(Strict):
    """A new event (status draft), the fields of the event form. Times with offset, e.g.
    ``2026-10-01T09:00:00+02:00``; the end after the start, the answer deadline not after the end."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"kind_id": 1,
                                                              "title": "Bildungsgespräch Übergang Schule–Beruf",
                                                              "starts_at": "2026-10-01T09:00:00+02:00",
                                                              "ends_at": "2026-10-01T12:30:00+02:00",
                                                              "place": "Rathaus Trier", "capacity": 40,
                                                              "answer_deadline": "2026-09-24T23:59:00+02:00"}]})

    kind_id: Id
    title: Name
    description: Text10000 = ""
    starts_at: Moment
    ends_at: Moment
    place: Text300 = ""
    online_url: LongWebAddress = ""
    capacity: JsonInt | None = Field(None, ge=1, le=100000, description="Plätze; leer: unbegrenzt.")
    answer_deadline: Moment | None = None
    initiative_id: Id | None = None
    topic_ids: list[Id] = Field(default_factory=list, max_length=100)
    contact_name: Text200 = ""
    contact_email: Email = ""
    is_public: bool = False
    registration_open: bool = Field(False, description="Nur zusammen mit ``is_public``.")
    public_description: Text2000 = ""


class EventUpdate(Strict):
    """Only the fields sent are changed; ``version_id`` protects against lost updates. If time, place or
    title change and invitations went out, the guests get an update with a new calendar entry, unless
    ``notify`` is false. A cancelled event cannot be changed."""

    version_id: JsonInt = Unset(ge=0, le=2_147_483_647)
    notify: bool = Field(True, description="Eingeladene über Änderungen an Zeit, Ort oder Titel informieren.")
    kind_id: Id = Unset()
    title: Name = Unset()
    description: Text10000 = Unset()
    starts_at: Moment = Unset()
    ends_at: Moment = Unset()
    place: Text300 = Unset()
    online_url: LongWebAddress = Unset()
    capacity: JsonInt | None = Field(None, ge=1, le=100000)
    answer_deadline: Moment | None = None
    initiative_id: Id | None = None
    topic_ids: list[Id] = Unset(max_length=100)
    contact_name: Text200 = Unset()
    contact_email: Email = Unset()
    is_public: bool = Unset()
    registration_open: bool = Unset()
    public_description: Text2000 = Unset()


# --- analysis -----------------------------------------------------------------------------------

class AnalysisQuery(Strict):
    model_config = ConfigDict(extra="ignore", strict=False)
    # The pattern documents the values; the network service checks them with a German message.
    layers: str = Field("cooperation", max_length=100, pattern=NO_NUL, json_schema_extra={
                            "pattern": r"^((cooperation|initiative|event)(,(cooperation|initiative|event))*)?$"},
                        description="Ebenen, durch Komma getrennt: cooperation, initiative, event.")
    as_of: QDate | None = Field(None, description="Das Netzwerk an diesem Stichtag.")
    since: QDate | None = None
    until: QDate | None = None
    topics: str = Query(500, "Themenfelder (Namen), durch Komma getrennt.")
    life_stages: str = Query(500, "Bildungsphasen (Kürzel), durch Komma getrennt.")
    areas: str = Query(500, "Gebiete (Namen), durch Komma getrennt.")
    kinds: str = Query(500, "Akteursarten (Namen), durch Komma getrennt.")
    categories: str = Query(500, "Kategorien der Akteursarten, durch Komma getrennt.")
    include_inactive: QBool = Field(False, description="Auch inaktive Akteure einbeziehen.")
    resolution: float = Field(1.0, ge=0.05, le=10, allow_inf_nan=False,
                              description="Auflösung der Gruppenbildung (größer: mehr, kleinere Gruppen).")


class AnalysisOut(BaseModel):
    """The result of ``graph.analysis.analyse`` (see there); further keys may be added over time."""

    model_config = ConfigDict(extra="allow")
    network: dict[str, Any]
    actors: list[dict[str, Any]]
    communities: list[dict[str, Any]]
    modularity: float
    fragility: dict[str, Any]
    transitions: dict[str, Any]
    data_version: str = Field(description="Datenstand; ändert sich mit jeder Änderung der Landschaft.")


# The column holds 120 characters; a longer name would be a server error on PostgreSQL.
PersonName = Annotated[str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True, pattern=NO_NUL)]


class PersonCreate(Strict):
    """A new person, the same fields as the person form. ``last_name`` is required."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"salutation": "Frau", "first_name": "Erika",
                                                              "last_name": "Musterfrau",
                                                              "email": "erika.musterfrau@schule.example",
                                                              "legal_basis": "public_task"}]})

    salutation: Text20 = ""
    title: Text40 = ""
    first_name: Text120 = ""
    last_name: PersonName
    email: Email = ""
    phone: Text60 = ""
    notes: Text10000 = ""
    legal_basis: Literal["consent", "public_task", "legitimate_interest"] = "public_task"


class PersonUpdate(Strict):
    """Only the fields sent are changed. ``version_id`` from the last GET protects against lost updates."""

    version_id: JsonInt = Unset(ge=0, le=2_147_483_647)
    salutation: Text20 = Unset()
    title: Text40 = Unset()
    first_name: Text120 = Unset()
    last_name: PersonName = Unset()
    email: Email = Unset()
    phone: Text60 = Unset()
    notes: Text10000 = Unset()
    legal_basis: Literal["consent", "public_task", "legitimate_interest"] = Unset()


class AffiliationCreate(Strict):
    """A person's function at an actor, with dates; ``to_date`` set means the affiliation has ended."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"actor_id": 3, "function": "MINT-Koordination",
                                                              "from_date": "2024-08-01"}]})

    actor_id: Id
    function: Text120 = ""
    email: Email = ""
    phone: Text60 = ""
    from_date: date | None = None
    to_date: date | None = None
    is_primary: bool = True


class AffiliationUpdate(Strict):
    """Only the fields sent are changed; ending an affiliation means sending ``to_date``."""

    actor_id: Id = Unset()
    function: Text120 = Unset()
    email: Email = Unset()
    phone: Text60 = Unset()
    from_date: date | None = None
    to_date: date | None = None
    is_primary: bool = Unset()
