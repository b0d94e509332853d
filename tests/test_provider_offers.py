"""Providers keep their own offers: the personal link (bad, tampered, revoked, expired), proposals that
wait for review (German errors for too long fields, nothing applied before acceptance), the review
(old → new, accept through the offers service with audit entries, reject with a reason, a stale
proposal detected instead of overwriting), confirming on the link page, the coordinator's button that
sends the link, and the yearly request through the outbox into the development mailbox."""
from __future__ import annotations

import re
import time
from datetime import date, timedelta
from email import message_from_string, policy

import itsdangerous
from sqlalchemy import select

from crm.extensions import db
from crm.models import (
    Actor,
    AuditEntry,
    MailboxMessage,
    Offer,
    OfferProposal,
    OfferStatus,
    OutboxMessage,
    ProposalStatus,
    ProviderLink,
    Role,
    TargetGroup,
)
from crm.services.mail import outbox
from crm.services.offers import offers as offer_service
from crm.services.offers import proposals, provider_links

ROLE_EMAIL = "info@gs-olewig.example"


def _setup(app, create_actor, *, confirmed_on: date | None = None, email: str = ROLE_EMAIL) -> tuple[int, int]:
    """A listed school with a role address and one published, ongoing offer."""
    actor_id = create_actor("Grundschule Olewig", kind="Grundschule", email=email,
                            listing_agreed_on=date.today() - timedelta(days=30), listing_recorded_by="Test")
    with app.app_context():
        actor = db.session.get_one(Actor, actor_id)
        offer = offer_service.create_offer(db.session, {
            "title": "Roboter-AG", "description": "Kinder bauen Roboter.", "providers": [actor],
            "status": OfferStatus.PUBLISHED, "is_ongoing": True, "is_free": True,
            "confirmed_on": confirmed_on or date.today() - timedelta(days=10)})
        db.session.commit()
        return actor_id, offer.id


def _token(app, actor_id: int) -> str:
    with app.app_context(), app.test_request_context():
        actor = db.session.get_one(Actor, actor_id)
        contact = provider_links.contact_of(db.session, actor)
        assert contact is not None and contact.email == ROLE_EMAIL
        link = provider_links.link_for(db.session, actor, contact)
        db.session.commit()
        return provider_links.make_token(link)


def _checked(html: str, name: str) -> bool:
    tag = re.search(rf'<input[^>]*id="{name}"[^>]*>', html)
    return tag is not None and "checked" in tag.group(0)


def _offer_form(client, token: str, offer_id: int | None = None, **changes) -> dict:
    """What the provider's form holds, with ``changes`` typed over it."""
    url = f"/anbieter/{token}/angebote/{offer_id}" if offer_id else f"/anbieter/{token}/neu"
    html = client.get(url).get_data(as_text=True)
    data = {"title": re.search(r'name="title"[^>]*value="([^"]*)"', html).group(1) if offer_id else "",
            "description": re.search(r'<textarea[^>]*name="description"[^>]*>\n?([^<]*)</textarea>', html).group(1),
            "is_ongoing": "y" if _checked(html, "is_ongoing") else None,
            "is_free": "y" if _checked(html, "is_free") else None}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_bad_tampered_revoked_or_expired_link_leads_nowhere(app, client, create_actor, monkeypatch) -> None:
    actor_id, offer_id = _setup(app, create_actor)
    token = _token(app, actor_id)
    assert client.get(f"/anbieter/{token}").status_code == 200

    # two characters inside the signature (its last character also carries padding bits)
    tampered = token[:-5] + ("AA" if token[-5:-3] != "AA" else "BB") + token[-3:]
    for bad in ("unsinn", tampered, "x" * 600):
        page = client.get(f"/anbieter/{bad}")
        assert page.status_code == 404
        assert "Dieser Anbieter-Link ist ungültig" in page.get_data(as_text=True)
    assert client.post("/anbieter/unsinn/bestaetigen", data={}).status_code in (400, 404)

    # another provider's offer is out of reach of this link
    other_id = create_actor("Kita St. Anna", kind="Kita", email="info@kita.example")
    with app.app_context():
        other = offer_service.create_offer(db.session, {"title": "Waldtag",
                                                        "providers": [db.session.get(Actor, other_id)]})
        db.session.commit()
        other_offer = other.id
    assert client.get(f"/anbieter/{token}/angebote/{other_offer}").status_code == 404
    assert client.get(f"/anbieter/{token}/angebote/{offer_id}").status_code == 200

    # older than PROVIDER_LINK_DAYS: expired (410)
    old = int(time.time()) - (provider_links.DEFAULT_DAYS + 1) * 86400
    monkeypatch.setattr(itsdangerous.TimestampSigner, "get_timestamp", lambda self: old)
    expired = _token(app, actor_id)
    monkeypatch.undo()
    page = client.get(f"/anbieter/{expired}")
    assert page.status_code == 410 and "abgelaufen" in page.get_data(as_text=True)

    # a renewed nonce revokes every link sent so far
    with app.app_context():
        link = db.session.scalars(select(ProviderLink)).one()
        provider_links.renew(link)
        db.session.commit()
    assert client.get(f"/anbieter/{token}").status_code == 404


def test_provider_proposes_coordinator_accepts_and_the_audit_log_says_where_it_came_from(
        app, client, create_actor, create_user) -> None:
    actor_id, offer_id = _setup(app, create_actor)
    token = _token(app, actor_id)
    home = client.get(f"/anbieter/{token}")
    assert home.headers["Cache-Control"] == "no-store"
    assert "Roboter-AG" in home.get_data(as_text=True)

    # the same form sent without a CSRF token is refused
    assert client.post(f"/anbieter/{token}/angebote/{offer_id}", data={"title": "X"}).status_code == 400

    nothing = client.post_form(f"/anbieter/{token}/angebote/{offer_id}", _offer_form(client, token, offer_id))
    assert nothing.status_code == 422 and "Sie haben nichts geändert." in nothing.get_data(as_text=True)

    sent = client.post_form(f"/anbieter/{token}/angebote/{offer_id}", _offer_form(
        client, token, offer_id, description="Kinder bauen und programmieren Roboter."))
    assert sent.status_code == 303
    assert "Ihre Angaben sind angekommen" in client.get(sent.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        children = str(db.session.scalars(select(TargetGroup.id).where(TargetGroup.name == "Kinder")).one())
    sent = client.post_form(f"/anbieter/{token}/neu", {"title": "Forscherferien", "description": "Eine Woche forschen.",
                                                      "target_groups": [children], "is_ongoing": "y"})
    assert sent.status_code == 303
    with app.app_context():
        assert db.session.get_one(Offer, offer_id).description == "Kinder bauen Roboter."  # nothing applied yet
        assert db.session.scalar(select(Offer).where(Offer.title == "Forscherferien")) is None
        waiting = db.session.scalars(select(OfferProposal).order_by(OfferProposal.id)).all()
        assert [(p.is_new, p.status) for p in waiting] == [(False, ProposalStatus.PENDING),
                                                           (True, ProposalStatus.PENDING)]
        assert waiting[0].proposed == {"description": "Kinder bauen und programmieren Roboter."}
        assert waiting[0].previous == {"description": "Kinder bauen Roboter."}
        proposed = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "propose")).all()
        assert {e.actor_label for e in proposed} == {f"Anbieter-Link: {ROLE_EMAIL}"}

    # a second change through the link replaces the waiting one, it does not queue twice
    client.post_form(f"/anbieter/{token}/angebote/{offer_id}", _offer_form(
        client, token, offer_id, description="Kinder bauen und programmieren Roboter mit Calliope."))
    with app.app_context():
        assert db.session.scalar(select(OfferProposal).where(OfferProposal.offer_id == offer_id)).proposed == {
            "description": "Kinder bauen und programmieren Roboter mit Calliope."}

    coordinator = create_user(Role.COORDINATOR)
    client.login(coordinator.email)
    assert 'data-testid="proposals-link"' in client.get("/angebote/").get_data(as_text=True)
    queue = client.get("/angebote/vorschlaege/")
    html = queue.get_data(as_text=True)
    assert queue.status_code == 200 and html.count('data-testid="proposal"') == 2
    assert "<del>Kinder bauen Roboter.</del>" in html
    assert "<ins>Kinder bauen und programmieren Roboter mit Calliope.</ins>" in html
    assert "Neues Angebot: „Forscherferien“" in html and f"gesendet von {ROLE_EMAIL}" in html
    assert "offer-pending-proposal" in client.get(f"/angebote/{offer_id}").get_data(as_text=True)

    with app.app_context():
        change, new = db.session.scalars(select(OfferProposal).order_by(OfferProposal.id)).all()
        version = db.session.get_one(Offer, offer_id).version_id
        change_id, new_id = change.id, new.id
    assert client.post_form(f"/angebote/vorschlaege/{change_id}/annehmen",
                            {"offer_version": str(version)}).status_code == 302
    assert client.post_form(f"/angebote/vorschlaege/{new_id}/annehmen",
                            {"offer_version": "", "publish": "y"}).status_code == 302
    # deciding twice is refused in German, never a 500
    again = client.post_form(f"/angebote/vorschlaege/{change_id}/annehmen", {"offer_version": str(version)})
    assert again.status_code == 422 and "bereits entschieden" in again.get_data(as_text=True)

    with app.app_context():
        offer = db.session.get_one(Offer, offer_id)
        assert offer.description == "Kinder bauen und programmieren Roboter mit Calliope."
        assert offer.confirmed_on == date.today()
        created = db.session.scalars(select(Offer).where(Offer.title == "Forscherferien")).one()
        assert [a.id for a in created.providers] == [actor_id] and created.status is OfferStatus.PUBLISHED
        assert [g.name for g in created.target_groups] == ["Kinder"]
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.entity_type == "Offer", AuditEntry.entity_id == offer_id, AuditEntry.action == "update")
            .order_by(AuditEntry.id)).all()
        assert entries and entries[-1].actor_label == coordinator.email
        assert "description" in entries[-1].changes
        accepted = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "accept",
                                                               AuditEntry.entity_type == "OfferProposal")).all()
        assert len(accepted) == 2
        assert all(ROLE_EMAIL in e.summary and "Anbieter-Link" in e.summary for e in accepted)
        assert accepted[0].changes["submitted_by"] == ROLE_EMAIL
        new_id_offer = created.id
    client.get("/abmelden")
    portal = client.get(f"/portal/angebote/{offer_id}").get_data(as_text=True)
    assert "Roboter mit Calliope" in portal
    assert client.get(f"/portal/angebote/{new_id_offer}").status_code == 200


def test_too_long_fields_re_render_in_german_and_queue_nothing(app, client, create_actor) -> None:
    actor_id, offer_id = _setup(app, create_actor)
    token = _token(app, actor_id)
    for field, length, limit in (("title", 256, 255), ("description", 10001, 10000), ("schedule", 201, 200),
                                 ("contact_phone", 61, 60)):
        response = client.post_form(f"/anbieter/{token}/angebote/{offer_id}",
                                    _offer_form(client, token, offer_id, **{field: "x" * length}))
        assert response.status_code == 422, field
        html = response.get_data(as_text=True)
        assert f"nicht länger als {limit} Zeichen" in html, field
        assert "Bitte prüfen Sie die markierten Felder." in html
    response = client.post_form(f"/anbieter/{token}/neu", {"title": "", "is_ongoing": "y"})
    assert response.status_code == 422 and "Bitte geben Sie einen Titel ein." in response.get_data(as_text=True)
    response = client.post_form(f"/anbieter/{token}/neu", {"title": "Kurs", "starts_on": "2027-03-01",
                                                          "ends_on": "2027-02-01"})
    assert response.status_code == 422
    assert "Das Ende darf nicht vor dem Beginn liegen." in response.get_data(as_text=True)
    response = client.post_form(f"/anbieter/{token}/neu", {"title": "Kurs", "url": "javascript:alert(1)"})
    assert response.status_code == 422 and "https://" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(OfferProposal)).all() == []


def test_a_stale_proposal_is_shown_and_not_silently_applied(app, client, create_actor, create_user) -> None:
    actor_id, offer_id = _setup(app, create_actor)
    token = _token(app, actor_id)
    client.post_form(f"/anbieter/{token}/angebote/{offer_id}",
                     _offer_form(client, token, offer_id, description="Neu vom Anbieter."))
    # meanwhile a coordinator changes the offer
    with app.app_context():
        offer = db.session.get_one(Offer, offer_id)
        offer_service.update_offer(db.session, offer, {"description": "Vom Büro geändert."}, offer.version_id)
        db.session.commit()
        version = offer.version_id
        proposal_id = db.session.scalars(select(OfferProposal.id)).one()
    client.login(create_user(Role.COORDINATOR).email)
    html = client.get("/angebote/vorschlaege/").get_data(as_text=True)
    assert 'data-testid="proposal-stale"' in html and "inzwischen geändert" in html
    assert "Vom Büro geändert." in html  # the column „jetzt“

    refused = client.post_form(f"/angebote/vorschlaege/{proposal_id}/annehmen", {"offer_version": str(version)})
    assert refused.status_code == 409
    assert "nachdem der Anbieter es geöffnet hat" in refused.get_data(as_text=True)
    # an offer version older than the current one (changed while the page was open) is a conflict too
    conflict = client.post_form(f"/angebote/vorschlaege/{proposal_id}/annehmen",
                                {"offer_version": str(version - 1), "overwrite": "y"})
    assert conflict.status_code == 409
    with app.app_context():
        assert db.session.get_one(Offer, offer_id).description == "Vom Büro geändert."
        assert db.session.get_one(OfferProposal, proposal_id).status is ProposalStatus.PENDING

    accepted = client.post_form(f"/angebote/vorschlaege/{proposal_id}/annehmen",
                                {"offer_version": str(version), "overwrite": "y"})
    assert accepted.status_code == 302
    with app.app_context():
        assert db.session.get_one(Offer, offer_id).description == "Neu vom Anbieter."
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "accept")).one()
        assert entry.changes["overwrote_newer_changes"] is True


def test_reject_with_a_reason(app, client, create_actor, create_user) -> None:
    actor_id, offer_id = _setup(app, create_actor)
    token = _token(app, actor_id)
    client.post_form(f"/anbieter/{token}/neu", {"title": "Zweifelhaft", "is_ongoing": "y"})
    client.login(create_user(Role.COORDINATOR).email)
    with app.app_context():
        proposal_id = db.session.scalars(select(OfferProposal.id)).one()
    too_long = client.post_form(f"/angebote/vorschlaege/{proposal_id}/ablehnen", {"reason": "x" * 2001})
    assert too_long.status_code == 422 and "nicht länger als 2000 Zeichen" in too_long.get_data(as_text=True)
    response = client.post_form(f"/angebote/vorschlaege/{proposal_id}/ablehnen", {"reason": "Kein Bildungsangebot."})
    assert response.status_code == 302
    with app.app_context():
        proposal = db.session.get_one(OfferProposal, proposal_id)
        assert proposal.status is ProposalStatus.REJECTED and proposal.reason == "Kein Bildungsangebot."
        assert db.session.scalar(select(Offer).where(Offer.title == "Zweifelhaft")) is None
        assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "reject")).one()
    assert "Keine Vorschläge offen." in client.get("/angebote/vorschlaege/").get_data(as_text=True)


def test_confirming_on_the_link_page_needs_no_review_and_is_audited(app, client, create_actor) -> None:
    actor_id, offer_id = _setup(app, create_actor, confirmed_on=date.today() - timedelta(days=400))
    assert "Angaben ohne Gewähr" in client.get(f"/portal/angebote/{offer_id}").get_data(as_text=True)
    token = _token(app, actor_id)
    assert "bitte prüfen" in client.get(f"/anbieter/{token}").get_data(as_text=True)
    response = client.post_form(f"/anbieter/{token}/bestaetigen", {})
    assert response.status_code == 303
    assert "heute bestätigt" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.get_one(Offer, offer_id).confirmed_on == date.today()
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.entity_type == "Offer", AuditEntry.entity_id == offer_id, AuditEntry.action == "update")).one()
        assert entry.actor_label == f"Anbieter-Link: {ROLE_EMAIL}" and "confirmed_on" in entry.changes
        assert db.session.scalars(select(OfferProposal)).all() == []
    assert "Angaben ohne Gewähr" not in client.get(f"/portal/angebote/{offer_id}").get_data(as_text=True)


def test_unconfirmed_offers_are_marked_in_the_coordinators_list(app, login_as, create_actor) -> None:
    _setup(app, create_actor, confirmed_on=date.today() - timedelta(days=400))
    client = login_as(Role.COORDINATOR)
    assert 'data-testid="offer-unconfirmed"' in client.get("/angebote/").get_data(as_text=True)


def test_coordinator_sends_the_link_from_the_actor_and_the_offer_page(app, login_as, create_actor) -> None:
    actor_id, offer_id = _setup(app, create_actor)
    nobody_id = create_actor("Lernbegleiterin Kim", email="")
    client = login_as(Role.COORDINATOR)
    assert 'data-testid="send-provider-link"' in client.get(f"/akteure/{actor_id}").get_data(as_text=True)
    assert 'data-testid="send-provider-link"' in client.get(f"/angebote/{offer_id}").get_data(as_text=True)
    response = client.post_form(f"/angebote/anbieter/{actor_id}/link-senden", {"angebot": str(offer_id)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/angebote/{offer_id}")
    assert f"geht an {ROLE_EMAIL}" in client.get(response.headers["Location"]).get_data(as_text=True)
    response = client.post_form(f"/angebote/anbieter/{nobody_id}/link-senden", {})
    assert response.headers["Location"].endswith(f"/akteure/{nobody_id}")
    assert "niemand hinterlegt" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.post(f"/angebote/anbieter/{actor_id}/link-senden", data={}).status_code == 400  # no CSRF: nothing
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        assert message.recipient == ROLE_EMAIL and message.category == provider_links.CATEGORY_LINK
        link = re.search(r"http://localhost(/anbieter/\S+)", message.body_text).group(1)
    client.get("/abmelden")
    assert "Roboter-AG" in client.get(link).get_data(as_text=True)


def test_the_yearly_request_goes_once_through_the_outbox_to_the_development_mailbox(app, client, create_actor) -> None:
    app.config["MAIL_BACKEND"] = "mailbox"
    stale_id, stale_offer = _setup(app, create_actor, confirmed_on=date.today() - timedelta(days=400))
    fresh_id = create_actor("Kita St. Anna", kind="Kita", email="info@kita.example")
    unreachable_id = create_actor("VHS ohne Adresse", email="")
    with app.app_context():
        for actor_id, day in ((fresh_id, date.today() - timedelta(days=30)),
                              (unreachable_id, date.today() - timedelta(days=500))):
            offer_service.create_offer(db.session, {"title": f"Angebot {actor_id}", "confirmed_on": day,
                                                    "providers": [db.session.get_one(Actor, actor_id)]})
        ended = offer_service.create_offer(db.session, {"title": "Alt und beendet", "status": OfferStatus.ENDED,
                                                        "confirmed_on": date.today() - timedelta(days=900),
                                                        "providers": [db.session.get_one(Actor, fresh_id)]})
        db.session.commit()
        assert ended.id
        assert [a.id for a in provider_links.due_providers(db.session)] == [stale_id, unreachable_id]

        task = provider_links.ConfirmationTask(db.session, interval=3600, batch=1)
        assert task.step(now=0.0) is True  # a batch of one: more may be due
        while task.step(now=0.0):
            pass
        assert task.step(now=10.0) is False  # resting for the hour
        outbox.Worker(db.session, "test").run_until_idle()
        mails = db.session.scalars(select(MailboxMessage)).all()
        assert [m.recipient for m in mails] == [ROLE_EMAIL]
        assert "Jährliche Bestätigung" in mails[0].subject
        body = message_from_string(mails[0].raw, policy=policy.default).get_body(preferencelist=("plain",))
        text = body.get_content()
        assert "Alle Angaben sind aktuell" in text and "Grundschule Olewig" in text
        link = re.search(r"http://localhost(/anbieter/\S+)", text).group(1)
        assert db.session.scalars(select(ProviderLink)).one().confirmation_requested_at is not None

        # within the year nobody is asked again, not even after the hour
        steps = 0
        while task.step(now=4000.0):
            steps += 1
        assert steps <= 2
        assert provider_links.due_providers(db.session) == [db.session.get_one(Actor, unreachable_id)]
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 1
        # a year later they are asked again
        later = date.today() + timedelta(days=400)
        assert stale_id in [a.id for a in provider_links.due_providers(db.session, today=later)]
        assert db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "ProviderLink")).one()

    page = client.get(link)
    assert page.status_code == 200 and "Roboter-AG" in page.get_data(as_text=True)
    client.post_form(link + "/bestaetigen", {})
    with app.app_context():
        assert db.session.get_one(Offer, stale_offer).confirmed_on == date.today()
        assert stale_id not in [a.id for a in provider_links.due_providers(db.session)]


def test_merging_two_providers_folds_their_links_and_keeps_the_proposals(app, client, create_actor) -> None:
    from crm.services.landscape import merge

    keep_id, _offer = _setup(app, create_actor)
    other_id = create_actor("GS Olewig", kind="Grundschule", email=ROLE_EMAIL)
    token = _token(app, keep_id)
    with app.app_context(), app.test_request_context():
        other = db.session.get_one(Actor, other_id)
        link = provider_links.link_for(db.session, other, provider_links.Contact(None, ROLE_EMAIL.upper()))
        proposals.propose_new(db.session, link, {"title": "Leseclub", "is_ongoing": True})
        db.session.commit()
        merge.merge_actors(db.session, db.session.get_one(Actor, keep_id), other)
        db.session.commit()
        links = db.session.scalars(select(ProviderLink)).all()
        assert [(row.actor_id, row.email) for row in links] == [(keep_id, ROLE_EMAIL)]
        proposal = db.session.scalars(select(OfferProposal)).one()
        assert (proposal.actor_id, proposal.link_id) == (keep_id, links[0].id)
    assert "Leseclub" in client.get(f"/anbieter/{token}").get_data(as_text=True)


def test_hostile_text_from_a_provider_is_escaped_in_the_queue_and_on_its_page(app, client, create_actor,
                                                                              create_user) -> None:
    actor_id, _offer = _setup(app, create_actor)
    token = _token(app, actor_id)
    script, img = "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'
    assert client.post_form(f"/anbieter/{token}/neu", {"title": f"Kurs {img}", "description": script,
                                                      "is_ongoing": "y"}).status_code == 303
    home = client.get(f"/anbieter/{token}").get_data(as_text=True)
    assert "<img src=x" not in home and "Kurs &#34;&gt;&lt;img" in home
    client.login(create_user(Role.COORDINATOR).email)
    queue = client.get("/angebote/vorschlaege/").get_data(as_text=True)
    assert script not in queue and "<img src=x" not in queue
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in queue


def test_the_cli_asks_every_due_provider_once(app, create_actor) -> None:
    _setup(app, create_actor, confirmed_on=date.today() - timedelta(days=400))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["crm", "provider-confirmations"])
    assert result.exit_code == 0, result.output
    assert "Anbieter angeschrieben: 1; ohne erreichbaren Kontakt: 0." in result.output
    result = runner.invoke(args=["crm", "provider-confirmations"])
    assert "Anbieter angeschrieben: 0" in result.output
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        assert message.category == provider_links.CATEGORY_CONFIRMATION and message.recipient == ROLE_EMAIL
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "ProviderLink")).one()
        assert entry.actor_label == "cli:jährliche Bestätigung"
