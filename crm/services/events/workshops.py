"""Workshop results (Strategiewerkstatt): groups, who sat at which table, the proposals each group
recorded, dot votes typed in from the paper, the ranked list, and a proposal turned into an
initiative.

Rules, shared by every caller:
* only events whose kind is marked as a workshop (``EventKind.is_workshop``) record results;
* a group's name is unique within its workshop;
* a person sits at one table per workshop, and only people who were there (attendance) or, before
  the day, who accepted or might come (invitation) can be seated;
* a proposal needs a title; its proposers are participants of its group (none chosen: the whole
  table proposed it);
* dot votes are whole numbers from 0; one bad number refuses the whole sheet, so a half-typed
  paper never becomes a half-true ranking;
* the ranking adds the paper's dots and the dots participants gave through their vote links
  (``crm.services.events.workshop_votes``), and keeps both numbers so pages say where they come from;
* a proposal becomes at most one initiative; the initiative's members are the actors of the
  proposers, and the proposal keeps the initiative, so each leads to the other.

Writes flush; the request commits. The audit listener records every change of the three models.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from crm.collation import sort_key
from crm.models import (
    Answer,
    Attendance,
    Event,
    Initiative,
    InitiativeKind,
    Invitation,
    MembershipRole,
    WorkshopDot,
    WorkshopGroup,
    WorkshopParticipant,
    WorkshopProposal,
)
from crm.services.errors import N_, ServiceError, unique_rule
from crm.services.events.events import to_local
from crm.services.landscape import initiatives as initiative_service

MAX_VOTES = 1000  # more dots than a workshop hands out: a typing mistake
GROUP_TAKEN = N_("Eine Gruppe dieses Namens gibt es in dieser Werkstatt schon.")
unique_rule("workshop_groups", ("event_id", "name"), GROUP_TAKEN, "name")
unique_rule("workshop_proposals", ("initiative_id",),
            N_("Aus diesem Vorschlag ist bereits eine Initiative entstanden."), None)


@dataclass(frozen=True)
class Candidate:
    """Someone who can be seated: present at the workshop (or, before it, accepted or tentative)."""

    person_id: int
    name: str
    actor_id: int | None
    actor_name: str


@dataclass(frozen=True)
class RankedProposal:
    rank: int
    proposal: WorkshopProposal
    share: float  # of all dots given
    paper: int = 0  # typed in from the paper (``proposal.votes``)
    links: int = 0  # given by participants through their vote links (``WorkshopDot``)

    @property
    def total(self) -> int:
        return self.paper + self.links


def is_workshop(event: Event) -> bool:
    return bool(event.kind is not None and event.kind.is_workshop)


def check_workshop(event: Event) -> None:
    if not is_workshop(event):
        raise ServiceError(N_("„%(title)s“ ist keine Werkstatt: Gruppen, Vorschläge und Punkte gibt es nur bei "
                              "Veranstaltungen einer Werkstatt-Art (z. B. Strategiewerkstatt)."), None,
                           {"title": event.title})


def groups(session: Session, event: Event) -> list[WorkshopGroup]:
    """The event's groups with participants (person, actor) and proposals (proposers): four statements."""
    return list(session.scalars(
        select(WorkshopGroup).where(WorkshopGroup.event_id == event.id)
        .options(selectinload(WorkshopGroup.participants).selectinload(WorkshopParticipant.person),
                 selectinload(WorkshopGroup.participants).selectinload(WorkshopParticipant.actor),
                 selectinload(WorkshopGroup.proposals).selectinload(WorkshopProposal.proposers),
                 selectinload(WorkshopGroup.proposals).selectinload(WorkshopProposal.initiative))
        .order_by(WorkshopGroup.id)))


def candidates(session: Session, event: Event) -> list[Candidate]:
    """Who was there (attendance), else who said yes or maybe; German order by name."""
    found: dict[int, Candidate] = {}
    present = session.execute(
        select(Attendance).where(Attendance.event_id == event.id)
        .options(selectinload(Attendance.person), selectinload(Attendance.actor))).scalars().all()
    rows: Sequence[Attendance | Invitation] = present
    if not present:
        rows = session.execute(
            select(Invitation).where(Invitation.event_id == event.id,
                                     Invitation.answer.in_((Answer.ACCEPTED, Answer.TENTATIVE)))
            .options(selectinload(Invitation.person), selectinload(Invitation.actor))).scalars().all()
    for row in rows:
        found[row.person_id] = Candidate(row.person_id, row.person.full_name, row.actor_id,
                                         row.actor.name if row.actor is not None else "")
    return sorted(found.values(), key=lambda c: sort_key(c.name))


def seated(session: Session, event: Event) -> dict[int, int]:
    """person id -> group id of everyone already at a table."""
    rows = session.execute(select(WorkshopParticipant.person_id, WorkshopParticipant.group_id)
                           .where(WorkshopParticipant.event_id == event.id))
    return {person_id: group_id for person_id, group_id in rows}


def add_group(session: Session, event: Event, name: str) -> WorkshopGroup:
    check_workshop(event)
    name = (name or "").strip()
    if not name:
        raise ServiceError(N_("Bitte geben Sie einen Namen für die Gruppe ein."), "name")
    if len(name) > 200:
        raise ServiceError(N_("Der Name ist zu lang (höchstens 200 Zeichen)."), "name")
    clash = session.scalar(select(WorkshopGroup.id).where(WorkshopGroup.event_id == event.id,
                                                          WorkshopGroup.name == name))
    if clash is not None:
        raise ServiceError(GROUP_TAKEN, "name")
    group = WorkshopGroup(event_id=event.id, name=name)
    session.add(group)
    session.flush()
    return group


def seat(session: Session, event: Event, group: WorkshopGroup, person_ids: Sequence[int]) -> int:
    """Seat people at ``group``; someone at another table of this workshop moves. Returns how many."""
    check_workshop(event)
    if group.event_id != event.id:
        raise ServiceError(N_("Diese Gruppe gehört zu einer anderen Veranstaltung."), "persons")
    if not person_ids:
        raise ServiceError(N_("Bitte wählen Sie mindestens eine Person."), "persons")
    allowed = {c.person_id: c for c in candidates(session, event)}
    unknown = [pid for pid in person_ids if pid not in allowed]
    if unknown:
        raise ServiceError(N_("Nur wer an der Werkstatt teilgenommen (oder zugesagt) hat, kann einer Gruppe "
                              "zugeordnet werden."), "persons")
    existing = {p.person_id: p for p in session.scalars(
        select(WorkshopParticipant).where(WorkshopParticipant.event_id == event.id,
                                          WorkshopParticipant.person_id.in_(person_ids)))}
    for person_id in dict.fromkeys(person_ids):
        participant = existing.get(person_id)
        if participant is None:
            session.add(WorkshopParticipant(event_id=event.id, group=group, person_id=person_id,
                                            actor_id=allowed[person_id].actor_id))
        elif participant.group_id != group.id:
            participant.group = group
    session.flush()
    return len(set(person_ids))


def remove_participant(session: Session, participant: WorkshopParticipant) -> None:
    """Take someone from a table (seated by mistake); the proposals they made keep the others."""
    session.delete(participant)
    session.flush()


def delete_proposal(session: Session, proposal: WorkshopProposal) -> None:
    """Remove a proposal recorded by mistake; one that became an initiative stays as its origin."""
    if proposal.initiative_id is not None:
        raise ServiceError(N_("Aus diesem Vorschlag ist eine Initiative entstanden; er bleibt als ihre Herkunft "
                              "erhalten."), None)
    session.delete(proposal)
    session.flush()


def add_proposal(session: Session, group: WorkshopGroup, title: str, description: str = "",
                 proposer_ids: Sequence[int] = ()) -> WorkshopProposal:
    check_workshop(group.event)
    title = (title or "").strip()
    if not title:
        raise ServiceError(N_("Bitte geben Sie den Vorschlag ein (ein Titel genügt)."), "title")
    if len(title) > 300:
        raise ServiceError(N_("Der Titel ist zu lang (höchstens 300 Zeichen); Einzelheiten gehören in die "
                              "Beschreibung."), "title")
    by_id = {p.id: p for p in group.participants}
    if any(pid not in by_id for pid in proposer_ids):
        raise ServiceError(N_("Vorschlagende müssen in dieser Gruppe sitzen."), "proposers")
    chosen = [by_id[pid] for pid in dict.fromkeys(proposer_ids)] or list(group.participants)
    proposal = WorkshopProposal(group=group, title=title, description=(description or "").strip(), votes=0,
                                proposers=chosen)
    session.add(proposal)
    session.flush()
    return proposal


def proposals(session: Session, event: Event) -> list[WorkshopProposal]:
    return list(session.scalars(
        select(WorkshopProposal).join(WorkshopGroup).where(WorkshopGroup.event_id == event.id)
        .options(selectinload(WorkshopProposal.group), selectinload(WorkshopProposal.initiative))
        .order_by(WorkshopGroup.id, WorkshopProposal.id)))


def vote_field(proposal_id: int) -> str:
    return f"punkte-{proposal_id}"


def dot_count(raw: str | None, maximum: int, too_many: str) -> tuple[int, str]:
    """One typed number of dots: (the number, "") or (0, the German refusal). Empty counts as 0.
    The paper sheet (``parse_votes``) and a participant's ballot (``workshop_votes``) read dots alike."""
    text = (raw or "").strip()
    if not text:
        return 0, ""
    try:
        value = int(text)
    except ValueError:
        return 0, N_("Bitte eine ganze Zahl eingeben.")
    if value < 0:
        return 0, N_("Punkte können nicht negativ sein.")
    if value > maximum:
        return 0, too_many
    return value, ""


def parse_votes(event_proposals: Sequence[WorkshopProposal], form: Mapping[str, str]) -> dict[int, int]:
    """The sheet's numbers by proposal id; every bad number is reported at once (field -> message)."""
    votes: dict[int, int] = {}
    errors: dict[str, str] = {}
    for proposal in event_proposals:
        key = vote_field(proposal.id)
        value, error = dot_count(form.get(key), MAX_VOTES, N_("Mehr als 1000 Punkte? Bitte prüfen Sie die Zahl."))
        if error:
            errors[key] = error
        else:
            votes[proposal.id] = value
    if errors:
        raise VotesRefused(errors)
    return votes


class VotesRefused(ServiceError):
    """Some numbers of the sheet are wrong; ``errors`` maps each field to its (marked German) message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(N_("Die Punkte wurden nicht gespeichert: Bitte korrigieren Sie die markierten Zahlen."),
                         next(iter(errors)))
        self.errors = errors


def record_votes(session: Session, event: Event, form: Mapping[str, str]) -> list[WorkshopProposal]:
    """Save the dot votes of all proposals from the form (``punkte-<id>``); nothing if one is wrong."""
    check_workshop(event)
    event_proposals = proposals(session, event)
    votes = parse_votes(event_proposals, form)
    for proposal in event_proposals:
        if proposal.votes != votes[proposal.id]:
            proposal.votes = votes[proposal.id]
    session.flush()
    return event_proposals


def link_dots(session: Session, event: Event) -> dict[int, int]:
    """proposal id -> dots participants gave through their vote links (one query)."""
    rows = session.execute(
        select(WorkshopDot.proposal_id, func.sum(WorkshopDot.dots)).join(WorkshopProposal)
        .join(WorkshopGroup).where(WorkshopGroup.event_id == event.id).group_by(WorkshopDot.proposal_id))
    return {proposal_id: int(total or 0) for proposal_id, total in rows}


def ranking(session: Session, event: Event) -> list[RankedProposal]:
    """Most dots first, counting the paper's dots and the dots given through the links together;
    equal dots share a rank (1, 2, 2, 4), then by title in German order."""
    linked = link_dots(session, event)

    def total(p: WorkshopProposal) -> int:
        return p.votes + linked.get(p.id, 0)

    event_proposals = sorted(proposals(session, event), key=lambda p: (-total(p), sort_key(p.title), p.id))
    everything = sum(total(p) for p in event_proposals)
    ranked: list[RankedProposal] = []
    for position, proposal in enumerate(event_proposals, 1):
        rank = ranked[-1].rank if ranked and ranked[-1].total == total(proposal) else position
        ranked.append(RankedProposal(rank, proposal, total(proposal) / everything if everything else 0.0,
                                     paper=proposal.votes, links=linked.get(proposal.id, 0)))
    return ranked


def proposal_to_initiative(session: Session, proposal: WorkshopProposal, name: str,
                           kind: InitiativeKind = InitiativeKind.WORKING_GROUP) -> Initiative:
    """A new initiative from the proposal: named ``name``, with the event's topics, the proposers'
    actors as members from the workshop's day, and the proposal remembering it."""
    event = proposal.group.event
    check_workshop(event)
    if proposal.initiative_id is not None:
        raise ServiceError(N_("Aus diesem Vorschlag ist bereits die Initiative „%(name)s“ entstanden."), "name",
                           {"name": proposal.initiative.name if proposal.initiative else ""})
    day: date = to_local(event.starts_at).date()
    description = proposal.description or proposal.title
    initiative = initiative_service.create_initiative(session, {
        "name": name, "kind": kind, "description": description, "start_date": day,
        "topics": list(event.topics)})
    actors = {p.actor_id: p.actor for p in proposal.proposers if p.actor is not None}
    for actor in sorted(actors.values(), key=lambda a: sort_key(a.name)):
        initiative_service.add_membership(session, initiative, {"actor": actor, "role": MembershipRole.MEMBER,
                                                                 "joined_on": day})
    proposal.initiative = initiative
    session.flush()
    return initiative


def origin_of(session: Session, initiative_id: int) -> WorkshopProposal | None:
    """The workshop proposal an initiative came from, with its group and event (or None)."""
    return session.scalar(select(WorkshopProposal).where(WorkshopProposal.initiative_id == initiative_id)
                          .options(selectinload(WorkshopProposal.group).selectinload(WorkshopGroup.event)))
