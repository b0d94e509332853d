"""Consent per person and purpose, withdrawal, and the signed withdrawal link for every mail.

Rules (DSGVO):

* A person is contactable for a purpose (``ConsentPurpose``) unless they are anonymised, have
  objected to all mail (``Person.is_opted_out``), or withdrew consent for that purpose.
* If the person's legal basis is consent (Art. 6(1)(a)), a valid consent for the purpose is
  required. Invitations under the public task (Art. 6(1)(e)) need no consent; the newsletter
  always needs one (advertising mail, § 7 UWG).
* Withdrawal keeps the consent row (``withdrawn_at``), so the record shows what was valid when.

For mail templates and the invitation list builder (issue 4) — the one mechanism for opting out:

* ``withdrawal_url(person)`` — absolute link for the footer of **every** mail to ``person``:
  "Keine E-Mails mehr erhalten" (withdraws everything). ``withdrawal_url(person, purpose)``
  limits the link to one purpose (e.g. only the newsletter). The link needs no login, does not
  expire, and shows no personal data; the page asks for one click (a POST), because mail
  scanners open links (GET) on their own.
* ``may_contact(session, person, purpose)`` — the check for one person;
  ``contactable_clause(purpose)`` — the same rule as an SQL condition on ``Person`` for list queries.
* ``list_unsubscribe_headers(person, purpose)`` — ``List-Unsubscribe`` (RFC 2369/8058) headers
  for the outbox, pointing at the same link.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, not_, or_, select
from sqlalchemy.orm import Session

from crm.models import Consent, ConsentPurpose, LegalBasis, Person
from crm.models.base import utcnow
from crm.services.errors import N_, ServiceError, translated

SALT = "bildungsnetz-consent-withdrawal"
PURPOSE_LABELS = {ConsentPurpose.INVITATIONS: N_("Einladungen zu Veranstaltungen"),
                  ConsentPurpose.NEWSLETTER: N_("Newsletter"),
                  ConsentPurpose.PUBLICATION: N_("Nennung als Kontakt im Bildungsportal")}
ALL = "all"
# Purposes that always need consent, whatever the person's legal basis.
CONSENT_ONLY = frozenset({ConsentPurpose.NEWSLETTER, ConsentPurpose.PUBLICATION})


# --- the rule -----------------------------------------------------------------------------------

def _latest(session: Session, person_id: int, purpose: ConsentPurpose) -> Consent | None:
    return session.scalars(select(Consent).where(Consent.person_id == person_id, Consent.purpose == purpose)
                           .order_by(Consent.given_at.desc(), Consent.id.desc()).limit(1)).first()


def may_contact(session: Session, person: Person, purpose: ConsentPurpose | str) -> bool:
    """Whether ``person`` may be written to for ``purpose`` (see the module docstring)."""
    purpose = ConsentPurpose(purpose)
    if person.is_anonymised or person.is_opted_out or not (person.email or "").strip():
        return False
    latest = _latest(session, person.id, purpose)
    if latest is not None and latest.withdrawn_at is not None:
        return False
    if person.legal_basis == LegalBasis.CONSENT or purpose in CONSENT_ONLY:
        return latest is not None and latest.withdrawn_at is None
    return True


def contactable_clause(purpose: ConsentPurpose | str) -> Any:
    """``may_contact`` as an SQL condition on ``Person`` (without the e-mail check), for list builders:
    ``select(Person).where(consent.contactable_clause(ConsentPurpose.INVITATIONS))``."""
    purpose = ConsentPurpose(purpose)
    # Uncorrelated ``IN (SELECT …)``, not ``EXISTS (… WHERE person_id = persons.id)``: inside the ORs
    # below PostgreSQL cannot turn EXISTS into a join and runs it once per row; with real consent
    # rows, counting 20,000 invitees took 0.7 s and was JIT-compiled first. An IN list is hashed once.
    valid = Person.id.in_(select(Consent.person_id).where(Consent.purpose == purpose,
                                                          Consent.withdrawn_at.is_(None)))
    withdrawn = Person.id.in_(select(Consent.person_id).where(Consent.purpose == purpose,
                                                              Consent.withdrawn_at.is_not(None)))
    # ``give`` refuses a second open consent and ``withdraw`` closes all, so "a withdrawal and no
    # open consent" is exactly "the latest row is withdrawn" (``may_contact``'s rule).
    base = and_(Person.is_anonymised.is_(False), Person.is_opted_out.is_(False), or_(not_(withdrawn), valid))
    if purpose in CONSENT_ONLY:
        return and_(base, valid)
    return and_(base, or_(Person.legal_basis != LegalBasis.CONSENT, valid))


# --- recording ----------------------------------------------------------------------------------

def give(session: Session, person: Person, purpose: ConsentPurpose | str, method: str,
         recorded_by_id: int | None, given_at: datetime | None = None) -> Consent:
    """Record consent for ``purpose``; an earlier valid consent for the same purpose stays as it is."""
    purpose = ConsentPurpose(purpose)
    method = (method or "").strip()
    if not method:
        raise ServiceError(N_("Bitte angeben, wie die Einwilligung erteilt wurde (z. B. Formular, E-Mail)."), "method")
    if len(method) > 120:
        raise ServiceError(N_("Höchstens 120 Zeichen."), "method")
    if person.is_anonymised:
        raise ServiceError(N_("Diese Person ist anonymisiert."))
    latest = _latest(session, person.id, purpose)
    if latest is not None and latest.withdrawn_at is None:
        raise ServiceError(N_("Für „%(purpose)s“ liegt bereits eine gültige Einwilligung vor."), "purpose",
                           {"purpose": translated(PURPOSE_LABELS[purpose])})
    consent = Consent(person_id=person.id, purpose=purpose, method=method, recorded_by_id=recorded_by_id,
                      given_at=given_at or utcnow())
    session.add(consent)
    if person.is_opted_out and purpose == ConsentPurpose.INVITATIONS:
        person.is_opted_out = False  # a new, explicit consent lifts a general objection
    session.flush()
    return consent


# How a withdrawal reached us and who made it, for the record (Art. 7 Abs. 1: the controller must
# be able to show what was valid when, and why it changed).
METHOD_LINK = "Link in E-Mail"
BY_SUBJECT = "betroffene Person"
METHOD_PAGE = "Datenschutzseite"


def _objection_method(method: str, by: str) -> str:
    who = f", {by}" if by == BY_SUBJECT else ""  # staff are named in the audit entry, not in the person's data
    return f"Widerspruch ohne vorherige Einwilligung ({method}{who})"[:120]


def withdraw(session: Session, person: Person, purpose: ConsentPurpose | str | None = None,
             when: datetime | None = None, *, method: str = METHOD_PAGE, by: str = "") -> list[ConsentPurpose]:
    """Withdraw consent for ``purpose``, or for everything (``None``: also an objection to all mail).

    Works whether or not a consent was recorded: for persons contacted under the public task the
    withdrawal row is the record of their objection for that purpose. ``method`` (how: "Link in
    E-Mail", "Datenschutzseite") and ``by`` (who: "betroffene Person"; default: the acting user) are
    recorded in an audit entry about the person and in the method of an objection row.
    Returns the purposes affected.
    """
    from crm.services.privacy import audit

    when = when or utcnow()
    by = by or audit.actor_identity()[1]
    purposes = list(ConsentPurpose) if purpose in (None, ALL) else [ConsentPurpose(purpose)]
    for item in purposes:
        open_consents = list(session.scalars(select(Consent).where(
            Consent.person_id == person.id, Consent.purpose == item, Consent.withdrawn_at.is_(None))))
        for consent in open_consents:
            consent.withdrawn_at = when
        if not open_consents:
            latest = _latest(session, person.id, item)
            if latest is None or latest.withdrawn_at is None:
                session.add(Consent(person_id=person.id, purpose=item, given_at=when, withdrawn_at=when,
                                    method=_objection_method(method, by)))
    if purpose in (None, ALL):
        person.is_opted_out = True
    labels = ", ".join(PURPOSE_LABELS[p] for p in purposes)
    audit.record(session, "withdraw", person, f"Widerruf ({labels}) über {method}, durch {by}",
                 {"purposes": [p.value for p in purposes], "method": method, "by": by})
    session.flush()
    return purposes


def consents_by_person(session: Session, person_ids: list[int]) -> dict[int, list[Consent]]:
    """Every consent row of these persons, oldest first, in one query (for lists: no query per person)."""
    result: dict[int, list[Consent]] = {person_id: [] for person_id in person_ids}
    if person_ids:
        for row in session.scalars(select(Consent).where(Consent.person_id.in_(person_ids))
                                   .order_by(Consent.given_at, Consent.id)):
            result[row.person_id].append(row)
    return result


def status(session: Session, person: Person) -> list[dict[str, Any]]:
    """Per purpose: label, whether contact is allowed, and the history of consent rows."""
    rows = list(session.scalars(select(Consent).where(Consent.person_id == person.id)
                                .order_by(Consent.given_at.desc(), Consent.id.desc())))
    return [{"purpose": purpose, "label": translated(PURPOSE_LABELS[purpose]),
             "allowed": may_contact(session, person, purpose),
             "valid": next((c for c in rows if c.purpose == purpose and c.withdrawn_at is None), None),
             "history": [c for c in rows if c.purpose == purpose]} for purpose in ConsentPurpose]


# --- the signed link ----------------------------------------------------------------------------

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def withdrawal_token(person: Person | int, purpose: ConsentPurpose | str | None = None) -> str:
    """A signed, non-expiring token naming the person (by id) and the purpose (or all)."""
    person_id = person if isinstance(person, int) else person.id
    return _serializer().dumps([person_id, ConsentPurpose(purpose).value if purpose not in (None, ALL) else ALL])


def read_withdrawal_token(token: str) -> tuple[int, str] | None:
    """``(person_id, purpose value or "all")`` for a genuine token, else None."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if (not isinstance(data, list) or len(data) != 2 or not isinstance(data[0], int)
            or data[1] not in {ALL, *(p.value for p in ConsentPurpose)}):
        return None
    return data[0], data[1]


def withdrawal_url(person: Person | int, purpose: ConsentPurpose | str | None = None) -> str:
    """The absolute link for mail footers (uses ``BILDUNGSNETZ_BASE_URL``, works outside requests)."""
    base = str(current_app.config.get("BILDUNGSNETZ_BASE_URL", "")).rstrip("/")
    return f"{base}/einwilligung/widerruf/{withdrawal_token(person, purpose)}"


def list_unsubscribe_headers(person: Person | int, purpose: ConsentPurpose | str | None = None) -> dict[str, str]:
    """Headers that let mail programs offer "Abbestellen" themselves (RFC 2369, one-click RFC 8058)."""
    return {"List-Unsubscribe": f"<{withdrawal_url(person, purpose)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# --- publication on public pages ------------------------------------------------------------------

def may_publish(session: Session, person: Person) -> bool:
    """Whether ``person`` may be named on a public page (the portal's contact of an offer): only with a
    valid consent for ``ConsentPurpose.PUBLICATION``, never once anonymised or withdrawn."""
    if person.is_anonymised:
        return False
    latest = _latest(session, person.id, ConsentPurpose.PUBLICATION)
    return latest is not None and latest.withdrawn_at is None
