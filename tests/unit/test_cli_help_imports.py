"""`turnus --help` stays cheap: it must not import the database, workflow or web libraries (issue: CLI start-up).

Asserts on the modules imported, never on timing, so it is deterministic.
"""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
sys.argv = ["turnus", "--help"]
from web.cli import main
try:
    main()
except SystemExit:
    pass
heavy = {"sqlalchemy", "SpiffWorkflow", "flask", "RestrictedPython", "lxml", "markdown", "babel"}
print(sorted({m.split(".")[0] for m in sys.modules} & heavy))
"""


def test_help_imports_no_heavy_library() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], check=True, capture_output=True, text=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
