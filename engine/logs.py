"""Structured logs (TURNUS_LOG_FORMAT=json): one JSON object per line, carrying what a log collector needs to
follow one request or one case through the web processes and workers.

The context (request id, user, case id, command) is a context variable: the web sets the request id and user
per request (web/logging_context.py), the engine the command and case per transaction, and every record
logged meanwhile carries them — in threads too, since each thread has its own context.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

FIELDS = ("request_id", "user", "case_id", "command")
_context: ContextVar[dict[str, str]] = ContextVar("turnus_log_context", default={})  # noqa: B039 (never mutated)


@contextmanager
def bound(**values: str | None) -> Iterator[None]:
    """Add ``values`` to the context of every record logged inside the block."""
    merged = {**_context.get(), **{k: v for k, v in values.items() if v is not None}}
    token = _context.set(merged)
    try:
        yield
    finally:
        _context.reset(token)


def bind(**values: str | None) -> None:
    """Set context for the rest of this request (the web resets it at the start of the next one)."""
    _context.set({**_context.get(), **{k: v for k, v in values.items() if v is not None}})


def clear() -> None:
    _context.set({})


def current(name: str) -> str | None:
    return _context.get().get(name)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = _context.get()
        for name in FIELDS:
            entry[name] = context.get(name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(log_format: str, level: int = logging.INFO) -> None:
    """Install the JSON handler on the root logger once (``text`` leaves Python's and the server's own)."""
    if log_format != "json":
        return
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.handlers = [handler]
    root.setLevel(level)
