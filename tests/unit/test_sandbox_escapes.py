"""Escape attempts and resource bombs against real sandbox worker processes (no mocks)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from engine.errors import ScriptFailed
from engine.sandbox import Sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox(timeout=2.0, memory_mb=512, workers=2)
    yield sb
    sb.close()


def failure(sb: Sandbox, source: str, mode: str = "eval", context: dict | None = None) -> ScriptFailed:
    run = sb.evaluate if mode == "eval" else sb.execute
    with pytest.raises(ScriptFailed) as info:
        run(source, context or {})
    return info.value


@pytest.mark.parametrize(
    "source, message",
    [
        ("().__class__.__mro__[1].__subclasses__()", '"__class__" is an invalid attribute name'),
        ("__import__('os')", '"__import__" is an invalid variable name'),
        ("add_days.__globals__", '"__globals__" is an invalid attribute name'),
        ("add_days.__module__", '"__module__" is an invalid attribute name'),
        ("add_days.__code__.co_consts", '"__code__" is an invalid attribute name'),
        ("add_days.__closure__", '"__closure__" is an invalid attribute name'),
        ("len.__self__", '"__self__" is an invalid attribute name'),
        ("[].append.__self__", '"__self__" is an invalid attribute name'),
        ("(x for x in []).gi_frame", '"gi_frame" is a restricted name'),
        ("(x for x in []).gi_frame.f_back", "is a restricted name"),
        ("f'{add_days.__globals__}'", '"__globals__" is an invalid attribute name'),
        ("eval('1')", "Eval calls are not allowed"),
        ("exec('x = 1')", "Exec calls are not allowed"),
        ("breakpoint()", '"breakpoint" is a reserved name'),
    ],
)
def test_refused_at_compile_time(sandbox: Sandbox, source: str, message: str) -> None:
    err = failure(sandbox, source)
    assert err.kind == "forbidden"
    assert message in str(err)
    assert err.line == 1


@pytest.mark.parametrize(
    "source",
    [
        '"{0.__class__.__mro__}".format(1)',
        '"{0.__globals__}".format(add_days)',
        '"{0.__globals__}".format_map({"0": add_days})',
        'str.format("{0.__class__}", 1)',
        'str.mro()',
    ],
)
def test_format_string_and_mro_walks_refused_at_run_time(sandbox: Sandbox, source: str) -> None:
    err = failure(sandbox, source)
    assert err.kind == "forbidden"
    assert "is not allowed" in str(err)


@pytest.mark.parametrize(
    "name", ["open", "getattr", "setattr", "vars", "globals", "locals", "compile", "dir", "type",
             "object", "help", "input", "memoryview", "exit", "SystemExit", "isinstance"],
)
def test_dangerous_builtins_are_absent(sandbox: Sandbox, name: str) -> None:
    err = failure(sandbox, f"{name}")
    assert err.kind == "error"
    assert str(err) == f"NameError: name '{name}' is not defined"


def test_open_is_absent(sandbox: Sandbox) -> None:
    err = failure(sandbox, "data = 1\ntext = open('/etc/passwd').read()", "exec")
    assert (err.kind, err.line, str(err)) == ("error", 2, "NameError: name 'open' is not defined")


def test_attribute_and_item_writes_on_helpers_refused(sandbox: Sandbox) -> None:
    err = failure(sandbox, "add_days.x = 1", "exec")
    assert err.kind == "forbidden"
    assert "cannot modify attributes or items of a function" in str(err)


def test_import_and_class_statements_refused(sandbox: Sandbox) -> None:
    assert failure(sandbox, "import os", "exec").kind == "forbidden"
    assert failure(sandbox, "from os import path", "exec").kind == "forbidden"
    assert failure(sandbox, "class A:\n    pass", "exec").kind == "forbidden"


def test_underscore_context_keys_cannot_replace_guards(sandbox: Sandbox) -> None:
    # "_getattr_" in the data must not become the attribute guard
    result = sandbox.execute("y = x.upper()", {"x": "a", "_getattr_": "boom"})
    assert result == {"x": "a", "y": "A", "_getattr_": "boom"}


def test_recursion_is_an_error(sandbox: Sandbox) -> None:
    err = failure(sandbox, "def f(n):\n    return f(n + 1)\nx = f(0)", "exec")
    assert err.kind == "error"
    assert str(err).startswith("RecursionError")
    assert sandbox.evaluate("abs(1) + 1", {}) == 2


@pytest.mark.slow
def test_infinite_loop_times_out_and_the_sandbox_keeps_working(sandbox: Sandbox) -> None:
    started = time.monotonic()
    err = failure(sandbox, "while True:\n    pass", "exec")
    assert err.kind == "timeout"
    assert "longer than 2 s" in str(err)
    assert time.monotonic() - started < 4
    assert sandbox.evaluate("abs(a) + 1", {"a": 1}) == 2


@pytest.mark.slow
def test_other_calls_are_served_while_one_loops(sandbox: Sandbox) -> None:
    errors: list[ScriptFailed] = []

    def loop() -> None:
        try:
            sandbox.execute("while True:\n    pass", {})
        except ScriptFailed as err:
            errors.append(err)

    thread = threading.Thread(target=loop)
    thread.start()
    time.sleep(0.2)
    started = time.monotonic()
    assert [sandbox.evaluate("abs(a) * 2", {"a": i}) for i in range(20)] == [i * 2 for i in range(20)]
    assert time.monotonic() - started < 1.0  # served by the other worker, not after the timeout
    thread.join()
    assert [e.kind for e in errors] == ["timeout"]


@pytest.mark.parametrize(
    "script",
    ["x = 'a' * 10**10", "l = [0] * 10**10", "l = []\nwhile True:\n    l.append('x' * 10**6)"],
)
def test_memory_bombs_are_contained(sandbox: Sandbox, script: str) -> None:
    err = failure(sandbox, script, "exec")
    assert err.kind in ("memory", "timeout")
    assert sandbox.evaluate("abs(a) + 1", {"a": 1}) == 2
    assert sandbox.execute("b = a", {"a": [1]}) == {"a": [1], "b": [1]}


def test_a_killed_worker_is_reported_and_replaced() -> None:
    sb = Sandbox(timeout=5.0, workers=1)
    try:
        sb.evaluate("abs(1)", {})  # a call: the workers answer it, not engine/sandbox/inline.py
        pids = [w.proc.pid for w in sb._pool._all]
        errors: list[ScriptFailed] = []

        def loop() -> None:
            try:
                sb.execute("while True:\n    pass", {})
            except ScriptFailed as err:
                errors.append(err)

        thread = threading.Thread(target=loop)
        thread.start()
        time.sleep(0.3)
        os.kill(pids[0], signal.SIGKILL)  # what the kernel's OOM killer would do
        thread.join()
        assert [e.kind for e in errors] == ["memory"]
        assert sb.evaluate("abs(2) + 2", {}) == 4
    finally:
        sb.close()


def test_non_plain_values_are_refused_by_name(sandbox: Sandbox) -> None:
    err = failure(sandbox, "a = 1\ntags = {'x', 'y'}", "exec")
    assert err.kind == "error"
    assert str(err) == "variable 'tags' is a set, not plain data (dict, list, str, number, bool, None)"
    err = failure(sandbox, "d = {'k': [1, add_days]}", "exec")
    assert str(err).startswith("variable 'd'['k'][1] is a function")
    err = failure(sandbox, "d = {1: 'one'}", "exec")
    assert str(err) == "variable 'd' has a non-text key 1"
    err = failure(sandbox, "n = float('nan')", "exec")
    assert str(err) == "variable 'n' is nan, which JSON cannot hold"
    err = failure(sandbox, "z = zip([1], [2])", "exec")
    assert str(err).startswith("variable 'z' is a zip")
    err = failure(sandbox, "l = []\nl.append(l)", "exec")
    assert str(err) == "variable 'l' is nested too deeply (or refers to itself)"
    err = failure(sandbox, "{1, 2}")
    assert str(err).startswith("the result is a set")


def test_syntax_error_with_its_line(sandbox: Sandbox) -> None:
    err = failure(sandbox, "a = 1\nb = 2\nif a\n    c = 3", "exec")
    assert err.kind == "syntax"
    assert err.line == 3
    assert str(err) == "line 3: SyntaxError: expected ':'"


def test_name_error_with_its_line(sandbox: Sandbox) -> None:
    err = failure(sandbox, "a = 1\nif a:\n    b = a + 1\n    c = missing * 2\nd = 4", "exec")
    assert (err.kind, err.line, str(err)) == ("error", 4, "NameError: name 'missing' is not defined")


def test_error_inside_a_script_function_reports_the_failing_line(sandbox: Sandbox) -> None:
    err = failure(sandbox, "def f(x):\n    return x['nope']\n\ny = f({})", "exec")
    assert (err.kind, err.line, str(err)) == ("error", 2, "KeyError: 'nope'")


def test_helper_error_has_its_message_and_line(sandbox: Sandbox) -> None:
    err = failure(sandbox, "a = 1\nb = add_days('2027-13-01', 1)", "exec")
    assert (err.kind, err.line, str(err)) == ("error", 2, "add_days: '2027-13-01' is not a date (YYYY-MM-DD)")


def test_huge_range_is_refused(sandbox: Sandbox) -> None:
    err = failure(sandbox, "x = list(range(10**10))", "exec")
    assert err.kind == "error"
    assert str(err).startswith("range: at most 100000 items")


def test_parser_bombs_are_syntax_errors(sandbox: Sandbox) -> None:
    err = failure(sandbox, "-" * 10_000 + "1")
    assert (err.kind, str(err)) == ("syntax", "SyntaxError: the code is nested too deeply")
    assert sandbox.evaluate("abs(1) + 1", {}) == 2


def test_worker_environment_holds_no_secrets(sandbox: Sandbox) -> None:
    os.environ["TURNUS_TEST_SECRET"] = "s3cret"
    try:
        fresh = Sandbox(workers=1)
        fresh.evaluate("abs(1)", {})  # a call: the workers answer it, not engine/sandbox/inline.py
        pid = next(iter(fresh._pool._all)).proc.pid
        with open(f"/proc/{pid}/environ", "rb") as environ:
            assert b"s3cret" not in environ.read()
        fresh.close()
    finally:
        del os.environ["TURNUS_TEST_SECRET"]


def test_error_messages_are_bounded(sandbox: Sandbox) -> None:
    err = failure(sandbox, "raise ValueError('x' * 10**6)", "exec")
    assert err.kind == "error"
    assert len(str(err)) <= 1001
