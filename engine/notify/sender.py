"""Claim unsent outbox rows, send them (SMTP, or the log when no SMTP host is set), mark them sent.

The guarantee, exactly: a row is claimed ("sending", a claim token, a deadline) in a committed transaction
before the SMTP conversation and marked "sent" in another one right after the server accepted it. Only a
sender that dies between those two moments leaves a row whose fate is unknown; after ``mail_claim_seconds``
another sender sends it again with the same Message-ID (derived from the row id, so the receiving side can
drop the second copy) and notes "reclaimed" on the row. Everything else is sent once. Failures are retried
with exponential back-off; after ``mail_max_attempts`` the row is "failed" (administrators see it on /mail).
"""

from __future__ import annotations

import contextlib
import json
import logging
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate

from sqlalchemy import Connection, select, update

from engine.config import Settings
from engine.notify import kinds
from engine.notify.render import render
from engine.store.tables import notification_prefs, outbox, users

log = logging.getLogger(__name__)
RECLAIMED = "reclaimed: an earlier sender stopped before recording whether the server took it"


@dataclass(frozen=True)
class Prepared:
    id: str
    token: str
    to: str | None
    subject: str
    body: str


def message_id(row_id: str) -> str:
    return f"<{row_id}@turnus.outbox>"


def mode_of(conn: Connection, user: str, kind: str) -> str:
    if kind == kinds.DIGEST:
        return "now"
    return conn.execute(select(notification_prefs.c.mode).where(
        notification_prefs.c.user_name == user, notification_prefs.c.kind == kind)).scalar() or "now"


def claim(conn: Connection, now: datetime, settings: Settings, limit: int = 50) -> list[Prepared]:
    """Take up to ``limit`` due rows for this sender: rows another sender holds are skipped (PostgreSQL's
    SKIP LOCKED; SQLite's single writer), and a claim past its deadline counts as abandoned."""
    rows = conn.execute(select(outbox).where(outbox.c.status.in_(("pending", "sending")),
                                             outbox.c.next_attempt_at <= now)
                        .order_by(outbox.c.next_attempt_at).limit(limit).with_for_update(skip_locked=True)).all()
    out = []
    for row in rows:
        person = conn.execute(select(users.c.display_name, users.c.email, users.c.language, users.c.active)
                              .where(users.c.name == row.recipient)).first()
        mode = mode_of(conn, row.recipient, row.kind)
        done = {"claim_token": None, "next_attempt_at": None}
        if person is None or not person.active or mode == "off":
            conn.execute(update(outbox).where(outbox.c.id == row.id).values(status="skipped", **done))
            continue
        if mode == "digest":
            conn.execute(update(outbox).where(outbox.c.id == row.id).values(status="held", **done))
            continue
        if settings.smtp_host and not person.email:
            conn.execute(update(outbox).where(outbox.c.id == row.id)
                         .values(status="skipped", last_error="the user has no e-mail address", **done))
            continue
        subject, body = render(person.language or "da", row.kind, json.loads(row.payload_json),
                               name=person.display_name, base_url=settings.base_url, case_id=row.case_id,
                               task_id=row.task_id)
        token = str(uuid.uuid4())
        conn.execute(update(outbox).where(outbox.c.id == row.id).values(
            status="sending", claim_token=token, claimed_at=now, attempts=row.attempts + 1,
            next_attempt_at=now + timedelta(seconds=settings.mail_claim_seconds), subject=subject, body=body,
            last_error=RECLAIMED if row.status == "sending" else row.last_error))
        out.append(Prepared(row.id, token, person.email, subject, body))
    return out


def mark_sent(conn: Connection, prepared: Prepared, now: datetime, transport: str) -> None:
    result = conn.execute(update(outbox).where(outbox.c.id == prepared.id, outbox.c.claim_token == prepared.token)
                          .values(status="sent", sent_at=now, transport=transport, claim_token=None,
                                  next_attempt_at=None))
    if result.rowcount != 1:  # held past its deadline and taken over: the other sender sends it too
        log.warning("outbox %s was sent after its claim had expired", prepared.id)


def mark_failed(conn: Connection, prepared: Prepared, now: datetime, error: str, settings: Settings) -> bool:
    """Back to pending with a longer wait, or "failed" for good; returns whether it was given up."""
    attempts = conn.execute(select(outbox.c.attempts).where(outbox.c.id == prepared.id,
                                                            outbox.c.claim_token == prepared.token)).scalar()
    if attempts is None:
        return False
    give_up = attempts >= settings.mail_max_attempts
    wait = timedelta(seconds=settings.mail_retry_seconds * 2 ** (attempts - 1))
    conn.execute(update(outbox).where(outbox.c.id == prepared.id).values(
        status="failed" if give_up else "pending", claim_token=None, last_error=error[:2000],
        next_attempt_at=None if give_up else now + wait))
    return give_up


def build(prepared: Prepared, settings: Settings) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = prepared.to or ""
    msg["Subject"] = prepared.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(prepared.id)
    msg["X-Turnus-Outbox-Id"] = prepared.id
    msg.set_content(prepared.body)
    return msg


class SmtpTransport:
    """One SMTP session per batch, opened lazily; TLS and AUTH as configured."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def send(self, msg: EmailMessage) -> None:
        if self.smtp is None:
            self.smtp = self._open()
        self.smtp.send_message(msg)

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        assert s.smtp_host
        if s.smtp_security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=30,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=30)
            if s.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if s.smtp_user:
            smtp.login(s.smtp_user, s.smtp_password or "")
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(OSError):  # smtplib.SMTPException is an OSError
                self.smtp.quit()
            self.smtp = None
