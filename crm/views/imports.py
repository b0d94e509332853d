"""Import: upload, column mapping, preview, dry run, import (all rows or none), result."""
from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.extensions import db
from crm.forms.imports import ConfirmForm, UploadForm, build_mapping_form
from crm.models import ImportBatch, ImportStatus, ImportTarget
from crm.permissions import Permission, requires
from crm.service_labels import label, labels
from crm.services.imports import batches, engine
from crm.services.imports.mapping import FIELDS, TARGET_LABELS
from crm.services.imports.readers import ReadError
from crm.services.imports.report import NEW_ACTOR, RECORD_PAGES

bp = Blueprint("imports", __name__, url_prefix="/import")


def _load(token: str) -> ImportBatch:
    batch = batches.get_batch(db.session, token, current_user.id)
    if batch is None:
        abort(404)
    return batch


def _finished(batch: ImportBatch):
    return redirect(url_for("imports.result", token=batch.token))


def _fields_shown() -> dict:
    """The recognised columns of each kind, their labels and hints in the user's language."""
    return {kind: [replace(spec, label=label(spec.label), help=label(spec.help)) for spec in specs]
            for kind, specs in FIELDS.items()}


def _render_report(batch: ImportBatch, report, mode: str, status: int = 200):
    return render_template("imports/preview.html", batch=batch, report=report, mode=mode, form=ConfirmForm(),
                           target_label=label(TARGET_LABELS[batch.target]), new_actor=NEW_ACTOR), status


@bp.route("/", methods=["GET", "POST"])
@requires(Permission.EDIT_LANDSCAPE)
def index():
    form = UploadForm()
    if form.validate_on_submit():
        try:
            filename, data = batches.bundle(form.uploads())
            batch = batches.create_batch(db.session, user_id=current_user.id,
                                         target=ImportTarget(form.target.data), filename=filename, data=data)
            db.session.commit()
            return redirect(url_for("imports.mapping", token=batch.token))
        except ReadError as error:
            db.session.rollback()
            form.files.errors.append(error.message)
    recent = batches.recent_batches(db.session, current_user.id)
    return render_template("imports/index.html", form=form, recent=recent, target_labels=labels(TARGET_LABELS),
                           fields=_fields_shown()), 422 if form.errors else 200


@bp.route("/vorlage-angebote.csv")
@requires(Permission.EDIT_LANDSCAPE)
def offer_template():
    """A CSV template for Bildungsangebote: the recognised columns and one example row."""
    from crm.services.imports.offers import template_csv

    return Response(template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="vorlage-bildungsangebote.csv"'})


@bp.route("/<token>/zuordnung", methods=["GET", "POST"])
@requires(Permission.EDIT_LANDSCAPE)
def mapping(token: str):
    batch = _load(token)
    if batch.status != ImportStatus.PENDING:
        return _finished(batch)
    try:
        page = batches.mapping_page(db.session, batch)
    except ReadError as error:  # was readable at upload; only a changed reader could get here
        flash(error.message, "error")
        return redirect(url_for("imports.index"))
    form = build_mapping_form(page.sections, page.choices, page.defaults, page.value_rows)
    if form.validate_on_submit():
        batches.save_choices(batch, form.mapping(), form.defaults(), form.values())
        db.session.commit()
        return redirect(url_for("imports.preview", token=token))
    return render_template("imports/mapping.html", batch=batch, page=page, form=form,
                           target_label=label(TARGET_LABELS[batch.target]),
                           sheet_label=engine.sheet_label), 422 if form.errors else 200


@bp.route("/<token>/vorschau")
@requires(Permission.EDIT_LANDSCAPE)
def preview(token: str):
    batch = _load(token)
    if batch.status != ImportStatus.PENDING:
        return _finished(batch)
    report = engine.run(db.session, batch, write=False)
    return _render_report(batch, report, "preview")


@bp.route("/<token>/probelauf", methods=["POST"])
@requires(Permission.EDIT_LANDSCAPE)
def dry_run(token: str):
    batch = _load(token)
    if batch.status != ImportStatus.PENDING:
        return _finished(batch)
    report = batches.dry_run(db.session, batch)
    db.session.rollback()  # that is the point of a dry run: computed and written, then undone
    return _render_report(_load(token), report, "dry_run", 200 if report.ready else 422)


@bp.route("/<token>/ausfuehren", methods=["POST"])
@requires(Permission.EDIT_LANDSCAPE)
def commit(token: str):
    batch = _load(token)
    if batch.status != ImportStatus.PENDING:
        flash(batches.AlreadyImported().message, "warning")
        return _finished(batch)
    try:
        report = batches.commit(db.session, batch)
    except batches.AlreadyImported as error:
        db.session.rollback()
        flash(error.message, "warning")
        return _finished(_load(token))
    if not report.ready:
        db.session.rollback()
        return _render_report(_load(token), report, "failed", 422)
    db.session.commit()
    flash(_("Import abgeschlossen: %(summary)s.", summary=report.summary()), "success")
    return redirect(url_for("imports.result", token=token))


@bp.route("/<token>/entscheidungen", methods=["POST"])
@requires(Permission.EDIT_LANDSCAPE)
def decide(token: str):
    """The coordinator's answers to "probably already there": link to the existing actor, or new."""
    batch = _load(token)
    if batch.status != ImportStatus.PENDING:
        return _finished(batch)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    report = engine.run(db.session, batch, write=False)
    answers = {key.removeprefix("treffer:"): value for key, value in request.form.items()
               if key.startswith("treffer:")}
    decided = batches.save_decisions(batch, report, answers)
    db.session.commit()
    if decided < len(report.matches):
        flash(_("Bitte entscheiden Sie für jede markierte Zeile, ob sie einen vorhandenen Akteur meint."), "warning")
    return redirect(url_for("imports.preview", token=token, _anchor="treffer"))


@bp.route("/<token>/ergebnis")
@requires(Permission.EDIT_LANDSCAPE)
def result(token: str):
    batch = _load(token)
    if batch.status == ImportStatus.PENDING:
        return redirect(url_for("imports.preview", token=token))
    return render_template("imports/result.html", batch=batch, target_label=label(TARGET_LABELS[batch.target]),
                           record_pages=RECORD_PAGES)


@bp.route("/<token>/verwerfen", methods=["POST"])
@requires(Permission.EDIT_LANDSCAPE)
def discard(token: str):
    batch = _load(token)
    if batch.status == ImportStatus.PENDING:
        batches.discard(batch)
        db.session.commit()
        flash(_("Die hochgeladene Datei wurde verworfen; es wurde nichts importiert."), "info")
    return redirect(url_for("imports.index"))
