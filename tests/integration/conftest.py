"""Fixtures for tests that run the engine against a real database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.clock import FixedClock
from engine.service import Engine
from tests.conftest import migrated
from tests.helpers.support import PROCESSES


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def engine(db_url: str, clock: FixedClock, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    eng = Engine.create(migrated(db_url, tmp_path_factory), clock=clock)
    yield eng
    eng.close()


@pytest.fixture
def review(engine: Engine) -> Engine:
    """The engine with the review example deployed and its people added."""
    engine.deploy_paths([PROCESSES / "review.bpmn"], actor="system")
    engine.add_user("rita", display_name="Rita Requester")
    engine.add_user("ralf", groups=["reviewers"])
    engine.add_user("rosa", groups=["reviewers"])
    engine.add_user("olga")
    engine.add_user("admin", roles=["admin"])
    engine.add_user("audrey", roles=["auditor"])
    return engine

