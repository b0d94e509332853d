"""Privacy pages (DSGVO): consent per person, access export (Art. 15), erasure (Art. 17),
retention review, and the public withdrawal page behind the link in every mail."""
from __future__ import annotations

import json
from datetime import UTC, datetime, time

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.extensions import csrf, db
from crm.forms.privacy import ConsentForm, EraseForm, KeepForm, WithdrawForm
from crm.models import ConsentPurpose, Person
from crm.permissions import Permission, public, requires
from crm.service_labels import label
from crm.services.privacy import audit, consent, retention
from crm.services.privacy import subject_rights as privacy
from crm.transaction import committing, saving

bp = Blueprint("privacy", __name__)


def _load(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    return person


def _person_page(person: Person, consent_form: ConsentForm | None = None, status: int = 200):
    return render_template(
        "privacy/person.html", person=person, consents=consent.status(db.session, person),
        consent_form=consent_form or ConsentForm(formdata=None), withdraw_form=WithdrawForm(formdata=None),
        withdrawal_url=consent.withdrawal_url(person) if not person.is_anonymised else ""), status


@bp.route("/datenschutz/personen/<int:person_id>")
@requires(Permission.VIEW_PERSONAL_DATA)
def person(person_id: int):
    return _person_page(_load(person_id))


@bp.route("/datenschutz/personen/<int:person_id>/einwilligung", methods=["POST"])
@requires(Permission.VIEW_PERSONAL_DATA, Permission.EDIT_LANDSCAPE)
def give_consent(person_id: int):
    person = _load(person_id)
    form = ConsentForm()
    if form.validate_on_submit():
        given_at = (datetime.combine(form.given_on.data, time(12), tzinfo=UTC)
                    if form.given_on.data else None)
        with saving(form, fallback="method") as saved:
            consent.give(db.session, person, form.purpose.data, form.method.data or "", current_user.id, given_at)
        if saved:
            flash(_("Einwilligung für „%(purpose)s“ erfasst.",
                    purpose=label(consent.PURPOSE_LABELS[ConsentPurpose(form.purpose.data)])), "success")
            return redirect(url_for("privacy.person", person_id=person.id))
    return _person_page(_load(person_id), form, 422)


@bp.route("/datenschutz/personen/<int:person_id>/widerruf", methods=["POST"])
@requires(Permission.VIEW_PERSONAL_DATA, Permission.EDIT_LANDSCAPE)
def withdraw(person_id: int):
    """One click for a coordinator (the person called or wrote): withdraw one purpose or all."""
    person = _load(person_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash(_("Unbekannter Zweck."), "danger")
        return _person_page(person, status=422)
    with saving() as saved:
        consent.withdraw(db.session, person, None if form.purpose.data == consent.ALL else form.purpose.data)
    if saved:
        flash(_("Widerruf gespeichert. Diese Person erhält dafür keine E-Mails mehr."), "success")
    return redirect(url_for("privacy.person", person_id=person.id))


def _export(person: Person) -> dict:
    config = current_app.config
    data = privacy.export_person(db.session, person, config.get("BILDUNGSNETZ_ORGANISATION", ""),
                                 int(config.get("RETENTION_YEARS", 3)), str(config.get("MAIL_SERVER") or ""))
    with committing():
        audit.record(db.session, "export", person, "Auskunft nach Art. 15 DSGVO erstellt")
    return data


@bp.route("/datenschutz/personen/<int:person_id>/auskunft.json")
@requires(Permission.VIEW_PERSONAL_DATA, Permission.EDIT_LANDSCAPE)
def export_json(person_id: int):
    data = _export(_load(person_id))
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="auskunft-person-{person_id}.json"'})


@bp.route("/datenschutz/personen/<int:person_id>/auskunft.pdf")
@requires(Permission.VIEW_PERSONAL_DATA, Permission.EDIT_LANDSCAPE)
def export_pdf(person_id: int):
    pdf = privacy.export_pdf(_export(_load(person_id)))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="auskunft-person-{person_id}.pdf"'})


@bp.route("/datenschutz/personen/<int:person_id>/anonymisieren", methods=["GET", "POST"])
@requires(Permission.VIEW_PERSONAL_DATA, Permission.DELETE_RECORDS)
def erase(person_id: int):
    person = _load(person_id)
    if person.is_anonymised:
        flash(_("Diese Person ist bereits anonymisiert."), "info")
        return redirect(url_for("privacy.person", person_id=person.id))
    form = EraseForm()
    if form.validate_on_submit():
        with saving() as saved:
            report = privacy.anonymise(db.session, person)
        if not saved:
            return redirect(url_for("privacy.person", person_id=person_id))
        flash(_("Die Person wurde anonymisiert (Art. 17 DSGVO). Teilnahmen zählen weiter für ihre Akteure; "
                "%(entries)s Protokolleinträge und %(messages)s E-Mails wurden bereinigt.",
                entries=report.audit_entries, messages=report.messages), "success")
        if not report.review:
            return redirect(url_for("privacy.person", person_id=person.id))
        # The surname alone still occurs somewhere: shown once, here, for a human to judge (it may
        # be someone else's name). Nothing is replaced automatically.
        return render_template("privacy/erased.html", person=person, report=report)
    return render_template("privacy/erase.html", person=person, form=form), 422 if form.errors else 200


@bp.route("/datenschutz/aufbewahrung")
@requires(Permission.VIEW_PERSONAL_DATA, Permission.DELETE_RECORDS)
def retention_review():
    years = int(current_app.config.get("RETENTION_YEARS", 3))
    return render_template("privacy/retention.html", candidates=retention.candidates(db.session, years),
                           years=years, keep_form=KeepForm(formdata=None))


@bp.route("/datenschutz/aufbewahrung/<int:person_id>/behalten", methods=["POST"])
@requires(Permission.VIEW_PERSONAL_DATA, Permission.DELETE_RECORDS)
def keep(person_id: int):
    person = _load(person_id)
    form = KeepForm()
    if form.validate_on_submit():
        with saving() as saved:
            retention.keep(db.session, person, form.reason.data or "")
        if saved:
            flash(_("Geprüft: %(name)s wird behalten.", name=person.full_name), "success")
    else:
        flash(_("Der Grund darf höchstens 200 Zeichen lang sein."), "danger")
    return redirect(url_for("privacy.retention_review"))


# --- public: the link in every mail ------------------------------------------------------------

@bp.route("/einwilligung/widerruf/<token>", methods=["GET", "POST"])
@public
@csrf.exempt
def public_withdraw(token: str):
    """No login: the signed token is the permission. GET only shows the button (mail scanners open
    links by themselves); POST withdraws. Also answers RFC 8058 one-click POSTs from mail programs.
    The page shows no personal data, so a forwarded link reveals nothing."""
    data = consent.read_withdrawal_token(token)
    person = db.session.get(Person, data[0]) if data else None
    if person is None or data is None:
        return render_template("privacy/withdraw_public.html", invalid=True), 404
    purpose = data[1]
    shown = _("alle E-Mails") if purpose == consent.ALL else label(consent.PURPOSE_LABELS[ConsentPurpose(purpose)])
    if request.method == "POST":
        if not person.is_anonymised:
            with audit.acting_as(consent.BY_SUBJECT), committing():  # no login: the log names the subject
                consent.withdraw(db.session, person, None if purpose == consent.ALL else purpose,
                                 method=consent.METHOD_LINK, by=consent.BY_SUBJECT)
        return render_template("privacy/withdraw_public.html", done=True, label=shown)
    return render_template("privacy/withdraw_public.html", label=shown, token=token)
