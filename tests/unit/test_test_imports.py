"""Issue 22: tests import shared code only from tests/helpers/ or a conftest, never from another test module,
so that moving or deleting one test never breaks another."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
# A module under tests/ is a test, a benchmark script, a conftest, a package marker or a shared helper.
KINDS = ("test_", "bench_")


def _shared(module: str) -> bool:
    parts = module.split(".")
    return parts[:2] == ["tests", "helpers"] or parts[-1] == "conftest" or module in {"tests", "tests.e2e"}


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                found.append((node.lineno, "." * node.level + (node.module or "")))
            elif node.module and node.module.split(".")[0] == "tests":
                found.append((node.lineno, node.module))
                # `from tests.e2e import conftest` names a module, which must be shared too
                if node.module in {"tests", "tests.e2e"}:
                    found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "tests"]
    return found


def test_no_test_imports_another_test_module() -> None:
    wrong = [f"{p.relative_to(TESTS)}:{line} imports {mod}" for p in sorted(TESTS.rglob("*.py"))
             if "node_modules" not in p.parts for line, mod in _imports(p)
             if mod.startswith(".") or not _shared(mod)]
    assert not wrong, "import shared code from tests/helpers/ or a conftest:\n" + "\n".join(wrong)


def test_shared_code_lives_in_helpers() -> None:
    stray = [str(p.relative_to(TESTS)) for p in sorted(TESTS.rglob("*.py"))
             if "helpers" not in p.relative_to(TESTS).parts and "node_modules" not in p.parts
             and not p.name.startswith(KINDS) and p.name not in {"conftest.py", "__init__.py"}]
    assert not stray, f"move these into tests/helpers/: {stray}"


def test_the_check_sees_a_test_module_import(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from tests.integration.test_messaging import MODELS\nfrom .support import x\n"
                     "from tests.helpers.cli import ok\nfrom tests.web.conftest import start_review\n")
    mods = [m for _, m in _imports(probe)]
    assert [m for m in mods if m.startswith(".") or not _shared(m)] == ["tests.integration.test_messaging", ".support"]
