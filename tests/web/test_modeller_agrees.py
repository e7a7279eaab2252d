"""Issue 28: for each feature's sample model, the modeller's Validate says "can be deployed" exactly when the
engine deploys it, and a refusal names the same element in both."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.errors import DefinitionInvalid
from engine.service import Engine
from tests.helpers.coverage_samples import SAMPLES
from tests.web.conftest import password_hash


@pytest.fixture
def owner(engine: Engine, as_user: Any) -> Any:
    engine.add_user("paula", display_name="Paula Owner", roles=["process-owner"], password_hash=password_hash())
    return as_user("paula")


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_validate_and_deploy_agree(engine: Engine, owner: Any, name: str) -> None:
    content, runs = SAMPLES[name]
    answer = owner.http.post("/modeller/validate", data=json.dumps({"files": {f"{name}.bpmn": content.decode()}}),
                             content_type="application/json", headers={"X-CSRFToken": owner.token})
    assert answer.status_code == 200
    found = answer.get_json()
    try:
        engine.deploy_files({f"{name}.bpmn": content}, "system")
        deployed, refused_at = True, set()
    except DefinitionInvalid as err:
        deployed, refused_at = False, {p.element_id for p in err.problems if p.severity == "error"}
    assert deployed is runs, name
    assert found["ok"] is deployed, found
    if not deployed:
        assert {f.get("element_id") or f.get("element") for f in found["findings"]} & refused_at, found


def test_the_engine_runs_the_simulated_model_as_the_simulation_plays_it(engine: Engine) -> None:
    engine.deploy_files({"sim_coverage.bpmn": SAMPLES["sim_coverage"][0]}, "system")
    case_id = engine.start("sim_coverage", "rita")
    [pay] = engine.case(case_id, None).open_tasks
    assert pay.element_id == "pay"  # the link went on at its catch
    engine.complete(pay.id, "rita")
    view = engine.case(case_id, None)
    assert view.status == "completed" and view.end_event == "e" and view.data["undone"] == ["pay", "book"]
