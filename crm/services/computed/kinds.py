"""What the worker can compute, by kind: each reads its parameters (as stored with the job) and
returns JSON-ready data. The modules that know how to build them stay where they are (network,
reports); this table only connects them to ``crm.services.computed.store``."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from crm.services.computed.store import Computed, Context, register


@register("analysis")
def analysis(session: Session, params: Mapping[str, Any], context: Context) -> Computed:
    from crm.services.network import records

    cut = records.cut_from_dict(params["cut"])
    result = records.compute_analysis(session, cut, resolution=float(params.get("resolution", 1.0)),
                                      seed=int(params.get("seed", 42)), version=context.version)
    return Computed(result, size=len(result["actors"]))


@register("map")
def landscape_map(session: Session, params: Mapping[str, Any], context: Context) -> Computed:
    from crm.services.network import maps, records

    spec = maps.compute_landscape_map(session, records.cut_from_dict(params["cut"]),
                                      maps.options_from_dict(params.get("options") or {}), context)
    return Computed(spec, size=int((spec.get("counts") or {}).get("actors") or (spec.get("counts") or {}).get("nodes")
                                   or 0))


@register("dashboard")
def dashboard(session: Session, params: Mapping[str, Any], context: Context) -> Computed:
    from crm.services.network.dashboard import compute_dashboard

    data = compute_dashboard(session, context)
    return Computed(data, size=int(data.get("actors", 0)))


@register("report")
def report(session: Session, params: Mapping[str, Any], context: Context) -> Computed:
    import base64

    from crm.models.base import utcnow
    from crm.services.reports import content, pdf

    scope = content.scope_from_dict(params["scope"])
    built = content.build_report(session, scope, organisation=str(params.get("organisation") or "Bildungsbüro"),
                                 context=context)
    built.computed_at = utcnow()
    payload = built.to_payload()
    # the PDF is rendered here too: laying out the tables of a Land takes seconds, a download none
    payload["pdf"] = base64.b64encode(pdf.pdf(built)).decode("ascii")
    return Computed(payload, size=int(built.figure("actors").now))
