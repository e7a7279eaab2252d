"""Users for the operator's console: search (disabled ones too), disable and enable. A disabled user cannot sign
in (identity refuses an inactive user, and their web sessions end in the same transaction); their open personal
tasks are listed so an administrator can hand them over. Every change goes into the administrators' log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, or_, select, update

from engine.audit import admin_log
from engine.errors import Conflict, NotFound
from engine.store.tables import memberships, tasks, user_roles, users, web_sessions


@dataclass(frozen=True)
class UserRow:
    name: str
    display_name: str
    email: str | None
    active: bool
    groups: tuple[str, ...]
    roles: tuple[str, ...]


@dataclass(frozen=True)
class OpenTask:
    id: str
    case_id: str
    name: str
    case_title: str | None


def search(conn: Connection, text: str = "", limit: int = 100) -> list[UserRow]:
    query = select(users).order_by(users.c.name).limit(limit)
    if text:
        like = f"%{text.lower()}%"
        query = query.where(or_(users.c.name.like(like), users.c.display_name.ilike(like)))
    rows = conn.execute(query).all()
    names = [r.name for r in rows]
    groups: dict[str, list[str]] = {}
    roles: dict[str, list[str]] = {}
    for m in conn.execute(select(memberships).where(memberships.c.user_name.in_(names))):
        groups.setdefault(m.user_name, []).append(m.group_name)
    for r in conn.execute(select(user_roles).where(user_roles.c.user_name.in_(names))):
        roles.setdefault(r.user_name, []).append(r.role)
    return [UserRow(r.name, r.display_name, r.email, bool(r.active), tuple(sorted(groups.get(r.name, ()))),
                    tuple(sorted(roles.get(r.name, ())))) for r in rows]


def open_personal_tasks(conn: Connection, name: str) -> list[OpenTask]:
    rows = conn.execute(select(tasks.c.id, tasks.c.case_id, tasks.c.name, tasks.c.case_title)
                        .where(tasks.c.assignee == name, tasks.c.state == "open").order_by(tasks.c.created_at))
    return [OpenTask(r.id, r.case_id, r.name, r.case_title) for r in rows]


def set_active(conn: Connection, name: str, active: bool, actor: str, reason: str, now: datetime) -> None:
    row = conn.execute(select(users.c.active).where(users.c.name == name)).first()
    if row is None:
        raise NotFound(f"No user named {name!r}", reason="no_such_user", user=name)
    if bool(row.active) == active:
        raise Conflict(f"{name} is already {'active' if active else 'disabled'}",
                       reason="user_already_active" if active else "user_already_disabled", user=name)
    if not active and name == actor:
        raise Conflict("You cannot disable yourself: another administrator must do it", reason="disable_self")
    conn.execute(update(users).where(users.c.name == name).values(active=active))
    if not active:  # signed-in browsers lose their session at once
        conn.execute(delete(web_sessions).where(web_sessions.c.user_name == name))
    admin_log.write(conn, now, actor, "user_enabled" if active else "user_disabled", f"user:{name}", reason,
                    open_tasks=[t.id for t in open_personal_tasks(conn, name)])
