"""Importing offers (Bildungsangebote): match each row to a saved offer or create one.

A row is the same offer as a saved one when the titles are equal (after folding case, umlauts and
punctuation, like actor names) and they share a provider: the same course of another provider is
another offer, and adding a second provider in the file does not make a second offer. So importing
the same file again changes nothing and leaves no audit entries (only values that really differ are
written; empty cells leave saved values alone).

Providers must exist already (by name or Kennung, several separated by ;): an offer file never
invents actors, and an unknown provider is reported at its row and column. Life stages, topics and
target groups are matched against their vocabularies like an actor's topics (unknown values can be
mapped on the mapping page). The start column takes a date or „laufend“.

Every rule of an offer is the offer service's (``check_offer``): the preview asks it for each row,
and rows are written with ``create_offer`` and ``update_offer``, so the import refuses what the form
refuses, in the same words, at its row. The audit log records each created or changed offer by
itself (``crm.services.privacy.audit`` lists ``Offer``), and the import as a whole is logged by
``crm.services.imports.batches.commit``.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.models import Offer, OfferStatus
from crm.services.errors import N_, ServiceError, translated
from crm.services.imports.cells import ONGOING, CellError, split_multi
from crm.services.imports.lookups import name_key
from crm.services.imports.report import NEW, UNCHANGED, UPDATED, Outcome
from crm.services.imports.rows import Context, Record, SheetJob, ids, problem, require
from crm.services.offers import offers as offer_service

SCALAR_FIELDS = ("title", "description", "format", "place", "starts_on", "ends_on", "is_ongoing", "schedule",
                 "is_free", "cost", "entry_requirements", "languages", "is_accessible", "url", "contact_email",
                 "contact_phone", "status")
LIST_FIELDS = ("providers", "life_stages", "topics", "target_groups")
LABELS = {
    "title": N_("Titel"), "description": N_("Beschreibung"), "format": N_("Format"), "place": N_("Ort"),
    "starts_on": N_("Beginn"), "ends_on": N_("Ende"), "is_ongoing": N_("laufend (ohne festes Ende)"),
    "schedule": N_("Zeiten"), "is_free": N_("kostenlos"), "cost": N_("Kosten"),
    "entry_requirements": N_("Zugangsvoraussetzungen"), "languages": N_("Sprachen"),
    "is_accessible": N_("barrierefreier Ort"), "url": N_("Link"),
    "contact_email": N_("Kontakt-E-Mail (Funktionsadresse)"), "contact_phone": N_("Kontakt-Telefon"),
    "status": N_("Status"),
    "providers": N_("Anbieter"), "life_stages": N_("Bildungsphasen"), "topics": N_("Themen"),
    "target_groups": N_("Zielgruppen"), "area": N_("Gebiet"),
}
# The service's field names -> the file's columns, for refusals shown at their column.
SERVICE_FIELDS = {"providers": "providers", "contact_person": "contact_email"}


class OfferIndex:
    """Saved offers by folded title, with their providers (one query)."""

    def __init__(self, ctx: Context) -> None:
        self.by_title: dict[str, list[Offer]] = defaultdict(list)
        for offer in ctx.session.scalars(select(Offer).options(
                selectinload(Offer.providers), selectinload(Offer.life_stages), selectinload(Offer.topics),
                selectinload(Offer.target_groups))):
            self.by_title[name_key(offer.title)].append(offer)

    def find(self, title: str, providers: list[Any]) -> Offer | None:
        """The saved offer of this title that shares a provider; CellError if several do."""
        wanted = {p.id for p in providers if getattr(p, "id", None) is not None}
        found = [o for o in self.by_title.get(name_key(title), []) if wanted & ids(o.providers)]
        if len(found) > 1:
            raise CellError(N_("„%(title)s“ passt auf %(count)s gespeicherte Angebote dieser Anbieter. Bitte "
                               "führen Sie die doppelten Angebote zuerst zusammen oder löschen Sie eines."),
                            {"title": title, "count": len(found)})
        return found[0] if found else None


def _providers(ctx: Context, job: SheetJob, record: Record) -> list[Any] | None:
    """The actors the provider cell names; None (reported at the column) if one is unknown."""
    found: list[Any] = []
    unknown: list[str] = []
    for part in split_multi(record.values["providers"]):
        try:
            actor = ctx.actors.resolve(part)
        except CellError as error:
            problem(ctx, job, record.line, "providers", error.message)
            unknown.append(part)
            continue
        if getattr(actor, "id", None) is None:  # a draft of another sheet: offers name saved actors only
            unknown.append(part)
            continue
        if actor not in found:
            found.append(actor)
    if unknown:
        record.ok = False
        return None
    return found


def _values(record: Record, providers: list[Any]) -> dict[str, Any]:
    """The row's values as the offer service takes them."""
    values = {key: value for key, value in record.values.items() if key in SCALAR_FIELDS or key in LIST_FIELDS
              or key == "area"}
    values["providers"] = providers
    if values.get("starts_on") == ONGOING:
        del values["starts_on"]
        values["is_ongoing"] = True
    return values


def differences(offer: Offer, values: dict[str, Any]) -> dict[str, Any]:
    """Field -> new value, for every given value that differs from the saved one. Providers named in
    the file are added to the saved ones, never removed (a file of one provider's offers says nothing
    about its partners)."""
    changes: dict[str, Any] = {}
    for key in SCALAR_FIELDS:
        if key in values and values[key] != getattr(offer, key):
            changes[key] = values[key]
    if "area" in values and offer.area_id != values["area"].id:
        changes["area"] = values["area"]
    for key in ("life_stages", "topics", "target_groups"):
        if key in values and ids(getattr(offer, key)) != ids(values[key]):
            changes[key] = values[key]
    added = [p for p in values["providers"] if p.id not in ids(offer.providers)]
    if added:
        changes["providers"] = list(offer.providers) + added
    return changes


def _refused(ctx: Context, job: SheetJob, record: Record, values: dict[str, Any], offer: Offer | None) -> bool:
    """Report the offer service's refusal of a row at its column; True if refused."""
    try:
        offer_service.check_offer(values if offer is not None else {"status": OfferStatus.DRAFT, **values}, offer,
                                  ctx.today)
    except ServiceError as error:
        key = SERVICE_FIELDS.get(error.field or "", error.field)
        mapped = set(job.mapping.values())
        if key == "ends_on" and key not in mapped:
            key = "starts_on"
        problem(ctx, job, record.line, key if key in mapped else None, error.message)
        record.ok = False
        return True
    return False


def process(ctx: Context, job: SheetJob, records: list[Record]) -> None:
    index = OfferIndex(ctx)
    seen: dict[int, int] = {}               # id of the saved offer -> first row
    new_rows: dict[tuple[str, int], int] = {}  # (folded title, provider id) of a new offer -> first row
    for record in records:
        if not require(ctx, job, record, "title") or not require(ctx, job, record, "providers"):
            continue
        providers = _providers(ctx, job, record)
        if providers is None:
            continue
        title = record.values["title"]
        try:
            offer = index.find(title, providers)
        except CellError as error:
            problem(ctx, job, record.line, "title", error.message)
            record.ok = False
            continue
        keys = [(name_key(title), p.id) for p in providers]
        first = seen.get(offer.id) if offer is not None else next(
            (new_rows[k] for k in keys if k in new_rows), None)
        if first is not None:
            problem(ctx, job, record.line, "title",
                    N_("%(row)s beschreibt dasselbe Angebot wie %(first)s („%(title)s“ desselben Anbieters). Bitte "
                       "doppelte Zeilen entfernen."),
                    {"row": job.sheet.row_name(record.line), "first": job.sheet.row_name(first), "title": title})
            record.ok = False
            continue
        values = _values(record, providers)
        if not record.ok:
            continue
        if offer is None:
            if _refused(ctx, job, record, values, None):
                continue
            for key in keys:
                new_rows[key] = record.line
            created = offer_service.create_offer(ctx.session, values) if ctx.writing else None
            action, changed = NEW, []
            target: Any = created
        else:
            seen[offer.id] = record.line
            changes = differences(offer, values)
            if changes and _refused(ctx, job, record, changes, offer):
                continue
            if changes and ctx.writing:
                offer_service.update_offer(ctx.session, offer, changes, None)
            action = UPDATED if changes else UNCHANGED
            changed = [translated(LABELS[k]) for k in changes]
            target = offer
        ctx.report.outcomes.append(Outcome(job.label, "offers", record.line, action, title, tuple(changed),
                                           target if ctx.writing else None))


TEMPLATE_EXAMPLE = {
    "title": "Roboter-AG", "description": "Kinder bauen und programmieren Roboter.",
    "providers": "Grundschule Olewig", "life_stages": "Primarstufe", "topics": "MINT", "target_groups": "Kinder",
    "area": "", "format": "Kurs", "place": "", "starts_on": "laufend", "ends_on": "", "is_ongoing": "",
    "schedule": "dienstags 15–16:30 Uhr", "is_free": "ja", "cost": "", "entry_requirements": "",
    "languages": "Deutsch; Englisch", "is_accessible": "ja", "url": "https://example.org/robotik",
    "contact_email": "anmeldung@example.org", "contact_phone": "", "status": "Entwurf",
}


def template_csv() -> bytes:
    """The downloadable template: every recognised column under its German name, and one example row
    (semicolons, UTF-8 with BOM, so that Excel opens it with its umlauts)."""
    import csv
    import io

    from crm.services.imports.mapping import OFFER_FIELDS

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([spec.label for spec in OFFER_FIELDS])
    writer.writerow([TEMPLATE_EXAMPLE.get(spec.key, "") for spec in OFFER_FIELDS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
