"""The personal answer link: works without login, records at once, can be changed until the
deadline, rejects tampered tokens and late changes with clear German pages; capacity and the
waiting list, with the "you moved up" mail arriving at a real SMTP server."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import Answer, EventStatus, Invitation, OutboxMessage
from crm.models.base import utcnow
from crm.services.events import rsvp_tokens
from tests import factories_events as f
from tests.conftest import CSRF_RE
from tests.smtp import smtp_server


def _setup(app, capacity=None, guests=1, **event_values):
    with app.app_context():
        school = f.actor("Realschule plus Trier-Nord", kind="Realschule plus")
        persons = [f.person(f"Gast{i}", "Kim", email=f"gast{i}@schule.example", at=school, salutation="")
                   for i in range(guests)]
        ev = f.event("Strategiewerkstatt Übergang Schule–Beruf", capacity=capacity, **event_values)
        invitations = f.invite(ev, *persons)
        for invitation in invitations:
            invitation.invited_at = utcnow()
        ev.status = EventStatus.PUBLISHED
        db.session.flush()
        tokens = [rsvp_tokens.make_token(i) for i in invitations]
        db.session.commit()
        return ev.id, [i.id for i in invitations], tokens


def _answer(client, token: str, answer: str, comment: str = ""):
    page = client.get(f"/antwort/{token}")
    match = CSRF_RE.search(page.get_data(as_text=True))
    data = {"answer": answer, "comment": comment}
    if match:
        data["csrf_token"] = match.group(1)
    return client.post(f"/antwort/{token}", data=data)


def _invitation(app, invitation_id: int) -> Invitation:
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        db.session.expunge(invitation)
        return invitation


def test_guest_answers_without_login_and_can_change_it(app, client) -> None:
    _event_id, [invitation_id], [token] = _setup(app)
    page = client.get(f"/antwort/{token}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Strategiewerkstatt Übergang Schule–Beruf" in text and "Ihre Antwort" in text
    assert page.headers["Cache-Control"] == "no-store"
    response = _answer(client, token, "accepted", "Ich bringe eine Kollegin mit.")
    assert response.status_code == 303
    saved = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ihre Zusage ist gespeichert" in saved
    invitation = _invitation(app, invitation_id)
    assert invitation.answer == Answer.ACCEPTED and invitation.comment == "Ich bringe eine Kollegin mit."
    assert invitation.answered_at is not None
    assert _answer(client, token, "declined").status_code == 303
    assert _invitation(app, invitation_id).answer == Answer.DECLINED
    assert _answer(client, token, "tentative").status_code == 303
    assert _invitation(app, invitation_id).answer == Answer.TENTATIVE


def test_answer_needs_a_choice_and_the_csrf_token(app, client) -> None:
    _event_id, [invitation_id], [token] = _setup(app)
    response = _answer(client, token, "")
    assert response.status_code == 422 and "Bitte wählen Sie eine Antwort." in response.get_data(as_text=True)
    response = _answer(client, token, "waitlisted")  # not a guest's choice
    assert response.status_code == 422
    response = client.post(f"/antwort/{token}", data={"answer": "accepted"})
    assert response.status_code == 400 and "Formular ist abgelaufen" in response.get_data(as_text=True)
    assert _invitation(app, invitation_id).answer == Answer.PENDING


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-5] + ("AA" if t[-5:-3] != "AA" else "BB") + t[-3:],  # signature changed (not its padding bits)
    lambda t: "x" + t[1:],                                        # payload changed
    lambda t: t[: len(t) // 2],                                   # truncated by a mail program
    lambda t: "kein-token",
])
def test_a_tampered_token_gets_a_clear_page(app, client, mangle) -> None:
    _event_id, [invitation_id], [token] = _setup(app)
    csrf = client.csrf_token()
    for method in ("get", "post"):
        data = {"answer": "accepted", "csrf_token": csrf} if method == "post" else None
        response = getattr(client, method)(f"/antwort/{mangle(token)}", data=data)
        assert response.status_code == 404
        text = response.get_data(as_text=True)
        assert "Dieser Antwort-Link ist ungültig" in text
    assert _invitation(app, invitation_id).answer == Answer.PENDING


def test_a_token_of_another_installation_or_a_renewed_nonce_is_invalid(app, client) -> None:
    _event_id, [invitation_id], [token] = _setup(app)
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer("ein-anderer-schluessel", salt=rsvp_tokens.SALT).dumps([invitation_id, "x"])
    assert client.get(f"/antwort/{forged}").status_code == 404
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        guessed = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=rsvp_tokens.SALT).dumps(
            [invitation_id, "geraten"])
        rsvp_tokens.renew(invitation)
        db.session.commit()
    assert client.get(f"/antwort/{guessed}").status_code == 404
    assert client.get(f"/antwort/{token}").status_code == 404  # revoked by the new nonce


def test_after_the_deadline_the_answer_is_shown_and_changes_are_refused(app, client) -> None:
    _event_id, [invitation_id], [token] = _setup(app)
    assert _answer(client, token, "accepted").status_code == 303
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        invitation.event.answer_deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()
    page = client.get(f"/antwort/{token}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Die Antwortfrist ist abgelaufen" in text and "Otto Organisation" in text
    assert "otto@bildungsbuero.example" in text and "Zusage" in text
    assert 'name="answer"' not in text
    csrf = client.csrf_token()
    response = client.post(f"/antwort/{token}", data={"answer": "declined", "csrf_token": csrf})
    assert response.status_code == 403
    assert "Die Antwortfrist ist abgelaufen" in response.get_data(as_text=True)
    assert _invitation(app, invitation_id).answer == Answer.ACCEPTED


def test_after_the_event_the_link_has_expired(app, client) -> None:
    _event_id, [_invitation_id], [token] = _setup(app, days_ahead=-2, deadline_days_before=3)
    response = client.get(f"/antwort/{token}")
    assert response.status_code == 410
    assert "Dieser Antwort-Link ist abgelaufen" in response.get_data(as_text=True)


def test_a_cancelled_event_says_so(app, client) -> None:
    event_id, [_invitation_id], [token] = _setup(app)
    with app.app_context():
        from crm.models import Event

        db.session.get(Event, event_id).status = EventStatus.CANCELLED
        db.session.commit()
    response = client.get(f"/antwort/{token}")
    assert response.status_code == 200 and "Diese Veranstaltung wurde abgesagt" in response.get_data(as_text=True)


def test_waiting_list_in_order_and_moving_up_with_a_mail(app, client) -> None:
    event_id, ids, tokens = _setup(app, capacity=1, guests=4)
    for token in tokens[:3]:
        assert _answer(client, token, "accepted").status_code == 303
    states = [(_invitation(app, i).answer, _invitation(app, i).waitlist_position) for i in ids]
    assert states[:3] == [(Answer.ACCEPTED, None), (Answer.WAITLISTED, 1), (Answer.WAITLISTED, 2)]
    page = client.get(f"/antwort/{tokens[2]}?gespeichert=1").get_data(as_text=True)
    assert "Platz 2 der Warteliste" in page
    # The first guest cannot come: the first on the waiting list moves up and is told.
    assert _answer(client, tokens[0], "declined").status_code == 303
    states = [(_invitation(app, i).answer, _invitation(app, i).waitlist_position) for i in ids]
    assert states[:3] == [(Answer.DECLINED, None), (Answer.ACCEPTED, None), (Answer.WAITLISTED, 1)]
    with app.app_context():
        promoted = db.session.scalars(select(OutboxMessage).where(OutboxMessage.category == "promoted")).all()
        assert [m.recipient for m in promoted] == ["gast1@schule.example"]
        with smtp_server() as server:
            app.extensions["mail"].port = server.port
            f.worker().run_until_idle()
            [mail] = server.wait_for(1)
    assert mail.rcpt_tos == ["gast1@schule.example"]
    assert mail.subject.startswith("Ein Platz für Sie: Strategiewerkstatt")
    assert "Sie sind von der Warteliste nachgerückt" in mail.text
    assert "Guten Tag Kim Gast1" in mail.text
    # A waiting guest who declines leaves the list; the others close up.
    assert _answer(client, tokens[3], "accepted").status_code == 303
    assert _invitation(app, ids[3]).waitlist_position == 2
    assert _answer(client, tokens[2], "declined").status_code == 303
    assert (_invitation(app, ids[3]).answer, _invitation(app, ids[3]).waitlist_position) == (Answer.WAITLISTED, 1)


def test_accepting_twice_keeps_the_place(app, client) -> None:
    _event_id, ids, tokens = _setup(app, capacity=1, guests=2)
    assert _answer(client, tokens[0], "accepted").status_code == 303
    assert _answer(client, tokens[0], "accepted", "noch ein Kommentar").status_code == 303
    assert _answer(client, tokens[1], "accepted").status_code == 303
    assert _invitation(app, ids[0]).answer == Answer.ACCEPTED
    assert _invitation(app, ids[1]).answer == Answer.WAITLISTED


def test_two_guests_answering_at_the_same_moment_never_share_the_last_place(app, monkeypatch) -> None:
    """Answers of one event are serialised (PostgreSQL: FOR UPDATE on the event; SQLite: BEGIN
    IMMEDIATE): with one place left, exactly one of two simultaneous acceptances gets it. The
    count of accepted guests is slowed down so that, without the lock, both would read 0."""
    import threading
    import time

    from crm.services.events import invitations

    counted = invitations.accepted_count

    def slow_count(session, event):
        number = counted(session, event)
        time.sleep(0.3)
        return number

    monkeypatch.setattr(invitations, "accepted_count", slow_count)

    _event_id, ids, _tokens = _setup(app, capacity=1, guests=2)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def answer(invitation_id: int) -> None:
        try:
            with app.app_context():
                invitation = db.session.get(Invitation, invitation_id)
                start.wait(timeout=10)
                invitations.record_answer(db.session, invitation, Answer.ACCEPTED)
                db.session.commit()
                db.session.remove()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=answer, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    answers = sorted((_invitation(app, i).answer.value, _invitation(app, i).waitlist_position) for i in ids)
    assert answers == [("accepted", None), ("waitlisted", 1)]


def test_organiser_enters_a_phone_answer_after_the_deadline_and_the_waiting_list_moves(app, client,
                                                                                       create_user) -> None:
    """Guests who call or write instead of using the link: the organiser enters the answer on the
    event page (also after the deadline), the waiting list moves, the guest who moves up is told."""
    from crm.models import AuditEntry, Event, Role

    event_id, ids, tokens = _setup(app, capacity=1, guests=3)
    assert _answer(client, tokens[0], "accepted").status_code == 303
    assert _answer(client, tokens[1], "accepted").status_code == 303
    assert _invitation(app, ids[1]).answer == Answer.WAITLISTED
    with app.app_context():
        db.session.get(Event, event_id).answer_deadline = utcnow() - timedelta(hours=1)
        db.session.commit()
    assert _answer(client, tokens[0], "declined").status_code == 403  # the link no longer changes anything
    organiser = create_user(Role.ORGANISER)
    client.login(organiser.email)
    page = client.get(f"/veranstaltungen/{event_id}").get_data(as_text=True)
    assert page.count('data-testid="answer-form"') == 3
    url = f"/veranstaltungen/{event_id}/einladungen/{{}}/antwort"
    # Kim Gast0 calls to say she cannot come.
    response = client.post_form(url.format(ids[0]), {"answer": "declined"}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Antwort für Kim Gast0 eingetragen: Absage." in text
    assert "Kim Gast1 ist von der Warteliste nachgerückt" in text
    assert _invitation(app, ids[0]).answer == Answer.DECLINED
    assert (_invitation(app, ids[1]).answer, _invitation(app, ids[1]).waitlist_position) == (Answer.ACCEPTED, None)
    # Kim Gast2 writes that she would like to come: the place is taken, so the waiting list.
    response = client.post_form(url.format(ids[2]), {"answer": "accepted"}, follow_redirects=True)
    assert "Kim Gast2 steht auf der Warteliste (Platz 1)" in response.get_data(as_text=True)
    # Nonsense is refused in German, and nothing changes.
    response = client.post_form(url.format(ids[2]), {"answer": "waitlisted"})
    assert response.status_code == 422
    assert "Bitte wählen Sie Zusage, Absage, vielleicht oder keine Antwort." in response.get_data(as_text=True)
    assert _invitation(app, ids[2]).waitlist_position == 1
    assert client.post_form(f"/veranstaltungen/{event_id + 1}/einladungen/{ids[2]}/antwort",
                            {"answer": "declined"}).status_code == 404
    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.summary.like("Antwort für%"))
                                          .order_by(AuditEntry.id)))
        assert [e.summary for e in entries] == [
            f"Antwort für Kim Gast0 eingetragen: Absage (eingetragen von {organiser.email})",
            f"Antwort für Kim Gast2 eingetragen: Warteliste (eingetragen von {organiser.email})"]
        assert entries[0].changes["recorded_by"] == organiser.email
        assert entries[0].changes["promoted"] == ["Kim Gast1"]
        assert entries[0].user_id == organiser.id
        with smtp_server() as server:
            app.extensions["mail"].port = server.port
            f.worker().run_until_idle()
            [mail] = server.wait_for(1)
    assert mail.rcpt_tos == ["gast1@schule.example"]
    assert mail.subject.startswith("Ein Platz für Sie: Strategiewerkstatt")
    # A cancelled event takes no more answers.
    with app.app_context():
        db.session.get(Event, event_id).status = EventStatus.CANCELLED
        db.session.commit()
    response = client.post_form(url.format(ids[2]), {"answer": "declined"})
    assert response.status_code == 422 and "Antworten werden nicht mehr eingetragen" in response.get_data(as_text=True)


def test_viewers_cannot_enter_answers(app, client, create_user) -> None:
    from crm.models import Role

    event_id, [invitation_id], _tokens = _setup(app)
    client.login(create_user(Role.VIEWER).email)
    assert client.post_form(f"/veranstaltungen/{event_id}/einladungen/{invitation_id}/antwort",
                            {"answer": "accepted"}).status_code == 403
    assert _invitation(app, invitation_id).answer == Answer.PENDING
