"""Start page and language switch."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for

from crm.babel_setup import LOCALES
from crm.extensions import db
from crm.permissions import Permission, can, public, requires
from crm.service_labels import label
from crm.services.landscape.overview import overview
from crm.services.privacy import audit
from crm.views import dashboard

bp = Blueprint("main", __name__)


@bp.route("/")
@requires(Permission.VIEW_LANDSCAPE)
def index():
    """Staff start with their work lists; read-only users (Ämter, leadership) land on the dashboard."""
    if not can(Permission.VIEW_PERSONAL_DATA):
        return dashboard.page()
    words = {**audit.ACTION_LABELS, **audit.ENTITY_LABELS}
    return render_template("main/index.html", overview=overview(db.session),
                           change_words={text: label(text) for text in words.values()})


@bp.route("/sprache", methods=["POST"])
@public
def set_language():
    code = request.form.get("locale", "")
    if code in LOCALES:
        session["locale"] = code
    target = request.form.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("main.index"))
