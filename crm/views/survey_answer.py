"""The public survey page behind the personal link (no login, built for a phone).

The signed token is the permission (``crm.services.surveys.tokens``). The page shows the round's
questions for the recipient's actor, can be saved and resumed ("Zwischenspeichern") and sent off
("Antwort absenden"); until the round is closed the answer can be changed through the same link.
Every outcome is a page in plain German: an invalid link (404), a closed round (410).
"""
from __future__ import annotations

from flask import Blueprint, jsonify, make_response, redirect, render_template, request, url_for

from crm.extensions import db
from crm.models import SurveyRecipient
from crm.permissions import public
from crm.service_labels import labels
from crm.services.surveys import answers, tokens

bp = Blueprint("survey_answer", __name__, url_prefix="/befragung")
EXTRA_ROWS = 2
MORE_ROWS = 3


def _page(template: str, code: int = 200, **context):
    response = make_response(render_template(template, **context), code)
    response.headers["Cache-Control"] = "no-store"  # a personal page: never from a shared cache
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _rows_from_form(count: int) -> list[answers.PartnerInput]:
    form = request.form
    return [answers.PartnerInput(
        name=(form.get(f"partner-{i}") or "")[:1000], actor_id=(form.get(f"partner-{i}_id") or "")[:12],
        outside=form.get(f"outside-{i}") == "1", intensity=(form.get(f"intensity-{i}") or "")[:2],
        topic_ids=form.getlist(f"topics-{i}")[:100], stage_ids=form.getlist(f"stages-{i}")[:100])
        for i in range(count)]


def _row_count() -> int:
    try:
        count = int(request.form.get("rows") or 0)
    except ValueError:
        count = 0
    return max(0, min(count, answers.MAX_ROWS))


def _load(token: str) -> SurveyRecipient | tuple[str, int, dict]:
    try:
        return tokens.read_token(db.session, token)
    except tokens.ClosedToken as closed:
        return "surveys/answer_closed.html", 410, {"recipient": closed.recipient}
    except tokens.InvalidToken:
        return "surveys/answer_invalid.html", 404, {}


@bp.route("/<token>", methods=["GET", "POST"])
@public
def answer(token: str):
    loaded = _load(token)
    if isinstance(loaded, tuple):
        template, status, context = loaded
        return _page(template, status, **context)
    recipient = loaded
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.form.get("action", "save")
        data = answers.AnswerInput(partners=_rows_from_form(_row_count()),
                                   group_ids=request.form.getlist("groups")[:200],
                                   free_text=(request.form.get("free_text") or "")[:20000])
        try:
            answers.save_answer(db.session, recipient, data, submit=action == "submit")
        except answers.AnswerErrors as refused:
            db.session.rollback()
            recipient = db.session.get_one(SurveyRecipient, recipient.id)
            errors = refused.errors
        else:
            db.session.commit()
            extra = MORE_ROWS if action == "more" else 0
            done = "gesendet" if action == "submit" else "gespeichert"
            return redirect(url_for("survey_answer.answer", token=token, status=done, mehr=extra or None,
                                    _anchor="partner-end" if extra else None), 303)
        shown = data
        rows = max(len(data.partners), 1)
    else:
        shown = answers.current_input(recipient)
        try:
            more = max(0, min(int(request.args.get("mehr") or 0), MORE_ROWS))
        except ValueError:
            more = 0
        rows = min(max(len(shown.partners) + EXTRA_ROWS, 3) + more, answers.MAX_ROWS)
    while len(shown.partners) < rows:
        shown.partners.append(answers.PartnerInput())
    outcome = request.args.get("status") if request.method == "GET" else None
    return _page("surveys/answer.html", 422 if errors else 200, recipient=recipient, survey=recipient.round,
                 data=shown, errors=errors, token=token, status=outcome, choices=answers.choices(db.session),
                 frequencies=labels(answers.FREQUENCY_LABELS))


@bp.route("/<token>/vorschlaege")
@public
def suggest(token: str):
    loaded = _load(token)
    if isinstance(loaded, tuple):
        return jsonify([]), loaded[1]
    response = jsonify(answers.suggestions(db.session, request.args.get("q", "")[:200],
                                           exclude_id=loaded.actor_id))
    response.headers["Cache-Control"] = "no-store"
    return response
