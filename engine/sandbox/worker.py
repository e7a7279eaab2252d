"""Sandbox worker process: runs restricted code sent by the parent (engine.sandbox.pool).

Started as ``python -m engine.sandbox.worker MEMORY_MB``. Protocol on the worker's stdin/stdout
(moved to private descriptors so nothing else can write into it): frames of a 4-byte big-endian
length plus JSON. Request ``{"m": "eval"|"exec", "s": source, "c": context, "x": external,
"t": timeout}``; reply ``{"ok": value}`` or ``{"err": [kind, message, line]}``. The first frame
the worker sends is ``{"ready": pid}``.
"""

from __future__ import annotations

import json
import math
import operator
import os
import resource
import signal
import struct
import sys
from collections.abc import Callable, Mapping
from types import FunctionType
from typing import Any

from RestrictedPython.Guards import (
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr_raise,
)
from RestrictedPython.transformer import INSPECT_ATTRIBUTES

from engine.errors import ScriptFailed
from engine.sandbox.compiler import FILENAME, compile_cached
from engine.sandbox.helpers import HELPERS, SAFE_BUILTINS

HEADER = struct.Struct(">I")
MAX_RESULT_BYTES = 64 * 1024 * 1024  # a reply this large is a runaway script, not case data
MAX_MESSAGE_CHARS = 1000


class Refused(Exception):
    """A guard refused an operation: reported as kind="forbidden"."""


class NotPlainData(Exception):
    """A value leaving the sandbox is not plain JSON data."""


# --- guards -------------------------------------------------------------------------------------

_REFUSED_ATTRIBUTES = frozenset({"format", "format_map", "mro"}) | INSPECT_ATTRIBUTES


def guarded_getattr(obj: object, name: str) -> Any:
    if type(name) is not str or name.startswith("_") or name in _REFUSED_ATTRIBUTES:
        raise Refused(f"access to attribute {name!r} is not allowed")
    return safer_getattr_raise(obj, name)


def guarded_getitem(obj: Any, key: Any) -> Any:
    if type(key) is str and key.startswith("_") and not isinstance(obj, dict | list):
        raise Refused(f"access to item {key!r} is not allowed")
    return obj[key]


def guarded_getiter(obj: Any) -> Any:
    return iter(obj)


def write_guard(obj: Any) -> Any:
    # Only plain containers may be modified in place (``d["k"] = v``, ``l[0] = v``); attribute
    # assignment on anything (functions, types) is refused.
    if type(obj) in (dict, list):
        return obj
    raise Refused(f"cannot modify attributes or items of a {type(obj).__name__}")


_INPLACE: Mapping[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow,
    "|=": operator.ior, "&=": operator.iand, "^=": operator.ixor,
}


def inplacevar(op: str, target: Any, value: Any) -> Any:
    if op not in _INPLACE:
        raise Refused(f"operator {op} is not allowed")
    return _INPLACE[op](target, value)


def apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


BUILTINS: dict[str, Any] = {**SAFE_BUILTINS, **HELPERS}
GUARDS: dict[str, Any] = {
    "__builtins__": BUILTINS,
    "_getattr_": guarded_getattr,
    "_getitem_": guarded_getitem,
    "_getiter_": guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": write_guard,
    "_inplacevar_": inplacevar,
    "_apply_": apply,
}


# --- running ------------------------------------------------------------------------------------

def check_plain(value: Any, where: str) -> None:
    """Raise NotPlainData unless ``value`` is dict/list/str/int/float/bool/None all the way down."""
    kind = type(value)
    if value is None or kind in (str, int, bool):
        return
    if kind is float:
        if not math.isfinite(value):
            raise NotPlainData(f"{where} is {value!r}, which JSON cannot hold")
        return
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise NotPlainData(f"{where} has a non-text key {key!r}")
            check_plain(item, f"{where}[{key!r}]")
        return
    if kind in (list, tuple):
        for index, item in enumerate(value):
            check_plain(item, f"{where}[{index}]")
        return
    raise NotPlainData(f"{where} is a {kind.__name__}, not plain data (dict, list, str, number, bool, None)")


def _visible(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if type(k) is str and not k.startswith("_")}


def run(mode: str, source: str, context: dict[str, Any], external: dict[str, Any]) -> Any:
    code = compile_cached(source, "eval" if mode == "eval" else "exec")
    scope: dict[str, Any] = {**_visible(external), **_visible(context), **GUARDS}
    if mode == "eval":
        result = eval(code, scope)
        try:
            check_plain(result, "the result")
        except RecursionError:
            raise NotPlainData("the result is nested too deeply (or refers to itself)") from None
        return result
    exec(code, scope)
    out: dict[str, Any] = {}
    for name, value in scope.items():
        if name.startswith("_") or (name in external and name not in context):
            continue
        if isinstance(value, FunctionType) and value.__code__.co_filename == FILENAME:
            continue  # a function the script defined for its own use
        try:
            check_plain(value, f"variable {name!r}")
        except RecursionError:
            raise NotPlainData(f"variable {name!r} is nested too deeply (or refers to itself)") from None
        out[name] = value
    # names the script cannot see (leading underscore) pass through untouched
    out.update((k, v) for k, v in context.items() if type(k) is str and k.startswith("_"))
    return out


def _line_of(err: BaseException) -> int | None:
    line, tb = None, err.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def handle(request: Mapping[str, Any], memory_mb: int) -> dict[str, Any]:
    reply = _handle(request, memory_mb)
    if "err" in reply and len(reply["err"][1]) > MAX_MESSAGE_CHARS:  # a script can raise any text
        reply["err"][1] = reply["err"][1][:MAX_MESSAGE_CHARS] + "…"
    return reply


def _handle(request: Mapping[str, Any], memory_mb: int) -> dict[str, Any]:
    try:
        return {"ok": run(request["m"], request["s"], request["c"], request["x"])}
    except ScriptFailed as err:
        return {"err": [err.kind, str(err), err.line if err.line is not None else _line_of(err)]}
    except MemoryError:
        return {"err": ["memory", f"MemoryError: the script needed more than {memory_mb} MB", None]}
    except Refused as err:
        return {"err": ["forbidden", str(err), _line_of(err)]}
    except NotPlainData as err:
        return {"err": ["error", str(err), None]}
    except BaseException as err:  # anything the script raised, including SystemExit/KeyboardInterrupt
        return {"err": ["error", f"{type(err).__name__}: {err}", _line_of(err)]}


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks, remaining = [], n
    while remaining:
        chunk = os.read(fd, remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _write_frame(fd: int, payload: bytes) -> None:
    view = memoryview(HEADER.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


def _limit_cpu(seconds: float) -> None:
    # RLIMIT_CPU counts the process lifetime, so re-arm it before each call: a script that spins
    # past parent-timeout + 2 s of CPU gets SIGXCPU even if the parent is gone.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + seconds) + 2
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def main(memory_mb: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when a worker ends
    fd_in, fd_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # stray writes to stdout go to stderr, never into the protocol
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Defence in depth (restricted code has no way to reach these): no child processes, few files.
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32))
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    _write_frame(fd_out, json.dumps({"ready": os.getpid()}).encode())
    while True:
        header = _read_exact(fd_in, HEADER.size)
        if header is None:
            return  # parent closed the pipe: it is gone or closed the pool
        body = _read_exact(fd_in, HEADER.unpack(header)[0])
        if body is None:
            return
        try:
            request = json.loads(body)
            _limit_cpu(float(request.get("t", 2.0)))
            reply = json.dumps(handle(request, memory_mb), allow_nan=False).encode()
            if len(reply) > MAX_RESULT_BYTES:
                reply = json.dumps({"err": ["memory", "the result is too large", None]}).encode()
        except MemoryError:
            reply = json.dumps({"err": ["memory", "MemoryError while encoding the result", None]}).encode()
        except ValueError as err:  # e.g. an int over Python's 4,300-digit limit for str()
            reply = json.dumps({"err": ["error", f"the script produced a value that cannot be stored: {err}",
                                        None]}).encode()
        _write_frame(fd_out, reply)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 512)
