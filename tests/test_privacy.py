"""DSGVO: consent and withdrawal (one click, and the signed link in every mail), access export
(Art. 15, JSON and PDF), erasure that leaves no trace in any table (Art. 17), retention review."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import JSON, LargeBinary, String, Text, select

from crm.extensions import db
from crm.models import (
    Actor,
    Affiliation,
    Attendance,
    AuditEntry,
    Base,
    Consent,
    ConsentPurpose,
    ImportBatch,
    ImportStatus,
    ImportTarget,
    Invitation,
    LegalBasis,
    OutboxMessage,
    Person,
    Role,
)
from crm.services.privacy import consent, retention
from crm.services.privacy import subject_rights as privacy
from tests import factories_privacy as f


def _person(app, **kwargs) -> Person:
    with app.app_context():
        return db.session.get(Person, f.person(app, **kwargs))


# --- consent ------------------------------------------------------------------------------------

def test_coordinator_records_and_withdraws_consent_in_one_click(app, login_as) -> None:
    person_id = f.person(app, legal_basis=LegalBasis.CONSENT)
    client = login_as(Role.COORDINATOR)
    page = client.get(f"/datenschutz/personen/{person_id}").get_data(as_text=True)
    assert "Einwilligungen" in page and "Einwilligung (Art. 6 Abs. 1 a)" in page
    response = client.post_form(f"/datenschutz/personen/{person_id}/einwilligung",
                                {"purpose": "invitations", "method": "Anmeldeformular Bildungskonferenz"})
    assert response.status_code == 302
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert consent.may_contact(db.session, person, ConsentPurpose.INVITATIONS)
        assert not consent.may_contact(db.session, person, ConsentPurpose.NEWSLETTER)
        row = db.session.scalars(select(Consent)).one()
        assert row.method == "Anmeldeformular Bildungskonferenz" and row.recorded_by_id is not None
    # A second consent for the same purpose is refused with a German message (422, input kept).
    response = client.post_form(f"/datenschutz/personen/{person_id}/einwilligung",
                                {"purpose": "invitations", "method": "nochmal"})
    assert response.status_code == 422
    assert "bereits eine gültige Einwilligung" in response.get_data(as_text=True)
    response = client.post_form(f"/datenschutz/personen/{person_id}/einwilligung", {"purpose": "newsletter"})
    assert response.status_code == 422 and "wie die Einwilligung erteilt wurde" in response.get_data(as_text=True)
    # One click withdraws.
    assert client.post_form(f"/datenschutz/personen/{person_id}/widerruf",
                            {"purpose": "invitations"}).status_code == 302
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert not consent.may_contact(db.session, person, ConsentPurpose.INVITATIONS)
        assert db.session.scalars(select(Consent)).one().withdrawn_at is not None
        assert db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "Consent")).first()


def test_privacy_pages_by_role(app, client, create_user) -> None:
    person_id = f.person(app)
    expected = {Role.VIEWER: (403, 403, 403, 403), Role.ORGANISER: (200, 403, 403, 403),
                Role.COORDINATOR: (200, 200, 200, 200), Role.ADMIN: (200, 200, 200, 200)}
    for role, codes in expected.items():
        client.login(create_user(role).email)
        got = tuple(client.get(url).status_code for url in (
            f"/datenschutz/personen/{person_id}", f"/datenschutz/personen/{person_id}/auskunft.json",
            f"/datenschutz/personen/{person_id}/anonymisieren", "/datenschutz/aufbewahrung"))
        assert got == codes, role
        client.post_form("/abmelden")
    assert client.get(f"/datenschutz/personen/{person_id}").status_code == 302  # anonymous → login


def test_contact_rules_per_legal_basis(app) -> None:
    with app.app_context():
        public = Person(last_name="Amt", email="a@x.example", legal_basis=LegalBasis.PUBLIC_TASK)
        needs = Person(last_name="Verein", email="v@x.example", legal_basis=LegalBasis.CONSENT)
        objected = Person(last_name="Nein", email="n@x.example", is_opted_out=True)
        no_mail = Person(last_name="Ohne")
        db.session.add_all([public, needs, objected, no_mail])
        db.session.flush()
        inv = ConsentPurpose.INVITATIONS
        assert [consent.may_contact(db.session, p, inv) for p in (public, needs, objected, no_mail)] == [
            True, False, False, False]
        consent.give(db.session, needs, inv, "E-Mail", None)
        assert consent.may_contact(db.session, needs, inv)
        consent.withdraw(db.session, public, inv)  # an objection without prior consent is recorded too
        assert not consent.may_contact(db.session, public, inv)
        consent.give(db.session, public, inv, "neu erteilt", None)  # and a later consent lifts it
        assert consent.may_contact(db.session, public, inv)
        # The SQL form of the rule agrees with the Python form for every person and purpose.
        for purpose in ConsentPurpose:
            allowed = set(db.session.scalars(select(Person.id).where(consent.contactable_clause(purpose),
                                                                       Person.email != "")))
            assert allowed == {p.id for p in (public, needs, objected, no_mail)
                               if consent.may_contact(db.session, p, purpose)}, purpose
        db.session.rollback()


def test_signed_withdrawal_link_works_without_login(app, client) -> None:
    person_id = f.person(app, email="erika@schule.example")
    with app.test_request_context():
        url = consent.withdrawal_url(person_id)
        headers = consent.list_unsubscribe_headers(person_id)
    assert url.startswith("http://localhost/einwilligung/widerruf/")
    assert headers["List-Unsubscribe"] == f"<{url}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = url.removeprefix("http://localhost")
    page = client.get(path)  # GET changes nothing: mail scanners open links
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Keine E-Mails mehr erhalten" in body
    assert "erika" not in body.lower() and "Musterfrau" not in body  # no personal data on the page
    with app.app_context():
        assert not db.session.get(Person, person_id).is_opted_out
    done = client.post(path)  # one click, no login, no CSRF token needed: the signature is the permission
    assert done.status_code == 200 and "keine E-Mails mehr" in done.get_data(as_text=True)
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert person.is_opted_out
        assert not any(consent.may_contact(db.session, person, p) for p in ConsentPurpose)
    # Tampered and foreign tokens are refused.
    assert client.get(path[:-2] + "xx").status_code == 404
    assert client.post(path[:-2] + "xx").status_code == 404
    with app.test_request_context():
        other = consent.withdrawal_token(person_id)
    assert client.get("/einwilligung/widerruf/" + other.replace(".", "-")).status_code == 404


def test_purpose_link_only_withdraws_that_purpose(app, client) -> None:
    person_id = f.person(app, legal_basis=LegalBasis.CONSENT)
    with app.app_context():
        person = db.session.get(Person, person_id)
        for purpose in ConsentPurpose:
            consent.give(db.session, person, purpose, "Formular", None)
        db.session.commit()
    with app.test_request_context():
        path = consent.withdrawal_url(person_id, ConsentPurpose.NEWSLETTER).removeprefix("http://localhost")
    assert "Newsletter" in client.get(path).get_data(as_text=True)
    client.post(path, data={"List-Unsubscribe": "One-Click"})  # RFC 8058 one-click POST from a mail program
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert consent.may_contact(db.session, person, ConsentPurpose.INVITATIONS)
        assert not consent.may_contact(db.session, person, ConsentPurpose.NEWSLETTER)
        assert not person.is_opted_out


# --- Art. 15 ------------------------------------------------------------------------------------

def test_access_export_json_and_pdf(app, login_as, create_actor) -> None:
    school = create_actor("Grundschule Olewig")
    person_id = f.person(app, "Groß", "Jürgen", "juergen@schule.example", actor_id=school, notes="mag Kaffee")
    event_id = f.event(app, "Bildungskonferenz 2026")
    f.invite(app, event_id, person_id, school, comment="komme später", attended=True)
    with app.app_context():
        consent.give(db.session, db.session.get(Person, person_id), "newsletter", "Formular", None)
        db.session.commit()
    client = login_as(Role.COORDINATOR)
    response = client.get(f"/datenschutz/personen/{person_id}/auskunft.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["person"]["last_name"] == "Groß" and data["person"]["notes"] == "mag Kaffee"
    assert data["affiliations"][0]["actor"] == "Grundschule Olewig"
    assert data["consents"][0]["purpose"] == "newsletter"
    assert data["invitations"][0]["comment"] == "komme später"
    assert data["invitations"][0]["event"] == "Bildungskonferenz 2026"
    assert data["attendances"][0]["actor"] == "Grundschule Olewig"
    assert data["messages"][0]["recipient"] == "juergen@schule.example"
    assert {e["entity_type"] for e in data["audit_entries"]} >= {"Consent"}
    pdf = client.get(f"/datenschutz/personen/{person_id}/auskunft.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    with app.app_context():  # the export itself is audited
        assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).first()


def test_pdf_prints_umlauts(app) -> None:
    pdf = privacy.export_pdf({"created_at": "2026-11-22", "controller": "Bildungsbüro Trier",
                              "person": {"last_name": "Größe-Übermaß"}, "consents": []})
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


# --- Art. 17 ------------------------------------------------------------------------------------

def _text_values(app) -> list[tuple[str, str, str]]:
    """Every text, JSON and binary value of every table (users excepted: staff, not data subjects)."""
    found = []
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            if table.name in ("users",):
                continue
            cols = [c for c in table.columns if isinstance(c.type, (String, Text, JSON, LargeBinary))]
            for row in db.session.execute(select(*cols)).all() if cols else []:
                for col, value in zip(cols, row):
                    if value is None:
                        continue
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "ignore")
                    elif not isinstance(value, str):
                        value = json.dumps(value, ensure_ascii=False)
                    found.append((table.name, col.name, value))
    return found


def test_erasure_leaves_no_trace_in_any_table_and_keeps_statistics(app, login_as, create_actor) -> None:
    school = create_actor("Grundschule Olewig")
    kita = create_actor("Kita St. Anna")
    client = login_as(Role.COORDINATOR)
    # The person is created and changed through the audited session, as the pages would.
    person_id = f.person(app, "Zyxwortmann", "Quirina", "quirina.zyx@schule.example", actor_id=school,
                         phone="0651 1234567", notes="Kontakt über Sekretariat")
    other_id = f.person(app, "Andere", "Anna", "anna@kita.example", actor_id=kita,
                        notes="Vertretung von Quirina Zyxwortmann")
    with app.app_context():
        person = db.session.get(Person, person_id)
        person.title = "Dr."
        db.session.commit()
        consent.give(db.session, person, "invitations", "mündlich", None)
        db.session.commit()
    events = [f.event(app, f"Netzwerktreffen {n}") for n in range(2)]
    for event_id in events:
        f.invite(app, event_id, person_id, school, comment="Ich bringe Frau Zyxwortmanns Vertretung mit",
                 attended=True)
        f.invite(app, event_id, other_id, kita, attended=True)
    with app.app_context():
        db.session.add(ImportBatch(token="t1", target=ImportTarget.PERSONS, filename="liste.csv",
                                   content=b"Name;E-Mail\nQuirina Zyxwortmann;quirina.zyx@schule.example\n",
                                   status=ImportStatus.COMMITTED, result={"rows": 1}))
        db.session.add(ImportBatch(token="t2", target=ImportTarget.PERSONS, filename="andere.csv",
                                   content=b"Name;E-Mail\nAnna Andere;anna@kita.example\n",
                                   status=ImportStatus.COMMITTED))
        db.session.commit()
    needles = ("zyxwortmann", "quirina", "zyx@schule", "1234567", "sekretariat")
    before = [(t, c) for t, c, v in _text_values(app) if any(n in v.lower() for n in needles)]
    assert {t for t, _ in before} >= {"persons", "audit_entries", "outbox_messages", "invitations",
                                      "import_batches", "affiliations"}

    page = client.get(f"/datenschutz/personen/{person_id}/anonymisieren")
    assert page.status_code == 200 and "kann nicht rückgängig" in page.get_data(as_text=True)
    refused = client.post_form(f"/datenschutz/personen/{person_id}/anonymisieren", {})
    assert refused.status_code == 422 and "Bitte bestätigen Sie" in refused.get_data(as_text=True)
    response = client.post_form(f"/datenschutz/personen/{person_id}/anonymisieren", {"confirm": "y"})
    assert response.status_code == 302

    leftovers = [(t, c, v[:80]) for t, c, v in _text_values(app) if any(n in v.lower() for n in needles)]
    assert leftovers == []
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert person.is_anonymised and person.full_name == "Anonymisierte Person" and person.email == ""
        # Statistics stay true: attendance and invitations per actor still count.
        assert db.session.query(Attendance).filter_by(actor_id=school).count() == 2
        assert db.session.query(Invitation).filter_by(actor_id=school, person_id=person_id).count() == 2
        assert db.session.query(Affiliation).filter_by(person_id=person_id).count() == 0
        assert db.session.query(Consent).filter_by(person_id=person_id).count() == 0
        # The other person and their import stay untouched, except the mention of the erased one.
        other = db.session.get(Person, other_id)
        assert other.email == "anna@kita.example" and other.notes == "Vertretung von Anonymisierte Person"
        assert [b.token for b in db.session.scalars(select(ImportBatch))] == ["t2"]
        assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "anna@kita.example")).first()
        # The audit log keeps that something happened, without the person, and records the erasure.
        # In the order they were written: the erasure rewrites the older entries, and PostgreSQL then
        # returns them after the newest one unless asked for an order.
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "Person",
                                                              AuditEntry.entity_id == person_id)
                                     .order_by(AuditEntry.id)).all()
        assert entries
        assert {e.summary for e in entries} <= {"Anonymisierte Person", "Anonymisierte Person (Art. 17 DSGVO)"}
        assert entries[-1].action == "anonymise"
        assert privacy.remaining_mentions(db.session, list(needles)) == {}
    page = client.get(f"/datenschutz/personen/{person_id}").get_data(as_text=True)
    assert "anonymisiert" in page and 'data-testid="erase"' not in page
    # The API no longer lists the placeholder unless asked.
    assert client.get("/api/v1/persons").get_json()["total"] == 1


def test_erasure_needs_delete_permission(app, login_as) -> None:
    person_id = f.person(app)
    client = login_as(Role.ORGANISER)
    assert client.post_form(f"/datenschutz/personen/{person_id}/anonymisieren", {"confirm": "y"}).status_code == 403
    with app.app_context():
        assert not db.session.get(Person, person_id).is_anonymised


# --- retention ----------------------------------------------------------------------------------

def test_retention_lists_inactive_persons_and_keep_counts_as_review(app, login_as) -> None:
    old = datetime.now(UTC) - timedelta(days=4 * 365)
    with app.app_context():
        sleeper = Person(last_name="Schläfer", email="s@x.example", created_at=old, updated_at=old)
        active = Person(last_name="Wachmann", email="a@x.example", created_at=old, updated_at=old,
                        last_activity_at=datetime.now(UTC) - timedelta(days=30))
        db.session.add_all([sleeper, active])
        db.session.commit()
        sleeper_id = sleeper.id
        # updated_at is set on flush; put it back into the past as if nothing happened since.
        db.session.execute(Person.__table__.update().values(updated_at=old))
        db.session.commit()
        assert [c.person.last_name for c in retention.candidates(db.session, 3)] == ["Schläfer"]
        assert retention.candidates(db.session, 5) == []
    client = login_as(Role.COORDINATOR)
    page = client.get("/datenschutz/aufbewahrung").get_data(as_text=True)
    assert "Schläfer" in page and "Wachmann" not in page and "1 Person zur Prüfung" in page
    assert client.post_form(f"/datenschutz/aufbewahrung/{sleeper_id}/behalten",
                            {"reason": "Schulleitung"}).status_code == 302
    page = client.get("/datenschutz/aufbewahrung").get_data(as_text=True)
    assert "Geprüft: Schläfer wird behalten." in page and 'data-testid="candidates"' not in page
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "review")).one()
        assert entry.entity_id == sleeper_id and entry.changes == {"reason": "Schulleitung"}


def test_retention_years_is_a_setting(app) -> None:
    from crm.config import SETTINGS

    setting = next(s for s in SETTINGS if s.name == "RETENTION_YEARS")
    assert setting.default == 3 and app.config["RETENTION_YEARS"] == 3
    assert re.search(r"Jahre ohne Aktivität", setting.help)


def test_invitation_lists_and_mails_honour_consent(app, client) -> None:
    """Through the event services (issue 4): the list builder and the sender ask crm.services.privacy.consent,
    and every mail carries the signed withdrawal link, which works from the mail without login."""
    from crm.models import Event, OutboxMessage
    from crm.services.events import invitation_lists, invitations

    public = f.person(app, "Amtmann", "Anna", "anna@amt.example")
    missing = f.person(app, "Vereinsfrau", "Vera", "vera@verein.example", legal_basis=LegalBasis.CONSENT)
    given = f.person(app, "Zustimmer", "Zora", "zora@verein.example", legal_basis=LegalBasis.CONSENT)
    later = f.person(app, "Widerrufer", "Wim", "wim@schule.example")
    event_id = f.event(app, "Bildungsgespräch")
    with app.app_context():
        consent.give(db.session, db.session.get(Person, given), ConsentPurpose.INVITATIONS, "Formular", None)
        event = db.session.get(Event, event_id)
        ids = [public, missing, given, later]
        result = invitation_lists.preview(db.session, event, invitation_lists.ListFilter(), ids, use_filters=False)
        assert {c.person.id for c in result.included} == {public, given, later}
        assert [(c.person.id, c.reason) for c in result.excluded] == [(missing, "no_consent")]
        assert invitation_lists.add_to_list(db.session, event, invitation_lists.ListFilter(), ids,
                                            use_filters=False) == 3
        db.session.commit()
        wim_link = consent.withdrawal_url(later).removeprefix("http://localhost")
    assert client.post(wim_link).status_code == 200  # Wim objects before the mail goes out
    with app.app_context():
        sent = invitations.send_invitations(db.session, db.session.get(Event, event_id))
        db.session.commit()
        assert sent.queued == 2 and [i.person_id for i, _why in sent.skipped] == [later]
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert sorted(m.recipient for m in messages) == ["anna@amt.example", "zora@verein.example"]
        anna_mail = next(m for m in messages if m.recipient == "anna@amt.example")
        assert anna_mail.headers["List-Unsubscribe"].startswith("<http://localhost/einwilligung/widerruf/")
        link = re.search(r"http://localhost(/einwilligung/widerruf/\S+)", anna_mail.body_text).group(1)
    # Anna follows the link in her mail: no login, one click.
    assert "Keine E-Mails mehr erhalten" in client.get(link).get_data(as_text=True)
    assert client.post(link).status_code == 200
    with app.app_context():
        anna = db.session.get(Person, public)
        assert anna.is_opted_out and not consent.may_contact(db.session, anna, ConsentPurpose.INVITATIONS)
        again = invitation_lists.preview(db.session, db.session.get(Event, f.event(app, "Konferenz")),
                                         invitation_lists.ListFilter(), [public], use_filters=False)
        assert [c.reason for c in again.excluded] == ["opted_out"]


# --- hard delete: no trace either ----------------------------------------------------------------

def test_hard_delete_leaves_no_trace_in_any_table(app, login_as, create_actor) -> None:
    """Deleting a person entered by mistake (``/personen/<id>/loeschen``) cleans the audit entries of the
    deletion (they hold every old value) and the person's earlier ones, mails and mentions elsewhere."""
    school = create_actor("Grundschule Olewig")
    client = login_as(Role.COORDINATOR)
    response = client.post_form("/personen/neu", {"salutation": "Frau", "first_name": "Quirina",
                                                  "last_name": "Zyxwortmann", "email": "quirina.zyx@schule.example",
                                                  "phone": "0651 1234567", "legal_basis": "public_task"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        person_id = db.session.scalars(select(Person.id).where(Person.last_name == "Zyxwortmann")).one()
        person = db.session.get(Person, person_id)
        person.notes = "ruft dienstags an"
        db.session.add(Affiliation(person_id=person_id, actor_id=school, function="Schulleitung",
                                   email="q.zyx@dienst.example", phone="0651 7654321"))
        db.session.commit()
    f.invite(app, f.event(app, "Netzwerktreffen"), person_id, school, comment="komme", attended=True)
    other = f.person(app, "Andere", "Anna", "anna@kita.example", notes="Vertretung von Quirina Zyxwortmann")
    needles = ("zyxwortmann", "quirina", "zyx@schule", "1234567", "7654321", "q.zyx@dienst")
    with app.app_context():
        assert set(privacy.remaining_mentions(db.session, list(needles))) >= {
            "audit_entries.summary", "audit_entries.changes", "persons.last_name", "outbox_messages.recipient"}
    response = client.post_form(f"/personen/{person_id}/loeschen", {"confirm": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    leftovers = [(t, c, v[:80]) for t, c, v in _text_values(app) if any(n in v.lower() for n in needles)]
    assert leftovers == []
    with app.app_context():
        assert db.session.get(Person, person_id) is None
        assert privacy.remaining_mentions(db.session, list(needles)) == {}
        # The log still says that a person and their rows were deleted, without saying who.
        deleted = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "delete",
                                                              AuditEntry.entity_type == "Person")).all()
        assert [e.entity_id for e in deleted] == [person_id] and deleted[0].summary == "Anonymisierte Person"
        assert set(deleted[0].changes) >= {"last_name", "email"}  # which fields, not their values
        assert db.session.get(Person, other).notes == "Vertretung von Anonymisierte Person"


# --- the surname alone after erasure --------------------------------------------------------------

def test_erasure_lists_surname_only_mentions_for_review(app, login_as, create_actor) -> None:
    client = login_as(Role.COORDINATOR)
    school = create_actor("Grundschule Olewig", notes="Ansprechpartnerin Fr. Haas, Sekretariat")
    create_actor("Haasenberg-Schule", notes="keine Erwähnung")  # only as part of a word: not a hit
    create_actor("Kita Regenbogen", description="Elternabend mit HAAS und Team")
    person_id = f.person(app, "Haas", "Hanna", "hanna.haas@schule.example", actor_id=school)
    namesake = f.person(app, "Haas", "Heinz", "heinz@firma.example")  # someone else of the same name
    page = client.post_form(f"/datenschutz/personen/{person_id}/anonymisieren", {"confirm": "y"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-testid="surname-review"' in html and "nicht automatisch ersetzt" in html
    with app.app_context():
        actor = db.session.get(Actor, school)
        assert actor.notes == "Ansprechpartnerin Fr. Haas, Sekretariat"  # left for a human to judge
        assert db.session.get(Person, namesake).last_name == "Haas"
        hits = privacy.surname_mentions(db.session, "Haas")
    labels = {(h.table, h.column) for h in hits}
    assert labels == {("actors", "notes"), ("actors", "description"), ("persons", "last_name")}
    assert f'href="/akteure/{school}"' in html and "Ansprechpartnerin Fr. Haas" in html
    assert "Haasenberg" not in html
    with app.app_context():
        assert db.session.get(Person, person_id).is_anonymised


def test_erasure_without_remaining_mentions_goes_back_to_the_person(app, login_as) -> None:
    person_id = f.person(app, "Zyxwortmann", "Quirina", "q@schule.example")
    client = login_as(Role.COORDINATOR)
    response = client.post_form(f"/datenschutz/personen/{person_id}/anonymisieren", {"confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"] == f"/datenschutz/personen/{person_id}"


# --- Art. 15: the information beside the data ------------------------------------------------------

def test_access_export_states_purposes_recipients_and_retention(app, login_as) -> None:
    person_id = f.person(app, legal_basis=LegalBasis.CONSENT)
    client = login_as(Role.COORDINATOR)
    data = json.loads(client.get(f"/datenschutz/personen/{person_id}/auskunft.json").get_data(as_text=True))
    info = data["information"]
    assert any("Einladungen zu Veranstaltungen" in p for p in info["purposes"])
    assert "Art. 6 Abs. 1 lit. a" in info["legal_basis"]
    assert any("Koordination" in r and "Lesezugriff" in r for r in info["recipients"])
    assert any("keine übermittlung an dritte" in r.lower() for r in info["recipients"])
    assert "3 Jahre lang keine Aktivität" in info["retention"]
    assert any("Art. 77" in r for r in info["rights"]) and info["source"]
    with app.app_context():
        pdf = privacy.export_pdf(privacy.export_person(db.session, db.session.get(Person, person_id), "Bildungsbüro",
                                                       retention_years=5))
    assert pdf.startswith(b"%PDF")


# --- withdrawal through the link records how and by whom -------------------------------------------

def test_withdrawal_by_link_records_method_and_who(app, client) -> None:
    person_id = f.person(app)
    with app.test_request_context():
        path = consent.withdrawal_url(person_id).removeprefix("http://localhost")
    assert client.post(path).status_code == 200
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "withdraw")).one()
        assert entry.entity_type == "Person" and entry.entity_id == person_id
        assert entry.changes["method"] == "Link in E-Mail" and entry.changes["by"] == "betroffene Person"
        assert entry.actor_label == "betroffene Person"
        rows = db.session.scalars(select(Consent).where(Consent.person_id == person_id)).all()
        assert rows and all("Link in E-Mail, betroffene Person" in c.method for c in rows)
        consent_entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "Consent")).all()
        assert consent_entries and {e.actor_label for e in consent_entries} == {"betroffene Person"}


def test_withdrawal_on_the_privacy_page_records_the_coordinator(app, login_as) -> None:
    person_id = f.person(app)
    client = login_as(Role.COORDINATOR)
    assert client.post_form(f"/datenschutz/personen/{person_id}/widerruf", {"purpose": "all"}).status_code == 302
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "withdraw")).one()
        assert entry.changes["method"] == "Datenschutzseite" and entry.changes["by"].startswith("coordinator")
