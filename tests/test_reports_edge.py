"""Report and dashboard at the edges: an empty landscape, hostile actor names (formula injection
in the XLSX, markup in the SVG picture), and the static picture being the same every time."""
from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from pypdf import PdfReader

from crm.models import Role
from graph.maps import actor_map
from graph.picture import Picture, from_map, to_svg
from graph.records import EdgeRecord, NodeRecord

TODAY = {"since": f"{date.today().year}-01-01", "until": date.today().isoformat()}


def test_empty_landscape_gives_a_report_and_a_dashboard(login_as) -> None:
    client = login_as(Role.VIEWER)
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/berichte/").status_code == 200
    pdf = client.get("/berichte/bericht.pdf")
    assert pdf.status_code == 200
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert "0 Akteure mit 0 laufenden Kooperationen" in text
    assert load_workbook(io.BytesIO(client.get("/berichte/bericht.xlsx").data))["Kennzahlen"].max_row == 9


def test_hostile_actor_names_are_neutralised(login_as, create_actor) -> None:
    create_actor("=HYPERLINK(\"http://evil.example\")")
    create_actor("<script>alert(1)</script> e.V.")
    client = login_as(Role.VIEWER)
    book = load_workbook(io.BytesIO(client.get("/berichte/bericht.xlsx", query_string=TODAY).data))
    values = [v for row in book["Verwundbarkeit"].iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert "'=HYPERLINK(\"http://evil.example\")" in values
    assert not any(v.startswith("=") for sheet in book for row in sheet.iter_rows(values_only=True)
                   for v in row if isinstance(v, str))
    for url in ("/dashboard/", "/berichte/?since={since}&until={until}".format(**TODAY)):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_picture_is_the_map_layout_and_escapes_labels() -> None:
    """The report's figure is the map spec's server layout (no layout of its own), the same every
    time, inside its box, stored and read back unchanged, and its names are inert text."""
    nodes = [NodeRecord(id=i, label=f"<b>Akteur {i}</b>") for i in range(6)]
    edges = [EdgeRecord(source=i, target=i + 1) for i in range(5)]
    spec = actor_map(nodes, edges, color_by="community", community={i: i // 3 for i in range(6)},
                     community_labels={0: "Gruppe <A>", 1: "Gruppe B"})
    first = from_map(spec, label_ids=[0, 3])
    assert first == from_map(actor_map(nodes, edges, color_by="community", community={i: i // 3 for i in range(6)},
                                       community_labels={0: "Gruppe <A>", 1: "Gruppe B"}), label_ids=[0, 3])
    by_id = {n["id"]: n for n in spec["nodes"]}
    # same arrangement as the map: the order of the x coordinates is the map's
    assert sorted(first.nodes, key=lambda n: n.x)[0].id == min(by_id, key=lambda i: by_id[i]["x"])
    assert all(0 <= n.x <= 1 and 0 <= n.y <= first.aspect for n in first.nodes) and len(first.edges) == 5
    assert Picture.from_dict(first.to_dict()) == first
    assert [label for label, _, _ in first.legend] == ["Gruppe <A>", "Gruppe B"]
    svg = to_svg(first, title="Netz & <Test>")
    assert "<b>" not in svg and "&lt;b&gt;Akteur 0&lt;/b&gt;" in svg and ">&lt;b&gt;Akteur 1" not in svg
    assert "Gruppe &lt;A&gt;" in svg
    assert "<script" not in svg and svg.count("<circle") == 6
    assert from_map({"nodes": [], "edges": []}).nodes == []


def test_dashboard_follows_a_write_at_once(login_as, create_actor) -> None:
    """The dashboard is cached by data version: a new actor shows on the next request."""
    client = login_as(Role.VIEWER)
    create_actor("Grundschule Olewig")
    first = client.get("/dashboard/").get_data(as_text=True)
    assert 'data-figure-now="actors">1<' in first
    create_actor("Kita St. Anna", kind="Kita")
    assert 'data-figure-now="actors">2<' in client.get("/dashboard/").get_data(as_text=True)
