"""What the integrity checks found, in the reader's language (the engine's text is English, for logs)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from web.deps import display_name
from web.i18n import Catalogue, catalogue_text, count_of
from web.present import status_label

_KINDS = {"user": lambda: _("person"), "group": lambda: _("group")}

_MESSAGES: Catalogue = {
    # the chain of events (engine/audit/chain.py)
    "no_case": lambda p: _("The case does not exist."),
    "event_missing": lambda p: _("Event %(expected)s is missing (event %(found)s comes next).", **p),
    "event_duplicated": lambda p: _("Event %(expected)s is there twice (event %(found)s comes next).", **p),
    "not_following": lambda p: _("The event does not follow the one before it: events were inserted, deleted "
                                 "or reordered."),
    "content_changed": lambda p: _("The event's content was changed (a “%(kind)s” event by %(actor)s).", **p),
    "history_truncated": lambda p: ngettext("The history ends at event %(last)s, but the case recorded "
                                            "%(recorded)s event: events were removed from the end.",
                                            "The history ends at event %(last)s, but the case recorded "
                                            "%(recorded)s events: events were removed from the end.",
                                            count_of(p.get("recorded")), **p),
    # the stored state against the events (engine/cases/consistency.py, engine/cases/relations.py)
    "no_state": lambda p: _("The case has no stored workflow state (deleted, or imported from an audit "
                            "export): only its chain of events can be checked."),
    "status_differs": lambda p: _("The case's status is “%(have)s”, but the events say “%(want)s”.", **p),
    "task_open_unrecorded": lambda p: _("Task %(task)s is open, but no event opened it.", **p),
    "task_should_be_open": lambda p: _("Task %(task)s should be open according to the events, but is not.", **p),
    "assignee_differs": lambda p: _("Task %(task)s is with %(have)s, but the events say %(want)s.", **p),
    "field_differs": lambda p: _("The field “%(field)s” holds %(have)s, but the events say %(want)s.", **p),
    "participant_missing": lambda p: _("The %(kind)s %(name)s takes part in the case but is missing from its "
                                       "participants.", **p),
    "participant_extra": lambda p: _("The %(kind)s %(name)s is listed as taking part in the case but does not.",
                                     **p),
    "task_title_differs": lambda p: _("Task %(task)s carries “%(have)s” as its case's title, which is not the "
                                      "case's title.", **p),
    "open_candidate_missing": lambda p: _("The %(kind)s %(name)s may take task %(task)s but does not see it in "
                                          "their group list.", **p),
    "open_candidate_extra": lambda p: _("The %(kind)s %(name)s sees task %(task)s in their group list without "
                                        "being one who may take it.", **p),
    "case_data_projection_differs": lambda p: _("The case data shown to readers is not the data in the stored "
                                                "workflow state."),
    "state_unrestorable": lambda p: _("The stored workflow state cannot be read back: it was changed outside "
                                      "Turnus.", **p),
    # the per-element statistics against the events and tasks (engine/audit/stats.py; the check over all cases,
    # stats_counts_differ, runs from the command line only)
    "stats_case_uncounted": lambda p: _("The statistics do not count the case at the step %(element)s.", **p),
    "stats_case_overcounted": lambda p: _("The statistics count the case at the step %(element)s, which it never "
                                          "ran.", **p),
    "stats_duration_differs": lambda p: _("The statistics hold another time spent for task %(task)s than the "
                                          "task's own.", **p),
}


_PEOPLE = {"assignee_differs": ("have", "want")}  # params that name a person


def _value(value: Any) -> str:
    return "—" if value is None else value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                                                   default=str)


def _readable(reason: str, params: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: _value(v) for k, v in params.items()}
    for key in ("actor", *_PEOPLE.get(reason, ())):
        if params.get(key):
            out[key] = display_name(params[key])
    if reason == "status_differs":
        out.update(have=status_label(params["have"]), want=status_label(params["want"]))
    if params.get("kind") in _KINDS:
        out["kind"] = _KINDS[params["kind"]]()
    return out


_LIBRARY = {"state_unrestorable": "error"}  # reason -> the param holding the library's own words


def finding_detail(found: Any) -> str:
    """The technical words behind a finding (the library's error, or the engine's English when the catalogue
    does not know the reason): kept in a details element under the sentence, never in it."""
    reason = getattr(found, "reason", "")
    params = getattr(found, "params", {}) or {}
    if reason in _LIBRARY:
        return str(params.get(_LIBRARY[reason]) or "")
    if reason in _MESSAGES:
        return ""
    return str(getattr(found, "problem", found))


def finding_text(found: Any) -> str:
    """A check's finding (a VerifyFailure or a Finding) in the reader's language; its English text if the
    catalogue does not know its reason (better than no detail for an auditor)."""
    reason = getattr(found, "reason", "")
    text = catalogue_text(_MESSAGES, reason, lambda: _readable(reason, getattr(found, "params", {})))
    return text if text is not None else str(getattr(found, "problem", found))
