"""Fixtures for the tests of ``graph/``: no Flask, no database, only plain records.

``BILDUNGSNETZ_SHARED`` points at the shared folder with real third-party files
(default: ``shared/`` beside the repository clone).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import networkx as nx
import pytest

from graph.records import EdgeRecord, NodeRecord

SHARED = Path(os.environ.get("BILDUNGSNETZ_SHARED", Path(__file__).resolve().parents[3] / "shared"))


@pytest.fixture(scope="session")
def real_files() -> Path:
    path = SHARED / "fixtures" / "real"
    if not path.is_dir():
        pytest.fail(f"real fixture files not found at {path}; set BILDUNGSNETZ_SHARED")
    return path


RecordsFn = Callable[..., tuple[list[NodeRecord], list[EdgeRecord], dict]]


@pytest.fixture(scope="session")
def as_records() -> RecordsFn:
    """networkx graph -> (nodes, edges, index of original node -> record id); node ids 0..n-1,
    labels the original node names, weights kept unless ``weighted=False``."""

    def convert(graph: nx.Graph, *, category: str | None = None, weighted: bool = True):
        index = {v: i for i, v in enumerate(graph.nodes)}
        nodes = [NodeRecord(id=index[v], label=str(v),
                            category=str(graph.nodes[v].get(category, "")) if category else "")
                 for v in graph.nodes]
        edges = [EdgeRecord(index[u], index[v], weight=float(d.get("weight", 1)) if weighted else 1.0,
                            directed=graph.is_directed(), ref=f"cooperation:{i}")
                 for i, (u, v, d) in enumerate(graph.edges(data=True))]
        return nodes, edges, index

    return convert
