"""Full-text index of offers: PostgreSQL full text search, SQLite FTS5; compound-word tails in search_text.

Revision ID: a7f3c9e15d20
Revises: db360c2f55a2
Create Date: 2026-12-07 06:40:00

Why (issue 14): the portal matched each query word with ``LIKE '%wort%'`` on ``offers.search_text``,
which reads every public offer; the index answers word-prefix queries instead
(``crm.models.fulltext``, ``crm.services.offers.search``). So that „Schule“ still finds the
„Grundschule“ by prefix, ``search_text`` now also holds the tails of long words: they are added
here to the stored text of every offer (the tails come from the stored stems alone, no app code).

The DDL is the same text as ``crm.models.fulltext`` (migrations do not import the app). A later
SQLite batch migration that recreates ``offers`` must create the three triggers again.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7f3c9e15d20'
down_revision = 'db360c2f55a2'
branch_labels = None
depends_on = None

MIN_STEM = 4

POSTGRESQL_DDL = (
    "CREATE INDEX IF NOT EXISTS ix_offers_search_fts ON offers USING gin (to_tsvector('simple'::regconfig, search_text))",
)
SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS offers_fts USING fts5(search_text, content='offers', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS offers_fts_insert AFTER INSERT ON offers BEGIN"
    " INSERT INTO offers_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS offers_fts_delete AFTER DELETE ON offers BEGIN"
    " INSERT INTO offers_fts(offers_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS offers_fts_update AFTER UPDATE OF search_text ON offers BEGIN"
    " INSERT INTO offers_fts(offers_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);"
    " INSERT INTO offers_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO offers_fts(offers_fts) VALUES ('rebuild')",
)


def _with_tails(text: str) -> str:
    words = text.split()
    pieces = dict.fromkeys(piece for word in words
                           for piece in (word, *(word[start:] for start in range(MIN_STEM, len(word) - MIN_STEM + 1))))
    return " " + " ".join(pieces) + " " if pieces else ""


def _refill(transform) -> None:
    bind = op.get_bind()
    offers = sa.table("offers", sa.column("id", sa.Integer), sa.column("search_text", sa.Text))
    statement = (offers.update().where(offers.c.id == sa.bindparam("row_id"))
                 .values(search_text=sa.bindparam("new_text")))
    last = 0
    while True:
        rows = bind.execute(sa.select(offers.c.id, offers.c.search_text).where(offers.c.id > last)
                            .order_by(offers.c.id).limit(2000)).all()
        if not rows:
            break
        changed = [{"row_id": row_id, "new_text": transform(text or "")} for row_id, text in rows
                   if transform(text or "") != (text or "")]
        if changed:
            bind.execute(statement, changed)
        last = rows[-1][0]


def upgrade():
    _refill(_with_tails)
    bind = op.get_bind()
    for statement in POSTGRESQL_DDL if bind.dialect.name == "postgresql" else SQLITE_DDL:
        op.execute(statement)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_offers_search_fts")
    else:
        for trigger in ("offers_fts_insert", "offers_fts_delete", "offers_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS offers_fts")
    # The tails stay in search_text: the substring search of the revision before matches them too.
