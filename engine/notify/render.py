"""The text of each mail, in the recipient's language (da by default, en), with a link to the task or case."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.config import local_zone
from engine.notify import kinds

SUBJECTS = {
    "da": {
        kinds.TASK_ASSIGNED: "Opgave til dig: {task_name}",
        kinds.TASK_OFFERED: "Ny opgave til din gruppe: {task_name}",
        kinds.REMINDER: "Rykker: {task_name}",
        kinds.OVERDUE: "Overskredet frist: {task_name}",
        kinds.CASE_FINISHED: "Din sag er afsluttet: {case_title}",
        kinds.DIGEST: "Dagens overblik fra Turnus ({count})",
    },
    "en": {
        kinds.TASK_ASSIGNED: "Task for you: {task_name}",
        kinds.TASK_OFFERED: "New task for your group: {task_name}",
        kinds.REMINDER: "Reminder: {task_name}",
        kinds.OVERDUE: "Past its due date: {task_name}",
        kinds.CASE_FINISHED: "Your case has finished: {case_title}",
        kinds.DIGEST: "Your daily summary from Turnus ({count})",
    },
}
LINES = {
    "da": {
        kinds.TASK_ASSIGNED: "Opgaven »{task_name}« i sagen »{case_title}« er givet til dig.",
        kinds.TASK_OFFERED: "Opgaven »{task_name}« i sagen »{case_title}« venter på, at nogen tager den.",
        kinds.REMINDER: "Sagen »{case_title}« har ventet, og der er oprettet en rykker: »{task_name}«.",
        kinds.OVERDUE: "Fristen for »{task_name}« i sagen »{case_title}« er overskredet.",
        kinds.CASE_FINISHED: "Sagen »{case_title}«, som du startede, er {status}.",
        "due": "Frist: {due}",
        "open": "Åbn: {link}",
        "greeting": "Hej {name}",
        "footer": "Du kan slå beskeder fra eller vælge et dagligt overblik under {settings}",
        "completed": "afsluttet",
        "cancelled": "annulleret",
    },
    "en": {
        kinds.TASK_ASSIGNED: "The task \"{task_name}\" in the case \"{case_title}\" has been given to you.",
        kinds.TASK_OFFERED: "The task \"{task_name}\" in the case \"{case_title}\" is waiting for someone to take it.",
        kinds.REMINDER: "The case \"{case_title}\" has been waiting; a reminder was created: \"{task_name}\".",
        kinds.OVERDUE: "The task \"{task_name}\" in the case \"{case_title}\" is past its due date.",
        kinds.CASE_FINISHED: "The case \"{case_title}\" that you started has been {status}.",
        "due": "Due: {due}",
        "open": "Open: {link}",
        "greeting": "Hello {name}",
        "footer": "Turn notifications off or choose a daily summary at {settings}",
        "completed": "completed",
        "cancelled": "cancelled",
    },
}


def link(base_url: str, case_id: str | None, task_id: str | None) -> str:
    if task_id:
        return f"{base_url}/tasks/{task_id}"
    return f"{base_url}/cases/{case_id}" if case_id else f"{base_url}/"


def _due(value: str | None) -> str | None:
    if not value:
        return None
    return datetime.fromisoformat(value).astimezone(local_zone()).strftime("%d.%m.%Y %H:%M")


def _item(lang: str, kind: str, payload: dict[str, Any], url: str) -> list[str]:
    words = LINES[lang]
    values = {"task_name": "", "case_title": "", **payload}
    values["status"] = words.get(str(payload.get("status")), payload.get("status", ""))
    out = [words[kind].format(**values)]
    if kind != kinds.CASE_FINISHED and (due := _due(payload.get("due_at"))):
        out.append(words["due"].format(due=due))
    out.append(words["open"].format(link=url))
    return out


def render(lang: str, kind: str, payload: dict[str, Any], *, name: str, base_url: str, case_id: str | None,
           task_id: str | None) -> tuple[str, str]:
    """(subject, plain-text body)."""
    lang = lang if lang in SUBJECTS else "da"
    words = LINES[lang]
    if kind == kinds.DIGEST:
        items = payload.get("items", [])
        subject = SUBJECTS[lang][kind].format(count=len(items))
        lines: list[str] = []
        for item in items:
            lines += _item(lang, item["kind"], item["payload"], link(base_url, item.get("case_id"),
                                                                      item.get("task_id")))
            lines.append("")
    else:
        values = {"task_name": "", "case_title": "", **payload}
        subject = SUBJECTS[lang][kind].format(**values)
        lines = [*_item(lang, kind, payload, link(base_url, case_id, task_id)), ""]
    body = "\n".join([words["greeting"].format(name=name), "", *lines,
                      words["footer"].format(settings=f"{base_url}/settings/notifications"), ""])
    return subject[:300], body
