"""Errors the engine raises to its callers.

Every error a user can cause is a ``TurnusError`` with a message a person can act on;
callers (CLI, web) show ``str(err)`` and never a traceback. ``str(err)`` is English (logs, the CLI); a
refusal a participant can meet also carries a ``reason`` code and its ``params``, from which the web
shows the message in the reader's language (web/refusals.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class TurnusError(Exception):
    """Base of every expected, user-facing error."""

    code = "error"

    def __init__(self, message: str = "", *, reason: str | None = None, **params: object):
        super().__init__(message)
        self.reason = reason  # machine-readable, e.g. "assigned_to_other"; None: no translated text
        self.params = params  # names and values the message refers to (task, user, ...)


class NotFound(TurnusError):
    code = "not_found"


class Forbidden(TurnusError):
    code = "forbidden"


class Conflict(TurnusError):
    """The object changed under the command (e.g. the task was already completed)."""

    code = "conflict"


class InvalidInput(TurnusError):
    code = "invalid_input"


class SettingInvalid(TurnusError):
    """A setting read from the environment has a value Turnus does not know; nothing starts."""

    code = "setting_invalid"


class Busy(TurnusError):
    """The database stayed locked by other work longer than the busy timeout; trying again helps."""

    code = "busy"
    retry_after = 5  # seconds a client should wait (HTTP Retry-After)

    def __init__(self, message: str = "The system is busy with other work right now; please try again in a "
                                      "few seconds (nothing was changed)"):
        super().__init__(message)


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str  # machine-readable: required, type, min, max, minlength, maxlength, enum, readonly, unknown
    message: str  # English, for logs and the CLI; the web layer translates by code
    params: Mapping[str, object] | None = None


class FormInvalid(InvalidInput):
    """A submission failed form validation; ``errors`` holds one entry per bad field."""

    code = "form_invalid"

    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))


@dataclass(frozen=True)
class Problem:
    """One finding of validation or lint, located as precisely as the input allows."""

    severity: str  # "error" | "warning"
    file: str
    message: str
    element_id: str | None = None
    line: int | None = None
    # machine-readable kind of finding and the values its message names: the web says it in the reader's
    # language (web/modeller/findings.py); "" means only the English message exists
    reason: str = ""
    params: dict[str, Any] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        """One line: ``file:line: element 'id': message`` (warnings say so; errors need no word)."""
        where = self.file + (f":{self.line}" if self.line else "")
        elem = f" element '{self.element_id}':" if self.element_id else ""
        kind = " warning:" if self.severity == "warning" else ""
        return f"{where}:{elem}{kind} {' '.join(self.message.split())}"


class DefinitionInvalid(TurnusError):
    """A deploy was refused; nothing was stored. ``problems`` lists every finding."""

    code = "definition_invalid"

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: p.severity != "error")  # errors first, order kept
        errors = sum(1 for p in self.problems if p.severity == "error")
        head = f"the definition was refused ({errors} error{'s' if errors != 1 else ''}); nothing was stored:"
        lines = [str(p) for p in self.problems]
        super().__init__("\n".join(lines if len(lines) == 1 else [head, *lines]))  # one finding: one line


class ScriptFailed(TurnusError):
    """A script or expression failed in the sandbox (error, time or memory limit)."""

    code = "script_failed"

    def __init__(self, message: str, line: int | None = None, kind: str = "error"):
        self.line = line
        self.kind = kind  # error | timeout | memory | forbidden | syntax
        self.task: object | None = None  # the SpiffWorkflow task it failed in, when known
        super().__init__(message)


class StaleCase(Exception):
    """Another command changed the case since it was loaded; the command is retried (never reaches a user).
    Lives here, not in engine.cases.live, so catching it does not import the workflow engine."""


class Finding(str):
    """A problem an integrity check found: English text (logs, the command line) that also carries a reason
    code and its params, so a page can say it in the reader's language."""

    reason: str
    params: dict[str, Any]

    def __new__(cls, text: str, reason: str, **params: Any) -> Finding:
        found = super().__new__(cls, text)
        found.reason, found.params = reason, params
        return found

    def prefixed(self, prefix: str) -> Finding:
        return Finding(prefix + self, self.reason, **self.params)
