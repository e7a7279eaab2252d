"""The operator's console on people: search, add and edit users, disable and enable them (each change audited in
the administrators' log with before and after), and the open personal tasks of a user to hand over."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from engine import passwords
from engine.cases import people_admin
from engine.cases.people_admin import PersonEdit
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

    def person(self, actor: str, name: str) -> people_admin.UserRow:
        def run(conn: Connection) -> people_admin.UserRow:
            _require_admin(self._user(conn, actor))
            return people_admin.one(conn, name)
        return self._read(run)

    def admin_add_user(self, name: str, change: PersonEdit, actor: str, reason: str,
                       password: str | None = None) -> people_admin.UserRow:
        """A new user with a first password (or none: they then sign in through the directory, or not at all)."""
        why = _reason(reason)
        hashed = passwords.hash_password(password) if password else None  # hashed outside the transaction

        def run(conn: Connection, now: datetime) -> people_admin.UserRow:
            _require_admin(self._user(conn, actor))
            return people_admin.add(conn, name, change, hashed, actor, why, now)
        return self._write(run)

    def admin_edit_user(self, name: str, change: PersonEdit, actor: str, reason: str) -> people_admin.UserRow:
        why = _reason(reason)

        def run(conn: Connection, now: datetime) -> people_admin.UserRow:
            _require_admin(self._user(conn, actor))
            return people_admin.edit(conn, name, change, actor, why, now)
        return self._write(run)
