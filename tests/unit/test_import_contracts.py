"""The house's import rules are enforced by `lint-imports` (pyproject.toml); these tests show that the
project's own cycle contract (tools/import_cycles.py) finds the cycles import-linter's built-in ones miss."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")

CONFIG = """
[tool.importlinter]
root_packages = ["shop"]
contract_types = ["no_module_cycles: tools.import_cycles.NoModuleCycles"]

[[tool.importlinter.contracts]]
name = "no cycles"
type = "no_module_cycles"
packages = ["shop"]
"""


def _lint(tmp_path: Path, files: dict[str, str]) -> subprocess.CompletedProcess[str]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
    shutil.copytree(ROOT / "tools", tmp_path / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    return subprocess.run([str(LINT), "--no-cache"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})


@pytest.mark.skipif(not LINT.exists(), reason="import-linter is installed by `make test`")
def test_a_blueprint_package_whose_views_import_it_back_is_a_cycle(tmp_path: Path) -> None:
    result = _lint(tmp_path, {
        "shop/__init__.py": "",
        "shop/web/__init__.py": "bp = object()\nfrom shop.web import views  # noqa\n",
        "shop/web/views.py": "from shop.web import bp\n",
    })
    assert result.returncode == 1, result.stdout + result.stderr
    assert "shop.web -> shop.web.views" in result.stdout and "shop.web.views -> shop.web" in result.stdout


@pytest.mark.skipif(not LINT.exists(), reason="import-linter is installed by `make test`")
def test_a_cycle_through_three_modules_is_found_and_a_chain_is_not(tmp_path: Path) -> None:
    cyclic = _lint(tmp_path / "a", {
        "shop/__init__.py": "", "shop/a.py": "import shop.b\n", "shop/b.py": "import shop.c\n",
        "shop/c.py": "def f():\n    import shop.a  # inside a function still counts\n",
    })
    assert cyclic.returncode == 1 and "shop.c -> shop.a" in cyclic.stdout, cyclic.stdout
    chain = _lint(tmp_path / "b", {
        "shop/__init__.py": "", "shop/a.py": "import shop.b\n", "shop/b.py": "import shop.c\n", "shop/c.py": "",
    })
    assert chain.returncode == 0, chain.stdout + chain.stderr
