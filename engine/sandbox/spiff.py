"""SpiffWorkflow 3.2.0 integration: every script, condition, timer, multi-instance and DMN
expression of a workflow runs in the sandbox.

    wf.script_engine = SandboxScriptEngine()   # after EVERY load: the engine is not serialized

What callers of ``wf.do_engine_steps()`` / ``task.run()`` see when a script fails:

* script tasks, gateway conditions, timer / multi-instance / conditional-event expressions:
  the ``ScriptFailed`` itself (not wrapped), with a note naming the BPMN element;
* DMN (business rule tasks): SpiffWorkflow wraps it in a ``WorkflowTaskException``; the
  ``ScriptFailed`` is on its ``__context__`` chain.

Use ``find_script_failure(exc)`` to get the ``ScriptFailed`` in both cases.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.errors import ScriptFailed
from engine.sandbox import Sandbox, get_sandbox
from engine.sandbox.compiler import check_source


class SandboxEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Delegates evaluation to a Sandbox (the process-wide one unless given)."""

    def __init__(self, sandbox: Sandbox | None = None):
        super().__init__({})
        self._sandbox = sandbox

    @property
    def sandbox(self) -> Sandbox:
        # Looked up per call, not stored, so a workflow survives a fork of the process.
        return self._sandbox if self._sandbox is not None else get_sandbox()

    def evaluate(self, expression: str, context: MutableMapping[str, Any],
                 external_context: MutableMapping[str, Any] | None = None) -> Any:
        return self.sandbox.evaluate(expression, context, external_context)

    def execute(self, script: str, context: MutableMapping[str, Any],
                external_context: MutableMapping[str, Any] | None = None) -> bool:
        """Run ``script`` and make ``context`` (SpiffWorkflow passes ``task.data``) equal the result."""
        result = self.sandbox.execute(script, context, external_context)
        for name in [name for name in context if name not in result]:
            del context[name]
        context.update(result)
        return True

    def call_service(self, context: MutableMapping[str, Any], **kwargs: Any) -> Any:
        raise ScriptFailed("service tasks are not supported by the sandbox", kind="forbidden")


def _element(task: Any) -> str:
    spec = getattr(task, "task_spec", None)
    return str(getattr(spec, "bpmn_id", None) or getattr(spec, "name", "?"))


class SandboxScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """A PythonScriptEngine whose code runs only in the sandbox. See the module docstring."""

    def __init__(self, sandbox: Sandbox | None = None):
        super().__init__(environment=SandboxEnvironment(sandbox))

    def validate(self, expression: str) -> None:
        """Raise SyntaxError if the sandbox would refuse ``expression`` (DMN relies on SyntaxError)."""
        problems = check_source(expression, "eval")
        if problems:
            raise SyntaxError("; ".join(problems))

    def evaluate(self, task: Any, expression: str,
                 external_context: MutableMapping[str, Any] | None = None) -> Any:
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except ScriptFailed as err:
            err.add_note(f"while evaluating {expression!r} in element '{_element(task)}'")
            err.task = task  # so the incident can name the element
            raise

    def execute(self, task: Any, script: str,
                external_context: MutableMapping[str, Any] | None = None) -> bool:
        try:
            return bool(self.environment.execute(script, task.data, external_context or {}))
        except ScriptFailed as err:
            err.add_note(f"in the script of element '{_element(task)}'")
            err.task = task
            raise


def find_script_failure(exc: BaseException) -> ScriptFailed | None:
    """The ScriptFailed behind ``exc`` (itself, or on its cause/context chain), if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ScriptFailed):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
