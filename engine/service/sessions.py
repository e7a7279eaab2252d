"""Web sign-in sessions kept in the database (so signing out ends them on the server), and the shared
store of sign-in rate limits. Mixed into Engine; the web layer never touches these tables itself."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.engine import Engine as DbEngine

from engine.clock import Clock
from engine.service.base import EngineCore
from engine.store.tables import users, web_sessions

if TYPE_CHECKING:
    from engine.store.ratelimit import DatabaseStorage

TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often, not on every request


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_session(conn: Connection, now: datetime, user_name: str, max_age: timedelta,
                directory_sid: str | None = None) -> str:
    """Insert a session and return its token (stored hashed); ``directory_sid`` is the provider's session id,
    so its back-channel logout can end it. Sessions older than ``max_age`` (anyone's) are deleted on the way."""
    token = secrets.token_urlsafe(32)
    conn.execute(delete(web_sessions).where(web_sessions.c.created_at <= now - max_age))
    conn.execute(web_sessions.insert().values(token_hash=_hash(token), user_name=user_name, created_at=now,
                                              last_seen_at=now, directory_sid=directory_sid))
    conn.execute(update(users).where(users.c.name == user_name).values(last_sign_in_at=now))
    return token


class SessionCommands(EngineCore):
    db: DbEngine
    clock: Clock
    _write: Callable[..., Any]
    _read: Callable[..., Any]

    def open_session(self, user_name: str, max_age: timedelta) -> str:
        """A new session for a user who just signed in; returns the token for the cookie (stored hashed).
        Sessions older than ``max_age`` (anyone's) are deleted on the way."""
        return self._write(lambda conn, now: new_session(conn, now, user_name, max_age))

    def session_user(self, token: str, idle: timedelta, max_age: timedelta) -> str | None:
        """The user a session token belongs to, or None when it was ended, idled out or is too old."""
        key = _hash(token)
        now = self.clock.now()
        row = self._read(lambda conn: conn.execute(
            select(web_sessions).where(web_sessions.c.token_hash == key)).first())
        if row is None:
            return None
        if row.last_seen_at <= now - idle or row.created_at <= now - max_age:
            self.close_session(token)
            return None
        if now - row.last_seen_at >= TOUCH_EVERY:
            self._write(lambda conn, at: conn.execute(
                update(web_sessions).where(web_sessions.c.token_hash == key).values(last_seen_at=at)))
        return str(row.user_name)

    def close_session(self, token: str) -> None:
        key = _hash(token)
        self._write(lambda conn, now: conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == key)))

    def rate_limit_storage(self) -> DatabaseStorage:
        """Counters for the `limits` library in this database: shared by every process that uses it."""
        from engine.store.ratelimit import DatabaseStorage  # here: `limits` is for the web's sign-in only

        return DatabaseStorage(self.db, lambda: self.clock.now().timestamp())
