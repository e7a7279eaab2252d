"""Deploy compares what a definition means, not its bytes: a re-serialised rotation is no new version.

The browser modeller writes the file back with other prefixes, indentation, attribute order and its own
exporter; none of that may make a version. A changed label, expression or documentation does.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine.service import Engine

ROOT = Path(__file__).resolve().parents[2]

ROTATION = (ROOT / "processes" / "netvaerksturnus.bpmn").read_text(encoding="utf-8")
DMN = (ROOT / "processes" / "timeramme.dmn").read_bytes()


def reserialised() -> str:
    """The rotation as another tool would write it: same meaning, hardly a byte in common."""
    xml = ROTATION.replace("<bpmn:", "<semantic:").replace("</bpmn:", "</semantic:")
    xml = xml.replace("xmlns:bpmn=", "xmlns:semantic=").replace('"bpmn:tFormalExpression"',
                                                                '"semantic:tFormalExpression"')
    xml = xml.replace('exporter="Turnus" exporterVersion="1"',
                      'exporter="Camunda Modeler" exporterVersion="5.31.0"')
    xml = xml.replace('<semantic:participant id="netvaerksturnus_participant" name="Netværksturnus – Albertslund '
                      'Kommune" processRef="netvaerksturnus"/>',
                      '<semantic:participant processRef="netvaerksturnus" name="Netværksturnus – Albertslund '
                      'Kommune" id="netvaerksturnus_participant" />')
    xml = re.sub(r"^[ \t]+<", lambda m: "\t" * (len(m.group(0)) // 2) + "<", xml, flags=re.MULTILINE)
    assert xml.count("semantic:") > 500 and "Camunda Modeler" in xml and "\t<" in xml
    return xml.replace("\n", "\r\n")


def deploy(engine: Engine, bpmn: str) -> tuple[int, str]:
    [result] = engine.deploy_files({"netvaerksturnus.bpmn": bpmn.encode(), "timeramme.dmn": DMN}, "system")
    return result.version, result.status


@pytest.fixture
def rotation(engine: Engine) -> Engine:
    engine.deploy_paths([ROOT / "processes"], "system")
    return engine


def test_a_reserialised_file_is_no_new_version(rotation: Engine) -> None:
    assert deploy(rotation, reserialised()) == (1, "unchanged")
    assert [v.version for v in rotation.versions_of("netvaerksturnus")] == [1]


@pytest.mark.parametrize("change", [
    ("Netværksturnus – Albertslund Kommune", "Netværksturnus i Albertslund"),  # a label
    ('theme_decision == "revise"', 'theme_decision == "rework"'),  # an expression
    ("Beskrivelse, datamodel og valg", "Beskrivelse og valg"),  # documentation
])
def test_a_change_of_meaning_is_a_new_version_even_when_reserialised(rotation: Engine,
                                                                     change: tuple[str, str]) -> None:
    old, new = change
    assert old in ROTATION
    version, status = deploy(rotation, reserialised().replace(old, new, 1))
    assert (version, status) == (2, "new")
    assert deploy(rotation, ROTATION.replace(old, new, 1)) == (2, "unchanged")  # and back to its own bytes


def test_the_cli_says_unchanged_for_a_reserialised_file(db_url: str, tmp_path: Path) -> None:
    def turnus(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "engine.cli", "--db", db_url, *args], capture_output=True,
                              text=True, timeout=180)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert turnus("deploy", str(ROOT / "processes")) == "netvaerksturnus 1 new"
    (tmp_path / "netvaerksturnus.bpmn").write_text(reserialised(), encoding="utf-8", newline="")
    (tmp_path / "timeramme.dmn").write_bytes(DMN)
    assert turnus("deploy", str(tmp_path)) == "netvaerksturnus 1 unchanged"
