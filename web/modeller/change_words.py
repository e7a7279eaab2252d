"""What changed between two versions, in the page's language: the diff's attribute names and kinds as words.

engine/definitions/diff.py reports SpiffWorkflow's serialized keys (``bpmn_name``, ``cond_task_specs``) and
Turnus' assignment attributes; a process owner reads "navn", "betingelser". An unknown key stays as it is.
"""

from __future__ import annotations

from flask_babel import gettext as _


def _words() -> dict[str, str]:
    # built per call: gettext needs the request's language
    return {
        "bpmn_name": _("name"), "lane": _("lane"), "script": _("script"), "prescript": _("script before"),
        "postscript": _("script after"), "cond_task_specs": _("conditions"), "default_task_spec": _("default flow"),
        "condition": _("condition"), "event_definition": _("event"), "extensions": _("settings"),
        "outputs": _("next steps"), "decision_ref": _("decision"), "spec": _("called process"),
        "loop_characteristics": _("repetition"), "cardinality": _("number of instances"),
        "data_input": _("input collection"), "data_output": _("output collection"), "documentation": _("documentation"),
        "assignee": _("assignee"), "candidate_users": _("candidate users"), "candidate_groups": _("candidate groups"),
        "due_date": _("due date"), "follow_up_date": _("follow-up date"), "priority": _("priority"),
        "added": _("added"), "removed": _("removed"), "changed": _("changed"),
    }


def change_word(key: str) -> str:
    """The word for a changed attribute or a change's kind; the key itself when there is none."""
    return _words().get(key, key)


def change_words(keys: tuple[str, ...] | list[str]) -> str:
    return ", ".join(change_word(k) for k in keys)
