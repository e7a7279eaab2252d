"""Issue 7: a request that meets a lock held too long is told "busy, try again" (503), never a 500."""

from __future__ import annotations

from pathlib import Path

from engine.clock import FixedClock
from engine.config import Settings
from engine.service import Engine
from tests.helpers.locks import case_row_locked
from tests.web.conftest import Client, start_review
from web import create_app
from web.settings import WebSettings


def test_a_comment_on_a_locked_case_is_503_with_retry_after(engine: Engine, db_url: str, clock: FixedClock,
                                                              web_settings: WebSettings, tmp_path: Path) -> None:
    case_id = start_review(engine)
    impatient = Engine.create(db_url, clock=clock, settings=Settings(lock_wait_seconds=0.5))
    try:
        rita = Client(create_app(impatient, {"TESTING": True}, settings=web_settings))
        assert rita.login("rita").status_code == 302
        with case_row_locked(db_url, case_id):
            busy = rita.post(f"/cases/{case_id}/comments", {"text": "Hello"})
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
        assert "Prøv igen" in busy.text or "prøv igen" in busy.text
        assert "Traceback" not in busy.text
        assert not [e for e in engine.history(case_id, None) if e.kind == "comment_added"]
        assert rita.post(f"/cases/{case_id}/comments", {"text": "Hello"}).status_code == 302  # later it works
    finally:
        impatient.close()
