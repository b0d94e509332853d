"""Whom to bring together: pairs not yet tied, ranked, each with its reasons in German.

Score (all parts reported as reasons, so the office can judge the suggestion):

* **Adamic–Adar** over common partners, Σ 1/ln(degree of the partner) (Adamic & Adar
  2003; Liben-Nowell & Kleinberg 2007): two actors who share a partner are already
  half introduced, and a shared partner with few ties says more than a shared hub.
* **+1.0** if they share a topic (Themenfeld), **+0.25** for each further shared topic.
* **+1.5** if they sit in different groups (communities): a tie between groups is what
  makes a fragmented landscape one network (bridging value).
* **+2.0** for every empty cell of the transition matrix the tie would fill: one actor
  serves stage s_i, the other s_i+1, and the transition has no cooperation in the area of
  one of them (the tie would count there, as in ``graph.transitions``). Actors of two
  areas that both lack the transition fill two cells: +4.0, and two reasons.

A pair qualifies when it shares a topic or closes a transition gap (with
``require_shared_topic=False``, or when no actor has topics at all, any pair does).

Candidates, so that the work stays near-linear at 20,000 actors: pairs two steps apart
through a common partner with at most ``hub_limit`` ties (a partner of hundreds — the
Bildungsbüro itself — "introduces" everyone and would flood the list; its Adamic–Adar
share is still added to the score of every candidate that has it in common), the
``per_group`` most connected members of the 50 largest groups across groups, and for
every gap the ``per_group`` most connected actors of the area on each side of it.
Everything else is vectorised with sparse matrices and bit masks.

Reasons contain actor labels and topic names: user text, to be escaped when rendered.
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import networkx as nx
import numpy as np
import scipy.sparse as sp

from graph._util import node_area, sort_key
from graph.transitions import ARROW

TOPIC_BONUS = 1.0
EXTRA_TOPIC_BONUS = 0.25
BRIDGE_BONUS = 1.5
GAP_BONUS = 2.0
MAX_GROUPS = 50


@dataclass
class Suggestion:
    source: Hashable
    target: Hashable
    score: float
    reasons: list[str]
    source_label: str = ""
    target_label: str = ""
    common_partners: int = 0
    shared_topics: list[str] = field(default_factory=list)
    closes_gaps: list[dict[str, str]] = field(default_factory=list)


def _popcount(words: np.ndarray) -> np.ndarray:
    """Set bits per row of a uint64 matrix."""
    if hasattr(np, "bitwise_count"):
        counts: np.ndarray = np.bitwise_count(words).sum(axis=1).astype(np.int64)
        return counts
    as_bytes = words.view(np.uint8).reshape(words.shape[0], -1)
    table = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)
    looked_up: np.ndarray = table[as_bytes].sum(axis=1)
    return looked_up


def _bitmasks(values: Sequence[Sequence[str]], vocabulary: Mapping[str, int]) -> np.ndarray:
    words = max(1, (len(vocabulary) + 63) // 64)
    masks = np.zeros((len(values), words), dtype=np.uint64)
    for i, items in enumerate(values):
        for item in items:
            bit = vocabulary.get(item)
            if bit is not None:
                masks[i, bit // 64] |= np.uint64(1) << np.uint64(bit % 64)
    return masks


def _german_partners(count: int) -> str:
    return "1 gemeinsamer Partner" if count == 1 else f"{count} gemeinsame Partner"


def _german_topics(topics: list[str]) -> str:
    if len(topics) == 1:
        return f"gemeinsames Themenfeld {topics[0]}"
    return "gemeinsame Themenfelder " + ", ".join(topics)


def suggest_ties(graph: nx.Graph, *, community_of: Mapping[Hashable, int] | None = None,
                 community_labels: Mapping[int, str] | None = None, gaps: Sequence[Mapping[str, str]] = (),
                 stage_order: Sequence[str] = (), top_n: int = 20, per_group: int = 3,
                 stage_labels: Mapping[str, str] | None = None, area_level: int | None = None,
                 require_shared_topic: bool = True, hub_limit: int = 300) -> list[Suggestion]:
    """The ``top_n`` best pairs not yet tied (see the module docstring for the score).

    ``gaps`` are ``graph.transitions`` gaps computed at the same ``area_level``.
    """
    undirected = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    order = list(undirected.nodes)
    n = len(order)
    if n < 2 or top_n <= 0:
        return []
    community_of = community_of or {}
    community_labels = community_labels or {}
    stage_labels = stage_labels or {}
    data = [undirected.nodes[v] for v in order]

    A = nx.to_scipy_sparse_array(undirected, nodelist=order, weight=None, format="csr", dtype=np.float64)
    A.setdiag(0)
    A.eliminate_zeros()
    A.data[:] = 1.0
    degree = np.diff(A.indptr)
    with np.errstate(divide="ignore"):
        inv_log = np.where(degree > 1, 1.0 / np.log(np.maximum(degree, 2)), 0.0)

    topic_lists = [tuple(d.get("topics", ()) or ()) for d in data]
    vocabulary = {t: i for i, t in enumerate(sorted({t for ts in topic_lists for t in ts}))}
    topic_words = _bitmasks(topic_lists, vocabulary)
    if not vocabulary:
        require_shared_topic = False

    pairs = [(x, y) for x, y in zip(stage_order, stage_order[1:])][:62]
    stage_bits = {s: i for i, s in enumerate(stage_order[:63])}
    stage_mask = np.zeros(n, dtype=np.int64)
    for i, d in enumerate(data):
        for s in d.get("life_stages", ()) or ():
            if s in stage_bits:
                stage_mask[i] |= 1 << stage_bits[s]
    areas = [node_area(d, area_level) for d in data]
    area_ids = {a: i for i, a in enumerate(sorted(set(areas)))}
    area_index = np.array([area_ids[a] for a in areas], dtype=np.int64)
    transition_bit = {f"{x}{ARROW}{y}": i for i, (x, y) in enumerate(pairs)}
    gap_mask = np.zeros(len(area_ids), dtype=np.int64)
    gap_set = set()
    for gap in gaps:
        bit, area = transition_bit.get(gap.get("transition", "")), gap.get("area", "")
        if bit is not None and area in area_ids:
            gap_mask[area_ids[area]] |= 1 << bit
            gap_set.add((area, bit))
    community = np.array([community_of.get(v, -1) for v in order], dtype=np.int64)

    # --- candidates ---------------------------------------------------------------------------
    middles = np.flatnonzero((degree >= 2) & (degree <= hub_limit))
    hubs = np.flatnonzero(degree > hub_limit)
    aa_two_hop = keys_two_hop = np.zeros(0)
    if len(middles):
        left = A[:, middles]
        aa = left @ sp.diags_array(inv_log[middles]) @ left.T.tocsr()
        aa = sp.triu(aa - aa.multiply(A), k=1).tocsr()          # drop pairs already tied
        aa.eliminate_zeros()
        aa.sort_indices()
        rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(aa.indptr))
        keys_two_hop = rows * n + aa.indices                      # sorted: row-major, sorted columns
        aa_two_hop = aa.data
    extra: list[tuple[int, int]] = []
    by_degree = sorted(range(n), key=lambda i: (-degree[i], sort_key(order[i])))
    leaders: dict[int, list[int]] = {}
    sizes: dict[int, int] = {}
    for i in range(n):
        if community[i] >= 0:
            sizes[int(community[i])] = sizes.get(int(community[i]), 0) + 1
    biggest = set(sorted(sizes, key=lambda c: (-sizes[c], c))[:MAX_GROUPS])
    for i in by_degree:
        group = int(community[i])
        if group in biggest and len(leaders.setdefault(group, [])) < per_group:
            leaders[group].append(i)
    for a_group, b_group in combinations(sorted(leaders), 2):
        extra.extend((a, b) for a in leaders[a_group] for b in leaders[b_group])
    in_area: dict[str, list[int]] = {}
    for i in by_degree:
        in_area.setdefault(areas[i], []).append(i)
    for area, bit in sorted(gap_set):
        x_bit, y_bit = 1 << bit, 1 << (bit + 1)
        members = in_area.get(area, [])
        side_x = [i for i in members if stage_mask[i] & x_bit][:per_group]
        side_y = [i for i in members if stage_mask[i] & y_bit][:per_group]
        extra.extend((a, b) for a in side_x for b in side_y if a != b)
    keys = keys_two_hop.astype(np.int64)
    if extra:
        e = np.array(extra, dtype=np.int64)
        lo, hi = np.minimum(e[:, 0], e[:, 1]), np.maximum(e[:, 0], e[:, 1])
        extra_keys = np.unique(lo[lo != hi] * n + hi[lo != hi])
        if len(keys_two_hop):
            pos = np.minimum(np.searchsorted(keys_two_hop, extra_keys), len(keys_two_hop) - 1)
            extra_keys = extra_keys[keys_two_hop[pos] != extra_keys]
        if len(extra_keys):   # (indexing a sparse array with nothing gives a sparse array, not an empty one)
            tied = np.asarray(A[extra_keys // n, extra_keys % n]).ravel() != 0
            keys = np.concatenate([keys, extra_keys[~tied]])
    if len(keys) == 0:
        return []
    u, v = keys // n, keys % n

    # --- features -----------------------------------------------------------------------------
    aa_score = np.zeros(len(keys))
    aa_score[:len(keys_two_hop)] = aa_two_hop                     # the two-step pairs come first
    if len(hubs):
        H = A[:, hubs].tocsr()
        aa_score += H[u].multiply(H[v]).tocsr() @ inv_log[hubs]
    shared = topic_words[u] & topic_words[v]
    shared_count = _popcount(shared)
    transitions_served = (stage_mask[u] & (stage_mask[v] >> 1)) | (stage_mask[v] & (stage_mask[u] >> 1))
    closes = transitions_served & (gap_mask[area_index[u]] | gap_mask[area_index[v]])
    # Cells, not transitions: a Kita in Olewig and a school in Ehrang, both without a
    # Kita→school cooperation, fill two empty cells (the tie counts in both areas).
    other_area = area_index[u] != area_index[v]
    closes_count = (_popcount((transitions_served & gap_mask[area_index[u]]).astype(np.uint64).reshape(-1, 1))
                    + other_area * _popcount((transitions_served & gap_mask[area_index[v]])
                                             .astype(np.uint64).reshape(-1, 1)))
    bridging = (community[u] >= 0) & (community[v] >= 0) & (community[u] != community[v])

    qualifies = (shared_count > 0) | (closes_count > 0) | (not require_shared_topic)
    qualifies &= (aa_score > 0) | (shared_count > 0) | (closes_count > 0) | bridging
    score = (aa_score + np.where(shared_count > 0, TOPIC_BONUS + EXTRA_TOPIC_BONUS * (shared_count - 1), 0.0)
             + BRIDGE_BONUS * bridging + GAP_BONUS * closes_count)
    chosen = np.flatnonzero(qualifies)
    if len(chosen) == 0:
        return []
    rank = np.empty(n, dtype=np.int64)
    rank[sorted(range(n), key=lambda i: sort_key(order[i]))] = np.arange(n)
    ru, rv = rank[u[chosen]], rank[v[chosen]]
    first, second = np.minimum(ru, rv), np.maximum(ru, rv)
    best = chosen[np.lexsort((second, first, -np.round(score[chosen], 9)))][:top_n]

    topic_names = sorted(vocabulary, key=vocabulary.__getitem__)
    result = []
    for c in best:
        a, b = int(u[c]), int(v[c])
        if rank[a] > rank[b]:
            a, b = b, a
        reasons = []
        partners = len(set(undirected.adj[order[a]]) & set(undirected.adj[order[b]]))
        if partners:
            reasons.append(_german_partners(partners))
        topics = sorted(topic_names[bit] for bit in range(len(topic_names))
                        if int(shared[c, bit // 64]) >> (bit % 64) & 1)
        if topics:
            reasons.append(_german_topics(topics))
        if bridging[c]:
            ca, cb = int(community[a]), int(community[b])
            name_a, name_b = community_labels.get(ca, ca), community_labels.get(cb, cb)
            reasons.append(f"verbindet die Gruppen »{name_a}« und »{name_b}«")
        closed = []
        for bit, (x, y) in enumerate(pairs):
            if not int(closes[c]) >> bit & 1:
                continue
            for area in sorted({areas[a], areas[b]}):
                if (area, bit) in gap_set:
                    closed.append({"area": area, "transition": f"{x}{ARROW}{y}"})
                    reasons.append(f"schließt die Lücke {stage_labels.get(x, x)} {ARROW} "
                                   f"{stage_labels.get(y, y)} in {area}")
        result.append(Suggestion(
            source=order[a], target=order[b], score=round(float(score[c]), 6), reasons=reasons,
            source_label=str(data[a].get("label", order[a])), target_label=str(data[b].get("label", order[b])),
            common_partners=partners, shared_topics=topics, closes_gaps=closed))
    return result
