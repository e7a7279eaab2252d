"""The operator's console on people: search users, disable and enable them (audited in the administrators' log),
and the open personal tasks of a user to hand over."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from engine.cases import people_admin
from engine.service.admin import _reason, _require_admin
from engine.service.base import EngineCore


class AdminPeople(EngineCore):
    """One capability of the ``Engine`` facade (engine/service/facade.py)."""

    def user_search(self, actor: str, text: str = "") -> list[people_admin.UserRow]:
        def run(conn: Connection) -> list[people_admin.UserRow]:
            _require_admin(self._user(conn, actor))
            return people_admin.search(conn, text.strip()[:100])
        return self._read(run)

    def open_personal_tasks(self, actor: str, name: str) -> list[people_admin.OpenTask]:
        def run(conn: Connection) -> list[people_admin.OpenTask]:
            _require_admin(self._user(conn, actor))
            return people_admin.open_personal_tasks(conn, name)
        return self._read(run)

    def set_user_active(self, name: str, active: bool, actor: str, reason: str) -> None:
        """Disable (no sign-in, sessions ended) or enable a user; the reason goes into the administrators' log."""
        why = _reason(reason)

        def run(conn: Connection, now: datetime) -> None:
            _require_admin(self._user(conn, actor))
            people_admin.set_active(conn, name, active, actor, why, now)
        self._write(run)
