"""Resolve Camunda assignment attributes (assignee, candidates, due date, priority) against case data.

Only literals and ``${name}`` / ``${name.attr}`` references are allowed (lint refuses anything
else), so nothing here evaluates code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from engine.config import local_zone
from engine.errors import ScriptFailed

REF = re.compile(r"^\$\{\s*([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\s*\}$")
DEFAULT_PRIORITY = 50


@dataclass(frozen=True)
class Assignment:
    assignee: str | None
    candidate_users: tuple[str, ...]
    candidate_groups: tuple[str, ...]
    due_at: datetime | None
    follow_up_at: datetime | None
    priority: int


def lane_group(lane: str) -> str:
    """The candidate group a lane stands for: its name in lower-case ASCII (æ→ae, ø→oe, å→aa)."""
    text = lane.strip().lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9._@-]+", "-", text).strip("-")


def resolve_value(raw: str, data: Mapping[str, Any], attribute: str) -> Any:
    match = REF.match(raw.strip())
    if not match:
        return raw.strip()
    name, attr = match.groups()
    if name not in data:
        raise ScriptFailed(f"{attribute} refers to ${{{name}}}, but the case has no variable {name!r}")
    value = data[name]
    if attr is not None:
        if not isinstance(value, Mapping) or attr not in value:
            raise ScriptFailed(f"{attribute} refers to ${{{name}.{attr}}}, but {name!r} has no {attr!r}")
        value = value[attr]
    return value


def _names(raws: Sequence[str] | None, data: Mapping[str, Any], attribute: str) -> tuple[str, ...]:
    """User or group ids by their key (lower-case): "aUser" in a model or a form is the user auser (issue 25)."""
    out: list[str] = []
    for part in (p for raw in raws or () for p in raw.split(",") if p.strip()):
        value = resolve_value(part, data, attribute)
        values = value if isinstance(value, list | tuple) else [value]
        out.extend(str(v).lower() for v in values if v not in (None, ""))
    return tuple(dict.fromkeys(out))


def resolve_instant(raw: str | None, data: Mapping[str, Any], now: datetime, attribute: str) -> datetime | None:
    if not raw:
        return None
    value = resolve_value(raw, data, attribute)
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.upper().startswith("P"):
        return now + _duration(text, attribute)
    try:
        if len(text) == 10:
            # A date means "by the end of that day" in the configured zone.
            return datetime.combine(date.fromisoformat(text), time(23, 59, 59), local_zone()).astimezone(UTC)
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ScriptFailed(f"{attribute} {text!r} is not a date, a date-time or an ISO duration") from None
    return (when if when.tzinfo else when.replace(tzinfo=local_zone())).astimezone(UTC)


def _duration(text: str, attribute: str) -> timedelta:
    match = re.fullmatch(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?", text.upper())
    if not match or not any(match.groups()):
        raise ScriptFailed(f"{attribute} {text!r} is not a supported ISO duration (use weeks, days, hours, minutes)")
    w, d, h, m = (int(g or 0) for g in match.groups())
    return timedelta(weeks=w, days=d, hours=h, minutes=m)


def resolve(meta: Mapping[str, Any], lane: str | None, data: Mapping[str, Any], now: datetime) -> Assignment:
    """Who may do a new task and by when, from its metadata (see engine.definitions.UserTaskMeta)."""
    raw_assignee = meta.get("assignee")
    assignee = resolve_value(raw_assignee, data, "camunda:assignee") if raw_assignee else None
    assignee = str(assignee).lower() if assignee not in (None, "") else None
    users = _names(meta.get("candidate_users"), data, "camunda:candidateUsers")
    groups = _names(meta.get("candidate_groups"), data, "camunda:candidateGroups")
    if not (raw_assignee or meta.get("candidate_users") or meta.get("candidate_groups")) and lane:
        groups = (lane_group(lane),)
    raw_priority = meta.get("priority")
    priority = DEFAULT_PRIORITY
    if raw_priority:
        value = resolve_value(raw_priority, data, "camunda:priority")
        try:
            priority = int(value)
        except (TypeError, ValueError):
            raise ScriptFailed(f"camunda:priority {value!r} is not a whole number") from None
    return Assignment(
        assignee=assignee,
        candidate_users=users,
        candidate_groups=groups,
        due_at=resolve_instant(meta.get("due_date"), data, now, "camunda:dueDate"),
        follow_up_at=resolve_instant(meta.get("follow_up_date"), data, now, "camunda:followUpDate"),
        priority=priority,
    )
