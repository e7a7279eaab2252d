from datetime import date

import pytest

from engine.calendar import (
    add_working_days,
    customary_days_off,
    easter_sunday,
    holidays_in,
    is_holiday,
    is_working_day,
)


@pytest.mark.parametrize(
    "year, easter",
    [(2023, date(2023, 4, 9)), (2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)),
     (2026, date(2026, 4, 5)), (2027, date(2027, 3, 28)), (2000, date(2000, 4, 23)),
     (2038, date(2038, 4, 25)), (2285, date(2285, 3, 22)), (1943, date(1943, 4, 25))],
)
def test_easter_sunday_known_dates(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_holidays_2027_by_name() -> None:
    assert holidays_in(2027) == {
        date(2027, 1, 1): "nytårsdag",
        date(2027, 3, 25): "skærtorsdag",
        date(2027, 3, 26): "langfredag",
        date(2027, 3, 28): "påskedag",
        date(2027, 3, 29): "2. påskedag",
        date(2027, 5, 6): "Kristi himmelfartsdag",
        date(2027, 5, 16): "pinsedag",
        date(2027, 5, 17): "2. pinsedag",
        date(2027, 12, 25): "juledag",
        date(2027, 12, 26): "2. juledag",
    }


def test_store_bededag_until_2023_only() -> None:
    assert holidays_in(2023)[date(2023, 5, 5)] == "store bededag"
    assert is_holiday(date(2023, 5, 5))
    assert not is_working_day(date(2023, 5, 5))
    # abolished from 2024: the fourth Friday after Easter 2024 is an ordinary Friday
    assert not is_holiday(date(2024, 4, 26))
    assert is_working_day(date(2024, 4, 26))
    assert "store bededag" not in holidays_in(2024).values()
    assert "store bededag" not in holidays_in(2030).values()


def test_customary_days_off_are_not_holidays() -> None:
    off = customary_days_off(2027)
    assert off == {date(2027, 6, 5): "grundlovsdag", date(2027, 12, 24): "juleaften",
                   date(2027, 12, 31): "nytårsaften"}
    assert not any(is_holiday(d) for d in off)
    assert is_working_day(date(2027, 12, 24))  # a Friday


def test_holidays_in_returns_a_copy() -> None:
    holidays_in(2027).clear()
    assert is_holiday(date(2027, 1, 1))


def test_weekends_are_not_working_days() -> None:
    assert not is_working_day(date(2027, 5, 1))  # Saturday
    assert not is_working_day(date(2027, 5, 2))  # Sunday
    assert is_working_day(date(2027, 5, 3))


def test_add_working_days_over_easter() -> None:
    # Wed 24 March 2027 → Thu/Fri are skærtorsdag/langfredag, Mon is 2. påskedag
    assert add_working_days(date(2027, 3, 24), 1) == date(2027, 3, 30)
    assert add_working_days(date(2027, 3, 30), -1) == date(2027, 3, 24)
    assert add_working_days(date(2027, 3, 24), 0) == date(2027, 3, 24)


def test_add_working_days_from_a_weekend() -> None:
    assert add_working_days(date(2027, 5, 1), 1) == date(2027, 5, 3)
    assert add_working_days(date(2027, 5, 2), -1) == date(2027, 4, 30)
    assert add_working_days(date(2027, 5, 3), 10) == date(2027, 5, 19)  # skips Kristi himmelfartsdag
