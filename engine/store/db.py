"""Database engines: SQLite (WAL, immediate write transactions) or PostgreSQL, by URL."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from engine.errors import InvalidInput


def make_engine(url: str, lock_wait_seconds: float = 30, **kwargs: Any) -> Engine:
    """Build a SQLAlchemy engine for ``url``; a SQLite file's folder is created if missing.

    ``lock_wait_seconds`` bounds every wait for another transaction's lock; past it the statement fails
    and the service layer answers "busy, try again" (``is_busy``).
    """
    try:
        parsed = make_url(url)
    except Exception as err:  # sqlalchemy.exc.ArgumentError and friends
        raise InvalidInput(f"Not a database URL: {url!r} ({err})") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed.database, url, lock_wait_seconds, **kwargs)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":  # plain postgresql:// means psycopg 3 here
            url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        # When two commands race for a case, the loser's batched insert fails inside a psycopg pipeline;
        # the command is retried, but psycopg also logs "error ignored terminating <Pipeline>" to stderr.
        # That line is noise for users of the CLI; the retry is the handling.
        logging.getLogger("psycopg").addHandler(logging.NullHandler())
        logging.getLogger("psycopg").propagate = False
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
        wait_ms = max(1, int(lock_wait_seconds * 1000))

        @event.listens_for(engine, "connect")
        def _on_pg_connect(dbapi_conn: Any, _record: Any) -> None:
            # Set per session rather than in the URL's options, which would replace a search_path given there.
            with dbapi_conn.cursor() as cur:
                cur.execute(f"SET lock_timeout = {wait_ms}")
            dbapi_conn.commit()

        return engine
    raise InvalidInput(f"Unsupported database {parsed.get_backend_name()!r}: use sqlite:/// or postgresql://")


def _sqlite_engine(database: str | None, url: str, lock_wait_seconds: float, **kwargs: Any) -> Engine:
    if database and database != ":memory:":
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": lock_wait_seconds, "check_same_thread": False}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (below): pysqlite's implicit transactions would
        # start DEFERRED, and a deferred reader that later writes fails with "database is locked".
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={max(1, int(lock_wait_seconds * 1000))}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Commands take the write lock at BEGIN so they queue instead of deadlocking;
        # queries begin deferred and never block one another.
        write = conn.get_execution_options().get("turnus_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


# SQLSTATEs after which PostgreSQL has rolled the transaction back and running it again is the remedy.
# The connection key of the callables that the service layer runs once a write transaction has committed, and
# drops unrun when it rolls back (engine/service/base.py); e.g. keeping a case's live workflow for the next command.
AFTER_COMMIT = "turnus_after_commit"

_RETRYABLE_SQLSTATES = {"40P01", "40001"}  # deadlock_detected, serialization_failure
_BUSY_SQLSTATES = {"55P03", "57014"}  # lock_not_available, query_canceled (lock_timeout/statement_timeout)


def _sqlstate(err: BaseException) -> str | None:
    orig = getattr(err, "orig", None)
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def is_retryable(err: BaseException) -> bool:
    """A deadlock or serialization failure: the database chose this transaction as the loser."""
    return _sqlstate(err) in _RETRYABLE_SQLSTATES


def is_busy(err: BaseException) -> bool:
    """A lock wait that outlasted the busy timeout (SQLite "database is locked", PostgreSQL lock timeout)."""
    if _sqlstate(err) in _BUSY_SQLSTATES:
        return True
    text = str(getattr(err, "orig", err)).lower()
    return "database is locked" in text or "database table is locked" in text
