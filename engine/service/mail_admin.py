"""The operator's console on mail: the outbox's pending and failed mails with their errors; resend or discard
one with a reason (in the administrators' log)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from engine.cases import outbox_admin
from engine.service.admin import _reason, _require_admin
from engine.service.base import EngineCore


class AdminMail(EngineCore):
    """One capability of the ``Engine`` facade (engine/service/facade.py)."""

    def mail_queue(self, actor: str) -> list[outbox_admin.MailRow]:
        def run(conn: Connection) -> list[outbox_admin.MailRow]:
            _require_admin(self._user(conn, actor))
            return outbox_admin.waiting_and_failed(conn)
        return self._read(run)

    def resend_mail(self, mail_id: str, actor: str, reason: str) -> None:
        why = _reason(reason)

        def run(conn: Connection, now: datetime) -> None:
            _require_admin(self._user(conn, actor))
            outbox_admin.resend(conn, mail_id, actor, why, now)
        self._write(run)

    def discard_mail(self, mail_id: str, actor: str, reason: str) -> None:
        why = _reason(reason)

        def run(conn: Connection, now: datetime) -> None:
            _require_admin(self._user(conn, actor))
            outbox_admin.discard(conn, mail_id, actor, why, now)
        self._write(run)
