"""The command-line contract, end to end on the review example, each call a real process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.cli import ok, refused, turnus
from tests.helpers.support import PROCESSES, REQUEST


def test_the_whole_contract(db_url: str, tmp_path: Path) -> None:
    assert ok(db_url, "init").startswith("schema at revision")
    assert ok(db_url, "init").startswith("schema at revision")  # idempotent
    assert ok(db_url, "deploy", str(PROCESSES / "review.bpmn")).strip() == "review 1 new"
    assert ok(db_url, "deploy", str(PROCESSES / "review.bpmn")).strip() == "review 1 unchanged"
    changed = tmp_path / "review.bpmn"
    changed.write_text((PROCESSES / "review.bpmn").read_text().replace("Review request", "Review the request"))
    assert ok(db_url, "deploy", str(changed)).strip() == "review 2 new"
    assert ok(db_url, "users", "add", "rita").strip() == "rita added"
    assert ok(db_url, "users", "add", "ralf", "--group", "reviewers").strip() == "ralf added"
    assert ok(db_url, "users", "add", "ralf", "--role", "process-owner").strip() == "ralf updated"
    assert ok(db_url, "users", "add", "pia", "--password-stdin", stdin="correct horse\n").strip() == "pia added"
    assert ok(db_url, "groups", "name", "reviewers", "Indkøbsudvalget") == ""
    assert "display name cannot be empty" in refused(db_url, "groups", "name", "reviewers", " ")

    data_file = tmp_path / "request.json"
    data_file.write_text(json.dumps(REQUEST))
    case_id = ok(db_url, "start", "review", "--as", "rita", "--data", f"@{data_file}").strip()
    assert len(case_id) == 36
    tasks = json.loads(ok(db_url, "tasks", "--as", "ralf", "--json"))
    assert len(tasks) == 1
    task = tasks[0]
    assert {k: task[k] for k in ("case_id", "element_id", "name", "assignee", "candidate_groups")} == {
        "case_id": case_id, "element_id": "review_task", "name": "Review the request", "assignee": None,
        "candidate_groups": ["reviewers"]}
    assert task["due"].startswith("2027-01-06") or task["due"]
    decision = task["form"]["fields"][0]
    assert decision["id"] == "decision" and decision["type"] == "enum"
    assert [o["id"] for o in decision["options"]] == ["approve", "reject"]
    text = ok(db_url, "tasks", "--as", "ralf")
    assert task["id"] in text and "decision: enum required" in text and "approve=Approve" in text

    assert ok(db_url, "claim", task["id"], "--as", "ralf").strip() == f"{task['id']} claimed"
    assert ok(db_url, "release", task["id"], "--as", "ralf").strip() == f"{task['id']} released"
    ok(db_url, "complete", task["id"], "--as", "ralf", "--data", '{"decision": "approve"}')
    shown = json.loads(ok(db_url, "case", "show", case_id, "--json"))
    assert shown["status"] == "running" and shown["data"]["decision"] == "approve" and shown["version"] == 2
    assert [t["element_id"] for t in shown["open_tasks"]] == ["acknowledge"]
    assert "status: running" in ok(db_url, "case", "show", case_id)
    events = json.loads(ok(db_url, "history", case_id, "--json"))
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["kind"] == "case_started" and events[0]["payload"]["version"] == 2
    assert "task_completed" in ok(db_url, "history", case_id)
    assert ok(db_url, "audit", "verify").strip() == "intact"
    assert ok(db_url, "audit", "verify", case_id).strip() == "intact"
    assert ok(db_url, "timers", "run", "--now", "2027-01-05T00:00:00+00:00").strip() == "0 cases moved"


@pytest.fixture
def deployed(db_url: str) -> str:
    ok(db_url, "deploy", str(PROCESSES / "review.bpmn"))
    ok(db_url, "users", "add", "rita")
    ok(db_url, "users", "add", "ralf", "--group", "reviewers")
    return db_url


def test_user_errors_are_one_clear_line(deployed: str, tmp_path: Path) -> None:
    db = deployed
    assert "No process definition with key 'nope'" in refused(db, "start", "nope", "--as", "rita")
    assert "No user named 'ghost'" in refused(db, "start", "review", "--as", "ghost")
    assert "not valid JSON" in refused(db, "start", "review", "--as", "rita", "--data", "{oops")
    assert "must be a JSON object" in refused(db, "start", "review", "--as", "rita", "--data", "[1]")
    assert "too large" in refused(db, "start", "review", "--as", "rita", "--data", '{"n": ' + "9" * 5000 + "}")
    assert "cannot read" in refused(db, "start", "review", "--as", "rita", "--data", f"@{tmp_path}/none")
    err = refused(db, "start", "review", "--as", "rita", "--data", '{"title": "x", "amount": "lots"}')
    assert "Amount" in err and "needed_by" in err
    assert "No task 'nope'" in refused(db, "complete", "nope", "--as", "rita")
    assert "No case 'nope'" in refused(db, "case", "show", "nope")
    assert "Unknown role 'boss'" in refused(db, "users", "add", "x", "--role", "boss")
    assert "is not valid" in refused(db, "users", "add", "Bad Name!")
    assert "at least 8 characters" in refused(db, "users", "add", "pia", "--password-stdin")
    assert "Unsupported database" in refused("nonsense://", "init")
    assert "Not a database URL" in refused("::", "init")
    missing = refused(db, "deploy", str(tmp_path / "missing.bpmn"))
    assert "missing.bpmn" in missing


def test_failed_deploy_changes_nothing(deployed: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.bpmn"
    broken.write_text((PROCESSES / "review.bpmn").read_text().replace('level = "high"', 'level = = "high"'))
    err = turnus(deployed, "deploy", str(broken))
    assert err.returncode == 1 and "classify" in err.stderr and "Traceback" not in err.stderr
    assert ok(deployed, "deploy", str(PROCESSES / "review.bpmn")).strip() == "review 1 unchanged"
