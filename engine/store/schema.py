"""Create or upgrade the schema with Alembic (the migrations live beside this file)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(db: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection_engine"] = db
    return cfg


def current_revision(db: Engine) -> str | None:
    with db.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Engine) -> str:
    """Bring the database to the newest revision; returns it. Safe to run again, and from several
    processes at once (gunicorn workers starting together): only one migrates, the others wait for it."""
    cfg = alembic_config(db)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    if current_revision(db) == head:
        return head or ""
    with _migration_lock(db):
        if current_revision(db) != head:  # another process may have migrated while this one waited
            command.upgrade(cfg, "head")
    return head or ""


# Any fixed number: the PostgreSQL advisory lock that serialises schema upgrades of one database.
_ADVISORY_KEY = 7_465_827_303


@contextmanager
def _migration_lock(db: Engine) -> Iterator[None]:
    if db.dialect.name == "postgresql":
        with db.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _ADVISORY_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _ADVISORY_KEY})
                conn.commit()
        return
    database = db.url.database
    if not database or database == ":memory:":
        yield
        return
    # SQLite: an exclusive lock on a file beside the database (processes on one machine share it).
    with open(f"{database}.migrate-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
