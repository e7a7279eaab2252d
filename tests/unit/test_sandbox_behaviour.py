"""Normal use of the sandbox with real worker processes: expressions, scripts, helpers, concurrency."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

import engine.sandbox as sandbox_module
from engine.errors import ScriptFailed
from engine.sandbox import Sandbox, get_sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox(timeout=2.0, memory_mb=512, workers=2)
    yield sb
    sb.close()


def test_expressions(sandbox: Sandbox) -> None:
    assert sandbox.evaluate("abs(a) + 1", {"a": 1}) == 2
    assert sandbox.evaluate("approved and amount < 1000", {"approved": True, "amount": 10}) is True
    assert sandbox.evaluate("'P14D'", {}) == "P14D"
    assert sandbox.evaluate("[x['n'] for x in items if x['ok']]",
                            {"items": [{"n": 1, "ok": True}, {"n": 2, "ok": False}]}) == [1]
    assert sandbox.evaluate("sorted(set(xs))", {"xs": [3, 1, 3]}) == [1, 3]
    assert sandbox.evaluate("dict(zip(['a', 'b'], [1, 2]))", {}) == {"a": 1, "b": 2}
    assert sandbox.evaluate("(1, 2)", {}) == [1, 2]  # tuples leave as JSON lists
    assert sandbox.evaluate("name.upper()", {"name": "turnus"}) == "TURNUS"


def test_script_writes_and_deletes_variables(sandbox: Sandbox) -> None:
    context = {"a": 1, "tmp": "x", "items": [1, 2]}
    result = sandbox.execute("b = a + 1\ndel tmp\nitems.append(3)\nfor i, v in enumerate(items):\n    last = (i, v)",
                             context)
    assert result == {"a": 1, "items": [1, 2, 3], "b": 2, "i": 2, "v": 3, "last": [2, 3]}
    assert context == {"a": 1, "tmp": "x", "items": [1, 2]}  # the caller's mapping is not touched


def test_script_features(sandbox: Sandbox) -> None:
    script = (
        "total = 0\n"
        "for a, b in pairs:\n"
        "    total += a * b\n"
        "d = {}\n"
        "d['k'] = total\n"
        "def double(x):\n"
        "    return x * 2\n"
        "doubled = double(total)\n"
        "try:\n"
        "    bad = 1 / 0\n"
        "except ZeroDivisionError:\n"
        "    bad = None\n"
        "[first, *rest] = [1, 2, 3]\n"
    )
    result = sandbox.execute(script, {"pairs": [[1, 2], [3, 4]]})
    assert result == {"pairs": [[1, 2], [3, 4]], "total": 14, "a": 3, "b": 4, "d": {"k": 14}, "doubled": 28,
                      "bad": None, "first": 1, "rest": [2, 3]}  # the function itself is not data


def test_helpers_from_scripts(sandbox: Sandbox) -> None:
    result = sandbox.execute(
        "due = add_working_days(start, 10)\n"
        "review = add_months(start, 1)\n"
        "timer = at_time(start_date, '08:00')\n"
        "wait = iso_duration(days=14)\n"
        "gap = days_between(start, due)\n"
        "ok = is_working_day(start)\n"
        "later = add_days(start, 3)\n",
        {"start": "2027-05-03", "start_date": "2027-05-03"},
    )
    assert result["due"] == "2027-05-19"
    assert result["review"] == "2027-06-03"
    assert result["timer"] == "2027-05-03T08:00:00+02:00"
    assert result["wait"] == "P14D"
    assert result["gap"] == 16
    assert result["ok"] is True
    assert result["later"] == "2027-05-06"


def test_data_can_shadow_builtin_and_helper_names(sandbox: Sandbox) -> None:
    assert sandbox.evaluate("sum + 1", {"sum": 1}) == 2
    assert sandbox.execute("total = sum([1, 2])", {}) == {"total": 3}


def test_external_context_is_visible_but_not_written_back(sandbox: Sandbox) -> None:
    assert sandbox.evaluate("dmninputexpr > 3", {}, {"dmninputexpr": 5}) is True
    result = sandbox.execute("y = shared + 1\nshared = 100", {"x": 1}, {"shared": 10})
    assert result == {"x": 1, "y": 11}
    # task data wins over external data of the same name
    assert sandbox.evaluate("v", {"v": "task"}, {"v": "external"}) == "task"


def test_underscore_data_is_invisible_and_preserved(sandbox: Sandbox) -> None:
    assert sandbox.execute("y = 1", {"_meta": {"k": 1}}) == {"y": 1, "_meta": {"k": 1}}
    with pytest.raises(ScriptFailed) as info:
        sandbox.evaluate("_meta", {"_meta": 1})
    assert info.value.kind == "forbidden"


def test_non_json_input_is_refused_by_name(sandbox: Sandbox) -> None:
    with pytest.raises(ScriptFailed) as info:
        sandbox.evaluate("1", {"ok": 1, "when": object()})
    assert str(info.value).startswith("variable 'when' is not plain JSON data")


def test_many_threads_share_the_pool(sandbox: Sandbox) -> None:
    with ThreadPoolExecutor(max_workers=8) as executor:
        results = list(executor.map(lambda i: sandbox.evaluate("i * i", {"i": i}), range(400)))
    assert results == [i * i for i in range(400)]


def test_warm_round_trip_is_well_under_a_millisecond(sandbox: Sandbox) -> None:
    for _ in range(200):
        sandbox.evaluate("a + 1", {"a": 1})
    samples = []
    for _ in range(2000):
        started = time.perf_counter()
        sandbox.evaluate("a + 1", {"a": 1})
        samples.append(time.perf_counter() - started)
    median = statistics.median(samples)
    print(f"warm round trip: median {median * 1e6:.0f} µs")
    assert median < 0.001


def test_get_sandbox_is_a_singleton_and_survives_fork() -> None:
    sb = get_sandbox()
    assert sb is get_sandbox()
    assert sb.evaluate("abs(a) + 1", {"a": 1}) == 2
    pid = os.fork()
    if pid == 0:  # child: must get its own workers and leave the parent's alone
        code = 1
        try:
            child_sb = get_sandbox()
            results = [child_sb.evaluate("a * 3", {"a": i}) for i in range(50)]
            code = 0 if results == [i * 3 for i in range(50)] else 2
        finally:
            os._exit(code)
    results = [sb.evaluate("abs(a) * 2", {"a": i}) for i in range(50)]  # concurrently with the child
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert results == [i * 2 for i in range(50)]
    assert sb.evaluate("abs(a) + 1", {"a": 1}) == 2


def test_closed_sandbox_refuses_calls() -> None:
    sb = Sandbox(workers=1)
    sb.close()
    with pytest.raises(RuntimeError):
        sb.evaluate("1", {})  # not even answered in-process (engine/sandbox/inline.py)


def test_module_exports() -> None:
    assert set(sandbox_module.__all__) >= {"Sandbox", "get_sandbox", "HELPERS"}
    # The workflow library's script engine lives in its own module, which imports the package (never the reverse).
    from engine.sandbox.spiff import SandboxScriptEngine

    assert SandboxScriptEngine.__name__ == "SandboxScriptEngine"
    assert not hasattr(sandbox_module, "SandboxScriptEngine")


def test_a_huge_integer_result_is_a_clear_failure_and_the_worker_survives(sandbox: Sandbox) -> None:
    with pytest.raises(ScriptFailed) as info:
        sandbox.execute("n = 10 ** 5000", {})
    assert info.value.kind == "error" and "cannot be stored" in str(info.value)
    assert sandbox.evaluate("abs(1) + 1", {}) == 2  # the same pool still answers
