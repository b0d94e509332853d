"""Timing of the network maps (``graph/maps.py``, ``crm/services/network/maps.py``, ``/netzwerk/``); never a test.

Run:  .venv/bin/python bench/map_bench.py            demo region through HTTP, 20,000-actor region
      .venv/bin/python bench/map_bench.py --quick    demo region only

Demo region: a fresh SQLite database (migrations, vocabularies, ``load_demo``), a viewer logged in
through Flask's test client; measured: the map page ``/netzwerk/`` (HTML with the map JSON inline)
and ``/netzwerk/karte.json``, each cold (after a write, so caches are empty) and warm.

20,000-actor region: the seeded synthetic landscape of ``bench/graph_bench.py`` (20,000 actors,
100,000 cooperations) is inserted once into a scratch SQLite database (kinds, areas, topics,
cooperation types as rows; bulk inserts, timed but not part of any page). Then the pages are timed
through HTTP with the database load included: "kalt" after emptying every cache (the first request
after a change of the data: landscape read from the database, partition, layout, spec),
"warm" the request after it. Measured: ``/netzwerk/`` (page with the map JSON inline),
``/netzwerk/karte.json`` (aggregate: communities as nodes), ``/dashboard/`` (landscape,
snapshots, full analysis of 20,000 actors), the drill-down into the largest community, areas
as groups, and "Stadt Trier" forced as single actors. Also the steps alone on the records: cut,
communities, aggregate spec, layout of all 20,000 actors.

Prints a table and writes ``bench/results/maps.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from datetime import UTC

from bench.graph_bench import landscape as synthetic
from graph.build import build_graph
from graph.communities import communities
from graph.cut import Cut, apply_cut
from graph.layout import layout
from graph.maps import aggregate_map

RESULTS = Path(__file__).resolve().parent / "results" / "maps.json"
_APPS: list[Any] = []  # the apps made here: _clear empties their stored results and caches


def timed(rows: list[dict[str, Any]], label: str, fn: Callable[[], Any], **extra: Any) -> Any:
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    rows.append({"step": label, "seconds": round(seconds, 4), **extra})
    print(f"  {label:58} {seconds:8.3f} s", flush=True)
    return result


def _app(tmp: str, name: str = "bench", fill: Callable[[Any], None] | None = None):
    """A migrated, seeded SQLite app with a viewer logged in; ``fill(session)`` adds the data
    (default: the demo region)."""
    from flask_migrate import upgrade

    from crm import create_app
    from crm.demo.generator import load_demo
    from crm.extensions import db
    from crm.models import Role
    from crm.services.accounts.users import create_user
    from crm.services.landscape.vocabularies import seed_vocabularies
    from crm.services.privacy import audit

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp}/{name}.sqlite3", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "MAIL_SUPPRESS_SEND": True})
    with app.app_context():
        upgrade()
        seed_vocabularies(db.session)
        with audit.suppressed():
            (fill or load_demo)(db.session)
        create_user(db.session, "viewer@bench.example", "richtig-langes-passwort", Role.VIEWER, "Bench")
        db.session.commit()
    _APPS.append(app)
    client = app.test_client()
    response = client.post("/anmelden", data={"email": "viewer@bench.example", "password": "richtig-langes-passwort"})
    assert response.status_code == 302, response.status_code
    return app, client


def _get(client: Any, url: str) -> tuple[int, int]:
    """The page as a user gets it once the background worker has computed it (pages never compute:
    a 202 runs the worker's task here and asks again; that time is counted)."""
    headers = {"Accept": "application/json"} if url.endswith(".json") or ".json?" in url else {}
    response = client.get(url, headers=headers)
    if response.status_code == 202:
        from crm.extensions import db
        from crm.services.computed.runner import ComputeRunner

        with client.application.app_context():
            ComputeRunner(db.session, "bench", debounce=0).run_until_idle()
        response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
    return response.status_code, len(response.data)


def browser_times(app: Any, urls: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Chromium (headless, other hosts blocked): seconds from navigation until the map is drawn."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from tests.browser import chromium_page, live_server

    rows: list[dict[str, Any]] = []
    with live_server(app) as base_url, chromium_page(base_url) as page:
        page.goto("/anmelden")
        page.get_by_label("E-Mail").fill("viewer@bench.example")
        page.get_by_label("Passwort").fill("richtig-langes-passwort")
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url("**/")
        for label, url in urls:
            start = time.perf_counter()
            page.goto(url)
            page.wait_for_function("window.bildungsnetzMap && window.bildungsnetzMap.ready()", timeout=120000)
            seconds = time.perf_counter() - start
            nodes = page.evaluate("window.bildungsnetzMap.nodeCount()")
            rows.append({"step": f"Chromium: {label}", "seconds": round(seconds, 4), "nodes": nodes})
            print(f"  {'Chromium: ' + label:58} {seconds:8.3f} s  ({nodes} Knoten)", flush=True)
        assert page.outside_requests == []
    return rows


def _clear() -> None:
    """Empty every cache of maps, dashboard and analysis: the next request is what the first
    request after a change of the data costs."""
    from sqlalchemy import delete

    from crm.extensions import db
    from crm.models import ComputedResult
    from crm.services.computed import cache

    for app in list(_APPS):
        with app.app_context():
            cache.clear()
            db.session.execute(delete(ComputedResult))
            db.session.commit()


def _bulk(session: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    """Many rows at once: ``COPY`` on PostgreSQL (a million cooperations in seconds, where an
    executemany of INSERTs took over half an hour on a busy machine), executemany elsewhere."""
    from sqlalchemy import insert

    table = getattr(table, "__table__", table)
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    defaults = {}   # what an INSERT through SQLAlchemy fills in and COPY does not
    for column in table.columns:
        if column.name not in rows[0] and column.default is not None:
            defaults[column.name] = (column.default.arg if column.default.is_scalar
                                     else column.default.arg(None) if column.default.is_callable else None)
    defaults = {k: v for k, v in defaults.items() if v is not None}
    columns = list(rows[0]) + list(defaults)
    cursor = session.connection().connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            values = [row.get(c, defaults.get(c)) for c in columns]
            copy.write_row([getattr(v, "value", v) for v in values])


def insert_region(session: Any, nodes: list[Any], edges: list[Any]) -> None:
    """The synthetic records as database rows (bulk inserts; vocabulary entries created as needed)."""
    from datetime import date, datetime

    from sqlalchemy import select

    from crm.models import Actor, ActorKind, Area, Cooperation, CooperationType, LifeStage, Topic
    from crm.models.actors import actor_life_stages, actor_topics
    from crm.models.cooperations import cooperation_topics

    def ids(model: Any, names: set[str], **extra: Any) -> dict[str, int]:
        known = {name: key for name, key in session.execute(select(model.name, model.id))}
        for name in sorted(names - set(known)):
            row = model(name=name, **{k: (v(name) if callable(v) else v) for k, v in extra.items()})
            session.add(row)
            session.flush()
            known[name] = row.id
        return known

    categories = {n.kind: n.category for n in nodes}
    kinds = ids(ActorKind, set(categories), category=lambda name: categories[name])
    topics = ids(Topic, {t for n in nodes for t in n.topics} | {t for e in edges for t in e.topics})
    types = ids(CooperationType, {e.type for e in edges})
    stages = {code: key for code, key in session.execute(select(LifeStage.code, LifeStage.id))}
    areas: dict[tuple[str, ...], int] = {}
    for path in sorted({n.area_path for n in nodes}):
        for depth in range(1, len(path) + 1):
            if path[:depth] not in areas:
                row = Area(name=path[depth - 1], parent_id=areas.get(path[:depth - 1]))
                session.add(row)
                session.flush()
                areas[path[:depth]] = row.id
    since = datetime(2012, 1, 1, tzinfo=UTC)
    offset = (session.scalar(select(Actor.id).order_by(Actor.id.desc()).limit(1)) or 0) + 1
    _bulk(session, Actor, [
        {"id": offset + n.id, "name": n.label, "kind_id": kinds[n.kind], "area_id": areas[n.area_path],
         "is_active": n.active, "created_at": since, "updated_at": since, "version_id": 1,
         "active_until": None if n.active else date(2020, 6, 30)} for n in nodes])
    _bulk(session, actor_topics, [{"actor_id": offset + n.id, "topic_id": topics[t]}
                                           for n in nodes for t in n.topics])
    _bulk(session, actor_life_stages, [{"actor_id": offset + n.id, "life_stage_id": stages[c]}
                                                for n in nodes for c in n.life_stages if c in stages])
    _bulk(session, Cooperation, [
        {"id": i, "source_id": offset + e.source, "target_id": offset + e.target, "type_id": types[e.type],
         "is_directed": e.directed, "intensity": e.intensity or 2, "start_date": e.start, "end_date": e.end,
         "created_at": since, "updated_at": since, "version_id": 1} for i, e in enumerate(edges, 1)])
    _bulk(session, cooperation_topics, [{"cooperation_id": i, "topic_id": topics[t]}
                                                 for i, e in enumerate(edges, 1) for t in e.topics])
    session.flush()


def demo_region(client: Any) -> dict[str, Any]:
    print("\nDemo-Region (HTTP, Testclient)", flush=True)
    rows: list[dict[str, Any]] = []
    _clear()
    timed(rows, "/dashboard/ kalt", lambda: _get(client, "/dashboard/"))
    timed(rows, "/dashboard/ warm", lambda: _get(client, "/dashboard/"))
    for layers in ("cooperation", "cooperation,initiative,event"):
        _clear()
        _, size = timed(rows, f"/netzwerk/?layers={layers} kalt",
                        lambda layers=layers: _get(client, f"/netzwerk/?layers={layers}"))
        rows[-1]["bytes"] = size
        timed(rows, f"/netzwerk/?layers={layers} warm",
              lambda layers=layers: _get(client, f"/netzwerk/?layers={layers}"))
        _clear()
        _, size = timed(rows, f"/netzwerk/karte.json?layers={layers} kalt",
                        lambda layers=layers: _get(client, f"/netzwerk/karte.json?layers={layers}"))
        rows[-1]["bytes"] = size
        timed(rows, f"/netzwerk/karte.json?layers={layers} warm",
              lambda layers=layers: _get(client, f"/netzwerk/karte.json?layers={layers}"))
        timed(rows, f"Jahr 2022 (as_of=2022-12-31), {layers}",
              lambda layers=layers: _get(client, f"/netzwerk/karte.json?layers={layers}&as_of=2022-12-31"))
    spec = client.get("/netzwerk/karte.json?layers=cooperation").get_json()
    timed(rows, "Ego-Karte Akteur (2 Schritte) kalt",
          lambda: _get(client, f"/netzwerk/akteur/{spec['nodes'][0]['id']}.json?steps=2"))
    rows += browser_times(client.application, [("Karte Demo-Region (Kooperationen) gezeichnet", "/netzwerk/"),
                                               ("Karte Demo-Region (alle Ebenen) gezeichnet",
                                                "/netzwerk/?layers=cooperation&layers=initiative&layers=event")])
    return {"landscape": "Demo-Region", "actors": spec["counts"]["nodes"], "edges": spec["counts"]["edges"],
            "rows": rows}


def large_region(tmp: str, n: int, m: int) -> dict[str, Any]:
    print(f"\n{n:_} Akteure, {m:_} Kooperationen".replace("_", "."), flush=True)
    rows: list[dict[str, Any]] = []
    nodes, edges = timed(rows, "synthetische Landschaft erzeugen", lambda: synthetic(n, m))
    cut = Cut(include_inactive=True)
    kept_nodes, kept_edges = timed(rows, "Schnitt", lambda: apply_cut(nodes, edges, cut))
    graph = timed(rows, "Graph bauen", lambda: build_graph(kept_nodes, kept_edges))
    partition = timed(rows, "Louvain-Gruppen", lambda: communities(graph, seed=42))
    spec = timed(rows, "Aggregat-Spezifikation (Gruppen als Knoten, pyvis)",
                 lambda: aggregate_map(kept_nodes, kept_edges, community=partition.membership,
                                       community_labels=partition.labels()))
    rows[-1]["groups"] = spec["counts"]["nodes"]
    timed(rows, f"Layout aller {n:_} Akteure (igraph FR)".replace("_", "."), lambda: layout(graph))
    app, client = timed(rows, "SQLite-Datenbank anlegen und füllen (einmalig)",
                        lambda: _app(tmp, "large", lambda session: insert_region(session, nodes, edges)))

    def load() -> Any:
        from crm.extensions import db
        from crm.services.network import records as network

        with app.app_context():
            return network.landscape(db.session, ["cooperation"])

    timed(rows, "network.landscape: 20.000 Akteure und Kooperationen aus SQLite lesen".replace("20.000", f"{n:_}")
          .replace("_", "."), load)

    def cold_and_warm(label: str, url: str) -> None:
        _clear()
        _, size = timed(rows, f"HTTP {label} kalt (mit Laden aus der DB)", lambda: _get(client, url))
        rows[-1]["bytes"] = size
        timed(rows, f"HTTP {label} warm", lambda: _get(client, url))

    query = "include_inactive=1"
    cold_and_warm("/netzwerk/karte.json Aggregat", f"/netzwerk/karte.json?{query}")
    cold_and_warm("/netzwerk/ (Seite, Aggregat)", f"/netzwerk/?{query}")
    cold_and_warm("/dashboard/", "/dashboard/")
    aggregate = client.get(f"/netzwerk/karte.json?{query}").get_json()
    biggest = aggregate["nodes"][0]
    members = int(biggest["card"]["lines"][0][1].replace(".", ""))
    drill = f"/netzwerk/karte.json?{query}&community={biggest['drill']['value']}"
    _, size = timed(rows, f"HTTP Drill-down größte Gruppe ({members} Akteure, Kennzahlen der Gruppe)",
                    lambda: _get(client, drill))
    rows[-1]["bytes"] = size
    timed(rows, "HTTP Drill-down größte Gruppe warm", lambda: _get(client, drill))
    _, size = timed(rows, "HTTP Aggregat nach Gebieten",
                    lambda: _get(client, f"/netzwerk/karte.json?{query}&group_by=area"))
    rows[-1]["bytes"] = size
    city = f"{query}&areas=Stadt+Trier&view=actors"
    _, size = timed(rows, "HTTP Stadt Trier als Akteure (Layout, erzwungen)",
                    lambda: _get(client, f"/netzwerk/karte.json?{city}"))
    rows[-1]["bytes"] = size
    rows += browser_times(app, [("Aggregat 20.000 gezeichnet", f"/netzwerk/?{query}"),
                                ("Drill-down größte Gruppe gezeichnet",
                                 f"/netzwerk/?{query}&community={biggest['drill']['value']}"),
                                ("Stadt Trier als Akteure gezeichnet", f"/netzwerk/?{city}")])
    _clear()
    _dispose(app)
    return {"landscape": f"synthetisch {n}/{m}", "actors": n, "edges": m, "groups": aggregate["counts"]["nodes"],
            "rows": rows}


def _dispose(app: Any) -> None:
    with app.app_context():
        from crm.extensions import db

        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="demo region only")
    parser.add_argument("--large", nargs=2, type=int, default=(20_000, 100_000), metavar=("N", "M"))
    args = parser.parse_args()
    results: dict[str, Any] = {"python": platform.python_version(), "machine": platform.machine(),
                               "cpus": os.cpu_count(), "load_start": os.getloadavg(), "landscapes": []}
    with tempfile.TemporaryDirectory() as tmp:
        app, client = _app(tmp)
        results["landscapes"].append(demo_region(client))
        _dispose(app)
        if not args.quick:
            results["landscapes"].append(large_region(tmp, *args.large))
    results["load_end"] = os.getloadavg()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\n-> {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")


if __name__ == "__main__":
    main()
