"""Merging two records that describe the same actor or the same person.

Everything that hangs on the record that goes is moved to the record that stays, so no tie,
affiliation, membership, invitation or attendance is lost:

* ties that would become duplicates are combined instead of copied (two "Kooperationsvertrag"
  ties of the same pair in overlapping periods become one, with the wider period, the higher
  intensity and both sets of topics); a tie between the two merged records themselves is
  dropped, since an actor cannot cooperate with itself;
* unique rows (one invitation and one attendance per person and event) keep the better one:
  the more definite answer (accepted > tentative > waitlisted > declined > pending), the
  earlier check-in; mail sent for the dropped invitation is re-attached to the kept one;
* topics and life stages are united; empty fields of the kept record are filled from the
  other; notes are appended rather than lost;
* the other record is deleted, and an audit entry "merge" naming both is written on each.

Functions flush; the caller commits (all or nothing).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Table, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from crm.models import (
    Actor,
    Affiliation,
    Answer,
    Attendance,
    Base,
    Consent,
    Cooperation,
    Invitation,
    Membership,
    MembershipRole,
    OutboxMessage,
    Person,
)
from crm.models.surveys import ReportedTie, SurveyDecision, SurveyRecipient
from crm.models.workshops import WorkshopDot, WorkshopParticipant, workshop_proposers
from crm.services.errors import N_, ServiceError
from crm.services.folding import fold
from crm.services.landscape.cooperations import between, overlapping
from crm.services.privacy import audit

# Every column that points at an actor or a person, and who moves it. Columns not listed here
# (added later by another feature) are re-pointed generically, so nothing is cascaded away.
ACTOR_REFERENCES = {
    ("actors", "parent_id"), ("cooperations", "source_id"), ("cooperations", "target_id"),
    ("memberships", "actor_id"), ("affiliations", "actor_id"), ("invitations", "actor_id"),
    ("attendances", "actor_id"), ("actor_topics", "actor_id"), ("actor_life_stages", "actor_id"),
    ("offer_providers", "actor_id"), ("workshop_participants", "actor_id"),
    ("survey_recipients", "actor_id"), ("reported_ties", "reporter_id"), ("reported_ties", "partner_id"),
    ("survey_decisions", "low_id"), ("survey_decisions", "high_id"),
    ("provider_links", "actor_id"), ("offer_proposals", "actor_id"),
}
PERSON_REFERENCES = {
    ("affiliations", "person_id"), ("consents", "person_id"), ("invitations", "person_id"),
    ("attendances", "person_id"), ("offers", "contact_person_id"), ("workshop_participants", "person_id"),
    ("survey_recipients", "person_id"), ("provider_links", "person_id"),
}

ACTOR_FILL_FIELDS = ("short_name", "kind", "area", "street", "postcode", "city", "latitude", "longitude", "website",
                     "email", "phone", "description")
PERSON_FILL_FIELDS = ("salutation", "title", "first_name", "email", "phone")

ANSWER_RANK = {Answer.ACCEPTED: 5, Answer.TENTATIVE: 4, Answer.WAITLISTED: 3, Answer.DECLINED: 2, Answer.PENDING: 1}
ROLE_RANK = {MembershipRole.LEAD: 4, MembershipRole.PARTNER: 3, MembershipRole.FUNDER: 2, MembershipRole.MEMBER: 1}


@dataclass
class MergeResult:
    """What happened, for the flash message and the audit entry."""

    kept_id: int
    merged_id: int
    merged_name: str
    moved: dict[str, int] = field(default_factory=dict)
    combined: dict[str, int] = field(default_factory=dict)
    filled: list[str] = field(default_factory=list)

    def count(self, bucket: str, key: str) -> None:
        target = self.moved if bucket == "moved" else self.combined
        target[key] = target.get(key, 0) + 1


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _earlier(a: date | None, b: date | None) -> date | None:
    return None if a is None or b is None else min(a, b)


def _later(a: date | None, b: date | None) -> date | None:
    return None if a is None or b is None else max(a, b)


def _periods_overlap(a_start: date | None, a_end: date | None, b_start: date | None, b_end: date | None) -> bool:
    return (a_end is None or b_start is None or b_start <= a_end) and (b_end is None or a_start is None
                                                                        or a_start <= b_end)


def _same_function(a: str, b: str) -> bool:
    return " ".join(fold(a).split()) == " ".join(fold(b).split())


def _repoint_unknown(session: Session, table_name_of_target: str, known: set[tuple[str, str]],
                     old_id: int, new_id: int) -> None:
    for table in Base.metadata.tables.values():
        assert isinstance(table, Table)
        for fk in table.foreign_keys:
            if fk.column.table.name != table_name_of_target or (table.name, fk.parent.name) in known:
                continue
            session.execute(update(table).where(fk.parent == old_id).values({fk.parent.name: new_id}))


# --------------------------------------------------------------------------- actors

def _absorb_cooperation(into: Cooperation, other: Cooperation) -> None:
    into.start_date = _earlier(into.start_date, other.start_date)
    into.end_date = _later(into.end_date, other.end_date)
    into.intensity = max(into.intensity or 1, other.intensity or 1)
    for topic in other.topics:
        if topic not in into.topics:
            into.topics.append(topic)
    for stage in other.life_stages:
        if stage not in into.life_stages:
            into.life_stages.append(stage)
    if other.description and other.description not in into.description:
        into.description = "\n\n".join(p for p in (into.description, other.description) if p)
    if into.initiative_id is None:
        into.initiative_id = other.initiative_id


def _move_cooperations(session: Session, keep: Actor, other: Actor, result: MergeResult) -> None:
    ties = list(session.scalars(select(Cooperation).where(
        or_(Cooperation.source_id == other.id, Cooperation.target_id == other.id)).order_by(Cooperation.id)))
    for tie in ties:
        source_id = keep.id if tie.source_id == other.id else tie.source_id
        target_id = keep.id if tie.target_id == other.id else tie.target_id
        if source_id == target_id:
            session.delete(tie)
            session.flush()
            result.count("combined", "Kooperationen zwischen den beiden (entfernt)")
            continue
        partner_id = target_id if source_id == keep.id else source_id
        twin = session.scalars(select(Cooperation).where(
            between(keep.id, partner_id), Cooperation.type_id == tie.type_id, Cooperation.id != tie.id,
            overlapping(tie.start_date, tie.end_date))).first()
        if twin is not None:
            _absorb_cooperation(twin, tie)
            session.delete(tie)
            session.flush()
            result.count("combined", "Kooperationen")
            continue
        tie.source_id, tie.target_id = source_id, target_id
        session.flush()
        result.count("moved", "Kooperationen")


def _move_memberships(session: Session, keep: Actor, other: Actor, result: MergeResult) -> None:
    for membership in list(session.scalars(select(Membership).where(Membership.actor_id == other.id))):
        twin = next((m for m in session.scalars(select(Membership).where(
            Membership.actor_id == keep.id, Membership.initiative_id == membership.initiative_id))
            if _periods_overlap(m.joined_on, m.left_on, membership.joined_on, membership.left_on)), None)
        if twin is not None:
            twin.joined_on = _earlier(twin.joined_on, membership.joined_on)
            twin.left_on = _later(twin.left_on, membership.left_on)
            if ROLE_RANK[membership.role] > ROLE_RANK[twin.role]:
                twin.role = membership.role
            session.delete(membership)
            result.count("combined", "Mitgliedschaften")
        else:
            membership.actor = keep
            result.count("moved", "Mitgliedschaften")
        session.flush()


def _absorb_affiliation(into: Affiliation, other: Affiliation) -> None:
    into.from_date = _earlier(into.from_date, other.from_date)
    into.to_date = _later(into.to_date, other.to_date)
    for key in ("email", "phone", "function"):
        if _empty(getattr(into, key)) and not _empty(getattr(other, key)):
            setattr(into, key, getattr(other, key))


def _move_affiliations_of_actor(session: Session, keep: Actor, other: Actor, result: MergeResult) -> None:
    for affiliation in list(session.scalars(select(Affiliation).where(Affiliation.actor_id == other.id))):
        twin = next((a for a in session.scalars(select(Affiliation).where(
            Affiliation.actor_id == keep.id, Affiliation.person_id == affiliation.person_id))
            if _same_function(a.function, affiliation.function)
            and _periods_overlap(a.from_date, a.to_date, affiliation.from_date, affiliation.to_date)), None)
        if twin is not None:
            _absorb_affiliation(twin, affiliation)
            session.delete(affiliation)
            result.count("combined", "Zugehörigkeiten")
        else:
            affiliation.actor = keep
            result.count("moved", "Zugehörigkeiten")
        session.flush()


def _creates_cycle(keep: Actor, parent: Actor | None) -> bool:
    node = parent
    while node is not None:
        if node.id == keep.id:
            return True
        node = node.parent
    return False


def _move_offers(session: Session, keep: Actor, other: Actor, result: MergeResult) -> None:
    """Offers of ``other`` are provided by ``keep`` (once, if both provided one)."""
    from crm.services.offers.offers import offers_of_actor
    from crm.services.offers.search import offer_text

    for offer in offers_of_actor(session, other.id):
        offer.providers = list(dict.fromkeys(keep if actor.id == other.id else actor for actor in offer.providers))
        offer.search_text = offer_text(offer)
        result.count("moved", "Bildungsangebote")


def _move_survey_answers(session: Session, keep: Actor, other: Actor, result: MergeResult) -> None:
    """Survey rounds ask an actor once: where both were asked, the kept recipient takes over the
    other's reported ties. Ties between the two become ties of one actor with itself and go; a
    review decision follows its pair (kept as low < high; the kept record's decision wins)."""
    mine = {r.round_id: r for r in session.scalars(select(SurveyRecipient).where(SurveyRecipient.actor_id == keep.id))}
    for recipient in list(session.scalars(select(SurveyRecipient).where(SurveyRecipient.actor_id == other.id))):
        twin = mine.get(recipient.round_id)
        if twin is None:
            recipient.actor_id = keep.id
            result.count("moved", "Befragungsempfänger")
        else:
            session.execute(update(ReportedTie).where(ReportedTie.recipient_id == recipient.id)
                            .values(recipient_id=twin.id))
            session.delete(recipient)
            result.count("combined", "Befragungsempfänger")
    session.flush()
    session.execute(update(ReportedTie).where(ReportedTie.reporter_id == other.id).values(reporter_id=keep.id))
    session.execute(update(ReportedTie).where(ReportedTie.partner_id == other.id).values(partner_id=keep.id))
    session.execute(delete(ReportedTie).where(ReportedTie.reporter_id == ReportedTie.partner_id))
    decided = {(d.round_id, d.low_id, d.high_id) for d in session.scalars(
        select(SurveyDecision).where(or_(SurveyDecision.low_id == keep.id, SurveyDecision.high_id == keep.id)))}
    for decision in list(session.scalars(select(SurveyDecision).where(
            or_(SurveyDecision.low_id == other.id, SurveyDecision.high_id == other.id)))):
        a, b = (keep.id if x == other.id else x for x in (decision.low_id, decision.high_id))
        low, high = min(a, b), max(a, b)
        if low == high or (decision.round_id, low, high) in decided:
            session.delete(decision)
        else:
            decision.low_id, decision.high_id = low, high
            decided.add((decision.round_id, low, high))
    session.flush()


def _move_provider_links(session: Session, keep: Actor, other: Actor, result: MergeResult) -> None:
    """The provider links and proposals of ``other`` belong to ``keep``; a link to an address that
    ``keep`` has one for already is folded into it (one link per actor and address)."""
    from crm.models import OfferProposal, ProviderLink

    mine = {link.email.lower(): link for link in session.scalars(
        select(ProviderLink).where(ProviderLink.actor_id == keep.id))}
    for link in list(session.scalars(select(ProviderLink).where(ProviderLink.actor_id == other.id))):
        twin = mine.get(link.email.lower())
        if twin is None:
            link.actor_id = keep.id
            result.count("moved", "Anbieter-Links")
        else:
            session.execute(update(OfferProposal).where(OfferProposal.link_id == link.id).values(link_id=twin.id))
            session.delete(link)
            result.count("combined", "Anbieter-Links")
    session.flush()
    for proposal in session.scalars(select(OfferProposal).where(OfferProposal.actor_id == other.id)):
        proposal.actor_id = keep.id
        result.count("moved", "Vorschläge von Anbietern")


def merge_actors(session: Session, keep: Actor, other: Actor) -> MergeResult:
    """Move everything of ``other`` to ``keep`` and delete ``other`` (module docstring)."""
    if keep.id == other.id:
        raise ServiceError(N_("Ein Akteur kann nicht mit sich selbst zusammengeführt werden."))
    result = MergeResult(kept_id=keep.id, merged_id=other.id, merged_name=other.name)
    _move_cooperations(session, keep, other, result)
    _move_memberships(session, keep, other, result)
    _move_affiliations_of_actor(session, keep, other, result)
    for invitation in session.scalars(select(Invitation).where(Invitation.actor_id == other.id)):
        invitation.actor_id = keep.id
        result.count("moved", "Einladungen")
    for attendance in session.scalars(select(Attendance).where(Attendance.actor_id == other.id)):
        attendance.actor_id = keep.id
        result.count("moved", "Teilnahmen")
    _move_offers(session, keep, other, result)
    for seat in session.scalars(select(WorkshopParticipant).where(WorkshopParticipant.actor_id == other.id)):
        seat.actor_id = keep.id
        result.count("moved", "Werkstatt-Teilnahmen")
    _move_survey_answers(session, keep, other, result)
    _move_provider_links(session, keep, other, result)
    # The hierarchy: other's sub-actors move up to keep; if keep was below other, it takes other's place.
    if keep.parent_id == other.id:
        keep.parent = other.parent if other.parent_id != keep.id else None
    for child in list(session.scalars(select(Actor).where(Actor.parent_id == other.id))):
        if child.id != keep.id:
            child.parent = keep
            result.count("moved", "untergeordnete Akteure")
    session.flush()
    for stage in other.life_stages:
        if stage not in keep.life_stages:
            keep.life_stages.append(stage)
    for topic in other.topics:
        if topic not in keep.topics:
            keep.topics.append(topic)
    for key in ACTOR_FILL_FIELDS:
        if _empty(getattr(keep, key)) and not _empty(getattr(other, key)):
            setattr(keep, key, getattr(other, key))
            result.filled.append(key)
    if keep.parent is None and other.parent is not None and not _creates_cycle(keep, other.parent):
        keep.parent = other.parent
        result.filled.append("parent")
    if other.notes and other.notes not in keep.notes:
        keep.notes = "\n\n".join(p for p in (keep.notes, f"Aus „{other.name}“ übernommen:\n{other.notes}") if p)
        result.filled.append("notes")
    reference = other.external_ref
    if reference and not keep.external_ref:
        other.external_ref = None
        session.flush()  # the reference is unique: free it before the kept record takes it
        keep.external_ref = reference
        result.filled.append("external_ref")
    _repoint_unknown(session, "actors", ACTOR_REFERENCES, other.id, keep.id)
    _record(session, keep, other, result, keep.name, other.name)
    session.flush()
    session.expire(other)
    session.delete(other)
    session.flush()
    return result


# --------------------------------------------------------------------------- persons

def _better_invitation(a: Invitation, b: Invitation) -> Invitation:
    """The invitation whose answer tells more; on a tie the one answered last, else ``a``."""
    rank_a, rank_b = ANSWER_RANK[a.answer], ANSWER_RANK[b.answer]
    if rank_a != rank_b:
        return a if rank_a > rank_b else b
    if a.answered_at and b.answered_at and b.answered_at > a.answered_at:
        return b
    return a


def _move_invitations(session: Session, keep: Person, other: Person, result: MergeResult) -> None:
    mine = {i.event_id: i for i in session.scalars(select(Invitation).where(Invitation.person_id == keep.id))}
    for invitation in list(session.scalars(select(Invitation).where(Invitation.person_id == other.id))):
        twin = mine.get(invitation.event_id)
        if twin is None:
            invitation.person_id = keep.id
            result.count("moved", "Einladungen")
            continue
        better = _better_invitation(twin, invitation)
        worse = invitation if better is twin else twin
        if not better.comment and worse.comment:
            better.comment = worse.comment
        if better.actor_id is None:
            better.actor_id = worse.actor_id
        session.execute(update(OutboxMessage).where(OutboxMessage.invitation_id == worse.id)
                        .values(invitation_id=better.id))
        session.delete(worse)
        session.flush()  # one invitation per person and event: the worse one goes first
        better.person_id = keep.id
        result.count("combined", "Einladungen")
    session.flush()


def _move_attendance(session: Session, keep: Person, other: Person, result: MergeResult) -> None:
    mine = {a.event_id: a for a in session.scalars(select(Attendance).where(Attendance.person_id == keep.id))}
    for attendance in list(session.scalars(select(Attendance).where(Attendance.person_id == other.id))):
        twin = mine.get(attendance.event_id)
        if twin is None:
            attendance.person_id = keep.id
            result.count("moved", "Teilnahmen")
            continue
        if attendance.checked_in_at < twin.checked_in_at:  # the earlier check-in is the real one
            twin.checked_in_at, twin.source = attendance.checked_in_at, attendance.source
        if twin.actor_id is None:
            twin.actor_id = attendance.actor_id
        session.delete(attendance)
        result.count("combined", "Teilnahmen")
    session.flush()


def _move_workshop_seats(session: Session, keep: Person, other: Person, result: MergeResult) -> None:
    """A person has one table per workshop: where both sat at one, the kept seat stays and takes
    over the other's proposals (who proposed what is never lost). A seat that moves keeps its dots
    (they hang on the seat). Where both seats voted through their links, one person has one
    ballot: the one saved last is their latest will and is kept; where only the other seat voted,
    its dots move to the kept seat."""
    mine = {s.event_id: s for s in session.scalars(
        select(WorkshopParticipant).where(WorkshopParticipant.person_id == keep.id))}
    for seat in list(session.scalars(select(WorkshopParticipant).where(WorkshopParticipant.person_id == other.id))):
        twin = mine.get(seat.event_id)
        if twin is None:
            seat.person_id = keep.id
            result.count("moved", "Werkstatt-Teilnahmen")
            continue
        have = set(session.scalars(select(workshop_proposers.c.proposal_id)
                                   .where(workshop_proposers.c.participant_id == twin.id)))
        for proposal_id in session.scalars(select(workshop_proposers.c.proposal_id)
                                           .where(workshop_proposers.c.participant_id == seat.id)).all():
            if proposal_id not in have:
                session.execute(insert(workshop_proposers).values(proposal_id=proposal_id, participant_id=twin.id))
        if twin.actor_id is None:
            twin.actor_id = seat.actor_id
        if seat.voted_at is not None and (twin.voted_at is None or seat.voted_at > twin.voted_at):
            session.execute(delete(WorkshopDot).where(WorkshopDot.participant_id == twin.id))
            session.execute(update(WorkshopDot).where(WorkshopDot.participant_id == seat.id)
                            .values(participant_id=twin.id))
            twin.voted_at = seat.voted_at
            session.expire(twin, ["dots"])
            result.count("moved", "Werkstatt-Punkte")
        twin.vote_link_sent_at = twin.vote_link_sent_at or seat.vote_link_sent_at
        session.expire(seat, ["dots"])  # the database drops the losing ballot with the seat
        session.delete(seat)
        result.count("combined", "Werkstatt-Teilnahmen")
    session.flush()


def merge_persons(session: Session, keep: Person, other: Person) -> MergeResult:
    """Move affiliations, consents, invitations and attendance of ``other`` to ``keep``; delete ``other``."""
    if keep.id == other.id:
        raise ServiceError(N_("Eine Person kann nicht mit sich selbst zusammengeführt werden."))
    if keep.is_anonymised or other.is_anonymised:
        raise ServiceError(N_("Anonymisierte Personen können nicht zusammengeführt werden."))
    result = MergeResult(kept_id=keep.id, merged_id=other.id, merged_name=other.full_name)
    for affiliation in list(other.affiliations):
        twin = next((a for a in keep.affiliations if a.actor_id == affiliation.actor_id
                     and _same_function(a.function, affiliation.function)
                     and _periods_overlap(a.from_date, a.to_date, affiliation.from_date, affiliation.to_date)), None)
        if twin is not None:
            _absorb_affiliation(twin, affiliation)
            other.affiliations.remove(affiliation)  # delete-orphan removes it
            result.count("combined", "Zugehörigkeiten")
        else:
            affiliation.person = keep
            result.count("moved", "Zugehörigkeiten")
    session.flush()
    for consent in session.scalars(select(Consent).where(Consent.person_id == other.id)):
        consent.person_id = keep.id
        result.count("moved", "Einwilligungen")
    _move_invitations(session, keep, other, result)
    _move_attendance(session, keep, other, result)
    _move_workshop_seats(session, keep, other, result)
    for key in PERSON_FILL_FIELDS:
        if _empty(getattr(keep, key)) and not _empty(getattr(other, key)):
            setattr(keep, key, getattr(other, key))
            result.filled.append(key)
    if other.notes and other.notes not in keep.notes:
        keep.notes = "\n\n".join(p for p in (keep.notes, f"Aus „{other.full_name}“ übernommen:\n{other.notes}") if p)
        result.filled.append("notes")
    if other.is_opted_out and not keep.is_opted_out:  # an objection is never lost by merging
        keep.is_opted_out = True
        result.filled.append("is_opted_out")
    if other.last_activity_at and (keep.last_activity_at is None or other.last_activity_at > keep.last_activity_at):
        keep.last_activity_at = other.last_activity_at
    from crm.models import Offer

    for offer in session.scalars(select(Offer).where(Offer.contact_person_id == other.id)):
        offer.contact_person_id = keep.id  # the offer's contact is the kept record (its consent decides)
        result.count("moved", "Bildungsangebote (Kontakt)")
    for recipient in session.scalars(select(SurveyRecipient).where(SurveyRecipient.person_id == other.id)):
        recipient.person_id = keep.id  # the survey link's contact is the kept record
        result.count("moved", "Befragungen (Kontakt)")
    from crm.models import ProviderLink

    for link in session.scalars(select(ProviderLink).where(ProviderLink.person_id == other.id)):
        link.person_id = keep.id  # the provider link's contact is the kept record
        result.count("moved", "Anbieter-Links (Kontakt)")
    _repoint_unknown(session, "persons", PERSON_REFERENCES, other.id, keep.id)
    _record(session, keep, other, result, keep.full_name, other.full_name)
    session.flush()
    session.expire(other)
    session.delete(other)
    session.flush()
    return result


def _record(session: Session, keep: Any, other: Any, result: MergeResult, keep_name: str, other_name: str) -> None:
    summary = f"„{other_name}“ (Nr. {other.id}) in „{keep_name}“ (Nr. {keep.id}) zusammengeführt"
    changes = {"zusammengeführt": {"behalten": f"{keep_name} (Nr. {keep.id})",
                                   "aufgelöst": f"{other_name} (Nr. {other.id})"},
               "übernommen": result.moved, "zusammengelegt": result.combined, "ergänzt": result.filled}
    audit.record(session, "merge", keep, summary, changes)
    audit.record(session, "merge", other, summary, changes)
