"""Users, groups and roles, and the policy of who may do what.

The policy functions are plain and side-effect free so they can be tested alone; the service
layer calls them for every object it touches (never by URL prefix).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, delete, insert, literal, select, union_all, update

from engine.errors import InvalidInput, NotFound
from engine.store.tables import groups, memberships, user_roles, users

ROLES = ("admin", "process-owner", "auditor")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,99}$")


@dataclass(frozen=True)
class User:
    name: str
    display_name: str
    groups: frozenset[str] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)
    active: bool = True

    def has_role(self, role: str) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class TaskAccess:
    """What the policy needs to know about a task."""

    state: str
    assignee: str | None
    candidate_users: frozenset[str]
    candidate_groups: frozenset[str]


# --- policy -----------------------------------------------------------------------------

def is_candidate(user: User, task: TaskAccess) -> bool:
    return user.name in task.candidate_users or bool(user.groups & task.candidate_groups)


def may_work(user: User, task: TaskAccess) -> bool:
    """Complete or save a draft: the assignee, or a candidate while nobody has it."""
    if task.assignee is not None:
        return task.assignee == user.name
    return is_candidate(user, task)


def may_see_task(user: User, task: TaskAccess) -> bool:
    return may_work(user, task) or is_candidate(user, task) or user.has_role("admin")


def may_claim(user: User, task: TaskAccess) -> bool:
    return task.assignee is None and is_candidate(user, task)


def may_release(user: User, task: TaskAccess) -> bool:
    return task.assignee == user.name or user.has_role("admin")


def may_assign(user: User, task: TaskAccess) -> bool:
    """Hand a task to a colleague: whoever holds it, a candidate while it is free, or an admin."""
    return task.assignee == user.name or may_claim(user, task) or user.has_role("admin")


def may_read_case(user: User, participants: Iterable[str], groups_involved: Iterable[str]) -> bool:
    if user.has_role("admin") or user.has_role("auditor"):
        return True
    return user.name in set(participants) or bool(user.groups & set(groups_involved))


def may_start(user: User, starter_users: frozenset[str], starter_groups: frozenset[str]) -> bool:
    """camunda:candidateStarterUsers/Groups restrict who may start a process; none set means anyone."""
    if not starter_users and not starter_groups:
        return True
    return user.name in starter_users or bool(user.groups & starter_groups) or user.has_role("admin")


def may_cancel(user: User) -> bool:
    return user.has_role("admin")


def may_deploy(user: User) -> bool:
    return user.has_role("process-owner") or user.has_role("admin")


def may_audit(user: User) -> bool:
    """Search across cases, export, verify, read the access log: auditors and administrators."""
    return user.has_role("auditor") or user.has_role("admin")


# --- repository -------------------------------------------------------------------------

def check_name(name: str, what: str = "user name") -> str:
    if not NAME_RE.match(name or ""):
        raise InvalidInput(
            f"{what.capitalize()} {name!r} is not valid: use 1-100 lower-case letters, digits, '.', '_', '-' or '@', "
            "starting with a letter or digit"
        )
    return name


def load_user(conn: Connection, name: str) -> User:
    row = conn.execute(select(users).where(users.c.name == name)).first()
    if row is None or not row.active:
        raise NotFound(f"No user named {name!r}. Add one with: turnus users add {name}")
    both = union_all(
        select(literal("g").label("k"), memberships.c.group_name.label("v")).where(memberships.c.user_name == name),
        select(literal("r").label("k"), user_roles.c.role.label("v")).where(user_roles.c.user_name == name),
    )
    pairs = conn.execute(both).all()
    return User(row.name, row.display_name, frozenset(v for k, v in pairs if k == "g"),
                frozenset(v for k, v in pairs if k == "r"), row.active)


def user_exists(conn: Connection, name: str) -> bool:
    row = conn.execute(select(users.c.active).where(users.c.name == name)).first()
    return bool(row and row.active)


def save_user(conn: Connection, name: str, *, now: datetime, display_name: str | None = None,
              email: str | None = None, group_names: Iterable[str] = (), roles: Iterable[str] = (),
              password_hash: str | None = None) -> tuple[User, bool]:
    """Create the user or add groups/roles to an existing one; returns (user, created)."""
    check_name(name)
    roles = list(dict.fromkeys(roles))
    for role in roles:
        if role not in ROLES:
            raise InvalidInput(f"Unknown role {role!r}: choose from {', '.join(ROLES)}")
    group_names = [check_name(g, "group name") for g in dict.fromkeys(group_names)]
    existing = conn.execute(select(users.c.name).where(users.c.name == name)).first()
    values = {k: v for k, v in {"display_name": display_name, "email": email,
                                "password_hash": password_hash}.items() if v is not None}
    if existing is None:
        conn.execute(insert(users).values(name=name, display_name=display_name or name, email=email,
                                          password_hash=password_hash, active=True, created_at=now))
    elif values:
        conn.execute(update(users).where(users.c.name == name).values(**values, active=True))
    for group in group_names:
        if conn.execute(select(groups.c.name).where(groups.c.name == group)).first() is None:
            conn.execute(insert(groups).values(name=group, display_name=group))
        conn.execute(delete(memberships).where(memberships.c.user_name == name, memberships.c.group_name == group))
        conn.execute(insert(memberships).values(user_name=name, group_name=group))
    for role in roles:
        conn.execute(delete(user_roles).where(user_roles.c.user_name == name, user_roles.c.role == role))
        conn.execute(insert(user_roles).values(user_name=name, role=role))
    return load_user(conn, name), existing is None


def password_hash_of(conn: Connection, name: str) -> str | None:
    row = conn.execute(select(users.c.password_hash, users.c.active).where(users.c.name == name)).first()
    return row.password_hash if row and row.active else None


def list_users(conn: Connection) -> list[User]:
    groups_of: dict[str, set[str]] = {}
    roles_of: dict[str, set[str]] = {}
    for m in conn.execute(select(memberships)):
        groups_of.setdefault(m.user_name, set()).add(m.group_name)
    for r in conn.execute(select(user_roles)):
        roles_of.setdefault(r.user_name, set()).add(r.role)
    rows = conn.execute(select(users).where(users.c.active).order_by(users.c.name))
    return [User(r.name, r.display_name, frozenset(groups_of.get(r.name, ())), frozenset(roles_of.get(r.name, ())),
                 r.active) for r in rows]
