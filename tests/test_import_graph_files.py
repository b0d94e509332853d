"""Gephi (GEXF) and GraphML files imported as a landscape through the same import steps as Kumu."""
from __future__ import annotations

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Actor, Cooperation, Role
from graph.export import to_graphml
from graph.records import EdgeRecord, NodeRecord
from tests.factories_imports import (
    REAL,
    commit,
    counts,
    dry_run,
    ensure_cooperation_type,
    ensure_kind,
    map_columns,
    start,
    text_of,
)

LES_MISERABLES = REAL / "gephi" / "les_miserables_gephi-lite.gexf"


def test_gephi_export_with_malformed_viz_namespace_becomes_a_landscape(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    kind = ensure_kind(app, "Romanfigur", "Zivilgesellschaft")
    tie = ensure_cooperation_type(app, "Gemeinsame Szene")
    before = counts(app)
    token = start(client, "kumu", LES_MISERABLES)
    page = text_of(client.get(f"/import/{token}/zuordnung").get_data(as_text=True))
    assert "GEXF (Gephi)" in page
    assert "Gewichte liegen nicht zwischen 1 und 3" in page  # co-occurrence counts up to 31, kept and said
    map_columns(client, token, default_kind=str(kind), default_cooperation_type=str(tie))
    status, page = dry_run(client, token)
    assert status == 200 and "Probelauf erfolgreich: 331 neu" in text_of(page), text_of(page)[:2000]
    assert counts(app) == before

    status, page = commit(client, token)
    assert status == 200 and "Akteure: 77 neu" in text_of(page) and "Kooperationen: 254 neu" in text_of(page)
    with app.app_context():
        valjean = db.session.scalars(select(Actor).where(Actor.name == "Valjean")).one()
        assert db.session.scalar(select(func.count()).select_from(Cooperation).where(
            (Cooperation.source_id == valjean.id) | (Cooperation.target_id == valjean.id))) == 36
    after = counts(app)

    token = start(client, "kumu", LES_MISERABLES)  # the same file again changes nothing
    map_columns(client, token, default_kind=str(kind), default_cooperation_type=str(tie))
    status, page = commit(client, token)
    assert status == 200 and "0 neu, 0 aktualisiert, 331 unverändert" in text_of(page)
    assert counts(app) == {**after, "AuditEntry": after["AuditEntry"] + 1}


def test_graphml_with_dates_keeps_start_and_end(app, login_as) -> None:
    from datetime import date

    client = login_as(Role.COORDINATOR)
    school = ensure_kind(app, "Grundschule", "Schule")
    contract = ensure_cooperation_type(app, "Kooperationsvertrag")
    data = to_graphml(
        [NodeRecord("a", "Grundschule Olewig", kind="Grundschule"),
         NodeRecord("b", "Kita St. Anna", kind="Grundschule")],
        [EdgeRecord("a", "b", type="Kooperationsvertrag", weight=2.0, start=date(2019, 8, 1), end=date(2024, 7, 31))])
    token = start(client, "kumu", ("landschaft.graphml", data))
    assert school and contract  # the file names them exactly, so no value needs mapping
    map_columns(client, token)
    status, page = commit(client, token)
    assert status == 200 and "3 neu" in text_of(page), text_of(page)[:2000]
    with app.app_context():
        tie = db.session.scalars(select(Cooperation)).one()
        assert (tie.start_date, tie.end_date, tie.intensity) == (date(2019, 8, 1), date(2024, 7, 31), 2)


def test_broken_xml_is_reported_not_imported(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    before = counts(app)
    from tests.factories_imports import upload

    response = upload(client, "kumu", ("kaputt.gexf", b'<?xml version="1.0"?><gexf><graph><nodes><node id="1"'))
    body = text_of(response.get_data(as_text=True))
    assert response.status_code in (200, 422) and "GEXF" in body
    assert counts(app) == before


def test_network_file_round_trip_keeps_every_actor_tie_and_date(app, login_as, create_actor) -> None:
    """Export from the app as GEXF, read it back: no actor, tie, weight or date lost."""
    from datetime import date

    from crm.models import CooperationType
    from graph.importers import read_gexf, read_graphml

    with app.app_context():
        a, b, c = (create_actor(name) for name in ("Grundschule Olewig", "Kita St. Anna", "IHK Trier"))
        contract = db.session.scalars(select(CooperationType)).first()
        db.session.add_all([
            Cooperation(source_id=a, target_id=b, type_id=contract.id, intensity=3,
                        start_date=date(2019, 8, 1), end_date=date(2024, 7, 31)),
            Cooperation(source_id=b, target_id=c, type_id=contract.id, intensity=1, start_date=date(2021, 1, 1))])
        db.session.commit()
    client = login_as(Role.VIEWER)  # no personal data inside, so viewers may download it
    response = client.get("/analyse/netzwerk.gexf")
    assert response.status_code == 200 and response.mimetype == "application/gexf+xml"
    assert "attachment" in response.headers["Content-Disposition"]
    back = read_gexf(response.data)
    assert {n.label for n in back.nodes} >= {"Grundschule Olewig", "Kita St. Anna", "IHK Trier"}
    ties = {(e.weight, e.start, e.end) for e in back.edges}
    assert ties == {(3.0, date(2019, 8, 1), date(2024, 7, 31)), (1.0, date(2021, 1, 1), None)}
    # A date cut chooses the ties: on 2025-01-01 the first contract has ended.
    later = read_graphml(client.get("/analyse/netzwerk.graphml?as_of=2025-01-01").data)
    assert [(e.start, e.end) for e in later.edges] == [(date(2021, 1, 1), None)]


def test_network_file_bad_input_is_a_problem_not_a_crash(app, login_as) -> None:
    client = login_as(Role.VIEWER)
    response = client.get("/analyse/netzwerk.gexf?as_of=gestern")
    assert response.status_code == 422 and "kein Datum" in response.get_json()["detail"]
    assert client.get("/analyse/netzwerk.pdf").status_code == 404
    assert login_as(Role.VIEWER) and app.test_client().get("/analyse/netzwerk.gexf").status_code in (302, 401)


def test_reimported_app_export_keeps_initiative_and_event_ties_out_of_the_cooperations(app, login_as) -> None:
    """Bildungsnetz's own GEXF export (``graph.export.to_gexf``, as ``/analyse/netzwerk.gexf``
    writes it) with the initiative and event layers switched on: only the cooperation becomes
    a Kooperation; the derived ties are left out and the mapping page says so in German."""
    from datetime import date

    from graph.export import to_gexf

    client = login_as(Role.COORDINATOR)
    ensure_kind(app, "Grundschule", "Schule")
    contract = ensure_cooperation_type(app, "Kooperationsvertrag")
    nodes = [NodeRecord(1, "Grundschule Olewig", kind="Grundschule"),
             NodeRecord(2, "Kita St. Anna", kind="Grundschule"),
             NodeRecord(3, "IHK Trier", kind="Grundschule")]
    edges = [EdgeRecord(1, 2, type="Kooperationsvertrag", start=date(2020, 1, 1), ref="cooperation:1"),
             EdgeRecord(1, 2, layer="initiative", type="MINT-Initiativkreis", start=date(2021, 1, 1),
                        ref="initiative:7"),
             EdgeRecord(1, 3, layer="initiative", type="MINT-Initiativkreis", start=date(2021, 1, 1),
                        ref="initiative:7"),
             EdgeRecord(2, 3, layer="initiative", type="MINT-Initiativkreis", start=date(2021, 1, 1),
                        ref="initiative:7"),
             EdgeRecord(1, 3, layer="event", type="Bildungskonferenz 2024", start=date(2024, 11, 7), ref="event:9")]
    token = start(client, "kumu", ("bildungsnetz.gexf", to_gexf(nodes, edges)))
    page = text_of(client.get(f"/import/{token}/zuordnung").get_data(as_text=True))
    assert ("4 Verbindungen wurden nicht übernommen (1 × Ebene „gemeinsame Veranstaltung“, "
            "3 × Ebene „gemeinsame Initiative“): Nur Kooperationen werden eingelesen.") in page
    map_columns(client, token, default_cooperation_type=str(contract))
    status, page = commit(client, token)
    assert status == 200 and "Kooperationen: 1 neu" in text_of(page), text_of(page)[:2000]
    with app.app_context():
        tie = db.session.scalars(select(Cooperation)).one()
        assert tie.start_date == date(2020, 1, 1)


def test_les_miserables_weights_are_kept_and_reproduce_the_strengths(app, login_as) -> None:
    """The file's co-occurrence counts (up to 31) are kept as weights, not rounded into 1-3: the
    weighted degree of Valjean is 158 in the file, and so it is in the analysis. The intensity of
    those ties is the one default of every format (2)."""
    client = login_as(Role.COORDINATOR)
    kind = ensure_kind(app, "Romanfigur", "Zivilgesellschaft")
    tie = ensure_cooperation_type(app, "Gemeinsame Szene")
    token = start(client, "kumu", LES_MISERABLES)
    map_columns(client, token, default_kind=str(kind), default_cooperation_type=str(tie))
    status, _ = commit(client, token)
    assert status == 200
    from graph.importers import read_gexf

    parsed = read_gexf(LES_MISERABLES.read_bytes())
    label = {n.key: n.label for n in parsed.nodes}
    in_file = sum(e.weight for e in parsed.edges if "Valjean" in (label[e.source_key], label[e.target_key]))
    assert in_file == 158
    with app.app_context():
        valjean = db.session.scalars(select(Actor).where(Actor.name == "Valjean")).one()
        ties = db.session.scalars(select(Cooperation).where(
            (Cooperation.source_id == valjean.id) | (Cooperation.target_id == valjean.id))).all()
        # weights of 1 to 3 are the intensity itself; the others are kept beside the default intensity 2
        assert sum(t.intensity if t.weight is None else t.weight for t in ties) == 158
        assert max(t.weight or 0 for t in ties) == 31
        assert {t.intensity for t in ties if t.weight is not None} == {2}
    result = client.get("/analyse/ergebnis.json").get_json()
    row = next(a for a in result["actors"] if a["label"] == "Valjean")
    assert row["strength"] == 158 and row["degree"] == 36


def test_a_tie_without_weight_gets_the_one_default_intensity_in_every_format(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    ensure_kind(app, "Grundschule", "Schule")
    ensure_cooperation_type(app, "Kooperationsvertrag")
    gexf = (b'<?xml version="1.0" encoding="UTF-8"?><gexf xmlns="http://gexf.net/1.3" version="1.3"><graph '
            b'defaultedgetype="undirected"><attributes class="node"><attribute id="kind" title="kind" type="string"/>'
            b'</attributes><nodes><node id="a" label="GS A"><attvalues><attvalue for="kind" value="Grundschule"/>'
            b'</attvalues></node><node id="b" label="GS B"><attvalues><attvalue for="kind" value="Grundschule"/>'
            b'</attvalues></node></nodes><edges><edge id="e" source="a" target="b" label="Kooperationsvertrag"/>'
            b'</edges></graph></gexf>')
    token = start(client, "kumu", ("ohne-gewicht.gexf", gexf))
    map_columns(client, token, default_cooperation_type="Kooperationsvertrag")
    status, page = commit(client, token)
    assert status == 200, text_of(page)[:2000]
    with app.app_context():
        tie = db.session.scalars(select(Cooperation)).one()
        assert (tie.intensity, tie.weight) == (2, None)
