"""Dashboard: key figures against last year, brokers, isolated actors, transitions, upcoming events."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _

from crm.extensions import db
from crm.permissions import Permission, requires
from crm.services.network.dashboard import dashboard
from crm.services.offers import inventory
from crm.views.computed import progress_page, stamp_headers

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


def page():
    """The stored dashboard with its "Stand", or the progress page while the first one is computed."""
    board, lookup = dashboard(db.session)
    db.session.commit()  # a queued job
    if board is None:
        return progress_page(lookup, _("Bildungslandschaft: Dashboard"))
    # the Bestandsaufnahme is counted now (two GROUP BYs): an offer set to „beendet“ shows at once
    offers = inventory.summary(db.session)
    return stamp_headers(render_template("dashboard/index.html", board=board, lookup=lookup, offers=offers), lookup)


@bp.route("/")
@requires(Permission.VIEW_LANDSCAPE)
def index():
    return page()
