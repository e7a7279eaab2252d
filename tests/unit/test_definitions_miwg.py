"""Real BPMN from other tools (the MIWG reference models): every file is accepted, or refused with
problems that name the file and an element or line. Never another exception, never a hang."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from engine.definitions import load_bundles
from engine.errors import DefinitionInvalid
from tests.conftest import miwg_files

FILES = miwg_files()

# Why each file is refused (one representative finding). All are descriptive models or use vendor
# features Turnus does not run; none is silently accepted half-understood.
EXPECTED = {
    "A.1.0": "no executable process", "A.2.0": "no executable process", "A.2.1": "no executable process",
    "A.3.0": "no executable process", "A.4.0": "no executable process", "A.4.1": "no executable process",
    "B.1.0": "data stores are not supported", "B.2.0": "data stores are not supported",
    "C.1.0": "service tasks run only as external tasks", "C.1.1": "data stores are not supported",
    "C.2.0": "no executable process", "C.3.0": "nobody can work on this user task",
    "C.4.0": "data stores are not supported", "C.5.0": "data stores are not supported",
    "C.6.0": "compensation event subprocesses are not supported",
    "C.7.0": "business rule task has no camunda:decisionRef",
    "C.8.0": "no executable process", "C.8.1": "service tasks run only as external tasks",
    "C.9.0": "condition: line 1: SyntaxError", "C.9.1": "is not a Python expression",
    "C.9.2": "names no process in the deployed files",
}


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Turn a hang into a test failure (SIGALRM; the tests run in the main thread)."""
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_each_file_is_accepted_or_refused_with_located_problems(path: Path) -> None:
    with deadline(20):
        try:
            bundles = load_bundles({path.name: path.read_bytes()})
        except DefinitionInvalid as refused:
            problems = refused.problems
            assert problems
            for problem in problems:
                assert problem.file == path.name
                assert problem.element_id or problem.line, problem
            errors = [p.message for p in problems if p.severity == "error"]
            assert errors
            assert any(EXPECTED[path.stem] in m for m in errors), errors
        else:
            assert path.stem not in EXPECTED, f"{path.name} was expected to be refused"
            assert all(b.files and b.spec_json for b in bundles)


def test_the_whole_corpus_at_once() -> None:
    with deadline(60), pytest.raises(DefinitionInvalid) as refused:
        load_bundles({p.name: p.read_bytes() for p in FILES})
    problems = refused.value.problems
    assert {p.file for p in problems} == {p.name for p in FILES}
    assert all(p.element_id or p.line for p in problems)
    # C.9.2 calls the process of C.9.1: deployed together, that reference resolves.
    assert not any("requestDocument_en" in p.message for p in problems)
