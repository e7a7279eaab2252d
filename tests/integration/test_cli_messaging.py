"""Issue 12: `turnus message` and `turnus signal` through the command line (one test each)."""

from __future__ import annotations

import json
import subprocess
import sys

from engine.service import Engine
from tests.helpers.bpmn_models import process
from tests.helpers.messaging_models import MESSAGES, MODELS


def _turnus(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine.cli", "--db", db_url, *args], capture_output=True, text=True)


def _setup(engine: Engine, *keys: str) -> None:
    engine.add_user("rita")
    engine.add_user("bot", roles=["integration"])
    engine.deploy_files({f"{k}.bpmn": process(k, MODELS[k], MESSAGES) for k in keys}, "system")


def test_cli_message_by_business_key_and_its_refusal(engine: Engine, db_url: str) -> None:
    _setup(engine, "wait_doc")
    case_id = engine.start("wait_doc", "rita", business_key="J-1")
    sent = _turnus(db_url, "message", "document_arrived", "--business-key", "J-1", "--data",
                   json.dumps({"doc_ref": "A-1"}), "--as", "bot")
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.strip() == f"{case_id} received by doc_in"
    again = _turnus(db_url, "message", "document_arrived", "--business-key", "J-1", "--as", "bot")
    assert again.returncode == 1 and again.stdout == ""
    assert again.stderr.count("error:") == 1 and "no process starts with it" in again.stderr


def test_cli_signal_reaches_every_waiting_case(engine: Engine, db_url: str) -> None:
    _setup(engine, "freezable")
    cases = {engine.start("freezable", "rita") for _ in range(2)}
    sent = _turnus(db_url, "signal", "freeze", "--as", "bot")
    assert sent.returncode == 0, sent.stderr
    assert set(sent.stdout.split()) == {*cases, "received"}
    none = _turnus(db_url, "signal", "freeze", "--as", "bot")
    assert none.returncode == 0 and "no case waits for signal 'freeze'" in none.stderr
