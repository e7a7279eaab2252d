"""A storage backend for the `limits` rate-limiting library, kept in the Turnus database.

`limits` (the library under Flask-Limiter) ships storages for memory, Redis, Memcached, MongoDB and etcd,
none of which Turnus runs; its documented extension point is a ``Storage`` subclass. This is that subclass,
for the fixed-window strategy only (incr/get/get_expiry/clear): one row per key in ``rate_limits``. Every
web process on the same database therefore shares one count. The counting rules stay the library's.
"""

from __future__ import annotations

from collections.abc import Callable

from limits.storage import Storage
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from engine.store.tables import rate_limits


class DatabaseStorage(Storage):
    STORAGE_SCHEME = None  # built with a SQLAlchemy engine, not from a URI

    def __init__(self, db: Engine, now: Callable[[], float]):
        super().__init__()
        self.db = db
        self.now = now  # epoch seconds; the engine's clock, so tests can move time

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the key's count in one statement (an upsert), starting a new window if it expired."""
        now = self.now()
        insert = (postgresql.insert if self.db.dialect.name == "postgresql" else sqlite.insert)(rate_limits)
        row = insert.excluded
        expired = rate_limits.c.expires_at <= now
        stmt = insert.values(key=key, count=amount, expires_at=now + expiry).on_conflict_do_update(
            index_elements=[rate_limits.c.key],
            set_={"count": case((expired, row.count), else_=rate_limits.c.count + amount),
                  "expires_at": case((expired, row.expires_at), else_=rate_limits.c.expires_at)},
        ).returning(rate_limits.c.count)
        with self.db.connect().execution_options(turnus_write=True) as conn, conn.begin():
            conn.execute(delete(rate_limits).where(rate_limits.c.expires_at <= now, rate_limits.c.key != key))
            return int(conn.execute(stmt).scalar_one())

    def _row(self, key: str) -> tuple[int, float] | None:
        with self.db.connect() as conn, conn.begin():
            found = conn.execute(select(rate_limits.c.count, rate_limits.c.expires_at)
                                 .where(rate_limits.c.key == key)).first()
        if found is None or found.expires_at <= self.now():
            return None
        return int(found.count), float(found.expires_at)

    def get(self, key: str) -> int:
        row = self._row(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row[1] if row else self.now()

    def check(self) -> bool:
        try:
            with self.db.connect() as conn:
                conn.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.db.connect().execution_options(turnus_write=True) as conn, conn.begin():
            return conn.execute(delete(rate_limits)).rowcount

    def clear(self, key: str) -> None:
        with self.db.connect().execution_options(turnus_write=True) as conn, conn.begin():
            conn.execute(delete(rate_limits).where(rate_limits.c.key == key))
