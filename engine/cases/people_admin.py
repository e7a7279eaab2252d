"""Users for the operator's console: search (disabled ones too), add, edit (name, e-mail, groups, roles), disable and
enable. A disabled user cannot sign
in (identity refuses an inactive user, and their web sessions end in the same transaction); their open personal
tasks are listed so an administrator can hand them over. Every change goes into the administrators' log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, or_, select, update

from engine import identity
from engine.audit import admin_log
from engine.errors import Conflict, InvalidInput, NotFound
from engine.identity import key_of
from engine.store.tables import memberships, tasks, user_roles, users, web_sessions

MAX_DISPLAY_NAME = 200
MAX_EMAIL = 320


@dataclass(frozen=True)
class UserRow:
    name: str
    display_name: str
    email: str | None
    active: bool
    groups: tuple[str, ...]
    roles: tuple[str, ...]
    last_sign_in_at: datetime | None = None


@dataclass(frozen=True)
class PersonEdit:
    """What an administrator sets on a user: groups and roles replace the ones held (an empty list removes all)."""
    display_name: str
    email: str | None
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
    return _rows(conn, rows)


def _rows(conn: Connection, rows: list) -> list[UserRow]:
    names = [r.name for r in rows]
    groups_of: dict[str, list[str]] = {}
    roles_of: dict[str, list[str]] = {}
    for m in conn.execute(select(memberships).where(memberships.c.user_name.in_(names))):
        groups_of.setdefault(m.user_name, []).append(m.group_name)
    for r in conn.execute(select(user_roles).where(user_roles.c.user_name.in_(names))):
        roles_of.setdefault(r.user_name, []).append(r.role)
    return [UserRow(r.name, r.display_name, r.email, bool(r.active), tuple(sorted(groups_of.get(r.name, ()))),
                    tuple(sorted(roles_of.get(r.name, ()))), r.last_sign_in_at) for r in rows]


def one(conn: Connection, name: str) -> UserRow:
    name = key_of(name)
    rows = conn.execute(select(users).where(users.c.name == name)).all()
    if not rows:
        raise NotFound(f"No user named {name!r}", reason="no_such_user", user=name)
    return _rows(conn, rows)[0]


def _checked(edit: PersonEdit) -> PersonEdit:
    display = " ".join(edit.display_name.split())
    if not display:
        raise InvalidInput("Give the user's name as colleagues should see it", reason="display_name_missing")
    if len(display) > MAX_DISPLAY_NAME:
        raise InvalidInput(f"A name can be at most {MAX_DISPLAY_NAME} characters", reason="display_name_long",
                           count=MAX_DISPLAY_NAME)
    email = (edit.email or "").strip() or None
    if email and (len(email) > MAX_EMAIL or "@" not in email.strip("@") or any(c.isspace() for c in email)):
        raise InvalidInput(f"{email!r} is not an e-mail address", reason="email_invalid", email=email[:100])
    for role in edit.roles:
        if role not in identity.ROLES:
            raise InvalidInput(f"Unknown role {role!r}: choose from {', '.join(identity.ROLES)}",
                               reason="unknown_role", role=role[:100])
    # Groups are kept by key, spelled as first written (identity.ensure_group).
    spelled = {key_of(identity.check_name(g.strip(), "group name")): g.strip() for g in edit.groups if g.strip()}
    return PersonEdit(display, email, tuple(sorted(spelled.values(), key=key_of)), tuple(sorted(set(edit.roles))))


def _replace_memberships(conn: Connection, name: str, edit: PersonEdit) -> None:
    conn.execute(delete(memberships).where(memberships.c.user_name == name))
    conn.execute(delete(user_roles).where(user_roles.c.user_name == name))
    for spelled in edit.groups:
        identity.ensure_group(conn, key_of(spelled), spelled)
        conn.execute(memberships.insert().values(user_name=name, group_name=key_of(spelled)))
    for role in edit.roles:
        conn.execute(user_roles.insert().values(user_name=name, role=role))


def _shown(row: UserRow) -> dict[str, object]:
    return {"display_name": row.display_name, "email": row.email, "groups": list(row.groups),
            "roles": list(row.roles)}


def add(conn: Connection, name: str, edit: PersonEdit, password_hash: str | None, actor: str, reason: str,
        now: datetime) -> UserRow:
    """A new user; refused when the name is taken (editing is its own action, so nobody is changed by mistake).
    The id is stored by its key and kept as written in ``login``."""
    login = identity.check_name(name)
    name = key_of(login)
    edit = _checked(edit)
    if conn.execute(select(users.c.name).where(users.c.name == name)).first() is not None:
        raise Conflict(f"There is already a user named {name!r}: open them to change them",
                       reason="user_exists", user=name)
    conn.execute(users.insert().values(name=name, login=login, display_name=edit.display_name, email=edit.email,
                                       password_hash=password_hash, active=True, created_at=now))
    _replace_memberships(conn, name, edit)
    row = one(conn, name)
    admin_log.write(conn, now, actor, "user_added", f"user:{name}", reason, after=_shown(row),
                    password=password_hash is not None)
    return row


def edit(conn: Connection, name: str, change: PersonEdit, actor: str, reason: str, now: datetime) -> UserRow:
    """Set a user's name, e-mail, groups and roles; the administrators' log keeps what they were and became."""
    name, actor = key_of(name), key_of(actor)
    before = one(conn, name)
    change = _checked(change)
    if name == actor and "admin" in before.roles and "admin" not in change.roles:
        raise Conflict("You cannot take away your own administrator role: another administrator must do it",
                       reason="unadmin_self")
    after_values = {"display_name": change.display_name, "email": change.email,
                    "groups": sorted(key_of(g) for g in change.groups),
                    "roles": list(change.roles)}
    if after_values == _shown(before):
        raise Conflict(f"Nothing to change: {name} already has this name, e-mail, groups and roles",
                       reason="user_unchanged", user=name)
    conn.execute(update(users).where(users.c.name == name)
                 .values(display_name=change.display_name, email=change.email))
    _replace_memberships(conn, name, change)
    after = one(conn, name)
    admin_log.write(conn, now, actor, "user_changed", f"user:{name}", reason, before=_shown(before),
                    after=_shown(after))
    return after


def open_personal_tasks(conn: Connection, name: str) -> list[OpenTask]:
    name = key_of(name)
    rows = conn.execute(select(tasks.c.id, tasks.c.case_id, tasks.c.name, tasks.c.case_title)
                        .where(tasks.c.assignee == name, tasks.c.state == "open").order_by(tasks.c.created_at))
    return [OpenTask(r.id, r.case_id, r.name, r.case_title) for r in rows]


def set_active(conn: Connection, name: str, active: bool, actor: str, reason: str, now: datetime) -> None:
    name, actor = key_of(name), key_of(actor)
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
