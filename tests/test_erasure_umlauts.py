"""Erasure finds mentions case-insensitively for umlauts and every other letter, on both databases.

SQLite's ``lower()`` folds ASCII only (``lower('MÜLLER')`` is ``'mÜller'``), so a search for
"erika müller" in SQL missed "ERIKA MÜLLER" and the upper-case mention survived the erasure.
"""
from __future__ import annotations

from sqlalchemy import select

from crm.extensions import db
from crm.models import Actor, Cooperation, Person, Role
from crm.services.privacy import subject_rights
from tests import factories_privacy as f


def _erase(app, client, person_id: int) -> str:
    """Anonymise through the page; returns the page shown after it (the review list, if any)."""
    response = client.post_form(f"/datenschutz/personen/{person_id}/anonymisieren", {"confirm": "y"},
                                follow_redirects=True)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_an_upper_case_umlaut_mention_does_not_survive_the_erasure(app, login_as, create_actor) -> None:
    school = create_actor("Grundschule Olewig", notes="Ansprechpartnerin: ERIKA MÜLLER (Sekretariat)")
    partner = create_actor("Kita St. Anna", notes="Vertretung: Müller, Erika")
    person_id = f.person(app, "Müller", "Erika", "erika.mueller@schule.example", actor_id=school)
    cooperation = f.cooperation(app, school, partner, description="Abgestimmt mit Frau MÜLLER am 3. März")
    client = login_as(Role.COORDINATOR)
    page = _erase(app, client, person_id)
    assert "Abgestimmt mit Frau MÜLLER" in page  # listed for review: the surname alone
    with app.app_context():
        notes = db.session.get(Actor, school).notes
        assert "MÜLLER" not in notes.upper() and "ERIKA" not in notes.upper()
        assert notes.count(subject_rights.PLACEHOLDER) == 1
        assert "Müller" not in db.session.get(Actor, partner).notes
        # The surname alone may be someone else's: it stays, and the coordinator is shown where.
        assert "Frau MÜLLER" in db.session.get(Cooperation, cooperation).description
        review = subject_rights.surname_mentions(db.session, "Müller")
        assert [(m.table, m.row_id) for m in review] == [("cooperations", cooperation)]
        assert subject_rights.remaining_mentions(db.session, ["erika müller", "müller, erika"]) == {}


def test_names_in_other_scripts_are_found_in_any_case(app, login_as, create_actor) -> None:
    actor_id = create_actor("Ελληνική Κοινότητα Τρίερ", notes="Kontakt: ΕΛΈΝΗ ΠΑΠΑΔΟΠΟΎΛΟΥ, dienstags")
    person_id = f.person(app, "Παπαδοπούλου", "Ελένη", "eleni@gemeinde.example", actor_id=actor_id)
    client = login_as(Role.COORDINATOR)
    _erase(app, client, person_id)
    with app.app_context():
        notes = db.session.get(Actor, actor_id).notes
        assert "ΠΑΠΑΔΟΠΟΎΛΟΥ" not in notes and subject_rights.PLACEHOLDER in notes
        assert db.session.scalars(select(Person.is_anonymised).where(Person.id == person_id)).one()


def test_the_sql_pre_filter_never_drops_a_row_that_mentions_the_person() -> None:
    """The pre-filter narrows by an ASCII part only; needles without one read every row."""
    from sqlalchemy import column

    assert subject_rights._ascii_anchor("erika müller") == "erika"
    assert subject_rights._ascii_anchor("müller") == "ller"
    assert subject_rights._ascii_anchor("ελένη παπαδοπούλου") == ""
    assert subject_rights.may_mention(column("notes"), ["ελένη παπαδοπούλου", "erika müller"]) is None
    assert subject_rights.may_mention(column("notes"), ["erika müller"]) is not None
