"""The public dot-voting page behind a workshop participant's personal link (no login, built for a phone).

The signed token is the permission (``crm.services.events.workshop_vote_tokens``). The page shows
the proposals of all groups of the workshop and a choice of 0 to ``DOTS_PER_PARTICIPANT`` dots for
each; it works without JavaScript. Until the organiser closes the voting the dots can be changed
through the same link. Every outcome is a page in plain German: an invalid link (404), closed
voting (410), too many dots (422, the ballot comes back as typed).
"""
from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, url_for

from crm.extensions import db
from crm.models import WorkshopParticipant
from crm.permissions import public
from crm.services.errors import ServiceError, translated
from crm.services.events import workshop_vote_tokens as tokens
from crm.services.events import workshop_votes, workshops
from crm.transaction import committing

bp = Blueprint("workshop_vote", __name__, url_prefix="/werkstatt-punkte")


def _page(template: str, code: int = 200, **context):
    response = make_response(render_template(template, **context), code)
    response.headers["Cache-Control"] = "no-store"  # a personal page: never from a shared cache
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _closed(participant: WorkshopParticipant):
    return _page("events/workshop_vote_closed.html", 410, participant=participant, event=participant.event,
                 given=workshop_votes.ballot(db.session, participant),
                 proposals=workshop_votes.event_proposals(db.session, participant.event))


@bp.route("/<token>", methods=["GET", "POST"])
@public
def vote(token: str):
    try:
        participant = tokens.read_token(db.session, token)
    except tokens.ClosedToken as closed:
        return _closed(closed.participant)
    except tokens.InvalidToken:
        return _page("events/workshop_vote_invalid.html", 404)
    event = participant.event
    errors: dict[str, str] = {}
    message, code = "", 200
    if request.method == "POST":
        typed = {key: (value or "")[:12] for key, value in request.form.items() if key.startswith("punkte-")}
        participant_id = participant.id
        try:
            with committing():  # rolls back on every refusal; a lost race reads as its German rule
                workshop_votes.cast_dots(db.session, participant, typed)
        except workshop_votes.DotsRefused as refused:
            errors = {key: translated(text) for key, text in refused.errors.items()}
            message, code = refused.message, 422
        except ServiceError as refused:
            if refused.template == workshop_votes.CLOSED:  # closed between opening the page and sending it
                return _closed(db.session.get_one(WorkshopParticipant, participant_id))
            message, code = refused.message, 409  # the same ballot saved twice at once
        else:
            return redirect(url_for("workshop_vote.vote", token=token, status="gespeichert"), 303)
        participant = db.session.get_one(WorkshopParticipant, participant_id)
        event = participant.event
        shown = dict(typed)
    else:
        shown = {workshop_votes.dot_field(pid): str(dots)
                 for pid, dots in workshop_votes.ballot(db.session, participant).items()}
    groups = workshops.groups(db.session, event)
    titles = {workshop_votes.dot_field(p.id): p.title for group in groups for p in group.proposals}
    given = sum(int(v) for v in shown.values() if v.isdigit())
    return _page("events/workshop_vote.html", code, participant=participant, event=event,
                 groups=groups, titles=titles, shown=shown, errors=errors, message=message, token=token, given=given,
                 dots=workshop_votes.DOTS_PER_PARTICIPANT, dot_field=workshop_votes.dot_field,
                 status=request.args.get("status") if request.method == "GET" else None)
