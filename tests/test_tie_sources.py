"""The tie-source filter of the landscape map, its table and the analysis: recorded (the CRM's
cooperations, the default), confirmed (named by both sides in a survey round) and reported (named by
one side, not in the CRM). Through HTTP, on SQLite and PostgreSQL."""
from __future__ import annotations

import re
from datetime import date, timedelta

from crm.extensions import db
from crm.models import ReportedTie, Role, SurveyRecipient, SurveyRound, SurveyStatus
from crm.models.base import utcnow
from crm.services.surveys import answers
from graph.cut import Cut
from tests import factories_coordinator as f

TIE = re.compile(r'<tr><td><a href="/akteure/\d+">([^<]+)</a></td>\s*<td><a href="/akteure/\d+">([^<]+)</a></td>')
ALL = "sources=recorded&sources=confirmed&sources=reported"


def _round(app, title: str, names: dict[int, list[int]], *, closed: bool) -> int:
    """A round in which each actor of ``names`` sent off an answer naming those partners."""
    with app.app_context():
        now = utcnow()
        survey = SurveyRound(title=title, intro="", questions=["partners", "frequency"],
                             status=SurveyStatus.CLOSED if closed else SurveyStatus.OPEN,
                             sent_at=now - timedelta(days=20), closed_at=now if closed else None)
        db.session.add(survey)
        db.session.flush()
        for reporter, partners in names.items():
            recipient = SurveyRecipient(round_id=survey.id, actor_id=reporter, answers={}, invited_at=now,
                                        saved_at=now, answered_at=now)
            db.session.add(recipient)
            db.session.flush()
            for position, partner in enumerate(partners):
                db.session.add(ReportedTie(round_id=survey.id, recipient_id=recipient.id, reporter_id=reporter,
                                           partner_id=partner, intensity=2, position=position))
        db.session.commit()
        return survey.id


def _landscape(app) -> dict[str, int]:
    ids = {name: f.actor(app, name) for name in ("Grundschule Olewig", "Kita St. Anna", "Volkshochschule Trier",
                                                  "Stadtbibliothek", "Jugendtreff Nord", "Musikschule")}
    g, k, v, b, j, m = ids.values()
    f.cooperation(app, g, k, start=date(2020, 1, 1))       # recorded
    # The closed round: G names K (recorded already: not "reported") and V; V names G back (confirmed);
    # B names J (reported: one side, not in the CRM).
    ids["closed"] = _round(app, "Befragung 2025", {g: [k, v], v: [g], b: [j]}, closed=True)
    # An open round: only M names B.
    ids["open"] = _round(app, "Befragung 2026", {m: [b]}, closed=False)
    return ids


def _ties(client, query: str = "") -> list[tuple[str, str]]:
    response = client.get("/netzwerk/tabelle" + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return sorted(TIE.findall(response.get_data(as_text=True)))


def test_the_source_filter_changes_the_ties_of_table_map_and_analysis(app, login_as) -> None:
    ids = _landscape(app)
    client = login_as(Role.VIEWER)

    # Default: the CRM's cooperations only, as before; the panel offers the sources as checkboxes.
    page = client.get("/netzwerk/").get_data(as_text=True)
    assert re.search(r'name="sources" value="recorded" id="source-recorded" checked', page)
    assert re.search(r'name="sources" value="confirmed" id="source-confirmed" >', page)
    assert "Befragung 2025" in page   # the latest closed round is the default one
    assert _ties(client) == [("Grundschule Olewig", "Kita St. Anna")]

    assert _ties(client, "sources=recorded&sources=confirmed") == [
        ("Grundschule Olewig", "Kita St. Anna"), ("Grundschule Olewig", "Volkshochschule Trier")]
    assert _ties(client, "sources=reported") == [("Jugendtreff Nord", "Stadtbibliothek")]
    assert len(_ties(client, ALL)) == 3
    # Another round, chosen in the filter: its reported tie instead.
    assert _ties(client, f"sources=reported&survey_round={ids['open']}") == [("Musikschule", "Stadtbibliothek")]

    # The table says where each tie comes from.
    table = client.get(f"/netzwerk/tabelle?{ALL}&tsort=quelle").get_data(as_text=True)
    sources = re.findall(r'<td class="small" data-testid="tie-source">([^<]+)</td>', table)
    assert sorted(sources) == ["bestätigt (in der Befragung von beiden Seiten genannt)",
                               "gemeldet (von einer Seite genannt, noch nicht im CRM)",
                               "im CRM erfasst (Kooperationen)"]

    # The map: confirmed and reported ties have their own dashes and legend entries; recorded stay solid.
    spec = client.get(f"/netzwerk/karte.json?{ALL}&view=actors").get_json()
    status = {frozenset((e["from"], e["to"])): e for e in spec["edges"]}
    g, k, v, b, j = (ids[n] for n in ("Grundschule Olewig", "Kita St. Anna", "Volkshochschule Trier",
                                       "Stadtbibliothek", "Jugendtreff Nord"))
    assert status[frozenset((g, k))]["status"] == "recorded" and not status[frozenset((g, k))].get("dashes")
    confirmed, reported = status[frozenset((g, v))], status[frozenset((b, j))]
    assert confirmed["status"] == "confirmed" and reported["status"] == "reported"
    assert confirmed["dashes"] and reported["dashes"] and confirmed["dashes"] != reported["dashes"]
    legend = {entry["key"]: entry for entry in spec["legend"]["ties"]}
    assert legend["confirmed"]["pattern"] == "dashed" and legend["reported"]["pattern"] == "dotted"
    assert legend["recorded"]["pattern"] == "solid"
    default = client.get("/netzwerk/karte.json?view=actors").get_json()
    assert len(default["edges"]) == 1 and "ties" not in default["legend"]   # nothing changes by default

    # The analysis, computed by the worker and stored per filter.
    counts = {}
    for query in ("", "sources=recorded&sources=confirmed", "sources=reported", ALL):
        result = client.get("/analyse/ergebnis.json" + (f"?{query}" if query else "")).get_json()
        counts[query] = result["network"]["edges"]
    assert counts == {"": 1, "sources=recorded&sources=confirmed": 2, "sources=reported": 1, ALL: 3}


def test_the_default_cut_keeps_its_key_and_bad_sources_are_refused(app, login_as) -> None:
    assert "sources" not in Cut().to_dict() and "survey_round" not in Cut().to_dict()
    assert Cut(sources={"recorded", "confirmed"}).to_dict()["sources"] == ["confirmed", "recorded"]
    _landscape(app)
    client = login_as(Role.VIEWER)
    for query, text in (("sources=erfunden", "Unbekannte Quelle"),
                        ("sources=confirmed&survey_round=99999", "Befragungsrunde 99999 gibt es nicht"),
                        ("sources=confirmed&survey_round=x", "keine Nummer"),
                        ("sources=confirmed&layers=initiative", "Ebene „Kooperationen“")):
        page = client.get(f"/netzwerk/?{query}")
        assert page.status_code == 422 and text in page.get_data(as_text=True), query
        assert client.get(f"/netzwerk/karte.json?{query}").status_code == 422
        assert client.get(f"/analyse/ergebnis.json?{query}").status_code == 422


def test_a_sent_off_answer_renews_the_maps_with_survey_ties(app, login_as) -> None:
    ids = _landscape(app)
    client = login_as(Role.VIEWER)
    assert _ties(client, f"sources=reported&survey_round={ids['open']}") == [("Musikschule", "Stadtbibliothek")]
    with app.app_context():
        recipient = SurveyRecipient(round_id=ids["open"], actor_id=ids["Jugendtreff Nord"], answers={})
        db.session.add(recipient)
        db.session.flush()
        data = answers.AnswerInput(partners=[answers.PartnerInput(name="Musikschule",
                                                                  actor_id=str(ids["Musikschule"]),
                                                                  intensity="1")])
        answers.save_answer(db.session, recipient, data, submit=True)
        db.session.commit()
    assert _ties(client, f"sources=reported&survey_round={ids['open']}") == [
        ("Jugendtreff Nord", "Musikschule"), ("Musikschule", "Stadtbibliothek")]
