"""Transition coverage by area, and what changed between two dates."""
from __future__ import annotations

from datetime import date

import pytest

from graph.change import NO_TOPIC, change, ties_per_year_by_topic
from graph.cut import Cut
from graph.records import EdgeRecord, NodeRecord
from graph.transitions import transition_matrix

STAGES = ("fruehkindlich", "primar", "sek", "uebergang_sb")
LABELS = {"fruehkindlich": "Frühkindliche Bildung", "primar": "Primarstufe", "sek": "Sekundarstufe",
          "uebergang_sb": "Übergang Schule–Beruf"}
OLEWIG = ("Stadt Trier", "Trier-Olewig")
EHRANG = ("Stadt Trier", "Trier-Ehrang")
KONZ = ("Landkreis Trier-Saarburg", "VG Konz")

NODES = [
    NodeRecord(1, "Kita St. Anna", area_path=OLEWIG, life_stages=("fruehkindlich",)),
    NodeRecord(2, "Grundschule Olewig", area_path=OLEWIG, life_stages=("primar",)),
    NodeRecord(3, "Realschule plus Ehrang", area_path=EHRANG, life_stages=("sek", "uebergang_sb")),
    NodeRecord(4, "Grundschule Ehrang", area_path=EHRANG, life_stages=("primar",)),
    NodeRecord(5, "BBS Konz", area_path=KONZ, life_stages=("uebergang_sb",)),
    NodeRecord(6, "Familienzentrum", area_path=OLEWIG, life_stages=("fruehkindlich", "primar")),
]
EDGES = [
    EdgeRecord(1, 2, ref="cooperation:1", life_stages=("fruehkindlich", "primar")),
    EdgeRecord(2, 3, ref="cooperation:2"),                                   # Olewig + Ehrang
    EdgeRecord(4, 3, ref="cooperation:3", life_stages=("uebergang_sb",)),    # tagged elsewhere: no primar→sek
    EdgeRecord(3, 5, ref="cooperation:4"),                                   # sek/üSB with üSB
    EdgeRecord(1, 6, ref="cooperation:5"),                                   # Kita with Familienzentrum
    EdgeRecord(1, 4, layer="initiative", ref="initiative:1"),                # not a cooperation
]


def test_cells_count_cooperations_for_both_actors_areas() -> None:
    matrix = transition_matrix(NODES, EDGES, STAGES, stage_labels=LABELS)
    assert matrix["transitions"] == ["fruehkindlich→primar", "primar→sek", "sek→uebergang_sb"]
    assert matrix["labels"]["primar→sek"] == "Primarstufe → Sekundarstufe"
    assert matrix["areas"] == ["Trier-Ehrang", "Trier-Olewig", "VG Konz"]
    cells = matrix["cells"]
    # 1-2 and 1-6 (the Familienzentrum serves both stages) cover the Kita transition in Olewig.
    assert cells["Trier-Olewig"]["fruehkindlich→primar"] == {"count": 2, "refs": ["cooperation:1", "cooperation:5"]}
    # 2-3 crosses Stadtteile: it counts in Olewig and in Ehrang.
    assert cells["Trier-Olewig"]["primar→sek"] == {"count": 1, "refs": ["cooperation:2"]}
    assert cells["Trier-Ehrang"]["primar→sek"] == {"count": 1, "refs": ["cooperation:2"]}
    # 4-3 is tagged "Übergang Schule–Beruf" only, so it is no primar→sek work.
    assert cells["Trier-Ehrang"]["primar→sek"]["refs"] == ["cooperation:2"]
    # 3-5: the Realschule serves sek, the BBS üSB; counted in Ehrang and Konz.
    assert cells["VG Konz"]["sek→uebergang_sb"] == {"count": 1, "refs": ["cooperation:4"]}
    assert cells["Trier-Ehrang"]["sek→uebergang_sb"] == {"count": 1, "refs": ["cooperation:4"]}
    gaps = {(g["area"], g["transition"]) for g in matrix["gaps"]}
    assert gaps == {("Trier-Ehrang", "fruehkindlich→primar"), ("Trier-Olewig", "sek→uebergang_sb"),
                    ("VG Konz", "fruehkindlich→primar"), ("VG Konz", "primar→sek")}


def test_transition_matrix_at_the_city_level() -> None:
    matrix = transition_matrix(NODES, EDGES, STAGES, level=0)
    assert matrix["areas"] == ["Landkreis Trier-Saarburg", "Stadt Trier"]
    city = matrix["cells"]["Stadt Trier"]
    assert city["primar→sek"] == {"count": 1, "refs": ["cooperation:2"]}       # counted once, not per Stadtteil
    assert city["fruehkindlich→primar"]["count"] == 2
    assert matrix["cells"]["Landkreis Trier-Saarburg"]["sek→uebergang_sb"]["refs"] == ["cooperation:4"]


def test_no_stages_no_transitions() -> None:
    matrix = transition_matrix(NODES, EDGES, ())
    assert matrix["transitions"] == [] and matrix["gaps"] == []


CHANGE_NODES = [NodeRecord(i, f"A{i}") for i in range(1, 6)]
CHANGE_EDGES = [
    EdgeRecord(1, 2, start=date(2019, 1, 1), end=date(2021, 6, 30), ref="c:1", topics=("MINT",)),
    EdgeRecord(2, 3, start=date(2020, 1, 1), ref="c:2", topics=("MINT", "BNE")),
    EdgeRecord(3, 4, start=date(2022, 3, 1), ref="c:3", topics=("BNE",)),
    EdgeRecord(4, 5, start=date(2021, 1, 1), end=date(2022, 1, 31), ref="c:4"),   # began and ended in between
    EdgeRecord(1, 5, ref="c:5"),                                                 # undated: always there
    EdgeRecord(1, 3, layer="event", start=date(2022, 9, 1), ref="e:1"),
]


def test_change_between_two_dates() -> None:
    result = change(CHANGE_NODES, CHANGE_EDGES, date(2020, 6, 30), date(2023, 6, 30), Cut())
    assert result["new"] == ["c:3"] and result["ended"] == ["c:1"]
    assert result["persisting"] == 2 and result["short_lived"] == ["c:4"]
    assert result["new_ties"][0]["start"] == date(2022, 3, 1) and result["new_ties"][0]["topics"] == ["BNE"]
    assert result["metrics"]["edges"] == {"then": 3, "now": 3, "delta": 0}
    assert result["metrics"]["nodes"] == {"then": 5, "now": 5, "delta": 0}
    assert result["metrics"]["components"] == {"then": 2, "now": 2, "delta": 0}
    assert result["metrics"]["largest_component"] == {"then": 4, "now": 3, "delta": -1}
    assert result["metrics"]["diameter"] == {"then": 3, "now": 2, "delta": -1}     # 5-1-2-3, then 2-3-4
    # With the event layer switched on, the meeting of 1 and 3 counts as a new tie.
    wider = change(CHANGE_NODES, CHANGE_EDGES, date(2020, 6, 30), date(2023, 6, 30),
                   Cut(layers={"cooperation", "event"}))
    assert wider["new"] == ["c:3", "e:1"]
    with pytest.raises(ValueError):
        change(CHANGE_NODES, CHANGE_EDGES, date(2023, 1, 1), date(2020, 1, 1))


def test_topic_growth_per_year() -> None:
    growth = ties_per_year_by_topic(CHANGE_EDGES, [2019, 2020, 2021, 2022])
    assert growth["MINT"][2019] == {"new": 1, "running": 1}
    assert growth["MINT"][2020] == {"new": 1, "running": 2}
    assert growth["MINT"][2021] == {"new": 0, "running": 1}        # c:1 ended mid-2021
    assert growth["BNE"][2022] == {"new": 1, "running": 2}
    # Untagged ties: c:4 (2021 to January 2022), the undated c:5 (never "new") and the event tie.
    assert growth[NO_TOPIC][2021] == {"new": 1, "running": 2}
    assert growth[NO_TOPIC][2022] == {"new": 1, "running": 2}
    assert 2019 not in growth["BNE"]
