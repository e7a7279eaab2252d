"""Holding a case's lock from outside the engine, for the tests of "busy, try again" (issue 7)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text


@contextmanager
def case_row_locked(db_url: str, case_id: str) -> Iterator[None]:
    """Another session holds the case (SQLite: the write lock; PostgreSQL: the case row) until the block ends."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(url.database, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.rollback()
            conn.close()
        return
    eng = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with eng.connect() as conn, conn.begin():
        conn.execute(text("SELECT id FROM cases WHERE id = :id FOR UPDATE"), {"id": case_id})
        yield
    eng.dispose()
