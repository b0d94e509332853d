"""The landscape as a file for network tools: GEXF 1.3 (Gephi, with tie dates for its timeline)
and GraphML (yEd, Cytoscape), under the same cut as the analysis.

Only organisations and their ties leave the house this way; persons are never nodes, so the
files carry no personal data and viewers may download them like the maps.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy.orm import Session

from crm.services.network.records import landscape_for

FORMATS = {"gexf": ("application/gexf+xml", "GEXF 1.3 (Gephi)"),
           "graphml": ("application/graphml+xml", "GraphML")}


def network_file(session: Session, cut, fmt: str, *, organisation: str = "Bildungsnetz") -> bytes:
    """The actors and ties inside ``cut`` as ``fmt``.

    A date cut (``as_of``/``since``/``until``) chooses which ties are in the file, but each tie keeps
    its own start and end, so Gephi's timeline can replay how the network grew.
    """
    from graph.cut import apply_cut
    from graph.export import to_gexf, to_graphml

    land = landscape_for(session, cut)
    nodes, edges = apply_cut(land.nodes, land.edges, cut)
    # Actor attributes that are free text of the office (short names) stay; nothing else is added.
    nodes = [replace(node, attrs={k: v for k, v in node.attrs.items() if v}) for node in nodes]
    if fmt == "gexf":
        return to_gexf(nodes, edges, title=f"{organisation}: Bildungslandschaft", last_modified=date.today())
    if fmt == "graphml":
        return to_graphml(nodes, edges)
    raise ValueError(fmt)
