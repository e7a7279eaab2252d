"""Mail for the operator's console: the pending and failed rows of the outbox with their last error; resend a
failed or pending mail now, or discard it, each with a reason in the administrators' log. A row someone else
has just sent, resent or discarded is refused (its status no longer matches) rather than changed twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update

from engine.audit import admin_log
from engine.errors import Conflict, NotFound
from engine.notify.outbox import wake
from engine.store.tables import outbox

SHOWN = ("pending", "sending", "failed")


@dataclass(frozen=True)
class MailRow:
    id: str
    kind: str
    recipient: str
    case_id: str | None
    subject: str | None
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    last_error: str | None


def waiting_and_failed(conn: Connection, limit: int = 200) -> list[MailRow]:
    rows = conn.execute(select(outbox).where(outbox.c.status.in_(SHOWN))
                        .order_by(outbox.c.status, outbox.c.created_at.desc()).limit(limit))
    return [MailRow(r.id, r.kind, r.recipient, r.case_id, r.subject, r.status, r.attempts, r.created_at,
                    r.next_attempt_at, r.last_error) for r in rows]


def _change(conn: Connection, mail_id: str, values: dict[str, object]) -> None:
    done = conn.execute(update(outbox).where(outbox.c.id == mail_id, outbox.c.status.in_(("pending", "failed")))
                        .values(**values)).rowcount
    if done == 0:
        status = conn.execute(select(outbox.c.status).where(outbox.c.id == mail_id)).scalar()
        if status is None:
            raise NotFound(f"No mail {mail_id!r}", reason="no_mail")
        raise Conflict(f"The mail is {status} now: someone or the sender has dealt with it", reason="mail_moved",
                       status=status)


def resend(conn: Connection, mail_id: str, actor: str, reason: str, now: datetime) -> None:
    _change(conn, mail_id, {"status": "pending", "attempts": 0, "next_attempt_at": now})
    admin_log.write(conn, now, actor, "mail_resent", f"mail:{mail_id}", reason)
    wake(conn)


def discard(conn: Connection, mail_id: str, actor: str, reason: str, now: datetime) -> None:
    _change(conn, mail_id, {"status": "discarded", "next_attempt_at": None})
    admin_log.write(conn, now, actor, "mail_discarded", f"mail:{mail_id}", reason)
