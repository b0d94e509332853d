"""Kumu-layout landscapes (elements and connections) and cooperation lists, good and broken."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Actor, Cooperation, Role
from tests.factories_imports import (
    KUMU_CONNECTIONS,
    KUMU_ELEMENTS,
    KUMU_JSON,
    commit,
    counts,
    dry_run,
    ensure_cooperation_type,
    ensure_kind,
    map_columns,
    preview,
    start,
    text_of,
)


def _ties(app) -> set[tuple[str, str, str, int]]:
    with app.app_context():
        return {(c.source.name, c.target.name, c.type.name, c.intensity)
                for c in db.session.scalars(select(Cooperation))}


def test_florentine_kumu_sheets_preview_dry_run_import_and_reimport(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    family = ensure_kind(app, "Familie", "Zivilgesellschaft")
    marriage = ensure_cooperation_type(app, "Heiratsallianz")
    before = counts(app)
    token = start(client, "kumu", KUMU_ELEMENTS, KUMU_CONNECTIONS)
    page = text_of(client.get(f"/import/{token}/zuordnung").get_data(as_text=True))
    assert "Blatt „florentine_kumu_elements.csv“: Akteure" in page
    assert "Blatt „florentine_kumu_connections.csv“: Kooperationen" in page
    assert "Werte zuordnen" in page and "Family" in page and "Marriage" in page

    map_columns(client, token)
    _, page = preview(client, token)
    text = text_of(page)
    assert "florentine_kumu_elements.csv Zeile 2 Type (B) Unbekannte Art „Family“." in text
    assert "florentine_kumu_connections.csv Zeile 2 Type (C) Unbekannte Kooperationsart „Marriage“." in text
    assert counts(app) == before

    assert map_columns(client, token, values={"Family": str(family), "Marriage": str(marriage)}).status_code == 302
    status, page = preview(client, token)
    assert "Voraussichtlich: 35 neu, 0 aktualisiert, 0 unverändert." in text_of(page)
    status, page = dry_run(client, token)
    assert status == 200 and "Probelauf erfolgreich: 35 neu, 0 aktualisiert, 0 unverändert." in text_of(page)
    assert counts(app) == before

    status, page = commit(client, token)
    assert status == 200
    text = text_of(page)
    assert "35 neu, 0 aktualisiert, 0 unverändert" in text
    assert "Akteure: 15 neu" in text and "Kooperationen: 20 neu" in text
    after = counts(app)
    assert (after["Actor"], after["Cooperation"]) == (before["Actor"] + 15, before["Cooperation"] + 20)
    ties = _ties(app)
    assert ("Acciaiuoli", "Medici", "Heiratsallianz", 2) in ties
    assert sum(1 for s, t, *_ in ties if "Medici" in (s, t)) == 6

    # Same files again: the value mapping is remembered and nothing changes.
    token = start(client, "kumu", KUMU_ELEMENTS, KUMU_CONNECTIONS)
    map_columns(client, token)
    status, page = commit(client, token)
    assert status == 200 and "0 neu, 0 aktualisiert, 35 unverändert" in text_of(page)
    assert counts(app) == {**after, "AuditEntry": after["AuditEntry"] + 1}


def test_kumu_json_blueprint_is_read(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    family = ensure_kind(app, "Familie", "Zivilgesellschaft")
    marriage = ensure_cooperation_type(app, "Heiratsallianz")
    token = start(client, "kumu", KUMU_JSON)
    map_columns(client, token, values={"Family": str(family), "Marriage": str(marriage)})
    status, page = commit(client, token)
    assert status == 200 and "35 neu" in text_of(page)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Cooperation).where(
            Cooperation.is_directed.is_(False))) == 20


def test_kumu_connections_alone_link_existing_actors(app, login_as, create_actor) -> None:
    client = login_as(Role.COORDINATOR)
    for name in ("Acciaiuoli", "Albizzi", "Barbadori", "Bischeri", "Castellani", "Ginori", "Guadagni",
                 "Lamberteschi", "Medici", "Pazzi", "Peruzzi", "Ridolfi", "Salviati", "Strozzi", "Tornabuoni"):
        create_actor(name)
    marriage = ensure_cooperation_type(app, "Heiratsallianz")
    token = start(client, "cooperations", KUMU_CONNECTIONS)
    map_columns(client, token, default_cooperation_type=str(marriage), values={"Marriage": str(marriage)})
    status, page = commit(client, token)
    assert status == 200 and "20 neu" in text_of(page)


COOPERATION_HEADER = "Von;Zu;Art;Intensität;Beginn;Ende\n"


def test_broken_cooperation_rows_are_each_reported_and_nothing_is_imported(app, login_as, create_actor) -> None:
    client = login_as(Role.COORDINATOR)
    create_actor("Grundschule Olewig", external_ref="GS-1")
    create_actor("Kita St. Anna")
    create_actor("VHS Trier", kind="Volkshochschule")
    ensure_cooperation_type(app, "Kooperationsvertrag")
    rows = [
        "GS-1;Kita St. Anna;Kooperationsvertrag;3;01.08.2023;",        # fine (by reference and by name)
        "Grundschule Olewig;Kita Sonnenschein;Kooperationsvertrag;2;;",  # unknown actor
        "VHS Trier;Kita St. Anna;Kooperationsvertrag;2;31.02.2024;",     # bad date
        "VHS Trier;Grundschule Olewig;Kooperationsvertrag;2;01.05.2024;01.01.2024",  # end before start
        "VHS Trier;vhs trier;Kooperationsvertrag;2;;",                    # the same actor twice
        "Kita St. Anna;VHS Trier;Kooperationsvertrag;7;;",               # intensity out of range
        "Kita St. Anna;GS-1;Kooperationsvertrag;2;01.08.2023;",           # the first row again
    ]
    data = (COOPERATION_HEADER + "\n".join(rows) + "\n").encode()
    token = start(client, "cooperations", ("kooperationen.csv", data))
    map_columns(client, token)
    before = counts(app)
    _, page = preview(client, token)
    text = text_of(page)
    assert "3 Zu (B) Unbekannter Akteur „Kita Sonnenschein“" in text
    assert "4 Beginn (E) „31.02.2024“ ist kein gültiges Datum (erwartet TT.MM.JJJJ oder JJJJ-MM-TT)." in text
    assert "5 Ende (F) Das Ende (01.01.2024) liegt vor dem Beginn (01.05.2024)." in text
    assert "6 Zu (B) Eine Kooperation braucht zwei verschiedene Akteure" in text
    assert "7 Intensität (D) „7“ ist keine gültige Intensität" in text
    assert "8 Von (A) Zeile 8 beschreibt dieselbe Kooperation wie Zeile 2" in text
    assert "6 Probleme gefunden." in text
    for step in (dry_run, commit):
        status, _page = step(client, token)
        assert status == 422
    assert counts(app) == before


def test_cooperation_update_by_reimport_and_a_second_running_one_is_refused(app, login_as, create_actor) -> None:
    client = login_as(Role.COORDINATOR)
    create_actor("Grundschule Olewig")
    create_actor("Kita St. Anna")
    ensure_cooperation_type(app, "Kooperationsvertrag")
    first = (COOPERATION_HEADER + "Grundschule Olewig;Kita St. Anna;Kooperationsvertrag;2;01.08.2023;\n").encode()
    token = start(client, "cooperations", ("k.csv", first))
    map_columns(client, token)
    assert "1 neu" in text_of(commit(client, token)[1])

    ended = first.replace(b"01.08.2023;", b"01.08.2023;31.07.2025")
    token = start(client, "cooperations", ("k.csv", ended))
    map_columns(client, token)
    _, page = commit(client, token)
    assert "0 neu, 1 aktualisiert, 0 unverändert" in text_of(page)
    with app.app_context():
        coop = db.session.scalars(select(Cooperation)).one()
        assert (coop.start_date, coop.end_date) == (date(2023, 8, 1), date(2025, 7, 31))

    # A new running one after the end is fine; then a second running one at the same time is not.
    again = (COOPERATION_HEADER + "Kita St. Anna;Grundschule Olewig;Kooperationsvertrag;3;01.09.2025;\n"
             "Grundschule Olewig;Kita St. Anna;Kooperationsvertrag;2;01.01.2026;\n").encode()
    token = start(client, "cooperations", ("k.csv", again))
    map_columns(client, token)
    before = counts(app)
    _, page = preview(client, token)
    assert ("3 Beginn (E) Es gibt bereits eine Kooperation „Kooperationsvertrag“ zwischen „Kita St. Anna“ und "
            "„Grundschule Olewig“ seit 01.09.2025 im selben Zeitraum.") in text_of(page)
    status, page = commit(client, token)
    assert status == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Cooperation)) == 1
    assert counts(app) == before


def test_cooperations_refer_to_actors_created_earlier_in_the_same_kumu_file(app, login_as) -> None:
    client = login_as(Role.COORDINATOR)
    ensure_cooperation_type(app, "Förderung", directed=True)
    elements = b"ID,Label,Type\nx1,Stiftung Bildung,Kita\nx2,Kita Regenbogen,Kita\nx3,Kita Regenbogen,Kita\n"
    connections = "From,To,Type,Strength\nx1,x2,Förderung,3\nx1,x3,Förderung,1\nx1,Unbekannt,Förderung,1\n".encode()
    token = start(client, "kumu", ("elements.csv", elements), ("connections.csv", connections))
    map_columns(client, token)
    _, page = preview(client, token)
    text = text_of(page)
    # Two elements with the same label are two rows for the same actor (no area tells them apart).
    assert "elements.csv Zeile 4 Label (B) Zeile 4 beschreibt denselben Akteur wie Zeile 2" not in text
    assert "elements.csv Zeile 4 Label (B) Zeile 4 beschreibt denselben Akteur wie Zeile 3" in text
    assert "connections.csv Zeile 4 To (B) Unbekannter Akteur „Unbekannt“" in text
    with app.app_context():
        assert db.session.scalars(select(Actor)).all() == []


def test_a_kumu_map_with_initiatives_by_label(app, login_as) -> None:
    """A map drawn in Kumu itself: initiatives are elements of Type „Initiative“, members are
    connections to them (by label); the role column and a re-import behave like the rest."""
    from crm.models import Initiative, InitiativeKind, Membership, MembershipRole

    ensure_kind(app, "Schule", "Schule")
    client = login_as(Role.COORDINATOR)
    elements = ("Label,Type,Description,Initiativart,Beginn\n"
                "Grundschule Nord,Schule,,,\n"
                "Realschule Süd,Schule,,,\n"
                "Leseband Trier,Initiative,Lesen in allen Klassen,Projekt,01.09.2022\n").encode()
    connections = ("From,To,Type,Rolle,Beginn,Ende\n"
                   "Grundschule Nord,Leseband Trier,Mitgliedschaft,Leitung,01.09.2022,\n"
                   "Leseband Trier,Realschule Süd,,Partner,01.01.2023,31.07.2024\n").encode()
    token = start(client, "kumu", ("elements.csv", elements), ("connections.csv", connections))
    map_columns(client, token)
    status, page = commit(client, token)
    assert status == 200 and "5 neu, 0 aktualisiert, 0 unverändert" in text_of(page), text_of(page)
    with app.app_context():
        initiative = db.session.scalars(select(Initiative)).one()
        assert (initiative.name, initiative.kind, initiative.start_date, initiative.description) == (
            "Leseband Trier", InitiativeKind.PROJECT, date(2022, 9, 1), "Lesen in allen Klassen")
        members = sorted((m.actor.name, m.role, m.joined_on, m.left_on)
                         for m in db.session.scalars(select(Membership)))
        assert members == [("Grundschule Nord", MembershipRole.LEAD, date(2022, 9, 1), None),
                           ("Realschule Süd", MembershipRole.PARTNER, date(2023, 1, 1), date(2024, 7, 31))]
        assert db.session.scalar(select(func.count()).select_from(Actor)) == 2  # the initiative is no actor
        assert db.session.scalar(select(func.count()).select_from(Cooperation)) == 0

    token = start(client, "kumu", ("elements.csv", elements), ("connections.csv", connections))
    map_columns(client, token)
    assert "0 neu, 0 aktualisiert, 5 unverändert" in text_of(commit(client, token)[1])

    # A role nobody knows and a member that is no actor: named by row and column, nothing imported.
    before = counts(app)
    broken = (b"From,To,Type,Rolle\n"
              b"Grundschule Nord,Leseband Trier,Mitgliedschaft,Schirmherrschaft\n"
              b"Gesamtschule West,Leseband Trier,Mitgliedschaft,Mitglied\n")
    token = start(client, "kumu", ("elements.csv", elements), ("connections.csv", broken))
    map_columns(client, token)
    status, page = commit(client, token)
    text = text_of(page)
    assert "„Schirmherrschaft“ ist keine Rolle in einer Initiative" in text
    assert "Unbekannter Akteur „Gesamtschule West“" in text
    assert counts(app) == before


def test_kumu_accepts_any_positive_strength_and_keeps_it_as_the_weight(app, login_as) -> None:
    """Kumu's strength is a number on the map's own scale: 5 is accepted (it was refused), kept
    as the weight; 1 to 3 are also the intensity, other values leave the default intensity 2."""
    client = login_as(Role.COORDINATOR)
    ensure_kind(app, "Kita", "Kita")
    ensure_cooperation_type(app, "Förderung")
    elements = b"ID,Label,Type\nx1,Stiftung Bildung,Kita\nx2,Kita Regenbogen,Kita\nx3,Kita Sonnenschein,Kita\n"
    connections = "From,To,Type,Strength\nx1,x2,Förderung,5\nx1,x3,Förderung,3\n".encode()
    token = start(client, "kumu", ("elements.csv", elements), ("connections.csv", connections))
    map_columns(client, token)
    status, page = commit(client, token)
    assert status == 200, text_of(page)[:2000]
    with app.app_context():
        ties = {(t.target.name, t.weight, t.intensity) for t in db.session.scalars(select(Cooperation))}
    assert ties == {("Kita Regenbogen", 5.0, 2), ("Kita Sonnenschein", None, 3)}
