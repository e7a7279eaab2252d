"""Attach the sandboxed script engine to a workflow.

SpiffWorkflow does not serialise the script engine: a restored workflow would run scripts with
the unrestricted default, so every load and every new workflow goes through here.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine.sandbox import get_sandbox
from engine.sandbox.spiff import SandboxScriptEngine

_engine: SandboxScriptEngine | None = None


def script_engine() -> SandboxScriptEngine:
    global _engine
    if _engine is None:
        _engine = SandboxScriptEngine(get_sandbox())
    return _engine


def attach_script_engine(wf: BpmnWorkflow) -> None:
    wf.script_engine = script_engine()
