"""The review queue of what providers propose through their link: new offers and changes.

A proposal keeps the proposed values as JSON (only the fields the provider changed; every field of
a new offer), the values they replace, and the offer's ``version_id`` at the time. A coordinator
sees old → new per field and accepts or rejects:

* accepting applies the values through ``crm.services.offers.offers`` (``create_offer`` /
  ``update_offer``), so the offer's rules and the audit log apply; an explicit audit entry says the
  change came from the provider's link and who sent it; the offer counts as confirmed today;
* a proposal made against an offer that changed since (its version moved on) is *stale*: accepting
  it is refused (``StaleProposal``) until the coordinator has seen what changed meanwhile and
  accepts it anyway; and the accept form carries the version the coordinator saw, so a change
  made while the page was open is a conflict, never silently overwritten.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crm.models import LifeStage, Offer, OfferProposal, OfferStatus, ProposalStatus, ProviderLink, TargetGroup, Topic
from crm.models.base import utcnow
from crm.services.errors import N_, ServiceError
from crm.services.offers import offers as offer_service
from crm.services.privacy import audit

TEXT_FIELDS = ("title", "description", "format", "place", "schedule", "cost", "entry_requirements", "languages",
               "url", "contact_email", "contact_phone")
BOOL_FIELDS = ("is_ongoing", "is_free", "is_accessible")
DATE_FIELDS = ("starts_on", "ends_on")
VOCABULARIES: dict[str, type[Any]] = {"life_stages": LifeStage, "topics": Topic, "target_groups": TargetGroup}
# In the order the review shows them.
FIELDS = ("title", "description", "format", "life_stages", "topics", "target_groups", "place", "starts_on",
          "ends_on", "is_ongoing", "schedule", "is_free", "cost", "entry_requirements", "languages",
          "is_accessible", "url", "contact_email", "contact_phone")
LABELS = {
    "title": N_("Titel"), "description": N_("Beschreibung"), "format": N_("Format"),
    "life_stages": N_("Bildungsphasen"), "topics": N_("Themenfelder"), "target_groups": N_("Zielgruppen"),
    "place": N_("Ort"), "starts_on": N_("Beginn"), "ends_on": N_("Ende"), "is_ongoing": N_("laufend"),
    "schedule": N_("Zeiten"), "is_free": N_("kostenlos"), "cost": N_("Kosten"),
    "entry_requirements": N_("Zugangsvoraussetzungen"), "languages": N_("Sprachen"),
    "is_accessible": N_("barrierefreier Ort"), "url": N_("Link"), "contact_email": N_("Kontakt-E-Mail"),
    "contact_phone": N_("Kontakt-Telefon"),
}
STATUS_LABELS = {ProposalStatus.PENDING: N_("wartet auf Prüfung"), ProposalStatus.ACCEPTED: N_("übernommen"),
                 ProposalStatus.REJECTED: N_("abgelehnt")}

NOTHING_CHANGED = N_("Sie haben nichts geändert.")
ALREADY_DECIDED = N_("Über diesen Vorschlag wurde bereits entschieden.")
OFFER_GONE = N_("Das Angebot gibt es nicht mehr.")
NOT_THEIRS = N_("Dieses Angebot gehört nicht zu Ihren Angeboten.")


class StaleProposal(ServiceError):
    """The offer changed after the provider opened it: the coordinator must look first."""

    def __init__(self) -> None:
        super().__init__(N_("Das Angebot wurde geändert, nachdem der Anbieter es geöffnet hat. Bitte prüfen Sie "
                            "die Änderungen seitdem und bestätigen Sie, dass der Vorschlag sie überschreiben soll."),
                         "overwrite")


# --- values as JSON -------------------------------------------------------------------------------

def snapshot(values: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-safe values of the provider's fields, from an offer's attributes or a form's values."""
    result: dict[str, Any] = {}
    for key in FIELDS:
        value = values.get(key)
        if key in TEXT_FIELDS:
            result[key] = (value or "").strip() if key not in ("description", "entry_requirements") \
                else (value or "").replace("\r\n", "\n").strip()
        elif key in BOOL_FIELDS:
            result[key] = bool(value)
        elif key in DATE_FIELDS:
            result[key] = value.isoformat() if isinstance(value, date) else None
        else:
            result[key] = sorted(item.id for item in (value or []))
    return result


def offer_snapshot(offer: Offer) -> dict[str, Any]:
    return snapshot({key: getattr(offer, key) for key in FIELDS})


def model_values(session: Session, proposed: Mapping[str, Any]) -> dict[str, Any]:
    """The service's values from a proposal's JSON (vocabulary ids → rows; gone ones are dropped)."""
    result: dict[str, Any] = {}
    for key, value in proposed.items():
        if key not in FIELDS:
            continue
        if key in DATE_FIELDS:
            result[key] = date.fromisoformat(value) if value else None
        elif key in VOCABULARIES:
            model = VOCABULARIES[key]
            ids = [i for i in value if isinstance(i, int)]
            rows = list(session.scalars(select(model).where(model.id.in_(ids)))) if ids else []
            result[key] = sorted(rows, key=lambda row: (row.sort_order, row.id))
        else:
            result[key] = value
    return result


# --- the provider's side --------------------------------------------------------------------------

def pending_for_offer(session: Session, offer_id: int) -> OfferProposal | None:
    return session.scalars(select(OfferProposal).where(
        OfferProposal.offer_id == offer_id, OfferProposal.status == ProposalStatus.PENDING)
        .order_by(OfferProposal.id.desc())).first()


def pending_of_actor(session: Session, actor_id: int) -> list[OfferProposal]:
    return list(session.scalars(select(OfferProposal).where(
        OfferProposal.actor_id == actor_id, OfferProposal.status == ProposalStatus.PENDING)
        .order_by(OfferProposal.id)))


def owned_offer(session: Session, link: ProviderLink, offer_id: int) -> Offer | None:
    """The offer if the link's actor provides it (a link never reaches another provider's offer)."""
    offer = session.get(Offer, offer_id)
    if offer is None or link.actor_id not in {actor.id for actor in offer.providers}:
        return None
    return offer


def _check(session: Session, link: ProviderLink, proposed: Mapping[str, Any], offer: Offer | None) -> None:
    """The offer's own rules, so the provider hears a refusal now, not after the review."""
    values = model_values(session, proposed)
    values["providers"] = [link.actor]
    offer_service.check_offer(values, offer)


def propose_change(session: Session, link: ProviderLink, offer: Offer, values: Mapping[str, Any]) -> OfferProposal:
    """A change to one of the provider's offers, waiting for review. A pending proposal for the same
    offer is replaced (the provider corrected it). Raises ServiceError (nothing changed, a rule)."""
    current = offer_snapshot(offer)
    wanted = snapshot(values)
    changed = {key: value for key, value in wanted.items() if current[key] != value}
    if not changed:
        raise ServiceError(NOTHING_CHANGED)
    _check(session, link, changed, offer)
    proposal = pending_for_offer(session, offer.id)
    if proposal is None:
        proposal = OfferProposal(actor_id=link.actor_id, offer=offer, is_new=False)
        session.add(proposal)
    proposal.link = link
    proposal.submitted_by = link.email
    proposal.proposed = changed
    proposal.previous = {key: current[key] for key in changed}
    proposal.base_version = offer.version_id
    link.used_at = utcnow()
    session.flush()
    audit.record(session, "propose", proposal, f"Änderung an „{offer.title}“ über den Anbieter-Link vorgeschlagen",
                 {key: [proposal.previous[key], value] for key, value in changed.items()})
    return proposal


def propose_new(session: Session, link: ProviderLink, values: Mapping[str, Any]) -> OfferProposal:
    """A new offer of the provider, waiting for review. Raises ServiceError for a broken rule."""
    wanted = snapshot(values)
    _check(session, link, wanted, None)
    proposal = OfferProposal(actor_id=link.actor_id, link=link, submitted_by=link.email, is_new=True,
                             proposed=wanted, previous={})
    session.add(proposal)
    link.used_at = utcnow()
    session.flush()
    audit.record(session, "propose", proposal, f"Neues Angebot „{wanted['title']}“ über den Anbieter-Link gemeldet",
                 {key: [None, value] for key, value in wanted.items()})
    return proposal


def shown_values(session: Session, proposal: OfferProposal) -> dict[str, Any]:
    """What the provider's form shows again for a pending proposal: the offer with the proposal over it."""
    values = offer_snapshot(proposal.offer) if proposal.offer is not None else {}
    values.update(proposal.proposed)
    return model_values(session, values)


# --- the review -----------------------------------------------------------------------------------

def pending(session: Session) -> list[OfferProposal]:
    """The queue, oldest first."""
    return list(session.scalars(select(OfferProposal).where(OfferProposal.status == ProposalStatus.PENDING)
                                .options(selectinload(OfferProposal.actor), selectinload(OfferProposal.offer))
                                .order_by(OfferProposal.created_at, OfferProposal.id)))


def pending_count(session: Session) -> int:
    from sqlalchemy import func

    return session.scalar(select(func.count()).select_from(OfferProposal)
                          .where(OfferProposal.status == ProposalStatus.PENDING)) or 0


def is_stale(proposal: OfferProposal) -> bool:
    """The offer changed after the provider opened it (its version moved on)."""
    return (proposal.offer is not None and not proposal.is_new and proposal.base_version is not None
            and proposal.offer.version_id != proposal.base_version)


@dataclass
class DiffRow:
    key: str
    label: str
    old: str            # the offer's value when the provider sent the proposal
    new: str            # what the provider proposes
    current: str        # the offer's value now
    changed_since: bool  # the offer's value changed after the provider sent the proposal


def _readable(session: Session, key: str, value: Any, names: dict[str, dict[int, str]]) -> str:
    from flask_babel import gettext

    if key in BOOL_FIELDS:
        return gettext("ja") if value else gettext("nein")
    if key in DATE_FIELDS:
        return date.fromisoformat(value).strftime("%d.%m.%Y") if value else "–"
    if key in VOCABULARIES:
        return ", ".join(names[key].get(i, "?") for i in value or []) or "–"
    return str(value) if value not in (None, "") else "–"


def diff(session: Session, proposal: OfferProposal) -> list[DiffRow]:
    """Old → new per proposed field, with the offer's current value and whether it changed since."""
    from crm.services.errors import translated

    names = {key: {row.id: row.name for row in session.scalars(select(model))} for key, model in VOCABULARIES.items()}
    current = offer_snapshot(proposal.offer) if proposal.offer is not None else {}
    rows = []
    for key in FIELDS:
        if key not in proposal.proposed:
            continue
        if proposal.is_new and key != "title" and proposal.proposed[key] in ("", None, False, []):
            continue  # a new offer: only what the provider filled in
        old = proposal.previous.get(key)
        now = current.get(key, old)
        rows.append(DiffRow(key, translated(LABELS[key]), _readable(session, key, old, names) if not proposal.is_new
                            else "–", _readable(session, key, proposal.proposed[key], names),
                            _readable(session, key, now, names), not proposal.is_new and now != old))
    return rows


def accept(session: Session, proposal: OfferProposal, *, seen_version: int | None, overwrite: bool = False,
           publish: bool = False, today: date | None = None) -> Offer:
    """Apply the proposal through the offers service. Raises ServiceError (decided already, the offer's
    rules), StaleProposal (the offer changed since the provider sent it and ``overwrite`` is not set) or
    ConcurrentEditError (the offer changed after the coordinator opened the page). Flushes."""
    if proposal.status != ProposalStatus.PENDING:
        raise ServiceError(ALREADY_DECIDED)
    today = today or date.today()
    stale = is_stale(proposal)
    values = model_values(session, proposal.proposed)
    values["confirmed_on"] = today  # the provider has just looked at it
    if proposal.is_new:
        values["providers"] = [proposal.actor]
        values["status"] = OfferStatus.PUBLISHED if publish else OfferStatus.DRAFT
        offer = offer_service.create_offer(session, values)
        proposal.offer = offer
    else:
        offer_or_none = proposal.offer
        if offer_or_none is None:
            raise ServiceError(OFFER_GONE)
        offer = offer_or_none
        if stale and not overwrite:
            raise StaleProposal()
        offer_service.update_offer(session, offer, values, seen_version)
    _decide(proposal, ProposalStatus.ACCEPTED)
    session.flush()
    audit.record(session, "accept", proposal,
                 f"Vorschlag von {proposal.submitted_by} (Anbieter-Link) für „{offer.title}“ übernommen",
                 {"offer_id": offer.id, "from_provider_link": proposal.link_id, "submitted_by": proposal.submitted_by,
                  "fields": sorted(proposal.proposed), "overwrote_newer_changes": stale})
    return offer


def reject(session: Session, proposal: OfferProposal, reason: str = "") -> None:
    if proposal.status != ProposalStatus.PENDING:
        raise ServiceError(ALREADY_DECIDED)
    proposal.reason = (reason or "").strip()[:2000]
    _decide(proposal, ProposalStatus.REJECTED)
    session.flush()
    title = proposal.offer.title if proposal.offer is not None else proposal.proposed.get("title", "")
    audit.record(session, "reject", proposal, f"Vorschlag von {proposal.submitted_by} für „{title}“ abgelehnt",
                 {"reason": proposal.reason})


def _decide(proposal: OfferProposal, status: ProposalStatus) -> None:
    proposal.status = status
    proposal.decided_at = utcnow()
    proposal.decided_by = audit.actor_identity()[1][:200]
