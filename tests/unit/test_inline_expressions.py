"""Issue 26: simple expressions answered in this process give exactly the sandbox worker's answer, or are declined.

Each expression is evaluated twice: by ``engine.sandbox.inline`` and by a real worker (``Sandbox._run``, which
never takes the in-process path). Where inline answers, the answers must be equal and of the same type; where
the worker fails, inline must decline, so the worker's message is the one a person sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from engine.errors import ScriptFailed
from engine.sandbox import Sandbox, inline

DATA: dict[str, Any] = {
    "decision": "approve", "amount": 750, "rate": 0.25, "done": False, "urgent": True, "reason": None,
    "form": {"level": "high", "count": 3}, "items": [1, 2, 3], "tags": ["a", "b"], "title": "Ærø æøå",
    "zero": 0, "big": 2**62, "start": "2027-02-01", "pair": [[1, 2], [3]], "nested": {"k": {"j": [True]}},
}

# (expression, answered in-process?)
CASES = [
    ('decision == "approve"', True), ('decision != "approve"', True), ("amount > 500", True),
    ("amount >= 750 and not done", True), ("done or urgent", True), ("reason is None", True),
    ("reason is not None", True), ("urgent is True", True), ("0 < amount <= 1000", True), ("1 < 0 < 2", True),
    ('decision in ("approve", "reject")', True), ('"c" not in tags', True), ("2 in items", True),
    ('form["level"] == "high"', True), ("items[0] + items[2]", True), ("amount * rate", True),
    ("-amount + 1", True), ("not reason", True), ('title == "Ærø æøå"', True), ("reason or decision", True),
    ("done and amount", True), ('"ø" in title', True), ("pair[0] == [1, 2]", True), ("[1, 2] == (1, 2)", True),
    ('nested["k"] == {"j": [True]}', False), ("amount", True), ("1", True), ("True", True), ("None", True),
    ("big * 1", True), ("big * 4", False), ("rate * 1e308 * 10", False),
    # outside the subset: the worker answers
    ('at_time(add_days(start, -14), "08:00")', True), ("add_months(start, 3) > start", True),
    ("days_between(start, \"2027-03-01\")", True), ("is_working_day(start)", True),
    ("add_working_days(start, 5)", True), ("iso_duration(days=14)", True), ("iso_duration(hours=amount)", True),
    ('add_days("2027-13-01", 1)', False), ("add_days(start, 10**9)", False), ('at_time(start, "25:00")', False),
    ("add_working_days(start, 20000)", False), ("add_days(start, *items)", False), ("add_days(start)", False),
    ("add_days(start, 1).upper()", False), ("shadowed(start)", False),
    ("len(items)", False), ("decision.upper()", False), ("items[0:2]", False), ("items", False),
    ("form", False), ("{1, 2}", False), ("amount / 4", False), ("amount // 4", False), ("amount ** 2", False),
    ("[x for x in items]", False), ("add_days('2027-01-01', 1)", True), ('f"{amount}"', False),
    ("amount if done else 0", False), ("(lambda: 1)()", False), ("decision and items", False),
    ("a_b_c == 1", False),
    # errors: declined, so the worker's message is the one shown
    ("missing == 1", False), ('form["nope"] == 1', False), ("items[9] == 1", False), ('decision < 3', False),
    ("decision + 1", False), ('"a" * amount', False), ("-decision", False), ("amount is 750", False),
    ("_secret == 1", False), ("__import__('os')", False), ("().__class__", False), ("", False), ("1 +", False),
]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox(timeout=2.0, workers=1)
    yield sb
    sb.close()


def _worker(sb: Sandbox, source: str, data: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "ok", sb._run("eval", source, data, {})
    except ScriptFailed as err:
        return "failed", str(err)


@pytest.mark.parametrize("source, answered", CASES)
def test_inline_gives_the_workers_answer_or_declines(sandbox: Sandbox, source: str, answered: bool) -> None:
    worker = _worker(sandbox, source, DATA)
    try:
        mine = inline.evaluate(source, DATA, {})
    except inline.Declined:
        assert not answered, f"{source!r} should be answered in-process; the worker said {worker}"
        return
    assert answered, f"{source!r} was answered in-process ({mine!r}) but should go to the worker"
    assert worker[0] == "ok", f"inline answered {mine!r} where the worker failed: {worker[1]}"
    assert (type(mine), mine) == (type(worker[1]), worker[1])


def test_the_case_data_hides_an_external_name_as_in_the_worker(sandbox: Sandbox) -> None:
    assert inline.evaluate("x == 1", {"x": 1}, {"x": 2}) is True
    assert sandbox._run("eval", "x == 1", {"x": 1}, {"x": 2}) is True
    assert inline.evaluate("y == 2", {"x": 1}, {"y": 2}) is True


def test_data_the_worker_could_not_be_sent_is_declined_and_the_worker_names_it(sandbox: Sandbox) -> None:
    data = {"ok": 1, "when": object()}
    with pytest.raises(inline.Declined):
        inline.evaluate("ok == 1", data, {})
    with pytest.raises(ScriptFailed, match="variable 'when' is not plain JSON data"):
        sandbox.evaluate("ok == 1", data)


def test_case_data_named_like_a_helper_hides_it_as_in_the_worker(sandbox: Sandbox) -> None:
    data = {"add_days": "not a function", "d": "2027-02-01"}
    with pytest.raises(inline.Declined):
        inline.evaluate("add_days(d, 1)", data, {})
    with pytest.raises(ScriptFailed, match="not callable"):
        sandbox.evaluate("add_days(d, 1)", data)
    assert inline.evaluate("add_days(d, 1)", {"d": "2027-02-01"}, {}) == "2027-02-02"


def test_values_are_compared_as_the_worker_receives_them() -> None:
    """The worker gets the data through JSON: a tuple arrives as a list, a number key as text."""
    assert inline.evaluate("t == [1, 2]", {"t": (1, 2)}, {}) is True
    assert inline.evaluate('d["1"] == "one"', {"d": {1: "one"}}, {}) is True


def test_nothing_long_or_large_is_taken_in_process() -> None:
    nine_calls = "add_days(" * 9 + "'2027-01-01'" + ", 1)" * 9
    for source in (nine_calls, "9 ** 9 ** 9", "'a' * 10 ** 9", "[0] * 10 ** 9", "x" + " and x" * 100, "1" * 600,
                   "-" * 10_000 + "1", "-" * 100 + "1"):
        with pytest.raises(inline.Declined):
            inline.evaluate(source, {"x": True}, {})


def test_a_sandbox_evaluates_simple_conditions_without_a_round_trip(sandbox: Sandbox) -> None:
    calls = []
    original = sandbox._pool.run

    def counted(request: dict[str, Any]) -> dict[str, Any]:
        calls.append(request["s"])
        return original(request)

    sandbox._pool.run = counted  # type: ignore[method-assign]
    try:
        assert sandbox.evaluate('decision == "approve" and amount > 500', DATA) is True
        assert sandbox.evaluate('at_time(add_days(start, -14), "08:00")', DATA) == "2027-01-18T08:00:00+01:00"
        assert sandbox.evaluate("len(items)", DATA) == 3
    finally:
        del sandbox._pool.run
    assert calls == ["len(items)"]
