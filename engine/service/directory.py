"""Signing in with the municipality's directory (issue 25): the web hands over the claims a provider vouched
for; the engine decides who that is, what they may do, and ends their sessions when the directory says so."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from engine.cases import directory_people
from engine.errors import InvalidInput
from engine.identity import User
from engine.service.base import EngineCore
from engine.service.sessions import new_session
from engine.store.tables import rate_limits, users, web_sessions


class DirectoryCommands(EngineCore):
    """One capability of the ``Engine`` facade (engine/service/facade.py)."""

    def directory_sign_in(self, source: str, claims: Mapping[str, Any], max_age: timedelta,
                          directory_sid: str | None = None,
                          once: tuple[str, datetime] | None = None) -> tuple[User, str]:
        """Create or bring up to date the user the claims name and open their session, in one transaction;
        returns (user, session token). ``claims`` are an ID token's claims ("oidc") or ``{"name_id", "attributes"}``
        of a verified assertion ("saml"). ``once`` = (the message's id, until when it is valid): a second sign-in
        with the same id before then is a replay and refused. Refused (InvalidInput, Forbidden) with nothing
        created."""
        if source not in directory_people.SOURCES:
            raise InvalidInput(f"Unknown directory {source!r}")
        person = (directory_people.person_from_claims(claims, self.settings) if source == "oidc"
                  else directory_people.person_from_assertion(claims, self.settings))

        def run(conn: Connection, now: datetime) -> tuple[User, str]:
            if once is not None:
                _use_once(conn, now, f"{source}-once:{once[0]}", once[1])
            user = directory_people.sign_in(conn, person, source, now)
            return user, new_session(conn, now, user.name, max_age, (directory_sid or "")[:255] or None)
        return self._write(run)

    def end_directory_sessions(self, source: str, subject: str | None = None, sid: str | None = None) -> int:
        """Back-channel logout: end the Turnus sessions of the provider session ``sid``, or of everyone whose
        directory id is ``subject``; returns how many ended."""
        def run(conn: Connection, now: datetime) -> int:
            query = delete(web_sessions)
            if sid:
                query = query.where(web_sessions.c.directory_sid == sid)
            elif subject:
                names = select(users.c.name).where(users.c.directory == source, users.c.subject == subject)
                query = query.where(web_sessions.c.user_name.in_(names.scalar_subquery()))
            else:
                return 0
            return int(conn.execute(query).rowcount or 0)
        return self._write(run)


def _use_once(conn: Connection, now: datetime, key: str, until: datetime) -> None:
    """Remember a one-time message id until it expires. The rate-limit table is a key with an expiry, which is
    all this needs, and it is shared by every web process; a concurrent second use loses on its primary key
    and, retried, finds the row."""
    at = now.timestamp()
    conn.execute(delete(rate_limits).where(rate_limits.c.key.like(key.split(":")[0] + ":%"),
                                           rate_limits.c.expires_at <= at))
    if conn.execute(select(rate_limits.c.key).where(rate_limits.c.key == key[:300])).first() is not None:
        raise InvalidInput("This sign-in message was used already (a replay)", reason="replayed")
    conn.execute(insert(rate_limits).values(key=key[:300], count=1, expires_at=max(until.timestamp(), at + 60)))
