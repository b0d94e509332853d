"""Fixtures for the tests of ``graph/``: no Flask, no database, only plain records.

The real third-party files come from ``tests/fixtures/real`` (``tests.real_files``).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from graph.records import EdgeRecord, NodeRecord
from tests.real_files import REAL


@pytest.fixture(scope="session")
def real_files() -> Path:
    if not REAL.is_dir():
        pytest.fail(f"real fixture files not found at {REAL}")
    return REAL


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
