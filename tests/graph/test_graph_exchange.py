"""Export to and import from Gephi (GEXF), GraphML and Kumu; real files; hostile text."""
from __future__ import annotations

import io
import json
from datetime import date

import networkx as nx
import pytest

from graph.export import spreadsheet_text, to_gexf, to_graphml, to_kumu_blueprint, to_kumu_json, to_kumu_xlsx
from graph.importers import (
    GraphImportError,
    read_file,
    read_gexf,
    read_graphml,
    read_kumu_csv,
    read_kumu_json,
    read_kumu_xlsx,
)
from graph.records import EdgeRecord, NodeRecord

HOSTILE = ["<script>alert(1)</script>", '" onmouseover="alert(1)', '=HYPERLINK("http://evil.example","Klick")',
           "+49 651 123", "-Förderverein-", "@SUM(A1)", "'zitiert", "Zeile 1\nZeile 2 & <b>fett</b>",
           "Tab\tgetrennt", "Ümlaute ß €"]

NODES = [
    NodeRecord(10, HOSTILE[0], kind="Grundschule", category="Schule", area="Trier-Olewig",
               area_path=("Stadt Trier", "Trier-Olewig"), life_stages=("primar",), topics=("MINT", "Sprache"),
               attrs={"url": "https://example.org/?a=1&b=<2>", "description": "=cmd|' /C calc'!A0"}),
    NodeRecord(11, HOSTILE[1], kind="Kita", category="Kita", active=False),
    NodeRecord(12, HOSTILE[2], kind="=Kammer", topics=("@BNE",)),
    *[NodeRecord(13 + i, label, kind="Verein") for i, label in enumerate(HOSTILE[3:])],
]
EDGES = [
    EdgeRecord(10, 11, weight=2.5, type="Kooperationsvertrag", start=date(2020, 1, 1), end=date(2022, 12, 31),
               topics=("MINT",), life_stages=("fruehkindlich", "primar"), intensity=3, ref="cooperation:1"),
    EdgeRecord(11, 12, layer="initiative", weight=1.0, directed=True, type="=Förderung", start=date(2021, 5, 1),
               ref="initiative:3"),
    EdgeRecord(10, 11, layer="event", type="Bildungskonferenz <2023>", start=date(2023, 3, 3), ref="event:5"),
    EdgeRecord(13, 14, weight=0.5, ref="cooperation:2"),
    EdgeRecord(15, 19, weight=3.0, start=date(2019, 2, 28), ref="cooperation:3"),
]

EXPORTS = {"gexf": (to_gexf, read_gexf), "graphml": (to_graphml, read_graphml),
           "kumu-json": (to_kumu_json, read_kumu_json), "kumu-xlsx": (to_kumu_xlsx, read_kumu_xlsx)}


def _key_to_id(imported, nodes) -> dict[str, int]:
    """Kumu keys are labels (or ids when labels are ambiguous); GEXF/GraphML keys are ids."""
    by_label = {n.label.strip(): n.id for n in nodes}
    return {n.key: (int(n.key) if n.key.isdigit() else by_label[n.key]) for n in imported.nodes}


@pytest.mark.parametrize("fmt", list(EXPORTS))
def test_round_trip_loses_no_actor_tie_weight_or_date(fmt: str) -> None:
    export, read = EXPORTS[fmt]
    imported = read(export(NODES, EDGES))
    ids = _key_to_id(imported, NODES)
    assert sorted(ids.values()) == sorted(n.id for n in NODES)
    originals = {n.id: n for n in NODES}
    for node in imported.nodes:
        original = originals[ids[node.key]]
        assert node.label == original.label                      # hostile text intact, as text
        assert node.kind == original.kind and node.topics == original.topics
        assert node.category == original.category and node.area_path == original.area_path
        assert node.life_stages == original.life_stages and node.active == original.active
    assert originals[10].attrs["url"] == next(n for n in imported.nodes if ids[n.key] == 10).attrs["url"]
    assert next(n for n in imported.nodes if ids[n.key] == 10).attrs["description"] == "=cmd|' /C calc'!A0"

    def signature(edge):
        return (edge.source, edge.target, edge.weight, edge.start, edge.end, edge.directed, edge.type, edge.layer,
                edge.topics, edge.life_stages, edge.intensity, edge.ref)

    back = [(ids[e.source_key], ids[e.target_key], e.weight, e.start, e.end, e.directed, e.type, e.layer, e.topics,
             e.life_stages, e.intensity, e.attrs.get("ref", "")) for e in imported.edges]
    assert back == [signature(e) for e in EDGES]
    assert imported.warnings == []


def test_kumu_uses_ids_when_labels_are_ambiguous() -> None:
    nodes = [NodeRecord(1, "Grundschule"), NodeRecord(2, "grundschule "), NodeRecord(3, "A|B")]
    edges = [EdgeRecord(1, 2, ref="c:1"), EdgeRecord(2, 3, ref="c:2")]
    blueprint = to_kumu_blueprint(nodes, edges)
    assert [e["id"] for e in blueprint["elements"]] == ["1", "2", "3"]
    assert [(c["from"], c["to"]) for c in blueprint["connections"]] == [("1", "2"), ("2", "3")]
    for data, read in ((to_kumu_json(nodes, edges), read_kumu_json), (to_kumu_xlsx(nodes, edges), read_kumu_xlsx)):
        imported = read(data)
        assert [(n.key, n.label) for n in imported.nodes] == [("1", "Grundschule"), ("2", "grundschule "),
                                                              ("3", "A|B")]
        assert [(e.source_key, e.target_key) for e in imported.edges] == [("1", "2"), ("2", "3")]
    # Unique labels: Kumu's readable layout with labels in From/To, as in the blueprint fixture.
    plain = to_kumu_blueprint([NodeRecord(1, "A"), NodeRecord(2, "B")], [EdgeRecord(1, 2)])
    assert "id" not in plain["elements"][0] and plain["connections"][0]["from"] == "A"


def test_xlsx_cells_never_start_a_formula() -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(to_kumu_xlsx(NODES, EDGES)))
    assert workbook.sheetnames == ["Elements", "Connections"]
    elements, connections = workbook["Elements"], workbook["Connections"]
    header = [c.value for c in elements[1]]
    assert header[:4] == ["Label", "Type", "Description", "Tags"]
    assert [c.value for c in connections[1]][:6] == ["ID", "From", "To", "Type", "Direction", "Strength"]
    assert {"Beginn", "Ende"} <= {c.value for c in connections[1]}
    for sheet in (elements, connections):
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
    labels = [row[0].value for row in elements.iter_rows(min_row=2)]
    assert "'=HYPERLINK(\"http://evil.example\",\"Klick\")" in labels and "'+49 651 123" in labels
    assert "''zitiert" in labels                                    # a leading quote is doubled, so it survives
    assert spreadsheet_text("harmlos") == "harmlos" and spreadsheet_text("=1+1") == "'=1+1"


def test_xml_exports_escape_markup_and_drop_what_xml_cannot_carry() -> None:
    nodes = [NodeRecord(1, "Kita\x00<Sonne>\x07 & Mond"), NodeRecord(2, "Schule")]
    for export, read in ((to_gexf, read_gexf), (to_graphml, read_graphml)):
        data = export(nodes, [EdgeRecord(1, 2)])
        assert b"<Sonne>" not in data and b"&lt;Sonne&gt;" in data
        assert read(data).nodes[0].label == "Kita<Sonne> & Mond"


def test_gexf_is_version_1_3_dynamic_with_dates_and_readable_by_networkx() -> None:
    undirected = [e for e in EDGES if not e.directed]
    data = to_gexf(NODES, undirected, last_modified=date(2026, 6, 30))
    text = data.decode("utf-8")
    assert 'xmlns="http://gexf.net/1.3"' in text and 'version="1.3"' in text
    assert 'mode="dynamic"' in text and 'timeformat="date"' in text
    assert 'start="2020-01-01" end="2022-12-31"' in text and 'lastmodifieddate="2026-06-30"' in text
    graph = nx.read_gexf(io.BytesIO(data))
    assert graph.number_of_nodes() == len(NODES) and graph.number_of_edges() == len(undirected)
    assert graph.nodes["10"]["label"] == HOSTILE[0]
    graphml = nx.read_graphml(io.BytesIO(to_graphml(NODES, undirected)))
    assert graphml.number_of_edges() == len(undirected) and graphml.nodes["11"]["label"] == HOSTILE[1]
    assert graphml.nodes["11"]["active"] is False


def test_real_gephi_lite_file_with_malformed_viz_namespace(real_files) -> None:
    """Gephi Lite's Les Misérables: 77 characters, 254 weighted ties, the same as networkx's."""
    imported = read_gexf(real_files / "gephi" / "les_miserables_gephi-lite.gexf")
    assert (len(imported.nodes), len(imported.edges)) == (77, 254)
    label = {n.key: n.label for n in imported.nodes}
    ours = {frozenset((label[e.source_key], label[e.target_key])): e.weight for e in imported.edges}
    reference = nx.les_miserables_graph()
    assert ours == {frozenset((u, v)): float(d["weight"]) for u, v, d in reference.edges(data=True)}
    assert not any(e.directed for e in imported.edges)
    valjean = next(n for n in imported.nodes if n.label == "Valjean")
    assert valjean.attrs["modularity_class"] == "1"


def test_real_gexf_spec_example(real_files) -> None:
    """The GEXF spec's data example: 4 nodes, 5 directed edges, typed attributes with a default."""
    imported = read_gexf(real_files / "gephi" / "gexf_spec_data_example.gexf")
    assert [n.label for n in imported.nodes] == ["Gephi", "Webatlas", "RTGI", "BarabasiLab"]
    assert [(e.source_key, e.target_key) for e in imported.edges] == [("0", "1"), ("0", "2"), ("1", "0"),
                                                                       ("2", "1"), ("0", "3")]
    assert all(e.directed for e in imported.edges)
    assert imported.nodes[0].attrs == {"url": "http://gephi.org", "indegree": "1", "frog": "true"}
    assert imported.nodes[3].attrs["frog"] == "false"                 # the value overrides the default


def test_real_kumu_files_match_the_florentine_families(real_files) -> None:
    expected = {frozenset(e) for e in nx.florentine_families_graph().edges}
    kumu = real_files / "kumu"
    for imported in (read_kumu_csv(kumu / "florentine_kumu_elements.csv", kumu / "florentine_kumu_connections.csv"),
                     read_kumu_json(kumu / "florentine_kumu_blueprint.json")):
        assert len(imported.nodes) == 15 and {n.kind for n in imported.nodes} == {"Family"}
        assert {frozenset((e.source_key, e.target_key)) for e in imported.edges} == expected
        assert {e.type for e in imported.edges} == {"Marriage"} and not any(e.directed for e in imported.edges)


def test_kumu_csv_rules_semicolons_pipes_and_several_targets() -> None:
    elements = "Label;Type;Tags\nKita Sonne;Kita;Sprache|Family Literacy\nGrundschule;Schule;\nVHS;VHS;\n"
    connections = "From;To;Type;Strength;Beginn\nKita Sonne;Grundschule|VHS;Übergang;2;01.08.2021\n"
    imported = read_kumu_csv(elements.encode("cp1252"), connections.encode("cp1252"))
    assert imported.nodes[0].topics == ("Sprache", "Family Literacy")
    assert [(e.source_key, e.target_key, e.weight, e.start) for e in imported.edges] == [
        ("Kita Sonne", "Grundschule", 2.0, date(2021, 8, 1)), ("Kita Sonne", "VHS", 2.0, date(2021, 8, 1))]


def test_kumu_project_export_layout_with_ids_and_attributes() -> None:
    data = {"elements": [{"_id": "e1", "attributes": {"label": "Kita", "element type": "Kita", "tags": ["Sprache"]}},
                         {"_id": "e2", "attributes": {"label": "Schule", "element type": "Schule"}}],
            "connections": [{"_id": "c1", "from": "e1", "to": "e2", "direction": "directed",
                             "attributes": {"connection type": "Verweisung"}}]}
    imported = read_kumu_json(json.dumps(data).encode())
    assert [(n.key, n.label, n.kind, n.topics) for n in imported.nodes] == [
        ("e1", "Kita", "Kita", ("Sprache",)), ("e2", "Schule", "Schule", ())]
    edge = imported.edges[0]
    assert (edge.source_key, edge.target_key, edge.type, edge.directed) == ("e1", "e2", "Verweisung", True)


@pytest.mark.parametrize("reader, data, message", [
    (read_gexf, b"<gexf><graph><nodes><node id='1'/></nodes><edges><edge id='e7' source='1' target='2'/></edges>"
                b"</graph></gexf>", "GEXF, Kante „e7“: Ziel „2“ ist kein Knoten der Datei."),
    (read_gexf, b"<gexf><graph><nodes><node id='1'/><node id='1'/></nodes></graph></gexf>",
     "GEXF, Knoten „1“: Die id kommt mehrfach vor."),
    (read_gexf, b"<gexf><graph timeformat='date'><nodes><node id='1'/><node id='2'/></nodes><edges>"
                b"<edge source='1' target='2' start='gestern'/></edges></graph></gexf>", "kein Datum"),
    (read_gexf, b"<gexf><graph><nodes><node id='1'/><node id='2'/></nodes><edges>"
                b"<edge id='x' source='1' target='2' weight='viel'/></edges></graph></gexf>",
     "GEXF, Kante „x“: „viel“ ist keine Zahl"),
    (read_gexf, b"<graphml/>", "nicht <gexf>"),
    (read_gexf, b"<gexf><graph><nodes>", "kein gültiges XML"),
    (read_gexf, b"", "Die Datei ist leer."),
    (read_graphml, b"<graphml><graph><node id='a'/><edge source='a' target='b'/></graph></graphml>",
     "GraphML, Kante Nr. 1: Ziel „b“ ist kein Knoten der Datei."),
    (read_kumu_json, b"{\"elements\": [{\"label\": \"A\"}], \"connections\": [{\"from\": \"A\", \"to\": \"B\"}]}",
     "Kumu-JSON, Verbindungen, Zeile 1: Element „B“ (Spalte „to“) gibt es nicht."),
    (read_kumu_json, b"{\"elements\": [{\"label\": \"A\"}, {\"label\": \"A\"}]}",
     "Das Label „A“ kommt mehrfach vor"),
    (read_kumu_json, b"[1, 2]", "Erwartet wird ein Objekt"),
    (read_kumu_json, b"{nicht json", "kein gültiges JSON"),
    (read_kumu_xlsx, b"PK\x03\x04 kaputt", "keine lesbare XLSX-Arbeitsmappe"),
])
def test_malformed_files_raise_a_german_message_naming_the_place(reader, data: bytes, message: str) -> None:
    with pytest.raises(GraphImportError) as error:
        reader(data)
    assert message in str(error.value)


def test_xml_bombs_and_external_entities_are_refused() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            b'<gexf><graph><nodes><node id="1" label="&lol2;"/></nodes></graph></gexf>')
    external = (b'<?xml version="1.0"?><!DOCTYPE g [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<graphml><graph><node id="&x;"/></graph></graphml>')
    for reader, data in ((read_gexf, bomb), (read_graphml, external)):
        with pytest.raises(GraphImportError) as error:
            reader(data)
        assert "Sicherheitsgründen" in str(error.value)


def test_kumu_connection_rows_name_the_row_in_xlsx() -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Elements"
    workbook.active.append(["Label", "Type"])
    workbook.active.append(["Kita", "Kita"])
    sheet = workbook.create_sheet("Connections")
    sheet.append(["From", "To", "Strength", "Beginn"])
    sheet.append(["Kita", "Kita", "Strong", "2021-08-01"])
    sheet.append(["Kita", "Kita", 2, "irgendwann"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(GraphImportError) as error:
        read_kumu_xlsx(buffer.getvalue())
    assert str(error.value) == ("Kumu-XLSX, Blatt „Connections“, Zeile 3: „irgendwann“ ist kein Datum "
                                "(Feld „Beginn“, erwartet JJJJ-MM-TT).")
    # Kumu allows strengths in words ("Strong", "It's complicated"): weight 1, text kept, noted.
    sheet.delete_rows(3)
    buffer = io.BytesIO()
    workbook.save(buffer)
    imported = read_kumu_xlsx(buffer.getvalue())
    assert imported.edges[0].weight == 1.0 and imported.edges[0].attrs["Strength"] == "Strong"
    assert "Stärke in Worten („Strong“)" in imported.warnings[0]


def test_read_file_dispatches_on_the_extension(real_files) -> None:
    data = (real_files / "kumu" / "florentine_kumu_blueprint.json").read_bytes()
    assert read_file("landschaft.json", data).format == "kumu-json"
    assert read_file("Netz.GEXF", to_gexf(NODES[:2], [])).format == "gexf"
    with pytest.raises(GraphImportError, match="Unbekanntes Dateiformat"):
        read_file("netz.pdf", b"%PDF")
