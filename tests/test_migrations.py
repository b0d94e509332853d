"""Migrations are the only way the schema is made: up, down and up again, and in step with the models."""
from __future__ import annotations

import os
import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from crm.extensions import db
from crm.models import Base, fulltext
from tests.conftest import _admin_url, make_app


def _scratch_database(tmp_path):
    pg = os.environ.get("TEST_DATABASE_URL")
    if not pg:
        return f"sqlite:///{tmp_path / 'migrations.sqlite3'}", None
    name = f"bn_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(_admin_url(pg), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(pg).set(database=name).render_as_string(hide_password=False), (admin, name)


def test_upgrade_downgrade_upgrade(tmp_path) -> None:
    url, cleanup = _scratch_database(tmp_path)
    try:
        app = make_app(url)
        with app.app_context():
            upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert set(Base.metadata.tables) <= tables
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            with db.engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(
                    conn, opts={"compare_type": False, "include_name": fulltext.include_name}), Base.metadata)
                assert diff == [], f"models and migrations differ: {diff}"
                # The full-text index of offers, which the models do not describe (crm.models.fulltext).
                if conn.dialect.name == "sqlite":
                    triggers = set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                                   .scalars())
                    assert set(fulltext.SQLITE_TRIGGERS) <= triggers
                    assert fulltext.FTS_TABLE in inspect(conn).get_table_names()
                else:
                    assert fulltext.PG_INDEX in {i["name"] for i in inspect(conn).get_indexes("offers")}
            db.engine.dispose()
    finally:
        if cleanup:
            admin, name = cleanup
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def test_migration_files_are_dated() -> None:
    import re
    from pathlib import Path

    versions = Path(__file__).resolve().parents[1] / "migrations" / "versions"
    files = [p.name for p in versions.glob("*.py")]
    assert files
    assert all(re.match(r"^\d{4}-\d{2}-\d{2}_[0-9a-f]+_", f) for f in files), files


def test_history_is_one_line() -> None:
    """Parallel branches must be merged before they land, so ``flask db upgrade`` reaches every table."""
    from pathlib import Path

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).resolve().parents[1] / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"mehrere Köpfe: {heads}"
