"""How long hostile models take to be stopped at the default work budget (issue 7).

Run:  .venv/bin/python -m tests.benchmarks.bench_bounded [--branches 3300]

Deploys a parallel split into --branches script tasks and starts it on a fresh SQLite file: prints the deploy
time, how the start ended (an incident naming the element) and how long stopping it took, then the time of an
unrelated command right after. The tests use a small split and a small budget; this is the issue's full size.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from engine.cases.incidents import IncidentRaised
from engine.service import Engine
from tests.helpers.bounded_models import wide_split


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--branches", type=int, default=3300)
    branches = ap.parse_args().branches
    with tempfile.TemporaryDirectory() as tmp:
        eng = Engine.create(f"sqlite:///{Path(tmp) / 'bounded.db'}")
        eng.add_user("rita")
        t = time.perf_counter()
        eng.deploy_files({"wide_split.bpmn": wide_split(branches)}, actor="system")
        print(f"deploy of a {branches:,}-branch split: {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        try:
            eng.start("wide_split", "rita")
            outcome = "started (fits the budget)"
        except IncidentRaised as err:
            outcome = f"stopped: {err.info.kind} incident on '{err.info.element_id}'"
        print(f"start {outcome} after {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        eng.add_user("someone_else")
        print(f"an unrelated command right after: {(time.perf_counter() - t) * 1000:.0f} ms")
        eng.close()


if __name__ == "__main__":
    main()
