"""``set data``: an administrator's audited change of case data outside any task form (issue 12).

The new values go to every live token of the case (each task carries its own copy of the data), then the
workflow advances, so conditional events waiting on the data fire in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.util.task import TaskState

from engine import identity
from engine.cases import live
from engine.cases.commands import Ctx, case_row, require_running
from engine.definitions.camunda import NAME_RE
from engine.errors import Forbidden, InvalidInput
from engine.identity import User
from engine.runtime import workflow as rt

MAX_DATA_BYTES = 65_536  # the same bound as a message's data
MAX_REASON = 1000
_LIVE = (TaskState.READY, TaskState.WAITING, TaskState.STARTED)


def checked_values(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Variable names (not starting with "_") to JSON values, bounded; raises InvalidInput."""
    values = dict(data or {})
    if not values:
        raise InvalidInput('Give the data to set as a JSON object, e.g. {"approved": true}', reason="set_data_empty")
    for key in values:
        if not isinstance(key, str) or not NAME_RE.match(key):
            raise InvalidInput(f"{key!r} is not a variable name (letters, digits and _; it may not start with _ "
                               "or a digit)", reason="set_data_name", name=str(key))
    try:
        size = len(json.dumps(values, allow_nan=False))
    except (TypeError, ValueError):
        raise InvalidInput("The data must be plain JSON values (text, numbers, true/false, null, lists, "
                           "objects)", reason="set_data_json") from None
    if size > MAX_DATA_BYTES:
        raise InvalidInput(f"The data is larger than {MAX_DATA_BYTES:,} bytes", reason="set_data_too_large",
                           count=MAX_DATA_BYTES)
    return values


def set_data(ctx: Ctx, user: User, case_id: str, data: Mapping[str, Any], reason: str) -> live.LiveCase:
    if not identity.may_mutate(user):
        raise Forbidden("Your role is read-only: you can read cases, but not change anything", reason="read_only")
    if not identity.may_set_data(user):
        raise Forbidden("Only an administrator may change case data outside a task", reason="admin_only")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give a reason for changing the case data", reason="set_data_reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"A reason can be at most {MAX_REASON} characters", reason="set_data_reason_long",
                           count=MAX_REASON)
    values = checked_values(data)
    case = case_row(ctx.conn, case_id)
    require_running(case)
    version = ctx.cache.get(ctx.conn, case.version_id)
    lc = live.load(ctx.conn, case, version, ctx.now)
    lc.cache = ctx.cache
    before = live.case_data(lc.wf)
    for task in rt.all_tasks(lc.wf):
        if task.state in _LIVE:
            task.data.update(values)
            # A waiting event takes its parent's data again each time it is evaluated (the parent's values
            # win the merge), so the parent must carry the new values too.
            if task.state == TaskState.WAITING and task.parent is not None:
                task.parent.data.update(values)
    changes = {k: {"before": before.get(k), "after": v} for k, v in values.items()}
    lc.events.add("data_changed", user.name, reason=reason, changes=changes)
    rt.advance(lc.wf, ctx.now)  # conditional events waiting on the data fire now
    if case.incident_json and not live.holds_incident(lc):  # commit clears it: the corrected data let it run
        lc.events.add("incident_resolved", user.name, by="data_changed")
    live.commit(lc)
    return lc
