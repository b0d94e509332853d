"""Counting the SQL statements a request or a service call sends: the tests that keep lists and
pages at a constant number of statements, whatever the data size, share this one listener."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event

from crm.extensions import db


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    """The statements sent on the app's engine while the block runs, in order."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
