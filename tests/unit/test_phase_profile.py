"""Issue 26: the bench-only phase profiler (tests/helpers/phases.py) accounts for every tick exactly once.

A clock that advances one unit per reading makes the accounting exact; nothing here is timed."""

from __future__ import annotations

import inspect
import itertools
import types
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine.service import Engine
from tests.helpers import command_phases
from tests.helpers.phases import UNACCOUNTED, PhaseProfile


def _ticks() -> types.FunctionType:
    counter = itertools.count()
    return lambda: float(next(counter))


def _module() -> types.ModuleType:
    m = types.ModuleType("probe")

    def inner() -> int:
        return 1

    def outer() -> int:
        return m.inner() + m.inner()  # looked up on the module, as the engine's modules call one another

    def failing() -> None:
        raise ValueError("inside a phase")

    m.inner, m.outer, m.failing = inner, outer, failing
    return m


def test_nested_phases_are_exclusive_and_add_up_to_the_total() -> None:
    m = _module()
    with PhaseProfile(clock=_ticks()) as prof:
        prof.wrap(m, "outer", "outer")
        prof.wrap(m, "inner", "inner")
        with prof.command():  # reading 0
            m.outer()  # readings 1 (enter outer), 2-3 and 4-5 (inner twice), 6 (leave outer)
        # 7: the command ends
    assert prof.total == 7
    assert prof.phases["inner"].cpu == 2 and prof.phases["inner"].calls == 2
    assert prof.phases["outer"].cpu == 3 and prof.phases["outer"].calls == 1  # 1→2, 3→4, 5→6
    assert prof.phases[UNACCOUNTED].cpu == 2  # 0→1, 6→7
    assert prof.accounted() == prof.total


def test_calls_outside_a_command_are_not_counted_and_a_raising_phase_is_closed() -> None:
    m = _module()
    with PhaseProfile(clock=_ticks()) as prof:
        prof.wrap(m, "inner", "inner")
        prof.wrap(m, "failing", "failing")
        assert m.inner() == 1
        assert prof.phases["inner"].calls == 0
        with prof.command():
            with pytest.raises(ValueError):
                m.failing()
            m.inner()
    assert prof.phases["failing"].calls == 1 and prof.phases["inner"].calls == 1
    assert prof.accounted() == prof.total == 5


def test_patches_are_undone_on_exit() -> None:
    m = _module()
    original = m.inner

    class Base:
        def method(self) -> str:
            return "base"

    class Child(Base):
        pass

    with PhaseProfile() as prof:
        prof.wrap(m, "inner", "inner")
        prof.wrap(Child, "method", "method")  # inherited: the patch lands on Child alone
        assert m.inner is not original
        assert "method" in vars(Child)
        with prof.command():
            assert Child().method() == "base"
    assert m.inner is original
    assert "method" not in vars(Child)
    assert prof.phases["method"].calls == 1


def test_statements_are_counted_on_a_real_sqlite_database() -> None:
    db = create_engine("sqlite://")
    with PhaseProfile() as prof, db.connect() as conn:
        prof.watch_sql(db, "sql")
        conn.execute(text("CREATE TABLE t (x INTEGER)"))  # before the command: not counted
        with prof.command():
            conn.execute(text("INSERT INTO t VALUES (1)"))
            conn.execute(text("INSERT INTO t VALUES (:x)"), [{"x": 2}, {"x": 3}])  # one executemany
            assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 3
            with pytest.raises(Exception, match="no_such_table"):
                conn.execute(text("SELECT * FROM no_such_table"))
            conn.execute(text("SELECT 1"))
    assert prof.phases["sql"].calls == 5
    assert prof.accounted() == pytest.approx(prof.total)
    with db.connect() as conn, prof.command():  # the listeners are gone
        conn.execute(text("SELECT 1"))
    assert prof.phases["sql"].calls == 5


def test_the_turnus_wrap_points_count_a_start_and_are_undone(tmp_path: Path) -> None:
    before = {(owner, attr): inspect.getattr_static(owner, attr)
              for _, points in command_phases.POINTS for owner, attr in points}
    eng = Engine.create(f"sqlite:///{tmp_path / 'profile.db'}")
    try:
        eng.deploy_files({"one_step.bpmn": ONE_STEP}, actor="system")
        eng.add_user("bench")
        with command_phases.profiler(eng.db) as prof, prof.command():
            eng.start("one_step", "bench")
    finally:
        eng.close()
    assert {key: inspect.getattr_static(*key) for key in before} == before
    assert prof.phases[command_phases.SANDBOX].calls == 1  # the one script
    assert prof.phases["engine run"].calls == 1
    assert prof.phases["commit"].calls == 1
    assert prof.phases[command_phases.SQL_DRIVER].calls > 5
    assert prof.accounted() == pytest.approx(prof.total)


ONE_STEP = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="urn:t">
  <bpmn:process id="one_step" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:scriptTask id="work" scriptFormat="python"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>result = 6 * 7</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""
