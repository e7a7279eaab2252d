"""Races between real processes: each racer is a process of its own with its own Engine and connections.

The racers live for a whole series of trials (starting a Python process per trial would make 100 trials
take minutes); a shared barrier releases both commands of a trial at the same instant.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_CTX = mp.get_context("spawn")  # no fork of a process that holds database connections


def _racer(db_url: str, jobs: Any, results: Any, barrier: Any) -> None:
    from engine.service import Engine

    eng = Engine.create(db_url)
    try:
        while (job := jobs.get()) is not None:
            task_id, actor, data = job
            barrier.wait(60)
            try:
                eng.complete(task_id, actor, data)
                results.put(("ok", ""))
            except Exception as err:  # reported to the parent, which asserts on kind and message
                results.put((type(err).__name__, str(err)))
    finally:
        eng.close()


class Racers:
    def __init__(self, db_url: str, count: int = 2) -> None:
        self.barrier = _CTX.Barrier(count)
        self.jobs = [_CTX.Queue() for _ in range(count)]
        self.results = [_CTX.Queue() for _ in range(count)]
        self.procs = [_CTX.Process(target=_racer, args=(db_url, self.jobs[i], self.results[i], self.barrier),
                                   daemon=True) for i in range(count)]
        for p in self.procs:
            p.start()

    def race(self, *jobs: tuple[str, str, dict]) -> list[tuple[str, str]]:
        """Run one command per racer at the same moment; (outcome, message) for each, in order."""
        for queue, job in zip(self.jobs, jobs, strict=True):
            queue.put(job)
        return [queue.get(timeout=120) for queue in self.results]

    def close(self) -> None:
        for queue in self.jobs:
            queue.put(None)
        for p in self.procs:
            p.join(30)
            if p.is_alive():
                p.kill()


@contextmanager
def racers(db_url: str, count: int = 2) -> Iterator[Racers]:
    pool = Racers(db_url, count)
    try:
        yield pool
    finally:
        pool.close()
