"""Which records count as "probably the same": normalised names, e-mail addresses, external references."""
from __future__ import annotations

import time

import pytest

from crm.extensions import db
from crm.models import Person
from crm.services.landscape import duplicates
from tests import factories_coordinator as f


@pytest.mark.parametrize("a,b", [
    ("Kita St. Anna e.V.", "KiTa St Anna"),
    ("Kita St. Anna e. V.", "kita st. anna"),
    ("Förderverein der Grundschule Olewig e.V.", "Foerderverein der Grundschule Olewig"),
    ("Förderverein e.V. der Grundschule Olewig", "Förderverein der Grundschule Olewig"),
    ("Straßenkinder gGmbH", "Strassenkinder"),
    ("Müller Bildung GmbH & Co. KG", "Mueller Bildung"),
    ("Bildungswerk Trier eG", "Bildungswerk  Trier"),
    ("Café Kultur", "Cafe Kultur"),
    ("IHK-Trier", "IHK Trier"),
])
def test_same_after_normalising(a, b) -> None:
    assert duplicates.normalise_name(a) == duplicates.normalise_name(b)


@pytest.mark.parametrize("a,b", [
    ("Kita St. Anna", "Kita St. Josef"),
    ("AG MINT", "MINT"),                 # "AG" at the start is an Arbeitsgemeinschaft
    ("Ev. Kita Heiligkreuz", "Kita Heiligkreuz"),  # "Ev." in front is "evangelisch"
    ("Grundschule Olewig", "Grundschule Olewig-Ost"),
])
def test_different_after_normalising(a, b) -> None:
    assert duplicates.normalise_name(a) != duplicates.normalise_name(b)


def test_a_name_made_only_of_legal_words_keeps_them() -> None:
    assert duplicates.normalise_name("e.V.") == "e v"


def test_actor_candidates_by_name_email_and_reference(app) -> None:
    anna = f.actor(app, "Kita St. Anna e.V.", kind="Kita", email="info@kita-anna.example")
    school = f.actor(app, "Grundschule Olewig", external_ref="51234")
    f.actor(app, "Kita St. Josef", kind="Kita")
    with app.app_context():
        found = duplicates.actor_candidates(db.session, "KITA Sankt Anna")
        assert found == []  # "Sankt" is not "St.": not guessed
        found = duplicates.actor_candidates(db.session, "Kita St Anna", email="INFO@kita-anna.example")
        assert [(c.record.id, c.reasons) for c in found] == [(anna, ["gleicher Name", "gleiche E-Mail-Adresse"])]
        found = duplicates.actor_candidates(db.session, "GS Olewig", external_ref=" 51234 ")
        assert [(c.record.id, c.reasons) for c in found] == [(school, ["gleiche externe Kennung"])]
        assert duplicates.actor_candidates(db.session, "Kita St. Anna", exclude_id=anna) == []


def test_person_candidates(app) -> None:
    school = f.actor(app, "Grundschule Olewig")
    joerg = f.person(app, "Müller", "Jörg", "j.mueller@privat.example", actor_id=school)
    f.person(app, "Müller", "Anna")
    gone = f.person(app, "Weber", "Eva", "eva@schule.example")
    with app.app_context():
        db.session.get(Person, gone).is_anonymised = True
        from crm.models import Affiliation

        db.session.get(Affiliation, 1).email = "schulleitung@gs-olewig.example"
        db.session.commit()
        assert [c.record.id for c in duplicates.person_candidates(db.session, "Joerg", "MUELLER")] == [joerg]
        found = duplicates.person_candidates(db.session, "J.", "Müller", email="Schulleitung@gs-olewig.example")
        assert [(c.record.id, c.reasons) for c in found] == [(joerg, ["gleiche E-Mail-Adresse"])]
        assert duplicates.person_candidates(db.session, "Eva", "Weber", email="eva@schule.example") == []


def test_checking_ten_thousand_names_is_quick(app) -> None:
    """Measured, not timed: the number goes to the report, the test only checks the result."""
    from crm.models import Actor, ActorKind

    with app.app_context():
        kind = db.session.query(ActorKind).first()
        db.session.add_all([Actor(name=f"Einrichtung Nummer {n}", kind=kind) for n in range(10_000)])
        db.session.commit()
        duplicates.normalise_name.cache_clear()
        started = time.perf_counter()
        found = duplicates.actor_candidates(db.session, "Einrichtung Nummer 9999 e.V.")
        elapsed = time.perf_counter() - started
        started = time.perf_counter()
        duplicates.actor_candidates(db.session, "Einrichtung Nummer 42")
        warm = time.perf_counter() - started
        print(f"\nactor_candidates over 10,000 actors: {elapsed * 1000:.0f} ms cold, {warm * 1000:.0f} ms warm")
        assert [c.record.name for c in found] == ["Einrichtung Nummer 9999"]


def test_a_double_clicked_create_form_saves_one_actor(app, create_user, monkeypatch) -> None:
    """Two identical "Neuer Akteur" posts at the same moment, each in its own request and database
    connection. The duplicate search is slowed down; without the lock taken first
    (``duplicates.lock_creation``) both would find nothing and both would save."""
    import threading

    from sqlalchemy import func, select

    from crm.models import Actor, Role
    from tests.conftest import Client

    looked = duplicates.actor_candidates

    def slow_candidates(*args, **kwargs):
        found = looked(*args, **kwargs)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(duplicates, "actor_candidates", slow_candidates)
    user = create_user(Role.COORDINATOR)
    app.test_client_class = Client
    clients = [app.test_client() for _ in range(2)]
    for client in clients:
        client.login(user.email)
    forms = [{"name": "Kita St. Anna", "kind": str(f.kind_id(app, "Kita")), "is_active": "y",
              "csrf_token": client.csrf_token()} for client in clients]
    start = threading.Barrier(2)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def post(index: int) -> None:
        try:
            start.wait(timeout=10)
            statuses.append(clients[index].post("/akteure/neu", data=forms[index]).status_code)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(statuses) == [302, 422]  # saved once; the second is shown the first as a duplicate
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Actor)) == 1
