"""Issue 24: `audit live` over all cases reports a case whose stored state cannot be restored as a finding with
its id, and goes on to find the next tampered case (it exited 3, "'module' object is not callable", before)."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import select, update

from engine.service import Engine
from engine.store.tables import case_state_tasks, cases

REQUEST = {"title": "New chairs", "amount": 300, "needed_by": "2027-02-01", "urgent": True}


def test_an_unrestorable_state_is_a_finding_and_the_next_case_is_still_checked(review: Engine,
                                                                                db_url: str) -> None:
    broken, tampered, intact = (review.start("review", "rita", {**REQUEST, "title": t}) for t in "ABC")
    with review.db.begin() as conn:
        first = conn.execute(select(case_state_tasks.c.task_id).where(case_state_tasks.c.case_id == broken)
                             .limit(1)).scalar_one()
        conn.execute(update(case_state_tasks).where(case_state_tasks.c.case_id == broken,
                                                    case_state_tasks.c.task_id == first)
                     .values(body_json='{"edited": "by hand"}'))
        conn.execute(update(cases).where(cases.c.id == tampered).values(status="completed"))
    found = review.check_live_state()
    by_case = {cid: [f for f in found if f.startswith(f"case {cid}")] for cid in (broken, tampered, intact)}
    assert [f.reason for f in by_case[broken]] == ["state_unrestorable"]
    assert "cannot be restored" in by_case[broken][0]
    assert [f.reason for f in by_case[tampered]] == ["status_differs"]
    assert by_case[intact] == []
    cli = subprocess.run([sys.executable, "-m", "engine.cli", "--db", db_url, "audit", "live"],
                         capture_output=True, text=True, timeout=120)
    assert cli.returncode == 1, cli.stderr
    assert broken in cli.stderr and tampered in cli.stderr and "internal error" not in cli.stderr
