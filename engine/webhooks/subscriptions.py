"""The subscriptions: add (the secret is returned once), list (never the secret), remove (its waiting
deliveries are discarded with it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, insert, select, update

from engine.errors import InvalidInput, NotFound
from engine.store.tables import webhook_deliveries, webhooks
from engine.webhooks import kinds
from engine.webhooks.signing import new_secret

MAX_URL = 2000


@dataclass(frozen=True)
class Webhook:
    id: str
    url: str
    events: tuple[str, ...]
    created_by: str
    created_at: datetime
    active: bool
    removed_by: str | None
    removed_at: datetime | None


def _webhook(r: Any) -> Webhook:
    return Webhook(r.id, r.url, tuple(r.events.split()), r.created_by, r.created_at, r.active, r.removed_by,
                   r.removed_at)


def check_url(url: str) -> str:
    """Only http and https with a host: a file:, ftp: or gopher: URL would make the sender read or reach
    something other than a web receiver."""
    url = (url or "").strip()
    if len(url) > MAX_URL:
        raise InvalidInput(f"A webhook URL can be at most {MAX_URL} characters", reason="webhook_url_long",
                           count=MAX_URL)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — raises ValueError for a port that is not a number
    except ValueError:
        raise InvalidInput(f"{url!r} is not a URL", reason="webhook_url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"A webhook URL must start with http:// or https:// and name a host, not {url!r}",
                           reason="webhook_url")
    if parts.username or parts.password:
        raise InvalidInput("A webhook URL may not carry a user name or password: the signature authenticates "
                           "Turnus to the receiver", reason="webhook_url_credentials")
    return url


def check_events(events: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(e.strip() for e in events if e.strip()))
    if not chosen:
        raise InvalidInput(f"Name at least one event kind: {', '.join(kinds.KINDS)}", reason="webhook_no_events",
                           kinds=", ".join(kinds.KINDS))
    unknown = [e for e in chosen if e not in kinds.KINDS]
    if unknown:
        raise InvalidInput(f"Unknown event kind {unknown[0]!r}; the kinds are {', '.join(kinds.KINDS)}",
                           reason="webhook_unknown_event", kind=unknown[0], kinds=", ".join(kinds.KINDS))
    return chosen


def add(conn: Connection, url: str, events: Iterable[str], actor: str, now: datetime) -> tuple[Webhook, str]:
    url, chosen = check_url(url), check_events(events)
    secret = new_secret()
    hook_id = str(uuid.uuid4())
    conn.execute(insert(webhooks).values(id=hook_id, url=url, events=" ".join(chosen), secret=secret,
                                         created_by=actor, created_at=now, active=True))
    return Webhook(hook_id, url, chosen, actor, now, True, None, None), secret


def listed(conn: Connection, *, include_removed: bool = False) -> list[Webhook]:
    query = select(webhooks).order_by(webhooks.c.created_at, webhooks.c.id)
    if not include_removed:
        query = query.where(webhooks.c.active.is_(True))
    return [_webhook(r) for r in conn.execute(query)]


def remove(conn: Connection, hook_id: str, actor: str, now: datetime) -> Webhook:
    row = conn.execute(select(webhooks).where(webhooks.c.id == hook_id, webhooks.c.active.is_(True))).first()
    if row is None:
        raise NotFound(f"No webhook {hook_id!r}", reason="no_webhook")
    conn.execute(update(webhooks).where(webhooks.c.id == hook_id)
                 .values(active=False, removed_by=actor, removed_at=now))
    conn.execute(update(webhook_deliveries).where(webhook_deliveries.c.webhook_id == hook_id,
                                                  webhook_deliveries.c.status == "pending")
                 .values(status="discarded", next_attempt_at=None, last_error="the webhook was removed"))
    return _webhook(conn.execute(select(webhooks).where(webhooks.c.id == hook_id)).one())
