"""German default vocabularies, loaded by ``flask crm seed`` and before the demo.

Idempotent: entries are matched by name (life stages by code and name); existing rows are never
changed, so an administrator's edits survive every later seed run.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.models import ActorKind, Area, Base, CooperationType, EventKind, LifeStage, TargetGroup, Topic

ACTOR_KINDS: tuple[tuple[str, str, bool], ...] = (
    ("Kita", "Kita", False),
    ("Grundschule", "Schule", False),
    ("Realschule plus", "Schule", False),
    ("Integrierte Gesamtschule", "Schule", False),
    ("Gymnasium", "Schule", False),
    ("Förderschule", "Schule", False),
    ("Berufsbildende Schule", "Schule", False),
    ("Hochschule", "Hochschule", False),
    ("Volkshochschule", "Weiterbildung", False),
    ("Bildungsträger", "Weiterbildung", False),
    ("Familienbildungsstätte", "Weiterbildung", False),
    ("Industrie- und Handelskammer", "Wirtschaft", False),
    ("Handwerkskammer", "Wirtschaft", False),
    ("Unternehmen", "Wirtschaft", False),
    ("Jobcenter", "Arbeitsmarkt", False),
    ("Agentur für Arbeit", "Arbeitsmarkt", False),
    ("Stiftung", "Stiftung", False),
    ("Verein / Verband", "Zivilgesellschaft", False),
    ("Migrantenorganisation", "Zivilgesellschaft", False),
    ("Jugendhilfeträger", "Jugendhilfe", False),
    ("Bibliothek", "Kultur", False),
    ("Kultureinrichtung", "Kultur", False),
    ("Dezernat", "Verwaltung", False),
    ("Amt / Dienststelle", "Verwaltung", False),
    ("Kreisverwaltung", "Verwaltung", False),
    ("Ausschuss / Gremium", "Verwaltung", False),
    ("Ehrenamtliche Person", "Einzelperson", True),
    ("Unabhängige Expertin / unabhängiger Experte", "Einzelperson", True),
)

LIFE_STAGES: tuple[tuple[str, str], ...] = (
    ("fruehkindlich", "Frühkindliche Bildung"),
    ("primar", "Primarstufe"),
    ("sek", "Sekundarstufe"),
    ("uebergang_sb", "Übergang Schule–Beruf"),
    ("ausbildung", "Ausbildung"),
    ("hochschule", "Hochschule"),
    ("weiterbildung", "Weiterbildung"),
    ("nachberuflich", "Nachberufliche Bildung"),
)

TOPICS: tuple[str, ...] = (
    "MINT", "Alphabetisierung und Grundbildung", "Digitale Bildung",
    "Sprache und Integration (Neuzugewanderte)", "Berufs- und Studienorientierung", "Family Literacy",
    "Financial Literacy", "Food and Move Literacy", "Bildung für nachhaltige Entwicklung (BNE)",
    "Demokratiebildung", "Kulturelle Bildung", "Inklusion", "Elternbeteiligung",
)

COOPERATION_TYPES: tuple[tuple[str, bool, str], ...] = (
    ("Kooperationsvertrag", False, "Schriftlich vereinbarte, dauerhafte Zusammenarbeit."),
    ("Projektpartnerschaft", False, "Gemeinsames Projekt mit Laufzeit."),
    ("Förderung", True, "Finanzielle Förderung: von der fördernden zur geförderten Stelle."),
    ("Vermittlung / Verweisberatung", True, "Verweist Menschen an die andere Stelle."),
    ("Informeller Austausch", False, "Regelmäßiger Austausch ohne Vereinbarung."),
    ("Praktikums- und Ausbildungspartnerschaft", False, "Praktikums- oder Ausbildungsplätze."),
    ("Raum- und Sachleistung", True, "Stellt Räume oder Sachmittel zur Verfügung."),
    ("Gremienarbeit", False, "Gemeinsame Mitarbeit in einem Gremium."),
)

EVENT_KINDS: tuple[str, ...] = (
    "Bildungskonferenz", "Bildungsgespräch", "Strategiewerkstatt", "Fortbildung", "Netzwerktreffen",
)

# Kinds whose events record groups, proposals and dot votes (an administrator can mark others).
WORKSHOP_KINDS = frozenset({"Strategiewerkstatt"})
# Whom an offer is for (the portal's filter); an administrator can add more.
TARGET_GROUPS: tuple[str, ...] = (
    "Kinder", "Jugendliche", "Eltern", "Neuzugewanderte", "Erwachsene mit Grundbildungsbedarf",
    "pädagogische Fachkräfte",
)


def _add_missing(session: Session, model: type[Base], keys: tuple[str, ...], rows: list[dict[str, Any]]) -> int:
    """Add the rows whose key values are all still unused; return how many were added.

    Matching on every unique column (a life stage on code *and* name) means that an entry an
    administrator renamed or re-coded is neither duplicated nor overwritten: the seed only
    fills gaps. One query per vocabulary, so seeding costs the same on every start.
    """
    taken = {key: set(session.scalars(select(getattr(model, key)))) for key in keys}
    new = [model(**row) for row in rows if not any(row[key] in taken[key] for key in keys)]
    session.add_all(new)
    return len(new)


def seed_vocabularies(session: Session) -> dict[str, int]:
    """Create the missing German default entries; returns how many were created per vocabulary.

    Safe to run on every deployment and before the demo: existing rows are never changed.
    Flushes, the caller commits.
    """
    created = {
        "Akteursarten": _add_missing(session, ActorKind, ("name",), [
            {"name": n, "category": c, "is_individual": i, "sort_order": k}
            for k, (n, c, i) in enumerate(ACTOR_KINDS, 1)]),
        "Bildungsphasen": _add_missing(session, LifeStage, ("code", "name"), [
            {"code": code, "name": name, "sort_order": k} for k, (code, name) in enumerate(LIFE_STAGES, 1)]),
        "Themenfelder": _add_missing(session, Topic, ("name",), [
            {"name": n, "sort_order": k} for k, n in enumerate(TOPICS, 1)]),
        "Kooperationsarten": _add_missing(session, CooperationType, ("name",), [
            {"name": n, "is_directed": d, "description": text, "sort_order": k}
            for k, (n, d, text) in enumerate(COOPERATION_TYPES, 1)]),
        "Veranstaltungsarten": _add_missing(session, EventKind, ("name",), [
            {"name": n, "sort_order": k, "is_workshop": n in WORKSHOP_KINDS} for k, n in enumerate(EVENT_KINDS, 1)]),
        "Zielgruppen": _add_missing(session, TargetGroup, ("name",), [
            {"name": n, "sort_order": k} for k, n in enumerate(TARGET_GROUPS, 1)]),
    }
    session.flush()
    return created


def area_and_below(session: Session, area_id: int) -> list[int]:
    """The area and every area under it (Stadt Trier: all its Stadtteile), for filters that mean
    „in this area“: the portal's search and map. One query of the whole (small) tree; a cycle in
    hand-edited data cannot loop."""
    children: dict[int | None, list[int]] = {}
    for row_id, parent_id in session.execute(select(Area.id, Area.parent_id)):
        children.setdefault(parent_id, []).append(row_id)
    found: list[int] = []
    todo = [area_id]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.append(current)
        todo.extend(children.get(current, []))
    return found
