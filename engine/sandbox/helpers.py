"""Pure functions visible to scripts and expressions, and the safe builtins.

Everything here takes and returns plain JSON data: dates are ISO strings ``"YYYY-MM-DD"``,
datetimes ISO strings with an offset. Bad input raises ``ScriptFailed`` naming the helper and
the value. Only plain functions and a few builtin types are exposed — never a module, because a
module's attributes lead to ``os``.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from engine import calendar
from engine.errors import ScriptFailed

LOCAL_ZONE = ZoneInfo("Europe/Copenhagen")
MAX_RANGE = 100_000  # largest range() a script may build; bigger loops are a bug or an attack
MAX_WORKING_DAYS = 10_000  # about 40 years; keeps add_working_days fast

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_RE = re.compile(r"(\d{2}):(\d{2})")


def _fail(helper: str, message: str) -> ScriptFailed:
    return ScriptFailed(f"{helper}: {message}", kind="error")


def _date(helper: str, value: object) -> date:
    if isinstance(value, str) and _DATE_RE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _fail(helper, f"{value!r} is not a date (YYYY-MM-DD)")


def _int(helper: str, value: object, name: str = "n") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(helper, f"{name} must be a whole number, got {value!r}")
    return value


def _shift(helper: str, d: date, delta: timedelta) -> str:
    try:
        return (d + delta).isoformat()
    except OverflowError:
        raise _fail(helper, "the result is outside the supported date range") from None


def add_days(d: str, n: int) -> str:
    """``d`` plus ``n`` calendar days (n may be negative)."""
    return _shift("add_days", _date("add_days", d), timedelta(days=_int("add_days", n)))


def add_months(d: str, n: int) -> str:
    """``d`` plus ``n`` months, clamped to the end of the month (2027-01-31 + 1 → 2027-02-28)."""
    start, months = _date("add_months", d), _int("add_months", n)
    year, month0 = divmod(start.year * 12 + start.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        raise _fail("add_months", "the result is outside the supported date range")
    return date(year, month0 + 1, min(start.day, monthrange(year, month0 + 1)[1])).isoformat()


def add_working_days(d: str, n: int) -> str:
    """The n-th Danish working day after ``d`` (before it if n < 0; ``d`` itself if n == 0)."""
    start, count = _date("add_working_days", d), _int("add_working_days", n)
    if abs(count) > MAX_WORKING_DAYS:
        raise _fail("add_working_days", f"n must be between -{MAX_WORKING_DAYS} and {MAX_WORKING_DAYS}")
    try:
        return calendar.add_working_days(start, count).isoformat()
    except OverflowError:
        raise _fail("add_working_days", "the result is outside the supported date range") from None


def is_working_day(d: str) -> bool:
    """Monday–Friday and not a Danish public holiday."""
    return calendar.is_working_day(_date("is_working_day", d))


def days_between(a: str, b: str) -> int:
    """Calendar days from ``a`` to ``b`` (negative when b is before a)."""
    return (_date("days_between", b) - _date("days_between", a)).days


def at_time(d: str, hhmm: str) -> str:
    """``d`` at local time ``HH:MM`` in Europe/Copenhagen, as an ISO datetime with that day's offset.

    A time skipped by the spring clock change (02:30 on the last Sunday of March) is moved forward
    to the real instant (03:30+02:00); a repeated autumn time means its first (summer-time) occurrence.
    """
    day = _date("at_time", d)
    match = _TIME_RE.fullmatch(hhmm) if isinstance(hhmm, str) else None
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise _fail("at_time", f"{hhmm!r} is not a time (HH:MM)")
    local = datetime.combine(day, time(int(match.group(1)), int(match.group(2))), LOCAL_ZONE)
    return local.astimezone(UTC).astimezone(LOCAL_ZONE).isoformat()


def iso_duration(days: int = 0, hours: int = 0, minutes: int = 0) -> str:
    """An ISO 8601 duration for timers: iso_duration(days=14) → "P14D", iso_duration(minutes=5) → "PT5M"."""
    parts = {name: _int("iso_duration", value, name)
             for name, value in (("days", days), ("hours", hours), ("minutes", minutes))}
    if any(value < 0 for value in parts.values()):
        raise _fail("iso_duration", "days, hours and minutes must not be negative")
    d, h, m = parts["days"], parts["hours"], parts["minutes"]
    clock = (f"{h}H" if h else "") + (f"{m}M" if m else "")
    text = "P" + (f"{d}D" if d else "") + (f"T{clock}" if clock else "")
    return text if text != "P" else "PT0M"


def bounded_range(*args: int) -> range:
    """``range`` refusing more than MAX_RANGE items (a range itself is lazy; list(range(10**10)) is not)."""
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise ScriptFailed(f"range: at most {MAX_RANGE} items, asked for {len(result)}", kind="error")
    return result


HELPERS: Mapping[str, Callable[..., Any]] = MappingProxyType({
    "add_days": add_days,
    "add_months": add_months,
    "add_working_days": add_working_days,
    "is_working_day": is_working_day,
    "days_between": days_between,
    "at_time": at_time,
    "iso_duration": iso_duration,
})

# Builtins a script sees. Types are exposed for conversion (str(x), int(x), list(...)); their
# underscore attributes are refused by the attribute guard, and ``mro`` is refused too.
SAFE_BUILTINS: Mapping[str, Any] = MappingProxyType({
    "len": len, "min": min, "max": max, "sum": sum, "abs": abs, "round": round,
    "sorted": sorted, "reversed": reversed, "any": any, "all": all, "range": bounded_range,
    "enumerate": enumerate, "zip": zip,
    "str": str, "int": int, "float": float, "bool": bool,
    "list": list, "dict": dict, "set": set, "tuple": tuple,
    "True": True, "False": False, "None": None,
    # so scripts can catch the usual errors
    "Exception": Exception, "ValueError": ValueError, "TypeError": TypeError, "KeyError": KeyError,
    "IndexError": IndexError, "ZeroDivisionError": ZeroDivisionError,
})
