"""Taking the write lock early, so that "read, decide, write" cannot interleave with another writer.

PostgreSQL locks rows (``SELECT … FOR UPDATE``); the callers do that themselves. SQLite has one
writer at a time and no row locks. Python's sqlite3 starts a transaction only at the first write,
so a "read, then write" sequence of two connections can interleave, and the second writer then
fails with "database is locked" instead of waiting (SQLite refuses to wait where that could
deadlock). ``BEGIN IMMEDIATE`` takes the write lock first: the other writer *waits* (busy timeout),
and what we read afterwards stays true until we commit.
"""
from __future__ import annotations

from sqlalchemy.orm import Session


def begin_write(session: Session) -> bool:
    """On SQLite, start the transaction with the write lock (if it has not written yet).

    Returns True if the lock was taken here. On other databases this does nothing.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return False
    raw = connection.connection.driver_connection
    if raw is None or raw.in_transaction:
        return False
    connection.exec_driver_sql("BEGIN IMMEDIATE")
    return True
