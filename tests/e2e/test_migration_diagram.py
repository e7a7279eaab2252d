"""The migration page shows the version the cases move to as a diagram: open readable at the start event (a
task's label >= 11 CSS px), zoom and pan from the keyboard, announced, the changes since the version before
marked and said in words beside it. On the shipped rotation, in Danish and English, axe-clean."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import Visit
from tests.helpers.diagrams import MEASURE, ROTATION, axe, keyboard_zoom, needs_rotation, serve, signed_in, words

pytestmark = needs_rotation


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    yield from serve(tmp_path_factory.mktemp("migration"))


@pytest.fixture(scope="module")
def version_2(server: tuple[str, Any]) -> str:
    """A second version of the rotation with one task renamed: the element the diagram must mark changed."""
    _base, engine = server
    xml = ROTATION.read_text(encoding="utf-8")
    changed = xml.replace('id="prepare_case" name="', 'id="prepare_case" name="Omdøbt: ', 1)
    assert changed != xml
    files = {p.name: p.read_bytes() for p in ROTATION.parent.glob("*.dmn")}  # the decisions it calls
    engine.deploy_files({**files, ROTATION.name: changed.encode()}, "system")
    return "prepare_case"


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_migration_page_s_diagram_opens_readable_marks_the_changes_and_zooms_by_keyboard(
        browser: Any, server: tuple[str, Any], version_2: str, lang: str) -> None:
    base, _engine = server
    t = words(lang)
    visit = Visit()
    context, page, errors = signed_in(browser, base, "paula", lang)
    page.goto("/modeller/netvaerksturnus/migrate")
    page.wait_for_selector("#audit-diagram[data-loaded='true']")
    assert page.get_by_role("heading", name=t("Version 2, som sagerne flyttes til",
                                              "Version 2, the version the cases move to")).is_visible()
    task = page.evaluate(MEASURE, ["#audit-diagram", version_2])
    assert task["px"] >= 11, task
    start = page.evaluate("() => turnusViewer.get('elementRegistry').filter(e => e.type === 'bpmn:StartEvent')"
                          ".sort((a, b) => a.x - b.x)[0].id")
    assert page.evaluate(MEASURE, ["#audit-diagram", start])["inside"]
    marked = page.locator(f"#audit-diagram g.djs-element.diff-changed[data-element-id='{version_2}']")
    assert marked.count() == 1
    # the text alternative: the diagram's description names the change in words
    described = page.get_attribute("#audit-diagram", "aria-describedby").split()
    assert "migrate-changes" in described
    assert t("(prepare_case): navn", "(prepare_case): name") in page.locator("#migrate-changes").inner_text()
    keyboard_zoom(page, "#audit-diagram", t)
    axe(page, visit)
    context.close()
    assert not visit.violations, visit.violations
    assert not errors, errors
