"""Parent side of the sandbox: a pool of pre-started worker processes.

Each worker is ``python -m engine.sandbox.worker`` with pipes on stdin/stdout, in its own session
(so a terminal's Ctrl+C reaches only the parent). A call takes an idle worker, writes one
request frame and waits at most ``timeout`` seconds for the reply; on timeout or death the worker
is killed and replaced, and the call raises ScriptFailed. Safe from many threads (each call owns
one worker) and across ``os.fork`` (a child abandons the parent's workers and starts its own).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections import deque
from pathlib import Path
from typing import Any

from engine.errors import ScriptFailed
from engine.sandbox.worker import HEADER

STARTUP_TIMEOUT = 30.0  # seconds a new worker may take to import and report ready
_PROJECT_ROOT = str(Path(__file__).resolve().parents[2])  # the directory holding the engine package


class WorkerDied(Exception):
    pass


class WorkerDidNotStart(WorkerDied):
    pass


class Worker:
    """One worker process and its pipes; used by one thread at a time."""

    def __init__(self, memory_mb: int):
        # A minimal environment: the worker needs no settings, and secrets in os.environ
        # (database URL, keys) should not even be in its memory.
        env = {"PATH": os.defpath, "LANG": "C.UTF-8", "PYTHONPATH": _PROJECT_ROOT}
        env.update((k, os.environ[k]) for k in ("PYTHONHOME", "TZDIR") if k in os.environ)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", f"from engine.sandbox.worker import main; main({int(memory_mb)})"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=_PROJECT_ROOT,
            start_new_session=True, close_fds=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in, self._out = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        self._poll = select.poll()
        self._poll.register(self._out, select.POLLIN | select.POLLHUP | select.POLLERR)
        self._buf = bytearray()
        self.ready = False

    def _read_frame(self, deadline: float) -> bytes | None:
        """One reply frame, or None when the deadline passed first. Raises WorkerDied on EOF."""
        while True:
            if len(self._buf) >= HEADER.size:
                size = HEADER.unpack_from(self._buf)[0]
                if len(self._buf) >= HEADER.size + size:
                    frame = bytes(self._buf[HEADER.size : HEADER.size + size])
                    del self._buf[: HEADER.size + size]
                    return frame
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._poll.poll(max(1, int(remaining * 1000))):
                if time.monotonic() >= deadline:
                    return None
                continue
            chunk = os.read(self._out, 1 << 20)
            if not chunk:
                raise WorkerDied
            self._buf += chunk

    def wait_ready(self) -> None:
        if self.ready:
            return
        try:
            frame = self._read_frame(time.monotonic() + STARTUP_TIMEOUT)
        except WorkerDied:
            frame = None
        if frame is None or "ready" not in json.loads(frame):
            raise WorkerDidNotStart
        self.ready = True

    def call(self, payload: bytes, timeout: float) -> bytes | None:
        """Send a request; the reply, or None on timeout. Raises WorkerDied if the worker died."""
        self.wait_ready()
        view = memoryview(HEADER.pack(len(payload)) + payload)
        try:
            while view:
                view = view[os.write(self._in, view) :]
        except (BrokenPipeError, ConnectionResetError):
            raise WorkerDied from None
        return self._read_frame(time.monotonic() + timeout)

    def died_of_cpu_limit(self) -> bool:
        try:
            return self.proc.wait(timeout=1.0) == -signal.SIGXCPU
        except subprocess.TimeoutExpired:
            return False

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        self.proc.wait()
        self.abandon()

    def abandon(self) -> None:
        """Close our pipe ends without waiting (used in a forked child, where the worker is not ours)."""
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


class Pool:
    """A fixed number of workers; ``run`` sends one request and returns the decoded reply."""

    def __init__(self, timeout: float, memory_mb: int, workers: int):
        self.timeout, self.memory_mb, self.size = timeout, memory_mb, max(1, workers)
        self._closed = False
        self._start()
        _LIVE_POOLS.add(self)

    def _start(self) -> None:
        # Fresh lock and queue too: after a fork the inherited ones may be held by a thread that
        # does not exist in the child.
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._free = threading.Condition(self._lock)
        # Idle workers; used ones go back on the right and are taken from the right (they are warm),
        # new ones go on the left so a call does not wait for a worker still starting up.
        self._idle: deque[Worker] = deque()
        self._all: set[Worker] = set()
        self._started = True
        for _ in range(self.size):
            self._add_worker()

    def _add_worker(self) -> None:
        worker = Worker(self.memory_mb)
        with self._free:
            self._all.add(worker)
            self._idle.appendleft(worker)
            self._free.notify()

    def _checkout(self) -> Worker:
        with self._free:
            limit = STARTUP_TIMEOUT + self.timeout * self.size * 4
            if not self._free.wait_for(lambda: self._idle or self._closed, limit):
                raise ScriptFailed("the sandbox is busy; try again", kind="timeout")
            if self._closed:
                raise RuntimeError("the sandbox is closed")
            return self._idle.pop()

    def _checkin(self, worker: Worker) -> None:
        with self._free:
            self._idle.append(worker)
            self._free.notify()

    def _discard(self, worker: Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        if not self._closed:
            self._add_worker()

    def after_fork_in_child(self) -> None:
        """Drop the parent's workers; new ones start on first use (many forks never run scripts)."""
        for worker in list(self._all):
            worker.abandon()
        self._all = set()
        self._started = False

    @property
    def closed(self) -> bool:
        return self._closed

    def run(self, request: dict[str, Any]) -> dict[str, Any]:
        if self._closed:
            raise RuntimeError("the sandbox is closed")
        if self._pid != os.getpid():  # forked without the at-fork hook (e.g. os.fork in C code)
            self.after_fork_in_child()
        if not self._started:
            with _START_LOCK:
                if not self._started:
                    self._start()
        payload = _encode(request)
        worker = self._checkout()
        try:
            reply = worker.call(payload, self.timeout)
        except WorkerDidNotStart:
            self._discard(worker)
            raise ScriptFailed("the sandbox could not start a worker process", kind="error") from None
        except WorkerDied:
            cpu = worker.died_of_cpu_limit()
            self._discard(worker)
            if cpu:
                raise ScriptFailed(f"the script ran longer than {self.timeout:g} s", kind="timeout") from None
            raise ScriptFailed("the script was stopped: it used too much memory", kind="memory") from None
        except BaseException:
            self._discard(worker)  # e.g. KeyboardInterrupt mid-call: the worker's state is unknown
            raise
        if reply is None:
            self._discard(worker)
            raise ScriptFailed(f"the script ran longer than {self.timeout:g} s", kind="timeout")
        decoded: dict[str, Any] = json.loads(reply)
        if "err" in decoded and decoded["err"][0] == "memory":
            self._discard(worker)  # after a MemoryError the worker's heap may be fragmented: start fresh
        else:
            self._checkin(worker)
        return decoded

    def close(self) -> None:
        self._closed = True
        with self._free:
            workers, self._all = list(self._all), set()
            self._idle.clear()
            self._free.notify_all()
        for worker in workers:
            if self._pid == os.getpid():
                worker.kill()
            else:
                worker.abandon()  # the parent's worker, not ours to kill


def _encode(request: dict[str, Any]) -> bytes:
    try:
        return json.dumps(request, allow_nan=False).encode()
    except (TypeError, ValueError, RecursionError):
        pass
    for part in ("c", "x"):  # find the culprit for the message
        for name, value in request[part].items():
            try:
                json.dumps(value, allow_nan=False)
            except (TypeError, ValueError, RecursionError) as err:
                raise ScriptFailed(f"variable {name!r} is not plain JSON data: {err}", kind="error") from None
    raise ScriptFailed("the case data is not plain JSON data", kind="error")


_LIVE_POOLS: weakref.WeakSet[Pool] = weakref.WeakSet()
_START_LOCK = threading.Lock()


def _after_fork_in_child() -> None:
    global _START_LOCK
    _START_LOCK = threading.Lock()
    for pool in list(_LIVE_POOLS):
        pool.after_fork_in_child()


os.register_at_fork(after_in_child=_after_fork_in_child)
