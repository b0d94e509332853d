"""Workshop results (Strategiewerkstatt): groups and their tables, proposals, dot votes, the ranking,
and a proposal turned into an initiative.

Everyone with VIEW_EVENTS sees groups, proposals and the ranking (names of participants only with
VIEW_PERSONAL_DATA); recording needs MANAGE_EVENTS with personal data, and founding an initiative
also EDIT_LANDSCAPE. Every form comes back with its German refusal on the same page (422).
"""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from crm.extensions import db
from crm.forms.workshops import GroupForm, InitiativeFromProposalForm, ProposalForm, SeatForm, VotesForm
from crm.models import Event, InitiativeKind, WorkshopGroup, WorkshopParticipant, WorkshopProposal
from crm.permissions import Permission, can, requires
from crm.service_labels import labels
from crm.services.errors import ServiceError, translated
from crm.services.events import workshop_votes, workshops
from crm.services.landscape.initiatives import KIND_LABELS
from crm.views.events import bp
from crm.views.events.common import MANAGE, load_event
from crm.views.form_errors import attach


def _workshop(event_id: int) -> Event:
    event = load_event(event_id)
    if not workshops.is_workshop(event):
        abort(404)
    return event


def _group(event: Event, group_id: int) -> WorkshopGroup:
    group = db.session.get(WorkshopGroup, group_id)
    if group is None or group.event_id != event.id:
        abort(404)
    return group


def _proposal(event: Event, proposal_id: int) -> WorkshopProposal:
    proposal = db.session.get(WorkshopProposal, proposal_id)
    if proposal is None or proposal.group.event_id != event.id:
        abort(404)
    return proposal


def _render(event: Event, status: int = 200, **overrides: Any):
    """The workshop page; ``overrides`` put back a refused form (with its errors and what was typed)."""
    personal = can(Permission.VIEW_PERSONAL_DATA)
    manage = personal and can(Permission.MANAGE_EVENTS)
    groups = workshops.groups(db.session, event)
    seated = workshops.seated(db.session, event) if manage else {}
    free = [c for c in workshops.candidates(db.session, event) if c.person_id not in seated] if manage else []
    ranking = workshops.ranking(db.session, event)
    seat_forms: dict[int, SeatForm] = {}
    proposal_forms: dict[int, ProposalForm] = {}
    for group in groups:
        seat_form = overrides.get("seat_forms", {}).get(group.id) or SeatForm(formdata=None)
        seat_form.persons.choices = [(c.person_id, f"{c.name} ({c.actor_name})" if c.actor_name else c.name)
                                     for c in free]
        seat_form.persons.id = f"persons-{group.id}"
        seat_forms[group.id] = seat_form
        proposal_form = overrides.get("proposal_forms", {}).get(group.id) or ProposalForm(formdata=None)
        proposal_form.proposers.choices = [(p.id, p.person.full_name) for p in group.participants]
        for field in proposal_form:
            field.id = f"{field.name}-{group.id}"
        proposal_forms[group.id] = proposal_form
    return render_template(
        "events/workshop.html", event=event, groups=groups, personal=personal, manage=manage,
        can_found=manage and can(Permission.EDIT_LANDSCAPE), free=free,
        group_form=overrides.get("group_form") or GroupForm(formdata=None), seat_forms=seat_forms,
        proposal_forms=proposal_forms, votes_form=VotesForm(formdata=None),
        vote_errors=overrides.get("vote_errors", {}), vote_values=overrides.get("vote_values", {}),
        vote_field=workshops.vote_field, ranking=ranking, points={row.proposal.id: row for row in ranking},
        voting=workshop_votes.status(db.session, event) if manage else None,
        open_group=overrides.get("open_group")), status


@bp.route("/<int:event_id>/werkstatt")
@requires(Permission.VIEW_EVENTS)
def workshop(event_id: int):
    return _render(_workshop(event_id))


@bp.route("/<int:event_id>/werkstatt/gruppen", methods=["POST"])
@requires(*MANAGE)
def add_group(event_id: int):
    event = _workshop(event_id)
    form = GroupForm()
    if form.validate_on_submit():
        try:
            group = workshops.add_group(db.session, event, form.name.data or "")
        except ServiceError as error:
            db.session.rollback()
            attach(form, error, fallback="name")
        else:
            db.session.commit()
            flash(_("Gruppe „%(name)s“ angelegt.", name=group.name), "success")
            return redirect(url_for("events.workshop", event_id=event.id) + f"#gruppe-{group.id}")
    return _render(event, 422, group_form=form)


@bp.route("/<int:event_id>/werkstatt/gruppen/<int:group_id>/teilnehmende", methods=["POST"])
@requires(*MANAGE)
def seat(event_id: int, group_id: int):
    event = _workshop(event_id)
    group = _group(event, group_id)
    form = SeatForm()
    if form.validate_on_submit():
        try:
            count = workshops.seat(db.session, event, group, form.persons.data or [])
        except ServiceError as error:
            db.session.rollback()
            attach(form, error, fallback="persons")
        else:
            db.session.commit()
            flash(_("%(count)s Personen an „%(name)s“ gesetzt.", count=count, name=group.name), "success")
            return redirect(url_for("events.workshop", event_id=event.id) + f"#gruppe-{group.id}")
    return _render(event, 422, seat_forms={group.id: form}, open_group=group.id)


@bp.route("/<int:event_id>/werkstatt/gruppen/<int:group_id>/vorschlaege", methods=["POST"])
@requires(*MANAGE)
def add_proposal(event_id: int, group_id: int):
    event = _workshop(event_id)
    group = _group(event, group_id)
    form = ProposalForm()
    if form.validate_on_submit():
        try:
            proposal = workshops.add_proposal(db.session, group, form.title.data or "", form.description.data or "",
                                              form.proposers.data or [])
        except ServiceError as error:
            db.session.rollback()
            attach(form, error, fallback="title")
        else:
            db.session.commit()
            flash(_("Vorschlag „%(title)s“ festgehalten.", title=proposal.title), "success")
            return redirect(url_for("events.workshop", event_id=event.id) + f"#gruppe-{group.id}")
    return _render(event, 422, proposal_forms={group.id: form}, open_group=group.id)


@bp.route("/<int:event_id>/werkstatt/punkte", methods=["POST"])
@requires(*MANAGE)
def record_votes(event_id: int):
    """The dot-vote sheet: one number per proposal, saved all together or not at all."""
    event = _workshop(event_id)
    form = VotesForm()
    if not form.validate_on_submit():
        flash(_("Das Formular ist abgelaufen. Bitte laden Sie die Seite neu und geben Sie die Punkte erneut ein."),
              "danger")
        return _render(event, 422)
    try:
        workshops.record_votes(db.session, event, request.form)
    except workshops.VotesRefused as refused:
        db.session.rollback()
        flash(refused.message, "danger")
        typed = {key: value for key, value in request.form.items() if key.startswith("punkte-")}
        errors = {key: translated(message) for key, message in refused.errors.items()}
        return _render(event, 422, vote_errors=errors, vote_values=typed)
    db.session.commit()
    flash(_("Punkte gespeichert. Die Rangfolge ist aktualisiert."), "success")
    return redirect(url_for("events.workshop_ranking", event_id=event.id))


@bp.route("/<int:event_id>/werkstatt/punktabfrage/links", methods=["POST"])
@requires(*MANAGE)
def send_vote_links(event_id: int):
    """Send every seated participant who has none yet their personal vote link (through the outbox)."""
    event = _workshop(event_id)
    if not VotesForm().validate_on_submit():
        abort(400)
    try:
        queued = workshop_votes.send_links(db.session, event)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _render(event, 422)
    db.session.commit()
    if queued:
        flash(_("%(n)s persönliche Links zur Punktabfrage sind im Postausgang.", n=queued), "success")
    else:
        flash(_("Keine neuen Links verschickt: Alle, die angeschrieben werden dürfen, haben ihren Link schon."),
              "info")
    return redirect(url_for("events.workshop", event_id=event.id) + "#punktabfrage")


@bp.route("/<int:event_id>/werkstatt/punktabfrage/beenden", methods=["POST"])
@requires(*MANAGE)
def close_voting(event_id: int):
    """End (or, with ``wieder=1``, reopen) the voting through the links."""
    event = _workshop(event_id)
    if not VotesForm().validate_on_submit():
        abort(400)
    reopen = request.form.get("wieder") == "1"
    try:
        if reopen:
            workshop_votes.reopen_voting(db.session, event)
        else:
            workshop_votes.close_voting(db.session, event)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _render(event, 422)
    db.session.commit()
    flash(_("Die Punktabfrage läuft wieder; die verschickten Links gelten wieder.") if reopen
          else _("Die Punktabfrage ist beendet; die Links nehmen keine Punkte mehr an."), "success")
    return redirect(url_for("events.workshop", event_id=event.id) + "#punktabfrage")


@bp.route("/<int:event_id>/werkstatt/rangfolge")
@requires(Permission.VIEW_EVENTS)
def workshop_ranking(event_id: int):
    event = _workshop(event_id)
    return render_template("events/workshop_ranking.html", event=event,
                           ranking=workshops.ranking(db.session, event),
                           can_found=can(Permission.MANAGE_EVENTS) and can(Permission.VIEW_PERSONAL_DATA)
                           and can(Permission.EDIT_LANDSCAPE))


@bp.route("/<int:event_id>/werkstatt/vorschlaege/<int:proposal_id>/initiative", methods=["GET", "POST"])
@requires(*MANAGE, Permission.EDIT_LANDSCAPE)
def proposal_to_initiative(event_id: int, proposal_id: int):
    """Found an initiative from a proposal: its proposers' actors become members."""
    event = _workshop(event_id)
    proposal = _proposal(event, proposal_id)
    if proposal.initiative is not None and request.method == "GET":
        flash(_("Aus diesem Vorschlag ist bereits die Initiative „%(name)s“ entstanden.",
                name=proposal.initiative.name), "info")
        return redirect(url_for("initiatives.show", initiative_id=proposal.initiative.id))
    form = InitiativeFromProposalForm()
    if request.method == "GET":
        form.name.data = proposal.title
    if form.validate_on_submit():
        try:
            initiative = workshops.proposal_to_initiative(db.session, proposal, form.name.data or "",
                                                          InitiativeKind(form.kind.data))
        except ServiceError as error:
            db.session.rollback()
            attach(form, error, fallback="name")
        else:
            db.session.commit()
            flash(_("Initiative „%(name)s“ aus dem Vorschlag angelegt.", name=initiative.name), "success")
            return redirect(url_for("initiatives.show", initiative_id=initiative.id))
    actors = sorted({p.actor.name for p in proposal.proposers if p.actor is not None})
    points = proposal.votes + workshops.link_dots(db.session, event).get(proposal.id, 0)
    return render_template("events/workshop_initiative.html", event=event, proposal=proposal, form=form,
                           actors=actors, points=points, kinds=labels(KIND_LABELS)), 422 if form.errors else 200


@bp.route("/<int:event_id>/werkstatt/teilnehmende/<int:participant_id>/entfernen", methods=["POST"])
@requires(*MANAGE)
def remove_participant(event_id: int, participant_id: int):
    event = _workshop(event_id)
    participant = db.session.get(WorkshopParticipant, participant_id)
    if participant is None or participant.event_id != event.id or not VotesForm().validate_on_submit():
        abort(404 if participant is None or participant.event_id != event.id else 400)
    group_id, name = participant.group_id, participant.person.full_name
    workshops.remove_participant(db.session, participant)
    db.session.commit()
    flash(_("%(name)s sitzt nicht mehr an diesem Tisch.", name=name), "success")
    return redirect(url_for("events.workshop", event_id=event.id) + f"#gruppe-{group_id}")


@bp.route("/<int:event_id>/werkstatt/vorschlaege/<int:proposal_id>/loeschen", methods=["POST"])
@requires(*MANAGE)
def delete_proposal(event_id: int, proposal_id: int):
    event = _workshop(event_id)
    proposal = _proposal(event, proposal_id)
    if not VotesForm().validate_on_submit():
        abort(400)
    group_id, title = proposal.group_id, proposal.title
    try:
        workshops.delete_proposal(db.session, proposal)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _render(event, 422)
    db.session.commit()
    flash(_("Vorschlag „%(title)s“ gelöscht.", title=title), "success")
    return redirect(url_for("events.workshop", event_id=event.id) + f"#gruppe-{group_id}")
