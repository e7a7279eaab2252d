"""The operator's console on deployments: every definition and version with who deployed it, when and the cases
running on it; suspending and resuming a definition (with a reason, in the administrators' audit log); and that
log itself, for administrators and auditors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from engine import identity
from engine.audit import admin_log
from engine.cases import deployments
from engine.errors import Forbidden
from engine.service.admin import _reason, _require_admin
from engine.service.base import EngineCore


class AdminDeployments(EngineCore):
    """One capability of the ``Engine`` facade (engine/service/facade.py)."""

    def deployments(self, actor: str) -> list[deployments.DefinitionRow]:
        def run(conn: Connection) -> list[deployments.DefinitionRow]:
            _require_admin(self._user(conn, actor))
            return deployments.overview(conn)
        return self._read(run)

    def suspend_definition(self, key: str, actor: str, reason: str) -> None:
        """No new cases of ``key`` until it is resumed; its running cases go on."""
        why = _reason(reason)

        def run(conn: Connection, now: datetime) -> None:
            _require_admin(self._user(conn, actor))
            deployments.suspend(conn, key, actor, why, now)
        self._write(run)

    def resume_definition(self, key: str, actor: str, reason: str) -> None:
        why = _reason(reason)

        def run(conn: Connection, now: datetime) -> None:
            _require_admin(self._user(conn, actor))
            deployments.resume(conn, key, actor, why, now)
        self._write(run)

    def admin_log(self, actor: str, object_prefix: str | None = None) -> list[admin_log.AdminEntry]:
        """What administrators changed outside cases, newest first: for administrators and auditors."""
        def run(conn: Connection) -> list[admin_log.AdminEntry]:
            if not identity.may_audit(self._user(conn, actor)):
                raise Forbidden("Only an auditor or an administrator may read the administrators' log",
                                reason="auditor_only")
            return admin_log.entries(conn, object_prefix)
        return self._read(run)
