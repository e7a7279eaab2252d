"""Segregation of duties at run time: who a task's turnus:notBy rules bar, and the checks on ``user`` fields.

The rules themselves are pure functions in engine.identity; this module only gathers their inputs from the
case (who started it, who completed which task) so every command asks the same question.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, bindparam, select

from engine import identity
from engine.cases.versions import VersionCache
from engine.errors import FieldError, FormInvalid, NotFound
from engine.forms import FormSchema
from engine.store.tables import cases, definition_versions, tasks

MEMBER_OF = "turnus:memberOf"
NOT_BY = "turnus:notBy"


_VERSION_OF = select(cases.c.version_id).where(cases.c.id == bindparam("id"))  # built once: commands' hot path
_STARTER_OF = select(cases.c.started_by).where(cases.c.id == bindparam("id"))
_COMPLETERS = select(tasks.c.element_id, tasks.c.completed_by).where(
    tasks.c.case_id == bindparam("id"), tasks.c.element_id.in_(bindparam("elements", expanding=True)),
    tasks.c.state == "completed", tasks.c.completed_by.is_not(None))


def rules_of(conn: Connection, row: Any, cache: VersionCache | None) -> tuple[str, ...]:
    version_id = conn.execute(_VERSION_OF, {"id": row.case_id}).scalar()
    if version_id is None:
        return ()
    if cache is not None:
        meta = cache.get(conn, version_id).user_tasks.get(row.element_id)
        return meta.duty_rules if meta else ()
    raw = conn.execute(select(definition_versions.c.meta_json).where(definition_versions.c.id == version_id)).scalar()
    task = json.loads(raw or "{}").get("user_tasks", {}).get(row.element_id, {})
    return tuple(task.get("duty_rules", ()))


def barred(conn: Connection, row: Any, cache: VersionCache | None = None) -> frozenset[tuple[str, str]]:
    """(user, rule) pairs the task's duty rules bar, from the case as it is now."""
    rules = rules_of(conn, row, cache)
    if not rules:
        return frozenset()
    initiator = conn.execute(_STARTER_OF, {"id": row.case_id}).scalar()
    targets = [r[len(identity.DUTY_COMPLETER_PREFIX):] for r in rules
               if r.startswith(identity.DUTY_COMPLETER_PREFIX)]
    completers: dict[str, set[str]] = {}
    if targets:
        for element_id, who in conn.execute(_COMPLETERS, {"id": row.case_id, "elements": targets}):
            completers.setdefault(element_id, set()).add(who)
    return identity.barred_by_rules(rules, initiator, completers)


def refusal_reason(rule: str | None) -> str:
    """The reason code of a duty refusal (for translated messages)."""
    if rule == identity.DUTY_INITIATOR:
        return "duty_initiator"
    return "duty_completer"


def refusal(task_name: str, rule: str | None) -> str:
    """Why a barred user may not do a task, in words a participant can act on."""
    if rule == identity.DUTY_INITIATOR:
        return (f"You started this case, so you may not do task '{task_name}': "
                "someone independent of the request must do it")
    if rule and rule.startswith(identity.DUTY_COMPLETER_PREFIX):
        return (f"You did an earlier step of this case that task '{task_name}' must be independent of, "
                "so someone else must do it")
    return f"You may not do task '{task_name}'"


def field_limits(props: Mapping[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(member_of, not_by) declared on a ``user`` field."""
    def split(v: str) -> tuple[str, ...]:
        return tuple(x.strip() for x in (v or "").split(",") if x.strip())
    return split(props.get(MEMBER_OF, "")), split(props.get(NOT_BY, ""))


def check_user_fields(conn: Connection, form: FormSchema, values: Mapping[str, Any], initiator: str | None) -> None:
    """A ``user`` field must name an active user allowed by its turnus:memberOf / turnus:notBy limits.

    Raises FormInvalid (message next to the field), so the command changes nothing."""
    errors: list[FieldError] = []
    for f in form.fields:
        value = values.get(f.id)
        if f.readonly or f.properties.get("widget") != "user" or value in (None, ""):
            continue
        member_of, not_by = field_limits(f.properties)
        excluded = [initiator] if identity.DUTY_INITIATOR in not_by and initiator else []
        if identity.key_of(str(value)) in identity.keys_of(excluded):
            errors.append(FieldError(f.id, "user_self", f"{f.display}: you cannot choose yourself"))
            continue
        try:
            person = identity.load_user(conn, str(value))
        except NotFound:
            errors.append(FieldError(f.id, "user_unknown", f"{f.display}: there is no user named {value!r}"))
            continue
        if not identity.may_pick_for_field(person, member_of, excluded):
            errors.append(FieldError(f.id, "user_not_member", f"{f.display}: {person.display_name} cannot be "
                                     "chosen here", {"groups": ", ".join(member_of)}))
    if errors:
        raise FormInvalid(errors)
