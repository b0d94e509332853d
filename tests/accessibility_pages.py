"""Every page of the app, found in the URL map, with real ids from the demo region.

Used by ``tests/test_accessibility.py``. New pages are covered without touching this file: a rule's
``<thing_id>`` argument is filled with the id of a real ``Thing`` row (any model whose class name in
snake case is ``thing``), ``<fmt>`` with a download format the rule accepts. Only arguments that
cannot be guessed (signed tokens, import batches, template keys) are made here, per endpoint; a
rule with an argument nobody can fill is reported by the test, never silently skipped.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import Rule

from crm.extensions import db
from crm.models import Base, Event, ImportStatus, ImportTarget, Invitation, MailboxMessage, Role, User
from crm.models.base import utcnow
from crm.models.workshops import WorkshopProposal
from crm.services.computed import store

# Downloads are told apart by their content type; these are the formats a ``<fmt>`` is tried with.
FORMATS = ("csv", "xlsx", "json", "pdf", "gexf", "graphml", "ics")


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def model_ids() -> dict[str, int]:
    """``{"actor_id": 1, "cooperation_id": 4, …}``: the smallest id of every model that has rows.
    Events: the one with the most invitations, so the door list and statistics have people on them."""
    ids: dict[str, int] = {}
    for mapper in Base.registry.mappers:
        model = mapper.class_
        if "id" not in mapper.columns:
            continue
        first = db.session.scalar(select(func.min(model.id)))
        if first is not None:
            ids[f"{snake(model.__name__)}_id"] = int(first)
    busiest = db.session.execute(select(Invitation.event_id, func.count()).group_by(Invitation.event_id)
                                 .order_by(func.count().desc(), Invitation.event_id)).first()
    if busiest is not None:
        ids["event_id"] = int(busiest[0])
    return ids


CSV_ACTORS = "Name;Art;PLZ;Ort\nBäckerei Barrierefrei;Unternehmen;54290;Trier\n".encode()


def _import_tokens(user: User) -> dict[str, str]:
    """One pending batch (mapping, preview) and one finished (result) owned by ``user``."""
    from crm.services.imports import batches

    pending = batches.create_batch(db.session, user_id=user.id, target=ImportTarget.ACTORS,
                                   filename="akteure.csv", data=CSV_ACTORS)
    done = batches.create_batch(db.session, user_id=user.id, target=ImportTarget.ACTORS,
                                filename="akteure-fertig.csv", data=CSV_ACTORS)
    # as batches.commit leaves it (without importing into the demo region)
    done.status, done.committed_at, done.content = ImportStatus.COMMITTED, utcnow(), b""
    done.result = {"counts": {"new": 1, "updated": 0, "unchanged": 0}}
    db.session.flush()
    return {"pending": pending.token, "done": done.token}


def endpoint_values(app: Flask, users: dict[Role, User]) -> dict[str, Callable[[Role | None], dict[str, Any]]]:
    """Argument values that cannot be guessed from the models, per endpoint (and role, where the
    value belongs to a user). Called inside an app context; commits what it creates."""
    from crm.services.events import rsvp_tokens
    from crm.services.mail import templates as mail_templates
    from crm.services.privacy import consent

    invitation = db.session.scalars(select(Invitation).join(Event)
                                    .order_by(Event.starts_at.desc(), Invitation.id)).first()
    answer_token = rsvp_tokens.make_token(invitation) if invitation else ""
    withdraw = consent.withdrawal_token(invitation.person_id) if invitation else ""
    from crm.models import SurveyRecipient
    from crm.services.surveys import tokens as survey_tokens

    recipient = db.session.scalars(select(SurveyRecipient).where(SurveyRecipient.answered_at.is_not(None))
                                   .order_by(SurveyRecipient.id)).first()
    survey_token = survey_tokens.make_token(recipient) if recipient else ""
    imports = {role: _import_tokens(user) for role, user in users.items()}
    previewed, message_id = _mail_pages()
    job = store.lookup(db.session, "dashboard", {}).job  # the dashboard's job: its status endpoint
    db.session.commit()
    # The portal shows only released records (crm.services.offers.listing): a published offer of a
    # listed provider, and a listed actor; the smallest ids may be a draft or an unlisted actor (404).
    from crm.models import Actor, Offer
    from crm.services.offers import listing

    public_offer = db.session.scalar(select(func.min(Offer.id)).where(listing.public_clause()))
    listed_actor = db.session.scalar(select(func.min(Actor.id)).where(listing.listed_clause()))
    # The calendar's event page: an upcoming public event that takes registrations (its form is checked
    # too); the busiest event may be an internal one (404 in the portal).
    from crm.services.events import public as public_events

    public_event = db.session.scalar(select(Event.id).where(
        public_events.public_clause(), Event.registration_open.is_(True), Event.ends_at >= utcnow())
        .order_by(Event.starts_at).limit(1)) or db.session.scalar(
        select(func.min(Event.id)).where(public_events.public_clause()))
    template_key = mail_templates.DEFINITIONS[0].key
    # The workshop pages belong to the demo's Strategiewerkstatt (the busiest event is no workshop).
    proposal = db.session.scalars(select(WorkshopProposal).order_by(WorkshopProposal.id)).first()
    workshop = {"event_id": proposal.group.event_id} if proposal else {}
    founding = {**workshop, "proposal_id": proposal.id} if proposal else {}
    from crm.models import WorkshopParticipant
    from crm.services.events import workshop_vote_tokens

    voter = db.session.scalars(select(WorkshopParticipant).order_by(WorkshopParticipant.id)).first()
    vote_token = workshop_vote_tokens.make_token(voter) if voter else ""
    db.session.commit()  # the link's nonce

    provider = _provider_pages(public_offer)

    def per_role(kind: str) -> Callable[[Role | None], dict[str, Any]]:
        return lambda role: {"token": imports[role][kind]} if role in imports else {}

    return {
        "rsvp.answer": lambda role: {"token": answer_token},
        "survey_answer.answer": lambda role: {"token": survey_token},
        "survey_answer.suggest": lambda role: {"token": survey_token},
        "privacy.public_withdraw": lambda role: {"token": withdraw},
        "imports.mapping": per_role("pending"),
        "imports.preview": per_role("pending"),
        "imports.result": per_role("done"),
        "events.edit_template": lambda role: {"key": template_key},
        "events.send_preview_html": lambda role: {"event_id": previewed},
        "events.send_preview_attachment": lambda role: {"event_id": previewed, "number": 1},
        "events.mailbox_message": lambda role: {"message_id": message_id},
        "events.mailbox_html": lambda role: {"message_id": message_id},
        "events.mailbox_attachment": lambda role: {"message_id": message_id, "number": 1},
        "computed.status": lambda role: {"job_id": job.id if job else 0},
        "events.workshop": lambda role: workshop,
        "events.workshop_ranking": lambda role: workshop,
        "events.proposal_to_initiative": lambda role: founding,
        "workshop_vote.vote": lambda role: {"token": vote_token},
        "portal.offer": lambda role: {"offer_id": public_offer},
        "portal.provider": lambda role: {"actor_id": listed_actor},
        "portal.provider_calendar": lambda role: {"actor_id": listed_actor},
        "provider_offers.home": lambda role: {"token": provider["token"]},
        "provider_offers.create": lambda role: {"token": provider["token"]},
        "provider_offers.edit": lambda role: provider,
        "portal.event": lambda role: {"event_id": public_event},
        "portal.event_ics": lambda role: {"event_id": public_event},
    }


def _provider_pages(offer_id: int | None) -> dict[str, Any]:
    """A provider's link for the first provider of ``offer_id``, and two proposals in the review queue
    (a change with old → new, a new offer), so the queue is crawled with its diff tables."""
    from crm.models import Offer
    from crm.services.offers import proposals, provider_links

    offer = db.session.get(Offer, offer_id) if offer_id else None
    if offer is None:
        return {"token": "", "offer_id": 0}
    actor = offer.providers[0]
    link = provider_links.link_for(db.session, actor, provider_links.Contact(None, "angebote@a11y.example"))
    values = {key: getattr(offer, key) for key in proposals.FIELDS}
    proposals.propose_change(db.session, link, offer, {**values, "description": values["description"] + " Neu."})
    proposals.propose_new(db.session, link, {"title": "Lesepaten für Grundschulkinder", "is_ongoing": True,
                                             "target_groups": offer.target_groups})
    db.session.commit()
    return {"token": provider_links.make_token(link), "offer_id": offer.id}


def _mail_pages() -> tuple[int, int]:
    """An event with a guest still to invite (its send preview), and that guest's invitation in the
    development mailbox, as the worker delivers it there (the demo region has sent nothing)."""
    from crm.services.events import invitations
    from crm.services.mail import mailbox
    from crm.services.mail.mailer import MailboxTransport, build_message

    mail = None
    # The demo region has sent every invitation: one guest of the latest event is "not yet invited"
    # (the first whose person may be mailed, which sample_invitation decides).
    for invitation in db.session.scalars(select(Invitation).join(Event)
                                         .order_by(Event.starts_at.desc(), Invitation.id).limit(200)):
        sent, invitation.invited_at = invitation.invited_at, None
        db.session.flush()
        sample = invitations.sample_invitation(db.session, invitation.event)
        if sample is not None:
            mail = invitations.draft(db.session, sample, "invitation", calendar="REQUEST", sample=True)
        if mail is not None:
            break
        invitation.invited_at = sent
    if mail is None:
        raise AssertionError("no guest of the demo region may be mailed")
    event = invitation.event
    MailboxTransport(db.session).send(build_message(
        sender=mailbox.sender(), recipient=mail.recipient, subject=mail.subject, body_text=mail.body_text,
        body_html=mail.body_html, attachments=mail.attachments, headers=mail.headers))
    message = db.session.scalar(select(func.max(MailboxMessage.id)))
    return event.id, int(message or 0)


@dataclass(frozen=True)
class Target:
    endpoint: str
    rule: str
    urls: tuple[str, ...]  # candidates: the first that does not answer 404 is the page


def is_static(rule: Rule) -> bool:
    """Files, and Flask-Admin's select2 lookups (JSON; 404 unless a lookup is configured)."""
    return rule.endpoint == "static" or rule.endpoint.endswith((".static", ".ajax_lookup"))


def admin_query(app: Flask, endpoint: str, ids: dict[str, int]) -> str:
    """Flask-Admin's edit and details views take the record as ``?id=``."""
    blueprint, _, view = endpoint.rpartition(".")
    if view not in ("edit_view", "details_view"):
        return ""
    for admin in app.extensions.get("admin", []):
        for admin_view in admin._views:
            model = getattr(admin_view, "model", None)
            if admin_view.endpoint == blueprint and model is not None:
                first = db.session.scalar(select(func.min(model.id)))
                return f"?id={first}" if first is not None else ""
    return ""


def targets(app: Flask, role: Role | None, ids: dict[str, int],
            special: dict[str, Callable[[Role | None], dict[str, Any]]]) -> tuple[list[Target], list[str]]:
    """Every GET rule as candidate URLs for ``role``, and the rules no value could be found for."""
    found: list[Target] = []
    missing: list[str] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or is_static(rule):
            continue
        values: dict[str, Any] = dict(special[rule.endpoint](role)) if rule.endpoint in special else {}
        unknown = [name for name in rule.arguments if name not in values and name not in ids
                   and name not in ("fmt", "export_type")]
        if unknown:
            if rule.endpoint not in special:
                missing.append(f"{rule.endpoint} {rule.rule}: {', '.join(unknown)}")
            continue  # a per-user value for a role that has none (imports of a viewer): nothing to visit
        for name in rule.arguments:
            values.setdefault(name, ids.get(name))
        formats = [name for name in ("fmt", "export_type") if name in rule.arguments]
        with app.test_request_context():
            from flask import url_for

            if formats:
                urls = tuple(url_for(rule.endpoint, **{**values, formats[0]: fmt}) for fmt in FORMATS)
            else:
                urls = (url_for(rule.endpoint, **values) + admin_query(app, rule.endpoint, ids),)
        found.append(Target(rule.endpoint, rule.rule, urls))
    return found, missing


def iter_urls(target: Target) -> Iterator[str]:
    yield from target.urls
