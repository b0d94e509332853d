"""Dashboard: key figures against last year, brokers, isolated actors, transitions, upcoming events."""
from __future__ import annotations

from flask import Blueprint, render_template

from crm.extensions import db
from crm.permissions import Permission, requires
from crm.services.network.dashboard import dashboard

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.route("/")
@requires(Permission.VIEW_LANDSCAPE)
def index():
    return render_template("dashboard/index.html", board=dashboard(db.session))
