"""Eigenvector, PageRank, degree centrality, clustering and closeness against published values,
raw and normalised, on the four graphs networkx ships; both engines.

Conventions (graph/metrics.py): ties unweighted here (the published tables are), degree
centrality = degree / (n-1), closeness = (n-1) / Σ distances on a connected graph (raw: the
distance sum Σ d), eigenvector centrality of unit length (networkx, igraph ``scale=False``;
divided by the largest value it is the "max = 1" scale of UCINET and Gephi), PageRank with
damping 0.85 summing to 1, clustering = triangles / (k(k-1)/2) (raw: the triangles).

Sources of the published values, cited per graph below:

* [Z] Zachary (1977), karate club; tables as printed in Slaps Lab, "Centrality Metrics via
  NetworkX, Python" (Medium, 15 Nov 2020): degree centrality 33 → 0.5152, 0 → 0.4848.
* [A] the audit of issue 5 (values from the usual textbook tables of these graphs):
  karate eigenvector 33 → 0.3734, 0 → 0.3555; karate closeness 0 → 0.5690; karate PageRank
  33 → 0.1009; Florentine Medici closeness 0.560 and eigenvector 0.430; kite Diane degree
  centrality 0.667.
* [M] University of Michigan, "Applied Data Science with Python", course 5 notebook "Page
  Rank" (github.com/wrjpd/Applied-Data-Science-with-Python): ``nx.pagerank`` of the karate
  club *with* Zachary's interaction counts as weights: 0 → 0.0885, 33 → 0.0970, 32 → 0.0759.
* [J] Jackson, "Social and Economic Networks" (2008), Table 2.1 (Florentine marriages):
  Medici degree centrality .43, closeness .56, betweenness .52.
* [K] Krackhardt (1990), "Assessing the political landscape", the kite: Diane has the most
  ties (6 of 9 others), Fernando and Garth are closest (9/14), Heather brokers.
* [W] Wayne State University SIS, "Social Network Analysis: Understanding a Novel!" (NodeXL on
  Les Misérables): 77 characters, 254 ties, Valjean acquainted with 36, diameter 5.
* [N] networkx documentation of ``eigenvector_centrality`` (1.x–3.x): path of 4 nodes →
  0.37, 0.60, 0.60, 0.37.
* [H] by hand from the graph (triangle counts, distance sums), where a table gives no number.
"""
from __future__ import annotations

import networkx as nx
import pytest

from graph.build import build_graph
from graph.metrics import compute_metrics
from graph.records import EdgeRecord, NodeRecord

ENGINES = ("networkx", "igraph")
ABS = 5e-5          # published tables print four decimals


def _metrics(graph: nx.Graph, engine: str, weighted: bool = False):
    order = list(graph.nodes)
    index = {v: i for i, v in enumerate(order)}
    nodes = [NodeRecord(index[v], str(v)) for v in order]
    edges = [EdgeRecord(index[u], index[v], weight=float(d.get("weight", 1)) if weighted else 1.0)
             for u, v, d in graph.edges(data=True)]
    result = compute_metrics(build_graph(nodes, edges), engine=engine, pivots=None)
    return {v: result.nodes[index[v]] for v in order}


def _max_scaled(metrics, name: str):
    top = max(getattr(m, name) for m in metrics.values())
    return {v: getattr(m, name) / top for v, m in metrics.items()}


@pytest.mark.parametrize("engine", ENGINES)
def test_karate_club(engine: str) -> None:
    m = _metrics(nx.karate_club_graph(), engine)
    n = 34
    # Degree: raw 17 and 16 [H]; normalised 0.5152 and 0.4848 [Z].
    assert (m[33].degree, m[0].degree) == (17, 16)
    assert m[33].degree_centrality == pytest.approx(0.5152, abs=ABS)
    assert m[0].degree_centrality == pytest.approx(0.4848, abs=ABS)
    # Eigenvector: unit length 0.3734 and 0.3555 [A]; on the max = 1 scale 1.0 and 0.3555/0.3734.
    assert m[33].eigenvector == pytest.approx(0.3734, abs=ABS)
    assert m[0].eigenvector == pytest.approx(0.3555, abs=ABS)
    assert sum(x.eigenvector ** 2 for x in m.values()) == pytest.approx(1.0)
    scaled = _max_scaled(m, "eigenvector")
    assert scaled[33] == 1.0 and scaled[0] == pytest.approx(0.3555 / 0.3734, abs=5e-4)
    # PageRank: 33 → 0.1009 [A], 0 → 0.0970 [H: second of the table]; a distribution.
    assert m[33].pagerank == pytest.approx(0.1009, abs=ABS)
    assert m[0].pagerank == pytest.approx(0.0970, abs=ABS)
    assert sum(x.pagerank for x in m.values()) == pytest.approx(1.0)
    # Closeness: 0 → 0.5690 [A]; raw, its distances to the 33 others sum to 58 [H] (33/58).
    assert m[0].closeness == pytest.approx(0.5690, abs=ABS)
    assert (n - 1) / m[0].closeness == pytest.approx(58.0)
    assert m[33].closeness == pytest.approx(33 / 60)                 # [H] distance sum 60
    # Clustering: Mr Hi's 16 partners share 18 ties (18/120 = 0.15), the officer's 17 share 15
    # (15/136 = 0.1103) [H]; the mean is the published 0.5706 (tested in test_graph_published).
    assert m[0].clustering == pytest.approx(18 / 120) and m[0].clustering == pytest.approx(0.15)
    assert m[33].clustering == pytest.approx(15 / 136) and m[33].clustering == pytest.approx(0.1103, abs=ABS)


@pytest.mark.parametrize("engine", ENGINES)
def test_karate_club_weighted_pagerank(engine: str) -> None:
    """[M]: with Zachary's interaction counts as tie strength."""
    m = _metrics(nx.karate_club_graph(), engine, weighted=True)
    assert m[0].pagerank == pytest.approx(0.0885, abs=ABS)
    assert m[33].pagerank == pytest.approx(0.0970, abs=ABS)
    assert m[32].pagerank == pytest.approx(0.0759, abs=ABS)


@pytest.mark.parametrize("engine", ENGINES)
def test_florentine_families(engine: str) -> None:
    m = _metrics(nx.florentine_families_graph(), engine)
    medici, strozzi = m["Medici"], m["Strozzi"]
    # Degree 6 of 14 others: .43 [J]; Strozzi 4 → 0.2857 [H].
    assert medici.degree == 6 and medici.degree_centrality == pytest.approx(0.43, abs=5e-3)
    assert strozzi.degree_centrality == pytest.approx(4 / 14)
    # Closeness 0.560 [A, J]: distance sum 25 to the 14 others [H].
    assert medici.closeness == pytest.approx(0.560, abs=5e-4)
    assert 14 / medici.closeness == pytest.approx(25.0)
    # Eigenvector 0.430 [A]; the Medici are the most central, so 1.0 on the max = 1 scale.
    assert medici.eigenvector == pytest.approx(0.430, abs=5e-4)
    assert _max_scaled(m, "eigenvector")["Medici"] == 1.0
    # PageRank: the Medici lead (0.1458) [H]; a distribution over the 15 families.
    assert max(m, key=lambda v: m[v].pagerank) == "Medici"
    assert medici.pagerank == pytest.approx(0.1458, abs=ABS)
    assert sum(x.pagerank for x in m.values()) == pytest.approx(1.0)
    # Clustering: of the Medici's 15 pairs of partners one is married (Ridolfi–Tornabuoni),
    # 1/15; Strozzi 2 of 6 [H].
    assert medici.clustering == pytest.approx(1 / 15)
    assert strozzi.clustering == pytest.approx(2 / 6)


@pytest.mark.parametrize("engine", ENGINES)
def test_krackhardt_kite(engine: str) -> None:
    m = _metrics(nx.krackhardt_kite_graph(), engine)
    # networkx numbers the kite Andre 0, Beverly 1, Carol 2, Diane 3, Ed 4, Fernando 5, Garth 6,
    # Heather 7, Ike 8, Jane 9.
    diane, fernando, heather, jane = m[3], m[5], m[7], m[9]
    # Degree: Diane 6 [K] → 6/9 = 0.667 [A].
    assert diane.degree == 6 and diane.degree_centrality == pytest.approx(0.667, abs=5e-4)
    assert jane.degree_centrality == pytest.approx(1 / 9)
    # Closeness (not asked for the kite by the audit, but [K] names it): 9/14 [K].
    assert fernando.closeness == pytest.approx(9 / 14)
    # Eigenvector: Diane is the most central (0.4810) [H]; Jane, at the tail, the least.
    assert max(m, key=lambda v: m[v].eigenvector) == 3
    assert diane.eigenvector == pytest.approx(0.4810, abs=ABS)
    assert min(m, key=lambda v: m[v].eigenvector) == 9
    # PageRank follows degree here: Diane 0.1471, Jane 0.0514 [H].
    assert diane.pagerank == pytest.approx(0.1471, abs=ABS) and jane.pagerank == pytest.approx(0.0514, abs=ABS)
    # Clustering: Carol's 3 partners are all tied (1.0); Diane's 6 share 8 of 15 pairs;
    # Heather's 3 share 1 (Fernando–Garth) [H].
    assert m[2].clustering == 1.0
    assert diane.clustering == pytest.approx(8 / 15)
    assert heather.clustering == pytest.approx(1 / 3)


@pytest.mark.parametrize("engine", ENGINES)
def test_les_miserables(engine: str) -> None:
    m = _metrics(nx.les_miserables_graph(), engine)
    valjean = m["Valjean"]
    # Degree 36 [W] of 76 others: 0.4737.
    assert valjean.degree == 36 and valjean.degree_centrality == pytest.approx(36 / 76)
    # Closeness 0.6441 [H]: distance sum 118 to the 76 others.
    assert valjean.closeness == pytest.approx(76 / 118)
    assert valjean.closeness == pytest.approx(0.6441, abs=ABS)
    # Eigenvector (unweighted): Gavroche 0.3178 leads the barricade cluster, Valjean 0.2676 [H].
    assert valjean.eigenvector == pytest.approx(0.2676, abs=ABS)
    assert max(m, key=lambda v: m[v].eigenvector) == "Gavroche"
    # PageRank: Valjean first (0.0754) [H].
    assert max(m, key=lambda v: m[v].pagerank) == "Valjean"
    assert valjean.pagerank == pytest.approx(0.0754, abs=ABS)
    # Clustering: Valjean's 36 partners share 76 of their 630 pairs (0.1206); Myriel's 10
    # share 3 of 45 [H].
    assert valjean.clustering == pytest.approx(76 / 630)
    assert m["Myriel"].clustering == pytest.approx(3 / 45)


@pytest.mark.parametrize("engine", ENGINES)
def test_eigenvector_of_a_path_is_the_documented_example(engine: str) -> None:
    """[N]: networkx's documented example, path of four nodes."""
    m = _metrics(nx.path_graph(4), engine)
    assert [round(m[v].eigenvector, 2) for v in range(4)] == [0.37, 0.60, 0.60, 0.37]
