"""An import that does not duplicate: a row with the name and place of an existing actor, but another
area or another (or no) reference, is shown as a probable match, and the coordinator decides: link the
row to the existing actor, or create a new one. Nothing is imported while a decision is open. The
result page links to every created and updated record."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Actor, Role
from tests import factories_coordinator as fc
from tests import factories_imports as imp


def _existing(app) -> int:
    fc_area = imp.ensure_area(app, "Verbandsgemeinde Trier-Land", parent="Landkreis Trier-Saarburg")
    return fc.actor(app, "Grundschule Trierweiler", postcode="54311", city="Trierweiler", area_id=fc_area,
                    external_ref="51111")


def _count(app, name: str = "Grundschule Trierweiler") -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Actor).where(Actor.name == name)) or 0


def _decide(client, token: str, page: str, answer: str):
    keys = sorted(set(re.findall(r'name="(treffer:[^"]+)"', page)))
    assert keys, "no decision on the page"
    token_value = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return client.post(f"/import/{token}/entscheidungen", data={"csrf_token": token_value,
                                                                **{key: answer for key in keys}})


def _upload(client, csv: str) -> str:
    token = imp.start(client, "actors", ("schulen.csv", csv.encode()))
    assert imp.map_columns(client, token).status_code == 302
    return token


def test_a_row_in_another_area_is_a_probable_match_and_linking_updates_the_existing_actor(app, login_as) -> None:
    actor_id = _existing(app)
    imp.ensure_area(app, "Trierweiler", parent="Verbandsgemeinde Trier-Land")
    client = login_as(Role.COORDINATOR)
    token = _upload(client, "Name;Art;PLZ;Ort;Gebiet;Telefon\n"
                            "Grundschule Trierweiler;Grundschule;54311;Trierweiler;Trierweiler;0651 123\n"
                            "Kita Sonnenschein;Kita;54311;Trierweiler;Trierweiler;\n")
    status, page = imp.preview(client, token)
    text = imp.text_of(page)
    assert status == 200 and "Wahrscheinlich schon vorhanden" in text
    assert "Zeile 2: „Grundschule Trierweiler“" in text and "Kennung 51111" in text
    assert re.search(r'<button class="btn btn-primary" type="submit" disabled>Jetzt importieren', page)
    # Importing before deciding is refused, nothing is written.
    refused, _page = imp.commit(client, token)
    assert refused == 422 and _count(app) == 1 and _count(app, "Kita Sonnenschein") == 0

    response = _decide(client, token, page, str(actor_id))
    assert response.status_code == 302
    status, page = imp.preview(client, token)
    assert f'value="{actor_id}" checked' in page and "Keine Probleme gefunden" in imp.text_of(page)
    status, result = imp.commit(client, token)
    assert status == 200 and "1 neu, 1 aktualisiert" in imp.text_of(result)
    assert _count(app) == 1
    with app.app_context():
        actor = db.session.get(Actor, actor_id)
        assert actor.area.name == "Trierweiler" and actor.phone == "0651 123" and actor.external_ref == "51111"
        kita = db.session.scalars(select(Actor).where(Actor.name == "Kita Sonnenschein")).one()
    # The result page links to what was created and what was updated.
    assert f'href="/akteure/{kita.id}"' in result.split('data-testid="records-new"', 1)[1].split("</section>")[0]
    assert f'href="/akteure/{actor_id}"' in result.split('data-testid="records-updated"', 1)[1].split("</section>")[0]


def test_choosing_new_creates_a_second_actor_of_that_name(app, login_as) -> None:
    _existing(app)
    client = login_as(Role.COORDINATOR)
    # No area column, but another reference: the same school, or a branch with its own number?
    token = _upload(client, "Name;Art;Ort;Kennung\nGrundschule Trierweiler;Grundschule;Trierweiler;52222\n")
    _status, page = imp.preview(client, token)
    assert "Wahrscheinlich schon vorhanden" in imp.text_of(page)
    assert _decide(client, token, page, "new").status_code == 302
    status, result = imp.commit(client, token)
    assert status == 200 and "1 neu, 0 aktualisiert" in imp.text_of(result)
    assert _count(app) == 2
    with app.app_context():
        new = db.session.scalars(select(Actor).where(Actor.external_ref == "52222")).one()
    assert f'href="/akteure/{new.id}"' in result


def test_the_same_name_in_another_place_is_another_actor_without_asking(app, login_as) -> None:
    _existing(app)
    client = login_as(Role.COORDINATOR)
    token = _upload(client, "Name;Art;PLZ;Ort\nGrundschule Trierweiler;Grundschule;66111;Saarbrücken\n")
    _status, page = imp.preview(client, token)
    assert 'data-testid="probable-matches"' not in page
    status, _result = imp.commit(client, token)
    assert status == 200 and _count(app) == 2


def test_an_answer_that_names_no_candidate_is_ignored(app, login_as, create_actor) -> None:
    _existing(app)
    stranger = create_actor("Ganz anderer Akteur")
    client = login_as(Role.COORDINATOR)
    token = _upload(client, "Name;Art;Ort;Kennung\nGrundschule Trierweiler;Grundschule;Trierweiler;52222\n")
    _status, page = imp.preview(client, token)
    _decide(client, token, page, str(stranger))
    _status, page = imp.preview(client, token)
    assert "bitte entscheiden" in imp.text_of(page).lower() or 'data-testid="decisions-needed"' in page
    assert imp.commit(client, token)[0] == 422 and _count(app) == 1
