"""Cost of restoring and saving one rotation case's workflow (a case in its period, ~40 live tasks).

Run:  .venv/bin/python -m tests.benchmarks.bench_state [--runs 50]

Prints CPU per operation: a state dump, restoring a case (state + spec), a new workflow (start), and, for
comparison, restoring the spec from JSON without the cache (what every load cost before the spec cache).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC
from pathlib import Path

from sqlalchemy import select

from engine.cases import live
from engine.clock import FixedClock
from engine.runtime import state as st
from engine.service import Engine
from engine.store.tables import cases
from tests.helpers.rotation import EMPLOYEE, LEADER, MANAGER, PROCESSES, SECRETARY, Rotation, at


def per_call_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    start = time.process_time()
    for _ in range(runs):
        fn()
    return (time.process_time() - start) / runs * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=50)
    runs = ap.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        clock = FixedClock(at("2027-01-04T09:00+01:00").astimezone(UTC))
        eng = Engine.create(f"sqlite:///{Path(tmp) / 'bench.db'}", clock=clock)
        eng.deploy_paths([PROCESSES], actor="system")
        for name, groups in ((EMPLOYEE, []), (MANAGER, ["leder"]), (SECRETARY, ["netvaerkssekretariat"]),
                             (LEADER, ["ledelsesteam"])):
            eng.add_user(name, groups=groups)
        rotation = Rotation(eng, clock).start().in_period()
        with eng.db.connect() as conn:
            row = conn.execute(select(cases).where(cases.c.id == rotation.case_id)).first()
            version = eng.versions.get(conn, row.version_id)
            wf = live.load(conn, row, version, clock.now()).wf
        stored = st.dump(wf)
        print(f"rotation case in its period, {len(stored.tasks)} live tasks; load average {os.getloadavg()[0]:.2f}")
        spec_json = version.spec_json
        for label, fn in (("dump", lambda: st.dump(wf)),
                          ("restore (state + spec)", lambda: st.restore(spec_json, stored)),
                          ("new workflow (start)", lambda: st.new_workflow(spec_json)),
                          ("spec from JSON, uncached", lambda: st._restore_specs(spec_json))):
            print(f"  {label:26}{per_call_ms(fn, runs):6.2f} ms CPU")
        eng.close()


if __name__ == "__main__":
    main()
