"""Deploy-time checks of the code inside a definition: scripts, conditions, timers, loop expressions.

Everything here is compiled with ``engine.sandbox.compiler.check_source`` exactly as the sandbox will
compile it at run time, so "deploys" implies "compiles". Nothing is evaluated.
"""

from __future__ import annotations

import ast
import datetime as dt
import re

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.errors import Problem
from engine.sandbox.compiler import check_source

from .camunda import NAME_RE, bpmn, cattr, local

_LINE_RE = re.compile(r"^line (\d+): (.*)$", re.DOTALL)
# An ISO 8601 value written bare: PT5M, P14D, R3/PT1H, 2027-01-01T09:00, 2027-W01-1 ...
_ISO_LIKE = re.compile(r"^(R\d*/|P\d|PT\d|P\d*W|\d{4}-\d{2}-\d{2}|\d{4}-?W\d)", re.IGNORECASE)
_PYTHON_LANGUAGES = frozenset({"", "python", "python3", "py", "text/x-python"})

TIMER_KINDS = ("timeDate", "timeDuration", "timeCycle")


def compile_problems(source: str, mode: str) -> list[str]:
    """check_source, but a crash of the compiler on hostile input is a finding, not an exception."""
    try:
        return check_source(source, mode)  # type: ignore[arg-type]
    except Exception as exc:  # RecursionError, MemoryError (a subclass) ... on pathological input
        return [f"could not be compiled ({type(exc).__name__})"]


_EL_RE = re.compile(r"^\s*[$#]\{(.*)\}\s*$", re.S)


def code_problems(
    file: str, element_id: str | None, at: etree._Element, source: str | None, mode: str, what: str,
    rule: int | None = None,
) -> list[Problem]:
    """check_source findings for ``source`` (the text of ``at``), located on the XML line.

    ``what`` names the code in English (a fixed word the web translates); ``rule``: the DMN rule number."""
    named: dict[str, object] = {"what": what} if rule is None else {"what": what, "rule": rule}
    if source is None or not source.strip():
        return [Problem("error", file, f"{what} is empty", element_id, at.sourceline, "code_empty", named)]
    # Compiled exactly as written: the sandbox runs the text as it is in the XML, whitespace included.
    found = compile_problems(source, mode)
    problems = []
    for message in found:
        line = at.sourceline
        match = _LINE_RE.match(message)
        if match and line is not None:
            line += int(match[1]) - 1
        hint, reason, params = "", "code_invalid", {**named, "detail": message}
        el = _EL_RE.match(source)
        if el:  # the whole text is EL (${...} or #{...}), not Python that happens to contain "${"
            inner = " ".join(el.group(1).split())
            hint = f"; expressions are Python, not Camunda EL: write {inner} instead of {source.strip()}"
            reason, params = "code_camunda_el", {**params, "python": inner, "source": source.strip()}
        elif "IndentationError" in message:
            hint = "; the text runs exactly as written: remove the indentation in front of it"
            reason = "code_indented"
        problems.append(Problem("error", file, f"{what}: {message}{hint}", element_id, line, reason, params))
    return problems


def script_problems(file: str, task: etree._Element) -> list[Problem]:
    tid = task.get("id")
    fmt = (task.get("scriptFormat") or "").strip().lower()
    if fmt not in _PYTHON_LANGUAGES:
        return [
            Problem(
                "error", file,
                f"scriptFormat '{task.get('scriptFormat')}' is not supported: scripts are Python",
                tid, task.sourceline, "script_format_unsupported", {"format": task.get("scriptFormat")},
            )
        ]
    problems = []
    if cattr(task, "resource"):
        problems.append(
            Problem("error", file, "external scripts (camunda:resource) are not supported; inline the "
                    "script", tid, task.sourceline, "script_resource_unsupported")
        )
    if cattr(task, "resultVariable"):
        problems.append(
            Problem("error", file, "camunda:resultVariable is ignored by the engine; assign the "
                    "variable inside the script instead", tid, task.sourceline,
                    "script_result_variable")
        )
    script = task.find(bpmn("script"))
    if script is None:
        if not cattr(task, "resource"):
            problems.append(Problem("error", file, "script task has no script", tid, task.sourceline,
                                    "script_missing"))
        return problems
    return problems + code_problems(file, tid, script, script.text, "exec", "script")


def condition_problems(file: str, owner_id: str | None, cond: etree._Element, what: str) -> list[Problem]:
    language = (cond.get("language") or "").strip().lower()
    if language not in _PYTHON_LANGUAGES:
        return [
            Problem("error", file, f"{what} language '{cond.get('language')}' is not supported: "
                    "conditions are Python expressions", owner_id, cond.sourceline,
                    "condition_language_unsupported", {"what": what, "language": cond.get("language")})
        ]
    if cond.get("{http://camunda.org/schema/1.0/bpmn}resource"):
        return [Problem("error", file, f"external {what} scripts (camunda:resource) are not supported",
                        owner_id, cond.sourceline, "condition_resource_unsupported", {"what": what})]
    return code_problems(file, owner_id, cond, cond.text, "eval", what)


def timer_problems(file: str, event_id: str | None, timer: etree._Element) -> list[Problem]:
    """A timer's expression must compile; a literal value must be a valid ISO value with an offset."""
    found = [child for child in timer if local(child) in TIMER_KINDS]
    if not found:
        return [Problem("error", file, "timer event has no timeDate, timeDuration or timeCycle",
                        event_id, timer.sourceline, "timer_missing")]
    el = found[0]
    kind, text = local(el), (el.text or "").strip()
    if _ISO_LIKE.match(text):
        return [
            Problem(
                "error", file,
                f"{kind} {text} is not a Python expression: timer expressions are Python, so quote the "
                f'ISO value, e.g. "{text}"',
                event_id, el.sourceline, "timer_unquoted", {"kind": kind, "value": text},
            )
        ]
    problems = code_problems(file, event_id, el, el.text, "eval", kind)
    if problems:
        return problems
    try:
        literal = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return []  # an expression computed at run time (e.g. a variable): only its syntax is checked
    if not isinstance(literal, str):
        return [Problem("error", file, f"{kind} must be an ISO 8601 string, not {literal!r}",
                        event_id, el.sourceline, "timer_not_string", {"kind": kind, "value": repr(literal)})]
    message = iso_problem(kind, literal)
    if message:
        return [Problem("error", file, message, event_id, el.sourceline, "timer_invalid",
                        {"kind": kind, "value": literal})]
    return _cycle_period_problems(file, event_id, el, kind, literal)


def _cycle_period_problems(file: str, event_id: str | None, el: etree._Element, kind: str,
                           value: str) -> list[Problem]:
    """A literal cycle that repeats at once (R/PT0S) or every few seconds is a runaway, not a reminder."""
    if kind != "timeCycle":
        return []
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

    try:
        period = TimerEventDefinition.parse_iso_recurring_interval(value)[2].total_seconds()
    except Exception:  # the library reads fewer forms than iso_problem accepts: nothing more to say
        return []
    if period <= 0:
        return [Problem("error", file, f"timeCycle '{value}' repeats with a period of zero: it would fire "
                        "again at once, forever; give it a period such as \"R/P1D\"", event_id, el.sourceline,
                        "cycle_period_zero", {"value": value})]
    if period < 60:
        return [Problem("warning", file, f"timeCycle '{value}' repeats every {period:g} seconds: each "
                        "occurrence is a command of its own; a human workflow rarely needs less than minutes",
                        event_id, el.sourceline, "cycle_period_short", {"value": value, "seconds": f"{period:g}"})]
    return []


def iso_problem(kind: str, value: str) -> str | None:
    """What is wrong with a literal ISO timer value, or None."""
    if kind == "timeDate":
        return _date_time_problem(kind, value)
    if kind == "timeDuration":
        return None if _duration_ok(value) else (
            f"timeDuration '{value}' is not an ISO 8601 duration such as \"P14D\" or \"PT5M\""
        )
    parts = value.upper().split("/")
    if not re.match(r"^R\d*$", parts[0]) or len(parts) not in (2, 3):
        return f"timeCycle '{value}' is not an ISO 8601 repeating interval such as \"R3/PT10M\" or \"R/P14D\""
    durations = 0
    for part in parts[1:]:
        if part.startswith("P"):
            if not _duration_ok(part):
                return f"timeCycle '{value}': '{part}' is not an ISO 8601 duration"
            durations += 1
        else:
            problem = _date_time_problem("timeCycle", part)
            if problem:
                return problem
    if durations != 1:
        return f"timeCycle '{value}' needs exactly one duration, e.g. \"R/2027-01-01T09:00:00+01:00/P1D\""
    return None


def _duration_ok(value: str) -> bool:
    if not value.upper().startswith("P") or len(value) < 3:
        return False
    try:
        TimerEventDefinition.parse_iso_duration(value)
    except Exception:  # the library raises a bare Exception("Invalid duration")
        return False
    return True


def _date_time_problem(kind: str, value: str) -> str | None:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return f"{kind} '{value}' is not an ISO 8601 date-time such as \"2027-01-01T09:00:00+01:00\""
    if moment.tzinfo is None:
        return (
            f"{kind} '{value}' has no UTC offset and would be read in the server's time zone: "
            "add an offset, e.g. +01:00"
        )
    return None


def multi_instance_problems(file: str, activity: etree._Element, mi: etree._Element) -> list[Problem]:
    aid, line = activity.get("id"), mi.sourceline
    problems: list[Problem] = []
    cardinality = mi.find(bpmn("loopCardinality"))
    collection = cattr(mi, "collection")
    if mi.find(bpmn("loopDataInputRef")) is not None or mi.find(bpmn("inputDataItem")) is not None:
        problems.append(Problem("error", file, "loopDataInputRef / inputDataItem are not read: use "
                                "camunda:collection and camunda:elementVariable", aid, line, "loop_data_input_ignored"))
    if cardinality is None and not collection:
        problems.append(Problem("error", file, "multi-instance needs a loopCardinality or a "
                                "camunda:collection", aid, line, "multi_instance_count_missing"))
    if cardinality is not None:
        problems += code_problems(file, aid, cardinality, cardinality.text, "eval", "loopCardinality")
        if NAME_RE.match((cardinality.text or "").strip()):
            problems.append(Problem("warning", file, f"loopCardinality '{cardinality.text.strip()}' comes from "
                                    "case data with no upper bound: give the field that sets it a max "
                                    "(camunda:validation); past the work budget the command becomes an incident",
                                    aid, cardinality.sourceline, "cardinality_unbounded",
                                    {"name": cardinality.text.strip()}))
    if collection is not None and not NAME_RE.match(collection.strip()):
        problems.append(Problem("error", file, f"camunda:collection '{collection}' must name a list in "
                                "the case data, e.g. reviewers (not an expression)", aid, line,
                                "collection_not_name", {"value": collection}))
    element_var = cattr(mi, "elementVariable")
    if element_var is not None and not NAME_RE.match(element_var.strip()):
        problems.append(Problem("error", file, f"camunda:elementVariable '{element_var}' must be a "
                                "variable name", aid, line, "element_variable_not_name",
                                {"value": element_var}))
    done = mi.find(bpmn("completionCondition"))
    if done is not None:
        problems += code_problems(file, aid, done, done.text, "eval", "completionCondition")
    return problems


def standard_loop_problems(file: str, activity: etree._Element, loop: etree._Element) -> list[Problem]:
    aid = activity.get("id")
    problems: list[Problem] = []
    maximum = loop.get("loopMaximum")
    if maximum is not None and not maximum.strip().isdigit():
        problems.append(Problem("error", file, f"loopMaximum '{maximum}' must be a whole number",
                                aid, loop.sourceline, "loop_maximum_invalid", {"value": maximum}))
    condition = loop.find(bpmn("loopCondition"))
    if condition is None and maximum is None:
        problems.append(Problem("error", file, "a standard loop needs a loopCondition or a loopMaximum",
                                aid, loop.sourceline, "loop_unbounded"))
    if condition is not None:
        problems += code_problems(file, aid, condition, condition.text, "eval", "loopCondition")
        if maximum is None and _always_true(condition.text):
            problems.append(Problem("error", file, f"the loopCondition '{(condition.text or '').strip()}' is "
                                    "always true and there is no loopMaximum: the loop would never end",
                                    aid, condition.sourceline, "loop_never_ends",
                                    {"value": (condition.text or "").strip()}))
    return problems


def _always_true(text: str | None) -> bool:
    """A loop condition that is a truthy constant (True, 1, "yes"): seen statically, before any case runs."""
    try:
        return bool(ast.literal_eval((text or "").strip()))
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return False
