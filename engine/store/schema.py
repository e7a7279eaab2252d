"""Create or upgrade the schema with Alembic (the migrations live beside this file)."""

from __future__ import annotations

import fcntl
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
_REVISION = re.compile(r"""^(down_)?revision\s*=\s*['"]?([\w.-]+|None)['"]?""", re.M)


def alembic_config(db: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection_engine"] = db
    return cfg


def head_revision() -> str:
    """The newest migration's revision, read from the scripts' own lines without importing Alembic.

    Every command checks the schema; importing Alembic for that alone was a fifth of a CLI command's start-up.
    ``tests/integration/test_loops_and_schema.py`` checks this agrees with Alembic's own answer.
    """
    revisions: dict[str, str | None] = {}
    for script in (MIGRATIONS / "versions").glob("*.py"):
        found = dict((bool(down), rev) for down, rev in _REVISION.findall(script.read_text(encoding="utf-8")))
        revisions[found[False]] = None if found.get(True) in (None, "None") else found[True]
    heads = set(revisions) - {down for down in revisions.values() if down}
    if len(heads) != 1:
        raise RuntimeError(f"migrations must form one line, found heads {sorted(heads)}")
    return heads.pop()


def current_revision(db: Engine) -> str | None:
    with db.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:  # no table yet: a new, empty database
            return None


def upgrade(db: Engine) -> str:
    """Bring the database to the newest revision; returns it. Safe to run again, and from several
    processes at once (gunicorn workers starting together): only one migrates, the others wait for it."""
    head = head_revision()
    if current_revision(db) == head:
        return head
    from alembic import command

    with _migration_lock(db):
        if current_revision(db) != head:  # another process may have migrated while this one waited
            command.upgrade(alembic_config(db), "head")
    return head


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
