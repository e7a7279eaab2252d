"""The Engine's user and group directory: adding and reading people, naming groups (engine/identity.py decides
what each may do)."""

from __future__ import annotations

from collections.abc import Sequence

from engine import identity
from engine.identity import User
from engine.service.base import EngineCore


class UserCommands(EngineCore):
    """One capability of the ``Engine`` facade (engine/service/facade.py)."""

    def add_user(self, name: str, *, groups: Sequence[str] = (), roles: Sequence[str] = (),
                 display_name: str | None = None, email: str | None = None,
                 password_hash: str | None = None) -> tuple[User, bool]:
        return self._write(lambda conn, now: identity.save_user(
            conn, name, now=now, display_name=display_name, email=email, group_names=groups, roles=roles,
            password_hash=password_hash))

    def user(self, name: str) -> User:
        return self._read(lambda conn: self._user(conn, name))

    def password_hash(self, name: str) -> str | None:
        return self._read(lambda conn: identity.password_hash_of(conn, name))

    def users(self) -> list[User]:
        return self._read(identity.list_users)

    def name_group(self, name: str, display_name: str) -> None:
        self._write(lambda conn, now: identity.name_group(conn, name, display_name))

    def group_names(self) -> dict[str, str]:
        return self._read(identity.group_names)
