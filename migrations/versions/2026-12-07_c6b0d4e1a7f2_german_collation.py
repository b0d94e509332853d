"""German collation "german" on PostgreSQL, for names in lists and exports (DIN 5007-1: Bäckerei before Brauerei).

Revision ID: c6b0d4e1a7f2
Revises: 9b8d72969ada
Create Date: 2026-12-07 01:30:00

Why: the database's own order ("C" or whatever locale the cluster was created with) may put umlauts
after z. ``crm.collation.german(column)`` orders by ``COLLATE german``; on SQLite that name is a
Python function registered per connection, so nothing is created there. The best collation the
server offers is taken: ICU's "de" (DIN 5007-1), else a German libc locale, else the database's
own locale (a server without either still works, only with its own order).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c6b0d4e1a7f2'
down_revision = '9b8d72969ada'
branch_labels = None
depends_on = None

CREATE = """
DO $$
DECLARE
  libc_name text;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'german'
             AND collnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())) THEN
    RETURN;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'de-x-icu') THEN
    EXECUTE 'CREATE COLLATION german FROM "de-x-icu"';
    RETURN;
  END IF;
  SELECT collname INTO libc_name FROM pg_collation
   WHERE collname IN ('de_DE.utf8', 'de_DE.UTF-8', 'de_DE') ORDER BY collname LIMIT 1;
  IF libc_name IS NOT NULL THEN
    EXECUTE format('CREATE COLLATION german FROM %I', libc_name);
    RETURN;
  END IF;
  EXECUTE format('CREATE COLLATION german (LOCALE = %L)',
                 (SELECT datcollate FROM pg_database WHERE datname = current_database()));
END
$$;
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(CREATE)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP COLLATION IF EXISTS german")
