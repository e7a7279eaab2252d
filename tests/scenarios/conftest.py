"""Fixtures for the netværksturnus scenarios: an engine with processes/ deployed and its people."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC

import pytest

from engine.clock import FixedClock
from engine.service import Engine
from tests.helpers.rotation import EMPLOYEE, LEADER, MANAGER, PROCESSES, SECRETARY, Rotation, at


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(at("2027-01-04T09:00+01:00").astimezone(UTC))  # a Clock answers in UTC


@pytest.fixture
def engine(db_url: str, clock: FixedClock) -> Iterator[Engine]:
    eng = Engine.create(db_url, clock=clock)
    eng.add_user("procesejer", roles=["process-owner"])
    results = eng.deploy_paths([PROCESSES], actor="procesejer")
    assert [(r.key, r.warnings) for r in results] == [("netvaerksturnus", ())]
    eng.add_user(EMPLOYEE, display_name="Søren")
    eng.add_user(MANAGER, display_name="Lise", groups=["leder"])
    eng.add_user(SECRETARY, groups=["netvaerkssekretariat"])
    eng.add_user(LEADER, groups=["ledelsesteam"])
    yield eng
    eng.close()


@pytest.fixture
def rotation(engine: Engine, clock: FixedClock) -> Rotation:
    """A case of the rotation process, started by the employee on 4 January 2027."""
    return Rotation(engine, clock).start()
