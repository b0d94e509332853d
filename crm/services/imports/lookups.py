"""Turning cell text into vocabulary entries and actors.

Vocabularies are data the administrators keep (DESIGN.md), so an import never invents
a kind, topic or area: an unknown value is a problem that names the known ones, and
the user may map it to an existing entry on the mapping page. School-type codes from
the state geoportals (GS, RS+, IGS …) are translated to kind names here.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crm.models import Actor, ActorKind, Area, CooperationType, LifeStage, TargetGroup, Topic
from crm.services.errors import N_, translated
from crm.services.folding import fold, name_words
from crm.services.imports.cells import CellError, split_multi
from crm.services.imports.report import Report

# Codes used by the school registers (Rheinland-Pfalz „schulart“, similar in other states):
# code -> kind names to look for, most specific first.
SCHOOL_TYPE_CODES: dict[str, tuple[str, ...]] = {
    "GS": ("Grundschule",),
    "RS+": ("Realschule plus", "Realschule"),
    "RS": ("Realschule",),
    "HS": ("Hauptschule",),
    "GHS": ("Grund- und Hauptschule", "Grundschule"),
    "IGS": ("Integrierte Gesamtschule", "Gesamtschule"),
    "KGS": ("Kooperative Gesamtschule", "Gesamtschule"),
    "GEMS": ("Gemeinschaftsschule",),
    "GMS": ("Gemeinschaftsschule",),
    "GY": ("Gymnasium",),
    "GYM": ("Gymnasium",),
    "AGY": ("Abendgymnasium", "Gymnasium"),
    "FöS": ("Förderschule",),
    "FS": ("Förderschule",),
    "SFS": ("Förderschule",),
    "BBS": ("Berufsbildende Schule", "Berufsschule", "Berufliche Schule"),
    "BS": ("Berufsschule", "Berufsbildende Schule"),
    "FOS": ("Fachoberschule",),
    "KOL": ("Kolleg",),
    "FWS": ("Freie Waldorfschule", "Waldorfschule"),
    "KITA": ("Kita", "Kindertagesstätte"),
    "VHS": ("Volkshochschule",),
}
KNOWN_CODES_TEXT = ", ".join(f"{code} = {names[0]}" for code, names in SCHOOL_TYPE_CODES.items()
                             if code in ("GS", "RS+", "IGS", "GY", "FöS", "BBS", "HS", "KGS"))


def code_key(text: str) -> str:
    return re.sub(r"\s+", "", fold(text))


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """Normalised name: case, accents, umlauts, punctuation and spacing do not make a different actor;
    letters of every script are kept („Ελληνική Κοινότητα“ and „日本語学校“ are two names)."""
    return " ".join(name_words(text))


IGNORE = "-"  # value mapping: leave this value out
UNKNOWN_PREFIX = {"kind": N_("Unbekannte Art"), "cooperation_type": N_("Unbekannte Kooperationsart"),
                  "area": N_("Unbekanntes Gebiet"), "topics": N_("Unbekanntes Thema"),
                  "life_stages": N_("Unbekannte Bildungsphase"), "target_groups": N_("Unbekannte Zielgruppe")}
UNKNOWN_PLURAL = {"topics": N_("Unbekannte Themen"), "life_stages": N_("Unbekannte Bildungsphasen"),
                  "target_groups": N_("Unbekannte Zielgruppen")}
_CODES = {code_key(code): names for code, names in SCHOOL_TYPE_CODES.items()}


class Vocabulary:
    """All vocabularies, loaded once per import, with the user's value mappings applied first.

    ``value_maps`` comes from the mapping page: vocabulary -> {raw text: entry id, or "" to ignore}.
    """

    def __init__(self, session: Session, report: Report, value_maps: dict[str, dict[str, Any]] | None = None) -> None:
        self.report = report
        self.kinds = list(session.scalars(select(ActorKind).order_by(ActorKind.sort_order, ActorKind.name)))
        self.topics = list(session.scalars(select(Topic).order_by(Topic.sort_order, Topic.name)))
        self.life_stages = list(session.scalars(select(LifeStage).order_by(LifeStage.sort_order)))
        self.target_groups = list(session.scalars(select(TargetGroup).order_by(TargetGroup.sort_order,
                                                                                TargetGroup.name)))
        self.cooperation_types = list(session.scalars(
            select(CooperationType).order_by(CooperationType.sort_order, CooperationType.name)))
        self.areas = list(session.scalars(select(Area).options(selectinload(Area.parent))))
        self._by_name: dict[str, dict[str, Any]] = {
            "kind": {name_key(k.name): k for k in self.kinds},
            "topics": {name_key(t.name): t for t in self.topics},
            "life_stages": {**{name_key(s.code): s for s in self.life_stages},
                            **{name_key(s.name): s for s in self.life_stages}},
            "cooperation_type": {name_key(t.name): t for t in self.cooperation_types},
            "target_groups": {name_key(g.name): g for g in self.target_groups},
        }
        self._by_id: dict[str, dict[int, Any]] = {
            "kind": {k.id: k for k in self.kinds}, "topics": {t.id: t for t in self.topics},
            "life_stages": {s.id: s for s in self.life_stages},
            "cooperation_type": {t.id: t for t in self.cooperation_types}, "area": {a.id: a for a in self.areas},
            "target_groups": {g.id: g for g in self.target_groups},
        }
        self._areas_by_path = {name_key(" ".join(p.name for p in a.path)): a for a in self.areas}
        self._areas_by_name: dict[str, list[Area]] = defaultdict(list)
        for area in self.areas:
            self._areas_by_name[name_key(area.name)].append(area)
        self._explained: set[tuple[str, str]] = set()
        self.value_maps = {vocab: {name_key(raw): target for raw, target in mapping.items()}
                           for vocab, mapping in (value_maps or {}).items()}

    # ------------------------------------------------------------ helpers

    def by_id(self, vocabulary: str, entry_id: Any) -> Any:
        try:
            return self._by_id[vocabulary].get(int(entry_id))
        except (TypeError, ValueError):
            return None

    def _mapped(self, vocabulary: str, raw: str) -> tuple[bool, Any]:
        """(user mapped this value, entry or None for "ignore")."""
        mapping = self.value_maps.get(vocabulary, {})
        key = name_key(raw)
        if key in mapping and mapping[key] not in ("", None):
            return True, None if mapping[key] == IGNORE else self.by_id(vocabulary, mapping[key])
        return False, None

    def _entries(self, vocabulary: str) -> list[Any]:
        by_vocabulary: dict[str, list[Any]] = {
            "kind": self.kinds, "topics": self.topics, "life_stages": self.life_stages,
            "cooperation_type": self.cooperation_types, "area": self.areas, "target_groups": self.target_groups}
        return by_vocabulary[vocabulary]

    def known_names(self, vocabulary: str) -> list[str]:
        entries = self._entries(vocabulary)
        return [e.full_name if vocabulary == "area" else e.name for e in entries]

    def choices(self, vocabulary: str) -> list[tuple[str, str]]:
        entries = self._entries(vocabulary)
        items = [(str(e.id), e.full_name if vocabulary == "area" else e.name) for e in entries]
        return sorted(items, key=lambda i: i[1]) if vocabulary == "area" else items

    def _unknown(self, vocabulary: str, raw: str, message: str) -> CellError:
        """The first row with an unknown value explains it in full; later rows refer back."""
        self.report.unknown(vocabulary, raw)
        key = (vocabulary, name_key(raw))
        if key in self._explained:
            return CellError(N_("%(prefix)s „%(value)s“ (wie oben beschrieben; auf der "
                                "Zuordnungsseite können Sie den Wert einem bekannten zuordnen)."),
                             {"prefix": translated(UNKNOWN_PREFIX[vocabulary]), "value": raw})
        self._explained.add(key)
        return CellError(message)  # already in the reader's language

    @staticmethod
    def _listing(names: Iterable[str], limit: int = 40) -> str:
        names = list(names)
        if not names:
            return translated(N_("– noch keine –"))
        text = ", ".join(names[:limit])
        if len(names) > limit:
            text += translated(N_(" und %(count)s weitere"), {"count": len(names) - limit})
        return text

    # ------------------------------------------------------------ single values

    def kind(self, raw: str) -> ActorKind:
        mapped, entry = self._mapped("kind", raw)
        if mapped and entry is not None:
            return entry
        found = self._by_name["kind"].get(name_key(raw))
        if found is not None:
            return found
        names = _CODES.get(code_key(raw))
        if names:
            for name in names:
                found = self._by_name["kind"].get(name_key(name))
                if found is not None:
                    return found
            raise self._unknown("kind", raw, translated(
                N_("„%(value)s“ ist das Schulart-Kürzel für „%(kind)s“, diese Akteursart gibt es aber noch nicht. "
                   "Legen Sie sie in der Verwaltung an oder ordnen Sie den Wert auf der Zuordnungsseite einer "
                   "Art zu. Bekannte Arten: %(known)s."),
                {"value": raw, "kind": names[0], "known": self._listing(self.known_names("kind"))}))
        raise self._unknown("kind", raw, translated(
            N_("Unbekannte Art „%(value)s“. Bekannte Arten: %(known)s. Schulart-Kürzel: %(codes)s …"),
            {"value": raw, "known": self._listing(self.known_names("kind")), "codes": KNOWN_CODES_TEXT}))

    def cooperation_type(self, raw: str) -> CooperationType:
        mapped, entry = self._mapped("cooperation_type", raw)
        if mapped and entry is not None:
            return entry
        found = self._by_name["cooperation_type"].get(name_key(raw))
        if found is not None:
            return found
        raise self._unknown("cooperation_type", raw, translated(
            N_("Unbekannte Kooperationsart „%(value)s“. Bekannte Arten: %(known)s."),
            {"value": raw, "known": self._listing(self.known_names("cooperation_type"))}))

    def area(self, raw: str) -> Area | None:
        mapped, entry = self._mapped("area", raw)
        if mapped:
            return entry  # None: the user chose to leave this value out
        key = name_key(raw)
        if key in self._areas_by_path:
            return self._areas_by_path[key]
        candidates = self._areas_by_name.get(key, [])
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            raise CellError(N_("Das Gebiet „%(value)s“ ist mehrdeutig (%(areas)s); bitte den vollen Pfad angeben, "
                               "z. B. „%(example)s“."),
                            {"value": raw, "areas": ", ".join(a.full_name for a in candidates),
                             "example": candidates[0].full_name})
        raise self._unknown("area", raw, translated(
            N_("Unbekanntes Gebiet „%(value)s“. Bekannte Gebiete: %(known)s."),
            {"value": raw, "known": self._listing(self.known_names("area"))}))

    # ------------------------------------------------------------ lists

    def _many(self, vocabulary: str, raw: str, label: str, label_plural: str) -> list[Any]:
        result: list[Any] = []
        unknown: list[str] = []
        for part in split_multi(raw):
            mapped, entry = self._mapped(vocabulary, part)
            if mapped:
                if entry is not None and entry not in result:
                    result.append(entry)
                continue
            found = self._by_name[vocabulary].get(name_key(part))
            if found is None:
                unknown.append(part)
            elif found not in result:
                result.append(found)
        if unknown:
            listed = ", ".join(f"„{u}“" for u in unknown)
            errors = [self._unknown(vocabulary, u, "") for u in unknown]
            prefix = translated(UNKNOWN_PLURAL[vocabulary] if len(unknown) > 1 else UNKNOWN_PREFIX[vocabulary])
            if all(e.message for e in errors):  # every value was explained in an earlier row
                raise CellError(N_("%(prefix)s %(values)s (wie oben beschrieben)."),
                                {"prefix": prefix, "values": listed})
            raise CellError(N_("%(prefix)s %(values)s. Bekannt: %(known)s. Mehrere Werte trennen Sie mit | oder ; "
                               "– oder ordnen Sie sie auf der Zuordnungsseite zu oder lassen Sie sie weg."),
                            {"prefix": prefix, "values": listed, "known": self._listing(self.known_names(vocabulary))})
        return result

    def topics_of(self, raw: str) -> list[Topic]:
        return self._many("topics", raw, "Thema", "Themen")

    def life_stages_of(self, raw: str) -> list[LifeStage]:
        return self._many("life_stages", raw, "Bildungsphase", "Bildungsphasen")

    def target_groups_of(self, raw: str) -> list[TargetGroup]:
        return self._many("target_groups", raw, "Zielgruppe", "Zielgruppen")


class Draft:
    """A row that will become a new actor; stands in for it while nothing is written (preview)."""

    id = None

    def __init__(self, name: str, external_ref: str | None, area: Area | None) -> None:
        self.name, self.external_ref, self.area = name, external_ref, area
        self.area_id = area.id if area is not None else None

    def __str__(self) -> str:
        return self.name


class ActorIndex:
    """Every actor by external reference and by normalised name, plus the rows of this file.

    References from other sheets (connections, persons) resolve against the file first
    (Kumu IDs, then labels), then against the database (reference, exact name, normalised name).
    """

    def __init__(self, session: Session, *, with_vocabularies: bool = False) -> None:
        query = select(Actor)
        if with_vocabularies:
            query = query.options(selectinload(Actor.topics), selectinload(Actor.life_stages))
        self.actors: list[Any] = list(session.scalars(query))
        self.by_id: dict[int, Any] = {a.id: a for a in self.actors}
        self.by_ref: dict[str, Any] = {}
        self.by_name: dict[str, list[Any]] = defaultdict(list)
        for actor in self.actors:
            self._add(actor)
        self.file_ids: dict[str, Any] = {}
        self.file_names: dict[str, list[Any]] = defaultdict(list)
        self._new: set[int] = set()

    def _add(self, actor: Any) -> None:
        if actor.external_ref:
            self.by_ref[actor.external_ref.lower()] = actor
        self.by_name[name_key(actor.name)].append(actor)

    def add_new(self, actor: Any) -> None:
        """A new actor (or draft) of this file becomes findable for later rows and sheets."""
        self.actors.append(actor)
        self._new.add(id(actor))
        self._add(actor)

    def is_new(self, actor: Any) -> bool:
        """Whether ``actor`` was created by this file (not saved before the import)."""
        return id(actor) in self._new

    def register_file_row(self, actor: Any, kumu_id: str | None) -> None:
        if kumu_id:
            self.file_ids[kumu_id.lower()] = actor
        bucket = self.file_names[name_key(actor.name)]
        if actor not in bucket:
            bucket.append(actor)

    def resolve(self, raw: str) -> Any:
        text = raw.strip()
        lowered, key = text.lower(), name_key(text)
        if lowered in self.file_ids:
            return self.file_ids[lowered]
        internal = re.fullmatch(r"akteur-(\d+)", lowered)  # the ID our own exports write
        if internal:
            found = self.by_id.get(int(internal.group(1)))
            if found is None:
                raise CellError(N_("Unbekannte Akteur-ID „%(value)s“: einen Akteur mit dieser Nummer gibt es nicht "
                                   "(mehr)."), {"value": text})
            return found
        in_file = self.file_names.get(key, [])
        if len(in_file) == 1:
            return in_file[0]
        if lowered in self.by_ref:
            return self.by_ref[lowered]
        candidates = self.by_name.get(key, [])
        exact = [a for a in candidates if a.name.lower() == lowered]
        if len(exact) == 1:
            return exact[0]
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            areas = ", ".join(sorted({a.area.full_name if a.area else translated(N_("ohne Gebiet"))
                                      for a in candidates}))
            raise CellError(N_("„%(value)s“ ist mehrdeutig: %(count)s Akteure heißen so (%(areas)s). "
                               "Bitte geben Sie die Kennung des Akteurs an."),
                            {"value": text, "count": len(candidates), "areas": areas})
        raise CellError(N_("Unbekannter Akteur „%(value)s“: weder als Kennung noch als Name vorhanden "
                           "(auch nicht weiter oben in dieser Datei)."), {"value": text})
