"""Users, groups and roles, and the policy of who may do what.

The policy functions are plain and side-effect free so they can be tested alone; the service
layer calls them for every object it touches (never by URL prefix).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, insert, literal, select, union_all, update

from engine.errors import InvalidInput, NotFound
from engine.store.tables import groups, memberships, user_roles, users

ROLES = ("admin", "process-owner", "auditor", "integration")
# Roles that may read but never change anything: a user holding one is refused every mutating command,
# whatever groups or other roles they also have (an auditor must not be able to alter what they audit).
READ_ONLY_ROLES = frozenset({"auditor"})
# Duty rules (turnus:notBy on a user task): who may not work a task, as declared by the process owner.
DUTY_INITIATOR = "initiator"
DUTY_COMPLETER_PREFIX = "completerOf:"
# Ids as directories write them (issue 25): "Anne.Hansen@albertslund.dk", "aUser", "KOMBIT-sagsbehandler". Letters
# (any case, any script), digits, '.', '_', '-' and '@'; the first a letter or a digit.
NAME_RE = re.compile(r"^[^\W_][\w.@-]{0,99}$")


def key_of(name: str) -> str:
    """The form a user or group id is stored and compared in: lower-case, so "aUser" and "auser" are one person
    wherever a name arrives (sign-in, --as, the API, assignment expressions, turnus:memberOf). The spelling the
    person or the directory used is kept beside it (users.login, groups.display_name)."""
    return name.lower()


def keys_of(names: Iterable[str]) -> frozenset[str]:
    return frozenset(key_of(n) for n in names)


@dataclass(frozen=True)
class User:
    name: str
    display_name: str
    groups: frozenset[str] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)
    active: bool = True
    login: str = ""  # the id as it was written when the user was added ("aUser"); ``name`` is its key

    @property
    def written_id(self) -> str:
        return self.login or self.name

    def has_role(self, role: str) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class TaskAccess:
    """What the policy needs to know about a task."""

    state: str
    assignee: str | None
    candidate_users: frozenset[str]
    candidate_groups: frozenset[str]
    # Users a duty rule bars from this task (segregation of duties), with the rule that bars each.
    barred: frozenset[tuple[str, str]] = frozenset()

    @property
    def barred_names(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.barred)

    def bar_reason(self, name: str) -> str | None:
        return next((rule for who, rule in sorted(self.barred) if who == name), None)

    @property
    def has_candidates(self) -> bool:
        return bool(self.candidate_users or self.candidate_groups)


# --- policy -----------------------------------------------------------------------------

def is_read_only(user: User) -> bool:
    return bool(user.roles & READ_ONLY_ROLES)


def may_mutate(user: User) -> bool:
    """Every command that changes something first asks this (comment, claim, start, drafts, files, ...)."""
    return user.active and not is_read_only(user)


def is_candidate(user: User, task: TaskAccess) -> bool:
    return user.name in keys_of(task.candidate_users) or bool(user.groups & keys_of(task.candidate_groups))


def is_barred(user: User, task: TaskAccess) -> bool:
    return user.name in keys_of(task.barred_names)


def may_work(user: User, task: TaskAccess) -> bool:
    """Complete or save a draft: the assignee, or a candidate while nobody has it; never someone barred."""
    if not may_mutate(user) or is_barred(user, task):
        return False
    if task.assignee is not None:
        return key_of(task.assignee) == user.name
    return is_candidate(user, task)


def may_see_task(user: User, task: TaskAccess) -> bool:
    return may_work(user, task) or is_candidate(user, task) or user.has_role("admin")


def may_claim(user: User, task: TaskAccess) -> bool:
    return task.assignee is None and is_candidate(user, task) and may_mutate(user) and not is_barred(user, task)


def may_release(user: User, task: TaskAccess) -> bool:
    """Give a task back to its candidates; a task with none would be stranded, so it can only be reassigned."""
    if not may_mutate(user) or not task.has_candidates:
        return False
    return _holds(user, task) or user.has_role("admin")


def _holds(user: User, task: TaskAccess) -> bool:
    return task.assignee is not None and key_of(task.assignee) == user.name


def may_assign(user: User, task: TaskAccess) -> bool:
    """Hand a task to a colleague: whoever holds it, a candidate while it is free, or an admin."""
    if not may_mutate(user):
        return False
    return _holds(user, task) or may_claim(user, task) or user.has_role("admin")


def may_receive(target: User, task: TaskAccess) -> bool:
    """Who a task may be handed to: someone who may then work it (a candidate when the task has any),
    never a read-only user and never someone a duty rule bars."""
    if not may_mutate(target) or is_barred(target, task):
        return False
    return is_candidate(target, task) if task.has_candidates else True


def may_be_told(target: User, task: TaskAccess) -> bool:
    """Who is mailed about a task: someone who may work it now (its assignee, else a candidate); never a
    read-only user and never someone a duty rule bars (issue 13)."""
    if not may_mutate(target) or is_barred(target, task):
        return False
    return _holds(target, task) if task.assignee is not None else is_candidate(target, task)


def barred_by_rules(rules: Iterable[str], initiator: str | None,
                    completers: Mapping[str, Iterable[str]]) -> frozenset[tuple[str, str]]:
    """(user, rule) for every user the task's duty rules bar.

    ``initiator`` is who started the case; ``completers`` maps a task's element id to everyone who completed
    any instance of it in this case (all rounds of a loop count: an approver may not approve a version
    they drafted in an earlier round either).
    """
    out: set[tuple[str, str]] = set()
    for rule in rules:
        if rule == DUTY_INITIATOR:
            if initiator:
                out.add((initiator, rule))
        elif rule.startswith(DUTY_COMPLETER_PREFIX):
            for name in completers.get(rule[len(DUTY_COMPLETER_PREFIX):], ()):
                out.add((name, rule))
    return frozenset(out)


def may_pick_for_field(candidate: User, member_of: Iterable[str], not_users: Iterable[str]) -> bool:
    """A ``user`` form field limited to members of groups or roles (``role:NAME``) and excluding some users:
    only an active, non-read-only user who matches (no limit declared: anyone)."""
    if not may_mutate(candidate) or candidate.name in keys_of(not_users):
        return False
    wanted = [m for m in member_of if m]
    if not wanted:
        return True
    return any(candidate.has_role(m[5:]) if m.startswith("role:") else key_of(m) in candidate.groups
               for m in wanted)


def may_read_case(user: User, participants: Iterable[str], groups_involved: Iterable[str]) -> bool:
    if user.has_role("admin") or user.has_role("auditor"):
        return True
    return user.name in keys_of(participants) or bool(user.groups & keys_of(groups_involved))


def may_comment(user: User, may_read: bool) -> bool:
    return may_read and may_mutate(user)


def may_start(user: User, starter_users: frozenset[str], starter_groups: frozenset[str]) -> bool:
    """camunda:candidateStarterUsers/Groups restrict who may start a process; none set means anyone."""
    if not may_mutate(user):
        return False
    if not starter_users and not starter_groups:
        return True
    return (user.name in keys_of(starter_users) or bool(user.groups & keys_of(starter_groups))
            or user.has_role("admin"))


def may_cancel(user: User) -> bool:
    return user.has_role("admin") and may_mutate(user)


def may_administer(user: User) -> bool:
    """The operator's console (incidents, deployments, users, mail, workers): administrators who may change
    things; never a read-only role."""
    return user.has_role("admin") and may_mutate(user)


def may_set_data(user: User) -> bool:
    """Changing case data outside a form bypasses every task's form and assignment, so it is an
    administrator's correction only (audited with a reason); never a read-only role, nor ``integration``."""
    return user.has_role("admin") and may_mutate(user)


def may_send_events(user: User) -> bool:
    """Messages and signals reach into cases nobody is assigned to and merge data into them, so only an
    administrator or an outside system's account (role ``integration``) may send them; never a read-only role."""
    return (user.has_role("admin") or user.has_role("integration")) and may_mutate(user)


def may_work_external(user: User) -> bool:
    """External tasks (fetch, complete, report failures) are an outside system's work on cases nobody is assigned
    to, with data merged into them: an administrator or an ``integration`` account, never a read-only role."""
    return (user.has_role("admin") or user.has_role("integration")) and may_mutate(user)


def may_deploy(user: User) -> bool:
    return (user.has_role("process-owner") or user.has_role("admin")) and may_mutate(user)


def may_remove_attachment(user: User, uploaded_by: str, case_status: str | None) -> bool:
    """Whoever uploaded a file, or an administrator, while its case is running (or before it has one)."""
    if not may_mutate(user) or case_status not in (None, "running"):
        return False
    return user.name == key_of(uploaded_by) or user.has_role("admin")


def may_audit(user: User) -> bool:
    """Search across cases, export, verify, read the access log: auditors and administrators."""
    return user.has_role("auditor") or user.has_role("admin")


# --- repository -------------------------------------------------------------------------

def check_name(name: str, what: str = "user name") -> str:
    """A valid id as written (any case); callers store ``key_of`` it."""
    if not NAME_RE.match(name or ""):
        raise InvalidInput(
            f"{what.capitalize()} {name!r} is not valid: use 1-100 letters, digits, '.', '_', '-' or '@', "
            "starting with a letter or digit", reason="name_invalid", what=what, name=(name or "")[:100]
        )
    return name


# Built once: every command and request loads its user, and building a statement costs more CPU than running it.
_USER_ROW = select(users).where(users.c.name == bindparam("name"))
_USER_GROUPS_AND_ROLES = union_all(
    select(literal("g").label("k"), memberships.c.group_name.label("v"))
    .where(memberships.c.user_name == bindparam("name")),
    select(literal("r").label("k"), user_roles.c.role.label("v")).where(user_roles.c.user_name == bindparam("name")),
)


def find_user(conn: Connection, name: str) -> User | None:
    """The active user of that name, or None: ``load_user`` without the refusal (one statement fewer than
    ``user_exists`` and then ``load_user``)."""
    row = conn.execute(_USER_ROW, {"name": key_of(name)}).first()
    if row is None or not row.active:
        return None
    pairs = conn.execute(_USER_GROUPS_AND_ROLES, {"name": row.name}).all()
    return User(row.name, row.display_name, frozenset(v for k, v in pairs if k == "g"),
                frozenset(v for k, v in pairs if k == "r"), row.active, row.login or "")


def load_user(conn: Connection, name: str) -> User:
    user = find_user(conn, name)
    if user is None:
        raise NotFound(f"No user named {name!r}. Add one with: turnus users add {name}")
    return user


def user_exists(conn: Connection, name: str) -> bool:
    row = conn.execute(select(users.c.active).where(users.c.name == key_of(name))).first()
    return bool(row and row.active)


def save_user(conn: Connection, name: str, *, now: datetime, display_name: str | None = None,
              email: str | None = None, group_names: Iterable[str] = (), roles: Iterable[str] = (),
              password_hash: str | None = None) -> tuple[User, bool]:
    """Create the user or add groups/roles to an existing one; returns (user, created).

    The id is kept as written (``login``) and stored by its key, so adding "aUser" when "auser" exists adds to
    that one person."""
    written = check_name(name)
    name = key_of(written)
    roles = list(dict.fromkeys(roles))
    for role in roles:
        if role not in ROLES:
            raise InvalidInput(f"Unknown role {role!r}: choose from {', '.join(ROLES)}")
    written_groups = {key_of(check_name(g, "group name")): g for g in group_names}
    existing = conn.execute(select(users.c.name).where(users.c.name == name)).first()
    values = {k: v for k, v in {"display_name": display_name, "email": email,
                                "password_hash": password_hash}.items() if v is not None}
    if existing is None:
        conn.execute(insert(users).values(name=name, login=written, display_name=display_name or written,
                                          email=email, password_hash=password_hash, active=True, created_at=now))
    elif values:
        conn.execute(update(users).where(users.c.name == name).values(**values, active=True))
    for group, spelled in written_groups.items():
        ensure_group(conn, group, spelled)
        conn.execute(delete(memberships).where(memberships.c.user_name == name, memberships.c.group_name == group))
        conn.execute(insert(memberships).values(user_name=name, group_name=group))
    for role in roles:
        conn.execute(delete(user_roles).where(user_roles.c.user_name == name, user_roles.c.role == role))
        conn.execute(insert(user_roles).values(user_name=name, role=role))
    return load_user(conn, name), existing is None


def ensure_group(conn: Connection, key: str, spelled: str) -> None:
    """A group exists once it is named anywhere; its display name starts as the spelling first seen."""
    if conn.execute(select(groups.c.name).where(groups.c.name == key)).first() is None:
        conn.execute(insert(groups).values(name=key, display_name=spelled))


def password_hash_of(conn: Connection, name: str) -> str | None:
    """None also for a directory user: the directory vouches for them, never a password here (issue 25)."""
    row = conn.execute(select(users.c.password_hash, users.c.active, users.c.directory)
                       .where(users.c.name == key_of(name))).first()
    return row.password_hash if row and row.active and row.directory is None else None


def list_users(conn: Connection) -> list[User]:
    groups_of: dict[str, set[str]] = {}
    roles_of: dict[str, set[str]] = {}
    for m in conn.execute(select(memberships)):
        groups_of.setdefault(m.user_name, set()).add(m.group_name)
    for r in conn.execute(select(user_roles)):
        roles_of.setdefault(r.user_name, set()).add(r.role)
    rows = conn.execute(select(users).where(users.c.active).order_by(users.c.name))
    return [User(r.name, r.display_name, frozenset(groups_of.get(r.name, ())), frozenset(roles_of.get(r.name, ())),
                 r.active, r.login or "") for r in rows]


def name_group(conn: Connection, name: str, display_name: str) -> None:
    """Give a group the name people read ("Netværkssekretariatet" for netvaerkssekretariat)."""
    name = key_of(check_name(name, "group name"))
    display_name = display_name.strip()[:200]
    if not display_name:
        raise InvalidInput("A group's display name cannot be empty")
    if conn.execute(select(groups.c.name).where(groups.c.name == name)).first() is None:
        conn.execute(insert(groups).values(name=name, display_name=display_name))
    else:
        conn.execute(update(groups).where(groups.c.name == name).values(display_name=display_name))


def group_names(conn: Connection) -> dict[str, str]:
    """Every group's display name by its id."""
    return {r.name: r.display_name for r in conn.execute(select(groups.c.name, groups.c.display_name))}


# --- API token scopes (issue 23) ------------------------------------------------------------------------------
# A token's scopes narrow what its user may do through the API; they never widen it: every call still passes
# the policy above as that user. "admin" stands for every scope.
# "metrics" reads /metrics from outside TURNUS_METRICS_ALLOW; "admin" stays last (a new token gets all but it).
# ``external-tasks`` is its own scope, not ``tasks:write``: a worker's token should reach only the work of its topics,
# and a person's token for the inbox should not fetch and complete service tasks.
SCOPES = ("cases:read", "cases:write", "tasks:write", "messages:write", "external-tasks", "audit:read", "metrics",
          "admin")


def scope_granted(scopes: Iterable[str], needed: str) -> bool:
    held = set(scopes)
    return needed in held or "admin" in held
