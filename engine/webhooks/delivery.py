"""Posting deliveries: claim in one short transaction, send with no transaction open, record in another.

The guarantee, as for mail (engine/notify/sender.py): a delivery is claimed ("sending", a claim token, a
deadline ``webhook_claim_seconds`` ahead) and committed before the HTTP request, and marked "delivered" right
after the receiver answered 2xx. Two senders never hold the same row (PostgreSQL's SKIP LOCKED; SQLite's single
writer). Only a sender that dies between the answer and the commit leaves a delivery that another sender posts
again after the deadline, with the same webhook-id so the receiver can drop it. Anything but a 2xx answer in
``webhook_timeout_seconds`` is a failure: retried after ``webhook_retry_seconds``, doubling up to
``webhook_retry_max_seconds``, and "failed" after ``webhook_max_attempts`` (listed to administrators).
Redirects are not followed: a receiver answers itself, and a redirect could lead the sender elsewhere.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from engine.config import Settings
from engine.store.tables import webhook_deliveries as wd
from engine.store.tables import webhooks
from engine.webhooks.signing import sign

log = logging.getLogger(__name__)
BATCH = 10  # claimed at once: at the default timeout, well inside the claim deadline
RECLAIMED = "reclaimed: an earlier sender stopped before recording the receiver's answer"
USER_AGENT = "Turnus-Webhooks/1"


@dataclass(frozen=True)
class Claimed:
    id: str
    token: str
    url: str
    secret: str
    body: str


def claim(conn: Connection, now: datetime, settings: Settings, limit: int = BATCH) -> list[Claimed]:
    rows = conn.execute(
        select(wd.c.id, wd.c.status, wd.c.attempts, wd.c.last_error, wd.c.body, webhooks.c.url, webhooks.c.secret,
               webhooks.c.active)
        .join(webhooks, webhooks.c.id == wd.c.webhook_id)
        .where(wd.c.status.in_(("pending", "sending")), wd.c.next_attempt_at <= now)
        .order_by(wd.c.next_attempt_at, wd.c.created_at, wd.c.case_id, wd.c.event_seq, wd.c.id).limit(limit)
        .with_for_update(skip_locked=True, of=wd)).all()
    out = []
    for row in rows:
        if not row.active:  # removed while this one was being sent by a sender that then died
            conn.execute(update(wd).where(wd.c.id == row.id).values(
                status="discarded", claim_token=None, next_attempt_at=None, last_error="the webhook was removed"))
            continue
        token = str(uuid.uuid4())
        conn.execute(update(wd).where(wd.c.id == row.id).values(
            status="sending", claim_token=token, claimed_at=now, attempts=row.attempts + 1,
            next_attempt_at=now + timedelta(seconds=settings.webhook_claim_seconds),
            last_error=RECLAIMED if row.status == "sending" else row.last_error))
        out.append(Claimed(row.id, token, row.url, row.secret, row.body))
    return out


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx status


_OPENER = urllib.request.build_opener(_NoRedirects)


def headers(claimed: Claimed, timestamp: int) -> dict[str, str]:
    return {"content-type": "application/json", "user-agent": USER_AGENT, "webhook-id": claimed.id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(claimed.secret, claimed.id, timestamp, claimed.body)}


def post(claimed: Claimed, timestamp: int, timeout: float) -> str | None:
    """POST one delivery; None when the receiver answered 2xx, else what went wrong (for last_error)."""
    request = urllib.request.Request(claimed.url, data=claimed.body.encode(), method="POST",
                                     headers=headers(claimed, timestamp))
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            answer.read(65536)  # let the receiver finish its answer; its content is not used
            return None
    except urllib.error.HTTPError as err:
        return f"HTTP {err.code} {err.reason}"
    except urllib.error.URLError as err:
        return f"{type(err.reason).__name__}: {err.reason}"
    except (TimeoutError, OSError) as err:
        return f"{type(err).__name__}: {err or 'timed out'}"
    except ValueError as err:  # e.g. a URL urllib cannot parse after all
        return f"ValueError: {err}"


def mark_delivered(conn: Connection, claimed: Claimed, now: datetime) -> None:
    done = conn.execute(update(wd).where(wd.c.id == claimed.id, wd.c.claim_token == claimed.token).values(
        status="delivered", delivered_at=now, claim_token=None, next_attempt_at=None)).rowcount
    if done != 1:  # held past its deadline and taken over: the other sender posts it too
        log.warning("webhook delivery %s was delivered after its claim had expired", claimed.id)


def backoff(attempts: int, settings: Settings) -> timedelta:
    seconds = settings.webhook_retry_seconds * 2 ** min(attempts - 1, 30)
    return timedelta(seconds=min(seconds, settings.webhook_retry_max_seconds))


def mark_failed(conn: Connection, claimed: Claimed, now: datetime, error: str, settings: Settings) -> bool:
    """Back to pending after the back-off, or "failed" for good; returns whether it was given up."""
    attempts = conn.execute(select(wd.c.attempts).where(wd.c.id == claimed.id,
                                                        wd.c.claim_token == claimed.token)).scalar()
    if attempts is None:
        return False
    give_up = attempts >= settings.webhook_max_attempts
    conn.execute(update(wd).where(wd.c.id == claimed.id).values(
        status="failed" if give_up else "pending", claim_token=None, last_error=error[:2000],
        next_attempt_at=None if give_up else now + backoff(attempts, settings)))
    return give_up

