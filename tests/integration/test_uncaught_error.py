"""Issue 28: an error end event that nothing catches is an incident on the case, not a refused command.

The command that reached it succeeds (``turnus start`` too); the token stays at the error end event, so its
scope does not end; the rest of the case goes on; an administrator sees the incident (case view, the
console's list, ``turnus case show``) with the error's code and the element; it survives a restart and later
commands; retry is refused with what to do instead; cancelling the case ends it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from engine.clock import FixedClock
from engine.errors import Conflict
from engine.service import Engine
from tests.helpers.bpmn_models import ERROR, flow, process, user_task
from tests.helpers.coverage_support import error, event_subprocess, kinds, open_elements, restarted

ERROR_END = '<bpmn:endEvent id="boom" name="Failed"><bpmn:errorEventDefinition errorRef="err"/></bpmn:endEvent>'


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.add_user("rita")
    engine.add_user("admin", roles=["admin"])
    return engine


def _subprocess(inner: str, handlers: str = "") -> str:
    return ('<bpmn:startEvent id="s"/>' + flow("f1", "s", "sub") + '<bpmn:subProcess id="sub">'
            '<bpmn:startEvent id="ss"/>' + inner + handlers + "</bpmn:subProcess>" + flow("f2", "sub", "after")
            + user_task("after") + flow("f3", "after", "e") + '<bpmn:endEvent id="e" name="Done"/>')


STRAIGHT = flow("g1", "ss", "boom") + ERROR_END
BESIDE = (flow("g0", "ss", "pg") + '<bpmn:parallelGateway id="pg"/>' + flow("g1", "pg", "boom") + ERROR_END
          + flow("g2", "pg", "work") + user_task("work") + flow("g3", "work", "se") + '<bpmn:endEvent id="se"/>')


def _assert_incident(eng: Engine, case_id: str) -> None:
    view = eng.case(case_id, None)
    assert view.status == "running"
    assert view.incident is not None and view.incident["element_id"] == "boom"
    for word in ("E1", "Failure", "Failed"):
        assert word in view.incident["message"]
    [listed] = eng.incidents("admin")
    assert (listed.case_id, listed.element_id, listed.element_name, listed.command) == (
        case_id, "boom", "Failed", "uncaught_error")


def test_the_start_succeeds_and_the_case_carries_an_incident(eng: Engine) -> None:
    eng.deploy_files({"p.bpmn": process("errsub", _subprocess(STRAIGHT), ERROR)}, actor="system")
    case_id = eng.start("errsub", "rita")
    _assert_incident(eng, case_id)
    assert kinds(eng, case_id).count("incident_raised") == 1
    assert open_elements(eng, case_id) == []  # the token waits at the error end event: "after" is not reached


def test_a_top_level_error_end_is_an_incident_too(eng: Engine) -> None:
    body = '<bpmn:startEvent id="s"/>' + flow("f1", "s", "boom") + ERROR_END
    eng.deploy_files({"p.bpmn": process("errtop", body, ERROR)}, actor="system")
    case_id = eng.start("errtop", "rita")
    _assert_incident(eng, case_id)


def test_a_parallel_branch_goes_on_and_the_incident_stays(eng: Engine, db_url: str, clock: FixedClock) -> None:
    eng.deploy_files({"p.bpmn": process("errpar", _subprocess(BESIDE), ERROR)}, actor="system")
    case_id = eng.start("errpar", "rita")
    _assert_incident(eng, case_id)
    with restarted(db_url, clock) as again:  # state saved and restored: the incident is on the stored case
        _assert_incident(again, case_id)
        [work] = again.tasks_for("rita")
        again.complete(work.id, "rita")
        _assert_incident(again, case_id)  # the subprocess cannot end while its error waits
        assert open_elements(again, case_id) == []
        assert "incident_resolved" not in kinds(again, case_id)
        assert kinds(again, case_id).count("incident_raised") == 1


def test_retry_is_refused_with_what_to_do_and_cancel_ends_the_case(eng: Engine) -> None:
    eng.deploy_files({"p.bpmn": process("errcancel", _subprocess(STRAIGHT), ERROR)}, actor="system")
    case_id = eng.start("errcancel", "rita")
    token = eng.incident(case_id, "admin").token
    with pytest.raises(Conflict) as refused:
        eng.retry_incident(case_id, "admin", token, "try again")
    assert "nothing catches" in str(refused.value) and "cancel" in str(refused.value).lower()
    with pytest.raises(Conflict):
        eng.retry(case_id, "admin")
    eng.cancel_incident_case(case_id, "admin", token, "the model has no handler")
    assert eng.case(case_id, None).status == "cancelled"
    assert eng.incidents("admin") == []


def test_an_error_caught_by_an_event_subprocess_raises_no_incident(eng: Engine) -> None:
    handler = event_subprocess("h", error("err"))
    eng.deploy_files({"p.bpmn": process("errcaught", _subprocess(STRAIGHT, handler), ERROR)}, actor="system")
    case_id = eng.start("errcaught", "rita")
    view = eng.case(case_id, None)
    assert view.incident is None and open_elements(eng, case_id) == ["h_task"]


def test_turnus_start_succeeds_and_case_show_names_the_error(db_url: str, tmp_path) -> None:
    model = tmp_path / "errcli.bpmn"
    model.write_bytes(process("errcli", _subprocess(STRAIGHT), ERROR))

    def turnus(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "engine.cli", "--db", db_url, *args], capture_output=True,
                              text=True, timeout=120)

    for args in (("init",), ("deploy", str(model)), ("users", "add", "rita")):
        assert turnus(*args).returncode == 0
    started = turnus("start", "errcli", "--as", "rita")
    assert started.returncode == 0, started.stderr
    shown = turnus("case", "show", started.stdout.strip())
    assert shown.returncode == 0, shown.stderr
    assert "incident: boom:" in shown.stdout and "E1" in shown.stdout
