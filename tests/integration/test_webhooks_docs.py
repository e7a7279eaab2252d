"""docs/API.md's signature check, run as written on a real delivery (the system clock: it checks the age)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.service import Engine
from tests.helpers.support import PROCESSES
from tests.helpers.webhook_receiver import receiver

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def live(db_url: str) -> Iterator[Engine]:
    engine = Engine.create(db_url)  # the real clock: the snippet refuses old timestamps
    yield engine
    engine.close()


def test_the_documented_verify_accepts_a_delivery_and_refuses_a_forgery(live: Engine) -> None:
    (code,) = re.findall(r"```py\n(.*?)```", (ROOT / "docs" / "API.md").read_text(encoding="utf-8"), re.S)
    scope: dict[str, Any] = {}
    exec(compile(code, "docs/API.md", "exec"), scope)  # our own documentation's snippet
    verify = scope["verify"]
    live.deploy_paths([PROCESSES / "incident.bpmn"], actor="system")
    live.add_user("admin", roles=["admin"])
    live.add_user("rita")
    with receiver() as rec:
        _, rec.secret = live.add_webhook(rec.url, ["case.started"], "admin")
        case_id = live.start("incident", "rita", {})
        assert live.deliver_webhooks().delivered == 1
    [got] = rec.got
    event = verify(rec.secret, got.headers, got.raw)
    assert event["type"] == "case.started" and event["data"]["case_id"] == case_id
    with pytest.raises(ValueError, match="bad signature"):
        verify(rec.secret, got.headers, got.raw.replace(b"rita", b"mads"))
    with pytest.raises(ValueError, match="bad signature"):
        verify("whsec_" + "A" * 32, got.headers, got.raw)
    with pytest.raises(ValueError, match="too old"):
        verify(rec.secret, {**got.headers, "webhook-timestamp": str(int(got.timestamp) - 3600)}, got.raw)
