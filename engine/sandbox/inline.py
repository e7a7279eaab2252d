"""Simple expressions evaluated in this process, giving exactly what the sandbox would, or declined.

Most expressions in a process are gateway conditions and flags: ``decision == "approve"``, ``amount > 500``,
``not done``, ``reason is None``. Sending each to a sandbox worker costs a round trip (issue 26: ~0.15 ms of
this process's CPU plus as much in the worker), more than the rest of evaluating it. This evaluator takes a
small subset of Python that cannot loop, allocate without bound, call anything but the date helpers or reach
an attribute:

- constants (text, numbers, True/False/None) and tuples, lists or sets of them;
- names of case data (not starting with "_"), as the worker sees them: decoded from the same JSON;
- ``and``, ``or``, ``not``, unary ``-`` and ``+``; ``+``, ``-`` and ``*`` on numbers only;
- comparisons (``==`` ``!=`` ``<`` ``<=`` ``>`` ``>=`` ``in`` ``not in``; ``is``/``is not`` with None,
  True or False), chained as Python chains them;
- a subscript by a constant (``form["key"]``, ``items[0]``) of data;
- calls, by name, of the pure date helpers (``at_time(add_days(end_date, -14), "08:00")``: timer expressions),
  at most ``MAX_CALLS`` of them, unless the case data has a variable of that name (it hides the helper).

Anything else, any error (a missing name, comparing text with a number, a missing key), a context the sandbox
could not be sent (not JSON data) and any result that is not a single value is declined, and the sandbox then
evaluates the expression as before, with its own message for the error. Every step is bounded by the size of
the expression (at most ``MAX_NODES`` nodes) and of values already in the case data, so nothing here can run
long or grow memory; tests/unit/test_inline_expressions.py checks it against the sandbox's answers.
"""

from __future__ import annotations

import ast
import json
import math
import operator
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from engine.sandbox.helpers import HELPERS

MAX_SOURCE = 500  # characters; longer expressions go to the sandbox
MAX_NODES = 60
MAX_CALLS = 8  # helper calls in one expression; the slowest, add_working_days, walks at most 10,000 days
# The pure, bounded helpers (engine/sandbox/helpers.py) a condition or timer expression may call in-process.
INLINE_HELPERS = frozenset({"add_days", "add_months", "add_working_days", "is_working_day", "days_between",
                            "at_time", "iso_duration"})
KEEP = 512  # parsed expressions kept per process
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_RESERVED = {"printed", "print", "True", "False", "None"}  # RestrictedPython treats these specially


class Declined(Exception):
    """Not for this evaluator: the sandbox evaluates the expression."""


DECLINED = Declined()
_SCALARS = (str, int, float, bool, type(None))
_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_, ast.IsNot: operator.is_not,
}
_ARITH: dict[type, Callable[[Any, Any], Any]] = {ast.Add: operator.add, ast.Sub: operator.sub,
                                                 ast.Mult: operator.mul}
Plan = Callable[[Any], Any]  # given the name lookup (``_Lookup``), the value


def _number(value: Any) -> Any:
    if type(value) not in (int, float, bool):
        raise DECLINED
    return value


def _plan(node: ast.AST) -> Plan:
    """A closure computing ``node``; raises Declined for anything outside the subset."""
    if isinstance(node, ast.Constant):
        value = node.value
        if type(value) not in _SCALARS or (type(value) is str and len(value) > MAX_SOURCE):
            raise DECLINED
        return lambda _: value
    if isinstance(node, ast.Name):
        name = node.id
        if not _NAME.match(name) or name in _RESERVED or name.endswith("__roles__"):
            raise DECLINED
        return lambda lookup: lookup(name)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        items = [_plan(e) for e in node.elts]
        kind: Any = {ast.Tuple: tuple, ast.List: list, ast.Set: frozenset}[type(node)]
        if kind is frozenset and not all(isinstance(e, ast.Constant) for e in node.elts):
            raise DECLINED  # a set of data values may hold unhashable ones: leave that to the sandbox
        return lambda lookup: kind(item(lookup) for item in items)
    if isinstance(node, ast.BoolOp):
        parts = [_plan(v) for v in node.values]
        if isinstance(node.op, ast.And):
            def both(lookup: Callable[[str], Any]) -> Any:
                value: Any = True
                for part in parts:
                    value = part(lookup)
                    if not value:
                        return value
                return value
            return both

        def either(lookup: Callable[[str], Any]) -> Any:
            value: Any = False
            for part in parts:
                value = part(lookup)
                if value:
                    return value
            return value
        return either
    if isinstance(node, ast.UnaryOp):
        operand = _plan(node.operand)
        if isinstance(node.op, ast.Not):
            return lambda lookup: not operand(lookup)
        if isinstance(node.op, ast.USub):
            return lambda lookup: -_number(operand(lookup))
        if isinstance(node.op, ast.UAdd):
            return lambda lookup: +_number(operand(lookup))
        raise DECLINED
    if isinstance(node, ast.BinOp):
        op = _ARITH.get(type(node.op))
        if op is None:
            raise DECLINED
        left, right = _plan(node.left), _plan(node.right)
        return lambda lookup: op(_number(left(lookup)), _number(right(lookup)))
    if isinstance(node, ast.Compare):
        return _compare(node)
    if isinstance(node, ast.Call):
        return _call(node)
    if isinstance(node, ast.Subscript):
        if not isinstance(node.slice, ast.Constant) or type(node.slice.value) not in (str, int):
            raise DECLINED
        target, key = _plan(node.value), node.slice.value

        def item(lookup: Callable[[str], Any]) -> Any:
            container = target(lookup)
            if (type(container) is dict and type(key) is str) or (type(container) is list and type(key) is int):
                return container[key]  # a missing key raises: declined, and the sandbox says what is missing
            raise DECLINED
        return item
    raise DECLINED


def _call(node: ast.Call) -> Plan:
    """A call of one of the pure date helpers by name, with plain arguments (no ``*``/``**``)."""
    if not isinstance(node.func, ast.Name) or node.func.id not in INLINE_HELPERS or any(
            isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        raise DECLINED
    name, helper = node.func.id, HELPERS[node.func.id]
    args = [_plan(a) for a in node.args]
    keywords = [(k.arg, _plan(k.value)) for k in node.keywords]

    def call(lookup: Callable[[str], Any]) -> Any:
        lookup.shadows(name)  # type: ignore[attr-defined]  # case data named like the helper hides it
        return helper(*(a(lookup) for a in args), **{k: v(lookup) for k, v in keywords})
    return call


def _compare(node: ast.Compare) -> Plan:
    ops = [_COMPARE.get(type(op)) for op in node.ops]
    if None in ops:
        raise DECLINED
    for op, right in zip(node.ops, node.comparators, strict=True):
        if isinstance(op, ast.Is | ast.IsNot) and not (
                isinstance(right, ast.Constant) and right.value in (None, True, False)
                and type(right.value) in (bool, type(None))):
            raise DECLINED  # identity of anything but the singletons depends on how values were made
    left = _plan(node.left)
    rights = [_plan(c) for c in node.comparators]

    def compare(lookup: Callable[[str], Any]) -> Any:
        a = left(lookup)
        for op, right in zip(ops, rights, strict=True):
            b = right(lookup)
            if not op(a, b):  # type: ignore[misc]
                return False
            a = b
        return True
    return compare


class _Plans:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.plans: OrderedDict[str, Plan | None] = OrderedDict()

    def get(self, source: str) -> Plan | None:
        with self.lock:
            if source in self.plans:
                self.plans.move_to_end(source)
                return self.plans[source]
        plan = _parse(source)
        with self.lock:
            self.plans[source] = plan
            while len(self.plans) > KEEP:
                self.plans.popitem(last=False)
        return plan


def _parse(source: str) -> Plan | None:
    if len(source) > MAX_SOURCE:
        return None
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES or sum(isinstance(n, ast.Call) for n in nodes) > MAX_CALLS:
        return None
    try:
        return _plan(tree.body)
    except Declined:
        return None


_plans = _Plans()


class _Lookup:
    """Names as the worker sees them: the case data, then the external context, decoded from what was sent."""

    def __init__(self, sent: str) -> None:
        self.sent = sent
        self.decoded: dict[str, dict[str, Any]] | None = None

    def _scopes(self) -> dict[str, dict[str, Any]]:
        if self.decoded is None:
            self.decoded = json.loads(self.sent)
        return self.decoded

    def __call__(self, name: str) -> Any:
        scopes = self._scopes()
        for scope in ("c", "x"):  # the case data hides external names, as in the worker
            if name in scopes[scope]:
                return scopes[scope][name]
        raise DECLINED  # a builtin, a helper used as a value or a missing name: the sandbox's business

    def shadows(self, name: str) -> None:
        scopes = self._scopes()
        if name in scopes["c"] or name in scopes["x"]:
            raise DECLINED


def evaluate(source: Any, context: Mapping[str, Any], external: Mapping[str, Any] | None) -> Any:
    """The expression's value as the sandbox would give it; raises Declined if the sandbox must decide."""
    plan = _plans.get(source) if isinstance(source, str) else None
    if plan is None:
        raise DECLINED
    try:
        # What the sandbox would send; if it could not be sent, the sandbox says so.
        sent = json.dumps({"c": dict(context), "x": dict(external or {})}, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        raise DECLINED from None
    lookup = _Lookup(sent)

    try:
        value = plan(lookup)
    except Declined:
        raise
    except Exception:  # TypeError, KeyError, IndexError, OverflowError...: the sandbox words the error
        raise DECLINED from None
    if type(value) not in _SCALARS or (type(value) is float and not math.isfinite(value)) or (
            type(value) is int and value.bit_length() > 63):  # a huge number: the sandbox's JSON may refuse it
        raise DECLINED
    return value
