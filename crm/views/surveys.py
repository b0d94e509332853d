"""Survey rounds, the coordinator's side: compose, choose recipients, send, remind, close, review."""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from crm.extensions import db
from crm.forms.surveys import RoundForm
from crm.models import ActorKind, Area, CooperationType, SurveyRecipient, SurveyRound, SurveyStatus
from crm.permissions import Permission, can, requires
from crm.service_labels import labels
from crm.services.landscape.cooperations import INTENSITY_LABELS
from crm.services.landscape.directory import parse_id
from crm.services.surveys import review as review_service
from crm.services.surveys import rounds as round_service
from crm.services.surveys import sending
from crm.services.system import heartbeat
from crm.transaction import saving

bp = Blueprint("surveys", __name__, url_prefix="/befragungen")


def _load(survey_round_id: int) -> SurveyRound:
    survey = db.session.get(SurveyRound, survey_round_id)
    if survey is None:
        abort(404)
    return survey


@bp.route("/")
@requires(Permission.VIEW_LANDSCAPE)
def index():
    surveys = round_service.rounds(db.session)
    rates = {s.id: round_service.response_rates(db.session, s).total for s in surveys}
    return render_template("surveys/index.html", surveys=surveys, rates=rates,
                           status_labels=labels(round_service.STATUS_LABELS))


@bp.route("/neu", methods=["GET", "POST"])
@requires(Permission.EDIT_LANDSCAPE)
def create():
    form = RoundForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            survey = round_service.create_round(db.session, form.values())
        if saved:
            flash(_("Befragung „%(title)s“ angelegt. Wählen Sie jetzt die Empfänger.", title=survey.title), "success")
            return redirect(url_for("surveys.recipients", survey_round_id=survey.id))
    return render_template("surveys/form.html", form=form), 422 if form.errors else 200


@bp.route("/<int:survey_round_id>")
@requires(Permission.VIEW_LANDSCAPE)
def show(survey_round_id: int):
    survey = _load(survey_round_id)
    people = round_service.recipients(db.session, survey)
    unsent = sum(1 for r in people if r.invited_at is None)
    return render_template(
        "surveys/show.html", survey=survey, recipients=people, unsent=unsent,
        rates=round_service.response_rates(db.session, survey),
        reminders=len(round_service.reminder_recipients(db.session, survey))
        if survey.status == SurveyStatus.OPEN else 0,
        questions=[labels(round_service.QUESTION_LABELS)[q] for q in round_service.QUESTION_LABELS
                   if survey.asks(q)],
        status_labels=labels(round_service.STATUS_LABELS), personal=can(Permission.VIEW_PERSONAL_DATA),
        editable=can(Permission.EDIT_LANDSCAPE))


@bp.route("/<int:survey_round_id>/empfaenger", methods=["GET", "POST"])
@requires(Permission.EDIT_LANDSCAPE)
def recipients(survey_round_id: int):
    survey = _load(survey_round_id)
    if request.method == "POST":
        ids = [parse_id(v) for v in request.form.getlist("actor_ids")]
        with saving() as saved:
            result = round_service.add_recipients(db.session, survey, [i for i in ids if i])
        if saved:
            flash(ngettext("%(num)d Akteur hinzugefügt.", "%(num)d Akteure hinzugefügt.", result.added), "success")
            if result.without_contact:
                flash(_("Ohne erreichbare Ansprechperson (keine E-Mail-Adresse, Widerspruch oder fehlende "
                        "Einwilligung) nicht hinzugefügt: %(names)s", names=", ".join(result.without_contact)),
                      "warning")
            return redirect(url_for("surveys.show", survey_round_id=survey.id))
    kind_id = parse_id(request.args.get("art"))
    area_id = parse_id(request.args.get("gebiet"))
    q = (request.args.get("q") or "").strip()[:200]
    present = set(db.session.scalars(select(SurveyRecipient.actor_id).where(SurveyRecipient.round_id == survey.id)))
    actors = [a for a in round_service.candidates(db.session, kind_id, area_id, q) if a.id not in present]
    return render_template(
        "surveys/recipients.html", survey=survey, actors=actors, kind_id=kind_id, area_id=area_id, q=q,
        kinds=list(db.session.scalars(select(ActorKind).order_by(ActorKind.sort_order, ActorKind.id))),
        areas=list(db.session.scalars(select(Area).order_by(Area.sort_order, Area.id))))


@bp.route("/<int:survey_round_id>/empfaenger/<int:survey_recipient_id>/entfernen", methods=["POST"])
@requires(Permission.EDIT_LANDSCAPE)
def remove_recipient(survey_round_id: int, survey_recipient_id: int):
    survey = _load(survey_round_id)
    recipient = db.session.get(SurveyRecipient, survey_recipient_id)
    if recipient is None:
        abort(404)
    name = recipient.actor.name
    with saving() as saved:
        round_service.remove_recipient(db.session, survey, recipient)
    if saved:
        flash(_("„%(name)s“ aus der Befragung entfernt.", name=name), "success")
    return redirect(url_for("surveys.show", survey_round_id=survey_round_id))


@bp.route("/<int:survey_round_id>/versenden", methods=["POST"])
@requires(Permission.EDIT_LANDSCAPE)
def send(survey_round_id: int):
    """Records the intent only; the background worker queues the links (``sending``) and the progress
    page follows it."""
    survey = _load(survey_round_id)
    with saving() as saved:
        sending.request_send(db.session, survey)
    if saved:
        return redirect(url_for("surveys.sending_progress", survey_round_id=survey_round_id), 303)
    return redirect(url_for("surveys.show", survey_round_id=survey_round_id))


@bp.route("/<int:survey_round_id>/versand")
@requires(Permission.EDIT_LANDSCAPE)
def sending_progress(survey_round_id: int):
    """202 with a progress page while the worker queues the links; then back to the round with the count."""
    survey = _load(survey_round_id)
    state = sending.progress(db.session, survey)
    if not state.sending:
        flash(ngettext("%(num)d persönlicher Link ist im Postausgang.",
                       "%(num)d persönliche Links sind im Postausgang.", survey.send_queued), "success")
        return redirect(url_for("surveys.show", survey_round_id=survey_round_id), 303)
    page = render_template("surveys/sending.html", survey=survey, state=state,
                           worker_running=heartbeat.is_running(db.session, "outbox"),
                           status_url=url_for("surveys.sending_json", survey_round_id=survey_round_id))
    response = make_response(page, 202)
    response.headers["Retry-After"] = "1"
    return response


@bp.route("/<int:survey_round_id>/versand.json")
@requires(Permission.EDIT_LANDSCAPE)
def sending_json(survey_round_id: int):
    """The progress of the sending for the progress page's script: running or done, and the counts."""
    survey = _load(survey_round_id)
    return jsonify(sending.progress(db.session, survey).to_dict())


@bp.route("/<int:survey_round_id>/erinnern", methods=["POST"])
@requires(Permission.EDIT_LANDSCAPE)
def remind(survey_round_id: int):
    survey = _load(survey_round_id)
    with saving() as saved:
        count = round_service.send_reminders(db.session, survey)
    if saved:
        flash(ngettext("%(num)d Erinnerung ist im Postausgang.", "%(num)d Erinnerungen sind im Postausgang.", count),
              "success")
    return redirect(url_for("surveys.show", survey_round_id=survey_round_id))


@bp.route("/<int:survey_round_id>/abschliessen", methods=["POST"])
@requires(Permission.EDIT_LANDSCAPE)
def close(survey_round_id: int):
    survey = _load(survey_round_id)
    with saving() as saved:
        round_service.close_round(db.session, survey)
    if saved:
        flash(_("Die Befragung ist abgeschlossen; die Links nehmen keine Antworten mehr an."), "success")
    return redirect(url_for("surveys.show", survey_round_id=survey_round_id))


@bp.route("/<int:survey_round_id>/pruefung")
@requires(Permission.VIEW_LANDSCAPE)
def review(survey_round_id: int):
    survey = _load(survey_round_id)
    queue = review_service.review(db.session, survey)
    default = review_service.default_type(db.session)
    return render_template(
        "surveys/review.html", survey=survey, queue=queue, editable=can(Permission.EDIT_LANDSCAPE),
        types=list(db.session.scalars(select(CooperationType).order_by(CooperationType.sort_order,
                                                                        CooperationType.id))),
        default_type_id=default.id if default else None, intensity_labels=labels(INTENSITY_LABELS),
        decision_labels=labels(review_service.DECISION_LABELS))


@bp.route("/<int:survey_round_id>/vergleich")
@requires(Permission.VIEW_LANDSCAPE)
def compare(survey_round_id: int):
    survey = _load(survey_round_id)
    others = [s for s in round_service.rounds(db.session) if s.id != survey.id]
    other_id = parse_id(request.args.get("mit"))
    other = next((s for s in others if s.id == other_id), None)
    if other is None and others:
        other = next((s for s in others if s.created_at <= survey.created_at), others[0])
    comparison = None
    if other is not None:
        earlier, later = sorted((survey, other), key=lambda s: (s.created_at, s.id))
        comparison = review_service.compare_rounds(db.session, earlier, later)
    return render_template("surveys/compare.html", survey=survey, others=others, other=other,
                           comparison=comparison, intensity_labels=labels(INTENSITY_LABELS))


@bp.route("/<int:survey_round_id>/karte.json")
@requires(Permission.VIEW_LANDSCAPE)
def map_json(survey_round_id: int):
    from crm.services.network.maps import add_urls
    from crm.services.surveys.maps import survey_map

    survey = _load(survey_round_id)
    return jsonify(add_urls(survey_map(db.session, survey),
                            lambda actor_id: url_for("actors.show", actor_id=actor_id)))


@bp.route("/<int:survey_round_id>/pruefung/<key>", methods=["POST"])
@requires(Permission.EDIT_LANDSCAPE)
def decide(survey_round_id: int, key: str):
    survey = _load(survey_round_id)
    choice = request.form.get("decision")
    if choice not in ("accept", "reject"):
        flash(_("Bitte wählen Sie „Übernehmen“ oder „Ablehnen“."), "danger")
        return redirect(url_for("surveys.review", survey_round_id=survey_round_id), 303)
    with saving() as saved:
        decision = review_service.decide(db.session, survey, key[:40], choice == "accept",
                                         type_id=parse_id(request.form.get("type_id")),
                                         user_id=getattr(current_user, "id", None))
    if saved:
        if decision.decision.value == "accepted":
            flash(_("Übernommen: die Kooperation ist im CRM (Quelle: diese Befragung)."), "success")
        else:
            flash(_("Abgelehnt: das CRM bleibt unverändert."), "success")
    return redirect(url_for("surveys.review", survey_round_id=survey_round_id), 303)
