"""docs/ARCHITECTURE.md says which module of engine/service owns each method of ``Engine``; keep it true."""

from __future__ import annotations

import re
from pathlib import Path

from engine.service import Engine

DOC = Path(__file__).resolve().parents[2] / "docs" / "ARCHITECTURE.md"
ROW = re.compile(r"^\| `(\w+)\.py` \(`(\w+)`\) \| (.+) \|$")


def _table() -> dict[str, set[str]]:
    listed: dict[str, set[str]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            listed[match.group(1)] = set(re.findall(r"`(\w+)`", match.group(3)))
    return listed


def _owner(name: str) -> str:
    cls = next(c for c in Engine.__mro__ if name in vars(c))
    return cls.__module__.rsplit(".", 1)[-1]


def test_every_public_method_of_the_engine_is_listed_under_the_module_that_defines_it() -> None:
    listed = _table()
    assert listed, "the facade table was not found in docs/ARCHITECTURE.md"
    public = {n for n in dir(Engine) if not n.startswith("_") and callable(getattr(Engine, n))}
    missing = sorted(f"{n} ({_owner(n)}.py)" for n in public if n not in listed.get(_owner(n), set()))
    assert not missing, f"add to docs/ARCHITECTURE.md: {missing}"


def test_every_listed_method_exists_where_the_table_says() -> None:
    wrong = sorted(f"{module}.py: {name}" for module, names in _table().items() for name in names
                   if not hasattr(Engine, name) or _owner(name) != module)
    assert not wrong, f"docs/ARCHITECTURE.md lists methods that are elsewhere or gone: {wrong}"
