"""Network building, analysis and export for Bildungsnetz.

This package knows nothing of Flask or the database: it takes plain node and edge
records (``graph.records``) and returns plain results, so every function can be tested
on any graph, networkx's example graphs included. It never imports ``crm``, Flask or
SQLAlchemy (a test checks this).

Modules, by what they hold:

* ``records``     NodeRecord, EdgeRecord (the input) and how layers are dated
* ``cut``         Cut and apply_cut: date, layer, topic, life stage, area, kind filters
* ``build``       build_graph: records -> networkx graph, parallel ties collapsed
* ``engine``      networkx or igraph, and seeded igraph randomness
* ``metrics``     per-actor and network measures (compute_metrics, node_metrics, network_metrics)
* ``communities`` Louvain groups (best of several seeded runs) with labels and dominant topics
* ``fragility``   bridges, articulation points, isolates, cut actors per area and topic
* ``transitions`` coverage of the life-stage transitions by area, and the gaps
* ``change``      new / ended ties between two dates, topic growth per year
* ``suggest``     suggested ties with reasons in German
* ``analysis``    analyse(): everything for one cut, JSON-ready
* ``cache``       AnalysisCache: thread-safe LRU bounded by entries and size (the app's one cache)
* ``export``      GEXF 1.3, GraphML, Kumu JSON and XLSX
* ``layout``      deterministic server-side positions for the maps (networkx / igraph FR; rings for ego maps)
* ``picture``     the report's still picture, drawn from a map spec's layout (SVG; PDF draws the same)
* ``maps``        map specs for vis-network: actors or aggregated groups, legend, hover cards
* ``importers``   GEXF, GraphML, Kumu CSV/JSON/XLSX -> ImportedLandscape (string keys)
"""
