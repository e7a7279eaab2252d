"""Issue 11: Turnus against the bare engine and a naive persisted peer, on Camunda's one-step model.

Run:  .venv/bin/python -m tests.benchmarks.bench_peer [--cases 300] [--db postgresql+psycopg://…]

The model is start → one script task → end. Three ways to run N instances, interleaved in rounds so that
load from other processes falls on all three alike:
- bare:   SpiffWorkflow in memory, one parsed spec, its default (unsandboxed) script engine;
- naive:  the bare run plus the whole serialized workflow JSON written to one SQLite row per instance
          (WAL, synchronous=FULL, one commit per instance) — a 35-line peer written here, clearly labelled;
- turnus: ``Engine.start`` on SQLite (or --db): sandboxed script, per-task state rows, inbox projection,
          hash-chained audit events, authorization.
CPU is this process's plus the sandbox worker processes' (Turnus evaluates scripts there), per instance.
Then where a Turnus start's CPU goes, phase by phase (tests/helpers/command_phases.py), on as many more starts.
Not a pytest test: the name bench_* keeps it out of collection.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

from engine.service import Engine
from tests.helpers.bench import cpu
from tests.helpers.command_phases import compare, print_report

ONE_STEP = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="urn:bench">
  <bpmn:process id="one_step" name="One step" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:scriptTask id="work" name="Work" scriptFormat="python">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>result = 6 * 7</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


class Bare:
    label = "SpiffWorkflow in memory (bare)"

    def __init__(self) -> None:
        parser = CamundaParser()
        parser.add_bpmn_xml(etree.fromstring(ONE_STEP), filename="one_step.bpmn")
        self.spec = parser.get_spec("one_step")

    def run(self) -> BpmnWorkflow:
        wf = BpmnWorkflow(self.spec)
        wf.do_engine_steps()
        assert wf.is_completed()
        return wf


class NaivePeer(Bare):
    """The naive persisted peer: the whole workflow JSON in one row, one durable commit per instance."""

    label = "naive peer: workflow JSON in one SQLite row"

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))
        self.db = sqlite3.connect(folder / "naive.db", isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("CREATE TABLE instances (id TEXT PRIMARY KEY, state TEXT NOT NULL)")

    def run(self) -> BpmnWorkflow:
        wf = super().run()
        self.db.execute("BEGIN IMMEDIATE")
        self.db.execute("INSERT INTO instances VALUES (?, ?)", (uuid.uuid4().hex, self.serializer.serialize_json(wf)))
        self.db.execute("COMMIT")
        return wf


class Turnus:
    def __init__(self, url: str) -> None:
        self.label = f"Turnus start() on {url.split(':', 1)[0].split('+')[0]}"
        self.engine = Engine.create(url)
        self.engine.deploy_files({"one_step.bpmn": ONE_STEP}, actor="system")
        self.engine.add_user("bench")

    def run(self) -> str:
        return self.engine.start("one_step", "bench")


def measure(runner: Callable[[], object], n: int) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), cpu()
    for _ in range(n):
        runner()
    return time.perf_counter() - w0, cpu() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=300, help="instances per runner (in 5 interleaved rounds)")
    ap.add_argument("--db", default=None, help="database URL for Turnus (default: a fresh SQLite file)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = args.db or f"sqlite:///{folder / 'turnus.db'}"
        runners = [Bare(), NaivePeer(folder), Turnus(url)]
        for r in runners:  # warm-up: sandbox workers started, caches filled
            for _ in range(10):
                r.run()
        totals = {r.label: [0.0, 0.0] for r in runners}
        rounds = 5
        for _ in range(rounds):
            for r in runners:
                wall, used = measure(r.run, args.cases // rounds)
                totals[r.label][0] += wall
                totals[r.label][1] += used
        n = (args.cases // rounds) * rounds
        bare_cpu = totals[runners[0].label][1] / n
        naive_cpu = totals[runners[1].label][1] / n
        print(f"one-step model, {n} instances each, load average {os.getloadavg()[0]:.2f}")
        print(f"{'runner':<46} {'ms wall':>9} {'ms CPU':>8} {'× bare':>7} {'× naive':>8}")
        for label, (wall, used) in totals.items():
            per = used / n
            print(f"{label:<46} {wall / n * 1000:>9.3f} {per * 1000:>8.3f} {per / bare_cpu:>7.1f} "
                  f"{per / naive_cpu:>8.2f}")
        turnus = runners[2]
        print_report(turnus.label, compare(turnus.engine.db, lambda _: turnus.run(), range(args.cases)))
        turnus.engine.close()


if __name__ == "__main__":
    main()
