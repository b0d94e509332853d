"""The network analysis: its JSON endpoint (used by the maps and the dashboard), the network
file for Gephi, and the page "Vorschläge für neue Verbindungen" that turns suggested ties into
an event's invitation list.

Suggestions page: everyone with VIEW_LANDSCAPE may look; choosing an event and adding the
contact persons of both actors to its invitation list needs MANAGE_EVENTS. The cut travels
in the URL as on the map (same parameters), the event as ``event``.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from crm.errors import problem
from crm.extensions import db
from crm.forms.suggestions import SuggestionInviteForm
from crm.models import Event
from crm.permissions import Permission, can, requires
from crm.service_labels import label, labels
from crm.services.computed import store
from crm.services.errors import ServiceError
from crm.services.events import invitation_lists, suggested_invitations
from crm.services.network import records as network
from crm.views.computed import pending_json, progress_page, stamp_headers

bp = Blueprint("analysis", __name__, url_prefix="/analyse")


@bp.route("/ergebnis.json")
@requires(Permission.VIEW_LANDSCAPE)
def result():
    try:
        cut = network.cut_from_args(request.args)
        network.check_survey_round(db.session, cut)
        resolution = float(request.args.get("resolution", "1.0"))
    except ServiceError as error:
        return problem(422, error.message, errors={error.field or "": [error.message]})
    except ValueError:
        return problem(422, _("„resolution“ muss eine Zahl sein."), errors={"resolution": [_("keine Zahl")]})
    if not 0.05 <= resolution <= 10:
        return problem(422, _("„resolution“ liegt zwischen 0,05 und 10."), errors={"resolution": [_("außerhalb")]})
    lookup = network.stored_analysis(db.session, cut, resolution=resolution, decode=False)
    db.session.commit()  # a queued job
    if not lookup.ready:
        return pending_json(lookup)
    if lookup.payload_bytes > store.STREAM_ABOVE:
        return stamp_headers(Response(store.stream_payload(db.session, lookup.result_id),
                                      mimetype="application/json"), lookup)
    raw = store.raw_payload(db.session, lookup.result_id, lookup.computed_at, lookup.payload_bytes)
    return stamp_headers(Response(raw, mimetype="application/json"), lookup)


@bp.route("/netzwerk.<fmt>")
@requires(Permission.VIEW_LANDSCAPE)
def network_file(fmt: str):
    """The cut landscape for Gephi (GEXF 1.3 with tie dates) or GraphML; same filters as the JSON."""
    from crm.services.exports.graph_files import FORMATS
    from crm.services.exports.graph_files import network_file as build

    if fmt not in FORMATS:
        return problem(404, _("Unbekanntes Format „%(format)s“. Möglich: %(formats)s.", format=fmt,
                              formats=", ".join(FORMATS)))
    try:
        cut = network.cut_from_args(request.args)
    except ServiceError as error:
        return problem(422, error.message, errors={error.field or "": [error.message]})
    data = build(db.session, cut, fmt, organisation=str(current_app.config.get("BILDUNGSNETZ_ORGANISATION") or ""))
    response = Response(data, mimetype=FORMATS[fmt][0])
    response.headers["Content-Disposition"] = f'attachment; filename="bildungsnetz-{date.today().isoformat()}.{fmt}"'
    return response


# --- suggestions as an invitation list ------------------------------------------------------

CUT_KEYS = ("layers", "as_of", "since", "until", "topics", "life_stages", "areas", "kinds", "categories",
            "include_inactive", "sources", "survey_round")


def _cut_args() -> dict[str, list[str]]:
    return {k: v for k, v in request.args.to_dict(flat=False).items() if k in CUT_KEYS}


def _chosen_event(events: list[Event]) -> Event | None:
    raw = request.args.get("event", "")
    if not raw or not can(Permission.MANAGE_EVENTS):
        return None
    return next((e for e in events if str(e.id) == raw), None)


def _suggestions_page(form: SuggestionInviteForm | None = None, error: str | None = None, status: int = 200):
    """Load the suggestions of the cut, the open events and (with an event) what adding would do."""
    pairs: list[suggested_invitations.SuggestedPair] = []
    events: list[Event] = []
    event = plan = None
    cut = None
    lookup = None
    try:
        cut = network.cut_from_args(request.args)
        lookup = network.stored_analysis(db.session, cut)
        db.session.commit()  # a queued analysis
        if lookup.result is None:
            return progress_page(lookup, _("Vorschläge für neue Verbindungen"))
        pairs = suggested_invitations.suggested_pairs(db.session, cut, analysis=lookup.result)
    except ServiceError as exc:
        error, status = exc.message, 422
    if cut is not None and can(Permission.MANAGE_EVENTS):
        events = suggested_invitations.open_events(db.session)
        event = _chosen_event(events)
        if event is not None:
            plan = suggested_invitations.plan(db.session, event, cut)
            form = form or SuggestionInviteForm(pairs)
    page = render_template("analysis/suggestions.html", pairs=pairs, events=events, event=event, plan=plan,
                           form=form, error=error, cut_args=_cut_args(), args=request.args, lookup=lookup,
                           reasons=labels(invitation_lists.REASONS), layer_labels=labels(network.LAYER_LABELS))
    response = stamp_headers(page, lookup)
    response.status_code = status
    return response


@bp.route("/vorschlaege")
@requires(Permission.VIEW_LANDSCAPE)
def suggestions():
    """Vorschläge für neue Verbindungen: ranked pairs with their reasons in words."""
    return _suggestions_page()


@bp.route("/vorschlaege/einladen", methods=["POST"])
@requires(Permission.MANAGE_EVENTS)
def invite_suggested():
    """Add the contact persons of both actors of the chosen suggestions to the event's list."""
    event = db.session.get(Event, request.args.get("event", type=int) or 0)
    if event is None:
        abort(404)
    try:
        cut = network.cut_from_args(request.args)
    except ServiceError as exc:
        return _suggestions_page(error=exc.message, status=422)
    try:
        form = SuggestionInviteForm(suggested_invitations.suggested_pairs(db.session, cut))
    except store.NotReady:  # posted before the suggestions were ever computed (not from the page)
        db.session.commit()
        flash(_("Die Vorschläge werden gerade berechnet. Bitte wählen Sie, sobald sie erscheinen."), "warning")
        return redirect(url_for("analysis.suggestions", event=event.id, **_cut_args()), 303)
    if not form.validate_on_submit():
        return _suggestions_page(form=form, status=422)
    try:
        result = suggested_invitations.add_to_event(db.session, event, cut, form.chosen())
    except ServiceError as exc:
        db.session.rollback()
        return _suggestions_page(form=form, error=exc.message, status=422)
    db.session.commit()
    flash(_added_message(event, result), "success")
    return redirect(url_for("analysis.suggestions", event=event.id, **_cut_args()))


def _added_message(event: Event, result: suggested_invitations.AddResult) -> str:
    text = ngettext("%(num)d Person steht jetzt auf der Einladungsliste von „%(event)s“ (noch nicht versendet).",
                    "%(num)d Personen stehen jetzt auf der Einladungsliste von „%(event)s“ (noch nicht versendet).",
                    result.added, event=event.title)
    excluded: dict[str, Any] = result.plan.preview.reasons()
    if excluded:
        details = ", ".join(f"{label(invitation_lists.REASONS.get(k, k))}: {n}" for k, n in sorted(excluded.items()))
        text += " " + _("Nicht aufgenommen: %(details)s.", details=details)
    unreachable = result.plan.unreachable
    if unreachable:
        text += " " + ngettext("%(num)d Vorschlag ohne Ansprechperson auf einer Seite wurde übersprungen.",
                               "%(num)d Vorschläge ohne Ansprechperson auf einer Seite wurden übersprungen.",
                               len(unreachable))
    return text
