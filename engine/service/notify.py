"""The Engine's notification and timer-loop commands (issue 13): sending the outbox, overdue and digest
sweeps, claiming due cases one transaction each, the mail page, and each user's notification settings.

The sender (smtplib, ssl, email) and the sweeps are imported by the timer-loop steps that use them: every
command imports this module through ``Engine``, only the loop sends mail.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from engine.cases import timers as timer_cmds
from engine.cases.incidents import IncidentRaised
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.notify import kinds
from engine.service.base import EngineCore
from engine.store.tables import notification_prefs, outbox, users

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    id: str
    kind: str
    recipient: str
    status: str
    subject: str | None
    body: str | None
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class NotificationSettings:
    language: str
    modes: dict[str, str]  # kind -> now | digest | off


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    retrying: int = 0
    given_up: int = 0


def _mail(row: Any) -> Mail:
    return Mail(row.id, row.kind, row.recipient, row.status, row.subject, row.body, row.created_at, row.sent_at,
                row.attempts, row.last_error)


class NotifyCommands(EngineCore):
    """Mixed into engine.service.Engine (which provides _write, _read, _user, settings, clock, versions)."""

    _write: Any
    _read: Any
    _user: Any
    settings: Any
    clock: Any
    versions: Any

    # --- the timer loop's steps ------------------------------------------------------------

    def fire_due(self, limit: int = 500) -> int:
        """Fire due cases one transaction each, each claimed with a row lock (SKIP LOCKED on PostgreSQL) so
        several workers share the work; returns how many moved."""
        moved = 0
        seen: set[str] = set()
        while len(seen) < limit:
            command: dict[str, Any] = {"kind": "timers"}

            def run(conn: Connection, now: datetime, command: dict[str, Any] = command) -> str | None:
                case_id = timer_cmds.claim_due(conn, now, seen)
                if case_id is None:
                    return None
                command.update(case_id=case_id, now=now.isoformat())
                timer_cmds.fire(self._ctx(conn, now), case_id)
                return case_id
            try:
                case_id = self._write(run, command=command)
            except IncidentRaised:
                seen.add(command.get("case_id", ""))
                continue  # recorded on the case; the others still fire
            if case_id is None:
                break
            seen.add(case_id)
            moved += 1
        return moved

    def sweep_overdue(self) -> int:
        from engine.cases import sweeps

        return self._write(lambda conn, now: sweeps.overdue(conn, now, self.versions))

    def make_digests(self) -> int:
        from engine.cases import sweeps

        return self._write(lambda conn, now: sweeps.digests(conn, now, self.settings.digest_hour))

    def send_outbox(self, limit: int = 50) -> SendReport:
        """Send every due outbox row, in batches; each row is marked in its own transaction right after."""
        from engine.notify import sender

        sent = retrying = given_up = 0
        while True:
            batch = self._write(lambda conn, now: sender.claim(conn, now, self.settings, limit))
            if not batch:
                return SendReport(sent, retrying, given_up)
            transport = sender.SmtpTransport(self.settings) if self.settings.smtp_host else None
            how = "smtp" if transport else "log"
            try:
                for prepared in batch:
                    try:
                        if transport is None:
                            log.info("mail to %s (no SMTP host set): %s\n%s", prepared.to, prepared.subject,
                                     prepared.body)
                        else:
                            transport.send(sender.build(prepared, self.settings))
                    except OSError as err:  # smtplib.SMTPException included: it is an OSError
                        if transport is not None:
                            transport.close()  # a broken session is not reused for the next row
                        error = f"{type(err).__name__}: {err}"
                        if self._write(lambda conn, now, p=prepared, e=error:
                                       sender.mark_failed(conn, p, now, e, self.settings)):
                            given_up += 1
                        else:
                            retrying += 1
                        continue
                    self._write(lambda conn, now, p=prepared, h=how: sender.mark_sent(conn, p, now, h))
                    sent += 1
            finally:
                if transport is not None:
                    transport.close()
            if len(batch) < limit:
                return SendReport(sent, retrying, given_up)

    def next_wake(self) -> datetime | None:
        """The earliest instant at which the loop has work: a timer, a mail or webhook delivery (or its retry), a
        due date, a digest."""
        from engine.cases import sweeps
        from engine.webhooks import queue as webhook_queue

        def run(conn: Connection) -> datetime | None:
            now = self.clock.now()
            found = [timer_cmds.next_due(conn), sweeps.next_send(conn), sweeps.next_overdue(conn),
                     webhook_queue.next_due(conn)]
            if sweeps.any_held(conn):
                found.append(sweeps.digest_due_at(now, self.settings.digest_hour))
            return min((f for f in found if f is not None), default=None)
        return self._read(run)

    # --- the mail page and the settings page ----------------------------------------------

    def mailbox(self, actor: str, limit: int = 100) -> list[Mail]:
        """The mails kept for ``actor`` (sent to the log because no SMTP host is set), newest first."""
        def run(conn: Connection) -> list[Mail]:
            self._user(conn, actor)
            rows = conn.execute(select(outbox).where(outbox.c.recipient == actor, outbox.c.status == "sent",
                                                     outbox.c.transport == "log")
                                .order_by(outbox.c.sent_at.desc(), outbox.c.id).limit(limit)).all()
            return [_mail(r) for r in rows]
        return self._read(run)

    def mail(self, mail_id: str, actor: str) -> Mail:
        """One kept mail; only its recipient may read it (an administrator neither: it is personal)."""
        def run(conn: Connection) -> Mail:
            self._user(conn, actor)
            row = conn.execute(select(outbox).where(outbox.c.id == mail_id)).first()
            if row is None or row.status != "sent" or row.transport != "log":
                raise NotFound(f"No mail {mail_id!r}")
            if row.recipient != actor:
                raise Forbidden("This mail was sent to someone else")
            return _mail(row)
        return self._read(run)

    def undeliverable(self, actor: str, limit: int = 100) -> list[Mail]:
        """Mails given up after every retry: for administrators, to fix an address or the SMTP settings."""
        def run(conn: Connection) -> list[Mail]:
            if not self._user(conn, actor).has_role("admin"):
                raise Forbidden("Only an administrator may see mails that could not be sent")
            rows = conn.execute(select(outbox).where(outbox.c.status == "failed")
                                .order_by(outbox.c.created_at.desc()).limit(limit)).all()
            return [_mail(r) for r in rows]
        return self._read(run)

    def notification_settings(self, actor: str) -> NotificationSettings:
        def run(conn: Connection) -> NotificationSettings:
            self._user(conn, actor)
            language = conn.execute(select(users.c.language).where(users.c.name == actor)).scalar() or "da"
            chosen = {r.kind: r.mode for r in conn.execute(
                select(notification_prefs.c.kind, notification_prefs.c.mode)
                .where(notification_prefs.c.user_name == actor))}
            return NotificationSettings(language, {k: chosen.get(k, "now") for k in kinds.KINDS})
        return self._read(run)

    def set_notification_settings(self, actor: str, language: str, modes: Mapping[str, str]) -> None:
        if language not in kinds.LANGUAGES:
            raise InvalidInput(f"Language {language!r} is not offered: choose {' or '.join(kinds.LANGUAGES)}")
        for kind, mode in modes.items():
            if kind not in kinds.KINDS:
                raise InvalidInput(f"There is no notification kind {kind!r}")
            if mode not in kinds.MODES:
                raise InvalidInput(f"Choose {', '.join(kinds.MODES)} for {kind}, not {mode!r}")

        def run(conn: Connection, _now: datetime) -> None:
            self._user(conn, actor)  # an unknown or inactive user is refused there
            conn.execute(update(users).where(users.c.name == actor).values(language=language))
            for kind, mode in modes.items():
                conn.execute(delete(notification_prefs).where(notification_prefs.c.user_name == actor,
                                                              notification_prefs.c.kind == kind))
                conn.execute(insert(notification_prefs).values(user_name=actor, kind=kind, mode=mode))
        self._write(run)

    def outbox_rows(self) -> list[dict[str, Any]]:
        """Every outbox row (for tests, benchmarks and the operator)."""
        return self._read(lambda conn: [
            {**r._asdict(), "payload": json.loads(r.payload_json)}
            for r in conn.execute(select(outbox).order_by(outbox.c.created_at, outbox.c.id))])
