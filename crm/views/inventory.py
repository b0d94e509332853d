"""Bestandsaufnahme der Bildungsangebote: coverage of the standing offers by life stage × area and by
topic × target group, each gap linked to the network suggestions that could close it.

A blueprint of its own (not in ``crm.views.offers``): the page reads, it never changes an offer."""
from __future__ import annotations

from flask import Blueprint, render_template

from crm.extensions import db
from crm.permissions import Permission, requires
from crm.service_labels import labels
from crm.services.offers import inventory as inventory_service

bp = Blueprint("inventory", __name__, url_prefix="/angebote/bestandsaufnahme")


@bp.route("/")
@requires(Permission.VIEW_LANDSCAPE)
def index():
    found = inventory_service.current_inventory(db.session)
    return render_template("inventory/index.html", inventory=found, titles=labels(inventory_service.TITLES))
