"""Network maps of the landscape, of one actor's surroundings, one initiative and one event.

The database side of ``graph.maps``. The map of the whole landscape is computed by the background
worker (``compute_landscape_map``, kind ``map`` in ``crm.services.computed``) and stored with the
analysis it sizes its nodes by; a page reads it (``landscape_map``) and shows when it was made.
The ego, initiative and event maps are small: a request draws them itself from a few targeted
queries (``records.neighbourhood``/``records.among``), never from the whole landscape, and takes
measures for the hover cards from a stored analysis when one is there.

Filters are checked against the vocabularies (``validate_cut``): an unknown topic, area or
kind is a German error (422), not a silently empty map.

Privacy: a map shows actors and never a person's name, e-mail or phone; an event map counts
the people who came per actor. Individual actors (volunteers, independent experts) are named
only for roles that may see personal data (``crm.services.landscape.naming``), on canvas labels, hover
cards, the node list and in community names alike; cached specs are keyed by that decision.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.collation import german, sort_key
from crm.models import ActorKind, Answer, Area, Attendance, Invitation, LifeStage, Membership, Topic
from crm.services.computed import cache, store
from crm.services.errors import ServiceError
from crm.services.landscape import naming
from crm.services.network import records as network
from graph.build import build_graph
from graph.communities import Partition, communities
from graph.cut import Cut, apply_cut
from graph.layout import layout
from graph.maps import (
    AGGREGATE_THRESHOLD,
    COLOR_BY,
    COLOR_LABELS,
    GROUP_BY,
    METRIC_LABELS,
    SIZE_BY,
    SOURCE_STYLES,
    SOURCE_TITLE,
    WIDTH_BY,
    WIDTH_LABELS,
    actor_map,
    aggregate_map,
    tie_sources,
    years,
)
from graph.metrics import compute_metrics
from graph.records import EdgeRecord, NodeRecord

VIEWS = ("auto", "actors", "groups")
VIEW_LABELS = {"auto": "automatisch", "actors": "Akteure", "groups": "Gruppen (zusammengefasst)"}
GROUP_LABELS = {"community": "Communities", "area": "Gebiete"}
# Above this, even a forced actor view is refused: vis-network would freeze the tab.
MAX_ACTORS = 5000
# Maps drawn while a page waits (ego, initiative, event): above this many actors in a component the
# layout is igraph's (milliseconds) instead of networkx's spring layout (0.2 s for 200 actors).
REQUEST_SPRING_LIMIT = 60
# An ego map with more actors is refused with a message (a request must stay well under 30 s).
EGO_LIMIT = 1500
ROLE_LABELS = {"lead": "Leitung", "partner": "Partner", "member": "Mitglied", "funder": "Förderer"}


@dataclass(frozen=True)
class MapOptions:
    """How to draw: colour, size, tie width, aggregation. Hashable (cache keys)."""

    color_by: str = "category"
    size_by: str = "degree"
    width_by: str = "weight"
    group_by: str = "community"
    view: str = "auto"                 # auto: aggregate above the threshold
    community: int | None = None       # drill-down into one community of the cut
    threshold: int = AGGREGATE_THRESHOLD


def _choice(args: Mapping[str, Any], key: str, allowed: tuple[str, ...], default: str, label: str) -> str:
    value = (args.get(key) or "").strip() or default
    if value not in allowed:
        raise ServiceError(f"{label}: „{value}“ ist nicht möglich. Möglich: {', '.join(allowed)}.", key)
    return value


def options_from_args(args: Mapping[str, Any], *, threshold: int = AGGREGATE_THRESHOLD) -> MapOptions:
    """Parse the drawing options; bad values raise ServiceError with a German message."""
    raw_community = (args.get("community") or "").strip()
    community = None
    if raw_community:
        if not raw_community.isdigit():
            raise ServiceError(f"Gruppe: „{raw_community}“ ist keine Gruppennummer.", "community")
        community = int(raw_community)
    return MapOptions(color_by=_choice(args, "color_by", COLOR_BY, "category", "Farbe"),
                      size_by=_choice(args, "size_by", SIZE_BY, "degree", "Größe"),
                      width_by=_choice(args, "width_by", WIDTH_BY, "weight", "Linienstärke"),
                      group_by=_choice(args, "group_by", GROUP_BY, "community", "Zusammenfassen nach"),
                      view=_choice(args, "view", VIEWS, "auto", "Ansicht"), community=community,
                      threshold=threshold)


def _steps(args: Mapping[str, Any]) -> int:
    raw = (args.get("steps") or "1").strip()
    if raw not in ("1", "2"):
        raise ServiceError(f"Schritte: „{raw}“ ist nicht möglich (1 oder 2).", "steps")
    return int(raw)


def _cached(key: tuple, compute: Callable[[], Any]) -> Any:
    """Partitions, positions and group measures, kept in the worker's cache while it computes
    several maps of one data version (the years of a time slider share positions)."""
    return cache.cached(key, compute)


def options_dict(options: MapOptions) -> dict[str, Any]:
    return asdict(options)


def options_from_dict(data: Mapping[str, Any]) -> MapOptions:
    return MapOptions(**{k: v for k, v in data.items() if k in MapOptions.__dataclass_fields__})


def map_params(cut: Cut, options: MapOptions) -> dict[str, Any]:
    """What identifies a stored landscape map."""
    return {"cut": cut.to_dict(), "options": options_dict(options)}


def validate_cut(session: Session, cut: Cut) -> None:
    """Every topic, life stage, area, kind and category of the cut must exist in the
    vocabularies (as ``reports.scope_from_args`` checks the report's scope): a mistyped or
    outdated bookmark gets a German message instead of an empty map. A chosen survey round must exist."""
    network.check_survey_round(session, cut)
    if not (cut.topics or cut.life_stages or cut.areas or cut.kinds or cut.categories):
        return   # nothing to check: no vocabulary is read
    known = filter_choices(session)
    allowed = {"topics": (set(known["topics"]), "Themen"),
               "life_stages": ({code for code, _ in known["life_stages"]}, "Bildungsphasen"),
               "areas": ({name for name, _ in known["areas"]}, "Gebiete"),
               "kinds": (set(known["kinds"]), "Arten von Akteuren"),
               "categories": (set(known["categories"]), "Akteursgruppen")}
    for key, (values, label) in allowed.items():
        unknown = sorted(getattr(cut, key) - values)
        if unknown:
            raise ServiceError(f"Unbekannte Angabe im Feld {label}: {', '.join(unknown)}.", key)


def _change_between(cut: Cut) -> tuple[date, date] | None:
    """With both ``since`` and ``until`` the map marks each tie as new, ended or kept."""
    return (cut.since, cut.until) if cut.since is not None and cut.until is not None else None


def _partition_labels(partition: Partition, labels: Mapping[int, str]) -> dict[int, str]:
    """Community names after their central actor, as that actor is called for this user."""
    return {c.id: labels.get(cast(int, c.centre), c.label) for c in partition.communities}


def _timeless(cut: Cut) -> Cut:
    """The cut without its dates: the network of all ties ever, on which positions are computed so
    that the view "as of 2019" and "as of 2024" put every actor in the same place."""
    return replace(cut, as_of=None, since=None, until=None)


def _partition(version: int, land: network.Landscape, cut: Cut) -> Partition:
    """Louvain groups of the network of all ties ever under the cut's other filters: the groups keep
    their numbers when the year changes, so a drilled-down group stays the same group while the
    time slider moves, and the group view shows the ties between the same groups growing."""
    timeless = _timeless(cut)

    def compute() -> Any:
        nodes, edges = apply_cut(land.nodes, land.edges, timeless)
        return communities(build_graph(nodes, edges), seed=42)

    return _cached(("partition", version, date.today(), timeless), compute)


def _positions(version: int, key: Hashable, nodes: list[NodeRecord], edges: list[EdgeRecord]) -> dict:
    return _cached(("positions", version, date.today(), key), lambda: layout(build_graph(nodes, edges)))


def _metrics_of(result: Mapping[str, Any], labels: Mapping[int, str]) -> tuple[dict, dict, dict]:
    rows = {row["id"]: row for row in result["actors"]}
    membership = {row["id"]: row["community"] for row in result["actors"] if row.get("community") is not None}
    names = {c["id"]: labels.get(c["centre"], c["label"]) for c in result["communities"]}
    return rows, membership, names


def _group_metrics(version: int, cut: Cut, community: int, nodes: list[NodeRecord],
                   edges: list[EdgeRecord]) -> dict[Hashable, dict[str, Any]]:
    """Measures of the actors of one drilled-down group, computed on the group's own network
    (who brokers *inside* the group). A group drawn as actors has at most
    ``AGGREGATE_THRESHOLD`` actors (``MAX_ACTORS`` when forced), so this takes about a second at
    most; it is cached like the rest."""
    def compute() -> dict[Hashable, dict[str, Any]]:
        graph = build_graph(nodes, edges)
        directed = build_graph(nodes, edges, directed=True, lean=True)
        result = compute_metrics(graph, directed, with_constraint=False, with_network=False)
        return {node: asdict(values) for node, values in result.nodes.items()}

    return _cached(("group-metrics", version, date.today(), cut, community), compute)


def landscape_map(session: Session, cut: Cut, options: MapOptions = MapOptions()) -> store.Lookup:
    """The stored map of the landscape under ``cut`` (actors, or groups above the threshold), and
    whether a newer one is being computed; queues it when missing. Never computes: the worker does
    (``compute_landscape_map``). The caller commits (the queued job)."""
    validate_cut(session, cut)
    lookup = store.lookup(session, "map", map_params(cut, options))
    if lookup.result is not None and lookup.result.get("error"):
        raise ServiceError(lookup.result["error"]["message"], lookup.result["error"]["field"])
    return lookup


def compute_landscape_map(session: Session, cut: Cut, options: MapOptions, context: store.Context) -> dict[str, Any]:
    """The worker's side of ``landscape_map``. A refusal (a group that no longer exists, too many
    actors for the actor view) is stored as the result, so the page shows it like any other."""
    hidden = naming.hidden_individuals(session)
    try:
        return _landscape_map(session, context, cut, options, hidden)
    except ServiceError as error:
        return {"error": {"message": error.message, "field": error.field}}


def report_map(session: Session, cut: Cut, context: store.Context, hidden: frozenset[int]) -> dict[str, Any]:
    """The map of ``cut`` coloured by group, for the council report's figure: the same server layout
    as the map page (positions are shared in the worker's cache for a data version), with the
    report's naming (no individual named); aggregated into groups above the threshold, like the map."""
    try:
        return _landscape_map(session, context, cut, MapOptions(color_by="community"), hidden)
    except ServiceError:
        return {"nodes": [], "edges": [], "mode": "actors"}


def _landscape_map(session: Session, context: store.Context, cut: Cut, options: MapOptions,
                   hidden: frozenset[int]) -> dict[str, Any]:
    version = context.version
    land = network.landscape_for(session, cut, version)
    nodes, edges = apply_cut(land.nodes, land.edges, cut)
    labels = naming.actor_labels(nodes, hidden)
    spec_years = years([e for e in land.edges if e.layer in cut.layers])
    drilled_label = None
    partition = None
    if options.community is not None:
        partition = _partition(version, land, cut)
        members = {n for n, c in partition.membership.items() if c == options.community}
        if not members:
            raise ServiceError(f"Gruppe {options.community} gibt es in diesem Ausschnitt nicht.", "community")
        drilled_label = _partition_labels(partition, labels).get(options.community)
        nodes = [n for n in nodes if n.id in members]
        edges = [e for e in edges if e.source in members and e.target in members]
    if options.view == "actors" and len(nodes) > MAX_ACTORS:
        raise ServiceError(f"{len(nodes)} Akteure sind zu viele für die Einzelansicht (höchstens {MAX_ACTORS}). "
                           "Bitte weiter filtern oder die Gruppenansicht wählen.", "view")
    aggregate = options.view == "groups" or (options.view == "auto" and len(nodes) > options.threshold)
    if aggregate:
        group_by = options.group_by
        if options.community is not None and group_by == "community":
            group_by = "area"  # one community drilled into: grouping it by community again would show one node
        if group_by == "community" and partition is None:
            partition = _partition(version, land, cut)
        spec = aggregate_map(nodes, edges, group_by=group_by,
                             community=partition.membership if partition else None,
                             community_labels=_partition_labels(partition, labels) if partition else None,
                             threshold=options.threshold)
        spec["aggregated_because"] = ("groups" if options.view == "groups" else "threshold")
    else:
        if options.community is None:
            result = store.obtain(session, "analysis", network.analysis_params(cut), context)
            rows, membership, community_labels = _metrics_of(result, labels)
        else:
            assert partition is not None  # set above for a drilled community
            rows = _group_metrics(version, cut, options.community, nodes, edges)
            membership, community_labels = dict(partition.membership), _partition_labels(partition, labels)
        timeless = _timeless(cut)
        t_nodes, t_edges = apply_cut(land.nodes, land.edges, timeless)
        if options.community is not None:
            keep = {n.id for n in nodes}
            t_nodes = [n for n in t_nodes if n.id in keep]
            t_edges = [e for e in t_edges if e.source in keep and e.target in keep]
        positions = _positions(version, (timeless, options.community, cut if options.community is not None else None),
                               t_nodes, t_edges)
        spec = actor_map(naming.named(nodes, hidden), edges, positions=positions, metrics=rows,
                         community=membership, community_labels=community_labels, color_by=options.color_by,
                         size_by=options.size_by, width_by=options.width_by, change_between=_change_between(cut),
                         tie_status=tie_sources(edges) if cut.with_survey else None, tie_styles=SOURCE_STYLES,
                         ties_title=SOURCE_TITLE)
    spec["years"] = spec_years
    spec["cut"] = cut.to_dict()
    spec["drilled"] = None if options.community is None else {
        "community": options.community, "label": drilled_label,
        "metrics": "group" if spec["mode"] == "actors" else None}  # measures computed inside the group
    spec["data_version"] = str(version)
    return spec


def _small_analysis(session: Session, cut: Cut, nodes: list[NodeRecord],
                    hidden: frozenset[int]) -> tuple[dict, dict, dict]:
    """Measures for the hover cards of embedded maps: the stored analysis of the whole cut, when
    one is there and the landscape is small enough to read it on a page view; else none (the
    cards show the degree in the map). Never queues a computation: a hover card is no reason to
    analyse a Land."""
    lookup = store.lookup(session, "analysis", network.analysis_params(cut), enqueue=False, decode=False)
    if lookup.result_id is None or lookup.size > AGGREGATE_THRESHOLD:
        return {}, {}, {}
    result = store.payload(session, lookup.result_id, lookup.computed_at, lookup.payload_bytes)
    return _metrics_of(result, naming.actor_labels(nodes, hidden))


def _embedded_cut(session: Session, args: Mapping[str, Any], default_layers: tuple[str, ...]) -> Cut:
    cut = network.cut_from_args(args)
    validate_cut(session, cut)
    if not (args.get("layers") or "").strip():
        cut = replace(cut, layers=frozenset(default_layers))
    if cut.as_of is None and cut.since is None and cut.until is None:
        cut = replace(cut, as_of=date.today())  # embedded maps show the ties that exist today
    return cut


def ego_map(session: Session, actor_id: int, args: Mapping[str, Any]) -> dict[str, Any]:
    """The actor and everyone within 1 or 2 steps, under the cut of ``args``: loaded by targeted
    queries around the actor (``records.neighbourhood``), drawn in the request."""
    steps = _steps(args)
    options = options_from_args(args)
    cut = replace(_embedded_cut(session, args, ("cooperation", "initiative")), include_inactive=True)
    land = network.neighbourhood(session, actor_id, cut.layers, steps, cut, limit=EGO_LIMIT)
    nodes, edges = apply_cut(land.nodes, land.edges, cut)   # everyone here is within ``steps`` under the cut
    hidden = naming.hidden_individuals(session)
    nodes = naming.named(nodes, hidden)
    rows, membership, labels = _small_analysis(session, replace(cut, include_inactive=False), nodes, hidden)
    spec = actor_map(nodes, edges, metrics=rows, community=membership, community_labels=labels,
                     color_by=options.color_by, size_by=options.size_by, width_by=options.width_by,
                     highlight={actor_id}, change_between=_change_between(cut), spring_limit=REQUEST_SPRING_LIMIT,
                     centre=actor_id)
    spec.update(steps=steps, cut=cut.to_dict(), centre=actor_id)
    return spec


def initiative_map(session: Session, initiative_id: int, args: Mapping[str, Any]) -> dict[str, Any]:
    """The members of an initiative (current on the cut's day) and the ties among them; the
    initiative itself would tie everyone to everyone, so its own layer is not drawn."""
    options = options_from_args(args)
    cut = _embedded_cut(session, args, ("cooperation", "event"))
    cut = replace(cut, layers=cut.layers - {"initiative"} or frozenset({"cooperation"}), include_inactive=True)
    day = cut.as_of or date.today()
    roles: dict[int, str] = {}
    for m in session.scalars(select(Membership).where(Membership.initiative_id == initiative_id)):
        if (m.joined_on is None or m.joined_on <= day) and (m.left_on is None or m.left_on >= day):
            roles[m.actor_id] = ROLE_LABELS.get(str(m.role), str(m.role))
    return _members_map(session, cut, options, roles, "Rolle",
                        highlight={a for a, r in roles.items() if r == "Leitung"})


def event_map(session: Session, event_id: int, args: Mapping[str, Any]) -> dict[str, Any]:
    """The actors whose people attended the event (accepted invitations while nobody is checked
    in yet), with the number of people per actor; ties among them from cooperations."""
    options = options_from_args(args)
    cut = replace(_embedded_cut(session, args, ("cooperation",)), include_inactive=True)
    rows = session.execute(select(Attendance.actor_id, func.count()).where(
        Attendance.event_id == event_id, Attendance.actor_id.is_not(None)).group_by(Attendance.actor_id)).all()
    source = "Teilnehmende"
    if not rows:
        rows = session.execute(select(Invitation.actor_id, func.count()).where(
            Invitation.event_id == event_id, Invitation.actor_id.is_not(None),
            Invitation.answer == Answer.ACCEPTED).group_by(Invitation.actor_id)).all()
        source = "Zusagen"
    people = {actor_id: str(count) for actor_id, count in rows if actor_id is not None}
    spec = _members_map(session, cut, options, people, source)
    spec["people_source"] = source
    return spec


def _members_map(session: Session, cut: Cut, options: MapOptions, lines: Mapping[int, str], line_label: str,
                 highlight: set[int] | None = None) -> dict[str, Any]:
    land = network.among(session, lines, cut.layers)
    hidden = naming.hidden_individuals(session)
    nodes = naming.named(land.nodes, hidden)
    _, edges = apply_cut(nodes, land.edges, cut)
    rows, membership, labels = _small_analysis(session, replace(cut, include_inactive=False), nodes, hidden)
    spec = actor_map(nodes, edges, metrics=rows, community=membership, community_labels=labels,
                     color_by=options.color_by, size_by=options.size_by, width_by=options.width_by,
                     highlight=highlight or (), extra_cards={a: [(line_label, v)] for a, v in lines.items()},
                     change_between=_change_between(cut), spring_limit=REQUEST_SPRING_LIMIT)
    spec["cut"] = cut.to_dict()
    return spec


def add_urls(spec: dict[str, Any], actor_url: Callable[[int], str]) -> dict[str, Any]:
    """Give every actor node the address of its page (the browser opens it on click). The node
    records are copied, so a cached spec handed in stays untouched."""
    spec["nodes"] = [dict(node, url=actor_url(node["id"])) if node.get("kind") == "actor" else node
                     for node in spec["nodes"]]
    return spec


def selected_filters(args: Any) -> dict[str, set[str]]:
    """What the filter panel shows as chosen (repeated or comma-separated parameters, as the cut reads them)."""
    selected: dict[str, set[str]] = {}
    for key in ("layers", "topics", "life_stages", "areas", "kinds", "categories", "sources"):
        values = args.getlist(key) if hasattr(args, "getlist") else [args.get(key) or ""]
        selected[key] = {v.strip() for value in values for v in str(value).split(",") if v.strip()}
    selected["layers"] = selected["layers"] or {"cooperation"}
    selected["sources"] = selected["sources"] or {"recorded"}
    return selected


def filter_choices(session: Session) -> dict[str, Any]:
    """What the filter panel offers, from the vocabularies (admins may rename them)."""
    from crm.services.surveys import ties

    latest = ties.latest_closed(session)
    return {
        "layers": list(network.LAYER_LABELS.items()),
        "sources": list(network.SOURCE_LABELS.items()),
        "survey_rounds": ties.round_choices(session),
        "latest_round": latest.title if latest else "",
        "topics": list(session.scalars(select(Topic.name).order_by(Topic.sort_order, german(Topic.name)))),
        "life_stages": [(code, name) for code, name in session.execute(
            select(LifeStage.code, LifeStage.name).order_by(LifeStage.sort_order, LifeStage.id))],
        # the cut matches any element of an actor's area path, so the value is the area's own name;
        # the text shows the tree by indenting (the full path would not fit the filter column)
        "areas": [(a.name, "\u2003" * (len(a.path) - 1) + a.name)
                  for a in sorted(session.scalars(select(Area)), key=lambda a: [sort_key(p) for p in a.path])],
        "kinds": list(session.scalars(select(ActorKind.name).order_by(ActorKind.sort_order, german(ActorKind.name)))),
        "categories": sorted(set(session.scalars(select(ActorKind.category))), key=sort_key),
        "color_by": list(COLOR_LABELS.items()), "size_by": [(k, METRIC_LABELS[k]) for k in SIZE_BY],
        "width_by": [(k, WIDTH_LABELS[k]) for k in WIDTH_BY], "group_by": list(GROUP_LABELS.items()),
        "views": list(VIEW_LABELS.items()),
    }
