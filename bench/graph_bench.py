"""Timing of the network analysis (``graph/``) on synthetic landscapes; never a test.

Run:  .venv/bin/python bench/graph_bench.py            demo region, 5k check, 20k/100k
      .venv/bin/python bench/graph_bench.py --quick    demo region and a 2,000-actor check only

Landscapes are seeded and shaped like the demo region (Stadt Trier with Stadtteile,
Landkreis with Verbandsgemeinden; Kitas, schools, BBS, Hochschule, VHS, chambers,
companies, associations, a few hubs such as the Bildungsbüro), ties mostly local and
between neighbouring life stages, dated 2012–2026 with some ended.

Prints a table per landscape and writes ``bench/results/graph.json``. Also measures the
error of sampled betweenness against exact betweenness on a mid-size landscape.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import networkx as nx  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402

from graph.analysis import analyse  # noqa: E402
from graph.build import build_graph  # noqa: E402
from graph.communities import communities  # noqa: E402
from graph.cut import Cut, apply_cut  # noqa: E402
from graph.engine import to_igraph, use_igraph  # noqa: E402
from graph.fragility import fragility  # noqa: E402
from graph.metrics import (  # noqa: E402
    _betweenness, _closeness, _clustering, _eigenvector, _pagerank, network_metrics, structural_holes,
)
from graph.records import EdgeRecord, NodeRecord  # noqa: E402
from graph.suggest import suggest_ties  # noqa: E402
from graph.transitions import transition_matrix  # noqa: E402

STAGES = ("fruehkindlich", "primar", "sek", "uebergang_sb", "ausbildung", "hochschule", "weiterbildung",
          "nachberuflich")
TOPICS = ("MINT", "Alphabetisierung und Grundbildung", "Digitale Bildung", "Sprache und Integration",
          "Berufs- und Studienorientierung", "Family Literacy", "Financial Literacy", "Food and Move Literacy",
          "BNE", "Kulturelle Bildung", "Demokratiebildung", "Inklusion")
# kind, category, share, life stages served (indices into STAGES)
KINDS = (("Kita", "Kita", 0.22, (0,)), ("Grundschule", "Schule", 0.14, (1,)),
         ("Realschule plus", "Schule", 0.05, (2, 3)), ("Gymnasium", "Schule", 0.04, (2, 5)),
         ("Berufsbildende Schule", "Schule", 0.03, (3, 4)), ("Förderschule", "Schule", 0.02, (1, 2)),
         ("Hochschule", "Hochschule", 0.01, (5, 6)), ("Volkshochschule", "Weiterbildung", 0.02, (6, 7)),
         ("Bildungsträger", "Weiterbildung", 0.06, (3, 4, 6)), ("Kammer", "Wirtschaft", 0.01, (3, 4)),
         ("Unternehmen", "Wirtschaft", 0.14, (3, 4, 6)), ("Verein", "Zivilgesellschaft", 0.15, (0, 1, 2, 7)),
         ("Bibliothek", "Kultur", 0.03, (0, 1, 2, 6, 7)), ("Jobcenter", "Verwaltung", 0.01, (3, 4, 6)),
         ("Amt", "Verwaltung", 0.07, (0, 1, 2, 3)))


def landscape(n: int, m: int, seed: int = 1) -> tuple[list[NodeRecord], list[EdgeRecord]]:
    rng = random.Random(seed)
    city = [f"Trier-{name}" for name in ("Mitte", "Nord", "Süd", "West", "Ost", "Ehrang", "Pfalzel", "Olewig",
                                         "Heiligkreuz", "Kürenz", "Tarforst", "Feyen", "Euren", "Zewen",
                                         "Biewer", "Ruwer", "Filsch", "Irsch", "Kernscheid")]
    county = [f"VG {name}" for name in ("Konz", "Saarburg-Kell", "Hermeskeil", "Schweich", "Trier-Land",
                                        "Ruwer", "Kell", "Kanzem", "Ayl", "Waldrach")]
    extra_areas = max(0, n // 150 - len(city) - len(county))
    county += [f"Ortsgemeinde {i}" for i in range(extra_areas)]
    paths = [("Stadt Trier", a) for a in city] + [("Landkreis Trier-Saarburg", a) for a in county]
    weights = [k[2] for k in KINDS]
    nodes = []
    for i in range(n):
        kind, category, _, stages = rng.choices(KINDS, weights)[0]
        path = rng.choice(paths)
        served = tuple(STAGES[s] for s in stages)
        topics = tuple(sorted(rng.sample(TOPICS, rng.choice((1, 1, 2, 2, 3)))))
        nodes.append(NodeRecord(i, f"{kind} {i}", kind=kind, category=category, area=path[-1], area_path=path,
                                life_stages=served, topics=topics, active=rng.random() > 0.02))
    by_area: dict[str, list[int]] = {}
    for node in nodes:
        by_area.setdefault(node.area, []).append(node.id)
    hubs = rng.sample(range(n), max(3, n // 1000))        # Bildungsbüro, IHK, VHS, … get many ties
    edges: list[EdgeRecord] = []
    seen: set[tuple[int, int]] = set()
    types = ("Kooperationsvertrag", "Projektpartnerschaft", "Förderung", "Verweisung", "informeller Austausch")
    while len(edges) < m:
        u = rng.randrange(n)
        roll = rng.random()
        if roll < 0.08:
            v = rng.choice(hubs)
        elif roll < 0.78:
            v = rng.choice(by_area[nodes[u].area])       # local ties
        else:
            v = rng.randrange(n)
        if u == v:
            continue
        key = (min(u, v), max(u, v))
        if key in seen:
            continue
        seen.add(key)
        start = date(rng.randint(2012, 2026), rng.randint(1, 12), 1)
        end = date(min(2026, start.year + rng.randint(1, 6)), rng.randint(1, 12), 28) if rng.random() < 0.2 else None
        if end is not None and end < start:
            end = None
        kind = rng.choice(types)
        shared = tuple(sorted(set(nodes[u].topics) & set(nodes[v].topics)))
        edges.append(EdgeRecord(u, v, layer="cooperation", weight=float(rng.choice((1, 2, 3))),
                                directed=kind in ("Förderung", "Verweisung"), type=kind, start=start, end=end,
                                topics=shared[:1] if shared and rng.random() < 0.7 else (),
                                intensity=rng.choice((1, 2, 3)), ref=f"cooperation:{len(edges) + 1}"))
    return nodes, edges


def timed(rows: list[dict[str, Any]], label: str, fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    rows.append({"step": label, "seconds": round(seconds, 4)})
    print(f"  {label:42} {seconds:9.3f} s", flush=True)
    return result


def run(n: int, m: int) -> dict[str, Any]:
    print(f"\n{n:,} Akteure, {m:,} Kooperationen".replace(",", "."), flush=True)
    rows: list[dict[str, Any]] = []
    nodes, edges = landscape(n, m)
    stage_order = STAGES
    cut = Cut(include_inactive=True)
    kept_nodes, kept_edges = timed(rows, "Schnitt", lambda: apply_cut(nodes, edges, cut))
    graph = timed(rows, "Graph bauen (ungerichtet + gerichtet)", lambda: build_graph(kept_nodes, kept_edges))
    directed = build_graph(kept_nodes, kept_edges, directed=True, lean=True)
    fast = use_igraph(graph, "auto")
    view = timed(rows, "igraph-Kopie", lambda: to_igraph(graph)) if fast else None
    raw, pivots = timed(rows, "Betweenness (auto)", lambda: _betweenness(graph, view, "auto", 42, False))
    timed(rows, "Closeness (auto)", lambda: _closeness(graph, view, False, "auto", 42))
    timed(rows, "Eigenvektor (je Komponente)", lambda: _eigenvector(graph, view, "weight"))
    timed(rows, "PageRank (gerichtet)", lambda: _pagerank(directed, to_igraph(directed) if fast else None, 0.85))
    timed(rows, "Clustering", lambda: _clustering(graph, view))
    timed(rows, "Burt-Constraint + effektive Größe", lambda: structural_holes(graph))
    timed(rows, "Netzwerkmaße (inkl. Pfadlänge, Durchmesser)", lambda: network_metrics(graph, directed, view=view))
    partition = timed(rows, "Louvain-Gruppen", lambda: communities(graph, seed=42))
    timed(rows, "Fragilität (Brücken, Gelenkpunkte, lokal)", lambda: fragility(graph))
    matrix = timed(rows, "Übergangsmatrix", lambda: transition_matrix(kept_nodes, kept_edges, stage_order))
    timed(rows, "Vorschläge", lambda: suggest_ties(graph, community_of=partition.membership,
                                                   community_labels=partition.labels(), gaps=matrix["gaps"],
                                                   stage_order=stage_order))
    result = timed(rows, "analyse() komplett", lambda: analyse(nodes, edges, cut, stage_order=stage_order))
    timed(rows, "analyse() Stichtag 2026-06-30",
          lambda: analyse(nodes, edges, Cut(as_of=date(2026, 6, 30)), stage_order=stage_order))
    net = result.network
    print(f"  -> Engine {net['engine']}, Betweenness-Pivots {pivots or 'exakt'}, {net['components']} Komponenten, "
          f"Durchmesser {net['diameter']}, Pfadlänge {net['average_path_length']:.3f}, "
          f"{len(result.communities)} Gruppen, {len(result.suggestions)} Vorschläge", flush=True)
    return {"actors": n, "ties": m, "engine": net["engine"], "betweenness_pivots": pivots,
            "analysis_steps": {k: round(v, 4) for k, v in result.timings.items()}, "steps": rows}


def sampling_error(n: int, m: int, pivot_counts: tuple[int, ...]) -> dict[str, Any]:
    """Sampled against exact betweenness (igraph) on one landscape."""
    print(f"\nStichprobenfehler der Betweenness, {n:,} Akteure / {m:,} Kooperationen".replace(",", "."), flush=True)
    nodes, edges = landscape(n, m, seed=2)
    graph = build_graph(nodes, edges)
    view = to_igraph(graph)
    start = time.perf_counter()
    exact, _ = _betweenness(graph, view, None, 42, False)
    exact_seconds = time.perf_counter() - start
    print(f"  exakt: {exact_seconds:.2f} s", flush=True)
    top = sorted(exact, key=exact.get, reverse=True)[:50]
    report: dict[str, Any] = {"actors": n, "ties": m, "exact_seconds": round(exact_seconds, 3), "samples": []}
    for k in pivot_counts:
        start = time.perf_counter()
        estimate, _ = _betweenness(graph, view, k, 42, False)
        seconds = time.perf_counter() - start
        error = sum(abs(estimate[v] - exact[v]) / exact[v] for v in top) / len(top)
        found = len(set(top) & set(sorted(estimate, key=estimate.get, reverse=True)[:50]))
        top10 = sorted(exact, key=exact.get, reverse=True)[:10]
        found10 = len(set(top10) & set(sorted(estimate, key=estimate.get, reverse=True)[:10]))
        order = list(exact)
        rho = float(spearmanr([exact[v] for v in order], [estimate[v] for v in order]).statistic)
        print(f"  {k:5d} Pivots: {seconds:6.2f} s, mittlere rel. Abweichung Top 50 {error:6.1%}, "
              f"Top 50 gefunden {found}/50, Top 10 gefunden {found10}/10, Spearman (alle) {rho:.3f}", flush=True)
        report["samples"].append({"pivots": k, "seconds": round(seconds, 3), "mean_relative_error_top50":
                                  round(error, 4), "top50_found": found, "top10_found": found10,
                                  "spearman_all": round(rho, 4)})
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="demo region and a small check only")
    parser.add_argument("--large", nargs=2, type=int, default=(20_000, 100_000), metavar=("N", "M"))
    args = parser.parse_args()
    results: dict[str, Any] = {"python": platform.python_version(), "machine": platform.machine(),
                               "cpus": os.cpu_count(), "load_average_at_start": os.getloadavg(),
                               "networkx": nx.__version__, "landscapes": []}
    import igraph
    results["igraph"] = igraph.__version__
    results["landscapes"].append(run(150, 250))
    if args.quick:
        results["landscapes"].append(run(2_000, 10_000))
        results["sampling"] = sampling_error(2_000, 10_000, (200, 500))
    else:
        results["landscapes"].append(run(5_000, 25_000))
        results["sampling"] = sampling_error(5_000, 25_000, (500, 1000, 1500, 2000))
        results["landscapes"].append(run(*args.large))
    results["load_average_at_end"] = os.getloadavg()
    out = Path(__file__).resolve().parent / "results" / "graph.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nErgebnisse: {out}")


if __name__ == "__main__":
    main()
