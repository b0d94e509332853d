"""The one entry point (``analyse``) and the result cache."""
from __future__ import annotations

import json
import threading
import time
from datetime import date

import networkx as nx
import pytest

from graph.analysis import analyse
from graph.cache import AnalysisCache, cache_key
from graph.cut import Cut
from graph.records import EdgeRecord, NodeRecord

STAGES = ("fruehkindlich", "primar", "sek")
OLEWIG = ("Stadt Trier", "Trier-Olewig")
EHRANG = ("Stadt Trier", "Trier-Ehrang")


def _landscape():
    nodes = [
        NodeRecord(1, "Kita <St. Anna>", kind="Kita", category="Kita", area_path=OLEWIG,
                   life_stages=("fruehkindlich",), topics=("Sprache",)),
        NodeRecord(2, "Grundschule Olewig", kind="Grundschule", category="Schule", area_path=OLEWIG,
                   life_stages=("primar",), topics=("Sprache", "MINT")),
        NodeRecord(3, "Realschule plus Ehrang", kind="Realschule plus", category="Schule", area_path=EHRANG,
                   life_stages=("sek",), topics=("MINT",)),
        NodeRecord(4, "IHK Trier", kind="Kammer", category="Wirtschaft", area_path=EHRANG, topics=("MINT",)),
        NodeRecord(5, "Stadtbibliothek", kind="Bibliothek", category="Kultur", area_path=OLEWIG,
                   topics=("Sprache",)),
        NodeRecord(6, "Grundschule Ehrang", kind="Grundschule", category="Schule", area_path=EHRANG,
                   life_stages=("primar",), topics=("MINT",)),
        NodeRecord(7, "Einzelkämpferin", kind="Lernbegleiterin", category="Person", area_path=EHRANG),
    ]
    edges = [
        EdgeRecord(1, 2, start=date(2019, 1, 1), ref="cooperation:1", life_stages=("fruehkindlich", "primar")),
        EdgeRecord(2, 5, start=date(2020, 1, 1), ref="cooperation:2", topics=("Sprache",)),
        EdgeRecord(1, 5, start=date(2020, 1, 1), ref="cooperation:3"),
        EdgeRecord(2, 3, start=date(2021, 1, 1), end=date(2022, 6, 30), ref="cooperation:4"),
        EdgeRecord(3, 4, start=date(2021, 1, 1), ref="cooperation:5", directed=True, type="Förderung"),
        EdgeRecord(4, 6, start=date(2023, 1, 1), ref="cooperation:6", topics=("MINT",)),
        EdgeRecord(2, 4, layer="event", start=date(2023, 5, 1), ref="event:1"),
    ]
    return nodes, edges


def test_analysis_is_json_ready_deterministic_and_complete() -> None:
    nodes, edges = _landscape()
    result = analyse(nodes, edges, Cut(as_of=date(2022, 1, 1)), stage_order=STAGES)
    data = result.to_dict()
    text = json.dumps(data, allow_nan=False)                    # no NaN, no sets, no dates, no numpy
    assert json.loads(text) == data
    assert data == analyse(nodes, edges, Cut(as_of=date(2022, 1, 1)), stage_order=STAGES).to_dict()
    assert set(data) == {"network", "actors", "communities", "modularity", "fragility", "transitions",
                         "suggestions", "cut", "parameters", "change"}
    assert "timings" not in data and set(result.timings) >= {"cut", "build", "metrics", "suggestions"}
    assert data["cut"]["as_of"] == "2022-01-01" and data["cut"]["layers"] == ["cooperation"]
    network = data["network"]
    assert (network["nodes"], network["edges"], network["components"]) == (7, 5, 3)   # 6 not yet tied, 7 never
    assert network["reciprocity"] == 0.0                             # the funding is not returned
    assert network["engine"] == "networkx" and network["betweenness_pivots"] is None
    assert [a["betweenness"] for a in data["actors"]] == sorted((a["betweenness"] for a in data["actors"]),
                                                               reverse=True)
    assert data["actors"][0]["label"] == "Grundschule Olewig"        # the broker between Olewig and Ehrang
    assert data["actors"][0]["area_at_level"] == "Trier-Olewig"
    assert all(c["label"] for c in data["communities"])
    assert data["fragility"]["isolates"] == [6, 7]
    assert data["transitions"]["cells"]["Trier-Olewig"]["fruehkindlich→primar"]["refs"] == ["cooperation:1"]
    assert data["change"] is None


def test_analysis_with_a_window_includes_the_change() -> None:
    nodes, edges = _landscape()
    data = analyse(nodes, edges, Cut(since=date(2021, 6, 30), until=date(2023, 6, 30)), stage_order=STAGES).to_dict()
    assert data["change"]["new"] == ["cooperation:6"] and data["change"]["ended"] == ["cooperation:4"]
    assert data["change"]["then"] == "2021-06-30"
    assert data["change"]["new_ties"][0]["start"] == "2023-01-01"


def test_analysis_of_a_topic_and_of_nothing() -> None:
    nodes, edges = _landscape()
    mint = analyse(nodes, edges, Cut(topics={"MINT"})).to_dict()
    assert sorted(a["id"] for a in mint["actors"]) == [2, 3, 4, 6]
    assert mint["network"]["edges"] == 3
    empty = analyse([], []).to_dict()
    assert empty["network"]["nodes"] == 0 and empty["actors"] == [] and empty["communities"] == []
    assert empty["suggestions"] == [] and empty["modularity"] == 0.0
    with pytest.raises(ValueError):
        analyse(nodes, edges, engine="gephi")


def test_both_engines_give_the_same_analysis_numbers(as_records) -> None:
    nodes, edges, _ = as_records(nx.les_miserables_graph())
    slow = analyse(nodes, edges, engine="networkx").to_dict()
    fast = analyse(nodes, edges, engine="igraph").to_dict()
    for key in ("nodes", "edges", "density", "average_path_length", "diameter", "average_clustering"):
        assert fast["network"][key] == pytest.approx(slow["network"][key], rel=1e-9)
    slow_actors = {a["id"]: a for a in slow["actors"]}
    for actor in fast["actors"]:
        for key in ("betweenness", "closeness", "eigenvector", "pagerank", "constraint"):
            assert actor[key] == pytest.approx(slow_actors[actor["id"]][key], rel=1e-9, abs=1e-12)
    assert fast["parameters"]["community_engine"] == "igraph" and fast["modularity"] > 0.5


def test_karate_analysis_finds_the_two_leaders(as_records) -> None:
    nodes, edges, _ = as_records(nx.karate_club_graph(), category="club")
    data = analyse(nodes, edges, seed=1).to_dict()
    assert data["network"]["nodes"] == 34 and data["modularity"] > 0.35
    assert {"0", "33"} <= {c["label"] for c in data["communities"]}
    assert [a["id"] for a in data["actors"][:2]] == [0, 33]


def test_cache_is_an_lru_keyed_by_data_version_cut_and_parameters() -> None:
    cache = AnalysisCache(maxsize=2)
    a = cache_key("v1", Cut(), {"seed": 42, "stage_order": ["a", "b"]})
    b = cache_key("v1", Cut(topics={"MINT"}), {"seed": 42})
    c = cache_key("v2", Cut(), {"seed": 42, "stage_order": ["a", "b"]})
    assert a == cache_key("v1", Cut(), {"stage_order": ["a", "b"], "seed": 42}) and a != c
    assert cache.get(a) is None and cache.misses == 1
    cache.put(a, "A")
    cache.put(b, "B")
    assert cache.get(a) == "A"                                    # a is now the most recent
    cache.put(c, "C")                                             # evicts b
    assert b not in cache and cache.get(a) == "A" and cache.get(c) == "C" and len(cache) == 2
    assert cache.hits == 3
    cache.clear()
    assert len(cache) == 0
    with pytest.raises(ValueError):
        AnalysisCache(maxsize=0)


def test_cache_computes_once_for_concurrent_requests() -> None:
    cache = AnalysisCache()
    calls: list[int] = []

    def slow() -> str:
        calls.append(1)
        time.sleep(0.05)
        return "result"

    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get_or_compute("k", slow))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["result"] * 8 and len(calls) == 1

    def broken() -> str:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        cache.get_or_compute("bad", broken)
    assert "bad" not in cache                                     # failures are not cached
