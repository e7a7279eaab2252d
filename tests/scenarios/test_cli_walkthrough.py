"""Issue 3, "done when": one netværksturnus case driven from proposal to "Turnus afsluttet" with only the CLI.

Every step is a real `turnus` process. Each task's submission is built from the form that `tasks --json`
prints (field ids, types, required flags, options, min/max, maxlength; read-only fields left out) plus the
explicit choices a person would make (approve, accept, finish, the dates). Timers fire through
`timers run --now`; everything else runs on the system clock, so due dates are real ones.

The start form comes from `turnus start-form KEY --json` the same way.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.helpers.rotation import EMPLOYEE, KEY, LEADER, MANAGER, SECRETARY

# enum options a person on the happy path prefers where the test makes no explicit choice
PREFERRED = ("approve", "approved", "accepted", "confirmed", "finish", "held", "developing", "in_use",
             "very_good", "reminded", "workshop", "presentation")


def turnus(db: str, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "web.cli", "--db", db, *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


def fill(fields: list[dict[str, Any]], choices: dict[str, Any]) -> dict[str, Any]:
    """A valid submission for a printed form: the explicit choices, and a value for every other required field."""
    by_id = {f["id"]: f for f in fields}
    data: dict[str, Any] = {}
    for field_id, value in choices.items():
        f = by_id.get(field_id)
        assert f is not None, f"the form has no field {field_id}; it has {sorted(by_id)}"
        assert not f["readonly"], f"{field_id} is read-only"
        if f["type"] == "enum":
            assert value in [o["id"] for o in f["options"]], (field_id, value, f["options"])
        data[field_id] = value
    for f in fields:
        if f["readonly"] or not f["required"] or f["id"] in data:
            continue
        assert f["label"], f"field {f['id']} has no label"
        if f["type"] == "enum":
            ids = [o["id"] for o in f["options"]]
            assert ids, f"enum {f['id']} printed no options"
            data[f["id"]] = next((o for o in PREFERRED if o in ids), ids[0])
        elif f["type"] == "long":
            low = int(f["min"]) if f["min"] is not None else 0
            high = int(f["max"]) if f["max"] is not None else low + 10
            data[f["id"]] = min(max(low, 5), high)
        elif f["type"] == "boolean":
            data[f["id"]] = True
        elif f["type"] == "date":
            pytest.fail(f"required date {f['id']} ({f['label']}) needs an explicit choice")
        else:
            text = f"{f['label']}: ja."
            data[f["id"]] = text[: f["maxlength"]] if f["maxlength"] else text
            assert len(data[f["id"]]) >= (f["minlength"] or 1)
    return data


class Walk:
    """One case, worked through the CLI; remembers every completed step as (element id, user)."""

    def __init__(self, db: str):
        self.db, self.case_id = db, ""
        self.done: list[tuple[str, str]] = []

    def tasks(self, user: str, element_id: str) -> list[dict[str, Any]]:
        mine = json.loads(turnus(self.db, "tasks", "--as", user, "--json"))
        found = [t for t in mine if t["case_id"] == self.case_id and t["element_id"] == element_id]
        assert found, f"{user} has no {element_id}; has {[t['element_id'] for t in mine]}"
        return found

    def do(self, user: str, element_id: str, **choices: Any) -> None:
        [task] = self.tasks(user, element_id)
        self.complete(user, task, choices)

    def complete(self, user: str, task: dict[str, Any], choices: dict[str, Any]) -> None:
        if task["assignee"] is None:
            assert task["candidate_groups"], task
            assert turnus(self.db, "claim", task["id"], "--as", user).strip() == f"{task['id']} claimed"
        else:
            assert task["assignee"] == user, task
        data = fill(task["form"]["fields"], choices)
        out = turnus(self.db, "complete", task["id"], "--as", user, "--data", json.dumps(data, ensure_ascii=False))
        assert out.strip() == f"{task['id']} completed"
        self.done.append((task["element_id"], user))

    def at(self, instant: str) -> None:
        assert turnus(self.db, "timers", "run", "--now", instant).strip() == "1 case moved"


def test_a_rotation_from_proposal_to_turnus_afsluttet_with_only_the_cli(db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("one backend is enough for the CLI walk-through (each step is a process)")
    db = db_url
    assert turnus(db, "init").startswith("schema at revision")
    assert turnus(db, "deploy", "processes/").split() == [KEY, "1", "new"]
    for user in ([EMPLOYEE], [MANAGER, "--group", "leder"], [SECRETARY, "--group", "netvaerkssekretariat"],
                 [LEADER, "--group", "ledelsesteam"]):
        assert turnus(db, "users", "add", *user).strip() == f"{user[0]} added"

    walk = Walk(db)
    start_fields = json.loads(turnus(db, "start-form", KEY, "--json"))["form"]["fields"]
    proposal = fill(start_fields, {"manager": MANAGER, "network_type": "innovation", "scope": "medium"})
    walk.case_id = turnus(db, "start", KEY, "--as", EMPLOYEE, "--data", json.dumps(proposal)).strip()

    # 1. Temaforslag
    walk.do(SECRETARY, "qualify_theme", qualification_recommendation="approve")
    walk.do(LEADER, "decide_theme", theme_decision="approved")
    # 2. Turnusaftale
    walk.do(EMPLOYEE, "draft_agreement", start_date="2027-03-01", end_date="2027-06-30", hours_per_week=15)
    walk.do(MANAGER, "approve_agreement_manager", manager_decision="approved")
    walk.do(LEADER, "approve_agreement_leadership", leadership_decision="approved")
    # 3. Intensiv udviklingsperiode: the start date, one progress note, the decision point, the end date
    walk.at("2027-03-01T08:30+01:00")
    walk.tasks(EMPLOYEE, "report_early_end")  # optional; it closes itself at the decision point
    walk.at("2027-03-15T12:00+01:00")
    walk.do(EMPLOYEE, "write_progress_note")
    walk.at("2027-06-16T08:30+02:00")
    walk.do(LEADER, "decide_extension", extension_decision="finish")
    walk.at("2027-06-30T08:30+02:00")
    # 4. Leverance og tilbagevenden
    walk.do(EMPLOYEE, "hand_in_deliverable", deliverable_link="https://intra.albertslund.dk/haandbog")
    walk.do(LEADER, "review_deliverable", deliverable_decision="accepted")
    walk.do(EMPLOYEE, "hand_over_to_basis")
    walk.do(MANAGER, "confirm_handover", handover_decision="confirmed")
    # 5. Formidling (two activities) and, three months after the return, the follow-up
    walk.do(EMPLOYEE, "plan_dissemination", activity_1_date="2027-08-20", activity_2_audience="Ledergrupper",
            activity_2_format="presentation", activity_2_date="2027-09-03")
    walk.do(MANAGER, "approve_dissemination_plan", plan_decision="approved")
    activities = walk.tasks(EMPLOYEE, "carry_out_activity")
    assert sorted(t["due"][:10] for t in activities) == ["2027-08-20", "2027-09-03"]
    for task in activities:
        walk.complete(EMPLOYEE, task, {"activity_status": "held", "held_on": task["due"][:10], "audience_size": 12})
    walk.at("2027-09-30T08:30+02:00")
    walk.do(SECRETARY, "follow_up", follow_up_status="in_use")
    walk.do(SECRETARY, "close_and_evaluate", evaluation_rating="very_good")

    case = json.loads(turnus(db, "case", "show", walk.case_id, "--json"))
    assert (case["status"], case["end_event_name"], case["open_tasks"]) == ("completed", "Turnus afsluttet", [])
    assert [(a["number"], a["status"]) for a in case["data"]["dissemination_activities"]] == [
        (1, "held"), (2, "held")]
    events = json.loads(turnus(db, "history", walk.case_id, "--json"))
    completed = Counter((e["element_id"], e["actor"]) for e in events if e["kind"] == "task_completed")
    assert completed == Counter(walk.done)
    assert turnus(db, "audit", "verify").strip() == "intact"
