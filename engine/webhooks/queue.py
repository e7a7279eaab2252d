"""The deliveries as administrators see them, and the two things they can do to one: send it again now, or
discard it. A delivery a sender has meanwhile delivered, or another administrator changed, is refused rather
than changed twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select, update

from engine.errors import Conflict, NotFound
from engine.store.tables import webhook_deliveries as wd
from engine.store.tables import webhooks
from engine.store.wake import wake

WAITING = ("pending", "sending", "failed")


@dataclass(frozen=True)
class Delivery:
    id: str
    webhook_id: str
    url: str
    event: str
    case_id: str | None
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str | None


def listed(conn: Connection, *, failed_only: bool = False, waiting_only: bool = False,
           limit: int = 200) -> list[Delivery]:
    query = (select(wd, webhooks.c.url).join(webhooks, webhooks.c.id == wd.c.webhook_id)
             .order_by(wd.c.created_at.desc(), wd.c.case_id, wd.c.event_seq.desc(), wd.c.id).limit(limit))
    if failed_only:
        query = query.where(wd.c.status == "failed")
    elif waiting_only:
        query = query.where(wd.c.status.in_(WAITING))
    return [Delivery(r.id, r.webhook_id, r.url, r.event, r.case_id, r.status, r.attempts, r.created_at,
                     r.next_attempt_at, r.delivered_at, r.last_error) for r in conn.execute(query)]


def _change(conn: Connection, delivery_id: str, values: dict[str, object]) -> None:
    done = conn.execute(update(wd).where(wd.c.id == delivery_id, wd.c.status.in_(("pending", "failed")))
                        .values(**values)).rowcount
    if done == 0:
        status = conn.execute(select(wd.c.status).where(wd.c.id == delivery_id)).scalar()
        if status is None:
            raise NotFound(f"No webhook delivery {delivery_id!r}", reason="no_delivery")
        raise Conflict(f"The delivery is {status} now: the sender or another administrator has dealt with it",
                       reason="delivery_moved", status=status)


def resend(conn: Connection, delivery_id: str, now: datetime) -> None:
    active = conn.execute(select(webhooks.c.active).join(wd, wd.c.webhook_id == webhooks.c.id)
                          .where(wd.c.id == delivery_id)).scalar()
    if active is False:
        raise Conflict("Its webhook was removed: there is nowhere to send it", reason="webhook_removed")
    _change(conn, delivery_id, {"status": "pending", "attempts": 0, "next_attempt_at": now})
    wake(conn)


def discard(conn: Connection, delivery_id: str) -> None:
    _change(conn, delivery_id, {"status": "discarded", "next_attempt_at": None})


def next_due(conn: Connection) -> datetime | None:
    """When the timer loop next has a delivery to post (or a claim to take over)."""
    return conn.execute(select(func.min(wd.c.next_attempt_at)).where(wd.c.status.in_(("pending", "sending")))).scalar()
