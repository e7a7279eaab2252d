"""The helpers as plain functions (in-process); their use from scripts is in test_sandbox_behaviour."""

import pytest

from engine.errors import ScriptFailed
from engine.sandbox.helpers import (
    HELPERS,
    add_days,
    add_months,
    add_working_days,
    at_time,
    bounded_range,
    days_between,
    is_working_day,
    iso_duration,
)


def test_add_days() -> None:
    assert add_days("2027-05-01", 14) == "2027-05-15"
    assert add_days("2027-03-01", -1) == "2027-02-28"


def test_add_months_clamps_to_month_end() -> None:
    assert add_months("2027-01-31", 1) == "2027-02-28"
    assert add_months("2024-01-31", 1) == "2024-02-29"
    assert add_months("2027-11-30", 3) == "2028-02-29"
    assert add_months("2027-03-31", -1) == "2027-02-28"


def test_working_days() -> None:
    assert add_working_days("2027-03-24", 1) == "2027-03-30"
    assert is_working_day("2024-04-26") is True
    assert is_working_day("2023-05-05") is False


def test_days_between() -> None:
    assert days_between("2027-05-01", "2027-05-15") == 14
    assert days_between("2027-05-15", "2027-05-01") == -14


def test_at_time_uses_the_offset_of_that_date() -> None:
    assert at_time("2027-05-03", "08:00") == "2027-05-03T08:00:00+02:00"
    assert at_time("2027-01-04", "08:00") == "2027-01-04T08:00:00+01:00"
    assert at_time("2027-03-28", "02:30") == "2027-03-28T03:30:00+02:00"  # skipped hour


def test_iso_duration() -> None:
    assert iso_duration(days=14) == "P14D"
    assert iso_duration(minutes=5) == "PT5M"
    assert iso_duration(days=1, hours=2, minutes=30) == "P1DT2H30M"
    assert iso_duration() == "PT0M"


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: add_days("2027-13-01", 1), "add_days: '2027-13-01' is not a date (YYYY-MM-DD)"),
        (lambda: add_days("1/5/2027", 1), "add_days: '1/5/2027' is not a date (YYYY-MM-DD)"),
        (lambda: add_days("2027-05-01", "3"), "add_days: n must be a whole number, got '3'"),
        (lambda: add_months(None, 1), "add_months: None is not a date (YYYY-MM-DD)"),
        (lambda: at_time("2027-05-03", "25:00"), "at_time: '25:00' is not a time (HH:MM)"),
        (lambda: iso_duration(days=-1), "iso_duration: days, hours and minutes must not be negative"),
        (lambda: add_days("9999-12-31", 1), "add_days: the result is outside the supported date range"),
        (lambda: add_working_days("2027-05-03", 10**9), "add_working_days: n must be between"),
        (lambda: bounded_range(10**9), "range: at most 100000 items"),
    ],
)
def test_bad_input_raises_script_failed(call, message: str) -> None:
    with pytest.raises(ScriptFailed) as info:
        call()
    assert str(info.value).startswith(message)
    assert info.value.kind == "error"


def test_helpers_are_plain_functions_only() -> None:
    assert set(HELPERS) == {"add_days", "add_months", "add_working_days", "is_working_day",
                            "days_between", "at_time", "iso_duration"}
    assert all(type(f).__name__ == "function" for f in HELPERS.values())
