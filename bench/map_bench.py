"""Timing of the network maps (``graph/maps.py``, ``crm/services/maps.py``, ``/netzwerk/``); never a test.

Run:  .venv/bin/python bench/map_bench.py            demo region through HTTP, 20,000-actor region
      .venv/bin/python bench/map_bench.py --quick    demo region only

Demo region: a fresh SQLite database (migrations, vocabularies, ``load_demo``), a viewer logged in
through Flask's test client; measured: the map page ``/netzwerk/`` (HTML with the map JSON inline)
and ``/netzwerk/karte.json``, each cold (after a write, so caches are empty) and warm.

20,000-actor region: the seeded synthetic landscape of ``bench/graph_bench.py`` (20,000 actors,
100,000 cooperations). Inserting it into a database would measure the database, not the map, so the
records are placed in the map service's landscape cache (as after the first load) and the same
HTTP endpoints are timed: the aggregate map (communities as nodes), then the drill-down into the
largest community (actors, server-side layout). Also the steps alone on the records: cut,
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
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.graph_bench import landscape as synthetic  # noqa: E402
from graph.build import build_graph  # noqa: E402
from graph.communities import communities  # noqa: E402
from graph.cut import Cut, apply_cut  # noqa: E402
from graph.layout import layout  # noqa: E402
from graph.maps import aggregate_map  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "maps.json"


def timed(rows: list[dict[str, Any]], label: str, fn: Callable[[], Any], **extra: Any) -> Any:
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    rows.append({"step": label, "seconds": round(seconds, 4), **extra})
    print(f"  {label:58} {seconds:8.3f} s", flush=True)
    return result


def _app(tmp: str):
    from flask_migrate import upgrade

    from crm import create_app
    from crm.extensions import db
    from crm.models import Role
    from crm.services import audit
    from crm.services.demo import load_demo
    from crm.services.seed import seed_vocabularies
    from crm.services.users import create_user

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "MAIL_SUPPRESS_SEND": True})
    with app.app_context():
        upgrade()
        seed_vocabularies(db.session)
        with audit.suppressed():
            load_demo(db.session)
        create_user(db.session, "viewer@bench.example", "richtig-langes-passwort", Role.VIEWER, "Bench")
        db.session.commit()
    client = app.test_client()
    response = client.post("/anmelden", data={"email": "viewer@bench.example", "password": "richtig-langes-passwort"})
    assert response.status_code == 302, response.status_code
    return app, client


def _get(client: Any, url: str) -> tuple[int, int]:
    response = client.get(url, headers={"Accept": "application/json"} if url.endswith(".json") or ".json?" in url
                          else {})
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
    from crm.services import maps, network

    maps._CACHE.clear()
    network._CACHE.clear()


def demo_region(client: Any) -> dict[str, Any]:
    print("\nDemo-Region (HTTP, Testclient)", flush=True)
    rows: list[dict[str, Any]] = []
    for layers in ("cooperation", "cooperation,initiative,event"):
        _clear()
        _, size = timed(rows, f"/netzwerk/?layers={layers} kalt", lambda: _get(client, f"/netzwerk/?layers={layers}"))
        rows[-1]["bytes"] = size
        timed(rows, f"/netzwerk/?layers={layers} warm", lambda: _get(client, f"/netzwerk/?layers={layers}"))
        _clear()
        _, size = timed(rows, f"/netzwerk/karte.json?layers={layers} kalt",
                        lambda: _get(client, f"/netzwerk/karte.json?layers={layers}"))
        rows[-1]["bytes"] = size
        timed(rows, f"/netzwerk/karte.json?layers={layers} warm",
              lambda: _get(client, f"/netzwerk/karte.json?layers={layers}"))
        timed(rows, f"Jahr 2022 (as_of=2022-12-31), {layers}",
              lambda: _get(client, f"/netzwerk/karte.json?layers={layers}&as_of=2022-12-31"))
    spec = client.get("/netzwerk/karte.json?layers=cooperation").get_json()
    timed(rows, "Ego-Karte Akteur (2 Schritte) kalt",
          lambda: _get(client, f"/netzwerk/akteur/{spec['nodes'][0]['id']}.json?steps=2"))
    rows += browser_times(client.application, [("Karte Demo-Region (Kooperationen) gezeichnet", "/netzwerk/"),
                                               ("Karte Demo-Region (alle Ebenen) gezeichnet",
                                                "/netzwerk/?layers=cooperation&layers=initiative&layers=event")])
    return {"landscape": "Demo-Region", "actors": spec["counts"]["nodes"], "edges": spec["counts"]["edges"],
            "rows": rows}


def large_region(app: Any, client: Any, n: int, m: int) -> dict[str, Any]:
    from crm.extensions import db
    from crm.services import maps, network

    print(f"\n{n:_} Akteure, {m:_} Kooperationen".replace("_", "."), flush=True)
    rows: list[dict[str, Any]] = []
    nodes, edges = timed(rows, "synthetische Landschaft erzeugen", lambda: synthetic(n, m))
    cut = Cut(include_inactive=True)
    kept_nodes, kept_edges = timed(rows, "Schnitt", lambda: apply_cut(nodes, edges, cut))
    graph = timed(rows, "Graph bauen", lambda: build_graph(kept_nodes, kept_edges))
    partition = timed(rows, "Louvain-Gruppen", lambda: communities(graph, seed=42))
    spec = timed(rows, "Aggregat-Spezifikation (Gruppen als Knoten)",
                 lambda: aggregate_map(kept_nodes, kept_edges, community=partition.membership,
                                       community_labels=partition.labels()))
    rows[-1]["groups"] = spec["counts"]["nodes"]
    timed(rows, f"Layout aller {n:_} Akteure (igraph FR)".replace("_", "."), lambda: layout(graph))

    _clear()
    with app.app_context():
        version = network.data_version(db.session)
    land = network.Landscape(nodes, edges, (), version)
    maps._CACHE.put(("landscape", version, frozenset({"cooperation"})), land)
    query = "include_inactive=1"
    _, size = timed(rows, "HTTP /netzwerk/karte.json Aggregat kalt", lambda: _get(client, f"/netzwerk/karte.json?{query}"))
    rows[-1]["bytes"] = size
    timed(rows, "HTTP /netzwerk/karte.json Aggregat warm", lambda: _get(client, f"/netzwerk/karte.json?{query}"))
    _, size = timed(rows, "HTTP /netzwerk/ (Seite, Aggregat) warm", lambda: _get(client, f"/netzwerk/?{query}"))
    rows[-1]["bytes"] = size
    aggregate = client.get(f"/netzwerk/karte.json?{query}").get_json()
    biggest = aggregate["nodes"][0]
    members = int(biggest["card"]["lines"][0][1].replace(".", ""))
    _, size = timed(rows, f"HTTP Drill-down größte Gruppe ({members} Akteure) kalt",
                    lambda: _get(client, f"/netzwerk/karte.json?{query}&community={biggest['drill']['value']}"))
    rows[-1]["bytes"] = size
    timed(rows, "HTTP Drill-down größte Gruppe warm",
          lambda: _get(client, f"/netzwerk/karte.json?{query}&community={biggest['drill']['value']}"))
    _, size = timed(rows, "HTTP Aggregat nach Gebieten", lambda: _get(client, f"/netzwerk/karte.json?{query}&group_by=area"))
    rows[-1]["bytes"] = size
    city = f"{query}&areas=Stadt+Trier&view=actors"
    _, size = timed(rows, "HTTP Stadt Trier als Akteure (Layout, erzwungen) kalt", lambda: _get(client, f"/netzwerk/karte.json?{city}"))
    rows[-1]["bytes"] = size
    rows += browser_times(app, [("Aggregat 20.000 gezeichnet", f"/netzwerk/?{query}"),
                                ("Drill-down größte Gruppe gezeichnet",
                                 f"/netzwerk/?{query}&community={biggest['drill']['value']}"),
                                ("Stadt Trier als Akteure gezeichnet", f"/netzwerk/?{city}")])
    _clear()
    return {"landscape": f"synthetisch {n}/{m}", "actors": n, "edges": m, "groups": aggregate["counts"]["nodes"],
            "rows": rows}


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
        if not args.quick:
            results["landscapes"].append(large_region(app, client, *args.large))
        with app.app_context():
            from crm.extensions import db

            db.session.remove()
            db.engine.dispose()
    results["load_end"] = os.getloadavg()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\n-> {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")


if __name__ == "__main__":
    main()
