"""Stored, folded search columns on actors, with trigram indexes on PostgreSQL.

Revision ID: d41e7c0a9b52
Revises: 0cdbb91c45eb
Create Date: 2026-12-07 04:10:00

Why (issue 13): the directory's search folded every actor in SQL (``lower()`` and eight nested
``replace()`` in ``LIKE '%wort%'``): 232 ms of SQL per search at 40,000 actors on PostgreSQL, a
scan of the whole table twice. ``search_text`` (name, short name, PLZ, place, reference) and
``search_street`` hold the folded text (``crm.services.landscape.search``), filled here for the
existing rows and by the ORM on every write. On PostgreSQL a pg_trgm GIN index answers
``LIKE '%wort%'`` from the index; where the extension cannot be created (no contrib package, no
right to create it) a plain index is made instead, and the search still works, only by scanning.
SQLite gets plain indexes.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd41e7c0a9b52'
down_revision = '0cdbb91c45eb'
branch_labels = None
depends_on = None

COLUMNS = ("search_text", "search_street")


def _trigrams_available(bind) -> bool:
    """pg_trgm installed, or installed now (in a savepoint, so a refusal leaves the migration running)."""
    if bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first():
        return True
    if not bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first():
        return False
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def _fill(bind) -> None:
    """The folded text of every existing actor, in batches by id."""
    from crm.services.folding import search_folds

    actors = sa.table("actors", sa.column("id", sa.Integer), sa.column("name", sa.String),
                      sa.column("short_name", sa.String), sa.column("street", sa.String),
                      sa.column("postcode", sa.String), sa.column("city", sa.String),
                      sa.column("external_ref", sa.String), sa.column("search_text", sa.Text),
                      sa.column("search_street", sa.Text))
    statement = (actors.update().where(actors.c.id == sa.bindparam("row_id"))
                 .values(search_text=sa.bindparam("new_text"), search_street=sa.bindparam("new_street")))
    last = 0
    while True:
        rows = bind.execute(sa.select(actors.c.id, actors.c.name, actors.c.short_name, actors.c.street,
                                      actors.c.postcode, actors.c.city, actors.c.external_ref)
                            .where(actors.c.id > last).order_by(actors.c.id).limit(2000)).all()
        if not rows:
            return
        params = []
        for row in rows:
            text = " ".join(search_folds(v) for v in (row.name, row.short_name, row.postcode, row.city,
                                                       row.external_ref) if v)
            params.append({"row_id": row.id, "new_text": text, "new_street": search_folds(row.street or "")})
        bind.execute(statement, params)
        last = rows[-1].id


def upgrade():
    with op.batch_alter_table('actors', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.add_column(sa.Column(column, sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table('actors', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, server_default=None)
    bind = op.get_bind()
    _fill(bind)
    if bind.dialect.name == "postgresql" and _trigrams_available(bind):
        for column in COLUMNS:
            op.create_index(f"ix_actors_{column}", "actors", [column], postgresql_using="gin",
                            postgresql_ops={column: "gin_trgm_ops"})
    else:
        with op.batch_alter_table('actors', schema=None) as batch_op:
            for column in COLUMNS:
                batch_op.create_index(f"ix_actors_{column}", [column], unique=False)


def downgrade():
    with op.batch_alter_table('actors', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_index(f"ix_actors_{column}")
        for column in COLUMNS:
            batch_op.drop_column(column)
