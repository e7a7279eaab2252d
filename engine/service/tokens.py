"""Bearer tokens of the HTTP API and its Idempotency-Key store (issue 23).

A token is shown once when it is made; only its SHA-256 is kept (a token is 256 random bits, so a fast hash is
enough: there is nothing to guess). Creation and revocation are recorded on the row with who and when; last use
is written at most once a minute so a busy integration does not turn every read into a write.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, select, update

from engine import identity
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.identity import User
from engine.service.base import EngineCore
from engine.store.tables import api_idempotency, api_tokens

log = logging.getLogger("turnus.tokens")
PREFIX = "tnu_"
LAST_USE_EVERY = timedelta(minutes=1)
IDEMPOTENCY_HOURS = 24


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class TokenInfo:
    id: str
    user: str
    name: str
    scopes: tuple[str, ...]
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


@dataclass(frozen=True)
class Replay:
    """The first response to an Idempotency-Key, replayed."""

    status: int
    body: str
    location: str | None


def _info(r: object) -> TokenInfo:
    return TokenInfo(r.id, r.user_name, r.name, tuple(r.scopes.split()), r.created_at,  # type: ignore[attr-defined]
                     r.created_by, r.expires_at, r.last_used_at, r.revoked_at)  # type: ignore[attr-defined]


def check_scopes(scopes: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    unknown = [s for s in scopes if s not in identity.SCOPES]
    if unknown:
        raise InvalidInput(f"Unknown scope {unknown[0]!r}; the scopes are {', '.join(identity.SCOPES)}",
                           reason="unknown_scope", scope=unknown[0], scopes=", ".join(identity.SCOPES))
    return tuple(dict.fromkeys(scopes or identity.SCOPES[:-1]))  # none given: all but admin


class TokenCommands(EngineCore):
    """One capability of the ``Engine`` facade: API tokens and idempotency keys."""

    def add_token(self, user_name: str, *, name: str = "", scopes: tuple[str, ...] | list[str] = (),
                  expires_days: int | None = None, actor: str | None = None) -> tuple[TokenInfo, str]:
        """Make a token for ``user_name``; ``actor`` None is the operator, else only the user themselves.
        Returns the stored row and the token, which is never shown again."""
        wanted = check_scopes(list(scopes))
        if expires_days is not None and not 1 <= expires_days <= 3650:
            raise InvalidInput("--expires-days must be between 1 and 3650", reason="token_expiry")
        name = (name or "").strip()[:100] or "token"
        secret = PREFIX + secrets.token_urlsafe(32)

        def run(conn: Connection, now: datetime) -> TokenInfo:
            owner = self._user(conn, user_name)  # NotFound for an unknown user
            if actor is not None and actor != owner.name:
                raise Forbidden("People make tokens for themselves only", reason="token_not_yours")
            row = {"id": str(uuid.uuid4()), "user_name": owner.name, "name": name, "token_hash": token_hash(secret),
                   "scopes": " ".join(wanted), "created_at": now, "created_by": actor or "operator",
                   "expires_at": now + timedelta(days=expires_days) if expires_days else None}
            conn.execute(insert(api_tokens).values(**row))
            log.info("token %s made for %s by %s (%s)", row["id"], owner.name, row["created_by"], row["scopes"])
            return TokenInfo(row["id"], owner.name, name, wanted, now, row["created_by"], row["expires_at"],
                             None, None)
        return self._write(run), secret

    def tokens(self, user_name: str | None = None) -> list[TokenInfo]:
        q = select(api_tokens).order_by(api_tokens.c.user_name, api_tokens.c.created_at)
        if user_name is not None:
            q = q.where(api_tokens.c.user_name == identity.key_of(user_name))
        return self._read(lambda conn: [_info(r) for r in conn.execute(q)])

    def revoke_token(self, token_id: str, actor: str | None = None) -> TokenInfo:
        """Revoke a token: the operator (``actor`` None), its owner, or an administrator."""
        def run(conn: Connection, now: datetime) -> TokenInfo:
            row = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
            if row is None:
                raise NotFound(f"No token {token_id!r}", reason="no_such_token")
            if actor is not None and actor != row.user_name and not self._user(conn, actor).has_role("admin"):
                raise NotFound(f"No token {token_id!r}", reason="no_such_token")  # another's: not even its id
            if row.revoked_at is None:
                conn.execute(update(api_tokens).where(api_tokens.c.id == token_id)
                             .values(revoked_at=now, revoked_by=actor or "operator"))
                log.info("token %s of %s revoked by %s", token_id, row.user_name, actor or "operator")
            return _info(conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).one())
        return self._write(run)

    def token_user(self, secret: str) -> tuple[User, tuple[str, ...]] | None:
        """The active user and scopes of a presented token; None when it is unknown, revoked, expired, or its
        user is disabled (all the same to the caller, so a token cannot be probed)."""
        digest = token_hash(secret)
        row = self._read(lambda conn: conn.execute(select(api_tokens).where(api_tokens.c.token_hash == digest))
                         .first())
        now = self.clock.now()
        if row is None or not _info(row).active(now):
            return None
        try:
            user = self._read(lambda conn: self._user(conn, row.user_name))
        except NotFound:
            return None
        if not user.active:
            return None
        if row.last_used_at is None or now - row.last_used_at >= LAST_USE_EVERY:
            self._write(lambda conn, at: conn.execute(update(api_tokens).where(api_tokens.c.id == row.id)
                                                      .values(last_used_at=at)))
        return user, tuple(row.scopes.split())

    # --- Idempotency-Key ------------------------------------------------------------------------------------

    def idempotent_reply(self, user_name: str, key: str, request_hash: str) -> Replay | None:
        """The stored first response to this key, or None; the key used for another request is refused."""
        since = self.clock.now() - timedelta(hours=IDEMPOTENCY_HOURS)
        row = self._read(lambda conn: conn.execute(select(api_idempotency).where(
            api_idempotency.c.user_name == user_name, api_idempotency.c.key == key,
            api_idempotency.c.created_at > since)).first())
        if row is None:
            return None
        if row.request_hash != request_hash:
            raise InvalidInput("This Idempotency-Key was used for another request", reason="idempotency_reused")
        return Replay(row.status, row.body, row.location)

    def remember_reply(self, user_name: str, key: str, request_hash: str, reply: Replay) -> None:
        def run(conn: Connection, now: datetime) -> None:
            since = now - timedelta(hours=IDEMPOTENCY_HOURS)
            conn.execute(delete(api_idempotency).where(api_idempotency.c.created_at <= since))
            found = conn.execute(select(api_idempotency.c.key).where(
                api_idempotency.c.user_name == user_name, api_idempotency.c.key == key)).first()
            if found is None:
                conn.execute(insert(api_idempotency).values(
                    user_name=user_name, key=key, request_hash=request_hash, status=reply.status, body=reply.body,
                    location=reply.location, created_at=now))
        self._write(run)
