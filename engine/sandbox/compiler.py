"""Compile scripts and expressions exactly as the sandbox runs them.

``check_source`` is the in-process check used by deploy-time validation and lint; ``compile_cached``
is what sandbox workers call before running code. Both go through RestrictedPython's
``compile_restricted_eval`` / ``compile_restricted_exec`` so a source that passes the check compiles
identically in the worker.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from types import CodeType
from typing import Literal

from RestrictedPython import compile_restricted_eval, compile_restricted_exec

from engine.errors import ScriptFailed

Mode = Literal["eval", "exec"]

MAX_SOURCE_CHARS = 100_000  # far beyond any sensible script; bounds parser time and memory

# Filename given to compiled code; the worker uses it to find the failing line in a traceback.
FILENAME = "<script>"

_LINE_RE = re.compile(r"^Line (\d+|None): ")
_AT_STATEMENT_RE = re.compile(r" at statement: .*$", re.DOTALL)


def _normalise(message: str) -> tuple[int | None, str]:
    """Turn RestrictedPython's ``Line 3: ... at statement: '...'`` into (3, '...')."""
    line: int | None = None
    match = _LINE_RE.match(message)
    if match:
        line = int(match.group(1)) if match.group(1) != "None" else None
        message = message[match.end() :]
    return line, _AT_STATEMENT_RE.sub("", message).strip()


def _extra_policy(source: str, mode: Mode) -> list[tuple[int | None, str]]:
    """Rules on top of RestrictedPython's, so these fail at deploy rather than at run time.

    ``print`` (scripts have no output), ``import`` (no modules) and ``class`` (no metaclass
    support in the sandbox) are refused.
    """
    try:
        tree = ast.parse(source, mode=mode)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # RestrictedPython already reported it
    found: list[tuple[int | None, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "print":
            found.append((node.lineno, "print is not available in scripts; assign to a variable instead"))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            found.append((node.lineno, "import is not available in scripts; use the provided helpers"))
        elif isinstance(node, ast.ClassDef):
            found.append((node.lineno, "class definitions are not available in scripts"))
    return found


def _problems(source: str, mode: Mode) -> tuple[CodeType | None, list[tuple[int | None, str]]]:
    if not isinstance(source, str):
        return None, [(None, f"expected source text, got {type(source).__name__}")]
    if len(source) > MAX_SOURCE_CHARS:
        return None, [(None, f"the code is longer than {MAX_SOURCE_CHARS} characters")]
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    try:
        result = compiler(source, FILENAME)
    except (RecursionError, MemoryError):  # the parser's own limits, not real memory pressure
        return None, [(None, "SyntaxError: the code is nested too deeply")]
    except ValueError as err:  # e.g. null bytes
        return None, [(None, f"SyntaxError: {err}")]
    found = [_normalise(m) for m in result.errors]
    if not found:
        found = _extra_policy(source, mode)
    return (result.code if not found else None), found


def _format(line: int | None, message: str) -> str:
    return f"line {line}: {message}" if line is not None else message


def check_source(source: str, mode: Mode) -> list[str]:
    """Problems with ``source`` as the sandbox would compile it; an empty list means it compiles.

    Each entry reads like ``"line 3: SyntaxError: invalid syntax"`` or
    ``'line 2: "__import__" is an invalid variable name because it starts with "_"'``.
    """
    _, found = _problems(source, mode)
    return [_format(line, message) for line, message in found]


@lru_cache(maxsize=2048)
def compile_cached(source: str, mode: Mode) -> CodeType:
    """Compiled code for ``source``; raises ScriptFailed(kind="syntax"|"forbidden") on problems.

    Cached per (source, mode): workers see the same few hundred expressions over and over.
    A failure is not cached (lru_cache does not cache exceptions), which is fine: it is rare.
    """
    code, found = _problems(source, mode)
    if code is None:
        line, message = found[0] if found else (None, "could not compile")
        kind = "syntax" if "SyntaxError" in message else "forbidden"
        text = "; ".join(_format(ln, m) for ln, m in found) or message
        raise ScriptFailed(text, line=line, kind=kind)
    return code
