"""The network analysis through the API.

The analysis belongs to ``graph`` (no Flask, no database) and its bridge
``crm.services.network.records``; this route only parses the cut with the same
``network.cut_from_args`` as the page's JSON endpoint (``/analyse/ergebnis.json``) and
returns the stored analysis, which the background worker computes (202 with ``Retry-After``
while the first one is computed). A German ``ServiceError`` (bad layer, "Bis" before "Von")
becomes a 422 with ``errors`` per field.
"""
from __future__ import annotations

from crm.api import schemas as s
from crm.api.core import ApiProblem, operation
from crm.extensions import db
from crm.permissions import Permission
from crm.services.errors import ServiceError


@operation("GET", "/analysis", summary="Netzwerkanalyse", tag="Analyse", permissions=[Permission.VIEW_LANDSCAPE],
           query=s.AnalysisQuery, response=s.AnalysisOut, errors=(401, 403, 422),
           extra_responses={202: "Wird noch berechnet (erstmals für diesen Ausschnitt): `status`, `status_url`, "
                                 "`retry_after`; erneut abrufen.",
                            503: "Die Berechnung ist fehlgeschlagen; sie wird beim nächsten Abruf wiederholt."})
def get_analysis(query: s.AnalysisQuery):
    """Schlüsselakteure und Vermittler, Gruppen (Communities), Brücken und Gelenkpunkte, Abdeckung der
    Übergänge für einen Ausschnitt des Netzwerks (Ebenen, Stichtag oder Zeitraum, Themen, Phasen,
    Gebiete, Akteursarten). Das Ergebnis berechnet der Hintergrundprozess und speichert es; solange es
    für einen Ausschnitt noch nie berechnet wurde, antwortet die API mit 202, dem Stand der Berechnung und
    ``Retry-After``. ``X-Computed-At`` nennt den Zeitpunkt der Berechnung, ``X-Computed-Current: 0`` sagt,
    dass eine neuere gerade berechnet wird."""
    from flask import Response

    from crm.services.computed import store
    from crm.services.network import records as network
    from crm.views.computed import pending_json, stamp_headers

    args = {key: ("" if value is None else str(value).lower() if isinstance(value, bool) else str(value))
            for key, value in query.model_dump().items() if key != "resolution"}
    try:
        cut = network.cut_from_args(args)
    except ServiceError as error:
        raise ApiProblem(422, error.message, {error.field or "query": [error.message]}) from None
    lookup = network.stored_analysis(db.session, cut, resolution=query.resolution, decode=False)
    db.session.commit()  # a queued job
    if not lookup.ready:
        return pending_json(lookup)
    if lookup.payload_bytes > store.STREAM_ABOVE:
        return stamp_headers(Response(store.stream_payload(db.session, lookup.result_id),
                                      mimetype="application/json"), lookup)
    raw = store.raw_payload(db.session, lookup.result_id, lookup.computed_at, lookup.payload_bytes)
    return stamp_headers(Response(raw, mimetype="application/json"), lookup)
