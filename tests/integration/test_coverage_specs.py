"""Issue 28: the spec and state classes Turnus adds to SpiffWorkflow survive the serializer unchanged, and
running them never changes a spec another case would then reuse (the spec cache's audit is on in tests)."""

from __future__ import annotations

import json

from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import EventSubprocess

from engine.runtime import spec_cache
from engine.runtime import state as st
from engine.runtime.codes import TurnusErrorEventDefinition, TurnusEscalationEventDefinition
from engine.runtime.compensation import CompensationEventDefinition, TurnusEndEvent, TurnusIntermediateThrowEvent
from engine.runtime.scopes import TurnusBoundaryEvent, TurnusStartEvent
from engine.runtime.specconfig import REGISTRY
from engine.service import Engine
from tests.helpers.boundary_models import boundary_model
from tests.helpers.compensation_models import MODELS as COMP_MODELS
from tests.helpers.compensation_models import comp_process
from tests.helpers.coverage_support import MESSAGE
from tests.helpers.error_models import MODELS as ERROR_MODELS
from tests.helpers.event_subprocess_models import esp_model


def _spec_json(engine: Engine, key: str) -> str:
    with engine.db.connect() as conn:
        return engine.versions.latest(conn, key).spec_json


def test_every_new_class_round_trips_through_the_serializer(engine: Engine) -> None:
    engine.deploy_files({"esc.bpmn": ERROR_MODELS["esc_note"]}, "system")
    engine.deploy_files({"rethrow.bpmn": ERROR_MODELS["rethrow"]}, "system")
    engine.deploy_files({"nudge.bpmn": boundary_model("nudge_msg", MESSAGE)}, "system")
    engine.deploy_files({"comp.bpmn": comp_process("comp_end", COMP_MODELS["comp_end"])}, "system")
    engine.deploy_files({"compi.bpmn": comp_process("comp_all", COMP_MODELS["comp_all"])}, "system")
    seen: set[type] = set()
    for key in ("esc_note", "rethrow", "nudge_msg", "comp_end", "comp_all"):
        stored = json.loads(_spec_json(engine, key))
        for dct in (stored["spec"], *stored["subprocess_specs"].values()):
            spec = REGISTRY.restore(json.loads(json.dumps(dct)))  # restore mutates its input
            assert REGISTRY.convert(spec) == dct  # nothing lost or added
            for ts in spec.task_specs.values():
                seen.add(type(ts))
                definition = getattr(ts, "event_definition", None)
                seen.add(type(definition))
                if isinstance(ts, TurnusStartEvent) and ts.bpmn_id == "h_esc_start":
                    assert ts.interrupting is False
    assert {TurnusStartEvent, TurnusBoundaryEvent, TurnusErrorEventDefinition, TurnusEscalationEventDefinition,
            TurnusIntermediateThrowEvent, TurnusEndEvent, CompensationEventDefinition} <= seen
    assert any(issubclass(t, EventSubprocess) for t in seen)


def test_stored_type_names_stay_the_librarys(engine: Engine) -> None:
    """Specs deployed before restore as ours, and a version diff sees no change of type."""
    engine.deploy_files({"by_code.bpmn": ERROR_MODELS["by_code"]}, "system")
    text = _spec_json(engine, "by_code")
    assert '"typename": "StartEvent"' in text and '"typename": "ErrorEventDefinition"' in text
    assert "TurnusStartEvent" not in text and "TurnusError" not in text


def test_cases_firing_handlers_leave_the_shared_spec_as_it_was(engine: Engine) -> None:
    engine.add_user("rita")
    engine.add_user("bot", roles=["integration"])
    engine.deploy_files({"esp.bpmn": esp_model("esp_note", MESSAGE, False)}, "system")
    engine.deploy_files({"nudge.bpmn": boundary_model("nudge_msg", MESSAGE)}, "system")
    spec_cache.clear()
    spec_cache.missed.clear()
    cases = [engine.start(key, "rita") for key in ("esp_note", "nudge_msg", "esp_note", "nudge_msg")]
    for _ in range(2):
        for case_id in cases:  # each command reuses the spec the previous one ran on
            engine.send_message("poke", "bot", case_id=case_id)
    assert spec_cache.missed == []
    for key in ("esp_note", "nudge_msg"):
        workflow = st.new_workflow(_spec_json(engine, key))
        fresh = st._restore_specs(_spec_json(engine, key))[0]
        assert REGISTRY.convert(workflow.spec) == REGISTRY.convert(fresh)
    assert all(len(engine.case(c, None).open_tasks) == 3 for c in cases)
