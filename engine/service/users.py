"""The Engine's user and group directory: adding and reading people, naming groups (engine/identity.py decides
what each may do)."""

from __future__ import annotations

from collections.abc import Sequence

from engine import identity
from engine.identity import User


class UserCommands:
    """Mixed into ``Engine`` (engine/service.py): relies on ``_read``, ``_write`` and ``_user``."""

    def add_user(self, name: str, *, groups: Sequence[str] = (), roles: Sequence[str] = (),
                 display_name: str | None = None, email: str | None = None,
                 password_hash: str | None = None) -> tuple[User, bool]:
        return self._write(lambda conn, now: identity.save_user(  # type: ignore[attr-defined]
            conn, name, now=now, display_name=display_name, email=email, group_names=groups, roles=roles,
            password_hash=password_hash))

    def user(self, name: str) -> User:
        return self._read(lambda conn: self._user(conn, name))  # type: ignore[attr-defined]

    def password_hash(self, name: str) -> str | None:
        return self._read(lambda conn: identity.password_hash_of(conn, name))  # type: ignore[attr-defined]

    def users(self) -> list[User]:
        return self._read(identity.list_users)  # type: ignore[attr-defined]

    def name_group(self, name: str, display_name: str) -> None:
        self._write(lambda conn, now: identity.name_group(conn, name, display_name))  # type: ignore[attr-defined]

    def group_names(self) -> dict[str, str]:
        return self._read(identity.group_names)  # type: ignore[attr-defined]
