"""Issue 12: zone-less due dates are read in TURNUS_TIME_ZONE (default Europe/Copenhagen), not a constant."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.cases.assignment import resolve_instant

NOW = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)


def test_zone_less_due_date_times_are_read_in_copenhagen_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TURNUS_TIME_ZONE", raising=False)
    assert resolve_instant("2027-01-05T10:00:00", {}, NOW, "dueDate") == datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
    assert resolve_instant("2027-01-05", {}, NOW, "dueDate") == datetime(2027, 1, 5, 22, 59, 59, tzinfo=UTC)


def test_the_time_zone_setting_changes_how_they_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TURNUS_TIME_ZONE", "America/New_York")
    assert resolve_instant("2027-01-05T10:00:00", {}, NOW, "dueDate") == datetime(2027, 1, 5, 15, 0, tzinfo=UTC)
    # An explicit offset is never re-read.
    assert resolve_instant("2027-01-05T10:00:00+00:00", {}, NOW, "dueDate") == datetime(2027, 1, 5, 10, 0, tzinfo=UTC)
