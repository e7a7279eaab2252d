"""Signing in with the directory in a real Chromium (issue 25): Turnus → the OpenID provider (its own process)
→ back, signed in as the directory says; the directory moves the person out of a group, and after the next
sign-in their task is gone; signing out ends the session here and at the provider. Both databases."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.service import Engine
from tests.e2e.conftest import AXE, Visit, check_page
from tests.helpers.directory import directory_app, set_person
from tests.helpers.oidc_provider import start_provider
from tests.helpers.support import PROCESSES, REQUEST


@pytest.fixture
def site(db_url: str, tmp_path: Path) -> Iterator[tuple[str, str, Engine]]:
    """(Turnus's URL, the provider's issuer, the engine)."""
    from werkzeug.serving import make_server

    proc, issuer = start_provider()
    app, engine = directory_app(db_url, tmp_path, issuer)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", issuer, engine
    finally:
        server.shutdown()
        engine.close()
        proc.terminate()
        proc.wait(timeout=10)


def _sign_in(page: Any, visit: Visit) -> None:
    page.goto("/login")
    check_page(page, visit)
    page.get_by_role("link", name="Log ind med Albertslund").click()
    page.wait_for_url(re.compile(r"/oauth2/authorize"))  # the provider's own page
    page.get_by_placeholder("sub").fill("sub-anne")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/tasks"))


def test_the_directory_signs_anne_in_and_decides_what_she_sees(browser: Any, site: tuple[str, str, Engine]) -> None:
    url, issuer, engine = site
    engine.deploy_paths([PROCESSES / "review.bpmn"], "system")
    engine.add_user("rita")
    engine.start("review", "rita", REQUEST)
    set_person(issuer, "sub-anne", preferred_username="Anne.Hansen@albertslund.dk", name="Anne Hansen",
               email="anne@albertslund.dk", groups=["Reviewers"])
    context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen", base_url=url)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.set_default_timeout(15_000)
    visit = Visit()
    try:
        _sign_in(page, visit)
        assert page.get_by_text("Logget ind som Anne Hansen").is_visible()
        assert page.get_by_text("Review request").first.is_visible()
        check_page(page, visit)

        set_person(issuer, "sub-anne", preferred_username="Anne.Hansen@albertslund.dk", name="Anne Hansen",
                   email="anne@albertslund.dk", groups=[])  # out of the reviewers, in the directory
        page.get_by_role("button", name="Log ud").click()
        page.wait_for_url(re.compile(r"/oauth2/end_session"))  # signed out at the provider too
        page.get_by_role("button", name="End session").click()
        page.wait_for_url(re.compile(r"/login"))
        page.goto("/")
        page.wait_for_url(re.compile(r"/login"))  # the session ended on the server
        _sign_in(page, visit)
        assert page.get_by_text("Logget ind som Anne Hansen").is_visible()
        assert page.get_by_text("Review request").count() == 0
        check_page(page, visit)
    finally:
        context.close()
    assert engine.user("anne.hansen@albertslund.dk").groups == frozenset()
    assert not visit.violations, visit.violations
