"""Names of every script: the import's name keys and the duplicate check fold case and accents only.

Before, everything outside a–z and 0–9 was dropped, so every Greek, Cyrillic, Arabic or CJK name had
the key "" and importing „Ελληνική Κοινότητα“ renamed the stored „日本語学校“ (both "the same name").
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import Actor, Role
from crm.services.imports.lookups import name_key
from crm.services.landscape.duplicates import normalise_name
from tests import factories_imports as imp

NAMES = ("Ελληνική Κοινότητα Τρίερ", "Русская школа", "مدرسة اللغة العربية", "日本語学校", "한국어 학교",
         "İstanbul Kültür Derneği", "Grundschule Olewig", "שפה עברית")


@pytest.mark.parametrize("key", [name_key, normalise_name])
def test_names_in_other_scripts_keep_their_letters_and_stay_apart(key) -> None:
    keys = [key(name) for name in NAMES]
    assert all(keys), keys
    assert len(set(keys)) == len(NAMES)
    assert key("日本語学校") == "日本語学校" and key("한국어 학교") == "한국어 학교"


@pytest.mark.parametrize("key", [name_key, normalise_name])
@pytest.mark.parametrize("one, other", [
    ("ΕΛΛΗΝΙΚΉ ΚΟΙΝΌΤΗΤΑ", "Ελληνική Κοινότητα"),           # Greek case and tonos; final sigma
    ("Ὀδυσσεύς", "οδυσσευς"),                             # polytonic accents
    ("РУССКАЯ ШКОЛА", "Русская школа"),                     # Cyrillic case
    ("Ёлка", "елка"),                                        # ё folds like an accent
    ("مَدْرَسَة", "مدرسة"),                                   # Arabic vowel marks are optional
    ("ＡＢＣ学校", "abc学校"),                                  # full-width letters (NFKC)
    ("İSTANBUL", "istanbul"), ("Istanbul", "istanbul"),      # Turkish dotted capital İ
    ("Diyarbakır", "Diyarbakir"), ("ıstanbul", "Istanbul"),   # Turkish dotless ı
    ("Müller", "Mueller"), ("Straße", "STRASSE"), ("Łódź", "Lodz"), ("Café", "cafe"),
])
def test_case_and_accents_do_not_make_another_name(key, one, other) -> None:
    assert key(one) == key(other)


def test_importing_a_greek_name_does_not_rename_a_japanese_one(app, login_as, create_actor) -> None:
    create_actor("日本語学校", kind="Verein / Verband")
    client = login_as(Role.COORDINATOR)
    data = ("Name;Art\nΕλληνική Κοινότητα;Verein / Verband\nРусская школа;Verein / Verband\n"
            "日本語学校;Verein / Verband\n")
    token = imp.start(client, "actors", ("gemeinden.csv", data.encode()))
    imp.map_columns(client, token)
    status, page = imp.commit(client, token)
    assert status == 200 and "2 neu, 0 aktualisiert, 1 unverändert" in imp.text_of(page)
    with app.app_context():
        assert sorted(db.session.scalars(select(Actor.name))) == sorted(
            ["日本語学校", "Ελληνική Κοινότητα", "Русская школа"])


def test_the_duplicate_warning_does_not_take_one_script_for_another(app, login_as, create_actor) -> None:
    """The create form warned that „Ελληνική Κοινότητα“ resembled every stored non-Latin name."""
    create_actor("日本語学校", kind="Verein / Verband")
    client = login_as(Role.COORDINATOR)
    from crm.models import ActorKind

    with app.app_context():
        kind = db.session.scalars(select(ActorKind.id).where(ActorKind.name == "Verein / Verband")).one()
    response = client.post_form("/akteure/neu", {"name": "Ελληνική Κοινότητα", "kind": str(kind), "is_active": "y"})
    assert response.status_code == 302
