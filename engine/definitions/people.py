"""Who a user task names, read from every place Camunda 7 files put it.

- ``camunda:assignee`` / ``candidateUsers`` / ``candidateGroups`` (the Camunda attributes);
- BPMN's own ``humanPerformer`` (the assignee) and ``potentialOwner`` (candidates), each a
  ``resourceAssignmentExpression/formalExpression`` such as ``user(kermit), group(management)``; as in
  Camunda 7, a bare name is a user for humanPerformer and a *group* for potentialOwner.

User and group ids are matched case-insensitively (issue 25: ``aUser`` and ``auser`` are one person), and
stored by their lower-case key (engine.identity.key_of), so literal names are lower-cased here. References
(``${var}``) are kept as written; their values are lower-cased when the task is made (engine.cases.assignment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from .camunda import bpmn, cattr, split_list

_ENTRY = re.compile(r"^(user|group)\(\s*([^()]+?)\s*\)$")


@dataclass(frozen=True)
class People:
    assignee: str | None
    candidate_users: tuple[str, ...]
    candidate_groups: tuple[str, ...]
    lowered: tuple[str, ...]  # literal names written with capitals, as written
    unreadable: tuple[str, ...]  # formalExpression entries that are neither a name, user(…), group(…) nor ${…}


def _expression(task: etree._Element, tag: str) -> list[str]:
    out = []
    for holder in task.findall(bpmn(tag)):
        for expr in holder.iter(bpmn("formalExpression")):
            out.extend(p.strip() for p in (expr.text or "").split(",") if p.strip())
    return out


def _literal(name: str, lowered: list[str]) -> str:
    if "${" in name:
        return name
    if name != name.lower():
        lowered.append(name)
    return name.lower()


def people_of(task: etree._Element) -> People:
    lowered: list[str] = []
    unreadable: list[str] = []
    users = [_literal(n, lowered) for n in split_list(cattr(task, "candidateUsers"))]
    groups = [_literal(n, lowered) for n in split_list(cattr(task, "candidateGroups"))]
    assignee = cattr(task, "assignee")
    for kind, default in (("potentialOwner", "group"), ("humanPerformer", "user")):
        for entry in _expression(task, kind):
            match = _ENTRY.match(entry)
            which, name = match.groups() if match else (default, entry)
            if not match and ("(" in entry or ")" in entry):
                unreadable.append(entry)
                continue
            name = _literal(name, lowered)
            if kind == "humanPerformer" and which == "user" and assignee is None:
                assignee = name
            elif which == "user":
                users.append(name)
            else:
                groups.append(name)
    return People(
        assignee=_literal(assignee, lowered) if assignee else None,
        candidate_users=tuple(dict.fromkeys(users)),
        candidate_groups=tuple(dict.fromkeys(groups)),
        lowered=tuple(dict.fromkeys(lowered)),
        unreadable=tuple(unreadable),
    )
