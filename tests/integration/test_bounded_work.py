"""Issue 7: no model or form value can make one command run without end.

Each hostile model of the issue is deployed and run; the command must stop within the work budget
(engine/runtime/budget.py), change nothing, and leave an incident naming the runaway element, while the
engine goes on serving other cases.
"""

from __future__ import annotations

import pytest

from engine.cases.incidents import IncidentRaised
from engine.clock import FixedClock
from engine.config import Settings
from engine.service import Engine
from tests.helpers.bounded_models import CYCLE_FROM_FORM, ENDLESS_LOOP, WIDE_MULTI_INSTANCE, wide_split


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.add_user("rita")
    engine.add_user("admin", roles=["admin"])
    return engine


def _incident_case(eng: Engine) -> str:
    from sqlalchemy import select

    from engine.store.tables import cases

    with eng.db.connect() as conn:
        return conn.execute(select(cases.c.id).where(cases.c.incident_json.is_not(None))).scalar_one()


def test_endless_loop_activity_stops_as_an_incident_naming_the_loop(eng: Engine) -> None:
    eng.deploy_files({"endless_loop.bpmn": ENDLESS_LOOP}, actor="system")
    case_id = eng.start("endless_loop", "rita")
    go = next(t.id for t in eng.tasks_for("rita") if t.case_id == case_id)
    with pytest.raises(IncidentRaised) as err:
        eng.complete(go, "rita", {})
    info = err.value.info
    assert info.kind == "budget" and info.element_id == "spin"
    assert "Stopped" in str(err.value) and "'Spin'" in str(err.value)
    assert _incident_case(eng) == case_id
    view = eng.case(case_id, "admin")
    assert view.incident["element_id"] == "spin"
    # Nothing of the runaway was kept: the task is still open, as the failed command found it.
    assert [t.element_id for t in view.open_tasks] == ["go"]
    assert [e.kind for e in eng.history(case_id, None)].count("task_completed") == 0
    assert eng.verify(case_id) == []
    # The same budget stops a retry the same way; the engine keeps serving everyone else.
    with pytest.raises(IncidentRaised):
        eng.retry(case_id, "admin")
    eng.add_user("other")
    assert eng.users()


def test_budget_is_one_setting_for_every_command(db_url: str, clock: FixedClock) -> None:
    """A wide parallel split is stopped by the same mechanism, here with a small configured budget."""
    eng = Engine.create(db_url, clock=clock, settings=Settings(work_max_steps=300))
    try:
        eng.add_user("rita")
        eng.deploy_files({"wide_split.bpmn": wide_split(120)}, actor="system")
        with pytest.raises(IncidentRaised) as err:
            eng.start("wide_split", "rita")
        assert err.value.info.kind == "budget" and "300" in err.value.info.message
    finally:
        eng.close()


def test_a_split_that_fits_the_budget_runs(db_url: str, clock: FixedClock) -> None:
    eng = Engine.create(db_url, clock=clock, settings=Settings(work_max_steps=3000))
    try:
        eng.add_user("rita")
        eng.deploy_files({"wide_split.bpmn": wide_split(40)}, actor="system")
        case_id = eng.start("wide_split", "rita")
        assert eng.case(case_id, "rita").status == "completed"
    finally:
        eng.close()


def test_multi_instance_over_a_huge_form_value_is_stopped(eng: Engine) -> None:
    eng.deploy_files({"wide_mi.bpmn": WIDE_MULTI_INSTANCE}, actor="system")
    small = eng.start("wide_mi", "rita", {"count": 3})
    assert len(eng.case(small, "rita").open_tasks) == 3
    with pytest.raises(IncidentRaised) as err:
        eng.start("wide_mi", "rita", {"count": 20000})
    assert err.value.info.kind == "budget" and err.value.info.element_id == "each"
    assert "Nothing was saved" in str(err.value)
    assert [c.id for c in eng.cases_for("rita")] == [small]  # the runaway start stored no case


@pytest.mark.parametrize("fragment,finding", [
    ('<bpmn:loopCondition>turns &gt; 0</bpmn:loopCondition>', None),
    ('<bpmn:loopCondition>True</bpmn:loopCondition>', "always true and there is no loopMaximum"),
])
def test_lint_refuses_a_loop_that_is_endless_on_its_face(fragment: str, finding: str | None) -> None:
    from engine.definitions import load_bundles
    from engine.errors import DefinitionInvalid

    source = ENDLESS_LOOP.decode().replace('<bpmn:loopCondition>turns &gt; 0</bpmn:loopCondition>', fragment)
    if finding is None:
        load_bundles({"endless_loop.bpmn": source.encode()})
        return
    with pytest.raises(DefinitionInvalid) as err:
        load_bundles({"endless_loop.bpmn": source.encode()})
    assert finding in str(err.value) and "element 'spin'" in str(err.value)


def test_lint_refuses_a_zero_cycle_and_warns_of_unbounded_cardinality() -> None:
    from engine.definitions import load_bundles
    from engine.errors import DefinitionInvalid

    zero = CYCLE_FROM_FORM.decode().replace("<bpmn:timeCycle>every</bpmn:timeCycle>",
                                            '<bpmn:timeCycle>"R/PT0S"</bpmn:timeCycle>')
    with pytest.raises(DefinitionInvalid) as err:
        load_bundles({"cycle.bpmn": zero.encode()})
    assert "period of zero" in str(err.value) and "element 'remind'" in str(err.value)
    bundles = load_bundles({"wide_mi.bpmn": WIDE_MULTI_INSTANCE})
    warnings = [p.message for b in bundles for p in b.warnings]
    assert any("no upper bound" in w for w in warnings), warnings


def test_concurrent_cold_starts_migrate_once(db_url: str, tmp_path) -> None:
    """Four processes start on an empty database at once (gunicorn -w 4): all come up, one schema."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = "import sys; from engine.service import Engine; e = Engine.create(sys.argv[1]); print(e.init_schema())"
    procs = [subprocess.Popen([sys.executable, "-c", code, db_url], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [err for _, err in results]
    heads = {out.strip() for out, _ in results}
    assert len(heads) == 1 and heads != {""}
