"""Issue 12, the general guard: a workflow the library calls finished with no end reached is refused."""

from __future__ import annotations

import pytest
from SpiffWorkflow.util.task import TaskState

from engine.definitions import load_bundles
from engine.runtime import state as st
from engine.runtime import workflow as rt
from engine.runtime.scripting import attach_script_engine
from tests.helpers.bpmn_models import chain, process, user_task


def _workflow():
    [bundle] = load_bundles({"p.bpmn": process("p", chain("t|" + user_task("t")))})
    wf = st.new_workflow(bundle.spec_json)
    attach_script_engine(wf)
    wf.do_engine_steps()
    return wf


def test_a_workflow_that_reached_its_end_event_passes() -> None:
    wf = _workflow()
    [task] = wf.get_tasks(state=TaskState.READY, manual=True)
    task.run()
    wf.do_engine_steps()
    assert wf.is_completed()
    rt.check_finished(wf)


def test_a_workflow_the_library_finished_without_an_end_is_refused() -> None:
    wf = _workflow()
    wf.cancel()  # every task gone, no end event reached: what the library's wrong runs look like
    assert wf.is_completed()
    with pytest.raises(rt.EndedWithoutEnd) as err:
        rt.check_finished(wf)
    assert "without reaching an end event" in str(err.value)
