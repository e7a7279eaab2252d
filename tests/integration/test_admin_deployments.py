"""Deployments in the operator's console: every definition and version with its running cases; a suspended
definition starts no new case (engine, CLI) while its running cases go on; every change in the admin log."""

from __future__ import annotations

import json

import pytest

from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.service import Engine
from tests.helpers.cli import ok, refused
from tests.helpers.support import PROCESSES, REQUEST


def test_overview_suspend_resume_and_the_log(review: Engine) -> None:
    running = review.start("review", "rita", REQUEST)
    [row] = [d for d in review.deployments("admin") if d.key == "review"]
    assert row.suspension is None and [(v.version, v.deployed_by, v.running) for v in row.versions] == [
        (1, "system", 1)]
    with pytest.raises(InvalidInput):
        review.suspend_definition("review", "admin", " ")
    with pytest.raises(Forbidden):
        review.suspend_definition("review", "rita", "no")
    with pytest.raises(NotFound):
        review.suspend_definition("nope", "admin", "typo")
    review.suspend_definition("review", "admin", "The form asks the wrong question")
    with pytest.raises(Conflict) as err:
        review.start("review", "rita", REQUEST)
    assert err.value.reason == "definition_suspended" and err.value.params["why"] == \
        "The form asks the wrong question" and "suspended by admin" in str(err.value)
    with pytest.raises(Conflict):
        review.suspend_definition("review", "admin", "twice")
    # The running case goes on.
    [task] = [t for t in review.tasks_for("ralf") if t.case_id == running]
    review.claim(task.id, "ralf")
    assert review.case(running, None).status == "running"
    [row] = [d for d in review.deployments("admin") if d.key == "review"]
    assert row.suspension is not None and row.suspension.by == "admin"
    review.resume_definition("review", "admin", "Fixed in version 2")
    assert review.start("review", "rita", REQUEST)
    with pytest.raises(Conflict):
        review.resume_definition("review", "admin", "again")
    log = review.admin_log("audrey", "definition:")
    assert [(e.action, e.actor, e.object, e.reason) for e in log] == [
        ("definition_resumed", "admin", "definition:review", "Fixed in version 2"),
        ("definition_suspended", "admin", "definition:review", "The form asks the wrong question")]
    with pytest.raises(Forbidden):
        review.admin_log("rita")


def test_cli_suspend_refuses_start_and_resume_allows_it(db_url: str) -> None:
    ok(db_url, "deploy", str(PROCESSES / "review.bpmn"))
    ok(db_url, "users", "add", "rita")
    ok(db_url, "users", "add", "admin", "--role", "admin")
    data = json.dumps(REQUEST)
    assert "suspended" in ok(db_url, "definitions", "suspend", "review", "--as", "admin", "--reason", "Wrong form")
    err = refused(db_url, "start", "review", "--as", "rita", "--data", data)
    assert "is suspended by admin: Wrong form" in err and "running cases go on" in err
    assert "Only an administrator" in refused(db_url, "definitions", "resume", "review", "--as", "rita",
                                              "--reason", "x")
    assert "already suspended" in refused(db_url, "definitions", "suspend", "review", "--as", "admin",
                                          "--reason", "again")
    ok(db_url, "definitions", "resume", "review", "--as", "admin", "--reason", "Fixed")
    ok(db_url, "start", "review", "--as", "rita", "--data", data)
