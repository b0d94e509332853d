"""Timing of the network analysis on a demo-sized and on a large synthetic landscape.

Run: .venv/bin/python bench/graph_bench.py [--large N M]. Prints a table; never a test.
"""
from __future__ import annotations

import argparse
import random
import time
from datetime import date

from graph.build import build_graph
from graph.communities import communities
from graph.cut import Cut, apply_cut
from graph.fragility import fragility
from graph.metrics import betweenness, closeness, network_metrics, node_metrics
from graph.records import EdgeRecord, NodeRecord
from graph.transitions import transition_matrix

STAGES = ("fruehkindlich", "primar", "sek", "uebergang_sb", "ausbildung", "hochschule", "weiterbildung")
TOPICS = ("MINT", "Sprache", "Digitale Bildung", "Berufsorientierung", "Family Literacy", "BNE")


def landscape(n: int, m: int, seed: int = 1):
    rng = random.Random(seed)
    areas = [f"Gebiet {i}" for i in range(max(5, n // 200))]
    nodes = [NodeRecord(i, f"Akteur {i}", category=rng.choice(("Schule", "Kita", "Wirtschaft", "Verwaltung")),
                        area=(a := rng.choice(areas)), area_path=("Region", a),
                        life_stages=tuple(rng.sample(STAGES, 2)), topics=tuple(rng.sample(TOPICS, 2)))
             for i in range(n)]
    edges, seen = [], set()
    while len(edges) < m:
        u = rng.randrange(n)
        v = rng.randrange(n) if rng.random() < 0.3 else (u + rng.randint(1, 50)) % n  # local clusters
        if u == v or (min(u, v), max(u, v)) in seen:
            continue
        seen.add((min(u, v), max(u, v)))
        start = date(rng.randint(2015, 2026), rng.randint(1, 12), 1)
        edges.append(EdgeRecord(u, v, weight=rng.choice((1, 2, 3)), start=start, ref=f"cooperation:{len(edges)}"))
    return nodes, edges


def timed(label: str, fn, rows: list):
    start = time.perf_counter()
    result = fn()
    rows.append((label, time.perf_counter() - start))
    print(f"  {label:40} {rows[-1][1]:8.3f} s", flush=True)
    return result


def run(n: int, m: int) -> list[tuple[str, float]]:
    rows: list[tuple[str, float]] = []
    nodes, edges = landscape(n, m)
    nodes, edges = timed("Schnitt (Stichtag)", lambda: apply_cut(nodes, edges, Cut(as_of=date(2026, 6, 30))), rows)
    graph = timed("Graph bauen", lambda: build_graph(nodes, edges), rows)
    if n <= 8000:
        exact = timed("Betweenness (igraph, exakt)", lambda: betweenness(graph, "igraph"), rows)
        estimate = timed("Betweenness (igraph, 1500 Pivots)", lambda: betweenness(graph, "igraph", pivots=1500), rows)
        if n > 1500:
            top = sorted(exact, key=exact.get, reverse=True)[:50]
            error = sum(abs(estimate[v] - exact[v]) / exact[v] for v in top) / len(top)
            found = len(set(top) & set(sorted(estimate, key=estimate.get, reverse=True)[:50]))
            print(f"  Stichprobenfehler Top 50: mittlere relative Abweichung {error:.1%}, "
                  f"{found}/50 der Top 50 gefunden", flush=True)
    else:
        timed("Betweenness (igraph, 1500 Pivots)", lambda: betweenness(graph, "auto"), rows)
    timed("Closeness (igraph)", lambda: closeness(graph, "igraph"), rows)
    timed("Alle Akteursmaße inkl. Constraint", lambda: node_metrics(graph, "auto"), rows)
    timed("Netzwerkmaße", lambda: network_metrics(graph), rows)
    timed("Louvain-Gruppen", lambda: communities(graph, seed=42), rows)
    timed("Fragilität", lambda: fragility(graph), rows)
    timed("Übergangsmatrix", lambda: transition_matrix(nodes, edges, STAGES), rows)
    total = sum(t for _, t in rows)
    print(f"  {'Summe':40} {total:8.3f} s", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--large", nargs=2, type=int, default=(20_000, 100_000), metavar=("N", "M"))
    args = parser.parse_args()
    for n, m in ((150, 250), tuple(args.large)):
        print(f"\n{n} Akteure, {m} Kooperationen", flush=True)
        run(n, m)


if __name__ == "__main__":
    main()
