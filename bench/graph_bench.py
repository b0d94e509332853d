"""Timing of the network analysis (``graph/``) on the demo region and synthetic landscapes; never a test.

Run:  .venv/bin/python bench/graph_bench.py            demo region (real), 5k check, 20k/100k, 20k error
      .venv/bin/python bench/graph_bench.py --quick    demo region and a 2,000-actor check only

The real demo region is loaded with ``crm.demo.generator.load_demo`` into a scratch SQLite
database (migrations, vocabularies, demo data) and analysed with all three layers, as the
analysis page does with every layer switched on (147 actors, ~8,000 ties after collapse).

Synthetic landscapes are seeded and shaped like the demo region (Stadt Trier with
Stadtteile, Landkreis with Verbandsgemeinden; Kitas, schools, BBS, Hochschule, VHS,
chambers, companies, associations, a few hubs such as the Bildungsbüro), ties mostly local
and between neighbouring life stages, dated 2012–2026 with some ended.

Prints a table per landscape and writes ``bench/results/graph.json``. Also measures the
error of sampled betweenness against exact betweenness, at 5,000 actors for several pivot
counts and at 20,000 actors / 100,000 ties for the pivots ``analyse()`` uses there (exact
betweenness takes ~160 s there: bench only), and whether the stated standard error is honest.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import networkx as nx
from scipy.stats import spearmanr

from graph.analysis import analyse
from graph.build import build_graph
from graph.communities import communities
from graph.cut import Cut, apply_cut
from graph.engine import to_igraph, use_igraph
from graph.fragility import fragility
from graph.metrics import (
    _betweenness,
    _betweenness_with_error,
    _closeness,
    _clustering,
    _eigenvector,
    _pagerank,
    betweenness_plan,
    network_metrics,
    structural_holes,
)
from graph.records import EdgeRecord, NodeRecord
from graph.suggest import suggest_ties
from graph.transitions import transition_matrix

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
            "betweenness_error": net.get("betweenness_error"), "closeness_pivots": net.get("closeness_pivots"),
            "analysis_steps": {k: round(v, 4) for k, v in result.timings.items()}, "steps": rows}


def _compare(exact: dict, estimate: dict, se: dict) -> dict[str, Any]:
    """How a sampled betweenness compares with the exact one (top 10 / top 50 by exact value)."""
    ranked = sorted(exact, key=exact.get, reverse=True)
    top10, top50 = ranked[:10], ranked[:50]
    guess = sorted(estimate, key=estimate.get, reverse=True)
    error = sum(abs(estimate[v] - exact[v]) / exact[v] for v in top50) / len(top50)
    order = list(exact)
    result = {"mean_relative_error_top50": round(error, 4),
              "top10_found": len(set(top10) & set(guess[:10])), "top50_found": len(set(top50) & set(guess[:50])),
              "spearman_all": round(float(spearmanr([exact[v] for v in order],
                                                    [estimate[v] for v in order]).statistic), 4)}
    if se:
        result["mean_relative_se_top50"] = round(sum(se[v] / estimate[v] for v in top50 if estimate[v]) / 50, 4)
        result["within_2se_top50"] = sum(abs(estimate[v] - exact[v]) <= 2 * se[v] for v in top50)
    return result


def sampling_error(n: int, m: int, pivot_counts: tuple[int, ...], seeds: tuple[int, ...] = (42,)) -> dict[str, Any]:
    """Sampled against exact betweenness (igraph) on one landscape, with the stated error."""
    print(f"\nStichprobenfehler der Betweenness, {n:,} Akteure / {m:,} Kooperationen".replace(",", "."), flush=True)
    nodes, edges = landscape(n, m, seed=2)
    graph = build_graph(nodes, edges)
    view = to_igraph(graph)
    start = time.perf_counter()
    exact, _ = _betweenness(graph, view, None, 42, False)
    exact_seconds = time.perf_counter() - start
    print(f"  exakt: {exact_seconds:.2f} s", flush=True)
    report: dict[str, Any] = {"actors": n, "ties": graph.number_of_edges(), "exact_seconds": round(exact_seconds, 3),
                              "auto_pivots": betweenness_plan(n, graph.number_of_edges(), "auto"), "samples": []}
    estimates = {}
    for k in pivot_counts:
        for seed in seeds:
            start = time.perf_counter()
            estimate, _, se, batches = _betweenness_with_error(graph, view, k, seed, False)
            seconds = time.perf_counter() - start
            estimates[(k, seed)] = estimate
            row = {"pivots": k, "seed": seed, "batches": batches, "seconds": round(seconds, 3),
                   **_compare(exact, estimate, se)}
            print(f"  {k:5d} Pivots (Seed {seed}): {seconds:6.2f} s, mittl. rel. Abweichung Top 50 "
                  f"{row['mean_relative_error_top50']:6.1%}, angegebener Standardfehler Top 50 "
                  f"{row.get('mean_relative_se_top50', 0):6.1%}, innerhalb 2 SE {row.get('within_2se_top50')}/50, "
                  f"Top 50 gefunden {row['top50_found']}/50, Top 10 gefunden {row['top10_found']}/10, "
                  f"Spearman {row['spearman_all']:.3f}", flush=True)
            report["samples"].append(row)
    for k in pivot_counts:
        if len(seeds) >= 2:
            a, b = estimates[(k, seeds[0])], estimates[(k, seeds[1])]
            ta, tb = (sorted(x, key=x.get, reverse=True) for x in (a, b))
            top = ta[:50]
            agree = {"pivots": k, "seeds": list(seeds[:2]), "top10_agree": len(set(ta[:10]) & set(tb[:10])),
                     "top50_agree": len(set(ta[:50]) & set(tb[:50])),
                     "mean_relative_difference_top50": round(sum(abs(a[v] - b[v]) / a[v] for v in top) / 50, 4)}
            print(f"  {k:5d} Pivots, zwei Seeds: Top 10 gleich {agree['top10_agree']}/10, Top 50 gleich "
                  f"{agree['top50_agree']}/50, mittl. rel. Unterschied {agree['mean_relative_difference_top50']:.1%}",
                  flush=True)
            report.setdefault("seed_agreement", []).append(agree)
    return report


def demo_region() -> dict[str, Any]:
    """The real demo region from a scratch SQLite database, analysed with all layers."""
    import tempfile

    print("\nDemo-Region (crm.demo.generator, alle drei Ebenen)", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="bench-graph-"))
    from crm import create_app
    from crm.extensions import db

    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}", "SECRET_KEY": "bench-only",
                      "TESTING": True})
    rows: list[dict[str, Any]] = []
    with app.app_context():
        from flask_migrate import upgrade

        from crm.demo.generator import load_demo
        from crm.services.landscape.vocabularies import seed_vocabularies
        from crm.services.network import records as network
        from crm.services.privacy import audit

        upgrade()
        seed_vocabularies(db.session)
        with audit.suppressed():
            load_demo(db.session)
        db.session.commit()
        land = timed(rows, "Landschaft aus der Datenbank (alle Ebenen)", lambda: network.landscape(db.session))
        result = None
        for layers, label in ((("cooperation",), "Kooperationen"),
                              (("cooperation", "initiative", "event"), "alle Ebenen")):
            cut = Cut(layers=frozenset(layers))
            for attempt in ("kalt", "warm"):
                result = timed(rows, f"analyse() {label}, {attempt}", lambda cut=cut: analyse(
                    land.nodes, land.edges, cut, stage_order=land.stage_order, stage_labels=land.stage_labels))
            print(f"  -> {result.network['nodes']} Akteure, {result.network['edges']} Verbindungen, Engine "
                  f"{result.parameters['engine_used']}", flush=True)
        everything = Cut(layers=frozenset(("cooperation", "initiative", "event")))
        timed(rows, "analyse() alle Ebenen, networkx erzwungen", lambda: analyse(
            land.nodes, land.edges, everything, stage_order=land.stage_order, engine="networkx"))
        summary = {"actors": result.network["nodes"], "ties": result.network["edges"],
                   "records": len(land.edges), "engine": result.parameters["engine_used"],
                   "analysis_steps": {k: round(v, 4) for k, v in result.timings.items()}, "steps": rows}
        db.session.remove()
        db.engine.dispose()
    return summary


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
    results["demo_region"] = demo_region()
    results["landscapes"].append(run(150, 250))
    if args.quick:
        results["landscapes"].append(run(2_000, 10_000))
        results["sampling"] = sampling_error(2_000, 10_000, (200, 500))
    else:
        results["landscapes"].append(run(5_000, 25_000))
        results["sampling"] = sampling_error(5_000, 25_000, (500, 1000, 1500, 2000))
        results["landscapes"].append(run(*args.large))
        n, m = args.large
        auto = betweenness_plan(n, m, "auto")
        results["sampling_large"] = sampling_error(n, m, (1500, auto) if auto and auto != 1500 else (auto,),
                                                   seeds=(42, 43))
    results["load_average_at_end"] = os.getloadavg()
    out = Path(__file__).resolve().parent / "results" / "graph.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nErgebnisse: {out}")


if __name__ == "__main__":
    main()
