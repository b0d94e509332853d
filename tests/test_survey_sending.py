"""Sending a round's links: the request records the intent and answers at once with a progress page
(202); the background worker writes the links into the outbox in batches; nobody gets a link twice,
not on a second click and not with two workers."""
from __future__ import annotations

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import LegalBasis, OutboxMessage, Role, SurveyRecipient, SurveyRound
from crm.services.surveys import rounds
from crm.services.surveys.sending import Sender
from crm.worker import build_tasks
from tests import factories_coordinator as f


def _round(app, count: int) -> int:
    ids = []
    for n in range(count):
        actor_id = f.actor(app, f"Grundschule {n:02d}")
        f.person(app, f"Leitung{n:02d}", email=f"leitung{n}@schule.example", actor_id=actor_id,
                 legal_basis=LegalBasis.PUBLIC_TASK)
        ids.append(actor_id)
    with app.app_context():
        survey = rounds.create_round(db.session, {"title": "Netzwerkbefragung", "questions": ["partners"]})
        assert rounds.add_recipients(db.session, survey, ids).added == count
        db.session.commit()
        return survey.id


def _outbox(app) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


def test_send_answers_at_once_and_the_worker_queues_the_links_in_batches(app, login_as) -> None:
    app.config["BILDUNGSNETZ_BASE_URL"] = "https://bildungsnetz.example"
    round_id = _round(app, 7)
    client = login_as(Role.COORDINATOR)
    client.follow_computing = False   # see what the coordinator sees before the worker ran

    sent = client.post_form(f"/befragungen/{round_id}/versenden")
    assert sent.status_code == 303 and sent.headers["Location"].endswith(f"/befragungen/{round_id}/versand")
    assert _outbox(app) == 0   # the request wrote no mail
    page = client.get(f"/befragungen/{round_id}/versand")
    assert page.status_code == 202 and page.headers["Retry-After"] == "1"
    text = page.get_data(as_text=True)
    assert "Die persönlichen Links werden in den Postausgang gelegt." in text and 'data-status-url="' in text
    assert "7 von 7 Empfängern noch ohne Link" in text
    assert client.get(f"/befragungen/{round_id}").get_data(as_text=True).count('data-testid="sending-note"') == 1
    assert client.get(f"/befragungen/{round_id}/versand.json").get_json() == {
        "status": "running", "queued": 0, "pending": 7, "total": 7}
    # a second click while the worker has not started changes nothing
    assert client.post_form(f"/befragungen/{round_id}/versenden").status_code == 303

    with app.app_context():
        sender = Sender(db.session, batch=3)
        assert sender.step() and _outbox(app) == 3     # one batch per step, committed
        assert sender.run_until_idle() == 3            # two more batches, then the intent is cleared
        assert sender.queued == 7 and not sender.step()
        assert db.session.get_one(SurveyRound, round_id).send_requested_at is None
    assert _outbox(app) == 7
    assert client.get(f"/befragungen/{round_id}/versand.json").get_json()["status"] == "done"
    done = client.get(f"/befragungen/{round_id}/versand", follow_redirects=True)
    assert done.status_code == 200 and "7 persönliche Links sind im Postausgang." in done.get_data(as_text=True)

    # Clicking again sends nothing twice.
    client.post_form(f"/befragungen/{round_id}/versenden")
    with app.app_context():
        assert Sender(db.session).run_until_idle() == 1 and _outbox(app) == 7
    again = client.get(f"/befragungen/{round_id}/versand", follow_redirects=True)
    assert "0 persönliche Links sind im Postausgang." in again.get_data(as_text=True)


def test_two_workers_never_queue_a_link_twice_and_the_outbox_task_runs_the_sender(app, login_as) -> None:
    app.config["BILDUNGSNETZ_BASE_URL"] = "https://bildungsnetz.example"
    round_id = _round(app, 5)
    client = login_as(Role.COORDINATOR)
    client.follow_computing = False
    client.post_form(f"/befragungen/{round_id}/versenden")
    with app.app_context():
        first, second = Sender(db.session, batch=2), Sender(db.session, batch=2)
        first.step()
        second.step()   # starts from its own cursor: the first two are invited already and skipped
        while first.step() or second.step():
            pass
        assert first.queued + second.queued == 5
        invited = db.session.scalar(select(func.count()).select_from(SurveyRecipient).where(
            SurveyRecipient.round_id == round_id, SurveyRecipient.invited_at.is_not(None)))
        assert invited == 5
    assert _outbox(app) == 5
    recipients = {m for m in _recipients(app)}
    assert len(recipients) == 5   # one mail per contact

    # `flask crm worker` (task outbox) writes the links and delivers them in the same loop.
    other = _round(app, 2)
    client.post_form(f"/befragungen/{other}/versenden")
    with app.app_context():
        tasks = {task.name: task for task in build_tasks(app, db.session, "test-worker", ["outbox"])}
        assert tasks["outbox"].step()
        assert db.session.get_one(SurveyRound, other).send_queued == 2


def _recipients(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage.recipient)))


def test_sending_is_refused_in_german_and_needs_the_right_role(app, login_as, create_user) -> None:
    app.config["BILDUNGSNETZ_BASE_URL"] = "https://bildungsnetz.example"
    with app.app_context():
        empty = rounds.create_round(db.session, {"title": "Leer", "questions": ["partners"]})
        db.session.commit()
        empty_id = empty.id
    client = login_as(Role.COORDINATOR)
    refused = client.post_form(f"/befragungen/{empty_id}/versenden", follow_redirects=True)
    assert "Bitte wählen Sie zuerst Empfänger." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get_one(SurveyRound, empty_id).send_requested_at is None
    viewer = app.test_client()
    viewer.login(create_user(Role.VIEWER).email)
    assert viewer.get(f"/befragungen/{empty_id}/versand").status_code == 403
    assert viewer.get(f"/befragungen/{empty_id}/versand.json").status_code == 403
    assert client.get("/befragungen/999999/versand").status_code == 404
