"""`turnus audit export --without-definition`: a far smaller file, still verified by `audit check-export`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from engine.service import Engine
from tests.helpers.support import REQUEST


def _turnus(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from web.cli import main; main()", "--db", db_url, *args],
                          capture_output=True, text=True, env=dict(os.environ), timeout=120)


def test_lean_export_leaves_out_the_definition_and_still_verifies(review: Engine, db_url: str,
                                                                    tmp_path: Path) -> None:
    cid = review.start("review", "rita", REQUEST)
    full = _turnus(db_url, "audit", "export", cid, "--format", "json")
    lean = _turnus(db_url, "audit", "export", cid, "--format", "json", "--without-definition")
    assert full.returncode == 0 and lean.returncode == 0, lean.stderr
    full_doc, lean_doc = json.loads(full.stdout), json.loads(lean.stdout)
    assert "definitions" in full_doc and "definitions" not in lean_doc
    assert lean_doc["events"] == full_doc["events"] and len(lean.stdout) < len(full.stdout)

    path = tmp_path / "lean.json"
    path.write_text(lean.stdout, encoding="utf-8")
    checked = _turnus(db_url, "audit", "check-export", str(path))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == f"intact ({len(lean_doc['events'])} events)"

    # a changed event in the lean file is still found: the chain is all that check-export needs
    lean_doc["events"][0]["actor"] = "mallory"
    path.write_text(json.dumps(lean_doc), encoding="utf-8")
    tampered = _turnus(db_url, "audit", "check-export", str(path))
    assert tampered.returncode == 1 and tampered.stderr.startswith("TAMPERED")

    wrong = _turnus(db_url, "audit", "export", cid, "--format", "csv", "--without-definition")
    assert wrong.returncode == 1 and "--without-definition applies to --format json only" in wrong.stderr
