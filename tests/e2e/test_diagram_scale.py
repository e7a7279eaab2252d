"""Diagrams open readable: the auditor's at the case's active step, the heat view and the modeller at the start
event, a task's label at >= 11 CSS pixels; zoom and pan from the keyboard, announced; the modeller's palette
beside the diagram, never over it. On the shipped rotation, in Danish and English, axe-clean."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import Visit
from tests.helpers.diagrams import MEASURE, axe, keyboard_zoom, needs_rotation, serve, signed_in, words

pytestmark = needs_rotation

PROPOSAL = {"theme_title": "Diagramtest", "problem_description": "Erfaringerne er ikke skrevet ned.",
            "local_relevance": "Nye ledere starter forfra.", "expected_product": "En håndbog",
            "network_type": "laering", "scope": "medium", "urgency": "normal", "manager": "lars"}

@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    yield from serve(tmp_path_factory.mktemp("scale"))


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_auditor_s_diagram_opens_at_the_active_step_readable_and_zooms_by_keyboard(
        browser: Any, server: tuple[str, Any], lang: str) -> None:
    base, engine = server
    case_id = engine.start("netvaerksturnus", "emma", PROPOSAL)
    active = engine.case(case_id, None).open_tasks[0].element_id
    t = words(lang)
    visit = Visit()
    context, page, errors = signed_in(browser, base, "revisor", lang)
    page.goto(f"/audit/cases/{case_id}")
    page.wait_for_selector("#audit-diagram[data-loaded='true']")
    seen = page.evaluate(MEASURE, ["#audit-diagram", active])
    assert seen["inside"] and seen["px"] >= 11, seen
    keyboard_zoom(page, "#audit-diagram", t)
    axe(page, visit)

    page.goto("/audit/statistics/netvaerksturnus")
    page.wait_for_selector("#audit-diagram[data-loaded='true']")
    # the heat view opens at the start event
    start = page.evaluate("() => turnusViewer.get('elementRegistry').filter(e => e.type === 'bpmn:StartEvent')"
                          ".sort((a, b) => a.x - b.x)[0].id")
    assert page.evaluate(MEASURE, ["#audit-diagram", start])["inside"]
    assert page.locator("[data-zoom-for='audit-diagram'] .diagram-zoom__status").inner_text() == "Zoom 100 %"
    axe(page, visit)
    context.close()
    assert not visit.violations, visit.violations
    assert not errors, errors


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_modeller_opens_at_the_start_event_with_the_palette_beside_the_diagram(
        browser: Any, server: tuple[str, Any], lang: str) -> None:
    base, _engine = server
    t = words(lang)
    visit = Visit()
    context, page, errors = signed_in(browser, base, "paula", lang)
    page.goto("/modeller/netvaerksturnus/edit")
    page.wait_for_selector("#modeller[data-ready='true']")
    seen = page.evaluate(MEASURE, ["#canvas", "theme_proposed"])
    assert seen["inside"], seen
    task = page.evaluate(MEASURE, ["#canvas", "prepare_case"])
    assert task["px"] >= 11, task
    palette = page.locator(".djs-palette").bounding_box()
    canvas = page.locator("#canvas").bounding_box()
    assert palette["x"] + palette["width"] <= canvas["x"], (palette, canvas)  # beside, not over
    page.locator(".djs-palette .entry").first.hover()  # still the palette bpmn-js drives
    keyboard_zoom(page, "#canvas", t)
    axe(page, visit, exclude=("#canvas",))
    context.close()
    assert not visit.violations, visit.violations
    assert not errors, errors
