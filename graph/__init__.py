"""Network building, analysis and export for Bildungsnetz.

This package knows nothing of Flask or the database: it takes plain node and edge
records (``graph.records``) and returns plain results, so every function can be tested
on any graph, networkx's example graphs included.
"""
