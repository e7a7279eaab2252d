"""Issue 24: a timer whose script fails raises an incident that `turnus timers run` counts and names, and the
case in the incident shows no "next timer" (none fires until an administrator retries)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

from engine.clock import FixedClock
from engine.service import Engine

MODEL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="urn:t">
  <bpmn:process id="nightly" name="Nightly" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="wait"/>
    <bpmn:intermediateCatchEvent id="wait" name="An hour later">
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="wait" targetRef="share"/>
    <bpmn:scriptTask id="share" name="Share" scriptFormat="python">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>share = 100 / 0</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="share" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def test_timers_run_counts_and_names_the_incident_and_the_case_shows_no_past_timer(
        engine: Engine, clock: FixedClock, db_url: str) -> None:
    engine.add_user("rita")
    engine.deploy_files({"nightly.bpmn": MODEL}, actor="system")
    failing = engine.start("nightly", "rita", {})
    fine = engine.start("nightly", "rita", {})
    assert engine.case(failing, None).next_timer_at == datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    with engine.db.begin() as conn:  # the second case's script is mended (as an administrator's data would)
        from sqlalchemy import update

        from engine.store.tables import cases
        conn.execute(update(cases).where(cases.c.id == fine).values(next_timer_at=datetime(2027, 1, 5, tzinfo=UTC)))
    cmd = [sys.executable, "-m", "engine.cli", "--db", db_url, "timers", "run", "--now", "2027-01-04T10:00:00+00:00"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    lines = result.stdout.splitlines()
    assert result.returncode == 1, result.stdout + result.stderr
    assert lines[0] == "0 cases moved, 1 incident"
    assert lines[1].startswith(f"{failing} incident: ") and "division by zero" in lines[1]
    clock.set(datetime(2027, 1, 4, 10, 0, 1, tzinfo=UTC))
    view = engine.case(failing, None)
    assert view.incident is not None and view.incident["element_id"] == "share"
    assert view.next_timer_at is None and view.next_timer_name is None
    assert engine.case(fine, None).next_timer_at == datetime(2027, 1, 5, tzinfo=UTC)  # untouched
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=120)  # held until retried
    assert (again.returncode, again.stdout.strip()) == (0, "0 cases moved")
