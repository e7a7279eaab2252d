"""The modeller's token simulation speaks the page's language (Danish by default, English with the switch)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import Visit
from tests.helpers.diagrams import axe, needs_rotation, serve, signed_in, words

pytestmark = needs_rotation


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    yield from serve(tmp_path_factory.mktemp("modeller-words"))


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_token_simulation_speaks_the_page_language(browser: Any, server: tuple[str, Any], lang: str) -> None:
    base, _engine = server
    t = words(lang)
    visit = Visit()
    context, page, errors = signed_in(browser, base, "paula", lang)
    page.goto("/modeller/netvaerksturnus/edit")
    page.wait_for_selector("#modeller[data-ready='true']")
    toggle = page.locator(".bts-toggle-mode")
    assert toggle.inner_text().strip() == t("Tokensimulering", "Token Simulation")
    page.locator("#simulate").click()
    page.wait_for_selector("#simulate[aria-pressed='true']")
    assert toggle.inner_text().strip() == t("Tokensimulering", "Token Simulation")  # rewritten when switched on
    titles = page.eval_on_selector_all("[class*='bts-'][title]", "els => els.map(e => e.title)")
    assert t("Nulstil simuleringen", "Reset Simulation") in titles, titles
    if lang == "da":
        assert not [x for x in titles if "Simulation" in x], titles
    page.locator(".bts-log .bts-entry, .bts-toggle-log, [title*='Log'], [title*='simuleringsloggen']").first.click()
    log = page.locator(".bts-log").inner_text()
    assert t("Simuleringslog", "Simulation Log") in log
    axe(page, visit, exclude=("#canvas",))
    context.close()
    assert not visit.violations, visit.violations
    assert not errors, errors
