"""Why a case cannot move to another version, in the page's language (engine/cases/migration.py's codes).

The engine's reason is English, for logs and the CLI; the migration page shows these instead, and the
engine's words only for a code this catalogue does not know.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from engine.errors import TurnusError
from web.i18n import Catalogue, catalogue_text
from web.modeller.change_words import change_words
from web.present import status_label
from web.refusals import refusal_text

_MESSAGES: Catalogue = {
    "not_a_candidate": lambda p: _("This is not a running case of this process on another version."),
    "step_removed": lambda p: _("The case has reached the step %(step)s, which the new version no longer has.",
                                **p),
    "passed_step_flows_changed": lambda p: _("The case has passed the step %(step)s, whose flows changed in the "
                                             "new version.", **p),
    "inside_step_flows_changed": lambda p: _("The case is inside %(step)s, whose flows changed in the new "
                                             "version.", **p),
    "at_changed_step": lambda p: _("The case is at the step %(step)s, which changed in the new version "
                                   "(%(what)s); move it once that step is done.", **p),
    "case_not_running": lambda p: _("The case is not running (%(status)s).", **p),
    "open_incident": lambda p: _("The case has stopped on an error; resolve it before moving it."),
    "other_definition": lambda p: _("The case runs the process %(have)s, not %(want)s.", **p),
    "already_on_version": lambda p: _("The case already runs on version %(version)s.", **p),
    "subprocess_removed": lambda p: _("The case is inside the subprocess %(name)s, which the new version no "
                                      "longer has.", **p),
    "path_through_removed_step": lambda p: _("The case's path still runs through %(step)s, which the new "
                                             "version does not have.", **p),
    "incident_raised": lambda p: _("A step of the case failed while it was being moved; it is unchanged."),
    "state_unmovable": lambda p: _("The case's state could not be moved; it is unchanged."),
}


def _readable(params: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(params)
    if isinstance(out.get("what"), list | tuple):
        out["what"] = change_words(list(out["what"]))
    if isinstance(out.get("status"), str):
        out["status"] = status_label(out["status"])
    return out


def refused_text(code: str, params: Mapping[str, Any], english: str) -> str:
    """The refusal in the reader's language: this catalogue, then the refusals every page shares (an engine
    error while moving), then the engine's English as the last resort."""
    text = catalogue_text(_MESSAGES, code, lambda: _readable(params))
    if text is None and code:
        text = refusal_text(TurnusError(english, reason=code, **params)) or None
    return text or english


def codes() -> frozenset[str]:
    """Every code the catalogue translates (for the tests)."""
    return frozenset(_MESSAGES)
