"""Issue 22: the DMN requirements diagram (DRD) of timeramme.dmn, as a process owner reaches it from the decision
table: it draws the decision with its name, speaks the page's language, passes axe, and leads back to the table."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import AXE, ROOT, Visit
from tests.helpers.modeller import axe, sign_in

pytestmark = pytest.mark.skipif(not (ROOT / "processes" / "timeramme.dmn").exists(), reason="no shipped DMN")


def _open_drd(browser: Any, base: str, locale: str) -> tuple[Any, Any, Visit, list[str]]:
    visit = Visit()
    context = browser.new_context(locale=locale, timezone_id="Europe/Copenhagen", base_url=base,
                                  viewport={"width": 1400, "height": 1000})
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, "paula")
    page.goto("/modeller/netvaerksturnus/edit")
    page.wait_for_selector("#modeller[data-ready='true']")
    page.get_by_role("button", name="timeramme.dmn").click()
    page.wait_for_selector("#modeller[data-dmn-ready='true']")
    page.locator("#dmn-canvas .view-drd-button").click()
    page.wait_for_selector("#dmn-canvas .djs-element[data-element-id='timeramme']")
    return context, page, visit, errors


def test_the_drd_draws_the_decision_in_danish_and_leads_back_to_its_table(browser: Any,
                                                                          modeller_server: tuple[str, Any]) -> None:
    base, _engine = modeller_server
    context, page, visit, errors = _open_drd(browser, base, "da-DK")
    shape = page.locator("#dmn-canvas .djs-element[data-element-id='timeramme']")
    assert "Foreslå timeramme" in shape.text_content()
    box = shape.bounding_box()
    assert box and box["width"] > 60 and box["height"] > 30  # drawn, not a collapsed unstyled node
    # The DRD's own stylesheet is on the page: the definitions' name is a box over the diagram, and the drill-down
    # button a blue tile, not unstyled text over the shapes.
    assert page.locator("#dmn-canvas .dmn-definitions").evaluate("el => getComputedStyle(el).position") == "absolute"
    tile = page.locator("#dmn-canvas .drill-down-overlay > *").first
    assert tile.evaluate("el => getComputedStyle(el).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    titles = set(page.evaluate("() => Array.from(document.querySelectorAll('#dmn-canvas [title]'), e => e.title)"))
    assert {"Opret beslutning", "Opret inputdata", "Åbn beslutningstabel"} <= titles, titles
    assert not titles & {"Create decision", "Create input data", "Open decision table", "Activate the hand tool"}
    axe(page, visit)
    # The drill-down on the decision opens its table again, from the keyboard too.
    tile.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#dmn-canvas td[data-element-id='r1_hours']")
    context.close()
    assert not visit.violations, visit.violations
    assert not errors, errors
