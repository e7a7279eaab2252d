"""Signing in with the directory by SAML in a real Chromium (issue 25): Turnus → pysaml2's identity provider (its
own process) → its page posts the signed assertion back → signed in as the directory says; the directory moves
the person out of a group, and after the next sign-in their task is gone; signing out goes through the IdP's
single logout and back. Both databases."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from engine.service import Engine
from tests.e2e.conftest import AXE, Visit, check_page
from tests.helpers.oidc_provider import free_port
from tests.helpers.saml import GROUPS, NAME, UPN, saml_app, set_person
from tests.helpers.saml_idp import start_idp
from tests.helpers.support import PROCESSES, REQUEST


@pytest.fixture
def site(db_url: str, tmp_path: Path) -> Iterator[tuple[str, str, Engine]]:
    """(Turnus's URL, the IdP's URL, the engine)."""
    from werkzeug.serving import make_server

    proc, idp = start_idp(tmp_path / "idp")
    url = f"http://127.0.0.1:{free_port()}"  # Turnus's entity id and endpoints are built from its address
    app, engine = saml_app(db_url, tmp_path, idp, base_url=url)
    server = make_server("127.0.0.1", int(url.rsplit(":", 1)[1]), app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield url, idp, engine
    finally:
        server.shutdown()
        engine.close()
        proc.terminate()
        proc.wait(timeout=10)


def _anne(idp: str, groups: list[str]) -> None:
    set_person(idp, "anne", "nid-7f3a-anne", **{UPN: ["Anne.Hansen@albertslund.dk"], NAME: ["Anne Hansen"],
                                                  GROUPS: groups})


def _sign_in(page: Any, visit: Visit) -> None:
    page.goto("/login")
    check_page(page, visit)
    page.get_by_role("link", name="Log ind med Albertslund AD FS").click()
    page.wait_for_url(re.compile(r"/sso\?SAMLRequest="))  # the IdP's own page
    page.get_by_label("User").fill("anne")
    page.get_by_role("button", name="Sign in at the IdP").click()  # its page posts the assertion to our ACS
    page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/tasks"))


def test_the_directory_signs_anne_in_by_saml_and_decides_what_she_sees(
        browser: Any, site: tuple[str, str, Engine]) -> None:
    url, idp, engine = site
    engine.deploy_paths([PROCESSES / "review.bpmn"], "system")
    engine.add_user("rita")
    engine.start("review", "rita", REQUEST)
    _anne(idp, ["Reviewers"])
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

        _anne(idp, [])  # out of the reviewers, in the directory
        page.get_by_role("button", name="Log ud").click()  # → the IdP's single logout → /auth/saml/sls → /login
        page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/login"))
        assert page.get_by_text("Du er også logget ud af kommunens login").is_visible()
        assert "nid-7f3a-anne" in requests.get(f"{idp}/test/logouts", timeout=5).json()
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
