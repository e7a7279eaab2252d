"""Danish working-day calendar.

Public holidays (helligdage) are computed here from a Gregorian computus, with no third-party
data: nytårsdag, skærtorsdag, langfredag, påskedag, 2. påskedag, store bededag (until 2023 only;
abolished by law from 2024), Kristi himmelfartsdag, pinsedag, 2. pinsedag, juledag, 2. juledag.

A working day is Monday–Friday and not a public holiday. Grundlovsdag (5 June), juleaften
(24 December) and nytårsaften (31 December) are *not* public holidays, although many workplaces
give them off; they count as working days here and are listed separately by ``customary_days_off``
so a caller that wants them off can say so explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

# Store bededag was abolished as a public holiday from 2024 (lov nr. 141 af 28. februar 2023).
LAST_STORE_BEDEDAG_YEAR = 2023


def easter_sunday(year: int) -> date:
    """Western (Gregorian) Easter Sunday, by the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19  # position in the 19-year Metonic cycle
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30  # epact-related: days from 21 March to the paschal full moon
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=256)
def _holidays(year: int) -> Mapping[date, str]:
    easter = easter_sunday(year)
    days: dict[date, str] = {
        date(year, 1, 1): "nytårsdag",
        easter - timedelta(days=3): "skærtorsdag",
        easter - timedelta(days=2): "langfredag",
        easter: "påskedag",
        easter + timedelta(days=1): "2. påskedag",
    }
    if year <= LAST_STORE_BEDEDAG_YEAR:
        days[easter + timedelta(days=26)] = "store bededag"  # fourth Friday after Easter
    days[easter + timedelta(days=39)] = "Kristi himmelfartsdag"
    days[easter + timedelta(days=49)] = "pinsedag"
    days[easter + timedelta(days=50)] = "2. pinsedag"
    days[date(year, 12, 25)] = "juledag"
    days[date(year, 12, 26)] = "2. juledag"
    return MappingProxyType(dict(sorted(days.items())))


def holidays_in(year: int) -> dict[date, str]:
    """Danish public holidays of ``year``, in date order, with their Danish names."""
    return dict(_holidays(year))


def customary_days_off(year: int) -> dict[date, str]:
    """Days that are commonly off but are NOT public holidays (they count as working days here)."""
    return {
        date(year, 6, 5): "grundlovsdag",
        date(year, 12, 24): "juleaften",
        date(year, 12, 31): "nytårsaften",
    }


def is_holiday(d: date) -> bool:
    """True on a Danish public holiday (customary days off such as grundlovsdag are not holidays)."""
    return d in _holidays(d.year)


def is_working_day(d: date) -> bool:
    """Monday–Friday and not a Danish public holiday."""
    return d.weekday() < 5 and not is_holiday(d)


def add_working_days(d: date, n: int) -> date:
    """The n-th working day after ``d`` (before it when n < 0); ``d`` itself when n == 0.

    ``d`` need not be a working day: add_working_days(saturday, 1) is the following Monday
    (or the next working day after it if Monday is a holiday).
    """
    step = timedelta(days=1 if n >= 0 else -1)
    remaining = abs(n)
    current = d
    while remaining:
        current += step
        if is_working_day(current):
            remaining -= 1
    return current
