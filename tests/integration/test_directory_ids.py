"""User ids as a directory writes them (issue 25): mixed case, dots and '@', one person whatever the case."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import create_engine, insert, select, text

from engine.errors import FormInvalid, InvalidInput
from engine.service import Engine
from engine.store import schema
from engine.store.tables import users
from tests.helpers.bpmn_models import chain, process
from tests.helpers.support import PROCESSES

ANNE = "Anne.Hansen@albertslund.dk"


def _turnus(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine.cli", "--db", db_url, *args], capture_output=True,
                          text=True, env=dict(os.environ), timeout=120)


def test_a_mixed_case_id_is_kept_as_written_and_is_one_person(engine: Engine) -> None:
    user, created = engine.add_user("aUser", groups=["Sekretariatet"])
    assert created and user.name == "auser" and user.written_id == "aUser"
    again, created = engine.add_user("AUSER", roles=["auditor"])
    assert not created and again.written_id == "aUser" and again.roles == {"auditor"}
    assert [u.written_id for u in engine.users()] == ["aUser"]
    assert engine.user("auser").groups == {"sekretariatet"}
    assert engine.group_names() == {"sekretariatet": "Sekretariatet"}
    engine.add_user(ANNE, display_name="Anne Hansen")
    assert engine.user(ANNE.upper()).display_name == "Anne Hansen"


@pytest.mark.parametrize("bad", ["", ".anne", "anne hansen", "anne/hansen", "a" * 101])
def test_an_id_that_is_not_one_is_refused_with_what_is_allowed(engine: Engine, bad: str) -> None:
    with pytest.raises(InvalidInput, match="letters, digits"):
        engine.add_user(bad)


def test_assignment_expressions_and_duties_match_whatever_the_case(engine: Engine) -> None:
    engine.deploy_paths([PROCESSES / "duties.bpmn"], actor="system")
    engine.add_user("Maja.Manager@albertslund.dk", groups=["Managers", "Reviewers"])
    engine.add_user("Mads", groups=["MANAGERS"])
    engine.add_user("Rolf", groups=["reviewers"])
    with pytest.raises(FormInvalid) as self_pick:  # turnus:notBy initiator, named in another case
        engine.start("duties", "maja.manager@albertslund.dk", {"title": "T", "approver": "MAJA.manager@Albertslund.dk"})
    assert [e.code for e in self_pick.value.errors] == ["user_self"]
    case_id = engine.start("duties", "MAJA.MANAGER@albertslund.dk", {"title": "T", "approver": "MADS"})
    [check] = engine.tasks_for("ROLF")  # candidateGroups="reviewers", Rolf's group written "reviewers"
    engine.complete(check.id, "rolf", {"checked": True})
    [approve] = engine.tasks_for("mads")  # camunda:assignee="${approver}" with approver "MADS"
    assert approve.assignee == "mads"
    engine.complete(approve.id, "Mads", {"approved": True})
    assert engine.case(case_id, "mads").status == "completed"


def test_candidate_users_written_in_another_case_reach_the_person(engine: Engine) -> None:
    task = '<bpmn:userTask id="t" name="t" camunda:candidateUsers="AUser, ${helper}"/>'
    start = ('<bpmn:startEvent id="s"><bpmn:extensionElements><camunda:formData>'
             '<camunda:formField id="helper" type="string"/></camunda:formData></bpmn:extensionElements>'
             '</bpmn:startEvent>')
    engine.deploy_files({"c.bpmn": process("cands", chain(f"t|{task}", start=start))}, actor="system")
    engine.add_user("auser")
    engine.add_user("Helper.One")
    engine.start("cands", "auser", {"helper": "HELPER.one"})
    assert len(engine.tasks_for("AUSER")) == 1 and len(engine.tasks_for("helper.one")) == 1
    [t] = engine.tasks_for("auser")
    engine.claim(t.id, "aUser")
    engine.assign(t.id, "auser", "Helper.ONE")
    assert engine.task(t.id, "helper.one").assignee == "helper.one"


def test_the_command_line_takes_the_id_in_any_case(db_url: str) -> None:
    assert _turnus(db_url, "init").returncode == 0
    added = _turnus(db_url, "users", "add", "aUser", "--group", "reviewers")
    assert added.returncode == 0 and added.stdout.strip() == "aUser added", added.stderr
    assert _turnus(db_url, "users", "add", "auser", "--role", "process-owner").stdout.strip() == "aUser updated"
    listed = _turnus(db_url, "users", "list").stdout
    assert listed.strip() == "aUser\tgroups=reviewers\troles=process-owner"
    assert _turnus(db_url, "deploy", str(PROCESSES / "review.bpmn"), "--as", "AUSER").returncode == 0
    mine = _turnus(db_url, "tasks", "--as", "AUSER")
    assert mine.returncode == 0, mine.stderr


def test_the_migration_keeps_existing_people(db_url: str) -> None:
    db = create_engine(db_url)
    cfg = schema.alembic_config(db)
    command.upgrade(cfg, "0014_admin")
    with db.begin() as conn:
        conn.execute(text("INSERT INTO users (name, display_name, active, created_at) "
                          "VALUES ('rita', 'Rita', true, CURRENT_TIMESTAMP)"))
    command.upgrade(cfg, "head")
    with db.connect() as conn:
        row = conn.execute(select(users.c.name, users.c.login, users.c.directory).where(users.c.name == "rita")).one()
    assert tuple(row) == ("rita", "rita", None)
    with db.begin() as conn:  # the new columns are usable
        conn.execute(insert(users).values(name="auser", login="aUser", display_name="A", active=True,
                                          created_at=datetime.now(UTC), directory="oidc", subject="x"))
    db.dispose()
