"""The public answer page behind the personal link in every invitation (no login).

The signed token is the permission (``crm.services.events.rsvp_tokens``). The page shows only what the
guest already knows from the mail (the event and their own answer), renders its own form with a
CSRF token, and records an answer at once. Every outcome is a page in plain German: an invalid
link (404), an event that is over (410), a cancelled event, and an answer deadline that has
passed (the answer stays visible; changes are refused with 403 and the contact is named).
"""
from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, url_for

from crm.extensions import db
from crm.forms.events import AnswerForm
from crm.models import Answer, EventStatus, Invitation
from crm.permissions import public
from crm.service_labels import labels
from crm.services.errors import ServiceError
from crm.services.events import events, invitations, rsvp_tokens

bp = Blueprint("rsvp", __name__, url_prefix="/antwort")


def _page(template: str, status: int = 200, **context):
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"  # a personal page: never from a shared cache
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _context(invitation: Invitation) -> dict:
    event = invitation.event
    return {
        "invitation": invitation, "event": event, "when": events.format_when(event), "where": events.where(event),
        "deadline": events.format_moment(events.answer_deadline(event)), "contact": events.contact(event),
        "answer_labels": labels(invitations.ANSWER_LABELS),
    }


@bp.route("/<token>", methods=["GET", "POST"])
@public
def answer(token: str):
    try:
        invitation = rsvp_tokens.read_token(db.session, token)
    except rsvp_tokens.ExpiredToken as expired:
        return _page("rsvp/expired.html", 410, **_context(expired.invitation))
    except rsvp_tokens.InvalidToken:
        return _page("rsvp/invalid.html", 404)
    event = invitation.event
    context = _context(invitation)
    if event.status == EventStatus.CANCELLED:
        return _page("rsvp/cancelled.html", 200, **context)
    if not invitations.can_answer(event):
        return _page("rsvp/closed.html", 403 if request.method == "POST" else 200, **context)
    form = AnswerForm()
    if request.method == "GET":
        if invitation.answer in (Answer.ACCEPTED, Answer.WAITLISTED, Answer.TENTATIVE, Answer.DECLINED):
            form.answer.data = "accepted" if invitation.answer == Answer.WAITLISTED else invitation.answer.value
        form.comment.data = invitation.comment
    if form.validate_on_submit():
        try:
            invitations.record_answer(db.session, invitation, Answer(form.answer.data), form.comment.data or "")
        except invitations.DeadlinePassed:
            db.session.rollback()
            return _page("rsvp/closed.html", 403, **_context(db.session.get_one(Invitation, invitation.id)))
        except ServiceError as error:
            db.session.rollback()
            form.answer.errors.append(error.message)
        else:
            db.session.commit()
            return redirect(url_for("rsvp.answer", token=token, gespeichert=1), 303)
    saved = request.args.get("gespeichert") == "1" and request.method == "GET"
    return _page("rsvp/answer.html", 422 if form.errors else 200, form=form, saved=saved, token=token, **context)
