"""The full-text index of offers: PostgreSQL full text search and SQLite FTS5 over ``offers.search_text``.

Why an index of its own: the portal matched every query word with ``LIKE '%wort%'``, which reads
every public offer; a word nobody offers („xylophon“) was the slowest search (bench/). Both
databases answer a word-prefix query from an index instead:

* PostgreSQL: a GIN index on ``to_tsvector('simple', search_text)``. The ``simple`` configuration,
  because the text is already folded and stemmed by ``crm.services.offers.search`` the same way on
  both databases (PostgreSQL's own German stemmer would disagree with SQLite's tokenizer).
* SQLite: an FTS5 table with external content (``offers`` keeps the text) that three triggers
  keep in step with every insert, update and delete, whichever code writes the row.

Neither object is an ORM table: Alembic's comparison must skip them (``is_fulltext_object``), and
the migration ``a7f3c9e15d20`` creates them, as does ``create_all`` (``after_create`` below) for the
tests and tools that build a schema without migrations. An SQLite batch migration that *recreates*
``offers`` drops the triggers with the old table: such a migration must run ``SQLITE_DDL`` again
(``tests/test_migrations.py`` checks that the triggers exist after ``upgrade``).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import DDL, event

from crm.models.offers import Offer

FTS_TABLE = "offers_fts"
PG_INDEX = "ix_offers_search_fts"
SQLITE_TRIGGERS = ("offers_fts_insert", "offers_fts_delete", "offers_fts_update")

POSTGRESQL_DDL = (
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON offers USING gin (to_tsvector('simple'::regconfig, search_text))",
)
SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(search_text, content='offers', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER IF NOT EXISTS offers_fts_insert AFTER INSERT ON offers BEGIN"
    f" INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS offers_fts_delete AFTER DELETE ON offers BEGIN"
    f" INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS offers_fts_update AFTER UPDATE OF search_text ON offers BEGIN"
    f" INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text);"
    f" INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
)


def is_fulltext_object(name: str | None) -> bool:
    """The index, the FTS5 table or one of its shadow tables (``offers_fts_data``, …)."""
    return bool(name) and (name == PG_INDEX or name == FTS_TABLE or str(name).startswith(FTS_TABLE + "_"))


for _statement in POSTGRESQL_DDL:
    event.listen(Offer.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
for _statement in SQLITE_DDL:
    event.listen(Offer.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's ``include_name`` hook: leave the full-text objects out of autogenerate."""
    return not is_fulltext_object(name)
